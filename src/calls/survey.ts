/**
 * Post-call survey (issue 4 item 7): when the agent hangs up a call of a queue that has a
 * `survey_extension`, the customer is sent to that extension in the survey context
 * (config.asterisk.contexts.survey) instead of being hung up.
 *
 * Plugs into the call core as an agent-hangup interceptor (see src/calls/index.ts). The decision is
 * a pure function; the hook only applies it. Order matters when ending: the call part is ended
 * first (keeping the customer), so the StasisEnd that `continue` causes on the customer side finds
 * no live call and cannot trigger the default "hang up the customer".
 */
import type { Statement } from 'better-sqlite3';
import type { AriClient } from '../ari/types';
import type { Config } from '../config/schema';
import type { Logger } from '../log/logger';
import type { Db } from '../store/db';
import { isTalking } from './state-machine';
import type { CallRecord } from './types';

/** What a dialplan extension may look like (never anything that could break out of `continue`). */
const EXTENSION = /^[0-9A-Za-z*#+_-]{1,40}$/;

export type SurveyDecision =
  | { send: true; context: string; extension: string }
  | { send: false; reason: string };

type SurveyCall = Pick<CallRecord, 'queue' | 'state' | 'customerChannelId' | 'direction'>;

/** Pure: should this call's customer go to the survey when the agent hangs up? */
export function decideSurvey(call: SurveyCall, surveyExtension: string | null | undefined, context: string): SurveyDecision {
  if (!call.queue) return { send: false, reason: 'not a queue call' };
  if (call.direction !== 'inbound') return { send: false, reason: 'surveys are for inbound queue calls' };
  const ext = (surveyExtension ?? '').trim();
  if (!ext) return { send: false, reason: `queue ${call.queue} has no survey extension` };
  if (!EXTENSION.test(ext)) return { send: false, reason: `survey extension "${ext}" of queue ${call.queue} is not valid` };
  if (!isTalking(call.state)) return { send: false, reason: `call is ${call.state}: the customer was never connected` };
  if (!call.customerChannelId) return { send: false, reason: 'no customer channel to send' };
  return { send: true, context, extension: ext };
}

/** The subset of CallService the hook uses (kept small so tests can fake it). */
export interface SurveyCalls {
  onAgentHangup(fn: (call: CallRecord) => boolean | Promise<boolean>): void;
  endCall(id: string, reason: string, opts?: { keepCustomer?: boolean; data?: Record<string, unknown> }): Promise<void>;
  record(callId: string, type: string, data?: Record<string, unknown>): void;
}

export interface SurveyDeps {
  calls: SurveyCalls;
  ari: AriClient;
  db: Db;
  config: Config;
  log: Logger;
}

/** The queue's survey extension, or null. Prepared once: it runs on every agent hang-up. */
export function surveyExtensionReader(db: Db): (queue: string | null) => string | null {
  let stmt: Statement | undefined;
  return (queue) => {
    if (!queue) return null;
    stmt ??= db.prepare('SELECT survey_extension AS s FROM queues WHERE name = ?');
    const row = stmt.get(queue) as { s: string | null } | undefined;
    return row?.s ?? null;
  };
}

export class SurveyHook {
  readonly surveyExtensionOf: (queue: string | null) => string | null;

  constructor(private readonly deps: SurveyDeps) {
    this.surveyExtensionOf = surveyExtensionReader(deps.db);
  }

  install(): void {
    this.deps.calls.onAgentHangup((call) => this.onAgentHangup(call));
  }

  /** True when the customer was sent to the survey (the call core then does nothing more). */
  async onAgentHangup(call: CallRecord): Promise<boolean> {
    const { calls, ari, config, log } = this.deps;
    const decision = decideSurvey(call, this.surveyExtensionOf(call.queue), config.asterisk.contexts.survey);
    if (!decision.send) return false;
    const customer = call.customerChannelId!;
    calls.record(call.id, 'survey', { context: decision.context, extension: decision.extension });
    await calls.endCall(call.id, 'agent-hangup', { keepCustomer: true, data: { survey: decision.extension } });
    try {
      await ari.channels.continueInDialplan(customer, {
        context: decision.context,
        extension: decision.extension,
        priority: 1,
      });
      log.info('customer sent to survey', { callId: call.id, extension: decision.extension });
    } catch (err) {
      // The survey is a courtesy: if it cannot be reached the customer is hung up as usual.
      log.warn('cannot send customer to survey: hanging up', { callId: call.id, err: (err as Error).message });
      await ari.channels.hangup(customer, 'normal').catch(() => undefined);
    }
    return true;
  }
}
