/**
 * How the simulator's objects look on the wire: ARI JSON (channel, bridge) and the AMI channel
 * field block app_queue events repeat for the caller (no prefix) and the member (`Dest` prefix).
 * Key sets and order follow test/fixtures/captures; test/sim/shapes.test.ts checks them.
 */
import type { AriBridge, AriChannel } from '../ari/types';
import type { AmiFieldList } from './ami-codec';

export type ChannelState = 'Down' | 'Ring' | 'Ringing' | 'Up';

export interface CallerId {
  name: string;
  number: string;
}

export interface Dialplan {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

/** The subset of a simulated channel the wire shapes need. */
export interface ChannelView {
  id: string;
  name: string;
  state: ChannelState;
  caller: CallerId;
  connected: CallerId;
  dialplan: Dialplan;
  creationtime: number;
  linkedid: string;
}

export interface BridgeView {
  id: string;
  name: string;
  type: 'mixing' | 'holding';
  bridgeClass: 'stasis' | 'basic';
  creator: string;
  channels: string[];
  creationtime: number;
}

/** Numeric channel states as AMI shows them (ast_state2str order). */
export const AMI_STATE_NUM: Record<ChannelState, number> = { Down: 0, Ring: 4, Ringing: 5, Up: 6 };

/** ARI timestamps: ISO with milliseconds and a +0000 offset. */
export function ariTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function channelJson(ch: ChannelView): AriChannel {
  return {
    id: ch.id,
    name: ch.name,
    state: ch.state,
    protocol_id: '',
    caller: { ...ch.caller },
    connected: { ...ch.connected },
    accountcode: '',
    dialplan: { ...ch.dialplan },
    creationtime: ariTime(ch.creationtime),
    language: 'en',
  };
}

export function bridgeJson(b: BridgeView): AriBridge {
  return {
    id: b.id,
    technology: b.type === 'holding' ? 'holding_bridge' : 'simple_bridge',
    bridge_type: b.type,
    bridge_class: b.bridgeClass,
    creator: b.creator,
    name: b.name,
    channels: [...b.channels],
    creationtime: ariTime(b.creationtime),
    video_mode: 'talker',
  };
}

const unknownIfEmpty = (v: string) => (v === '' ? '<unknown>' : v);

const C_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v',
  '\\': '\\\\', "'": "\\'", '"': '\\"', '?': '\\?',
};

/**
 * Asterisk 22 writes CallerIDName/ConnectedLineName into AMI through ast_escape_c()
 * (main/manager_channels.c), so a name holding CR/LF cannot break the event framing; the numbers
 * are written as they are.
 */
export function amiEscapeC(v: string): string {
  return v.replace(/[\x07\b\f\n\r\t\v\\'"?]/g, (c) => C_ESCAPES[c]);
}

/** Channel block of AMI channel events (Newchannel, Hangup, Queue*, Agent*); prefix "Dest" for members. */
export function amiChannelFields(ch: ChannelView, prefix = ''): AmiFieldList {
  const p = (k: string) => `${prefix}${k}`;
  const f: AmiFieldList = [
    [p('Channel'), ch.name],
    [p('ChannelState'), String(AMI_STATE_NUM[ch.state])],
    [p('ChannelStateDesc'), ch.state],
    [p('CallerIDNum'), unknownIfEmpty(ch.caller.number)],
    [p('CallerIDName'), unknownIfEmpty(amiEscapeC(ch.caller.name))],
    [p('ConnectedLineNum'), unknownIfEmpty(ch.connected.number)],
    [p('ConnectedLineName'), unknownIfEmpty(amiEscapeC(ch.connected.name))],
    [p('Language'), 'en'],
    [p('AccountCode'), ''],
    [p('Context'), ch.dialplan.context],
    [p('Exten'), ch.dialplan.exten],
    [p('Priority'), String(ch.dialplan.priority)],
    [p('Uniqueid'), ch.id],
    [p('Linkedid'), ch.linkedid],
  ];
  return f;
}

/** Hangup cause texts Asterisk prints (the ones the simulator produces). */
export const CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  16: 'Normal Clearing',
  17: 'User busy',
  19: 'No answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  34: 'Circuit/channel congestion',
};

/** Device state numbers as QueueMember* events carry them in `Status`. */
export const DEVICE_STATE_NUM: Record<string, number> = {
  UNKNOWN: 0,
  NOT_INUSE: 1,
  INUSE: 2,
  BUSY: 3,
  INVALID: 4,
  UNAVAILABLE: 5,
  RINGING: 6,
  RINGINUSE: 7,
  ONHOLD: 8,
};

export const DEVICE_STATES = Object.keys(DEVICE_STATE_NUM);

/** ast_devstate_aggregate, simplified to the states the simulator produces. */
export function aggregateDeviceStates(states: string[]): string {
  const has = (s: string) => states.includes(s);
  if ((has('INUSE') || has('BUSY')) && has('RINGING')) return 'RINGINUSE';
  if (has('RINGINUSE')) return 'RINGINUSE';
  if (has('BUSY')) return 'BUSY';
  if (has('INUSE')) return 'INUSE';
  if (has('RINGING')) return 'RINGING';
  if (has('ONHOLD')) return 'ONHOLD';
  if (has('NOT_INUSE')) return 'NOT_INUSE';
  if (states.length > 0 && states.every((s) => s === 'UNAVAILABLE' || s === 'INVALID')) return 'UNAVAILABLE';
  return 'UNKNOWN';
}
