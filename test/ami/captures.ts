/**
 * Rebuilds the byte stream Asterisk sent from a capture file (test/fixtures/captures/*.ami.txt):
 * drops the "### SENT" markers and the action blocks that follow them (those went the other way),
 * and re-terminates every line with CRLF whatever the file's line endings are.
 */
import fs from 'node:fs';
import path from 'node:path';

export const CAPTURES_DIR = path.join(__dirname, '..', 'fixtures', 'captures');

export interface CaptureStream {
  banner: string;
  /** Received blocks, each a list of "Key: Value" lines. */
  blocks: string[][];
  wire: string;
}

export function amiCaptureFiles(): string[] {
  return fs
    .readdirSync(CAPTURES_DIR)
    .filter((f) => f.endsWith('.ami.txt'))
    .sort();
}

export function loadAmiCapture(file: string): CaptureStream {
  const lines = fs.readFileSync(path.join(CAPTURES_DIR, file), 'utf8').split(/\r?\n/);
  const banner = lines[0];
  const blocks: string[][] = [];
  let current: string[] = [];
  let skippingSent = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('### SENT')) {
      skippingSent = true;
      continue;
    }
    if (line === '') {
      if (current.length > 0 && !skippingSent) blocks.push(current);
      current = [];
      skippingSent = false;
      continue;
    }
    if (!skippingSent) current.push(line);
  }
  if (current.length > 0 && !skippingSent) blocks.push(current);
  const wire = banner + '\r\n' + blocks.map((b) => b.join('\r\n') + '\r\n\r\n').join('');
  return { banner, blocks, wire };
}

/** Obviously-correct (and slow) reference parse of one block, to check the fast parser against. */
export function referenceParse(block: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block) {
    const i = line.indexOf(': ');
    const key = i === -1 ? line.slice(0, line.indexOf(':')) : line.slice(0, i);
    const value = i === -1 ? '' : line.slice(i + 2);
    out[key] = Object.prototype.hasOwnProperty.call(out, key) ? `${out[key]}\n${value}` : value;
  }
  return out;
}
