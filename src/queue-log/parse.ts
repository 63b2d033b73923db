/**
 * app_queue's queue_log (Asterisk's `<astlogdir>/queue_log`), read to recover the native calls that
 * began and ended while the daemon could not follow AMI (backfill.ts). Plain functions, no I/O.
 *
 * A line is `<epoch s>|<callid>|<queue>|<agent>|<event>|<data1>|<data2>|…`: callid is the caller's
 * channel uniqueid, agent the member's MemberName (app_queue.c ast_queue_log calls, Asterisk 22):
 *   ENTERQUEUE        url|callerid num|position[|callerid name]
 *   CONNECT           holdtime s|member channel uniqueid|ring time s
 *   COMPLETECALLER/COMPLETEAGENT   holdtime s|talk time s|original position
 *   BLINDTRANSFER     exten|context|holdtime s|talk time s|original position
 *   ATTENDEDTRANSFER  method|…|holdtime s|talk time s|original position (the last three)
 *   ABANDON, EXITWITHTIMEOUT, EXITEMPTY   position|original position|wait s
 *   EXITWITHKEY       key|position|original position|wait s
 *   CCLINKEDID        linkedid (asterisk-conf [cc-queues] logs it before Queue(): queue_log has no linkedid)
 * The final line alone rebuilds a stay: its times count back to the join and the answer, so a caller
 * who joined before the lines read still comes out whole (without its number).
 */

export interface QueueLogEntry {
  /** ms since epoch (the line has whole seconds). */
  at: number;
  callid: string;
  queue: string;
  agent: string;
  event: string;
  data: string[];
}

export function parseQueueLogLine(line: string): QueueLogEntry | undefined {
  const f = line.replace(/\r?\n$/, '').split('|');
  if (f.length < 5 || !/^\d{9,11}$/.test(f[0])) return undefined;
  const [at, callid, queue, agent, event, ...data] = f;
  if (!callid || callid === 'NONE' || !queue || queue === 'NONE' || !/^[A-Z]+$/.test(event)) return undefined;
  return { at: Number(at) * 1000, callid, queue, agent, event, data };
}

export type ContactOutcome = 'answered' | 'abandoned' | 'timeout' | 'left';
export type ContactEnd = 'customer-hangup' | 'agent-hangup' | 'transferred';

/** One caller's stay in one queue, ended (a final line was read). */
export interface QueueLogContact {
  callid: string;
  /** From the CCLINKEDID line; null without it (an older asterisk-conf, or not among the lines read). */
  linkedid: string | null;
  queue: string;
  joinedAt: number;
  /** From ENTERQUEUE; null when the join was not among the lines read. */
  callerNumber: string | null;
  callerName: string | null;
  position: number | null;
  outcome: ContactOutcome;
  /** When the caller left the queue: answered = connected. */
  leftAt: number;
  /** answered: the member's MemberName, when the agent rang, answered and the call ended. */
  member?: string;
  rangAt?: number;
  connectedAt?: number;
  endedAt?: number;
  endReason?: ContactEnd;
}

const COMPLETE: Record<string, ContactEnd> = {
  COMPLETECALLER: 'customer-hangup',
  COMPLETEAGENT: 'agent-hangup',
  BLINDTRANSFER: 'transferred',
  ATTENDEDTRANSFER: 'transferred',
};
const EXIT: Record<string, ContactOutcome> = { ABANDON: 'abandoned', EXITWITHTIMEOUT: 'timeout', EXITEMPTY: 'left', EXITWITHKEY: 'left' };

const seconds = (v: string | undefined): number => {
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? n * 1000 : 0;
};

interface Open {
  joinedAt: number;
  callerNumber: string | null;
  callerName: string | null;
  position: number | null;
  connect?: QueueLogEntry;
}

/** The stays that ended among `entries` (in file order), in the order they ended. */
export function endedContacts(entries: QueueLogEntry[]): QueueLogContact[] {
  const open = new Map<string, Open>();
  const linkedids = new Map<string, string>();
  const out: QueueLogContact[] = [];
  for (const e of entries) {
    const key = `${e.callid}|${e.queue}`;
    if (e.event === 'CCLINKEDID') {
      if (e.data[0]) linkedids.set(e.callid, e.data[0]);
      continue;
    }
    if (e.event === 'ENTERQUEUE') {
      const pos = Number(e.data[2]);
      open.set(key, { joinedAt: e.at, callerNumber: e.data[1] || null, callerName: e.data[3] || null, position: Number.isInteger(pos) ? pos : null });
      continue;
    }
    const o = open.get(key);
    if (e.event === 'CONNECT') {
      if (o) o.connect = e;
      else open.set(key, { joinedAt: e.at - seconds(e.data[0]), callerNumber: null, callerName: null, position: null, connect: e });
      continue;
    }
    const end = COMPLETE[e.event];
    const exit = EXIT[e.event];
    if (!end && !exit) continue;
    open.delete(key);
    const base = { callid: e.callid, linkedid: linkedids.get(e.callid) ?? null, queue: e.queue, callerNumber: o?.callerNumber ?? null, callerName: o?.callerName ?? null, position: o?.position ?? null };
    if (exit) {
      const wait = seconds(e.data[e.event === 'EXITWITHKEY' ? 3 : 2]);
      out.push({ ...base, joinedAt: o?.joinedAt ?? e.at - wait, outcome: exit, leftAt: e.at });
      continue;
    }
    // holdtime|talk time are the last-but-two and last-but-one fields of every completion line.
    const n = e.data.length;
    const talk = seconds(e.data[n - 2]);
    const connectedAt = o?.connect?.at ?? e.at - talk;
    const joinedAt = o?.joinedAt ?? connectedAt - seconds(e.data[n - 3]);
    const rangAt = connectedAt - (o?.connect ? seconds(o.connect.data[2]) : 0);
    out.push({ ...base, joinedAt, outcome: 'answered', leftAt: connectedAt, member: e.agent, rangAt, connectedAt, endedAt: e.at, endReason: end });
  }
  return out;
}
