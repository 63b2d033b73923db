/**
 * Ports between the agents domain (src/agents, src/queues, src/pause, src/wrapup) and the calls
 * domain (src/calls, ...). Each side implements one and receives the other from the composition root,
 * so neither imports the other's internals.
 */

export type AgentStateName =
  | 'offline'
  | 'available'
  | 'ringing'
  | 'on-call'
  | 'wrap-up'
  | 'paused'
  | 'inactive';

export interface AgentPresence {
  extension: string;
  name: string;
  /** Asterisk dial string of the agent's device, e.g. PJSIP/1000. */
  device: string;
  loggedIn: boolean;
  state: AgentStateName;
  /** Set while paused (or when a pause is pending after the current call). */
  pauseReason?: string;
  queues: string[];
  /** "Block dialing in pause" as it was when this session logged in. */
  blockDialingInPause: boolean;
}

export type CallDirection = 'inbound' | 'outbound' | 'internal';

/**
 * What an agent's call part is, for statistics: 'handling' = the agent talks to the customer as the
 * handling agent (queue, direct, outbound, callback call); 'consult' = the target side of a transfer
 * (counted as a call taken only once the transfer completes: callTaken; a consult leg that ends before
 * that opens no wrap-up); 'conference' = an agent added to a 3-way conference or room (never a call
 * taken; wrap-up when it ends, as it talked with the customer).
 */
export type CallPart = 'handling' | 'consult' | 'conference';

/** Implemented by the agents domain; used by the calls domain. */
export interface AgentDirectory {
  presence(extension: string): AgentPresence | undefined;
  /** The agent's device is ringing for this call (queue leg, transfer/conference target, callback). */
  callRinging(extension: string, call: { callId: string; queue?: string; direction: CallDirection }): void;
  /** The agent is talking on this call. `part` omitted = 'handling' (counts as a call taken). */
  callConnected(extension: string, call: { callId: string; queue?: string; direction: CallDirection; part?: CallPart }): void;
  /**
   * The agent now handles the customer on this call part although it connected as another part: the
   * target of a completed transfer. Counts as a call taken. Optional so older fakes stay valid.
   */
  callTaken?(extension: string, call: { callId: string; queue?: string }): void;
  /** The agent's part of the call ended: answered calls start wrap-up; unanswered ones do not. */
  callEnded(extension: string, call: { callId: string; queue?: string; answered: boolean }): void;
  /**
   * The daemon itself refused or ended this agent's app_queue member leg for its own reasons
   * (blocked caller, agent unavailable/busy for the daemon, device never reached, recovery), so the
   * AgentRingNoAnswer app_queue reports for it is not the agent's miss. Call it BEFORE hanging the
   * leg up when possible; the agents side also copes with the AMI event arriving first.
   * `linkedid` = the customer's linkedid (3rd Stasis arg of the agent leg; AMI Linkedid).
   * Optional so older AgentDirectory fakes stay valid.
   */
  callRejected?(extension: string, leg: { linkedid: string; reason: string; callId?: string }): void;
  /**
   * The agent an app_queue member `Interface` stands for (AMI Agent* events), or undefined when it
   * is none of ours. In the native topology members are the devices (src/queues/member-interfaces.ts).
   * Optional so older AgentDirectory fakes stay valid.
   */
  memberExtension?(iface: string): string | undefined;
  /**
   * The agent answered this queue call at `at` without the daemon seeing it live (AMI was down; the
   * answer was found later in app_queue's queue_log, whose times are whole seconds): misses counted
   * before it are no longer in a row.
   * Optional so older AgentDirectory fakes stay valid.
   */
  answeredUnseen?(extension: string, answer: { at: number; queue: string; callId?: string }): void;
}

/** Implemented by the calls domain; used by the agents domain. */
export interface CallDirectory {
  /** Calls in progress in which this agent takes part (refuse logout while > 0). */
  activeCallIds(extension: string): string[];
  /** End every call of this agent (device unreachable, session lost, forced logout). */
  endCallsOf(extension: string, reason: string): Promise<void>;
  /**
   * True once this process re-synced its calls with Asterisk (first ARI recovery done): before
   * that, activeCallIds() is empty only because calls are not adopted yet.
   */
  callsKnown(): boolean;
  /**
   * A call part as a disposition given after the call sees it (src/wrapup/late.ts); undefined when
   * there is none. Optional so older fakes stay valid.
   */
  dispositionTarget?(callId: string): DispositionTarget | undefined;
  /**
   * Writes the part's disposition and its call event `disposition` (with `extra`), live or ended:
   * the path a wrap-up's disposition takes. Throws not found for an unknown part.
   */
  setDisposition?(callId: string, disposition: string, by?: string, extra?: Record<string, unknown>): void;
}

export interface DispositionTarget {
  agentExt: string | null;
  queue: string | null;
  answered: boolean;
  ended: boolean;
  disposition: string | null;
}
