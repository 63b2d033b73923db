/**
 * Dispositions given after the call (src/wrapup/late.ts), against a fake calls domain: what is
 * refused and why, and what is written (end to end: test/e2e/late-disposition.test.ts).
 */
import { LateDisposition } from '../../src/wrapup/late';
import { WrapupRepository } from '../../src/wrapup/repository';
import type { DispositionTarget } from '../../src/daemon/ports';
import { makeKit } from '../agents/helpers';

const ended: DispositionTarget = { agentExt: '1000', queue: 'support', answered: true, ended: true, disposition: 'Tabulação automática' };

async function kit() {
  const k = makeKit();
  k.svc.start(k.ami);
  await k.svc.login.login('1000', { queues: ['support'] });
  return k;
}

describe('disposition after the call', () => {
  it('writes the tag, the supervisor, the previous one and the notes through the calls domain', async () => {
    const k = await kit();
    k.calls.parts.set('c1', ended);
    const r = k.svc.late.set('c1', ' Venda ', 'sup', 'called back');
    expect(r).toEqual({ callId: 'c1', disposition: 'Venda', previous: 'Tabulação automática', notes: 'called back', by: 'supervisor:sup', at: k.clock.now() });
    expect(k.calls.dispositions).toEqual([
      { callId: 'c1', disposition: 'Venda', by: 'supervisor:sup', extra: { previous: 'Tabulação automática', notes: 'called back', afterCall: true } },
    ]);
    expect(k.events.filter((e) => e.type === 'call.disposition')).toMatchObject([
      {
        type: 'call.disposition',
        at: k.clock.now(),
        agent: '1000',
        queue: 'support',
        callId: 'c1',
        data: { disposition: 'Venda', previous: 'Tabulação automática', by: 'supervisor:sup', notes: 'called back' },
      },
    ]);
  });

  it('is allowed while the agent is in wrap-up for another call, refused while in wrap-up for this one', async () => {
    const k = await kit();
    k.calls.parts.set('c1', ended);
    k.calls.parts.set('c2', { ...ended, disposition: null });
    k.svc.callRinging('1000', { callId: 'c2', queue: 'support', direction: 'inbound' });
    k.svc.callConnected('1000', { callId: 'c2', queue: 'support', direction: 'inbound' });
    k.svc.callEnded('1000', { callId: 'c2', queue: 'support', answered: true });
    expect(k.svc.status('1000').state).toBe('wrap-up');
    expect(() => k.svc.late.set('c2', 'Venda', 'sup')).toThrow(/agent 1000 is still in wrap-up for call c2/);
    expect(k.svc.late.set('c1', 'Venda', 'sup').previous).toBe('Tabulação automática');
    expect(k.calls.dispositions.map((d) => d.callId)).toEqual(['c1']);
  });

  it('refuses live, unanswered and unknown parts, unknown or empty tags, long notes; nothing is written', async () => {
    const k = await kit();
    k.calls.parts.set('live', { ...ended, ended: false });
    k.calls.parts.set('missed', { ...ended, answered: false, disposition: null });
    k.calls.parts.set('c1', ended);
    const kind = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return [(e as { kind: string }).kind, (e as Error).message];
      }
      return undefined;
    };
    expect(kind(() => k.svc.late.set('live', 'Venda', 'sup'))).toEqual(['refused', "call live is still in progress: its disposition comes with the agent's wrap-up"]);
    expect(kind(() => k.svc.late.set('missed', 'Venda', 'sup'))).toEqual(['refused', 'call missed was not answered: there is nothing to give a disposition to']);
    expect(kind(() => k.svc.late.set('nope', 'Venda', 'sup'))).toEqual(['not_found', 'no call nope']);
    expect(kind(() => k.svc.late.set('c1', 'Nope', 'sup'))).toEqual(['not_found', 'unknown disposition "Nope"']);
    expect(kind(() => k.svc.late.set('c1', ' ', 'sup'))?.[0]).toBe('invalid');
    expect(kind(() => k.svc.late.set('c1', 'Venda', 'sup', 'x'.repeat(2001)))?.[0]).toBe('invalid');
    expect(k.calls.dispositions).toEqual([]);
    expect(k.events.some((e) => e.type === 'call.disposition')).toBe(false);
  });

  it('says unavailable before the calls domain is wired', async () => {
    const k = await kit();
    const late = new LateDisposition(k.svc.core, new WrapupRepository(k.db));
    expect(() => late.set('c1', 'Venda', 'sup')).toThrow(/not wired/);
  });
});
