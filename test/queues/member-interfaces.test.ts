import { MemberInterfaces } from '../../src/queues/member-interfaces';

describe('MemberInterfaces', () => {
  it('member-leg / stand-in: the Local member leg, both ways', () => {
    const m = new MemberInterfaces('cc-agent');
    expect(m.isNative).toBe(false);
    expect(m.iface('1000')).toBe('Local/1000@cc-agent/n');
    expect(m.extOf('Local/1000@cc-agent/n')).toBe('1000');
    expect(m.extOf('PJSIP/1000')).toBeUndefined();
    expect(m.extOf('Local/1000@other/n')).toBeUndefined();
  });

  it('native: the agent device is the member; a device maps back to its one agent', () => {
    const devices: Record<string, string> = { '1000': 'PJSIP/1000', '1001': 'PJSIP/shared', '1002': 'PJSIP/shared' };
    let lookups = 0;
    const m = new MemberInterfaces(
      'cc-agent',
      {
        deviceOf: (ext) => devices[ext],
        extensionsWithDevice: (d) => {
          lookups++;
          return Object.keys(devices).filter((e) => devices[e] === d);
        },
      },
      true,
    );
    expect(m.isNative).toBe(true);
    expect(m.iface('1000')).toBe('PJSIP/1000');
    expect(m.extOf('PJSIP/1000')).toBe('1000');
    expect(lookups).toBe(0); // learnt from iface(): no query per AMI event
    // Two agents on one device: ambiguous, not guessed.
    expect(m.extOf('PJSIP/shared')).toBeUndefined();
    // Unknown agent: falls back to the Local leg (what the daemon would add otherwise).
    expect(m.iface('2000')).toBe('Local/2000@cc-agent/n');
    expect(m.extOf('Local/2000@cc-agent/n')).toBe('2000');
    // Device reassigned in the catalogue: the member added with it is still that agent's until
    // removed; re-adding (iface) with the new device moves the mapping.
    devices['1000'] = 'PJSIP/desk-7';
    devices['1003'] = 'PJSIP/1000';
    expect(m.extOf('PJSIP/1000')).toBe('1000');
    expect(m.iface('1003')).toBe('PJSIP/1000');
    expect(m.extOf('PJSIP/1000')).toBe('1003');
  });
});
