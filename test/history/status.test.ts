import { callStatus, callStatusSql, STATUS_TABLES } from '../../src/history/status';
import { openDatabase } from '../../src/store/db';

const part = (over: Partial<Parameters<typeof callStatus>[0]>) => ({
  endedAt: 2_000,
  answeredAt: null as number | null,
  endReason: null as string | null,
  kind: 'inbound' as const,
  direction: 'inbound' as const,
  agentExt: '1000' as string | null,
  ...over,
});

describe('callStatus', () => {
  it('a talked call cut at the max call duration is timeout, not answered', () => {
    expect(callStatus(part({ answeredAt: 1_000, endReason: 'timeout' }))).toBe('timeout');
    expect(callStatus(part({ answeredAt: 1_000, endReason: 'customer-hangup' }))).toBe('answered');
  });

  it('a ringing part the caller hung up on is abandoned; a ring timeout stays missed', () => {
    expect(callStatus(part({ endReason: 'caller-abandoned' }))).toBe('abandoned');
    expect(callStatus(part({ endReason: 'not-answered' }))).toBe('missed');
    expect(callStatus(part({ endReason: 'caller-abandoned', agentExt: null }))).toBe('abandoned');
  });

  it('queue and group transfers: handed to a queue is transferred; a member stopped by another\'s answer is cancelled', () => {
    expect(callStatus(part({ answeredAt: 1_000, endReason: 'transferred' }))).toBe('transferred');
    expect(callStatus(part({ endReason: 'handed-to-queue', agentExt: null }))).toBe('transferred');
    expect(callStatus(part({ endReason: 'queue-transfer-failed', agentExt: null }))).toBe('failed');
    expect(callStatus(part({ kind: 'transfer' as never, endReason: 'answered-elsewhere' }))).toBe('cancelled');
    expect(callStatus(part({ kind: 'transfer' as never, endReason: 'not-answered' }))).toBe('missed');
  });
});

describe('callStatusSql: the same statuses in SQL (reports count them there)', () => {
  it('agrees with callStatus on every reason × answered × direction × agent × ended', () => {
    const db = openDatabase(':memory:');
    const reasons = [null, 'weird-new-reason', 'timeout', ...Object.keys({ ...STATUS_TABLES.fixed, ...STATUS_TABLES.unanswered })];
    const ins = db.prepare(
      `INSERT INTO calls (id, root_id, kind, direction, agent_ext, state, started_at, answered_at, ended_at, end_reason)
       VALUES (?, ?, 'inbound', ?, ?, 'ended', 0, ?, ?, ?)`,
    );
    const expected: Record<string, string> = {};
    let n = 0;
    for (const reason of reasons)
      for (const answeredAt of [null, 5])
        for (const direction of ['inbound', 'outbound', 'internal'] as const)
          for (const agentExt of [null, '1000'])
            for (const endedAt of [null, 9]) {
              const id = String(++n);
              ins.run(id, id, direction, agentExt, answeredAt, endedAt, reason);
              expected[id] = callStatus({ endedAt, answeredAt, endReason: reason, kind: 'inbound', direction, agentExt });
            }
    const rows = db.prepare(`SELECT c.id, ${callStatusSql('c')} AS status FROM calls c`).all() as { id: string; status: string }[];
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual(expected);
    db.close();
  });
});
