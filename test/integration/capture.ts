/**
 * Optional transcripts of a real-Asterisk run, in the format of test/fixtures/captures/INDEX.txt:
 *   <name>.ami.txt    every AMI message as received by a raw capture connection (user cc-test,
 *                     read=all), "### SENT <ISO time>" before what it sent (Login secret masked)
 *   <name>.ari.jsonl  every ARI event the daemon's app received, one JSON object per line
 *   <name>.steps.txt  what the test did and saw, with times relative to the capture start
 * Written only when CAPTURE_DIR is set (e.g. CAPTURE_DIR=test/fixtures/captures to refresh the
 * fixtures); otherwise the steps are still kept in memory and nothing is written.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { AriClient, AriEvent } from '../../src/ari/types';

export class Capture {
  private readonly t0 = Date.now();
  private readonly steps: string[] = [];
  private readonly ari: string[] = [];
  private readonly timeline: string[] = [];
  private ami = '';
  private socket?: net.Socket;

  constructor(
    readonly name: string,
    readonly dir: string | undefined = process.env.CAPTURE_DIR || undefined,
  ) {}

  get enabled(): boolean {
    return this.dir !== undefined;
  }

  private stamp(): string {
    const now = Date.now();
    return `${new Date(now).toISOString()} +${((now - this.t0) / 1000).toFixed(3)}s`;
  }

  step(text: string): void {
    this.steps.push(`${this.stamp()} ${text}`);
  }

  section(title: string, lines: string[]): void {
    this.steps.push(`===== ${title} =====`, ...lines);
  }

  /** Records every event the daemon's ARI client receives, and a timeline of the key ones. */
  attachAri(ari: AriClient, keep: (e: AriEvent) => string | undefined): () => void {
    return ari.onEvent('*', (e) => {
      if (this.enabled) this.ari.push(JSON.stringify(e));
      const line = keep(e);
      if (line) this.timeline.push(`${this.stamp()} ARI ${line}`);
    });
  }

  /** Records one ARI event received by a test's own WebSocket (labs that play the app themselves). */
  recordAri(e: unknown, line?: string): void {
    if (this.enabled) this.ari.push(JSON.stringify(e));
    if (line) this.timeline.push(`${this.stamp()} ARI ${line}`);
  }

  /** A raw AMI connection that keeps every byte received (only when capturing). */
  async startAmi(port: number, username: string, secret: string): Promise<void> {
    if (!this.enabled) return;
    const s = net.connect(port, '127.0.0.1');
    this.socket = s;
    s.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.once('data', (banner: string) => {
        this.ami += banner;
        s.on('data', (d: string) => (this.ami += d));
        resolve();
      });
    });
    const login = ['Action: Login', `Username: ${username}`, `Secret: ${secret}`, 'Events: on', 'ActionID: capture-1', '', ''].join('\r\n');
    this.ami += `### SENT ${new Date().toISOString()}\r\n${login.replace(`Secret: ${secret}`, 'Secret: ****')}`;
    s.write(login);
  }

  /** Writes the three files (when capturing) and closes the AMI connection. */
  async finish(): Promise<void> {
    this.socket?.destroy();
    if (!this.dir) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const base = path.join(this.dir, this.name);
    // The stream may stop in the middle of a block: keep whole blocks only.
    const whole = this.ami.slice(0, this.ami.lastIndexOf('\r\n\r\n') + 4);
    fs.writeFileSync(`${base}.ami.txt`, whole);
    fs.writeFileSync(`${base}.ari.jsonl`, this.ari.join('\n') + '\n');
    fs.writeFileSync(`${base}.steps.txt`, [...this.steps, '===== TIMELINE (key ARI events) =====', ...this.timeline, ''].join('\n'));
  }
}
