/**
 * Tiny raw protocol readers for the simulator tests: they deliberately do not use src/ami/client.ts
 * or src/ari/client.ts, so the simulator is checked against the wire format itself.
 */
import * as net from 'node:net';
import { WebSocket } from 'ws';
import { FrameSplitter, parseFrame } from '../../src/sim/ami-codec';
import type { Simulator } from '../../src/sim';

export type Frame = Record<string, string>;

export class RawAmi {
  readonly frames: Frame[] = [];
  banner = '';
  closed = false;
  private waiters: Array<() => void> = [];
  private seq = 0;
  private constructor(readonly socket: net.Socket) {}

  static async connect(port: number): Promise<RawAmi> {
    const socket = net.connect(port, '127.0.0.1');
    const c = new RawAmi(socket);
    const split = new FrameSplitter();
    socket.setEncoding('utf8');
    let pending = '';
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.on('data', (chunk: string) => {
        if (!c.banner) {
          pending += chunk;
          const i = pending.indexOf('\r\n');
          if (i < 0) return;
          c.banner = pending.slice(0, i + 2);
          chunk = pending.slice(i + 2);
          resolve();
        }
        for (const f of split.push(chunk)) {
          const rec: Frame = {};
          for (const [k, v] of parseFrame(f)) rec[k] = k in rec ? `${rec[k]}\n${v}` : v;
          c.frames.push(rec);
        }
        c.waiters.forEach((w) => w());
      });
      socket.on('close', () => {
        c.closed = true;
        c.waiters.forEach((w) => w());
      });
    });
    return c;
  }

  send(action: string, fields: Record<string, string> = {}): string {
    const id = `t${++this.seq}`;
    let s = `Action: ${action}\r\n`;
    for (const [k, v] of Object.entries(fields)) s += `${k}: ${v}\r\n`;
    this.socket.write(`${s}ActionID: ${id}\r\n\r\n`);
    return id;
  }

  wait<T>(check: () => T | undefined | false, ms = 2000): Promise<T> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('RawAmi wait timed out')), ms);
      const test = () => {
        const v = check();
        if (v) {
          clearTimeout(t);
          this.waiters = this.waiters.filter((w) => w !== test);
          resolve(v);
        }
      };
      this.waiters.push(test);
      test();
    });
  }

  response(id: string): Promise<Frame> {
    return this.wait(() => this.frames.find((f) => f.ActionID === id && f.Response !== undefined));
  }

  event(name: string, pred: (f: Frame) => boolean = () => true): Promise<Frame> {
    return this.wait(() => this.frames.find((f) => f.Event === name && pred(f)));
  }

  async login(sim: Simulator): Promise<void> {
    const id = this.send('Login', { Username: sim.credentials.ami.username, Secret: sim.credentials.ami.secret });
    const r = await this.response(id);
    if (r.Response !== 'Success') throw new Error('login failed');
  }

  close(): void {
    this.socket.destroy();
  }
}

export class RawAri {
  readonly events: Array<Record<string, any>> = [];
  private waiters: Array<() => void> = [];
  private constructor(readonly ws: WebSocket, private readonly sim: Simulator) {}

  static async connect(sim: Simulator, app = sim.app): Promise<RawAri> {
    const { username, password } = sim.credentials.ari;
    const ws = new WebSocket(`${sim.ariUrl.replace('http', 'ws')}/ari/events?app=${app}`, {
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    const c = new RawAri(ws, sim);
    ws.on('message', (d) => {
      c.events.push(JSON.parse(String(d)));
      c.waiters.forEach((w) => w());
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return c;
  }

  event(type: string, pred: (e: Record<string, any>) => boolean = () => true, ms = 2000): Promise<Record<string, any>> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`RawAri: no ${type}`)), ms);
      const test = () => {
        const e = this.events.find((x) => x.type === type && pred(x));
        if (e) {
          clearTimeout(t);
          this.waiters = this.waiters.filter((w) => w !== test);
          resolve(e);
        }
      };
      this.waiters.push(test);
      test();
    });
  }

  async rest(method: string, path: string, params: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const { username, password } = this.sim.credentials.ari;
    const qs = new URLSearchParams(params).toString();
    const res = await fetch(`${this.sim.ariUrl}/ari${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { Authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Reads the first frame with `Event: name` from a capture file (CRLF, blank-line separated). */
export function captureFrames(text: string): Frame[] {
  return text
    .replace(/\r/g, '')
    .split(/\n\n+/)
    .map((block) => {
      const rec: Frame = {};
      for (const line of block.split('\n')) {
        if (line.startsWith('### ')) continue;
        const i = line.indexOf(':');
        if (i > 0) rec[line.slice(0, i)] = line.slice(i + 1).trim();
      }
      return rec;
    })
    .filter((f) => Object.keys(f).length > 0);
}
