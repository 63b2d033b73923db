/**
 * Invariants of the fault bench, read from Asterisk (AMI QueueStatus, `core show channels
 * concise`, ARI application) and from the daemon's SQLite file (read-only) and API. Checked while
 * the load runs, so "stuck" means older than any legitimate call can be (patience + talk + slack).
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { Load } from './load';
import type { ChaosStack } from './stack';

export interface InvariantReport {
  /** Connected customers without any call part in the daemon's DB (records lost). */
  recordsLost: string[];
  /** Parts ended without end time/reason, or still open long after their channels are gone. */
  badParts: string[];
  /** Channels older than the longest legitimate call, and daemon bridges no call owns. */
  stuckChannels: string[];
  stuckBridges: string[];
  /** After the load stopped and drained: bench customers' channels (handset, customer, stand-in <id>-q-si, its queue caller) still up 10 s later. */
  leftChannels: string[];
  /** Wrap-ups open past their deadline + 5 s, or closed without a disposition. */
  badWrapups: string[];
  /** app_queue members vs the daemon's sessions. */
  ghostMembers: string[];
  missingMembers: string[];
  duplicateMembers: string[];
  wrongPause: string[];
  /** Agents not in a working state (offline/inactive) though logged in by the bench. */
  agentsOut: string[];
  /** Crash or unhandled rejection lines in the daemon log. */
  logErrors: string[];
}

export function problems(r: InvariantReport): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(r) as [keyof InvariantReport, string[]][]) if (v.length) out.push(`${k}: ${v.length} (${v.slice(0, 3).join('; ')})`);
  return out;
}

const CRASH = /unhandled|uncaught|FATAL|Segmentation|out of memory|heap limit|^\s+at .*\(.*\.ts:\d+/i;

export class InvariantChecker {
  private logOffset = 0;

  constructor(
    private readonly stack: ChaosStack,
    private readonly load: Load,
    /** A channel older than this (s) cannot belong to a legitimate bench call. */
    private readonly maxCallSeconds: number,
  ) {}

  /** Customers that connected before `until` must have their parts recorded (linkedid = customer id). */
  async check(until: number, opts: { quiet?: boolean } = {}): Promise<InvariantReport> {
    const r: InvariantReport = {
      recordsLost: [], badParts: [], stuckChannels: [], stuckBridges: [], leftChannels: [], badWrapups: [],
      ghostMembers: [], missingMembers: [], duplicateMembers: [], wrongPause: [], agentsOut: [], logErrors: [],
    };
    const now = Date.now();
    this.checkDb(r, until, now, !!opts.quiet);
    await this.checkAsterisk(r);
    if (opts.quiet) await this.checkLeftovers(r);
    await this.checkMembers(r);
    this.checkLog(r);
    return r;
  }

  /**
   * Call parts written after the fact so far: `recovered` from queue_log (src/queue-log), `corrected`
   * by it (ended unseen, given their real end),
   * `discovered` up in Asterisk, `recorded-late` after a refused write (native topology).
   */
  writtenLate(): Record<'recovered' | 'corrected' | 'discovered' | 'recorded-late', number> {
    const db = new Database(this.stack.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const n = (type: string) => db.prepare('SELECT COUNT(DISTINCT call_id) FROM call_events WHERE type = ?').pluck().get(type) as number;
      return { recovered: n('recovered'), corrected: n('corrected'), discovered: n('discovered'), 'recorded-late': n('recorded-late') };
    } finally {
      db.close();
    }
  }

  private checkDb(r: InvariantReport, until: number, now: number, quiet: boolean): void {
    const db = new Database(this.stack.dbPath, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const linked = new Set((db.prepare('SELECT DISTINCT linkedid FROM calls WHERE linkedid IS NOT NULL').pluck().all() as string[]));
      for (const c of this.load.customers.values()) {
        if (c.connectedAt !== undefined && c.connectedAt < until && !linked.has(c.id)) r.recordsLost.push(c.id);
      }
      for (const p of db.prepare('SELECT id, ended_at, end_reason, started_at FROM calls WHERE ended_at IS NOT NULL AND (end_reason IS NULL OR end_reason = \'\')').all() as { id: string }[]) {
        r.badParts.push(`${p.id} ended without reason`);
      }
      // Open parts older than any legitimate call: their channels are long gone.
      const old = db.prepare('SELECT id, state FROM calls WHERE ended_at IS NULL AND started_at < ?').all(now - this.maxCallSeconds * 1000) as { id: string; state: string }[];
      for (const p of old) r.badParts.push(`${p.id} open (${p.state})`);
      const wr = db.prepare('SELECT id, extension, call_id, deadline, ended_at, disposition FROM wrapups WHERE (ended_at IS NULL AND deadline < ?) OR (ended_at IS NOT NULL AND (disposition IS NULL OR disposition = \'\'))').all(now - 5000) as { extension: string; call_id: string; ended_at: number | null }[];
      for (const w of wr) r.badWrapups.push(`${w.extension}/${w.call_id} ${w.ended_at === null ? 'open past deadline' : 'no disposition'}`);
      if (quiet) {
        const open = db.prepare('SELECT id, state FROM calls WHERE ended_at IS NULL').all() as { id: string; state: string }[];
        for (const p of open) r.badParts.push(`${p.id} open after the load stopped (${p.state})`);
      }
    } finally {
      db.close();
    }
  }

  private async checkAsterisk(r: InvariantReport): Promise<void> {
    const concise = await this.stack.ast.cli('core show channels concise');
    for (const line of concise.split('\n').filter(Boolean)) {
      const f = line.split('!');
      const duration = Number(f[11]);
      if (Number.isFinite(duration) && duration > this.maxCallSeconds) r.stuckChannels.push(`${f[0]} ${f[5]} ${duration}s`);
    }
    const auth = 'Basic ' + Buffer.from(`callcenterd:${this.stack.ast.secrets.ari}`).toString('base64');
    const res = await fetch(`http://127.0.0.1:${this.stack.ast.ports.http}/ari/bridges`, { headers: { Authorization: auth } });
    if (res.ok) {
      const bridges = (await res.json()) as { id: string; channels: string[]; creationtime?: string; bridge_class: string }[];
      for (const b of bridges) {
        const age = b.creationtime ? (Date.now() - Date.parse(b.creationtime)) / 1000 : 0;
        if (b.bridge_class === 'stasis' && age > this.maxCallSeconds) r.stuckBridges.push(`${b.id} ${b.channels.length} ch ${Math.round(age)}s`);
      }
    }
  }

  /** Concise fields: 0 channel, 5 application, 13 uniqueid. Customer-named ids all start with chaos-. */
  private async checkLeftovers(r: InvariantReport): Promise<void> {
    let left: string[] = [];
    for (let i = 0; i < 20; i++) {
      const concise = await this.stack.ast.cli('core show channels concise');
      left = concise.split('\n').filter(Boolean).map((l) => l.split('!')).filter((f) => (f[13] ?? '').startsWith('chaos-')).map((f) => `${f[13]} ${f[0]} ${f[5]}`);
      if (!left.length) return;
      await new Promise((res) => setTimeout(res, 500));
    }
    r.leftChannels.push(...left);
  }

  private async checkMembers(r: InvariantReport): Promise<void> {
    const { events } = await this.stack.ami.client.actionList('QueueStatus', { Queue: 'support' });
    const members = events.filter((e) => e.Event === 'QueueMember');
    const agents = (await this.stack.ok('GET', '/agents')).agents as { extension: string; state: string; queues: string[]; pauseReason: string | null }[];
    const byIface = new Map<string, number>();
    for (const m of members) byIface.set(m.Location ?? m.Interface, (byIface.get(m.Location ?? m.Interface) ?? 0) + 1);
    // The member Interface by topology (src/queues/member-interfaces.ts): native = the agent's device.
    const iface = (ext: string) => (this.stack.opts.topology === 'native' ? `Local/${ext}@test-phones` : `Local/${ext}@cc-agent/n`);
    const expected = new Map(agents.filter((a) => a.queues.includes('support')).map((a) => [iface(a.extension), a]));
    for (const [iface, n] of byIface) {
      if (n > 1) r.duplicateMembers.push(iface);
      if (!expected.has(iface)) r.ghostMembers.push(iface);
    }
    for (const [iface, a] of expected) {
      const m = members.find((x) => (x.Location ?? x.Interface) === iface);
      if (!m) r.missingMembers.push(iface);
      else if ((m.Paused === '1') !== (a.pauseReason !== null)) r.wrongPause.push(`${a.extension} member paused ${m.Paused}, daemon ${a.pauseReason ?? 'not paused'}`);
    }
    for (const a of agents) if (a.state === 'offline' || a.state === 'inactive') r.agentsOut.push(`${a.extension} ${a.state}`);
  }

  private checkLog(r: InvariantReport): void {
    const log = this.stack.daemonLog;
    if (!fs.existsSync(log)) return;
    const size = fs.statSync(log).size;
    if (size <= this.logOffset) return;
    const fd = fs.openSync(log, 'r');
    const buf = Buffer.alloc(size - this.logOffset);
    fs.readSync(fd, buf, 0, buf.length, this.logOffset);
    fs.closeSync(fd);
    this.logOffset = size;
    for (const line of buf.toString('utf8').split('\n')) {
      if (line.startsWith('{')) {
        // JSON log lines: only error-level ones that say crash/unhandled count.
        if (/"level":"error"/.test(line) && /unhandled|uncaught/i.test(line)) r.logErrors.push(line.slice(0, 200));
      } else if (CRASH.test(line)) r.logErrors.push(line.slice(0, 200));
    }
  }
}
