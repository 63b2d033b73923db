/**
 * `callcenterd recording list|purge` (read and clean the store and recording.dir directly, no
 * daemon needed, like `history`) and `callcenterd call record start|pause|resume <call>` (live,
 * through the daemon API: Asterisk records).
 */
import { tableTime } from '../output';
import { parseSince } from '../../history/repo';
import { DirRecordingFiles } from '../../recordings/files';
import { purgeRecordings } from '../../recordings/purge';
import { RecordingRepository, type Recording } from '../../recordings/repository';
import type { CliContext } from '../context';
import { CliError } from '../errors';

const enc = encodeURIComponent;
const time = (ms: number | null) => tableTime(ms);
const secs = (ms: number | null) => (ms === null ? '' : (ms / 1000).toFixed(1));
const size = (b: number | null) => (b === null ? '' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)}M` : `${Math.round(b / 1024)}K`);

function callId(v: string): string {
  if (!/^\d{8}-\d{6}$/.test(v)) throw new CliError(2, `CALL: must be a protocol number like 20261121-000042, got "${v}"`);
  return v;
}

const row = (r: Recording) => ({
  id: r.id,
  call: r.callId,
  agent: r.agentExt ?? '',
  queue: r.queue ?? '',
  started: time(r.startedAt),
  seconds: secs(r.durationMs),
  size: size(r.sizeBytes),
  state: r.state,
  pauses: r.pauses.length || '',
  by: r.startedBy,
  file: r.state === 'deleted' ? `(deleted ${time(r.deletedAt)})` : r.file,
});

export function registerRecordingCommands(ctx: CliContext): void {
  const rec = ctx.group('recording', 'call recordings: list, purge old files');
  rec
    .command('list')
    .description('recordings, newest first (from the database)')
    .option('--call <id>', 'one call part (protocol number)')
    .option('--agent <ext>', 'one agent')
    .option('--since <time>', 'from: 2026-11-21, 2026-11-21T08:00, 30m, 2h, 7d')
    .option('--limit <n>', 'at most N rows (default 100, max 1000)', (v) => {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1000) throw new CliError(2, `--limit: 1-1000, got "${v}"`);
      return Number(v);
    })
    .option('--json', 'JSON output')
    .action((o: { call?: string; agent?: string; since?: string; limit?: number; json?: boolean }) => {
      if (o.agent && !/^\d{4,5}$/.test(o.agent)) throw new CliError(2, `--agent: an extension of 4-5 digits, got "${o.agent}"`);
      const rows = new RecordingRepository(ctx.db()).list({
        callId: o.call ? callId(o.call) : undefined,
        agent: o.agent,
        since: o.since ? parseSince(o.since, ctx.clock.now()) : undefined,
        limit: o.limit,
      });
      ctx.print(o.json ? rows : rows.map(row), { json: o.json, empty: 'no recordings' });
    });
  rec
    .command('purge')
    .description('remove the files of recordings started before a date (rows stay, marked deleted)')
    .requiredOption('--before <date>', 'e.g. 2026-01-01 or 90d (older than 90 days)')
    .action((o: { before: string }) => {
      const now = ctx.clock.now();
      const before = parseSince(o.before, now);
      const r = purgeRecordings(new RecordingRepository(ctx.db()), new DirRecordingFiles(ctx.config().recording.dir), before, now);
      ctx.out(`${r.deleted} recording(s) before ${time(before)} deleted${r.missing ? ` (${r.missing} file(s) were already gone)` : ''}`);
    });

  const call = ctx.group('call', 'live calls: dial, hold, mute, DTMF, hangup, prank, transfer, conference, room');
  const record = call.command('record').description('recording of a live call: start (on-demand queues), pause, resume');
  for (const [action, what] of [
    ['start', 'start recording the call (queues with --record on-demand, or after a failure)'],
    ['pause', 'pause the recording (card numbers, other sensitive data): silence until resume'],
    ['resume', 'resume a paused recording'],
  ] as const) {
    record
      .command(action)
      .description(what)
      .argument('<call>', 'protocol number')
      .action(async (id: string) => {
        const r = await ctx.api().request<{ id: number; state: string; file: string }>('POST', `/calls/${enc(callId(id))}/record/${action}`);
        ctx.out(`call ${id}: recording ${r.id} ${r.state} (${r.file})`);
      });
  }
}
