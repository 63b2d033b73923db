/**
 * AMI parser benchmark on the real Asterisk 22 captures (test/fixtures/captures/*.ami.txt).
 * DESIGN.md budgets ≤ 1.5 ms of daemon CPU per queue call (~85 AMI events), i.e. well under
 * ~17 µs per event for everything; parsing must be a small fraction of that.
 *
 * Run from the repo root:
 *   npx tsc -p . --outDir /tmp/cc-bench && node /tmp/cc-bench/bench/ami-parse.js
 */
import fs from 'node:fs';
import path from 'node:path';
import { AmiParser } from '../src/ami/parser';

const dir = path.resolve(process.cwd(), 'test/fixtures/captures');

/** Frames Asterisk sent (banner excluded): drop "### SENT" blocks, CRLF line endings. */
function framesOf(file: string): string {
  const lines = fs.readFileSync(path.join(dir, file), 'utf8').split(/\r?\n/);
  let out = '';
  let skipping = false;
  let block: string[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith('### SENT')) skipping = true;
    else if (line === '') {
      if (!skipping && block.length) out += block.join('\r\n') + '\r\n\r\n';
      block = [];
      skipping = false;
    } else if (!skipping) block.push(line);
  }
  if (!skipping && block.length) out += block.join('\r\n') + '\r\n\r\n';
  return out;
}

// All captures as one session: one banner, then every file's frames.
let wire = 'Asterisk Call Manager/11.0.0\r\n';
for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ami.txt'))) wire += framesOf(f);
const bytes = Buffer.from(wire, 'utf8');
const chunks: Buffer[] = [];
// Socket-sized chunks (Asterisk writes ~1-8 KB at a time), so frames straddle chunk edges.
for (let i = 0; i < bytes.length; i += 4096) chunks.push(bytes.subarray(i, i + 4096));
const totalBytes = chunks.reduce((n, c) => n + c.length, 0);

function run(label: string, wanted?: (name: string) => boolean): void {
  let messages = 0;
  let skipped = 0;
  const once = () => {
    const p = new AmiParser({ onBanner: () => undefined, onMessage: () => messages++, wanted, onSkipped: () => skipped++ });
    for (const c of chunks) p.push(c);
  };
  for (let i = 0; i < 5; i++) once(); // warm-up (JIT)
  messages = 0;
  skipped = 0;
  const rounds = 30;
  const t0 = process.cpuUsage();
  for (let i = 0; i < rounds; i++) once();
  const cpu = process.cpuUsage(t0);
  const us = cpu.user + cpu.system;
  const frames = messages + skipped;
  console.log(
    `${label.padEnd(34)} ${(us / frames).toFixed(3)} µs/frame  ` +
      `${((totalBytes * rounds) / us).toFixed(1)} MB/s  frames/round=${frames / rounds} parsed=${messages / rounds}`,
  );
}

run('full parse of every frame');
run('queue/agent events only (filter)', (n) => n.startsWith('Queue') || n.startsWith('Agent'));
