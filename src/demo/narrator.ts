/**
 * The demo's eyes: a supervisor client of the daemon's own /events WebSocket. It prints one line per
 * interesting event, keeps every event so the script can wait for outcomes ("agent 1000 is in
 * wrap-up"), and tallies what the summary needs (misses, pauses, dispositions).
 *
 * Call ids (protocol numbers carry today's date) are shown as #1, #2... so the output is the same
 * on every run.
 */
import WebSocket from 'ws';
import { callStatus } from '../history/status';
import type { CallKind } from '../calls/types';
import type { CallDirection } from '../daemon/ports';

export interface StreamEvent {
  type: string;
  seq: number;
  at: number;
  agent?: string;
  queue?: string;
  callId?: string;
  data: Record<string, unknown>;
}

export interface AgentTally {
  misses: number;
  pauses: number;
  dispositions: string[];
}

type Pred = (e: StreamEvent) => boolean;

export class Narrator {
  readonly events: StreamEvent[] = [];
  readonly tally = new Map<string, AgentTally>();
  private readonly callNo = new Map<string, number>();
  /**
   * "in wrap-up for call #N" lines held back until call #N's own "ended" line: the daemon opens the
   * wrap-up as the agent's part ends, a moment before it publishes call.ended, and a reader expects
   * the call to end first. Keyed by call id; flushed early if the same agent moves on.
   */
  private readonly heldWrapups = new Map<string, { agent?: string; line: string }>();
  private waiters: { pred: Pred; from: number; resolve: (e: StreamEvent) => void }[] = [];
  private ws?: WebSocket;
  snapshotSeq = -1;

  constructor(
    private readonly print: (line: string) => void,
    /** Demo clock label for "now", e.g. "09:12". */
    private readonly label: () => string,
  ) {}

  /** Connects as a supervisor; resolves once the snapshot arrived. */
  connect(apiUrl: string, token: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/events`, { headers: { authorization: `Bearer ${token}` } });
      this.ws = ws;
      ws.once('error', reject);
      ws.on('message', (raw) => {
        const msg = JSON.parse(String(raw)) as StreamEvent & { type: string; seq: number };
        if (msg.type === 'snapshot') {
          this.snapshotSeq = msg.seq;
          resolve();
          return;
        }
        this.onEvent(msg);
      });
    });
  }

  close(): void {
    this.ws?.close();
  }

  /** Short, stable name of a call. */
  call(id: string | undefined): string {
    if (!id) return '#?';
    if (!this.callNo.has(id)) this.callNo.set(id, this.callNo.size + 1);
    return `#${this.callNo.get(id)}`;
  }

  mark(): number {
    return this.events.length;
  }

  /** Next event matching `pred` at or after index `from` (default: from now on). */
  waitFor(pred: Pred, what: string, opts: { from?: number; timeoutMs?: number } = {}): Promise<StreamEvent> {
    const from = opts.from ?? this.events.length;
    const found = this.events.slice(from).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { pred, from, resolve: (e: StreamEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`demo: timed out waiting for ${what}`));
      }, opts.timeoutMs ?? 8000);
      this.waiters.push(waiter);
    });
  }

  private tallyOf(ext: string): AgentTally {
    let t = this.tally.get(ext);
    if (!t) this.tally.set(ext, (t = { misses: 0, pauses: 0, dispositions: [] }));
    return t;
  }

  private onEvent(e: StreamEvent): void {
    this.events.push(e);
    const line = this.describe(e);
    if (e.type === 'wrapup.started' && e.callId && line) {
      this.heldWrapups.set(e.callId, { agent: e.agent, line: `  ${this.label()}  ${line}` });
    } else {
      // Anything else from that agent (wrap-up done, logout...) must not overtake its wrap-up line.
      if (e.type !== 'call.ended') for (const [id, h] of this.heldWrapups) if (e.agent && h.agent === e.agent) this.release(id);
      if (line) this.print(`  ${this.label()}  ${line}`);
      if (e.type === 'call.ended' && e.callId) this.release(e.callId);
    }
    const idx = this.events.length - 1;
    for (const w of [...this.waiters]) {
      if (idx >= w.from && w.pred(e)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(e);
      }
    }
  }

  private release(callId: string): void {
    const h = this.heldWrapups.get(callId);
    if (!h) return;
    this.heldWrapups.delete(callId);
    this.print(h.line);
  }

  private describe(e: StreamEvent): string | undefined {
    const d = e.data;
    const who = e.agent ? `agent ${e.agent}` : '';
    switch (e.type) {
      case 'agent.login':
        return `${who} logged in (${(d.queues as { queue: string }[] | string[]).map((q) => (typeof q === 'string' ? q : q.queue)).join(', ')})`;
      case 'agent.logout':
        return `${who} logged out`;
      case 'agent.pause':
        if (e.agent && !d.afterCall) this.tallyOf(e.agent).pauses++;
        return d.afterCall ? `${who} will pause after the call: ${d.reason}` : `${who} paused: ${d.reason}${d.auto ? ` (automatic: ${d.missesInRow} missed calls)` : ''}`;
      case 'agent.unpause':
        return `${who} unpaused`;
      case 'queue.member':
        if (d.event === 'ring-no-answer' && e.agent) {
          this.tallyOf(e.agent).misses++;
          return `${who} did not answer a ${e.queue} call (${d.missesInRow} in a row, limit ${d.limit})`;
        }
        return undefined;
      case 'queue.caller':
        if (d.action === 'join') return `caller ${d.number} waiting in ${e.queue} (${d.waiting} waiting)`;
        if (d.action === 'abandon') return `caller ${d.number} gave up in ${e.queue} after ${d.waitSeconds}s`;
        return undefined;
      case 'call.state':
        if (d.state === 'connected' && d.previous === 'on-hold') return `call ${this.call(e.callId)} back from hold`;
        // The kind, not the direction: a transfer or conference leg is inbound for the agent's phone,
        // but to the reader it is "the transfer" / "the 3-way call".
        if (d.state === 'connected') return `call ${this.call(e.callId)} ${String(d.kind ?? d.direction)} ${d.number ?? ''} connected to ${who}`.replace(/\s+/g, ' ');
        if (d.state === 'on-hold') return `call ${this.call(e.callId)} on hold (customer hears music)`;
        return undefined;
      case 'call.ended':
        // An unanswered ring of one agent: the queue.member line above already told the story.
        if (d.reason === 'not-answered') return undefined;
        return `call ${this.call(e.callId)} ended (${endedStatus(e)})`;
      case 'wrapup.started':
        return `${who} in wrap-up for call ${this.call(e.callId)}`;
      case 'wrapup.ended':
        if (e.agent) this.tallyOf(e.agent).dispositions.push(String(d.disposition));
        return `${who} wrap-up done: "${d.disposition}"${d.auto ? ' (automatic disposition)' : byOther(d.finishedBy, e.agent)}`;
      default:
        return undefined;
    }
  }
}

/** " (ended by X)" when someone other than the agent closed the wrap-up. */
function byOther(finishedBy: unknown, agent: string | undefined): string {
  if (!finishedBy || finishedBy === 'agent' || finishedBy === agent) return '';
  return ` (ended by ${String(finishedBy)})`;
}

/** The user-facing status history shows for this part (src/history/status.ts), not the raw reason. */
function endedStatus(e: StreamEvent): string {
  const d = e.data;
  return callStatus({
    endedAt: e.at,
    answeredAt: d.answered === false ? null : e.at,
    endReason: typeof d.reason === 'string' ? d.reason : null,
    kind: d.kind as CallKind,
    direction: d.direction as CallDirection,
    agentExt: e.agent ?? null,
  });
}
