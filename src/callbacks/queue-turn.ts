/**
 * "Without losing their turn": the rule that says when a callback request made from a queue
 * (origin 'queue') is at the head of its queue. The request keeps the time its caller entered the
 * queue; it is served once nobody still waiting in that queue entered before it, live callers
 * (app_queue's, as AMI reports them: src/monitor/waiting.ts) and other open requests alike.
 * Requests being dialled (ringing) are already served and block nobody. A live caller who entered
 * in the same millisecond is ahead (two callers placed at once: app_queue's order is unknown, and
 * the live one is on the line); the request's own caller, still listed until its leave is seen,
 * is not. Between requests, the same time goes by id.
 */

export interface TurnRequest {
  id: number;
  queueJoinedAt: number;
}

export interface LiveCaller {
  uniqueid: string;
  joinedAt: number;
}

export interface OpenRequest extends TurnRequest {
  status: 'pending' | 'ringing' | string;
}

export type Turn = { head: true } | { head: false; ahead: number; reason: string };

const before = (a: TurnRequest, b: TurnRequest) => a.queueJoinedAt < b.queueJoinedAt || (a.queueJoinedAt === b.queueJoinedAt && a.id < b.id);

/**
 * `waiting`: the callers waiting in the queue now. `openRequests`: the queue's requests not yet
 * served (any order; the request itself may be among them). `request.uniqueid`: its caller's channel.
 */
export function queueTurn(request: TurnRequest & { uniqueid?: string }, waiting: readonly LiveCaller[], openRequests: readonly OpenRequest[]): Turn {
  const callers = waiting.filter((c) => c.uniqueid !== request.uniqueid && c.joinedAt <= request.queueJoinedAt).length;
  const requests = openRequests.filter((r) => r.id !== request.id && r.status === 'pending' && before(r, request)).length;
  const ahead = callers + requests;
  if (ahead === 0) return { head: true };
  const parts = [callers ? `${callers} caller${callers > 1 ? 's' : ''}` : '', requests ? `${requests} earlier callback request${requests > 1 ? 's' : ''}` : ''];
  return { head: false, ahead, reason: `waiting for its turn: ${parts.filter(Boolean).join(' and ')} ahead` };
}
