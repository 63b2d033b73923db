import { callStatus } from '../../src/history/status';

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
