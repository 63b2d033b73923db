/**
 * Call recordings through the whole daemon on the simulator (real ARI protocol: snoop channels and
 * live recordings; the sim writes the WAV files where recording.dir points): a queue that records
 * always, pause/resume from the CLI, hold, an attended transfer leaving two recordings, a daemon
 * restart mid-call, the list over CLI and API, the audio with Range, and purge.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AGENT_1000, AGENT_1001, bootEach, until, type E2E } from './helpers';

describe('e2e: call recordings', () => {
  const boot = bootEach({ '1000': ['support'] });
  const opts = { queueSettings: { support: { record: 'always' } } };

  const recordings = async (x: E2E, query: string, token?: string) => (await x.api('GET', `/recordings?${query}`, undefined, token)).body.recordings as any[];
  const recordingOf = (x: E2E, callId: string, state: string) =>
    until(async () => (await recordings(x, `call=${callId}`)).find((r) => r.state === state), 5000, `recording of ${callId} ${state}`);

  it('records the call part; pause/resume kept with it; one file at the end; list, audio (Range) and purge', async () => {
    const x = await boot(opts);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340001' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId as string;
    const live = await recordingOf(x, call, 'recording');
    expect(live).toMatchObject({ agentExt: '1000', queue: 'support', startedBy: 'policy', file: `callcenterd/${call.slice(0, 8)}/${call}.wav` });

    expect(await x.cli(['call', 'record', 'pause', call], AGENT_1000)).toMatchObject({ code: 0, stdout: `call ${call}: recording ${live.id} paused (${live.file})\n` });
    expect((await x.cli(['call', 'record', 'pause', call], AGENT_1000)).code).toBe(3);
    expect((await x.cli(['call', 'record', 'resume', call])).code).toBe(0);
    // Another agent's token may not touch it.
    expect((await x.api('POST', `/calls/${call}/record/pause`, undefined, AGENT_1001)).status).toBe(403);
    expect((await x.cli(['call', 'hold', call], AGENT_1000)).code).toBe(0);
    expect((await x.cli(['call', 'unhold', call], AGENT_1000)).code).toBe(0);
    x.sim.customerHangup(h);

    const done = await recordingOf(x, call, 'done');
    expect(done.pauses).toEqual([expect.objectContaining({ pausedBy: '1000', resumedBy: 'ops' })]);
    const file = path.join(x.dir, 'rec', done.file);
    expect(fs.statSync(file).size).toBe(done.sizeBytes);
    expect(done.durationMs).toBe(Math.round(((done.sizeBytes - 44) / 16000) * 1000));
    const events = (await x.api('GET', `/calls/${call}`)).body.events.filter((e: { type: string }) => e.type === 'recording');
    expect(events.map((e: { data: { action: string } }) => e.data.action)).toEqual(['started', 'pause', 'resume', 'finish']);

    // The agent sees its own recording; the CLI lists it.
    expect((await recordings(x, '', AGENT_1000)).map((r) => r.id)).toEqual([done.id]);
    expect((await x.cli(['recording', 'list', '--call', call])).stdout).toMatch(new RegExp(`${call}\\s+1000\\s+support`));
    const part = await fetch(`${x.apiUrl}/recordings/${done.id}/audio`, { headers: { authorization: `Bearer ${AGENT_1000}`, range: 'bytes=0-43' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).subarray(0, 4).toString()).toBe('RIFF');

    // Purge everything before "now" (the CLI and the daemon share the wall clock here).
    const purged = await x.cli(['recording', 'purge', '--before', String(Date.now())]);
    expect(purged.stdout).toMatch(/^1 recording\(s\) before .* deleted\n$/);
    expect(fs.existsSync(file)).toBe(false);
    expect((await x.api('GET', `/recordings/${done.id}/audio`)).status).toBe(404);
    expect((await x.api('GET', `/recordings/${done.id}`)).body).toMatchObject({ state: 'deleted', audioUrl: null });
  });

  it('an attended transfer: the first part and the target part are two recordings', async () => {
    const x = await boot(opts);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340002' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId as string;
    await x.login('1001', ['support']);
    await recordingOf(x, call, 'recording');
    expect((await x.api('POST', `/calls/${call}/transfer`, { target: '1001' }, AGENT_1000)).status).toBe(202);
    const child = await until(async () => (await x.calls()).find((c) => c.parentId === call && c.state === 'connected'), 5000, 'consult');
    await recordingOf(x, child.id, 'recording');
    expect((await x.api('POST', `/calls/${call}/transfer/complete`, {}, AGENT_1000)).status).toBeLessThan(300);
    const first = await recordingOf(x, call, 'done');
    x.sim.customerHangup(h);
    const second = await recordingOf(x, child.id, 'done');
    expect(second).toMatchObject({ rootId: call, agentExt: '1001' });
    expect(first.id).not.toBe(second.id);
    expect((await recordings(x, `agent=1001`)).map((r) => r.id)).toEqual([second.id]);
  });

  it('a daemon restart mid-call: the same recording goes on and is still controlled', async () => {
    const x = await boot(opts);
    const h = x.sim.placeQueueCall({ queue: 'support', callerNumber: '11912340003' });
    const call = (await x.waitAgentState('1000', 'on-call')).currentCallId as string;
    const live = await recordingOf(x, call, 'recording');
    await x.restartDaemon();
    await until(async () => (await x.api('GET', `/calls/${call}`)).body.state === 'connected', 5000, 'call adopted');
    expect((await x.api('GET', `/recordings/${live.id}`)).body.state).toBe('recording');
    expect((await x.cli(['call', 'record', 'pause', call])).code).toBe(0);
    x.sim.customerHangup(h);
    const done = await recordingOf(x, call, 'done');
    expect(done.id).toBe(live.id);
    expect(done.pauses).toHaveLength(1);
  });

  it('outbound calls follow policy.recording: recorded from the moment the customer answers', async () => {
    const x = await boot({ policy: { recording: 'always' } });
    const r = await x.cli(['call', 'dial', '1000', '(11) 98765-4321'], AGENT_1000);
    const id = /(\d{8}-\d{6})/.exec(r.stdout)![1];
    await until(async () => (await x.api('GET', `/calls/${id}`)).body.state === 'connected', 5000, 'outbound connected');
    const live = await recordingOf(x, id, 'recording');
    expect(live).toMatchObject({ agentExt: '1000', startedBy: 'policy' });
    expect((await x.cli(['call', 'hangup', id], AGENT_1000)).code).toBe(0);
    await recordingOf(x, id, 'done');
  });
});
