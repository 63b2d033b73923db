/** The monitoring state machine, the snoop asked per mode, and how a supervisor's device is chosen. */
import { validateDevice } from '../../src/agents/catalogue';
import { resolveDevice } from '../../src/live-monitor/device';
import { MONITOR_EVENTS, MONITOR_STATES, MONITOR_TRANSITIONS, nextMonitorState, parseMode, snoopOf, type MonitorSession } from '../../src/live-monitor/model';
import { CcError } from '../../src/util/errors';

describe('monitoring session state machine', () => {
  it('allows exactly the transitions of the table; anything else is refused (409) and changes nothing', () => {
    const allowed: string[] = [];
    for (const from of MONITOR_STATES) {
      for (const ev of MONITOR_EVENTS) {
        const to = MONITOR_TRANSITIONS[from][ev];
        if (to) {
          expect(nextMonitorState(from, ev)).toBe(to);
          allowed.push(`${from} -${ev}-> ${to}`);
        } else {
          expect(() => nextMonitorState(from, ev)).toThrow(CcError);
          expect(() => nextMonitorState(from, ev)).toThrow(`cannot ${ev} a monitoring session that is ${from}`);
        }
      }
    }
    expect(allowed).toEqual([
      'ringing -answered-> active',
      'ringing -change-mode-> ringing',
      'ringing -follow-> ringing',
      'ringing -end-> ended',
      'ringing -fail-> failed',
      'active -change-mode-> active',
      'active -follow-> active',
      'active -end-> ended',
    ]);
  });

  it('modes map to the snoop validated on Asterisk: listen none, whisper out, barge both (always spying both)', () => {
    expect(snoopOf('listen')).toEqual({ spy: 'both', whisper: 'none' });
    expect(snoopOf('whisper')).toEqual({ spy: 'both', whisper: 'out' });
    expect(snoopOf('barge')).toEqual({ spy: 'both', whisper: 'both' });
    expect(parseMode('barge')).toBe('barge');
    for (const bad of ['spy', 'LISTEN', '', undefined, 3]) expect(() => parseMode(bad)).toThrow(expect.objectContaining({ kind: 'invalid' }));
  });
});

describe('the supervisor device', () => {
  const rules = { deviceOfAgent: (ext: string) => ({ '1000': 'PJSIP/1000', '2000': 'PJSIP/2000' })[ext], validateDevice };
  const live = [{ id: 4, device: 'PJSIP/2001', currentCallId: 'c9' }] as MonitorSession[];

  it('given device first, else the token agent extension device, else 400 naming --device', () => {
    expect(resolveDevice('SIP/boss', { agent: '2000' }, '1000', rules, [])).toBe('SIP/boss');
    expect(resolveDevice(undefined, { agent: '2000' }, '1000', rules, [])).toBe('PJSIP/2000');
    expect(() => resolveDevice(undefined, {}, '1000', rules, [])).toThrow(/--device/);
    expect(() => resolveDevice(undefined, { agent: '2999' }, '1000', rules, [])).toThrow(/--device/);
  });

  it('refuses injection, the monitored agent own device and a device already monitoring', () => {
    for (const bad of ['PJSIP/1&PJSIP/2', 'PJSIP/1,t', 'PJSIP/${X}', 'PJSIP/a b', 'PJSIP/a\r\nAction: X', 'nope', 'x'.repeat(200)]) {
      expect(() => resolveDevice(bad, {}, '1000', rules, [])).toThrow(expect.objectContaining({ kind: 'invalid', details: { field: 'device' } }));
    }
    expect(() => resolveDevice('pjsip/1000', {}, '1000', rules, [])).toThrow("device pjsip/1000 is the monitored agent's own device");
    expect(() => resolveDevice('PJSIP/2001', {}, '1000', rules, live)).toThrow(expect.objectContaining({ kind: 'refused', message: 'device PJSIP/2001 is already in monitoring session 4 (call c9)' }));
  });
});
