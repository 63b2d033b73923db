/**
 * SIPp processes of the SIP bench: one UAS playing every agent's phone (whole run), and one UAC per
 * measured window placing the customers' calls at a fixed rate. Results come from SIPp's own
 * statistics file (-trace_stat): calls created, successful and failed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import path from 'node:path';

/** `sipp` on PATH (or SIPP_BIN), or undefined. */
export function findSipp(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = env.SIPP_BIN || 'sipp';
  try {
    execFileSync(bin, ['-v'], { stdio: 'ignore', timeout: 5000 });
    return bin;
  } catch (err) {
    // `sipp -v` exits non-zero on some versions after printing its version: only ENOENT means absent.
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : bin;
  }
}

/** A UDP port p with p+2 free too (SIPp's RTP echo binds both), picked at random in 40000-59999. */
export async function freeUdpPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const p = 40000 + 2 * Math.floor(Math.random() * 9999);
    if ((await udpFree(p)) && (await udpFree(p + 1)) && (await udpFree(p + 2)) && (await udpFree(p + 3))) return p;
  }
  throw new Error('no free UDP port pair for SIPp media');
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** SIPp processes still running if the bench dies: killed on exit (one listener for all). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface SippStats {
  created: number;
  successful: number;
  failed: number;
}

export class Sipp {
  private readonly child: ChildProcess;
  private readonly exit: Promise<number | null>;

  constructor(
    bin: string,
    args: string[],
    readonly statFile: string,
    readonly errFile: string,
  ) {
    this.child = spawn(bin, [...args, '-nostdin', '-trace_stat', '-stf', statFile, '-fd', '1', '-trace_err', '-error_file', errFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    this.child.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString()).slice(-2000)));
    live.add(this.child);
    this.exit = new Promise((r) =>
      this.child.once('exit', (code) => {
        live.delete(this.child);
        if (code !== 0 && code !== 1 && stderr) process.stderr.write(`sipp exited ${code}: ${stderr}\n`);
        r(code);
      }),
    );
  }

  /** Exit code: 0 all calls succeeded, 1 some failed (SIPp's convention); others are SIPp errors. */
  wait(): Promise<number | null> {
    return this.exit;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGUSR1'); // SIPp: dump the final stats and quit
    const t = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await this.exit;
    clearTimeout(t);
  }

  /** The last row of the statistics file (cumulative counters). */
  stats(): SippStats {
    const text = fs.existsSync(this.statFile) ? fs.readFileSync(this.statFile, 'utf8').trim().split('\n') : [];
    if (text.length < 2) return { created: 0, successful: 0, failed: 0 };
    const head = text[0].split(';');
    const row = text[text.length - 1].split(';');
    const col = (name: string) => Number(row[head.indexOf(name)] ?? 0);
    return { created: col('TotalCallCreated'), successful: col('SuccessfulCall(C)'), failed: col('FailedCall(C)') };
  }

  /** The first lines of SIPp's error file (why calls failed), or ''. */
  errors(maxChars = 600): string {
    return fs.existsSync(this.errFile) ? fs.readFileSync(this.errFile, 'utf8').replace(/\s+/g, ' ').slice(0, maxChars) : '';
  }
}

export interface SippDirs {
  dir: string;
  bin: string;
}

/** The agents' phones: one UAS on `port`, echoing RTP on `mediaPort`. */
export function startAgentsUas(s: SippDirs, port: number, mediaPort: number): Sipp {
  return new Sipp(
    s.bin,
    ['-sf', path.join(s.dir, 'uas.xml'), '-i', '127.0.0.1', '-p', String(port), '-mi', '127.0.0.1', '-mp', String(mediaPort), '-rtp_echo', '-max_socket', '4096'],
    path.join(s.dir, `uas-${port}.csv`),
    path.join(s.dir, `uas-${port}-err.log`),
  );
}

let uacSeq = 0;
/** Customers: `calls` calls to <service>@Asterisk at `rate` calls/s. */
export function startCustomers(s: SippDirs, o: { asteriskSip: number; service: string; calls: number; rate: number; mediaPort: number }): Sipp {
  const n = ++uacSeq;
  return new Sipp(
    s.bin,
    [
      `127.0.0.1:${o.asteriskSip}`, '-sf', path.join(s.dir, 'uac.xml'), '-s', o.service, '-i', '127.0.0.1', '-p', '0',
      '-mi', '127.0.0.1', '-mp', String(o.mediaPort), '-m', String(o.calls), '-r', String(o.rate), '-rp', '1000', '-max_socket', '4096',
    ],
    path.join(s.dir, `uac-${n}.csv`),
    path.join(s.dir, `uac-${n}-err.log`),
  );
}
