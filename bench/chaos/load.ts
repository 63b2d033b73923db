/**
 * Steady customer load for the fault bench: `rate` customers a second, each an AMI Originate of
 * Local/support@cc-queues/n (path `queue`: the ;2 half, <id>-q, is the queue caller) or of
 * Local/<did>@cc-inbound/n (path `trunk`: the ;2 half, <id>-q, enters Stasis inbound like a trunk
 * call; with the stand-in topology the daemon's stand-in <id>-q-si / <id>-q-si-q is the queue
 * caller, and the customer's linkedid is still <id>, the handset). The handset <id> (;1, in
 * test-customer) is what the customer hangs up. A customer talks `talkMs`
 * once app_queue connected it (AgentConnect), then hangs up; one not connected within `patienceMs`
 * gives up (hangs up). A share of the connected calls is held, transferred back into the queue, or
 * sent to a service through the daemon's API. Every outcome is stamped so the bench counts, per
 * second, who was offered, connected, gave up or failed.
 */
import crypto from 'node:crypto';
import type { AmiEvent } from '../../src/ami/types';
import type { ChaosStack } from './stack';

export type Outcome = 'waiting' | 'connected' | 'done' | 'gave-up' | 'failed' | 'dropped';

export interface Customer {
  id: string;
  at: number;
  connectedAt?: number;
  endedAt?: number;
  outcome: Outcome;
  agent?: string;
  action?: 'hold' | 'transfer' | 'service';
  actionError?: string;
  connects: number;
  /** Caller number, unique per customer: how the daemon's call is found (GET /calls?agent=). */
  number: string;
  cause?: string;
  hangupAt?: number;
  hangupStatus?: number;
}

export interface LoadOptions {
  rate: number;
  talkMs: number;
  patienceMs: number;
  /** Shares (0-1) of connected calls held, transferred to queue:support, sent to service 301. */
  hold: number;
  transfer: number;
  service: number;
  /** How customers enter (args.ts CUSTOMER_PATHS). */
  path: 'queue' | 'trunk';
}

/** DID the trunk customers dial: any DID of the shipped [cc-inbound] goes to queue support. */
const TRUNK_DID = '551140040001';

/** Customer id of an AgentConnect's queue caller: <id>-q (queue path, stand-in fallback) or <id>-q-si-q (stand-in). */
export function customerOfQueueCaller(uniqueid: string): string {
  return uniqueid.replace(/-q(-si-q)?$/, '');
}

export class Load {
  readonly customers = new Map<string, Customer>();
  private timer?: NodeJS.Timeout;
  private seq = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private off: () => void = () => undefined;
  actionErrors = 0;
  readonly hangupErrors: string[] = [];

  constructor(private readonly stack: ChaosStack, readonly o: LoadOptions) {}

  start(): void {
    this.off = this.stack.ami.client.onEvent('*', (e) => this.onEvent(e));
    const every = 1000 / this.o.rate;
    let next = Date.now();
    const tick = () => {
      const now = Date.now();
      while (next <= now) {
        next += every;
        this.originate();
      }
      this.timer = setTimeout(tick, Math.max(1, next - Date.now()));
    };
    tick();
  }

  stop(): void {
    clearTimeout(this.timer);
  }

  /** Waits for every customer to end (gave-up/failed/done), at most `ms`. */
  async drain(ms: number): Promise<void> {
    const t0 = Date.now();
    while ([...this.customers.values()].some((c) => c.outcome === 'waiting' || c.outcome === 'connected')) {
      if (Date.now() - t0 > ms) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  dispose(): void {
    this.stop();
    this.off();
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, fn: () => unknown): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      Promise.resolve()
        .then(fn)
        .catch((err: Error) => this.hangupErrors.push(`timer: ${err.message}`));
    }, ms);
    this.timers.add(t);
  }

  private originate(): void {
    const id = `chaos-${++this.seq}-${crypto.randomBytes(3).toString('hex')}`;
    const number = `55119${String(80000000 + this.seq)}`;
    const c: Customer = { id, at: Date.now(), outcome: 'waiting', connects: 0, number };
    this.customers.set(id, c);
    this.stack.ami
      .action('Originate', {
        Channel: this.o.path === 'trunk' ? `Local/${TRUNK_DID}@cc-inbound/n` : 'Local/support@cc-queues/n',
        Context: 'test-customer',
        Exten: 's',
        Priority: 1,
        CallerID: `"Chaos ${this.seq}" <${number}>`,
        Async: true,
        Timeout: 30000,
        ChannelId: id,
        OtherChannelId: `${id}-q`,
      })
      .catch((err: Error) => {
        c.cause = `originate: ${err.message}`;
        this.end(c, 'failed');
      });
    this.later(this.o.patienceMs, () => {
      if (c.outcome === 'waiting') {
        this.end(c, 'gave-up');
        return this.hangup(id);
      }
    });
  }

  private end(c: Customer, outcome: Outcome): void {
    if (c.outcome === 'done' || c.outcome === 'gave-up' || c.outcome === 'failed' || c.outcome === 'dropped') return;
    c.outcome = outcome;
    c.endedAt = Date.now();
  }

  private onEvent(e: AmiEvent): void {
    if (e.Event === 'AgentConnect') {
      const id = customerOfQueueCaller(e.Uniqueid ?? '');
      const c = this.customers.get(id);
      if (!c || c.outcome !== 'waiting' && c.outcome !== 'connected') return;
      c.connects++;
      c.agent = /Local\/(\d+)@/.exec(e.Interface ?? '')?.[1];
      if (c.connects === 1) {
        c.connectedAt = Date.now();
        c.outcome = 'connected';
        this.later(this.o.talkMs, () => this.hangup(id));
        this.maybeAct(c);
      }
    } else if (e.Event === 'Hangup') {
      const id = e.Uniqueid;
      const c = this.customers.get(id);
      if (!c) return;
      c.cause ??= `${e.Cause}/${e['Cause-txt']}`;
      // A talking customer cut off before its own hang-up (and not sent to a service) was dropped.
      const dropped = c.outcome === 'connected' && c.hangupAt === undefined && c.action !== 'service' && c.action !== 'transfer';
      this.end(c, dropped ? 'dropped' : c.outcome === 'connected' ? 'done' : c.outcome === 'waiting' ? 'failed' : c.outcome);
    } else if (e.Event === 'OriginateResponse' && e.Response === 'Failure') {
      const c = this.customers.get(e.Uniqueid ?? '') ?? this.customers.get(e.ActionID ?? '');
      if (c) this.end(c, 'failed');
    }
  }

  private maybeAct(c: Customer): void {
    const r = Math.random();
    const { hold, transfer, service } = this.o;
    if (r < hold) c.action = 'hold';
    else if (r < hold + transfer) c.action = 'transfer';
    else if (r < hold + transfer + service) c.action = 'service';
    else return;
    this.later(Math.min(800, this.o.talkMs / 3), () => this.act(c));
  }

  private async act(c: Customer): Promise<void> {
    try {
      const callId = await this.findCall(c);
      if (!callId) throw new Error('no daemon call for this customer');
      if (c.action === 'hold') {
        await this.stack.ok('POST', `/calls/${callId}/hold`);
        this.later(Math.min(1000, this.o.talkMs / 3), async () => {
          await this.stack.ok('POST', `/calls/${callId}/unhold`).catch((err: Error) => this.actionFailed(c, err));
        });
      } else if (c.action === 'transfer') {
        await this.stack.ok('POST', `/calls/${callId}/transfer`, { target: 'queue:support' });
      } else if (c.action === 'service') {
        await this.stack.ok('POST', `/calls/${callId}/transfer`, { target: '301' });
      }
    } catch (err) {
      this.actionFailed(c, err as Error);
    }
  }

  private actionFailed(c: Customer, err: Error): void {
    // A customer that hung up meanwhile is no failure of the daemon.
    if (c.outcome !== 'connected') return;
    this.actionErrors++;
    c.actionError = err.message.slice(0, 200);
  }

  private async findCall(c: Customer): Promise<string | undefined> {
    if (!c.agent) return undefined;
    const r = await this.stack.ok('GET', `/calls?agent=${c.agent}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call = (r.calls as any[]).find((x) => x.number === c.number && x.state !== 'ended');
    return call?.id;
  }

  private async hangup(id: string): Promise<void> {
    const { ast } = this.stack;
    const c = this.customers.get(id);
    if (c) c.hangupAt = Date.now();
    const auth = 'Basic ' + Buffer.from(`callcenterd:${ast.secrets.ari}`).toString('base64');
    const r = await fetch(`http://127.0.0.1:${ast.ports.http}/ari/channels/${encodeURIComponent(id)}`, { method: 'DELETE', headers: { Authorization: auth } });
    if (c) c.hangupStatus = r.status;
    if (r.status !== 204 && r.status !== 404) this.hangupErrors.push(`${id}: ${r.status} ${await r.text()}`);
  }

  /** Customers started in [from, to) and what became of them. */
  window(from: number, to: number): { offered: number; connected: number; gaveUp: number; failed: number; dropped: number } {
    let offered = 0, connected = 0, gaveUp = 0, failed = 0, dropped = 0;
    for (const c of this.customers.values()) {
      if (c.at < from || c.at >= to) continue;
      offered++;
      if (c.outcome === 'dropped') dropped++;
      if (c.connectedAt !== undefined) connected++;
      else if (c.outcome === 'gave-up') gaveUp++;
      else if (c.outcome === 'failed') failed++;
    }
    return { offered, connected, gaveUp, failed, dropped };
  }

  /** Connections (AgentConnect) per second between from and to, as a list of counts. */
  connectsPerSecond(from: number, to: number): number[] {
    const n = Math.max(0, Math.ceil((to - from) / 1000));
    const out = new Array<number>(n).fill(0);
    for (const c of this.customers.values()) {
      if (c.connectedAt === undefined || c.connectedAt < from || c.connectedAt >= to) continue;
      out[Math.floor((c.connectedAt - from) / 1000)]++;
    }
    return out;
  }
}
