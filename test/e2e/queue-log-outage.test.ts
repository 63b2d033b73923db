/**
 * Native topology through a daemon outage on the simulator (src/queue-log; real Asterisk:
 * test/integration/native.test.ts): calls keep reaching agents while the daemon is down; the
 * simulator's app_queue writes its queue_log as Asterisk does; the daemon that comes back records
 * the answered call that began and ended meanwhile (an ended part, event `recovered`, its stay) and
 * the caller who gave up (an abandoned stay; a supervisor gives the recovered part its disposition
 * afterwards), and writes nothing twice after another restart; an
 * answer found that way wipes the agent's misses in a row counted before the outage.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AFTER_CONNECT_MS } from '../../src/queue-log/module';
import { E2E, startE2E, SUPERVISOR, until } from './helpers';

jest.setTimeout(30000);

describe('e2e: native calls during a daemon outage, recorded from queue_log', () => {
  let e: E2E | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await e?.stop();
    e = undefined;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('an answered call and an abandoned caller of the outage are in the history once the daemon is back', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-qlog-'));
    const file = path.join(dir, 'queue_log');
    const x = (e = await startE2E({ asterisk: { queue_topology: 'native', queue_log: file }, sim: { queueLogFile: file } }));
    await x.login('1000', ['support']);
    await x.daemon.stop();

    // Daemon down: Stasis() fails, [cc-inbound] goes on into Queue(), app_queue rings the device.
    const answered = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345001' });
    await until(() => x.sim.channel(x.sim.channels().find((c) => c.name.startsWith('PJSIP/1000'))?.id ?? '')?.state === 'Up', 5000, 'device answered');
    x.sim.hangupDevice(answered.channelId);
    await until(() => !x.sim.channel(answered.channelId), 5000, 'caller gone');
    // 1000 is busy: a second caller waits and gives up.
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const gaveUp = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345002' });
    await new Promise((r) => setTimeout(r, 300));
    x.sim.hangupDevice(gaveUp.channelId);
    await until(() => !x.sim.channel(gaveUp.channelId), 5000, 'second caller gone');
    expect(x.rows('SELECT id FROM calls')).toEqual([]);

    await x.startDaemon();
    const row = await until(
      () => x.rows<{ id: string }>("SELECT call_id AS id FROM call_events WHERE type = 'recovered'")[0],
      AFTER_CONNECT_MS + 5000,
      'call recovered from queue_log',
    );
    expect(x.rows('SELECT agent_ext, queue, customer_number, state, end_reason, linkedid FROM calls WHERE id = ?', row.id)).toEqual([
      { agent_ext: '1000', queue: 'support', customer_number: '11912345001', state: 'ended', end_reason: 'customer-hangup', linkedid: answered.id },
    ]);
    const stays = () => x.rows('SELECT uniqueid, outcome, agent_ext, call_id, detail FROM queue_stays ORDER BY id');
    expect(stays()).toEqual([
      { uniqueid: answered.channelId, outcome: 'answered', agent_ext: '1000', call_id: row.id, detail: 'recovered from queue_log' },
      { uniqueid: gaveUp.channelId, outcome: 'abandoned', agent_ext: null, call_id: null, detail: 'recovered from queue_log' },
    ]);
    const call = (await x.api('GET', `/calls/${row.id}`)).body;
    expect(call).toMatchObject({ id: row.id, state: 'ended', agent: '1000', disposition: null });
    // No wrap-up was opened for it: a supervisor gives its disposition afterwards.
    const late = await x.api('PUT', `/calls/${row.id}/disposition`, { disposition: 'Resolvido', notes: 'after the outage' }, SUPERVISOR);
    expect(late).toMatchObject({ status: 200, body: { callId: row.id, disposition: 'Resolvido', previous: null } });
    expect((await x.api('GET', `/calls/${row.id}`)).body).toMatchObject({ disposition: 'Resolvido' });

    // Another restart reads the same lines again: nothing is written twice.
    await x.restartDaemon();
    await new Promise((r) => setTimeout(r, AFTER_CONNECT_MS + 500));
    expect(x.rows('SELECT COUNT(*) AS n FROM calls')).toEqual([{ n: 1 }]);
    expect(stays()).toHaveLength(2);
  });

  it('a call connected before an AMI cut and ended inside it: the sweep ends it when AMI is back, queue_log gives its real end', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-qlog-'));
    const file = path.join(dir, 'queue_log');
    const x = (e = await startE2E({ asterisk: { queue_topology: 'native', queue_log: file }, sim: { queueLogFile: file } }));
    await x.login('1000', ['support']);
    const h = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345003' });
    const live = await until(async () => (await x.calls()).find((c) => c.state === 'connected' && c.agent === '1000'), 5000, 'call connected');
    x.sim.cutAmi(true);
    await until(() => x.daemon.deps.ami.state !== 'connected', 5000, 'daemon saw the AMI cut');
    x.sim.hangupDevice(h.channelId); // AgentComplete goes nowhere
    const endedAt = Date.now();
    await new Promise((r) => setTimeout(r, 1500));
    x.sim.cutAmi(false);
    const corrected = await until(
      () => x.rows<{ data: string }>("SELECT data FROM call_events WHERE call_id = ? AND type = 'corrected'", live.id)[0],
      AFTER_CONNECT_MS + 8000,
      'part corrected from queue_log',
    );
    const row = x.rows<{ ended_at: number; end_reason: string }>('SELECT ended_at, end_reason FROM calls WHERE id = ?', live.id)[0];
    expect(row.end_reason).toBe('customer-hangup');
    // queue_log has whole seconds: the real end, not the time the sweep noticed it (~1.5 s later).
    expect(Math.abs(row.ended_at - endedAt)).toBeLessThan(1000);
    expect(JSON.parse(corrected.data).before.endedAt).toBeGreaterThan(row.ended_at);
    expect(x.rows('SELECT COUNT(*) AS n FROM calls')).toEqual([{ n: 1 }]);
  });

  it('misses in a row before an AMI cut, an answer inside it: the answer found in queue_log resets them (no unfair auto-pause)', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-qlog-'));
    const file = path.join(dir, 'queue_log');
    const x = (e = await startE2E({
      asterisk: { queue_topology: 'native', queue_log: file },
      sim: { queueLogFile: file },
      policy: { max_no_answer: 3 },
      simQueues: { support: { timeoutMs: 500 } },
    }));
    await x.login('1000', ['support']);
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const first = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345010' });
    await until(async () => (await x.agent('1000')).missesInRow === 2, 8000, 'two misses');
    x.sim.hangupDevice(first.channelId);
    await until(() => !x.sim.channel(first.channelId), 5000, 'first caller gone');
    expect(await x.agent('1000')).toMatchObject({ state: 'available', missesInRow: 2 });

    x.sim.cutAmi(true);
    await until(() => x.daemon.deps.ami.state !== 'connected', 5000, 'daemon saw the AMI cut');
    x.sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 50 });
    const answered = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345011' });
    await until(() => x.sim.channel(x.sim.channels().find((c) => c.name.startsWith('PJSIP/1000'))?.id ?? '')?.state === 'Up', 5000, 'device answered');
    x.sim.hangupDevice(answered.channelId);
    await until(() => !x.sim.channel(answered.channelId), 5000, 'caller gone');
    x.sim.cutAmi(false);

    await until(async () => (await x.agent('1000')).missesInRow === 0, AFTER_CONNECT_MS + 8000, 'misses reset from queue_log');
    expect(x.rows("SELECT COUNT(*) AS n FROM call_events WHERE type IN ('recovered', 'corrected')")).toEqual([{ n: 1 }]);
    // The next miss starts a new run: the agent is not paused.
    x.sim.setDevice('PJSIP/1000', { answer: 'never' });
    const next = x.sim.placeTrunkCall({ queue: 'support', callerNumber: '11912345012' });
    await until(async () => (await x.agent('1000')).missesInRow === 1, 8000, 'one miss');
    expect((await x.agent('1000')).state).not.toBe('paused');
    x.sim.hangupDevice(next.channelId);
  });
});

