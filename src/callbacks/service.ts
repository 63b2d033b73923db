/**
 * Scheduling API of callbacks (used by routes and the CLI): validates input fully before writing
 * anything, and keeps agent tokens to their own callbacks.
 */
import type { Principal } from '../api/types';
import type { Policy } from '../config/schema';
import { validateNumber } from '../dialing/number';
import type { DncGuard } from '../dnc/guard';
import type { Db } from '../store/db';
import type { Clock } from '../util/clock';
import { forbidden, invalid, notFound } from '../util/errors';
import { CALLBACK_STATES, type Callback, type CallbackOrigin, type CallbackStatus } from './model';
import type { CallbacksRepo } from './repo';

export interface AddCallbackInput {
  agent?: string;
  queue?: string;
  number: string;
  ddi?: string;
  /** ISO 8601 date-time, e.g. 2026-11-21T15:30:00-03:00 */
  at: string;
}

/** Callbacks a little in the past are accepted (clock skew, slow typing) and fire at once. */
const PAST_TOLERANCE_MS = 60_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;

export interface CallbackServiceDeps {
  db: Db;
  repo: CallbacksRepo;
  clock: Clock;
  policy: Policy;
  /** Called after a change so the scheduler's timer matches (absent in the CLI). */
  onChange?: () => void;
  /** The do-not-call list: a listed number is refused when scheduled (and again when dialled). */
  dnc?: Pick<DncGuard, 'assertCallable'>;
}

export function parseCallbackTime(raw: unknown, now: number): number {
  if (typeof raw !== 'string' || !ISO.test(raw.trim())) {
    throw invalid(`at must be an ISO 8601 date-time such as 2026-11-21T15:30:00-03:00 (got "${String(raw)}")`, {
      field: 'at',
    });
  }
  const t = Date.parse(raw.trim());
  if (!Number.isFinite(t)) throw invalid(`at is not a valid date-time: "${raw}"`, { field: 'at' });
  if (t < now - PAST_TOLERANCE_MS) {
    throw invalid(`at is in the past (${new Date(t).toISOString()})`, { field: 'at' });
  }
  return t;
}

export function parseCallbackStatus(raw: unknown): CallbackStatus | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw === 'string' && (CALLBACK_STATES as readonly string[]).includes(raw)) return raw as CallbackStatus;
  throw invalid(`status must be one of ${CALLBACK_STATES.join(', ')}`, { field: 'status' });
}

export class CallbackService {
  constructor(private readonly deps: CallbackServiceDeps) {}

  add(input: AddCallbackInput, principal?: Principal): Callback {
    const { db, repo, clock } = this.deps;
    const hasAgent = input.agent !== undefined && input.agent !== '';
    const hasQueue = input.queue !== undefined && input.queue !== '';
    if (hasAgent === hasQueue) throw invalid('give exactly one of agent or queue', { field: hasAgent ? 'queue' : 'agent' });
    if (hasAgent && !/^\d{4,5}$/.test(input.agent!)) {
      throw invalid(`agent must be an extension of 4 or 5 digits (got "${input.agent}")`, { field: 'agent' });
    }
    if (principal?.role === 'agent' && principal.agent !== input.agent) {
      throw forbidden('an agent token may only schedule callbacks for its own extension', { field: 'agent' });
    }
    const n = validateNumber(input.number, input.ddi, this.deps.policy);
    const at = parseCallbackTime(input.at, clock.now());
    if (hasAgent && !db.prepare('SELECT 1 FROM agents WHERE extension = ?').get(input.agent)) {
      throw notFound(`agent ${input.agent} is not configured`, { agent: input.agent });
    }
    if (hasQueue && !db.prepare('SELECT 1 FROM queues WHERE name = ?').get(input.queue)) {
      throw notFound(`queue ${input.queue} does not exist`, { queue: input.queue });
    }
    const by = principal ? (principal.name ?? principal.agent ?? principal.role) : undefined;
    // A queue callback is known to be for its queue; an agent callback's queue is only known when
    // it is dialled (the agent's first queue then), where the list is asked again.
    this.deps.dnc?.assertCallable({
      number: n.full,
      queue: hasQueue ? input.queue! : null,
      action: 'callback-schedule',
      agent: hasAgent ? input.agent : null,
      by,
    });
    const c = repo.insert({
      agent: hasAgent ? input.agent : undefined,
      queue: hasQueue ? input.queue : undefined,
      number: n.national,
      ddi: n.ddi,
      at,
      createdBy: by,
    });
    this.deps.onChange?.();
    return c;
  }

  list(filter: { status?: CallbackStatus; agent?: string; origin?: CallbackOrigin; queue?: string } = {}, principal?: Principal): Callback[] {
    if (principal?.role === 'agent') {
      if (filter.agent && filter.agent !== principal.agent) {
        throw forbidden('an agent token may only list its own callbacks', { field: 'agent' });
      }
      return this.deps.repo.list({ ...filter, agent: principal.agent });
    }
    return this.deps.repo.list(filter);
  }

  cancel(rawId: unknown, principal?: Principal): Callback {
    const id = typeof rawId === 'number' ? rawId : Number(rawId);
    if (!Number.isInteger(id) || id <= 0) throw invalid(`callback id must be a positive integer (got "${String(rawId)}")`, { field: 'id' });
    const c = this.deps.repo.require(id);
    if (principal?.role === 'agent' && c.agent !== principal.agent) {
      throw forbidden(`callback ${id} is not yours`, { id });
    }
    // A ringing callback is already a call: it is ended like any call, not cancelled here.
    const done = this.deps.repo.transition(id, c.status, 'cancelled', { lastError: null });
    if (!done) return this.cancel(id, principal); // status moved meanwhile: re-check against the new one
    this.deps.onChange?.();
    return done;
  }
}
