/**
 * Checks on a transfer's call and target, shared by the agent, external and group flows. Agent
 * targets and group members follow one rule (src/calls/agent-target.ts): only an available agent is
 * rung, never the transferring agent.
 */
import { assertAgentCanBeRung } from '../calls/agent-target';
import type { CallService } from '../calls/service';
import { isTalking } from '../calls/state-machine';
import type { CallRecord } from '../calls/types';
import type { Db } from '../store/db';
import { CcError, invalid, notFound, refused } from '../util/errors';
import type { DialplanTarget, TransferKind } from './model';

/** Services and queues are always blind; a queue must be in the catalogue (404 otherwise). */
export function assertDialplanTarget(db: Db, target: DialplanTarget, kind: TransferKind | undefined): void {
  if (kind === 'attended') {
    const what = target.type === 'service' ? 'a service (3 digits)' : 'a queue';
    throw invalid(`a transfer to ${what} is always blind`, { field: 'kind' });
  }
  if (target.type === 'queue' && !db.prepare('SELECT 1 FROM queues WHERE name = ?').get(target.queue)) {
    throw notFound(`queue ${target.queue} does not exist`, { queue: target.queue });
  }
}

/** Attended/blind transfers need the customer and the agent bridged (connected or on hold). */
export function assertBridged(call: CallRecord): void {
  if (!isTalking(call.state)) throw refused(`cannot transfer a call that is ${call.state}`, { call: call.id });
  if (!call.customerChannelId || !call.agentChannelId || !call.bridgeId) {
    throw refused(`call ${call.id} has no bridged customer and agent to transfer`, { call: call.id });
  }
}

function assertRingable(control: CallService, ext: string): void {
  assertAgentCanBeRung({ agents: control.core.deps.agents, callsOfAgent: (e) => control.callsOfAgent(e) }, ext);
}

/** An agent target: not the call's own agent (400), and available (404 unknown, 409 offline/busy/paused/wrap-up). */
export function assertTargetAgentFree(control: CallService, call: CallRecord, ext: string): void {
  if (ext === call.agentExt) throw invalid(`cannot transfer a call to its own agent ${ext}`, { field: 'target' });
  assertRingable(control, ext);
}

/** Why a group member cannot be rung for this call now ("agent 1001 is paused (Almoço)"), or null. */
export function whyNotRingable(control: CallService, call: CallRecord, ext: string): string | null {
  if (ext === call.agentExt) return `agent ${ext} is the transferring agent`;
  try {
    assertRingable(control, ext);
    return null;
  } catch (err) {
    if (err instanceof CcError) return err.message;
    throw err;
  }
}
