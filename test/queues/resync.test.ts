import { flush, makeKit } from '../agents/helpers';

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 50 && !cond(); i++) await flush();
  expect(cond()).toBe(true);
};

describe('re-sync with QueueStatus on AMI (re)connect', () => {
  it('re-adds members lost in an Asterisk restart, with their pause and reason', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    await k.svc.login.login('1001', { queues: ['support'] });
    await k.svc.pause.pause('1001', 'Almoço');
    k.ami.restart();
    expect(k.ami.members).toEqual([]);
    const report = await k.svc.resync.run();
    expect(report.readded).toEqual([
      { extension: '1000', queue: 'support', paused: false },
      { extension: '1000', queue: 'vendas', paused: false },
      { extension: '1001', queue: 'support', paused: true },
    ]);
    expect(k.ami.member('support', '1001')).toMatchObject({
      paused: true,
      reason: 'Almoço',
      name: 'Agent 1001',
      stateInterface: 'hint:1001@agent-hints',
    });
    expect(k.ami.member('vendas', '1000')).toMatchObject({ paused: false });
    expect(k.svc.status('1001')).toMatchObject({ state: 'paused', pauseReason: 'Almoço' });
  });

  it('runs on every AMI connect and reports the result on the bus', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    k.ami.restart();
    k.ami.connect();
    await until(() => !!k.ami.member('support', '1000'));
    await until(() => k.events.some((e) => e.type === 'system'));
    const ev = k.events.find((e) => e.type === 'system')!;
    expect(ev.data).toMatchObject({ event: 'queue.resync', readded: [{ extension: '1000', queue: 'support', paused: false }] });
  });

  it('retries a failed re-sync with backoff while AMI stays up (QueueStatus fails twice, then works)', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.pause.pause('1000', 'Almoço');
    k.ami.restart();
    const booting = 'Invalid/unknown command: QueueStatus. Use Action: ListCommands to show available commands.';
    k.ami.failNext.push({ action: 'QueueStatus', message: booting }, { action: 'QueueStatus', message: booting });
    k.ami.connect();
    await until(() => k.ami.count('QueueStatus') === 1);
    await flush();
    expect(k.ami.member('support', '1000')).toBeUndefined();
    k.clock.advance(1_000); // retry 1 after 0.5-1 s
    await until(() => k.ami.count('QueueStatus') === 2);
    await flush();
    expect(k.ami.member('support', '1000')).toBeUndefined();
    k.clock.advance(2_000); // retry 2 after 1-2 s
    await until(() => !!k.ami.member('support', '1000'));
    expect(k.ami.member('support', '1000')).toMatchObject({ paused: true, reason: 'Almoço' });
    k.clock.advance(120_000);
    await flush();
    expect(k.ami.count('QueueStatus')).toBe(3);
  });

  it('a disconnect cancels the retry; the next connect starts a fresh re-sync', async () => {
    const k = makeKit();
    k.svc.start(k.ami);
    await k.svc.login.login('1000', { queues: ['support'] });
    k.ami.restart();
    k.ami.failNext.push({ action: 'QueueStatus', message: 'Invalid/unknown command: QueueStatus' });
    k.ami.connect();
    await until(() => k.ami.count('QueueStatus') === 1);
    await flush();
    k.ami.disconnect();
    k.clock.advance(120_000);
    await flush();
    expect(k.ami.count('QueueStatus')).toBe(1);
    k.ami.connect();
    await until(() => !!k.ami.member('support', '1000'));
    expect(k.ami.count('QueueStatus')).toBe(2);
  });

  it('repairs a pause changed behind our back and re-asserts the busy flag', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    await k.svc.pause.pause('1000', 'Almoço');
    k.ami.member('support', '1000')!.paused = false;
    k.ami.customStates.set('Custom:agent-1000', 'INUSE');
    const r = await k.svc.resync.run();
    expect(r.repaused).toEqual([{ extension: '1000', queue: 'support', paused: true, reason: 'Almoço' }]);
    expect(k.ami.member('support', '1000')).toMatchObject({ paused: true, reason: 'Almoço' });
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('NOT_INUSE');
  });

  it('keeps the busy flag during wrap-up', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    k.svc.callConnected('1000', { callId: 'c', queue: 'support', direction: 'inbound' });
    k.svc.callEnded('1000', { callId: 'c', queue: 'support', answered: true });
    k.ami.customStates.clear();
    await k.svc.resync.run();
    expect(k.ami.customStates.get('Custom:agent-1000')).toBe('INUSE');
  });

  it('reports members no session owns; removes them only when configured, never static ones', async () => {
    const ghost = {
      queue: 'support',
      iface: 'Local/1002@cc-agent/n',
      name: 'Agent 1002',
      stateInterface: 'hint:1002@agent-hints',
      paused: false,
      reason: '',
      membership: 'dynamic',
    };
    const stat = { ...ghost, iface: 'PJSIP/9000', name: 'static', membership: 'static' };
    const k = makeKit();
    k.ami.members.push({ ...ghost }, { ...stat });
    const r = await k.svc.resync.run();
    expect(r.unknown.map((u) => u.interface)).toEqual(['Local/1002@cc-agent/n', 'PJSIP/9000']);
    expect(r.removed).toEqual([]);
    expect(k.ami.members).toHaveLength(2);

    const k2 = makeKit({ policy: { remove_unknown_members: true } });
    k2.ami.members.push({ ...ghost }, { ...stat });
    const r2 = await k2.svc.resync.run();
    expect(r2.removed).toEqual([{ queue: 'support', interface: 'Local/1002@cc-agent/n' }]);
    expect(k2.ami.members.map((m) => m.iface)).toEqual(['PJSIP/9000']);
  });

  it('after a change of queue_topology, members the other topology left are removed (the agent would ring twice)', async () => {
    const k = makeKit({ native: true });
    await k.svc.login.login('1000', { queues: ['support'] });
    const device = k.ami.members.find((m) => m.queue === 'support')!;
    expect(device.iface).toBe('PJSIP/1000');
    const leftover = { ...device, iface: 'Local/1000@cc-agent/n', membership: 'dynamic' };
    const stranger = { ...device, iface: 'Local/1002@cc-agent/n', name: 'Agent 1002', membership: 'dynamic' };
    k.ami.members.push(leftover, stranger);
    const r = await k.svc.resync.run();
    expect(r.removed).toEqual([{ queue: 'support', interface: 'Local/1000@cc-agent/n' }]);
    // 1002 has no session in support: not ours to remove without remove_unknown_members.
    expect(r.unknown.map((u) => u.interface)).toEqual(['Local/1002@cc-agent/n']);
    expect(k.ami.members.map((m) => m.iface).sort()).toEqual(['Local/1002@cc-agent/n', 'PJSIP/1000']);

    // And back: a stand-in daemon finds the device member of a logged-in agent.
    const k2 = makeKit();
    await k2.svc.login.login('1000', { queues: ['support'] });
    k2.ami.members.push({ ...k2.ami.member('support', '1000')!, iface: 'PJSIP/1000' });
    const r2 = await k2.svc.resync.run();
    expect(r2.removed).toEqual([{ queue: 'support', interface: 'PJSIP/1000' }]);
    expect(k2.ami.members.map((m) => m.iface)).toEqual(['Local/1000@cc-agent/n']);
  });

  it('collects per-member errors instead of aborting', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support', 'vendas'] });
    k.ami.restart();
    k.ami.failNext.push({ action: 'QueueAdd', message: 'Unable to add interface to queue: No such queue' });
    const r = await k.svc.resync.run();
    expect(r.errors).toEqual(['QueueAdd support Local/1000@cc-agent/n: AMI QueueAdd failed: Unable to add interface to queue: No such queue']);
    expect(r.readded).toEqual([{ extension: '1000', queue: 'vendas', paused: false }]);
  });
});
