import type { AmiEvent } from '../../src/ami/types';
import { NO_ANSWER_GRACE_MS } from '../../src/pause/no-answer';
import { flush, makeKit, type Kit } from '../agents/helpers';

const miss = (ext: string, queue: string, ringMs: number) => ({
  Event: 'AgentRingNoAnswer',
  Queue: queue,
  Interface: `Local/${ext}@cc-agent/n`,
  MemberName: `Agent ${ext}`,
  RingTime: String(ringMs),
});

/** A miss counts once its grace period (waiting for a daemon rejection) is over. */
function emitMiss(k: Kit, e: AmiEvent): void {
  k.ami.emit(e);
  k.clock.advance(NO_ANSWER_GRACE_MS);
}

async function loggedIn(policy: Record<string, unknown> = {}, queues = ['support', 'vendas'], noAnswerGraceMs?: number) {
  const k = makeKit({ policy, noAnswerGraceMs });
  k.svc.start(k.ami);
  await k.svc.login.login('1000', { queues });
  return k;
}

describe('max no answer', () => {
  it('pauses the agent in all queues with the configured reason at the limit (default 3)', async () => {
    const k = await loggedIn({}, ['support', 'quiet']);
    emitMiss(k, miss('1000', 'support', 15000));
    emitMiss(k, miss('1000', 'support', 15000));
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 2 });
    emitMiss(k, miss('1000', 'support', 15000));
    await flush();
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Sem resposta', pauseStatusId: 9 });
    expect(k.ami.member('support', '1000')).toMatchObject({ paused: true, reason: 'Sem resposta' });
    expect(k.ami.member('quiet', '1000')).toMatchObject({ paused: true, reason: 'Sem resposta' });
    const row = k.db.prepare("SELECT reason, detail FROM agent_state_log WHERE state = 'paused'").get() as {
      reason: string;
      detail: string;
    };
    expect(row.reason).toBe('Sem resposta');
    expect(row.detail).toMatch(/max-no-answer: 3 unanswered queue calls in a row \(limit 3/);
    expect(k.events.find((e) => e.type === 'agent.pause')!.data).toMatchObject({ auto: true, statusId: 9 });
  });

  it('counts across queues and uses the queue limit (vendas: 2)', async () => {
    const k = await loggedIn();
    emitMiss(k, miss('1000', 'support', 15000));
    emitMiss(k, miss('1000', 'vendas', 15000));
    expect(k.svc.status('1000').state).toBe('paused');
  });

  it('ignores RingTime=0 (Stasis app absent)', async () => {
    const k = await loggedIn();
    for (let i = 0; i < 10; i++) emitMiss(k, miss('1000', 'support', 0));
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
  });

  it('resets on AgentConnect and on unpause', async () => {
    const k = await loggedIn();
    emitMiss(k, miss('1000', 'support', 15000));
    emitMiss(k, miss('1000', 'support', 15000));
    k.ami.emit({ Event: 'AgentConnect', Queue: 'support', Interface: 'Local/1000@cc-agent/n', RingTime: '2' });
    expect(k.svc.status('1000').missesInRow).toBe(0);
    emitMiss(k, miss('1000', 'support', 15000));
    emitMiss(k, miss('1000', 'support', 15000));
    expect(k.svc.status('1000').missesInRow).toBe(2);
    emitMiss(k, miss('1000', 'support', 15000));
    expect(k.svc.status('1000').state).toBe('paused');
    await k.svc.pause.unpause('1000');
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
  });

  it('limit 0 is off (queue override and policy)', async () => {
    const k = await loggedIn({ max_no_answer: 0 }, ['support']);
    for (let i = 0; i < 5; i++) emitMiss(k, miss('1000', 'support', 15000));
    expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 5 });
    const q = await loggedIn({}, ['quiet']);
    for (let i = 0; i < 5; i++) emitMiss(q, miss('1000', 'quiet', 15000));
    expect(q.svc.status('1000').state).toBe('available');
  });

  it('pauses a ringing agent; the late end of the unanswered leg keeps the pause', async () => {
    const k = await loggedIn({ no_answer_pause_reason: 'Ausente' }, ['support']);
    emitMiss(k, miss('1000', 'support', 15000));
    emitMiss(k, miss('1000', 'support', 15000));
    k.svc.callRinging('1000', { callId: 'c3', queue: 'support', direction: 'inbound' });
    emitMiss(k, miss('1000', 'support', 15000));
    k.svc.callEnded('1000', { callId: 'c3', queue: 'support', answered: false });
    // "Ausente" is not in the pause catalogue: paused all the same, without a status id.
    expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Ausente', pauseStatusId: null });
  });

  it('ignores members that are not ours and agents not logged in', async () => {
    const k = await loggedIn();
    emitMiss(k, { ...miss('1000', 'support', 15000), Interface: 'PJSIP/1000' });
    emitMiss(k, miss('1001', 'support', 15000));
    expect(k.svc.status('1000').missesInRow).toBe(0);
    expect(k.svc.status('1001').missesInRow).toBe(0);
  });

  describe('misses of legs the daemon ended itself (callRejected)', () => {
    const legMiss = (linkedid: string) => ({ ...miss('1000', 'support', 1200), Linkedid: linkedid, DestLinkedid: linkedid });

    it('rejection first (ARI before AMI): the matching miss is ignored, even offered N times', async () => {
      const k = await loggedIn({ max_no_answer: 2 });
      for (let i = 0; i < 6; i++) {
        k.svc.callRejected('1000', { linkedid: 'prank-1', reason: 'blocked' });
        emitMiss(k, legMiss('prank-1'));
      }
      expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
      expect(k.events.some((e) => e.type === 'agent.pause')).toBe(false);
    });

    it('miss first (AMI before ARI): with a grace period, a rejection within it cancels the miss', async () => {
      const grace = 300;
      const k = await loggedIn({ max_no_answer: 1 }, undefined, grace);
      k.ami.emit(legMiss('prank-2'));
      k.clock.advance(grace / 2);
      k.svc.callRejected('1000', { linkedid: 'prank-2', reason: 'blocked' });
      k.clock.advance(grace * 2);
      expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
    });

    it('one rejection matches one miss of that member and caller only; genuine misses still count', async () => {
      const k = await loggedIn({ max_no_answer: 5 });
      k.svc.callRejected('1000', { linkedid: 'c-1', reason: 'agent-unavailable' });
      emitMiss(k, legMiss('c-1')); // ignored (the daemon's rejection)
      emitMiss(k, legMiss('c-1')); // the same caller offered again and really not answered: counts
      emitMiss(k, legMiss('c-2')); // another caller: counts
      k.svc.callRejected('1001', { linkedid: 'c-3', reason: 'blocked' });
      emitMiss(k, legMiss('c-3')); // the rejection was for another agent: counts
      expect(k.svc.status('1000').missesInRow).toBe(3);
    });

    it('a genuine miss counts after the grace period, not before', async () => {
      const k = await loggedIn({ max_no_answer: 1 });
      k.ami.emit(legMiss('c-9'));
      expect(k.svc.status('1000').missesInRow).toBe(0);
      k.clock.advance(NO_ANSWER_GRACE_MS);
      await flush();
      expect(k.svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Sem resposta', missesInRow: 1 });
    });

    it('AgentConnect drops misses still in their grace period (the answer came after them)', async () => {
      const k = await loggedIn();
      k.ami.emit(legMiss('c-4'));
      k.ami.emit({ Event: 'AgentConnect', Queue: 'support', Interface: 'Local/1000@cc-agent/n', RingTime: '2' });
      k.clock.advance(NO_ANSWER_GRACE_MS);
      expect(k.svc.status('1000').missesInRow).toBe(0);
    });
  });

  describe('an answer found later in queue_log (answeredUnseen, AMI was down)', () => {
    it('wipes the misses counted before it, and says so on the event bus', async () => {
      const k = await loggedIn({ max_no_answer: 3 });
      emitMiss(k, miss('1000', 'support', 15000));
      emitMiss(k, miss('1000', 'support', 15000));
      const lastMiss = k.clock.now();
      expect(k.db.prepare("SELECT misses_in_row AS n, last_miss_at AS at FROM agent_runtime WHERE extension = '1000'").get()).toEqual({ n: 2, at: lastMiss });
      k.clock.advance(60_000); // AMI cut: the agent answers a call the daemon does not see
      k.svc.answeredUnseen('1000', { at: lastMiss + 30_000, queue: 'support', callId: 'c-outage' });
      expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 0 });
      expect(k.events.filter((e) => e.type === 'queue.member').pop()).toMatchObject({
        agent: '1000',
        queue: 'support',
        callId: 'c-outage',
        data: { event: 'misses-reset', source: 'queue_log', answeredAt: lastMiss + 30_000, missesInRow: 0, before: 2 },
      });
      // The next miss starts a new run: one, not three (no pause).
      emitMiss(k, miss('1000', 'support', 15000));
      expect(k.svc.status('1000')).toMatchObject({ state: 'available', missesInRow: 1 });
    });

    it('keeps the count when a miss was counted after that answer (AMI back, the agent missed again)', async () => {
      const k = await loggedIn({ max_no_answer: 5 });
      const answeredAt = k.clock.now();
      k.clock.advance(10_000);
      emitMiss(k, miss('1000', 'support', 15000));
      emitMiss(k, miss('1000', 'support', 15000));
      k.svc.answeredUnseen('1000', { at: answeredAt, queue: 'support' });
      expect(k.svc.status('1000').missesInRow).toBe(2);
      expect(k.events.some((e) => e.type === 'queue.member' && e.data.event === 'misses-reset')).toBe(false);
    });

    it('does nothing with no misses, for an agent logged out, or one not ours', async () => {
      const k = await loggedIn();
      const published = () => k.events.filter((e) => e.type === 'queue.member').length;
      const before = published();
      k.svc.answeredUnseen('1000', { at: k.clock.now(), queue: 'support' });
      k.svc.answeredUnseen('1001', { at: k.clock.now(), queue: 'support' });
      k.svc.answeredUnseen('9999', { at: k.clock.now(), queue: 'support' });
      expect(published()).toBe(before);
      expect(k.svc.status('1000').missesInRow).toBe(0);
    });
  });
});

