/**
 * Call recording on a real Asterisk (ARI snoop on the agent's device + live recording), checked on
 * the files with sox: both parties audible, hold = the agent only (no music), pause = silence, an
 * attended transfer = two files, a daemon restart mid-call = one file that goes on, audio served
 * with HTTP Range. Agents' phones play 440 Hz, customers 480 Hz (asterisk-test-conf).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describeWithAsterisk } from './asterisk';
import { ADMIN_TOKEN, eventually, SCOPED_SUPERVISOR_TOKEN, Stack } from './harness';
import { AGENT_TONE, CUSTOMER_TONE, hasSox, rms } from './tone';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Clearly present / clearly absent, for a tone measured with a narrow band-pass (levels ~0.07 vs ~0.002). */
const PRESENT = 0.02;
const ABSENT = 0.01;

const suite = hasSox() ? describeWithAsterisk : (name: string) => {
  process.stderr.write(`real-Asterisk recording checks SKIPPED: sox not installed (apt-get install sox) [${name}]\n`);
  describe.skip(`${name} (SKIPPED: no sox)`, () => test('needs sox', () => undefined));
};

suite('call recordings on a real Asterisk', (install) => {
  let stack: Stack;
  const recDir = () => stack.config.recording.dir;

  beforeAll(async () => {
    stack = await Stack.start(install, {
      policy: { wrapup_seconds: 1, max_no_answer: 0 },
      queues: [{ name: 'support', settings: { record: 'always' } }, { name: 'vendas', settings: { record: 'never' } }],
      agents: [
        { extension: '1000', queues: ['support'] },
        { extension: '1001', queues: ['vendas'] },
      ],
    });
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    await stack.ok('POST', '/agents/1001/login', { queues: ['vendas'] });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;

  async function callTo1000(number: string): Promise<{ call: Any; cust: { queueSideId: string } }> {
    await eventually(async () => (await stack.agent('1000')).state === 'available', 15_000, 'agent 1000 available');
    const cust = await stack.customerCalls('support', number);
    const call = await eventually(async () => ((await stack.ok('GET', '/calls?agent=1000')).calls as Any[]).find((c) => c.state === 'connected' && c.number === number), 20_000, 'call connected');
    return { call, cust };
  }

  async function recordingsOf(callId: string, state?: string): Promise<Any[]> {
    return eventually(async () => {
      const r = (await stack.ok('GET', `/recordings?call=${callId}`)).recordings as Any[];
      return r.length && (!state || r.every((x) => x.state === state)) ? r : undefined;
    }, 15_000, `recordings of ${callId}${state ? ` ${state}` : ''}`);
  }

  test('a queue call: both parties in one file; hold leaves the agent alone (no music); a pause is silence; audio with Range', async () => {
    // CAPTURE_DIR=test/fixtures/captures keeps this run's ARI events and measurements as fixtures.
    const capture = process.env.CAPTURE_DIR;
    const events: string[] = [];
    const steps: string[] = [];
    const t0 = Date.now();
    const step = (s: string) => steps.push(`+${((Date.now() - t0) / 1000).toFixed(2)}s ${s}`);
    const off = capture ? stack.daemon!.deps.ari.onEvent('*', (e) => void events.push(JSON.stringify(e))) : () => undefined;
    const { call } = await callTo1000('5511987652001');
    step(`queue call ${call.id} connected: agent device ${call.channels.agent}, leg ${call.channels.customer}`);
    const [live] = await recordingsOf(call.id, 'recording');
    expect(live).toMatchObject({ agentExt: '1000', queue: 'support', startedBy: 'policy', file: `callcenterd/${call.id.slice(0, 8)}/${call.id}.wav` });
    step(`recording ${live.id} (${live.file}) recording; snoop spy=both on the agent device, ARI record on the snoop`);
    await sleep(2000);
    await stack.ok('POST', `/calls/${call.id}/record/pause`);
    step('record pause (ARI POST /recordings/live/{name}/mute)');
    await sleep(2000);
    await stack.ok('POST', `/calls/${call.id}/record/resume`);
    step('record resume (ARI DELETE /recordings/live/{name}/mute)');
    await sleep(1500);
    const holdAt = Date.now();
    await stack.ok('POST', `/calls/${call.id}/hold`);
    step('hold (customer leg alone in a holding bridge with MOH)');
    await sleep(2000);
    await stack.ok('POST', `/calls/${call.id}/unhold`);
    step('unhold');
    const unholdAt = Date.now();
    await sleep(1500);
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    step('hangup (the snoop ends with the device; RecordingFinished)');

    const [rec] = await recordingsOf(call.id, 'done');
    expect(rec.pauses).toHaveLength(1);
    expect(rec.sizeBytes).toBeGreaterThan(8 * 16000 * 0.9 * 1); // ~9 s of 8 kHz 16-bit audio
    expect(rec.durationMs).toBeGreaterThan(7000);
    const file = path.join(recDir(), rec.file);
    expect(fs.statSync(file).size).toBe(rec.sizeBytes);
    const at = (ms: number) => (ms - rec.startedAt) / 1000;

    // Talking: agent (440 Hz) and customer (480 Hz) both audible.
    expect(rms(file, 0.3, 1.2, AGENT_TONE)).toBeGreaterThan(PRESENT);
    expect(rms(file, 0.3, 1.2, CUSTOMER_TONE)).toBeGreaterThan(PRESENT);
    // Paused: silence in place (the file keeps the call's timeline).
    const p = rec.pauses[0];
    expect(rms(file, at(p.pausedAt) + 0.3, (p.resumedAt - p.pausedAt) / 1000 - 0.6)).toBeLessThan(0.001);
    // On hold: the agent only; the customer hears music, which is not recorded.
    expect(rms(file, at(holdAt) + 0.4, (unholdAt - holdAt) / 1000 - 0.8, AGENT_TONE)).toBeGreaterThan(PRESENT);
    expect(rms(file, at(holdAt) + 0.4, (unholdAt - holdAt) / 1000 - 0.8, CUSTOMER_TONE)).toBeLessThan(ABSENT);
    // Back from hold: both again.
    expect(rms(file, at(unholdAt) + 0.3, 0.8, CUSTOMER_TONE)).toBeGreaterThan(PRESENT);
    off();
    if (capture) {
      const lvl = (s: number, d: number) =>
        `all ${rms(file, s, d).toFixed(4)}  440Hz ${rms(file, s, d, AGENT_TONE).toFixed(4)}  480Hz ${rms(file, s, d, CUSTOMER_TONE).toFixed(4)}`;
      steps.push(
        '',
        `===== AUDIO (sox RMS on ${rec.file}, ${rec.durationMs} ms, ${rec.sizeBytes} bytes; agent phone 440 Hz, customer 480 Hz)`,
        `talking      0.3-1.5 s: ${lvl(0.3, 1.2)}`,
        `paused       ${(at(p.pausedAt) + 0.3).toFixed(1)} s +${((p.resumedAt - p.pausedAt) / 1000 - 0.6).toFixed(1)} s: ${lvl(at(p.pausedAt) + 0.3, (p.resumedAt - p.pausedAt) / 1000 - 0.6)}`,
        `on hold      ${(at(holdAt) + 0.4).toFixed(1)} s +${((unholdAt - holdAt) / 1000 - 0.8).toFixed(1)} s: ${lvl(at(holdAt) + 0.4, (unholdAt - holdAt) / 1000 - 0.8)}`,
        `after unhold ${(at(unholdAt) + 0.3).toFixed(1)} s +0.8 s: ${lvl(at(unholdAt) + 0.3, 0.8)}`,
      );
      fs.writeFileSync(path.join(capture, 'recording.ari.jsonl'), events.join('\n') + '\n');
      fs.writeFileSync(path.join(capture, 'recording.steps.txt'), steps.join('\n') + '\n');
    }

    // The audio over the API, whole and by range (what a browser player asks when seeking).
    const url = `${stack.daemon!.apiUrl}/recordings/${rec.id}/audio`;
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const whole = await fetch(url, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(Buffer.from(await whole.arrayBuffer()).equals(fs.readFileSync(file))).toBe(true);
    const part = await fetch(url, { headers: { ...auth, range: 'bytes=44-1043' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 44-1043/${rec.sizeBytes}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(fs.readFileSync(file).subarray(44, 1044))).toBe(true);
  }, 60_000);

  test('an attended transfer leaves two recordings: the first agent part, and the target part (consultation, then the customer)', async () => {
    const { call } = await callTo1000('5511987652002');
    await recordingsOf(call.id, 'recording');
    await sleep(1000);
    await stack.api('POST', `/calls/${call.id}/transfer`, { target: '1001' });
    const consulting = await eventually(async () => {
      const t = await stack.ok('GET', `/calls/${call.id}/transfer`);
      return t.state === 'consulting' ? t : undefined;
    }, 20_000, 'consulting');
    await sleep(1500);
    await stack.ok('POST', `/calls/${call.id}/transfer/complete`);
    const completedAt = Date.now();
    await sleep(2000);
    await stack.ok('POST', `/calls/${consulting.childCallId}/hangup`);

    const [first] = await recordingsOf(call.id, 'done');
    const [second] = await recordingsOf(consulting.childCallId, 'done');
    expect(first.id).not.toBe(second.id);
    expect(first.rootId).toBe(call.id);
    expect(second).toMatchObject({ rootId: call.id, agentExt: '1001', startedBy: 'policy' });
    const all = (await stack.ok('GET', `/recordings?agent=1001`)).recordings as Any[];
    expect(all.map((r) => r.id)).toContain(second.id);
    // The target's file: the customer after the transfer.
    const f2 = path.join(recDir(), second.file);
    const after = (completedAt - second.startedAt) / 1000;
    expect(rms(f2, after + 0.4, 1.2, CUSTOMER_TONE)).toBeGreaterThan(PRESENT);
    // The first agent's file: the customer before the transfer.
    expect(rms(path.join(recDir(), first.file), 0.2, 0.6, CUSTOMER_TONE)).toBeGreaterThan(PRESENT);
  }, 60_000);

  test('a daemon restart mid-call: the recording goes on in Asterisk, is still controlled, and ends as one file', async () => {
    const { call } = await callTo1000('5511987652003');
    const [live] = await recordingsOf(call.id, 'recording');
    await sleep(1000);
    await stack.stopDaemon();
    await sleep(1500);
    await stack.startDaemon();
    await eventually(async () => (await stack.ok('GET', `/calls/${call.id}`)).state === 'connected', 15_000, 'call adopted');
    expect((await stack.ok('GET', `/recordings/${live.id}`)).state).toBe('recording');
    await stack.ok('POST', `/calls/${call.id}/record/pause`);
    await stack.ok('POST', `/calls/${call.id}/record/resume`);
    await sleep(1000);
    await stack.ok('POST', `/calls/${call.id}/hangup`);
    const [rec] = await recordingsOf(call.id, 'done');
    expect(rec.id).toBe(live.id);
    expect(rec.durationMs).toBeGreaterThan(3000);
    // The stretch while no daemon ran is in the file: both parties.
    const file = path.join(recDir(), rec.file);
    expect(rms(file, 1.3, 1.0, CUSTOMER_TONE)).toBeGreaterThan(PRESENT);
    expect(rms(file, 1.3, 1.0, AGENT_TONE)).toBeGreaterThan(PRESENT);
  }, 60_000);

  test('a queue that records never: nothing recorded, `record start` refused (409)', async () => {
    await eventually(async () => (await stack.agent('1001')).state === 'available', 15_000, 'agent 1001 available');
    await stack.customerCalls('vendas', '5511987652004');
    const call = await eventually(async () => ((await stack.ok('GET', '/calls?agent=1001')).calls as Any[]).find((c) => c.state === 'connected'), 20_000, 'vendas call');
    const r = await stack.api('POST', `/calls/${call.id}/record/start`);
    expect(r.status).toBe(409);
    expect((await stack.ok('GET', `/recordings?call=${call.id}`)).recordings).toEqual([]);
    // A supervisor scoped to the support floor: vendas and its agent are outside, refused before anything changes.
    await stack.ok('POST', '/catalogue/groups', { name: 'support-floor', queues: ['support'] });
    expect((await stack.api('POST', `/calls/${call.id}/hangup`, undefined, SCOPED_SUPERVISOR_TOKEN)).status).toBe(403);
    expect((await stack.api('POST', '/agents/1001/pause', { reason: 'x' }, SCOPED_SUPERVISOR_TOKEN)).status).toBe(403);
    expect((await stack.ok('GET', `/calls/${call.id}`)).state).toBe('connected');
    expect(await stack.channelExists(call.channels.customer)).toBe(true);
    const seen = await stack.api('GET', '/recordings', undefined, SCOPED_SUPERVISOR_TOKEN);
    expect(seen.status).toBe(200);
    expect((seen.body.recordings as Any[]).every((x) => x.queue === 'support')).toBe(true);
    expect((seen.body.recordings as Any[]).length).toBeGreaterThan(0);
    await stack.ok('POST', `/calls/${call.id}/hangup`);
  }, 40_000);
});
