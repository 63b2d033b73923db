/**
 * Minimal AMI server for client tests: banner, Login (checks credentials), Ping, Logoff, plus
 * per-test action handlers. Knobs to simulate failures: drop every socket, stop answering Ping
 * while keeping the socket open (half-open link).
 */
import net from 'node:net';
import { PassThrough } from 'node:stream';
import { parseFrame } from '../../src/ami/parser';
import type { AmiMessage } from '../../src/ami/types';
import { createLogger, type Logger } from '../../src/log/logger';
import { waitUntil } from '../helpers/wait';

export type Reply = (fields: Record<string, string>) => void;
export type ActionHandler = (msg: AmiMessage, reply: Reply, conn: FakeConn) => void;

export interface FakeConn {
  socket: net.Socket;
  loggedIn: boolean;
  send(fields: Record<string, string>): void;
}

const FULLY_BOOTED = { Event: 'FullyBooted', Privilege: 'system,all', Status: 'Fully Booted' };

export class FakeAmiServer {
  readonly server = net.createServer((socket) => this.accept(socket));
  readonly received: AmiMessage[] = [];
  readonly conns = new Set<FakeConn>();
  loginAttempts = 0;
  answerPings = true;
  /** false = "Asterisk booting": logins get no FullyBooted until boot() (as Asterisk 22 does). */
  booted = true;
  /** false = an AMI user without read=system: FullyBooted is never sent. */
  sendsFullyBooted = true;
  handlers: Record<string, ActionHandler> = {};

  constructor(
    public username = 'callcenterd',
    public secret = 's3cr3t-value',
  ) {}

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  broadcast(fields: Record<string, string>): void {
    for (const c of this.conns) if (c.loggedIn) c.send(fields);
  }

  /** The boot completes: FullyBooted to every logged-in session, like Asterisk at the end of a boot. */
  boot(): void {
    this.booted = true;
    if (this.sendsFullyBooted) this.broadcast(FULLY_BOOTED);
  }

  dropAll(): void {
    for (const c of this.conns) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const conn: FakeConn = {
      socket,
      loggedIn: false,
      send: (fields) => {
        if (socket.destroyed) return;
        socket.write(Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join('') + '\r\n');
      },
    };
    this.conns.add(conn);
    socket.on('close', () => this.conns.delete(conn));
    socket.on('error', () => undefined);
    socket.write('Asterisk Call Manager/11.0.0\r\n');
    let buf = '';
    socket.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      for (let end = buf.indexOf('\r\n\r\n'); end !== -1; end = buf.indexOf('\r\n\r\n')) {
        const msg = parseFrame(buf, 0, end);
        buf = buf.slice(end + 4);
        this.onAction(conn, msg);
      }
    });
  }

  private onAction(conn: FakeConn, msg: AmiMessage): void {
    this.received.push(msg);
    const reply: Reply = (fields) => conn.send({ ...fields, ActionID: msg.ActionID });
    const action = msg.Action;
    if (action === 'Login') {
      this.loginAttempts++;
      if (msg.Username === this.username && msg.Secret === this.secret) {
        conn.loggedIn = true;
        reply({ Response: 'Success', Message: 'Authentication accepted' });
        if (this.booted && this.sendsFullyBooted) conn.send(FULLY_BOOTED);
      } else {
        reply({ Response: 'Error', Message: 'Authentication failed' });
        conn.socket.end();
      }
      return;
    }
    if (!conn.loggedIn) {
      reply({ Response: 'Error', Message: 'Permission denied' });
      return;
    }
    if (this.handlers[action]) return this.handlers[action](msg, reply, conn);
    if (action === 'Ping') {
      if (this.answerPings) reply({ Response: 'Success', Ping: 'Pong', Timestamp: '1795240009.295901' });
      return;
    }
    if (action === 'Logoff') {
      reply({ Response: 'Goodbye', Message: 'Thanks for all the fish.' });
      conn.socket.end();
      return;
    }
    reply({ Response: 'Error', Message: 'Invalid/unknown command' });
  }
}

/** A real winston logger writing into a string, to check what would reach the logs. */
export function captureLogger(): { log: Logger; text: () => string } {
  const stream = new PassThrough();
  let out = '';
  stream.on('data', (d) => (out += d.toString()));
  return { log: createLogger('debug', { stream }), text: () => out };
}

export function waitFor(cond: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  return waitUntil(cond, { timeoutMs, what, everyMs: 5 }).then(() => undefined);
}
