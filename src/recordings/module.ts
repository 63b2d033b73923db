/**
 * Composition of the recordings domain: the service on the calls core's events, the ARI recorder,
 * the files in recording.dir, the routes and the retention job. Entry: recordingsFactory (after
 * the calls, transfers and conference modules, so their parts are known).
 */
import type { ScheduledTask } from 'node-cron';
import type { RecordingEvent as AriRecordingEvent } from '../ari/types';
import type { CallService } from '../calls/service';
import type { DaemonModule, ModuleFactory } from '../daemon/module';
import { AriRecorder } from './ari-recorder';
import { DirRecordingFiles } from './files';
import { RECORDING_TAG, SNOOP_PREFIX, type RecordMode } from './model';
import { RecordingRepository } from './repository';
import { applyRetention, scheduleRetention } from './retention';
import { recordingRoutes } from './routes';
import { RecordingService } from './service';

export const recordingsFactory: ModuleFactory = (deps, ports): DaemonModule => {
  const control = ports.callControl as CallService | undefined;
  if (!control) throw new Error('recordings module needs the calls module (ports.callControl) first');
  const { config, db, ari, bus, clock, log } = deps;
  const repo = new RecordingRepository(db);
  const files = new DirRecordingFiles(config.recording.dir);
  const queueMode = db.prepare('SELECT record FROM queues WHERE name = ?');
  const svc = new RecordingService({
    repo,
    // Live parts first, else the stored row: after a restart the reconcile may run before the
    // calls core re-adopts a live call, and must not take it for ended.
    calls: { get: (id) => control.get(id) ?? control.repo.get(id) ?? undefined, record: (id, type, data) => control.record(id, type, data) },
    recorder: new AriRecorder(ari, clock),
    files,
    bus,
    clock,
    log: log.child({ component: 'recordings' }),
    policy: config.policy.recording,
    queueMode: (q) => ((queueMode.get(q) as { record: RecordMode | null } | undefined)?.record ?? null),
    format: config.recording.format,
    subdir: config.recording.subdir,
  });
  ports.recordings = svc;
  const unsubs: (() => void)[] = [];
  let retention: ScheduledTask | undefined;
  return {
    name: 'recordings',
    start() {
      // The snoop channels are ours: nothing to do when they enter Stasis, and after a restart they
      // are claimed (kept) while their recording is open, never hung up as orphans.
      control.onStasisStart(RECORDING_TAG, () => undefined);
      const open = () => new Set(repo.open().map((r) => r.snoopId));
      control.claimOnRecovery({ channel: (ch) => ch.id.startsWith(SNOOP_PREFIX) && open().has(ch.id) });
      unsubs.push(bus.subscribe((e) => svc.onDomainEvent(e)));
      const onRec = (e: unknown) => {
        const ev = e as AriRecordingEvent;
        const failed = ev.type === 'RecordingFailed';
        svc.finish(ev.recording.name, { reason: failed ? `failed: ${ev.recording.cause ?? 'unknown'}` : 'finished', durationSec: ev.recording.duration, failed });
      };
      unsubs.push(ari.onEvent('RecordingFinished', onRec), ari.onEvent('RecordingFailed', onRec));
      unsubs.push(
        ari.onConnected(() => {
          void svc.reconcile().then(
            (r) => r.closed > 0 && log.info('recordings re-synced after ARI connect', r),
            (err) => log.warn('recording re-sync failed', { error: (err as Error).message }),
          );
        }),
      );
      retention = scheduleRetention(svc, config.recording.retention_days, clock, log);
    },
    ready() {
      applyRetention(svc, config.recording.retention_days, clock, log);
    },
    async stop() {
      for (const u of unsubs.splice(0)) u();
      svc.stop();
      await retention?.destroy();
      retention = undefined;
    },
    routes: () =>
      recordingRoutes({
        svc,
        repo,
        files,
        callAgent: (id) => control.get(id)?.agentExt,
        now: () => clock.now(),
      }),
    health: () => ({ open: repo.open().length }),
  };
};
