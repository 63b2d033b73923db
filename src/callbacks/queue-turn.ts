/**
 * "Without losing their turn": the rule that says when a callback request made from a queue
 * (origin 'queue') is at the head of its queue. The request keeps the time its caller entered the
 * queue; it is served once nobody still waiting in that queue entered before it, live callers
 * (app_queue's, as AMI reports them: src/monitor/waiting.ts) and other open requests alike.
 * Requests being dialled (ringing) are already served and block nobody. Ties go to the live
 * caller's side: strictly earlier entries are ahead.
 */

export interface TurnRequest {
  id: number;
  queueJoinedAt: number;
}

export interface OpenRequest extends TurnRequest {
  status: 'pending' | 'ringing' | string;
}

export type Turn = { head: true } | { head: false; ahead: number; reason: string };

const before = (a: TurnRequest, b: TurnRequest) => a.queueJoinedAt < b.queueJoinedAt || (a.queueJoinedAt === b.queueJoinedAt && a.id < b.id);

/**
 * `waitingJoinedAt`: entry times (ms) of the callers waiting in the queue now. `openRequests`: the
 * queue's requests not yet served (any order; the request itself may be among them).
 */
export function queueTurn(request: TurnRequest, waitingJoinedAt: readonly number[], openRequests: readonly OpenRequest[]): Turn {
  const callers = waitingJoinedAt.filter((t) => t < request.queueJoinedAt).length;
  const requests = openRequests.filter((r) => r.id !== request.id && r.status === 'pending' && before(r, request)).length;
  const ahead = callers + requests;
  if (ahead === 0) return { head: true };
  const parts = [callers ? `${callers} caller${callers > 1 ? 's' : ''}` : '', requests ? `${requests} earlier callback request${requests > 1 ? 's' : ''}` : ''];
  return { head: false, ahead, reason: `waiting for its turn: ${parts.filter(Boolean).join(' and ')} ahead` };
}
