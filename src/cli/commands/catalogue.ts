/**
 * Admin commands on the catalogue: queue, agent, pause-reason, disposition. They work on the DB
 * directly (no daemon needed); validation lives in the repositories, shared with the API.
 */
import { AgentCatalogueRepo, type Agent, type AgentQueue } from '../../agents/catalogue';
import { parseSetting, QueueCatalogue } from '../../queues/catalogue';
import { PauseReasonCatalogue } from '../../pause/reasons';
import { DispositionCatalogue } from '../../wrapup/dispositions';
import { invalid } from '../../util/errors';
import type { Command } from 'commander';
import type { CliContext } from '../context';
import type { PrintOptions } from '../output';

interface QueueOpts {
  wrapupSeconds?: string;
  maxNoAnswer?: string;
  callerId?: string;
  surveyExtension?: string;
  callTimeout?: string;
  record?: string;
  wrapupLimit?: string;
  serviceLevelSeconds?: string;
}

/** --wrapup-limit on|off ("" = on, the default). */
function wrapupLimit(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const t = v.trim().toLowerCase();
  if (t === '' || t === 'on') return true;
  if (t === 'off') return false;
  throw invalid(`--wrapup-limit: must be on or off (got "${v}")`, { field: 'wrapup_limit' });
}

function queueSettings(o: QueueOpts) {
  return {
    wrapupSeconds: parseSetting('--wrapup-seconds', o.wrapupSeconds, 0, 3600),
    maxNoAnswer: parseSetting('--max-no-answer', o.maxNoAnswer, 0, 100),
    callerId: o.callerId,
    surveyExtension: o.surveyExtension,
    callTimeoutSeconds: parseSetting('--call-timeout', o.callTimeout, 0, 86400),
    // "" resets to the policy; anything else is checked by the catalogue (always | never | on-demand).
    record: o.record === undefined ? undefined : ((o.record === '' ? null : o.record) as never),
    wrapupLimit: wrapupLimit(o.wrapupLimit),
    serviceLevelSeconds: parseSetting('--service-level-seconds', o.serviceLevelSeconds, 1, 3600),
  };
}

/** Drops undefined keys so update() only touches what was given. */
function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** "support,vendas:2" → [{support, default}, {vendas, 2}] */
export function parseQueueList(spec: string, defaultPenalty: string | undefined): AgentQueue[] {
  const fallback = defaultPenalty === undefined ? 0 : parseSetting('--penalty', defaultPenalty, 0, 1000) ?? 0;
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((item) => {
      const m = /^([^:]+)(?::(.*))?$/.exec(item);
      if (!m) throw invalid(`--queues: cannot read "${item}" (use name or name:penalty)`, { field: 'queues' });
      const penalty = m[2] === undefined ? fallback : (parseSetting('--queues penalty', m[2], 0, 1000) ?? fallback);
      return { queue: m[1].trim(), penalty };
    });
}

const agentRow = (a: Agent) => ({
  extension: a.extension,
  name: a.name,
  device: a.device,
  queues: a.queues.map((q) => (q.penalty ? `${q.queue}:${q.penalty}` : q.queue)).join(','),
});

/** `<group> list [--json]`: the table leaves createdAt out, the JSON keeps it. */
function listCommand<T extends { createdAt: number }>(
  ctx: CliContext,
  group: Command,
  description: string,
  list: () => T[],
  print: Pick<PrintOptions, 'empty' | 'columns'>,
  /** How a row reads in the table (JSON keeps the values as they are). */
  forTable: (row: Omit<T, 'createdAt'>) => object = (r) => r,
): void {
  group
    .command('list')
    .description(description)
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const rows = list().map(({ createdAt, ...r }) => (o.json ? { ...r, createdAt } : forTable(r)));
      ctx.print(rows, { json: o.json, ...print });
    });
}

/** `<group> remove <key>` for the catalogues keyed by one quoted name (pause reasons, dispositions). */
function removeByKeyCommand(ctx: CliContext, group: Command, key: string, what: string, remove: (key: string) => void): void {
  group
    .command('remove')
    .argument(`<${key}>`)
    .description(`remove a ${what}`)
    .action((k: string) => {
      remove(k);
      ctx.out(`${what} "${k.trim()}" removed`);
    });
}

export function registerCatalogueCommands(ctx: CliContext): void {
  const queues = () => new QueueCatalogue({ db: ctx.db() });
  const agents = () => new AgentCatalogueRepo({ db: ctx.db() });
  const reasons = () => new PauseReasonCatalogue({ db: ctx.db() });
  const dispositions = () => new DispositionCatalogue({ db: ctx.db() });

  // ---- queue
  const queue = ctx.group('queue', 'queues: catalogue (add/update/list/remove)');
  const withQueueOptions = (cmd: ReturnType<typeof queue.command>) =>
    cmd
      .option('--wrapup-seconds <n>', 'wrap-up time after each call (default: policy.wrapup_seconds)')
      .option('--max-no-answer <n>', 'unanswered calls before the agent is paused, 0 = off (default: policy)')
      .option('--caller-id <callerid>', 'outbound caller id for agents of this queue')
      .option('--survey-extension <exten>', 'extension[@context] the customer goes to when the agent hangs up')
      .option('--call-timeout <seconds>', 'max call duration, 0 = off (default: policy.call_timeout_seconds)')
      .option('--record <mode>', 'call recording: always | never | on-demand (default: policy.recording)')
      .option(
        '--wrapup-limit <on|off>',
        'on (default): wrap-up closes by itself after its seconds; off: open until the agent finishes it (closed at policy.wrapup_max_seconds)',
      )
      .option('--service-level-seconds <n>', 'service level threshold for reports (default: reports.service_level_seconds)');
  withQueueOptions(queue.command('add').argument('<name>', 'queue name as in queues.conf').description('add a queue'))
    .action((name: string, o: QueueOpts) => {
      const q = queues().add(name, queueSettings(o));
      ctx.out(`queue ${q.name} added`);
    });
  withQueueOptions(queue.command('update').argument('<name>').description('change queue settings ("" resets one to the policy default)'))
    .action((name: string, o: QueueOpts) => {
      const q = queues().update(name, defined(queueSettings(o)));
      ctx.out(`queue ${q.name} updated`);
    });
  listCommand(ctx, queue, 'list queues', () => queues().list(), {
    empty: 'no queues',
    columns: [
      'name',
      { key: 'wrapupSeconds', header: 'wrapup' },
      { key: 'maxNoAnswer', header: 'max_no_answer' },
      { key: 'callerId', header: 'caller_id' },
      { key: 'surveyExtension', header: 'survey' },
      { key: 'callTimeoutSeconds', header: 'call_timeout' },
      { key: 'record', header: 'record' },
      { key: 'wrapupLimit', header: 'wrapup_limit' },
      { key: 'serviceLevelSeconds', header: 'service_level' },
    ],
  }, (q) => ({ ...q, wrapupLimit: q.wrapupLimit ? 'on' : 'off' }));
  queue
    .command('remove')
    .argument('<name>')
    .description('remove a queue (refused while agents are assigned, unless --force)')
    .option('--force', 'also remove the queue from every agent that has it')
    .action((name: string, o: { force?: boolean }) => {
      const r = queues().remove(name, { force: o.force });
      ctx.out(`queue ${name} removed${r.removedAssignments ? ` (and from ${r.removedAssignments} agent(s))` : ''}`);
    });

  // ---- agent
  const agent = ctx.group('agent', 'agents: catalogue (add/update/list/remove) and live control (login, pause, status)');
  agent
    .command('add')
    .argument('<extension>', 'agent extension, 4 or 5 digits')
    .description('add an agent')
    .requiredOption('--name <name>', 'display name')
    .requiredOption('--device <dial>', 'Asterisk dial string of the agent phone, e.g. PJSIP/1000')
    .option('--queues <list>', 'queues the agent may log into: a,b or a:penalty,b')
    .option('--penalty <n>', 'penalty for queues listed without one (default 0)')
    .action((extension: string, o: { name: string; device: string; queues?: string; penalty?: string }) => {
      const a = agents().add({ extension, name: o.name, device: o.device, queues: parseQueueList(o.queues ?? '', o.penalty) });
      ctx.out(`agent ${a.extension} added`);
    });
  agent
    .command('update')
    .argument('<extension>')
    .description('change an agent (given --queues replaces the whole list)')
    .option('--name <name>', 'display name')
    .option('--device <dial>', 'Asterisk dial string')
    .option('--queues <list>', 'queues: a,b or a:penalty,b ("" = none)')
    .option('--penalty <n>', 'penalty for queues listed without one (default 0)')
    .action((extension: string, o: { name?: string; device?: string; queues?: string; penalty?: string }) => {
      const queuesList = o.queues === undefined ? undefined : parseQueueList(o.queues, o.penalty);
      agents().update(extension, defined({ name: o.name, device: o.device, queues: queuesList }));
      ctx.out(`agent ${extension} updated`);
    });
  agent
    .command('list')
    .description('list agents in the catalogue')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const all = agents().list();
      if (o.json) ctx.print(all, { json: true });
      else ctx.print(all.map(agentRow), { empty: 'no agents' });
    });
  agent
    .command('remove')
    .argument('<extension>')
    .description('remove an agent and its queue assignments')
    .action((extension: string) => {
      agents().remove(extension);
      ctx.out(`agent ${extension} removed`);
    });

  // ---- pause reasons
  const pause = ctx.group('pause-reason', 'pause reasons offered to agents');
  pause
    .command('add')
    .argument('<name>', 'exactly as the dialer uses it')
    .description('add a pause reason')
    .requiredOption('--status-id <n>', 'dialer status id sent with pause events')
    .action((name: string, o: { statusId: string }) => {
      const r = reasons().add(name, o.statusId);
      ctx.out(`pause reason "${r.name}" added (status id ${r.statusId})`);
    });
  listCommand(ctx, pause, 'list pause reasons', () => reasons().list(), {
    empty: 'no pause reasons',
    columns: ['name', { key: 'statusId', header: 'status_id' }],
  });
  removeByKeyCommand(ctx, pause, 'name', 'pause reason', (name) => reasons().remove(name));

  // ---- dispositions
  const disp = ctx.group('disposition', 'call dispositions (wrap-up tags)');
  disp
    .command('add')
    .argument('<tag>')
    .description('add a disposition')
    .option('--description <text>', 'what the tag means')
    .action((tag: string, o: { description?: string }) => {
      const d = dispositions().add(tag, o.description ?? '');
      ctx.out(`disposition "${d.tag}" added`);
    });
  listCommand(ctx, disp, 'list dispositions', () => dispositions().list(), { empty: 'no dispositions', columns: ['tag', 'description'] });
  removeByKeyCommand(ctx, disp, 'tag', 'disposition', (tag) => dispositions().remove(tag));
}
