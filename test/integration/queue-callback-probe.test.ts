import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

describeWithAsterisk('probe', (install) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start(install, { queues: [{ name: 'support' }], agents: [{ extension: '1000', queues: ['support'] }] });
  }, 90_000);
  afterAll(async () => { await stack?.stop(); }, 30_000);
  test('exit key', async () => {
    const a = await stack.customerCalls('support', '5511987650001');
    const b = await stack.customerCalls('support', '5511987650002');
    await eventually(async () => (await stack.ok('GET', '/monitor/queues/support')).waiting === 2, 10_000, 'waiting');
    const n0 = stack.ami.events.length;
    const h = (await stack.ari('GET', `/channels/${b.id}`)).body.name as string;
    await stack.ami.action('PlayDTMF', { Channel: h, Digit: '1', Duration: 250 });
    const ch = await eventually(async () => { const r = await stack.ari('GET', `/channels/${b.queueSideId}`); return r.body?.dialplan?.app_name === 'Stasis' ? r.body : undefined; }, 10_000, 'in stasis');
    console.log(JSON.stringify(ch, null, 1));
    console.log(JSON.stringify(stack.ami.events.slice(n0).filter((e) => /Queue|UserEvent/.test(e.Event)), null, 1));
    void a;
  }, 60_000);
});
