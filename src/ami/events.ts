/**
 * Typed views of the AMI events the daemon consumes. Field names as Asterisk 22.10 sends them
 * (checked against ../shared/asterisk-captures). Numbers stay strings on the wire; use the
 * helpers below to read them.
 */
import type { AmiClient, AmiEvent } from './types';

/** Channel fields app_queue events carry for the caller (Channel...) and member (Dest...) sides. */
interface ChannelFields {
  Channel: string;
  ChannelState: string;
  ChannelStateDesc: string;
  CallerIDNum: string;
  CallerIDName: string;
  ConnectedLineNum: string;
  ConnectedLineName: string;
  Context: string;
  Exten: string;
  Priority: string;
  Uniqueid: string;
  Linkedid: string;
}
interface DestChannelFields {
  DestChannel: string;
  DestChannelState: string;
  DestChannelStateDesc: string;
  DestCallerIDNum: string;
  DestCallerIDName: string;
  DestContext: string;
  DestExten: string;
  DestUniqueid: string;
  DestLinkedid: string;
}
interface MemberRef {
  Queue: string;
  Interface: string;
  MemberName: string;
}

export type AgentCalledEvent = AmiEvent & ChannelFields & DestChannelFields & MemberRef;
/** RingTime and HoldTime in SECONDS here. */
export type AgentConnectEvent = AmiEvent & ChannelFields & DestChannelFields & MemberRef & {
  HoldTime: string;
  RingTime: string;
};
/** RingTime in MILLISECONDS here. RingTime=0 when Stasis() failed (daemon's app not registered). */
export type AgentRingNoAnswerEvent = AmiEvent & ChannelFields & DestChannelFields & MemberRef & {
  RingTime: string;
};
/**
 * Reason: caller | agent | transfer. The Channel/Dest fields may be ABSENT: when both channels are
 * already gone, Asterisk 22 sends only Queue, Interface, MemberName, HoldTime, TalkTime, Reason
 * (seen in captures/ringinuse-hint). Match it to a call by Interface/MemberName, not by channel.
 */
export type AgentCompleteEvent = AmiEvent & Partial<ChannelFields> & Partial<DestChannelFields> & MemberRef & {
  HoldTime: string;
  TalkTime: string;
  Reason: string;
};
export type AgentDumpEvent = AmiEvent & ChannelFields & DestChannelFields & MemberRef;

/** Member state carried by both the QueueMember* events and the QueueStatus list items. */
interface MemberStateFields {
  StateInterface: string;
  Membership: string;
  Penalty: string;
  CallsTaken: string;
  LastCall: string;
  LastPause: string;
  LoginTime: string;
  InCall: string;
  /** Device state number: 0 unknown,1 not in use,2 in use,3 busy,4 invalid,5 unavailable,6 ringing,7 ringinuse,8 onhold */
  Status: string;
  Paused: string;
  PausedReason: string;
  Wrapuptime: string;
}

/** Shared by QueueMemberAdded/Removed/Status/Pause/Penalty/Ringinuse. */
export type QueueMemberStateEvent = AmiEvent & MemberRef & MemberStateFields & { Ringinuse: string };

/** QueueStatus list item. Note: `Name` and `Location` instead of MemberName/Interface, no Ringinuse. */
export type QueueMemberListEvent = AmiEvent & MemberStateFields & {
  Queue: string;
  Name: string;
  Location: string;
};

export type QueueParamsEvent = AmiEvent & {
  Queue: string;
  Max: string;
  Strategy: string;
  Calls: string;
  Holdtime: string;
  TalkTime: string;
  Completed: string;
  Abandoned: string;
};

/** QueueStatus list item for a waiting caller. */
export type QueueEntryEvent = AmiEvent & {
  Queue: string;
  Position: string;
  Channel: string;
  Uniqueid: string;
  CallerIDNum: string;
  CallerIDName: string;
  Wait: string;
};

type QueueCallerPosition = { Queue: string; Position: string; Count: string };
export type QueueCallerJoinEvent = AmiEvent & ChannelFields & QueueCallerPosition;
export type QueueCallerLeaveEvent = AmiEvent & ChannelFields & QueueCallerPosition;
export type QueueCallerAbandonEvent = AmiEvent & ChannelFields & {
  Queue: string;
  Position: string;
  OriginalPosition: string;
  HoldTime: string;
};

export type DeviceStateChangeEvent = AmiEvent & { Device: string; State: string };
export type ContactStatusEvent = AmiEvent & {
  URI: string;
  ContactStatus: string;
  AOR: string;
  EndpointName: string;
};

export function num(value: string | undefined, fallback = 0): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

export function bool(value: string | undefined): boolean {
  return value === '1' || value === 'true' || value === 'yes';
}

/** `Local/1000@cc-agent/n` → "1000"; undefined when the interface is not an agent member. */
export function agentExtFromInterface(iface: string | undefined, context = 'cc-agent'): string | undefined {
  if (!iface) return undefined;
  const m = /^Local\/(\d{4,5})@([A-Za-z0-9_-]+)(?:\/n)?$/.exec(iface);
  return m && m[2] === context ? m[1] : undefined;
}

/** Event name → typed shape, for `onAmiEvent`. Names as Asterisk 22 sends them. */
export interface AmiEventMap {
  AgentCalled: AgentCalledEvent;
  AgentConnect: AgentConnectEvent;
  AgentRingNoAnswer: AgentRingNoAnswerEvent;
  AgentComplete: AgentCompleteEvent;
  AgentDump: AgentDumpEvent;
  QueueMemberAdded: QueueMemberStateEvent;
  QueueMemberRemoved: QueueMemberStateEvent;
  QueueMemberStatus: QueueMemberStateEvent;
  QueueMemberPause: QueueMemberStateEvent;
  QueueMemberPenalty: QueueMemberStateEvent;
  QueueMemberRinginuse: QueueMemberStateEvent;
  QueueMember: QueueMemberListEvent;
  QueueParams: QueueParamsEvent;
  QueueEntry: QueueEntryEvent;
  QueueCallerJoin: QueueCallerJoinEvent;
  QueueCallerLeave: QueueCallerLeaveEvent;
  QueueCallerAbandon: QueueCallerAbandonEvent;
  DeviceStateChange: DeviceStateChangeEvent;
  ContactStatus: ContactStatusEvent;
}

/** Typed subscription: `onAmiEvent(ami, 'AgentConnect', (e) => e.RingTime)`. */
export function onAmiEvent<K extends keyof AmiEventMap>(
  ami: Pick<AmiClient, 'onEvent'>,
  name: K,
  handler: (event: AmiEventMap[K]) => void,
): () => void {
  return ami.onEvent(name, handler as (event: AmiEvent) => void);
}
