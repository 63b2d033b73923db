/**
 * Recording service on the calls core with a FakeAri: which parts are recorded, pause/resume,
 * the end of a recording, failures that never touch the call, and the reconcile after a restart.
 */
import { silentLogger } from '../../src/log/logger';
import { AriRecorder } from '../../src/recordings/ari-recorder';
import type { RecordMode } from '../../src/recordings/model';
import { RecordingRepository } from '../../src/recordings/repository';
import { FINISH_GRACE_MS, RecordingService, type RecordingFiles } from '../../src/recordings/service';
import { CcError } from '../../src/util/errors';
import { flush } from '../calls/fake-ari';
import { connectedQueueCall, makeHarness, type Harness } from '../calls/harness';

class FakeFiles implements RecordingFiles {
  readonly sizes = new Map<string, number>();
  readonly removed: string[] = [];
  size(file: string) {
    return this.sizes.get(file);
  }
  remove(file: string) {
    this.removed.push(file);
    return this.sizes.delete(file);
  }
}

function setup(policy: RecordMode = 'always', queueModes: Record<string, RecordMode> = {}) {
  const h = makeHarness();
  h.agents.add('1000');
  h.svc.start();
  const repo = new RecordingRepository(h.db);
  const files = new FakeFiles();
  const rec = new RecordingService({
    repo,
    calls: h.svc,
    recorder: new AriRecorder(h.ari),
    files,
    bus: h.bus,
    clock: h.clock,
    log: silentLogger(),
    policy,
    queueMode: (q) => queueModes[q] ?? null,
    format: 'wav',
    subdir: 'callcenterd',
  });
  h.bus.subscribe((e) => rec.onDomainEvent(e));
  h.ari.onEvent('RecordingFinished', (e) => {
    const r = (e as unknown as { recording: { name: string; duration?: number } }).recording;
    rec.finish(r.name, { reason: 'finished', durationSec: r.duration });
  });
  return { h, repo, files, rec };
}

/** Every test here places one queue call, answered by agent 1000. */
const connectedCall = (h: Harness) => connectedQueueCall(h, '5511987650001');

const rejects = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return e as CcError;
  }
  throw new Error('expected a rejection');
};

describe('recordings', () => {
  it('a queue that records always: the agent device is snooped both ways and recorded under the protocol number', async () => {
    const { h, repo } = setup('always');
    const { dev, call } = await connectedCall(h);
    await flush();
    const [r] = repo.ofCall(call.id);
    expect(r).toMatchObject({ state: 'recording', startedBy: 'policy', agentExt: '1000', queue: 'support', channelId: dev, snoopId: `ccrec-${r.id}` });
    expect(r.name).toBe(`callcenterd/${call.id.slice(0, 8)}/${call.id}`);
    expect(r.file).toBe(`${r.name}.wav`);
    expect(h.ari.log).toEqual(expect.arrayContaining([`snoop ${dev} spy=both whisper=none recording,${r.id}`, `record ccrec-${r.id} ${r.name}.wav`]));
    // Hold and unhold move the customer, not the device: still one recording.
    await h.svc.actions.hold(call.id);
    await h.svc.actions.unhold(call.id);
    await flush();
    expect(repo.ofCall(call.id)).toHaveLength(1);
    const ev = h.db.prepare("SELECT data FROM call_events WHERE call_id = ? AND type = 'recording'").all(call.id) as { data: string }[];
    expect(ev.map((e) => JSON.parse(e.data).action)).toEqual(['started']);
    expect(h.events.filter((e) => e.type === 'recording.state').map((e) => e.data.state)).toEqual(['recording']);
  });

  it('pause and resume mute the recording and are kept with it; wrong moves are refused and change nothing', async () => {
    const { h, repo, rec } = setup('always');
    const { call } = await connectedCall(h);
    await flush();
    expect((await rejects(rec.act(call.id, 'resume', '1000'))).message).toBe('cannot resume a recording that is recording');
    h.clock.advance(5000);
    const paused = await rec.act(call.id, 'pause', '1000');
    expect(paused.state).toBe('paused');
    expect(h.ari.recs.get(paused.name)).toMatchObject({ muted: true });
    expect((await rejects(rec.act(call.id, 'pause', '1000'))).message).toBe('cannot pause a recording that is paused');
    h.clock.advance(12_000);
    const resumed = await rec.act(call.id, 'resume', 'sup');
    expect(resumed.state).toBe('recording');
    expect(h.ari.recs.get(paused.name)).toMatchObject({ muted: false });
    expect(repo.get(paused.id)!.pauses).toEqual([{ pausedAt: h.clock.now() - 12_000, resumedAt: h.clock.now(), pausedBy: '1000', resumedBy: 'sup' }]);
    expect((await rejects(rec.act(call.id, 'start', 'sup'))).message).toMatch(/already being recorded/);
  });

  it('the device hangs up: Asterisk finishes the recording; the row gets duration and size', async () => {
    const { h, repo, files, rec } = setup('always');
    const { dev, call } = await connectedCall(h);
    await flush();
    const [r] = repo.ofCall(call.id);
    files.sizes.set(r.file, 48_044);
    await rec.act(call.id, 'pause', '1000');
    h.ari.remoteHangup(dev);
    await flush();
    expect(h.ari.chans.has(r.snoopId!)).toBe(false);
    const done = repo.get(r.id)!;
    expect(done).toMatchObject({ state: 'done', durationMs: 3000, sizeBytes: 48_044, endReason: 'finished' }); // from the WAV's size
    expect(done.endedAt).toBe(h.clock.now());
    // A pause still open when the recording ends is closed with it.
    expect(done.pauses[0]).toMatchObject({ resumedBy: 'recording-ended' });
  });

  it('on-demand: nothing until `call record start`; never: start refused', async () => {
    const { h, repo, rec } = setup('never', { support: 'on-demand' });
    const { call } = await connectedCall(h);
    await flush();
    expect(repo.ofCall(call.id)).toEqual([]);
    const r = await rec.act(call.id, 'start', '1000');
    expect(r).toMatchObject({ state: 'recording', startedBy: '1000' });

    const other = setup('never');
    const c2 = await connectedCall(other.h);
    expect((await rejects(other.rec.act(c2.call.id, 'start', 'sup'))).message).toBe('recording is off for this call (queue support records never)');
    expect(other.repo.ofCall(c2.call.id)).toEqual([]);
  });

  it('a recorder failure marks the recording failed and leaves the call alone', async () => {
    const { h, repo, rec } = setup('on-demand');
    const { leg, dev, call } = await connectedCall(h);
    h.ari.failRecord = true;
    const err = await rejects(rec.act(call.id, 'start', 'sup'));
    expect(err.kind).toBe('refused');
    const [r] = repo.ofCall(call.id);
    expect(r).toMatchObject({ state: 'failed' });
    expect(r.endReason).toMatch(/could not start/);
    // The snoop is released; the call is untouched.
    expect(h.ari.chans.has(r.snoopId!)).toBe(false);
    expect(h.ari.canHear(leg, dev) && h.ari.canHear(dev, leg)).toBe(true);
    expect(h.svc.get(call.id)!.state).toBe('connected');
  });

  it('the part ends by the daemon (hangup request): the recording is stopped; without a "finished" report it closes from the file', async () => {
    const { h, repo, files } = setup('always');
    const { call } = await connectedCall(h);
    await flush();
    const [r] = repo.ofCall(call.id);
    files.sizes.set(r.file, 16_044);
    h.ari.disconnectAll(); // the "finished" report never arrives
    await h.svc.actions.hangup(call.id);
    await flush();
    expect(repo.get(r.id)!.state).toBe('recording');
    h.clock.advance(FINISH_GRACE_MS);
    expect(repo.get(r.id)).toMatchObject({ state: 'done', durationMs: 1000, sizeBytes: 16_044, endReason: 'call ended' });
  });

  it('reconcile after a restart: a live recording is kept, one that ended while away is closed', async () => {
    const { h, repo, files, rec } = setup('always');
    const { call } = await connectedCall(h);
    await flush();
    const [r] = repo.ofCall(call.id);
    expect(await rec.reconcile()).toEqual({ live: 1, closed: 0 });
    expect(repo.get(r.id)!.state).toBe('recording');
    h.ari.recs.get(r.name)!.state = 'done'; // finished in Asterisk while the daemon was down
    files.sizes.set(r.file, 80_044);
    expect(await rec.reconcile()).toEqual({ live: 0, closed: 1 });
    expect(repo.get(r.id)).toMatchObject({ state: 'done', durationMs: 5000, endReason: 'ended while the daemon was away' });
  });

  it('purge removes old files, keeps rows marked deleted, refuses a future date', async () => {
    const { h, repo, files, rec } = setup('always');
    const { dev, call } = await connectedCall(h);
    await flush();
    const [r] = repo.ofCall(call.id);
    files.sizes.set(r.file, 1000);
    h.ari.remoteHangup(dev);
    await flush();
    expect(rec.purge(r.startedAt)).toEqual({ deleted: 0, missing: 0 });
    h.clock.advance(1000);
    expect(rec.purge(h.clock.now())).toEqual({ deleted: 1, missing: 0 });
    expect(files.removed).toEqual([r.file]);
    expect(repo.get(r.id)).toMatchObject({ state: 'deleted', deletedAt: h.clock.now() });
    expect(() => rec.purge(h.clock.now() + 1)).toThrow(/future/);
  });
});


