import { CcError } from '../../src/util/errors';
import { makeKit } from './helpers';

const kind = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(CcError);
    return { kind: (e as CcError).kind, message: (e as CcError).message };
  }
  throw new Error('expected a CcError');
};

describe('agent login / logout', () => {
  it('adds the member to each queue with the DESIGN.md interface, name and StateInterface', async () => {
    const k = makeKit();
    const res = await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    expect(res.queues).toEqual([
      { queue: 'support', penalty: 0 },
      { queue: 'vendas', penalty: 1 },
    ]);
    const adds = k.ami.actions.filter((a) => a.action === 'QueueAdd');
    expect(adds.map((a) => a.fields)).toEqual([
      {
        Queue: 'support',
        Interface: 'Local/1000@cc-agent/n',
        MemberName: 'Agent 1000',
        Penalty: 0,
        Paused: false,
        StateInterface: 'hint:1000@agent-hints',
      },
      expect.objectContaining({ Queue: 'vendas', Penalty: 1 }),
    ]);
    // Stale busy flag cleared before the first queue call can be offered.
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
    const st = k.svc.status('1000');
    expect(st.state).toBe('available');
    expect(st.queues).toEqual(['support', 'vendas']);
    expect(k.events.map((e) => e.type)).toEqual(['agent.state', 'agent.login']);
    const log = k.db.prepare('SELECT previous, state, reason FROM agent_state_log').all();
    expect(log).toEqual([{ previous: 'offline', state: 'available', reason: 'login' }]);
  });

  it('uses --penalty for every queue and snapshots block_dialing_in_pause', async () => {
    const k = makeKit({ policy: { block_dialing_in_pause: true } });
    await k.svc.login.login('1000', { queues: ['support'], penalty: 7 });
    expect(k.ami.member('support', '1000')).toBeDefined();
    expect(k.ami.actions.find((a) => a.action === 'QueueAdd')!.fields.Penalty).toBe(7);
    expect(k.svc.presence('1000')!.blockDialingInPause).toBe(true);
  });

  it('refuses unknown agent, unknown queue, queue not allowed, busy extension — changing nothing', async () => {
    const k = makeKit();
    expect(await kind(k.svc.login.login('1999', { queues: ['support'] }))).toEqual({
      kind: 'not_found',
      message: 'agent 1999 does not exist',
    });
    expect(await kind(k.svc.login.login('1000', { queues: ['nope'] }))).toEqual({
      kind: 'not_found',
      message: 'queue nope does not exist',
    });
    expect(await kind(k.svc.login.login('1001', { queues: ['support', 'vendas'] }))).toEqual({
      kind: 'refused',
      message: 'agent 1001 is not allowed in queue vendas',
    });
    expect((await kind(k.svc.login.login('abc', { queues: ['support'] }))).kind).toBe('invalid');
    expect((await kind(k.svc.login.login('1000', { queues: [] }))).kind).toBe('invalid');
    expect((await kind(k.svc.login.login('1000', { queues: ['support'], penalty: -1 }))).kind).toBe('invalid');
    k.calls.active.set('1002', ['c1']);
    expect((await kind(k.svc.login.login('1002', { queues: ['support'] }))).kind).toBe('refused');
    expect(k.ami.actions).toEqual([]);
    expect(k.db.prepare('SELECT COUNT(*) AS n FROM agent_sessions').get()).toEqual({ n: 0 });

    await k.svc.login.login('1000', { queues: ['support'] });
    const again = await kind(k.svc.login.login('1000', { queues: ['support'] }));
    expect(again.kind).toBe('refused');
    expect(again.message).toMatch(/agent 1000 is already logged in \(queues: support\)/);
  });

  it('rolls back the queues already added when Asterisk refuses one', async () => {
    const k = makeKit();
    const orig = k.ami.action.bind(k.ami);
    let adds = 0;
    // The second QueueAdd (vendas) is refused by Asterisk.
    k.ami.action = async (a, f) => {
      if (a === 'QueueAdd' && ++adds === 2) {
        k.ami.failNext.push({ action: 'QueueAdd', message: 'Unable to add interface to queue: No such queue' });
      }
      return orig(a, f);
    };
    const err = await kind(k.svc.login.login('1000', { queues: ['support', 'vendas'] }));
    expect(err).toEqual({ kind: 'refused', message: 'Asterisk refused the login: Unable to add interface to queue: No such queue' });
    expect(k.ami.members).toEqual([]);
    expect(k.svc.status('1000').state).toBe('offline');
  });

  it('fails with unavailable (exit 4) when AMI is down, leaving no session', async () => {
    const k = makeKit();
    k.ami.state = 'disconnected';
    expect((await kind(k.svc.login.login('1000', { queues: ['support'] }))).kind).toBe('unavailable');
    expect(k.svc.status('1000').state).toBe('offline');
  });

  it('adopts a leftover member ("Already there") and unpauses it', async () => {
    const k = makeKit();
    k.ami.members.push({
      queue: 'support',
      iface: 'Local/1000@cc-agent/n',
      name: 'Agent 1000',
      stateInterface: 'hint:1000@agent-hints',
      paused: true,
      reason: 'old',
      membership: 'dynamic',
    });
    await k.svc.login.login('1000', { queues: ['support'] });
    expect(k.ami.member('support', '1000')!.paused).toBe(false);
    expect(k.svc.status('1000').state).toBe('available');
  });

  it('logout removes the member everywhere; refused while a call is in progress', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.calls.active.set('1000', ['call-1']);
    const err = await kind(k.svc.login.logout('1000'));
    expect(err).toEqual({ kind: 'refused', message: 'cannot log out while calls are in progress (a supervisor may force it: --force)' });
    expect(k.ami.members).toHaveLength(2);
    k.calls.active.clear();
    await k.svc.login.logout('1000');
    expect(k.ami.members).toEqual([]);
    expect(k.svc.status('1000').state).toBe('offline');
    expect(k.events.at(-1)!.type).toBe('agent.logout');
    const s = k.db.prepare('SELECT logout_at, logout_reason FROM agent_sessions').get() as { logout_at: number };
    expect(s.logout_at).toBe(k.clock.now());
    expect((await kind(k.svc.login.logout('1000'))).message).toBe('agent 1000 is not logged in');
  });

  it('refuses logout while our own state says on-call even if the calls domain lags', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound' });
    expect((await kind(k.svc.login.logout('1000'))).message).toBe('cannot log out while calls are in progress (a supervisor may force it: --force)');
  });

  it('forced logout ends the agent\'s calls (forced-logout) then logs out; nothing ended without force', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.calls.active.set('1000', ['call-1']);
    k.svc.callConnected('1000', { callId: 'call-1', queue: 'support', direction: 'inbound' });
    // The calls domain frees the agent when it ends the call: answered → wrap-up.
    k.calls.onEnd = (ext) => k.svc.callEnded(ext, { callId: 'call-1', queue: 'support', answered: true });
    expect((await kind(k.svc.login.logout('1000'))).kind).toBe('refused');
    expect(k.calls.ended).toEqual([]);
    const r = await k.svc.login.logout('1000', 'forced-logout', { force: true });
    expect(r).toEqual({ extension: '1000', queues: ['support', 'vendas'], endedCalls: ['call-1'] });
    expect(k.calls.ended).toEqual([{ ext: '1000', reason: 'forced-logout' }]);
    expect(k.svc.status('1000').state).toBe('offline');
    expect(k.ami.members).toEqual([]);
    const s = k.db.prepare('SELECT logout_reason FROM agent_sessions').get() as { logout_reason: string };
    expect(s.logout_reason).toBe('forced-logout');
  });

  it('forced logout also closes a stale on-call state no live call backs', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'lost', queue: 'support', direction: 'inbound' });
    await k.svc.login.logout('1000', 'forced-logout', { force: true });
    expect(k.svc.status('1000').state).toBe('offline');
    expect(k.calls.ended).toEqual([]);
  });

  it('lists extensions bound to the queues, registered and not in use', async () => {
    const k = makeKit();
    expect((await k.svc.login.extensions(['support'])).map((e) => e.extension)).toEqual(['1000', '1001', '1002']);
    expect((await k.svc.login.extensions(['support', 'vendas'])).map((e) => e.extension)).toEqual(['1000', '1002']);
    k.probe.offline.add('PJSIP/1001');
    await k.svc.login.login('1000', { queues: ['support'] });
    expect((await k.svc.login.extensions(['support'])).map((e) => e.extension)).toEqual(['1002']);
    await expect(k.svc.login.extensions(['nope'])).rejects.toThrow('queue nope does not exist');
    await expect(k.svc.login.extensions([])).rejects.toThrow(/at least one queue/);
  });
});
