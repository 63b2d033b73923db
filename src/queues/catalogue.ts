/**
 * Queue catalogue (table `queues`, migration 001). Used by the admin CLI and the API; the runtime
 * reads it through src/agents/catalogue-port.ts. Per-queue values left null fall back to `policy`.
 */
import type { Db } from '../store/db';
import { int, isUniqueViolation, matches, optionalInt, optionalText } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound, refused } from '../util/errors';
import { RECORD_MODES, type RecordMode } from '../recordings/model';

/** Lower-case letters, digits, _ and -; must start with a letter or digit (Asterisk queue names). */
export const QUEUE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const QUEUE_NAME_RULE = 'must be 1-64 lower-case letters, digits, _ or -, starting with a letter or digit';
/** A dialplan extension, optionally @context (where the customer goes for the survey). */
const SURVEY_EXTEN = /^[A-Za-z0-9*#+_-]{1,32}(@[A-Za-z0-9_-]{1,64})?$/;

export interface Queue {
  name: string;
  wrapupSeconds: number | null;
  maxNoAnswer: number | null;
  callerId: string | null;
  surveyExtension: string | null;
  callTimeoutSeconds: number | null;
  /** always | never | on-demand; null = policy.recording (src/recordings). */
  record: RecordMode | null;
  /**
   * true (default): the wrap-up window closes by itself after wrapupSeconds. false: it stays open
   * until the agent finishes it, closed anyway at policy.wrapup_max_seconds (src/wrapup).
   */
  wrapupLimit: boolean;
  /** Service level threshold in seconds (reports); null = reports.service_level_seconds. */
  serviceLevelSeconds: number | null;
  createdAt: number;
}

/** What add/update take; wrapupLimit null = back to the default (on). */
export type QueueSettings = Partial<Omit<Queue, 'name' | 'createdAt' | 'wrapupLimit'>> & { wrapupLimit?: boolean | null };

interface Row {
  name: string;
  wrapup_seconds: number | null;
  max_no_answer: number | null;
  caller_id: string | null;
  survey_extension: string | null;
  call_timeout_seconds: number | null;
  record: RecordMode | null;
  wrapup_limit: number;
  service_level_seconds: number | null;
  created_at: number;
}

const fromRow = (r: Row): Queue => ({
  name: r.name,
  wrapupSeconds: r.wrapup_seconds,
  maxNoAnswer: r.max_no_answer,
  callerId: r.caller_id,
  surveyExtension: r.survey_extension,
  callTimeoutSeconds: r.call_timeout_seconds,
  record: r.record,
  wrapupLimit: r.wrapup_limit !== 0,
  serviceLevelSeconds: r.service_level_seconds,
  createdAt: r.created_at,
});

export function validateQueueName(name: unknown, field = 'name'): string {
  return matches(field, typeof name === 'string' ? name.trim() : name, QUEUE_NAME, QUEUE_NAME_RULE).trim();
}

function validateSettings(s: QueueSettings): Omit<Queue, 'name' | 'createdAt'> {
  return {
    wrapupSeconds: optionalInt('wrapup_seconds', s.wrapupSeconds, 0, 3600),
    maxNoAnswer: optionalInt('max_no_answer', s.maxNoAnswer, 0, 100),
    callerId: optionalText('caller_id', s.callerId, 80),
    surveyExtension:
      s.surveyExtension === undefined || s.surveyExtension === null || s.surveyExtension === ''
        ? null
        : matches('survey_extension', s.surveyExtension, SURVEY_EXTEN, 'must be a dialplan extension, optionally exten@context'),
    callTimeoutSeconds: optionalInt('call_timeout_seconds', s.callTimeoutSeconds, 0, 86400),
    record: validateRecordMode(s.record),
    wrapupLimit: validateWrapupLimit(s.wrapupLimit),
    serviceLevelSeconds: optionalInt('service_level_seconds', s.serviceLevelSeconds, 1, 3600),
  };
}

/** Absent or null = on (the default: a wrap-up window closes by itself). */
function validateWrapupLimit(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'boolean') return v;
  throw invalid(`wrapup_limit must be true (on) or false (off) (got ${JSON.stringify(v)})`, { field: 'wrapup_limit' });
}

function validateRecordMode(v: unknown): RecordMode | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string' && (RECORD_MODES as readonly string[]).includes(v)) return v as RecordMode;
  throw invalid(`record must be one of ${RECORD_MODES.join(', ')} (got ${JSON.stringify(v)})`, { field: 'record' });
}

export class QueueCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): Queue[] {
    return (this.deps.db.prepare('SELECT * FROM queues ORDER BY name').all() as Row[]).map(fromRow);
  }

  get(name: string): Queue | undefined {
    const r = this.deps.db.prepare('SELECT * FROM queues WHERE name = ?').get(name) as Row | undefined;
    return r && fromRow(r);
  }

  require(name: string): Queue {
    const q = this.get(name);
    if (!q) throw notFound(`queue ${name} does not exist`, { queue: name });
    return q;
  }

  add(name: string, settings: QueueSettings = {}): Queue {
    const n = validateQueueName(name);
    const s = validateSettings(settings);
    const q: Queue = { name: n, ...s, createdAt: this.clock.now() };
    try {
      this.deps.db
        .prepare(
          `INSERT INTO queues (name, wrapup_seconds, max_no_answer, caller_id, survey_extension, call_timeout_seconds, record,
             wrapup_limit, service_level_seconds, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(n, s.wrapupSeconds, s.maxNoAnswer, s.callerId, s.surveyExtension, s.callTimeoutSeconds, s.record, s.wrapupLimit ? 1 : 0, s.serviceLevelSeconds, q.createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw invalid(`queue ${n} already exists`, { field: 'name' });
      throw err;
    }
    return q;
  }

  /** Changes only the given settings (null clears one back to the policy default). */
  update(name: string, patch: QueueSettings): Queue {
    const current = this.require(name);
    const merged = validateSettings({ ...current, ...patch });
    this.deps.db
      .prepare(
        `UPDATE queues SET wrapup_seconds = ?, max_no_answer = ?, caller_id = ?, survey_extension = ?, call_timeout_seconds = ?, record = ?,
           wrapup_limit = ?, service_level_seconds = ?
         WHERE name = ?`,
      )
      .run(
        merged.wrapupSeconds,
        merged.maxNoAnswer,
        merged.callerId,
        merged.surveyExtension,
        merged.callTimeoutSeconds,
        merged.record,
        merged.wrapupLimit ? 1 : 0,
        merged.serviceLevelSeconds,
        name,
      );
    return { ...current, ...merged };
  }

  /** Agents allowed in this queue. */
  agentsOf(name: string): string[] {
    return (
      this.deps.db.prepare('SELECT extension FROM agent_queues WHERE queue = ? ORDER BY extension').all(name) as {
        extension: string;
      }[]
    ).map((r) => r.extension);
  }

  /**
   * Removes a queue. While agents are assigned it is refused (a silent cascade would change what
   * those agents may log into); `force` removes the assignments too, in the same transaction.
   */
  remove(name: string, opts: { force?: boolean } = {}): { removedAssignments: number } {
    return this.deps.db.transaction(() => {
      this.require(name);
      const agents = this.agentsOf(name);
      if (agents.length && !opts.force) {
        const list = agents.slice(0, 5).join(', ') + (agents.length > 5 ? ', ...' : '');
        throw refused(`queue ${name} is assigned to ${agents.length} agent(s) (${list}); use --force to remove it and those assignments`, {
          queue: name,
          agents,
        });
      }
      this.deps.db.prepare('DELETE FROM agent_queues WHERE queue = ?').run(name);
      this.deps.db.prepare('DELETE FROM queues WHERE name = ?').run(name);
      return { removedAssignments: agents.length };
    }).immediate();
  }
}

/** Number parsing for settings given as text (CLI): "" → null. */
export function parseSetting(field: string, v: string | undefined, min: number, max: number): number | null | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === '') return null;
  return int(field, v, min, max);
}
