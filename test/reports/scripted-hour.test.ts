/**
 * Every report number from one known hour, played end to end (the whole daemon on the simulator,
 * src/sim) on a fake clock shared by the simulator and the daemon's domain (AMI/ARI clients keep the
 * real clock for their keepalives). Time moves only when the script says so, timer by timer, and each
 * step waits for its outcome before time moves on, so every stored time is exactly the script's.
 *
 * The expected numbers are derived by hand below from the script (seconds after 12:00:00 UTC), not
 * computed by the report code.
 *
 *   agents: 1000 and 1001 log into support at 0; 1001 pauses "Almoço" at 0 (until 900)
 *   A  support 5550001  joins 60, 1000 answers 70 (wait 10); hold 100-130; 1000 hangs up 190 → survey
 *                       (score 4 at 195); wrap-up 190-200 "Venda"
 *   B  support 5550002  joins 300 ringing 1000, caller hangs up 303 (wait 3: short abandon)
 *      1000 pauses "Banheiro" 400-700
 *   C  support 5550003  joins 420 (nobody available), hangs up 480 (wait 60: abandoned)
 *   D  vendas  5550004  joins 500 (nobody in vendas), Queue() timeout 120 s → 620 (timeout)
 *   E  support 5550005  joins 540, exit key to service 302 at 560 (wait 20: left)
 *   F  support 11987650666 (blocked at 0) joins 720, rings 1000, refused (wait 0: blocked)
 *   G  support 5550007  joins 800; rings 1000 who does not answer, ring timeout 815 (missed);
 *                       retry 817, 1000 answers 822 (wait 22); 1001 back at 900; attended transfer
 *                       to 1001 at 910, 1001 answers 920 (the customer goes on hold for the
 *                       consultation then), completed 940 (G2 transferred, held 20); 1000 wrap-up
 *                       940-950 "Resolvido"; 1001 hangs up 1000, wrap-up 1000-1020 "Venda"
 *   H  outbound 1000 → 11987650001 at 1100: agent answers 1105, customer 1110, hangup 1170;
 *                       wrap-up 1170-1180 "Venda"
 *   I  outbound 1000 → 11987650002 at 1200: agent answers 1205, no answer, hangup 1230
 *   J  callback 1000 → 11987650003 due 1300: agent answers 1305, customer 1310, hangup 1340;
 *                       wrap-up 1340-1350 "Venda"
 *      both log out at 3000; the report covers 0-3600 (support's service level 25 s, vendas 20 s)
 */
import { createAmiClient } from '../../src/ami/client';
import { createAriClient } from '../../src/ari/client';
import { FakeClock, systemClock } from '../../src/util/clock';
import { cleanupTmpDirs, runCli } from '../helpers/tmp';
import { E2E, until } from '../e2e/helpers';

jest.setTimeout(90_000);
afterAll(cleanupTmpDirs);

const clock = new FakeClock(Date.UTC(2026, 10, 21, 12, 0, 0));
const T0 = clock.now();
const S = (sec: number) => T0 + sec * 1000;

describe('reports of a scripted hour', () => {
  let e: E2E;
  const q = (sql: string, ...p: unknown[]) => e.rows(sql, ...p);

  /** Moves the shared clock to `sec`, one due timer at a time, letting the daemon react after each. */
  async function at(sec: number): Promise<void> {
    const target = S(sec);
    expect(target).toBeGreaterThanOrEqual(clock.now());
    for (let guard = 0; guard < 500; guard++) {
      const next = clock.nextTimerAt();
      if (next === undefined || next > target) break;
      clock.advance(next - clock.now());
      await new Promise((r) => setTimeout(r, 15));
    }
    clock.advance(target - clock.now());
    await new Promise((r) => setTimeout(r, 15));
  }
  /** Fires the timers due now (the simulator starts a device ringing on a 0 ms timer). */
  const fireDue = async () => {
    while ((clock.nextTimerAt() ?? Infinity) <= clock.now()) {
      clock.advance(0);
      await new Promise((r) => setTimeout(r, 15));
    }
  };
  const ringing = async (ext: string) => {
    const dev = () => e.sim.channels().find((c) => c.device === `PJSIP/${ext}` && c.kind === 'device');
    await until(dev, 5000, `${ext} originated`);
    await fireDue();
    return until(() => dev()?.state === 'Ringing' && dev(), 5000, `${ext} ringing`);
  };
  const remoteRinging = async () => {
    await until(() => e.sim.channels().find((c) => c.kind === 'remote'), 5000, 'customer dialled');
    await fireDue();
    return until(() => e.sim.channels().find((c) => c.kind === 'remote' && c.state === 'Ringing'), 5000, 'customer ringing');
  };
  const part = (where: string) => until(() => q(`SELECT * FROM calls WHERE ${where} ORDER BY started_at DESC`)[0], 5000, where);
  const stay = (number: string, outcome: string) =>
    until(() => q('SELECT * FROM queue_stays WHERE caller_number = ? AND outcome = ?', number, outcome)[0], 5000, `${number} ${outcome}`);
  const agentState = (ext: string, state: string) => e.waitAgentState(ext, state);
  const ok = async (method: string, path: string, body?: unknown) => {
    const r = await e.api(method, path, body);
    expect({ path, status: r.status < 300 ? 'ok' : r.body }).toEqual({ path, status: 'ok' });
    return r.body;
  };
  const dispose = async (ext: string, disposition: string) => {
    await ok('POST', `/agents/${ext}/wrapup`, { disposition });
    await agentState(ext, 'available');
  };
  const waiting = async (queue: string, n: number) =>
    until(async () => (await e.api('GET', `/monitor/queues/${queue}`)).body.waiting === n, 5000, `${queue} waiting ${n}`);

  beforeAll(async () => {
    e = new E2E({
      sim: { clock, timeScale: 1 },
      simQueues: { support: { timeoutMs: 15_000, retryMs: 2000 }, vendas: { timeoutMs: 15_000, retryMs: 2000, maxWaitMs: 120_000 } },
      queueSettings: { support: { surveyExtension: 'survey', serviceLevelSeconds: 25 } },
      daemon: {
        clock,
        amiFactory: (config, log) => createAmiClient({ ...config.asterisk.ami, bootGraceMs: config.asterisk.ami.boot_grace_ms, log, clock: systemClock }),
        ariFactory: (config, log) => createAriClient({ ...config.asterisk.ari, log, clock: systemClock }),
      },
    });
    await e.start();
    await playHour();
  });
  afterAll(() => e?.stop());

  async function playHour(): Promise<void> {
    const { sim } = e;
    sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 10_000 });
    sim.setDevice('PJSIP/1001', { answer: 'auto', answerDelayMs: 10_000 });
    await e.login('1000', ['support']);
    await e.login('1001', ['support']);
    await ok('POST', '/agents/1001/pause', { reason: 'Almoço' });
    await ok('POST', '/blocklist', { number: '11987650666' });
    await ok('POST', '/callbacks', { agent: '1000', number: '11987650003', at: new Date(S(1300)).toISOString() });

    // A
    await at(60);
    const hA = sim.placeQueueCall({ queue: 'support', callerNumber: '5550001' });
    await ringing('1000');
    await at(70);
    const a = await part("customer_number = '5550001' AND state = 'connected'");
    await stay('5550001', 'answered');
    await at(100);
    await ok('POST', `/calls/${a.id}/hold`);
    await part(`id = '${a.id}' AND state = 'on-hold'`);
    await at(130);
    await ok('POST', `/calls/${a.id}/unhold`);
    await part(`id = '${a.id}' AND state = 'connected'`);
    await at(190);
    sim.hangupDevice(a.agent_channel_id);
    await agentState('1000', 'wrap-up');
    await at(195);
    sim.surveyAnswer(a.customer_channel_id, '4');
    await until(() => q('SELECT * FROM call_surveys')[0], 5000, 'survey stored');
    await at(196);
    sim.customerHangup(hA);
    await at(200);
    await dispose('1000', 'Venda');

    // B: hangs up while 1000 rings
    await at(300);
    const hB = sim.placeQueueCall({ queue: 'support', callerNumber: '5550002' });
    await ringing('1000');
    await at(303);
    sim.customerHangup(hB);
    await stay('5550002', 'abandoned');
    await agentState('1000', 'available');
    await at(304); // Abandons' second pass (ABANDON_SKEW_MS)
    await part("customer_number = '5550002' AND end_reason = 'caller-abandoned'");

    // C, D, E while nobody is available
    await at(400);
    await ok('POST', '/agents/1000/pause', { reason: 'Banheiro' });
    await at(420);
    const hC = sim.placeQueueCall({ queue: 'support', callerNumber: '5550003' });
    await waiting('support', 1);
    await at(480);
    sim.customerHangup(hC);
    await stay('5550003', 'abandoned');
    await at(500);
    sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550004' });
    await waiting('vendas', 1);
    await at(540);
    const hE = sim.placeQueueCall({ queue: 'support', callerNumber: '5550005' });
    await waiting('support', 1);
    await at(560);
    sim.exitQueue(hE, 'cc-services', '302');
    await waiting('support', 0);
    await at(620);
    await stay('5550004', 'timeout');
    await stay('5550005', 'left');

    // F: blocked
    await at(700);
    await ok('POST', '/agents/1000/unpause');
    await agentState('1000', 'available');
    await at(720);
    sim.placeQueueCall({ queue: 'support', callerNumber: '11987650666' });
    await stay('11987650666', 'blocked');

    // G: missed ring, answered on the retry, attended transfer to 1001
    await at(800);
    sim.setDevice('PJSIP/1000', { answer: 'never' });
    const hG = sim.placeQueueCall({ queue: 'support', callerNumber: '5550007' });
    await ringing('1000');
    await at(815);
    await part("customer_number = '5550007' AND end_reason = 'not-answered'");
    await agentState('1000', 'available');
    sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 5000 });
    await at(817);
    await ringing('1000');
    await at(822);
    const g2 = await part("customer_number = '5550007' AND state = 'connected' AND agent_ext = '1000'");
    await at(900);
    await ok('POST', '/agents/1001/unpause');
    await agentState('1001', 'available');
    await at(910);
    await ok('POST', `/calls/${g2.id}/transfer`, { target: '1001', kind: 'attended' });
    await ringing('1001');
    await at(920);
    await until(async () => (await e.api('GET', `/calls/${g2.id}/transfer`)).body.state === 'consulting', 5000, 'consulting');
    await at(940);
    await ok('POST', `/calls/${g2.id}/transfer/complete`);
    const t = await part(`parent_id = '${g2.id}' AND kind = 'transfer' AND state = 'connected'`);
    await agentState('1000', 'wrap-up');
    await at(950);
    await dispose('1000', 'Resolvido');
    await at(1000);
    sim.hangupDevice(t.agent_channel_id);
    await agentState('1001', 'wrap-up');
    await at(1005);
    sim.customerHangup(hG);
    await at(1020);
    await dispose('1001', 'Venda');

    // H, I: outbound; J: the callback
    sim.setRemote(/11987650001/, { answer: 'auto', answerDelayMs: 5000 });
    sim.setRemote(/11987650002/, { answer: 'never' });
    sim.setRemote(/11987650003/, { answer: 'auto', answerDelayMs: 5000 });
    for (const [start, number, answered] of [
      [1100, '11987650001', true],
      [1200, '11987650002', false],
      [1300, '11987650003', true],
    ] as const) {
      await at(start);
      if (start !== 1300) await ok('POST', '/calls/dial', { agent: '1000', number });
      await ringing('1000');
      await at(start + 5);
      await remoteRinging();
      if (answered) {
        await at(start + 10);
        await part(`customer_number = '${number}' AND state = 'connected'`);
      }
      const end = answered ? start + 70 - (start === 1300 ? 30 : 0) : start + 30;
      await at(end);
      const call = await part(`customer_number = '${number}'`);
      await ok('POST', `/calls/${call.id}/hangup`);
      await part(`customer_number = '${number}' AND state = 'ended'`);
      if (answered) {
        await agentState('1000', 'wrap-up');
        await at(end + 10);
        await dispose('1000', 'Venda');
      } else {
        await agentState('1000', 'available');
      }
    }

    await at(3000);
    await ok('POST', '/agents/1000/logout');
    await ok('POST', '/agents/1001/logout');
    await agentState('1001', 'offline');
    await at(3600);
  }

  const report = async (kind: string, extra = '') => {
    const r = await e.api('GET', `/reports/${kind}?from=${T0}&to=${S(3600)}${extra}`);
    expect(r.status).toBe(200);
    return r.body;
  };

  it('the hour happened as scripted (stays and parts as the script says)', () => {
    expect(q('SELECT caller_number AS n, outcome, (left_at - joined_at) / 1000.0 AS wait FROM queue_stays ORDER BY joined_at')).toEqual([
      { n: '5550001', outcome: 'answered', wait: 10 },
      { n: '5550002', outcome: 'abandoned', wait: 3 },
      { n: '5550003', outcome: 'abandoned', wait: 60 },
      { n: '5550004', outcome: 'timeout', wait: 120 },
      { n: '5550005', outcome: 'left', wait: 20 },
      { n: '11987650666', outcome: 'blocked', wait: 0 },
      { n: '5550007', outcome: 'answered', wait: 22 },
    ]);
  });

  it('quantitative: totals', async () => {
    const r = await report('quantitative');
    expect(r.total).toEqual({
      key: null,
      // stays A B C D E F G
      offered: 7,
      answered: 2, // A, G
      answeredPct: 28.6, // 2/7
      abandoned: 1, // C (60 s)
      abandonedPct: 14.3,
      shortAbandoned: 1, // B (3 s < 5 s)
      shortAbandonedPct: 14.3,
      timedOut: 1, // D
      timedOutPct: 14.3,
      left: 1, // E
      leftPct: 14.3,
      callbackRequests: 0, // none pressed the callback key (test/e2e/queue-callback.test.ts)
      callbackRequestsPct: 0,
      blocked: 1, // F
      lost: 0,
      waiting: 0,
      // parts: A(1000), B(1000, caller hung up), F(blocked, no agent), G1(1000 missed), G2(1000), T(1001), H, I, J
      handled: 5, // A, G2, T, H, J
      transferred: 1, // G2
      transferredPct: 20, // 1/5
      rings: 5, // A, B, G1, G2, T
      missedRings: 1, // G1 (B was the caller hanging up)
      missedRingsPct: 20, // 1/5
      callbacks: 1,
      callbackConnects: 1,
      callbackConnectsPct: 100,
      outbound: 2, // H, I
      outboundConnects: 1, // H
      outboundConnectsPct: 50,
    });
  });

  it('summary: totals', async () => {
    const r = await report('summary');
    expect(r.settings).toEqual({ shortAbandonSeconds: 5, serviceLevelSeconds: 20 });
    expect(r.total).toEqual({
      key: null,
      offered: 7,
      answered: 2,
      shortAbandoned: 1,
      waiting: 0,
      answeredInServiceLevel: 2, // A 10 s, G 22 s: both within support's 25 s
      serviceLevelPct: 33.3, // 2 / (7 - 1 short - 0 waiting)
      asaSeconds: 16, // (10 + 22) / 2
      avgWaitSeconds: 33.6, // (10 + 3 + 60 + 120 + 20 + 0 + 22) / 7 = 235 / 7
      longestWaitSeconds: 120, // D
      handled: 5,
      // talk: A 190-70-30 hold = 90, G2 940-822-20 = 98, T 1000-920 = 80, H 1170-1110 = 60, J 1340-1310 = 30 → 358
      avgTalkSeconds: 71.6,
      avgHoldSeconds: 10, // A 30 + G2 20 (consultation 920-940) = 50 / 5
      avgWrapupSeconds: 12, // A 10 + G2 10 + T 20 + H 10 + J 10 = 60 / 5
      ahtSeconds: 93.6, // (358 + 50 + 60) / 5
      // 1000: available 0-60, 200-300, 303-400, 700-800, 815-817, 950-1100, 1180-1200, 1230-1300,
      //       1350-3000 = 60+100+97+100+2+150+20+70+1650 = 2249
      //       busy: ringing 60-70, 300-303, 800-815, 817-822, 1100-1110, 1200-1230, 1300-1310 = 83;
      //             on-call 70-190, 822-940, 1110-1170, 1310-1340 = 328; wrap-up 190-200, 940-950,
      //             1170-1180, 1340-1350 = 40 → 451; paused Banheiro 400-700 = 300
      // 1001: paused Almoço 0-900; available 900-910, 1020-3000 = 1990; ringing 910-920, on-call
      //       920-1000, wrap-up 1000-1020 → busy 110
      loginSeconds: 6000, // 3000 each
      availableSeconds: 4239,
      busySeconds: 561,
      occupancyPct: 11.7, // 561 / (4239 + 561)
      pauseSeconds: 1200,
      pauseByReason: { Almoço: 900, Banheiro: 300 },
      surveys: 1,
      surveyAverage: 4,
      dispositions: { Resolvido: 1, Venda: 4 }, // G2; A, T, H, J
    });
  });

  it('by queue and by agent', async () => {
    const byQueue = await report('quantitative', '&by=queue');
    expect(byQueue.rows.map((x: any) => [x.key, x.offered, x.answered, x.timedOut, x.handled])).toEqual([
      ['support', 6, 2, 0, 5], // outbound and callbacks are made for the agent's first queue, support
      ['vendas', 1, 0, 1, 0],
    ]);
    const summaryByQueue = await report('summary', '&by=queue');
    // Agent time by queue: the agents assigned to it (1000: support + vendas; 1001: support).
    expect(summaryByQueue.rows.map((x: any) => [x.key, x.loginSeconds, x.serviceLevelPct])).toEqual([
      ['support', 6000, 40], // A and G within 25 s / (6 - 1 short)
      ['vendas', 3000, 0], // D timed out: 0 / 1
    ]);
    expect(summaryByQueue.total.loginSeconds).toBe(6000); // 1000 is in both queues: counted once
    const byAgent = await report('summary', '&by=agent');
    expect(byAgent.rows.map((x: any) => [x.key, x.answered, x.handled, x.ahtSeconds, x.loginSeconds, x.occupancyPct])).toEqual([
      // 1000: A, G2, H, J: talk 90+98+60+30, hold 50, wrap-up 40 → 368/4
      ['1000', 2, 4, 92, 3000, 16.7], // 451 / (2249 + 451)
      // 1001: T: talk 80, wrap-up 20 → 100
      ['1001', 0, 1, 100, 3000, 5.2], // 110 / (1990 + 110)
      [null, 0, 0, null, 0, null], // the stays nobody answered; no agent time
    ]);
    const agentOnly = await report('summary', '&agent=1001');
    expect([agentOnly.total.offered, agentOnly.total.handled, agentOnly.total.pauseByReason, agentOnly.total.dispositions]).toEqual([0, 1, { Almoço: 900 }, { Venda: 1 }]);
    const byDisposition = await report('summary', '&by=disposition');
    expect(byDisposition.rows.map((x: any) => [x.key, x.answered, x.handled, x.loginSeconds])).toEqual([
      ['Resolvido', 1, 1, null], // G's answered part ended with Resolvido
      ['Venda', 1, 4, null], // A
      [null, 0, 0, null],
    ]);
  });

  it('detailed: the transferred contact with its three parts', async () => {
    const r = await report('detailed', '&queue=support');
    const g = r.contacts.find((c: any) => c.number === '5550007');
    expect(g.stays).toEqual([expect.objectContaining({ queue: 'support', waitSeconds: 22, outcome: 'answered', agent: '1000' })]);
    expect(g.parts.map((p: any) => [p.kind, p.agent, p.status, p.talkSeconds, p.holdSeconds, p.wrapupSeconds, p.disposition])).toEqual([
      ['inbound', '1000', 'missed', null, 0, null, null],
      ['inbound', '1000', 'transferred', 98, 20, 10, 'Resolvido'],
      ['transfer', '1001', 'answered', 80, 0, 20, 'Venda'],
    ]);
    expect(r.contacts.map((c: any) => c.number)).toEqual(['5550001', '5550002', '5550003', '5550005', '11987650666', '5550007', '11987650001', '11987650002', '11987650003']);
    expect(r.contacts[0].parts[0].surveyScore).toBe(4);
  });

  it('the CLI prints the same report as a table and as CSV', async () => {
    const args = ['report', 'summary', '--from', String(T0), '--to', String(S(3600)), '--config', e.cfgFile];
    const table = await runCli(args, { now: () => clock.now() });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^service level %\s+33.3%$/m);
    expect(table.stdout).toMatch(/^AHT\s+1:34$/m);
    expect(table.stdout).toMatch(/^pause: Almoço\s+15:00$/m);
    const csv = await runCli([...args, '--format', 'csv', '--by', 'agent'], { now: () => clock.now() });
    const [header, ...lines] = csv.stdout.trim().split('\r\n');
    expect(header.split(',').slice(0, 3)).toEqual(['agent', 'offered', 'answered']);
    expect(header).toContain('pause:Almoço');
    expect(lines.map((l) => l.split(',')[0])).toEqual(['1000', '1001', '(none)', 'TOTAL']);
    const api = await fetch(`${e.apiUrl}/reports/quantitative?from=${T0}&to=${S(3600)}`, { headers: { authorization: 'Bearer e2e-admin-token-0123456789', accept: 'text/csv' } });
    expect(api.headers.get('content-type')).toMatch(/^text\/csv/);
    expect((await api.text()).split('\r\n')[1]).toMatch(/^TOTAL,7,2,28.6,1,14.3,1,14.3,1,14.3,1,14.3,0,0,1,0,0,5,1,20,5,1,20,1,1,100,2,1,50$/);
  });
});
