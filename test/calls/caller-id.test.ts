/**
 * Caller ids from the trunk are untrusted: sanitised once where the channel enters Stasis (the
 * router), so nothing the caller chose can break the `"name" <number>` callerId the daemon sends
 * with each originate (agent device, transfer target, conference leg), nor reach SQLite raw.
 */
import type { Simulator } from '../../src/sim';
import { until, world, type World } from '../transfers/sim-harness';
import { flush } from './fake-ari';
import { makeHarness, type Harness } from './harness';

const EVIL_NAME = 'Eve"\r\n<sip:evil>\x00\x1b[31m';
/** What a trunk can put in the number too (no CR/LF: AMI would not frame it, see src/sim/queues.ts). */
const EVIL_NUMBER = '5550101"<sip:evil>\x00\x1b[31m';

/** Control characters, line separators, bidi controls. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** One quoted name, one <number>, nothing that could end either early. */
function expectWellFormed(callerId: unknown): void {
  expect(typeof callerId).toBe('string');
  const s = callerId as string;
  expect(s).not.toMatch(UNPRINTABLE);
  expect(s).toMatch(/^"[^"<>\\]*" <[^"<>\\]+>$/);
}

describe('caller id from the trunk (fake ARI)', () => {
  let h: Harness;
  beforeEach(() => {
    h = makeHarness();
    h.agents.add('1000');
    h.svc.start();
  });
  afterEach(() => h.svc.stop());

  it('queue leg: the agent device callerId and the stored number carry no control characters', async () => {
    h.svc.inbound.onAgentCalled({ Event: 'AgentCalled', Linkedid: 'lk-1', Queue: 'support', Channel: 'Local/support@queues-1;2' });
    h.ari.enterStasis(['agent-leg', '1000', 'lk-1'], { number: EVIL_NUMBER, callerName: EVIL_NAME });
    await flush();
    const [orig] = h.ari.originates;
    expect(orig.endpoint).toBe('PJSIP/1000');
    expect(orig.callerId).toBe('"Eve\'sip:evil[31m" <5550101sip:evil[31m>');
    expectWellFormed(orig.callerId);
    const call = h.svc.list()[0];
    expect(call.customerNumber).toBe('5550101"<sip:evil>[31m');
    expect(h.svc.repo.get(call.id)!.customerNumber).toBe('5550101"<sip:evil>[31m');
  });

  it('direct call to an agent: same; a number longer than 32 characters is cut', async () => {
    h.ari.enterStasis(['inbound', 'agent', '1000'], { number: `${'9'.repeat(40)}\x1b`, callerName: `${'N'.repeat(100)}\r\n` });
    await flush();
    const [orig] = h.ari.originates;
    expect(orig.callerId).toBe(`"${'N'.repeat(64)}" <${'9'.repeat(32)}>`);
    expect(h.svc.list()[0].customerNumber).toBe('9'.repeat(32));
  });

  it('a withheld number ("anonymous") passes unchanged', async () => {
    h.ari.enterStasis(['agent-leg', '1000', 'lk-2'], { number: 'anonymous', callerName: 'Anonymous' });
    await flush();
    expect(h.ari.originates[0].callerId).toBe('"Anonymous" <anonymous>');
    expect(h.svc.list()[0].customerNumber).toBe('anonymous');
  });
});

describe('caller id from the trunk (simulator: agent device, transfer target, conference leg)', () => {
  let w: World;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(async () => {
    await w.stop();
  });

  /** The callerId of the daemon's POST /channels for this endpoint (ARI originate). */
  const callerIdFor = (sim: Simulator, endpoint: string) =>
    sim.actions.find((a) => a.proto === 'ari' && a.name === 'POST /channels' && a.params.endpoint === endpoint)?.params.callerId;

  it(`caller name ${JSON.stringify(EVIL_NAME)}: no originate callerId carries any of it raw`, async () => {
    const { call } = await w.connectedCall(EVIL_NUMBER, EVIL_NAME);
    const device = callerIdFor(w.sim, 'PJSIP/1000');
    expectWellFormed(device);
    expect(device).toContain('Eve');

    await w.transfers.transfers.start(call.id, { target: '1001' });
    await until(() => w.transfers.transfers.get(call.id)?.state === 'consulting');
    expectWellFormed(callerIdFor(w.sim, 'PJSIP/1001'));
    await w.transfers.transfers.cancel(call.id);

    const m = await w.conference.conference.add(call.id, '1002');
    await until(() => m.channelId && w.sim.channel(m.channelId));
    expectWellFormed(callerIdFor(w.sim, 'PJSIP/1002'));
  });
});
