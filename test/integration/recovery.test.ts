/**
 * Crash recovery against a real Asterisk: the daemon runs as a child process (`callcenterd run`),
 * is killed with SIGKILL in the middle of a queue call, and a new instance on the same DB adopts the
 * call (ARI does not replay StasisStart: DESIGN.md "Restart") and can still control it. The agent
 * device is requested with the agent leg's formats (issue 13: no transcoding in the call bridge).
 */
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('daemon crash recovery on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 2, max_no_answer: 0 },
      queues: [{ name: 'support' }],
      agents: [{ extension: '1000', queues: ['support'] }],
    });
    // The in-process daemon only filled the catalogue; the crash scenario needs a real process.
    await stack.stopDaemon();
    await stack.startDaemonProcess();
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  test('kill -9 mid-call: the call survives in Asterisk, the next instance adopts and controls it', async () => {
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    const cust = await stack.customerCalls('support');
    const call = await eventually(async () => {
      const calls = (await stack.ok('GET', '/calls?agent=1000')).calls as { state: string }[];
      return calls.find((c) => c.state === 'connected');
    }, 20_000, 'connected call (daemon process)');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const { channels, bridgeId, id } = call as any;

    // Issue 13: the device is dialled on behalf of the agent leg (ARI originator): same formats, so
    // the call bridge translates nothing. Without it the Local device came up in slin192 and every
    // call resampled 8k <-> 192k both ways: ~40 such calls at once (the backlog after a restart)
    // stalled this Asterisk until it was restarted.
    const show = async (chan: string) => {
      const name = (await stack.ari('GET', `/channels/${encodeURIComponent(chan)}`)).body.name as string;
      return stack.ast.cli(`core show channel ${name}`);
    };
    const native = (text: string) => /NativeFormats:\s*(\S+)/.exec(text)?.[1];
    const device = await show(channels.agent);
    const leg = await show(channels.customer);
    expect(native(device)).toBe(native(leg));
    expect(device).toMatch(/WriteTranscode:\s*No/);
    expect(leg).toMatch(/WriteTranscode:\s*No/);
    expect(leg).toMatch(/ReadTranscode:\s*No/);

    await stack.killDaemonProcess();
    // Nobody controls the call now, but Asterisk keeps it up: both sides still bridged.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await stack.channelExists(cust.queueSideId)).toBe(true);
    expect(await stack.channelExists(channels.agent)).toBe(true);
    if (stack.config.asterisk.queue_topology === 'native') {
      // app_queue bridged this call itself: no ARI bridge, and nothing of it in the app.
      expect(bridgeId ?? null).toBeNull();
    } else {
      const bridge = await stack.ari('GET', `/bridges/${bridgeId}`);
      expect((bridge.body.channels as string[]).sort()).toEqual([channels.agent, channels.customer].sort());
    }

    await stack.startDaemon();
    const adopted = await eventually(async () => {
      const c = await stack.ok('GET', `/calls/${id}`);
      return c.state === 'connected' ? c : undefined;
    }, 15_000, 'call adopted by the new instance');
    expect(adopted).toMatchObject({ agent: '1000', channels, bridgeId });
    expect(await stack.agent('1000')).toMatchObject({ state: 'on-call' });

    // Still under control: hold/unhold and hang up work on the adopted call.
    const held = await stack.ok('POST', `/calls/${id}/hold`);
    expect(held).toMatchObject({ state: 'on-hold' });
    await stack.ok('POST', `/calls/${id}/unhold`);
    await stack.ok('POST', `/calls/${id}/hangup`);
    await eventually(async () => !(await stack.channelExists(cust.queueSideId)), 10_000, 'customer hung up');
    expect(await stack.channelExists(channels.agent)).toBe(false);
    await eventually(async () => (await stack.agent('1000')).state === 'available', 10_000, 'agent free after wrap-up');
    expect(await stack.member('support', '1000')).toMatchObject({ Paused: '0' });
  }, 90_000);

  test('kill -9 during wrap-up, the window runs out while the daemon is down: the next instance records the automatic disposition and the agent takes the next call', async () => {
    // The previous test left the in-process daemon running: this scenario needs the real process again.
    await stack.stopDaemon();
    await stack.startDaemonProcess();
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const cust = await stack.customerCalls('support', '5511987650042');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const call: any = await eventually(async () => {
      const calls = (await stack.ok('GET', '/calls?agent=1000')).calls as { state: string }[];
      return calls.find((c) => c.state === 'connected');
    }, 20_000, 'connected call');
    await stack.hangupChannel(call.channels.agent);
    await eventually(async () => (await stack.agent('1000')).state === 'wrap-up', 10_000, 'agent 1000 in wrap-up');
    await stack.killDaemonProcess();
    // policy.wrapup_seconds is 2: the window runs out while no daemon runs.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await stack.channelExists(cust.queueSideId)).toBe(false);

    await stack.startDaemon();
    const ended = await eventually(async () => {
      const c = await stack.ok('GET', `/calls/${call.id}`);
      return c.disposition ? c : undefined;
    }, 15_000, 'disposition recorded on the call');
    expect(ended).toMatchObject({ state: 'ended', disposition: 'Tabulação automática' });
    expect(ended.events).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'disposition', data: expect.objectContaining({ by: 'timer' }) })]));
    const hist = await stack.ok('GET', '/history?agent=1000');
    expect(hist.calls.find((c: { id: string }) => c.id === call.id)).toMatchObject({ disposition: 'Tabulação automática' });
    await eventually(async () => (await stack.agent('1000')).state === 'available', 10_000, 'agent available');
    // Asterisk offers the next queue call to the agent: its Custom device state is free again.
    const next = await stack.customerCalls('support', '5511987650043');
    const call2 = await eventually(async () => {
      const calls = (await stack.ok('GET', '/calls?agent=1000')).calls as { state: string; id: string }[];
      return calls.find((c) => c.state === 'connected' && c.id !== call.id);
    }, 20_000, 'next queue call connected to agent 1000');
    await stack.ok('POST', `/calls/${call2.id}/hangup`);
    await eventually(async () => !(await stack.channelExists(next.queueSideId)), 10_000, 'second customer hung up');
  }, 90_000);
});
