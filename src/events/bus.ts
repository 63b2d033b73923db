/**
 * Domain events: every state change the API's live stream (/events) and metrics care about.
 * Producers (agents, calls, queues) publish; the API filters by the token's scope using `agent`
 * (and `agents`, for events that concern more than one agent).
 */
export type DomainEventType =
  | 'agent.state' // agent state machine moved (data: state, previous, reason, statusId, queues...)
  | 'agent.login'
  | 'agent.logout'
  | 'agent.pause'
  | 'agent.unpause'
  | 'wrapup.started'
  | 'wrapup.ended'
  | 'call.state' // call state machine moved (data: state, previous, direction, number...)
  | 'call.ended'
  | 'call.disposition' // a supervisor set or corrected an ended part's disposition (data: disposition, previous, by, notes)
  | 'transfer.state' // transfer of a call moved (data: state, previous, kind, target, targetType, targetAgent, childCallId, reason)
  | 'conference.state' // agent added to a call moved (data: state, previous, addedAgent, childCallId, reason)
  | 'recording.state' // recording of a call part moved (data: recordingId, state, previous, by, file, reason)
  | 'monitor.started' // a supervisor's device rings to monitor a call (data: the session, monitoredAgent); supervisors/admins only
  | 'monitor.changed' // answered, mode switched, or followed the customer to a new call part (data.change)
  | 'monitor.ended' // ended or failed (data.endReason, data.endDetail)
  | 'queue.caller' // caller joined/left/abandoned a queue
  | 'queue.member' // member status seen from AMI
  | 'callback.state' // a callback (scheduled or requested from a queue) was added or moved (data: callbackId, origin, state, previous...)
  | 'chat.message' // internal chat message (data: conversation, message, recipients); only its sender and recipients see it
  | 'system'; // AMI/ARI connected/disconnected, re-sync results

/** Every type, for documentation (OpenAPI) and tests. */
export const DOMAIN_EVENT_TYPES: readonly DomainEventType[] = [
  'agent.state',
  'agent.login',
  'agent.logout',
  'agent.pause',
  'agent.unpause',
  'wrapup.started',
  'wrapup.ended',
  'call.state',
  'call.ended',
  'call.disposition',
  'transfer.state',
  'conference.state',
  'recording.state',
  'monitor.started',
  'monitor.changed',
  'monitor.ended',
  'queue.caller',
  'queue.member',
  'callback.state',
  'chat.message',
  'system',
];

export interface DomainEvent {
  type: DomainEventType;
  /** ms since epoch */
  at: number;
  /** Extension of the agent this event concerns: agent-scoped tokens only see their own. */
  agent?: string;
  /**
   * Other agents this event concerns (e.g. the target of a transfer, the agent added to a call):
   * their agent-scoped tokens see it too. One event, not one per agent, so supervisors get it once.
   */
  agents?: string[];
  queue?: string;
  callId?: string;
  data: Record<string, unknown>;
}

export type DomainEventHandler = (event: DomainEvent) => void;

export class EventBus {
  private handlers = new Set<DomainEventHandler>();
  /**
   * The handlers as of the last (un)subscribe, shared by every publish until the next one: a
   * handler that (un)subscribes during a publish does not change who gets that event, without
   * copying the set on each of the ~15 events of a queue call.
   */
  private snapshot?: readonly DomainEventHandler[];
  private seq = 0;

  publish(event: Omit<DomainEvent, 'at'> & { at?: number }): void {
    const full = { ...event, at: event.at ?? Date.now() } as DomainEvent & { seq?: number };
    full.seq = ++this.seq;
    const handlers = (this.snapshot ??= [...this.handlers]);
    for (const h of handlers) {
      try {
        h(full);
      } catch {
        // A broken subscriber (e.g. a closed socket) must never break the producer.
      }
    }
  }

  subscribe(handler: DomainEventHandler): () => void {
    this.handlers.add(handler);
    this.snapshot = undefined;
    return () => {
      this.snapshot = undefined;
      return this.handlers.delete(handler);
    };
  }

  /** Sequence number of the last published event: snapshots report it so clients can order. */
  get lastSeq(): number {
    return this.seq;
  }
}
