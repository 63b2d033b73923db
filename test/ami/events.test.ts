/**
 * Contract check: the typed events in src/ami/events.ts name the fields exactly as the real
 * Asterisk 22.10.1 sent them (captures), and onAmiEvent delivers them typed.
 */
import { num, onAmiEvent, type AmiEventMap } from '../../src/ami/events';
import { AmiParser } from '../../src/ami/parser';
import type { AmiEvent } from '../../src/ami/types';
import { amiCaptureFiles, loadAmiCapture } from './captures';

const channel = ['Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum', 'ConnectedLineName', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid'];
const dest = ['DestChannel', 'DestChannelState', 'DestChannelStateDesc', 'DestCallerIDNum', 'DestCallerIDName', 'DestContext', 'DestExten', 'DestUniqueid', 'DestLinkedid'];
const member = ['Queue', 'Interface', 'MemberName'];
const memberState = [...member, 'StateInterface', 'Membership', 'Penalty', 'CallsTaken', 'LastCall', 'LastPause', 'LoginTime', 'InCall', 'Status', 'Paused', 'PausedReason', 'Ringinuse', 'Wrapuptime'];

/** The fields each typed event declares (mirrors src/ami/events.ts). */
const DECLARED: Partial<Record<keyof AmiEventMap, string[]>> = {
  AgentCalled: [...channel, ...dest, ...member],
  AgentConnect: [...channel, ...dest, ...member, 'HoldTime', 'RingTime'],
  AgentRingNoAnswer: [...channel, ...dest, ...member, 'RingTime'],
  AgentComplete: [...member, 'HoldTime', 'TalkTime', 'Reason'], // channel fields optional, see below
  QueueMemberAdded: memberState,
  QueueMemberStatus: memberState,
  QueueMemberPause: memberState,
  QueueMember: ['Queue', 'Name', 'Location', 'StateInterface', 'Membership', 'Penalty', 'CallsTaken', 'LastCall', 'LastPause', 'LoginTime', 'InCall', 'Status', 'Paused', 'PausedReason', 'Wrapuptime'],
  QueueParams: ['Queue', 'Max', 'Strategy', 'Calls', 'Holdtime', 'TalkTime', 'Completed', 'Abandoned'],
  QueueCallerJoin: [...channel, 'Queue', 'Position', 'Count'],
  QueueCallerLeave: [...channel, 'Queue', 'Position', 'Count'],
  QueueCallerAbandon: [...channel, 'Queue', 'Position', 'OriginalPosition', 'HoldTime'],
  DeviceStateChange: ['Device', 'State'],
};

function allEvents(): AmiEvent[] {
  const out: AmiEvent[] = [];
  for (const f of amiCaptureFiles()) {
    const p = new AmiParser({ onBanner: () => undefined, onMessage: (m) => m.Event && out.push(m as AmiEvent) });
    p.push(loadAmiCapture(f).wire);
  }
  return out;
}

describe('typed AMI events vs real Asterisk 22 captures', () => {
  const events = allEvents();

  it.each(Object.entries(DECLARED))('%s carries every declared field', (name, fields) => {
    const seen = events.filter((e) => e.Event === name);
    expect(seen.length).toBeGreaterThan(0);
    for (const e of seen) for (const f of fields) expect([name, f, typeof e[f]]).toEqual([name, f, 'string']);
  });

  it('AgentComplete may come without channel fields (both channels already gone)', () => {
    const complete = events.filter((e) => e.Event === 'AgentComplete');
    const bare = complete.filter((e) => e.Channel === undefined);
    expect(bare.length).toBeGreaterThan(0);
    // Not tied to which capture file sorts first (live-monitor.ami.txt has bare ones too; one run of
    // it also had DestChannel without Channel, the customer's side gone first: both are optional).
    const none = bare.find((e) => e.DestChannel === undefined && e.Interface === 'Local/1000@cc-agent/n');
    expect(none).toMatchObject({ Queue: 'support', Reason: 'caller' });
    expect(complete.some((e) => e.Channel !== undefined && e.DestChannel !== undefined)).toBe(true);
  });

  it('RingTime units: ms in AgentRingNoAnswer, seconds in AgentConnect (DESIGN.md)', () => {
    const rna = events.filter((e) => e.Event === 'AgentRingNoAnswer').map((e) => num(e.RingTime));
    const conn = events.filter((e) => e.Event === 'AgentConnect').map((e) => num(e.RingTime));
    expect(Math.max(...rna)).toBeGreaterThan(1000);
    expect(Math.max(...conn)).toBeLessThan(60);
  });

  it('onAmiEvent subscribes by name and hands over the typed event', () => {
    const subs = new Map<string, (e: AmiEvent) => void>();
    const fake = { onEvent: (n: string, h: (e: AmiEvent) => void) => (subs.set(n, h), () => subs.delete(n)) };
    const got: string[] = [];
    const off = onAmiEvent(fake, 'AgentConnect', (e) => got.push(`${e.MemberName}/${e.RingTime}`));
    const sample = events.find((e) => e.Event === 'AgentConnect')!;
    subs.get('AgentConnect')!(sample);
    expect(got).toEqual([`${sample.MemberName}/${sample.RingTime}`]);
    off();
    expect(subs.size).toBe(0);
  });
});
