/**
 * app_queue `autofill`, with the simulator booted from the queues.conf we ship. Without
 * `autofill = yes` Asterisk offers only the caller at the head of a queue: measured on Asterisk
 * 22.10.1 (phones ringing 250 ms, 20 calls at 5/s, 10 free agents) 2 calls connected in 4 s and 18
 * were abandoned. These tests fail if asterisk-conf/queues.conf loses the setting.
 *
 * No daemon here: the member legs enter Stasis and nobody answers them until the test does, which
 * is what the daemon does while the agent's phone rings. Time is a FakeClock (queue timers only).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseQueuesConf, Simulator, type QueueOptions } from '../../src/sim';
import { FakeClock } from '../../src/util/clock';
import { RawAri } from './helpers';

const SHIPPED = fs.readFileSync(path.join(__dirname, '..', '..', 'asterisk-conf', 'queues.conf'), 'utf8');
const AGENTS = Array.from({ length: 10 }, (_, i) => String(1000 + i));

describe('autofill (asterisk-conf/queues.conf on the simulator)', () => {
  let sim: Simulator;
  let ari: RawAri;
  let booted = false;
  let clock: FakeClock;

  async function boot(queues: Record<string, QueueOptions>): Promise<void> {
    clock = new FakeClock();
    sim = new Simulator({ clock, queues });
    await sim.start();
    booted = true;
    ari = await RawAri.connect(sim); // the app is registered: member legs enter Stasis
    for (const ext of AGENTS) {
      sim.queues.addMember('support', { interface: `Local/${ext}@cc-agent/n`, memberName: `Agent ${ext}`, stateInterface: `hint:${ext}@agent-hints` });
    }
  }

  afterEach(async () => {
    if (!booted) return;
    booted = false;
    ari.close();
    await sim.stop();
  });

  const placeTen = () => AGENTS.map((_, i) => sim.placeQueueCall({ queue: 'support', callerNumber: `55501${String(i).padStart(2, '0')}` }));
  const states = (calls: ReturnType<typeof placeTen>) => calls.map((h) => sim.queueCall(h).state);
  const count = (calls: ReturnType<typeof placeTen>, s: string) => states(calls).filter((x) => x === s).length;
  const answerLeg = (leg2Id: string) => ari.rest('POST', `/channels/${leg2Id}/answer`);

  it('the shipped file sets autofill = yes for every queue', () => {
    const queues = parseQueuesConf(SHIPPED);
    expect(Object.keys(queues).sort()).toEqual(['support', 'vendas']);
    for (const q of Object.values(queues)) expect(q).toMatchObject({ autofill: true, strategy: 'rrmemory', timeoutMs: 15_000, retryMs: 2_000, wrapupMs: 0 });
  });

  it('shipped queues.conf: 10 callers at once with 10 free agents ring 10 agents in parallel, all connect', async () => {
    await boot(parseQueuesConf(SHIPPED));
    const calls = placeTen();
    expect(states(calls)).toEqual(Array(10).fill('ringing'));
    const rung = calls.map((h) => sim.queueCall(h).attempts[0].member.interface);
    expect(new Set(rung).size).toBe(10);
    // Phones ring a while (less than the queue timeout); then every agent answers.
    clock.advance(2000);
    expect(count(calls, 'ringing')).toBe(10);
    for (const h of calls) expect((await answerLeg(sim.queueCall(h).attempts[0].leg2Id)).status).toBe(204);
    expect(states(calls)).toEqual(Array(10).fill('connected'));
  });

  it('without autofill (Asterisk default): only the head caller is offered, the next one after it is answered', async () => {
    const withoutAutofill = SHIPPED.replace(/^autofill\s*=.*$/m, '');
    expect(withoutAutofill).not.toMatch(/^autofill/m);
    await boot(parseQueuesConf(withoutAutofill));
    const calls = placeTen();
    expect(count(calls, 'ringing')).toBe(1);
    expect(sim.queueCall(calls[0]).state).toBe('ringing');
    // The head stays at position 1 while its agent's phone rings: the others keep waiting.
    clock.advance(2000);
    expect(count(calls, 'ringing')).toBe(1);
    expect(count(calls, 'waiting')).toBe(9);
    await answerLeg(sim.queueCall(calls[0]).attempts[0].leg2Id);
    expect(sim.queueCall(calls[0]).state).toBe('connected');
    // The new head notices on its next once-a-second check (app_queue RECHECK).
    clock.advance(1000);
    expect(states(calls).slice(0, 3)).toEqual(['connected', 'ringing', 'waiting']);
    expect(count(calls, 'waiting')).toBe(8);
  });
});
