import fs from 'node:fs';
import path from 'node:path';
import { compileEventFilter, loadManagerEventFilter, managerUserFilterLines, parseEventFilters, shippedManagerConf } from '../../src/sim/ami-filter';
import type { AmiFieldList } from '../../src/sim/ami-codec';

const filterOf = (...lines: string[]) => compileEventFilter(parseEventFilters(lines))!;

describe('simulator AMI eventfilter (manager.c semantics)', () => {
  const dev = (device: string): AmiFieldList => [['Device', device], ['State', 'INUSE']];

  it('include filters only: an event passes when one include matches', () => {
    const f = filterOf('eventfilter(action(include),name(AgentConnect)) =', 'eventfilter(action(include),name(DeviceStateChange)) =');
    expect(f('AgentConnect', 'agent,all', [])).toBe(true);
    expect(f('Newchannel', 'call,all', [])).toBe(false);
  });

  it('include and exclude: included and not excluded (header, starts_with)', () => {
    const f = filterOf(
      'eventfilter(action(include),name(DeviceStateChange)) =',
      'eventfilter(action(exclude),name(DeviceStateChange),header(Device),method(starts_with)) = Local/',
    );
    expect(f('DeviceStateChange', 'call,all', dev('Local/1000@cc-agent'))).toBe(false);
    expect(f('Hangup', 'call,all', [])).toBe(false);
  });

  it('exclude only: everything but what an exclude matches; legacy regex lines too', () => {
    const f = filterOf('eventfilter = !Event: (Newexten|VarSet)');
    expect(f('VarSet', 'dialplan,all', [])).toBe(false);
    expect(f('Hangup', 'call,all', [])).toBe(true);
    const g = filterOf('eventfilter = Event: Agent');
    expect(g('AgentCalled', 'agent,all', [])).toBe(true);
    expect(g('Hangup', 'call,all', [])).toBe(false);
  });

  it('methods exact, ends_with, contains, regex on a header', () => {
    expect(filterOf('eventfilter(action(include),header(Queue),method(exact)) = support')('QueueCallerJoin', 'call,all', [['Queue', 'support']])).toBe(true);
    expect(filterOf('eventfilter(action(include),header(Queue),method(exact)) = support')('QueueCallerJoin', 'call,all', [['Queue', 'support2']])).toBe(false);
    expect(filterOf('eventfilter(action(include),header(Channel),method(ends_with)) = ;2')('X', 'call,all', [['Channel', 'Local/1@a-0001;2']])).toBe(true);
    expect(filterOf('eventfilter(action(include),header(Channel),method(contains)) = @cc-')('X', 'call,all', [['Channel', 'Local/1@cc-agent']])).toBe(true);
    expect(filterOf('eventfilter(action(include),header(Channel)) = ^PJSIP/')('X', 'call,all', [['Channel', 'Local/1']])).toBe(false);
  });

  it('a malformed filter line is a clear error', () => {
    expect(() => parseEventFilters(['eventfilter(action(maybe),name(X)) ='])).toThrow(/include or exclude/);
    expect(() => parseEventFilters(['eventfilter(action(include),method(exact)) ='])).toThrow(/needs a pattern/);
    expect(() => parseEventFilters(['eventfilter(action(include),colour(red)) = x'])).toThrow(/unknown filter option "colour"/);
  });

  it("reads only the user's own section, comments removed", () => {
    const conf = '[other]\neventfilter = Event: X\n[callcenterd]\nread = call\neventfilter(action(include),name(UserEvent)) = ; why\n;eventfilter = Event: Y\n';
    expect(managerUserFilterLines(conf, 'callcenterd')).toEqual(['eventfilter(action(include),name(UserEvent)) =']);
  });

  it('the shipped manager.conf: the daemon user gets queue and agent events, not channel noise, Local or in-call device states', () => {
    const file = shippedManagerConf();
    expect(file).toBe(path.resolve(__dirname, '..', '..', 'asterisk-conf', 'manager.conf'));
    expect(fs.existsSync(file!)).toBe(true);
    const f = loadManagerEventFilter(file!, 'callcenterd')!;
    expect(f('QueueCallerJoin', 'agent,all', [['Queue', 'support']])).toBe(true);
    expect(f('DeviceStateChange', 'call,all', dev('Custom:agent-1000'))).toBe(false);
    // A real device's state only when it goes away or comes back, not its in-call states.
    const state = (s: string): AmiFieldList => [['Device', 'PJSIP/1000'], ['State', s]];
    for (const s of ['UNAVAILABLE', 'INVALID', 'NOT_INUSE']) expect(f('DeviceStateChange', 'call,all', state(s))).toBe(true);
    for (const s of ['RINGING', 'INUSE', 'RINGINUSE', 'BUSY', 'ONHOLD']) expect(f('DeviceStateChange', 'call,all', state(s))).toBe(false);
    // Likewise a queue member's status: gone (5, 4) and back (1), not 2, 3, 6, 7, 8 (in a call).
    const member = (n: number): AmiFieldList => [['Queue', 'support'], ['Interface', 'Local/1000@cc-agent/n'], ['Status', String(n)]];
    for (const n of [1, 4, 5]) expect(f('QueueMemberStatus', 'agent,all', member(n))).toBe(true);
    for (const n of [2, 3, 6, 7, 8]) expect(f('QueueMemberStatus', 'agent,all', member(n))).toBe(false);
    expect(f('Newchannel', 'call,all', [])).toBe(false);
    expect(f('BridgeEnter', 'call,all', [])).toBe(false);
  });
});
