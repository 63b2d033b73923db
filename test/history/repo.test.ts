import { categorize, HistoryRepo, parseSince } from '../../src/history/repo';
import { callStatus, CALL_STATUSES } from '../../src/history/status';
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
      [ids[3], 'transferred', 30, 'in-progress'],
      [ids[2], 'outgoing', 10, 'answered'],
      [ids[1], 'incoming', 60, 'answered'],
      [ids[0], 'missed', 0, 'missed'],
    ]);
    expect(recent[0].date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(recent[0].time).toMatch(/^\d{2}:\d{2}:\d{2}$/);
    expect(ids[0]).toBe('20261121-000001');
    expect(new HistoryRepo({ db, now: () => t }).list({ since: t + 2 }).map((c) => c.id)).toEqual([ids[3], ids[2]]);
    expect(() => new HistoryRepo({ db, now: () => t }).list({ agent: '12' })).toThrow(/extension/);
    // A transfer the target never answered is a missed call for it (audit issue), answered: transferred.
    expect(categorize(rec({ kind: 'transfer' }), false)).toBe('missed');
    expect(categorize(rec({ kind: 'transfer', answeredAt: 1 }), false)).toBe('transferred');
  });

  it('parses --since forms and rejects others', () => {
    const now = Date.UTC(2026, 10, 21, 12);
    expect(parseSince('2h', now)).toBe(now - 2 * 3600e3);
    expect(parseSince('1795000000000', now)).toBe(1795000000000);
    expect(parseSince('2026-11-21', now)).toBe(new Date('2026-11-21T00:00:00').getTime());
    expect(() => parseSince('yesterday', now)).toThrow(/since must be/);
  });

  describe('user-facing statuses (one vocabulary, raw end reason kept)', () => {
    it.each([
      [{ endedAt: null, endReason: null }, 'in-progress'],
      [{ answeredAt: 1, endReason: 'customer-hangup' }, 'answered'],
      [{ answeredAt: 1, endReason: 'prank' }, 'answered'],
      [{ kind: 'outbound', direction: 'outbound', answeredAt: 1, endReason: 'hangup-requested' }, 'answered'],
      [{ kind: 'outbound', direction: 'outbound', endReason: 'hangup-requested' }, 'cancelled'],
      [{ kind: 'outbound', direction: 'outbound', endReason: 'customer-no-answer' }, 'no-answer'],
      [{ kind: 'outbound', direction: 'outbound', endReason: 'agent-no-answer' }, 'no-answer'],
      [{ answeredAt: 1, endReason: 'transferred' }, 'transferred'],
      [{ kind: 'transfer', endReason: 'not-answered' }, 'missed'],
      [{ kind: 'transfer', answeredAt: 1, endReason: 'transfer-cancelled' }, 'cancelled'],
      [{ endReason: 'blocked', agentExt: null }, 'rejected'],
      [{ endReason: 'agent-busy', agentExt: null }, 'busy'],
      [{ endReason: 'not-answered' }, 'missed'],
      [{ endReason: 'customer-hangup', agentExt: null }, 'abandoned'],
      [{ endReason: 'bridge-failed' }, 'failed'],
    ] as [Partial<CallRecord>, string][])('%j → %s', (over, status) => {
      const s = callStatus(rec(over));
      expect(s).toBe(status);
      expect(CALL_STATUSES).toContain(s);
    });

    it('a transfer the target never answered is missed in its recent calls; a completed one is transferred', () => {
      const clock = new FakeClock();
      const db = openDatabase(':memory:');
      const repo = new CallRepo({ db, clock });
      const t = clock.now();
      repo.insert(rec({ id: 'p1', rootId: 'p1', agentExt: '1000', answeredAt: t, endedAt: t + 9000, endReason: 'customer-hangup', startedAt: t }));
      repo.event('p1', 'transfer', { to: '1001' });
      repo.insert(rec({ id: 't1', rootId: 'p1', parentId: 'p1', kind: 'transfer', agentExt: '1001', startedAt: t + 1, endedAt: t + 5000, endReason: 'not-answered' }));
      repo.insert(rec({ id: 't2', rootId: 'p1', parentId: 'p1', kind: 'transfer', agentExt: '1001', startedAt: t + 2, answeredAt: t + 3, endedAt: t + 9000, endReason: 'customer-hangup' }));
      const h = new HistoryRepo({ db, now: () => t + 10_000 });
      expect(h.recent('1001').map((r) => [r.id, r.category, r.status, r.endReason])).toEqual([
        ['t2', 'transferred', 'answered', 'customer-hangup'],
        ['t1', 'missed', 'missed', 'not-answered'],
      ]);
      // The failed transfer attempt does not make the first agent's call "transferred".
      expect(h.recent('1000').map((r) => [r.id, r.category, r.status])).toEqual([['p1', 'incoming', 'answered']]);
    });
  });
});
