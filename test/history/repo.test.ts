import { categorize, HistoryRepo, parseSince } from '../../src/history/repo';
import { CallRepo } from '../../src/calls/repo';
import type { CallRecord } from '../../src/calls/types';
import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

function rec(over: Partial<CallRecord>): CallRecord {
  return {
    id: 'x', parentId: null, rootId: 'x', kind: 'inbound', direction: 'inbound', queue: 'support', agentExt: '1000',
    customerNumber: '5550101', callerId: null, state: 'ended', startedAt: 0, answeredAt: null, endedAt: 0,
    endReason: 'not-answered', disposition: null, customerChannelId: null, agentChannelId: null, bridgeId: null,
    holdBridgeId: null, linkedid: null, muted: false, timeoutAt: null, ...over,
  };
}

describe('history', () => {
  it('recent calls per agent: missed, incoming, outgoing, transferred with date, time, duration, status', () => {
    const clock = new FakeClock();
    const db = openDatabase(':memory:');
    const repo = new CallRepo({ db, clock });
    const t = clock.now();
    const ids = [0, 1, 2, 3].map(() => repo.nextId());
    repo.insert(rec({ id: ids[0], rootId: ids[0], startedAt: t, endedAt: t + 5000 }));
    repo.insert(rec({ id: ids[1], rootId: ids[1], startedAt: t + 1, answeredAt: t + 2000, endedAt: t + 62_000, endReason: 'customer-hangup' }));
    repo.insert(rec({ id: ids[2], rootId: ids[2], kind: 'outbound', direction: 'outbound', startedAt: t + 2, answeredAt: t + 2, endedAt: t + 10_002, endReason: 'agent-hangup' }));
    repo.insert(rec({ id: ids[3], rootId: ids[3], startedAt: t + 3, answeredAt: t + 3, endedAt: null, state: 'connected', endReason: null }));
    repo.event(ids[3], 'transfer', { to: '1001' });
    repo.insert(rec({ id: 'other', rootId: 'other', agentExt: '1001', startedAt: t }));
    const recent = new HistoryRepo({ db, now: () => t + 30_003 }).recent('1000');
    expect(recent.map((r) => [r.id, r.category, r.durationSeconds, r.status])).toEqual([
      [ids[3], 'transferred', 30, 'connected'],
      [ids[2], 'outgoing', 10, 'agent-hangup'],
      [ids[1], 'incoming', 60, 'customer-hangup'],
      [ids[0], 'missed', 0, 'not-answered'],
    ]);
    expect(recent[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(recent[0].time).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(ids[0]).toBe('20261121-000001');
    expect(new HistoryRepo({ db, now: () => t }).list({ since: t + 2 }).map((c) => c.id)).toEqual([ids[3], ids[2]]);
    expect(() => new HistoryRepo({ db, now: () => t }).list({ agent: '12' })).toThrow(/extension/);
    expect(categorize(rec({ kind: 'transfer' }), false)).toBe('transferred');
  });

  it('parses --since forms and rejects others', () => {
    const now = Date.UTC(2026, 10, 21, 12);
    expect(parseSince('2h', now)).toBe(now - 2 * 3600e3);
    expect(parseSince('1795000000000', now)).toBe(1795000000000);
    expect(parseSince('2026-11-21', now)).toBe(new Date('2026-11-21T00:00:00').getTime());
    expect(() => parseSince('yesterday', now)).toThrow(/since must be/);
  });
});
