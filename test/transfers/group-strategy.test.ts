import { availability, nextToRing } from '../../src/transfers/group-strategy';

const members = ['1001', '1002', '1003', '1004'];
const tried = (...xs: string[]) => new Set(xs);
const all = () => true;
const except = (...out: string[]) => (ext: string) => !out.includes(ext);

describe('group strategies: who rings next', () => {
  it('simultaneous: every available member at once, one round only', () => {
    expect(nextToRing('simultaneous', members, tried(), except('1002'))).toEqual({ ring: ['1001', '1003', '1004'], skipped: ['1002'] });
    // Once the round rang out nobody is rung again, even a member free now.
    expect(nextToRing('simultaneous', members, tried('1001', '1003', '1004', '1002'), all)).toEqual({ ring: [], skipped: [] });
    expect(nextToRing('simultaneous', members, tried('1001'), all).ring).toEqual([]);
  });

  it('sequential: list order, one at a time; a member not available at its turn loses it', () => {
    expect(nextToRing('sequential', members, tried(), all)).toEqual({ ring: ['1001'], skipped: [] });
    expect(nextToRing('sequential', members, tried('1001'), except('1002'))).toEqual({ ring: ['1003'], skipped: ['1002'] });
    // 1002 lost its turn (the ringer counts skipped members as tried): it is not rung later.
    expect(nextToRing('sequential', members, tried('1001', '1002', '1003'), all)).toEqual({ ring: ['1004'], skipped: [] });
    expect(nextToRing('sequential', members, tried('1001', '1002', '1003'), except('1004'))).toEqual({ ring: [], skipped: ['1004'] });
  });

  it('random: one available member not tried yet, picked by the random source', () => {
    expect(nextToRing('random', members, tried(), all, () => 0)).toEqual({ ring: ['1001'], skipped: [] });
    expect(nextToRing('random', members, tried(), all, () => 0.99)).toEqual({ ring: ['1004'], skipped: [] });
    expect(nextToRing('random', members, tried('1001'), except('1003'), () => 0.5)).toEqual({ ring: ['1004'], skipped: [] });
    // An unavailable member is not passed over for good: it may be picked once free.
    expect(nextToRing('random', members, tried('1001', '1002', '1004'), except('1003')).ring).toEqual([]);
    expect(nextToRing('random', members, tried('1001', '1002', '1004'), all).ring).toEqual(['1003']);
    // Every member is reached exactly once over a whole run, whatever the random source says.
    const seen = new Set<string>();
    let r = 0.7;
    for (;;) {
      const { ring } = nextToRing('random', members, seen, all, () => (r = (r * 7.3) % 1));
      if (ring.length === 0) break;
      expect(ring).toHaveLength(1);
      expect(seen.has(ring[0])).toBe(false);
      seen.add(ring[0]);
    }
    expect([...seen].sort()).toEqual(members);
  });

  it('a random source returning 1 does not step out of the pool', () => {
    expect(nextToRing('random', members, tried(), all, () => 1).ring).toEqual(['1004']);
  });

  it('availability: the reasons of the members that cannot be rung', () => {
    const why = (ext: string) => (ext === '1002' ? 'agent 1002 is paused (Almoço)' : ext === '1004' ? 'agent 1004 is offline' : null);
    expect(availability(members, why)).toEqual({
      available: ['1001', '1003'],
      unavailable: [
        { agent: '1002', reason: 'agent 1002 is paused (Almoço)' },
        { agent: '1004', reason: 'agent 1004 is offline' },
      ],
    });
  });
});
