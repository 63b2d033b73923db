/**
 * Command-line options of the benchmarks (`npm run bench -- --calls 500 ...`). Bad input is a
 * CcError('invalid') naming the option; the entry points print it and exit 2 before starting anything.
 */
import { ARI_REST_TRANSPORTS } from '../src/config/schema';
import { invalid } from '../src/util/errors';

export interface BenchOptions {
  /** Which benchmarks to run. */
  only: 'all' | 'calls' | 'replay' | 'events' | 'reports';
  calls: number;
  agents: number;
  concurrency: number;
  talkMs: number;
  answerMs: number;
  /** policy.wrapup_seconds of the daemon under test. */
  wrapupSeconds: number;
  /** Replay rounds over all captures. */
  rounds: number;
  /** /events benchmark: clients that never read, and agent events published. */
  stalled: number;
  events: number;
  /** Reports benchmark: customer contacts in the generated month, and agents. */
  reportCalls: number;
  reportAgents: number;
  /** Daemon log level; logs go to a discarding stream, so formatting cost is measured, I/O is not. */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** Exit 1 when a figure is over budget (default: report only, exit 0). */
  strict: boolean;
  json: boolean;
  /** The SIP load bench on a real Asterisk (bench/sip-bench.ts) instead of the simulator benches. */
  asterisk: boolean;
  /** SIP bench: customer calls per second, alternating rounds, modes, agent ring time. */
  rate: number;
  sipRounds: number;
  modes: Array<'native' | 'baseline' | 'callcenterd' | 'callcenterd-http'>;
  /** SIP bench: another checkout (e.g. main) whose daemon and AMI user run as mode "baseline". */
  baseline: string;
  ringMs: number;
  /** SIP bench: asterisk.queue_topology of the callcenterd mode ('' = the config default). */
  queueTopology: '' | 'member-leg' | 'stand-in' | 'native';
  /** asterisk.ari.rest_transport of the daemon under test ('' = the config default, auto). */
  ariRest: '' | (typeof ARI_REST_TRANSPORTS)[number];
  /** SIP bench: step the rate up per mode until calls fail. */
  findMax: boolean;
  /** SIP bench: count the daemon's AMI events by name (diagnostic: costs the daemon CPU). */
  amiBreakdown: boolean;
  /** Calls bench: print the SQLite statements run during the measured calls, by SQL text. */
  sqlHistogram: boolean;
  /**
   * Calls bench: the daemon's database in memory (`:memory:`), i.e. no file I/O, no WAL, no locks:
   * the floor any persistence contract (batched commits, fewer rows) could reach (diagnostic).
   */
  dbMemory: boolean;
  /** SIP bench: write a V8 CPU profile of the daemon child into this directory. */
  daemonCpuProf: string;
  /** SIP bench: threads, context switches and syscalls per call (perf tracepoints; bench/sip-sched.ts). */
  schedCounts: boolean;
}

export const DEFAULTS: BenchOptions = {
  only: 'all',
  calls: 300,
  agents: 10,
  concurrency: 0, // 0 = as many as agents
  talkMs: 300,
  answerMs: 5,
  wrapupSeconds: 0,
  rounds: 20,
  stalled: 20,
  events: 40000,
  reportCalls: 300000,
  reportAgents: 200,
  logLevel: 'info',
  strict: false,
  json: false,
  asterisk: false,
  rate: 20,
  sipRounds: 2,
  modes: ['native', 'callcenterd'],
  ringMs: 250,
  queueTopology: '',
  ariRest: '',
  findMax: false,
  amiBreakdown: false,
  daemonCpuProf: '',
  schedCounts: false,
  sqlHistogram: false,
  dbMemory: false,
  baseline: '',
};

/** With --asterisk, options left unset take these values instead (issue 12's set-up). */
export const SIP_DEFAULTS = { calls: 400, agents: 60, talkMs: 2000 };

export const USAGE = `usage: npm run bench -- [options]
  --only all|calls|replay|events|reports  which benchmark (default all)
  --calls N                 queue calls to drive (default ${DEFAULTS.calls}, 1-100000)
  --agents N                logged-in agents with auto-answering devices (default ${DEFAULTS.agents}, 1-200)
  --concurrency N           calls in progress at once (default = agents, at most agents)
  --talk-ms N               talk time per call (default ${DEFAULTS.talkMs})
  --answer-ms N             device answer delay (default ${DEFAULTS.answerMs})
  --wrapup S                daemon wrap-up seconds (default ${DEFAULTS.wrapupSeconds}; >0 needs talk-ms long enough)
  --rounds N                replay rounds over every AMI capture (default ${DEFAULTS.rounds})
  --stalled N               /events clients that never read (default ${DEFAULTS.stalled}, 1-200)
  --events N                agent events published in the /events benchmark (default ${DEFAULTS.events})
  --report-calls N          contacts in the generated month of the reports benchmark (default ${DEFAULTS.reportCalls}, 1000-2000000)
  --report-agents N         agents in that month (default ${DEFAULTS.reportAgents}, 10-2000)
  --log-level L             daemon log level error|warn|info|debug (default info, logs discarded)
  --strict                  exit 1 when a figure is over budget
  --json                    print the results as JSON too
  --sql-histogram           calls bench: list the SQLite statements run per call by SQL text (diagnostic)
  --db-memory               calls bench: the daemon's database in memory, no file I/O (diagnostic: the floor
                            of any persistence contract; nothing survives the run)
SIP load bench on a real Asterisk (needs ASTERISK_BIN or /opt/asterisk, and sipp; says "skipped" without):
  --asterisk                run it (instead of the simulator benches); --calls (default ${SIP_DEFAULTS.calls} per window),
                            --agents (default ${SIP_DEFAULTS.agents}), --talk-ms (default ${SIP_DEFAULTS.talkMs}) apply to it
  --rate N                  customer calls per second (default ${DEFAULTS.rate}, 1-500)
  --sip-rounds N            rounds of alternating modes (default ${DEFAULTS.sipRounds})
  --modes LIST              native,baseline,callcenterd,callcenterd-http (default native,callcenterd; with
                            --baseline the first three); callcenterd-http = this daemon with
                            asterisk.ari.rest_transport http (REST over HTTP vs the event socket in one run)
  --baseline DIR            another checkout (e.g. a worktree of main) run as mode "baseline": its daemon
                            (DIR/tmp/bench/bench/sip-daemon.js, built there with this bench's sip-*.ts
                            copied in) logs in as its own AMI user with DIR/asterisk-conf/manager.conf's
                            [callcenterd] permissions and filters; README "Performance" says how
  --ring-ms N               agent phones ring this long before answering (default ${DEFAULTS.ringMs})
  --queue-topology T        the callcenterd mode's asterisk.queue_topology: member-leg, stand-in or native
                            (SIP bench default: native, as the shipped example config; simulator
                            bench: the config default; docs/CALL-TOPOLOGY.md). With --only calls:
                            customers come from the trunk through [cc-inbound] under T (without it
                            they dial straight into Queue(): the member-leg path)
  --ari-rest T              the daemon's asterisk.ari.rest_transport: auto, websocket or http (default:
                            the config default, auto); with --asterisk, of the callcenterd mode
  --find-max                per mode, step the rate up from --rate until a window has failed calls
  --ami-breakdown           count the daemon's AMI events by name (diagnostic: costs daemon CPU)
  --daemon-cpu-prof DIR     write a V8 CPU profile of the daemon child into DIR
  --sched-counts            per call, of Asterisk and the daemon: threads started, context switches, system
                            calls (perf tracepoints; load-independent, unlike CPU time; needs perf and root)`;

const INT_LIMITS: Record<string, [keyof BenchOptions, number, number]> = {
  '--calls': ['calls', 1, 100000],
  '--agents': ['agents', 1, 200],
  '--concurrency': ['concurrency', 1, 200],
  '--talk-ms': ['talkMs', 0, 60000],
  '--answer-ms': ['answerMs', 0, 10000],
  '--wrapup': ['wrapupSeconds', 0, 3600],
  '--rounds': ['rounds', 1, 10000],
  '--stalled': ['stalled', 1, 200],
  '--events': ['events', 1000, 1000000],
  '--report-calls': ['reportCalls', 1000, 2000000],
  '--report-agents': ['reportAgents', 10, 2000],
  '--rate': ['rate', 1, 500],
  '--sip-rounds': ['sipRounds', 1, 100],
  '--ring-ms': ['ringMs', 0, 10000],
};

export function parseArgs(argv: string[]): BenchOptions {
  const o: BenchOptions = { ...DEFAULTS };
  const given = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw invalid(`${flag} needs a value`, { option: flag });
      return v;
    };
    given.add(flag);
    if (flag === '--strict') o.strict = true;
    else if (flag === '--asterisk') o.asterisk = true;
    else if (flag === '--find-max') o.findMax = true;
    else if (flag === '--ami-breakdown') o.amiBreakdown = true;
    else if (flag === '--sql-histogram') o.sqlHistogram = true;
    else if (flag === '--db-memory') o.dbMemory = true;
    else if (flag === '--sched-counts') o.schedCounts = true;
    else if (flag === '--daemon-cpu-prof') o.daemonCpuProf = value();
    else if (flag === '--baseline') o.baseline = value();
    else if (flag === '--queue-topology') {
      const v = value();
      if (v !== 'member-leg' && v !== 'stand-in' && v !== 'native') throw invalid(`--queue-topology must be member-leg, stand-in or native (got ${v})`, { option: flag });
      o.queueTopology = v;
    }
    else if (flag === '--ari-rest') {
      const v = value();
      // The config's own list (asterisk.ari.rest_transport), so the two cannot drift apart.
      const known = ARI_REST_TRANSPORTS.find((t) => t === v);
      if (!known) throw invalid(`--ari-rest must be auto, websocket or http (got ${v})`, { option: flag });
      o.ariRest = known;
    }
    else if (flag === '--modes') {
      const list = value().split(',');
      if (!list.length || list.some((m) => m !== 'native' && m !== 'baseline' && m !== 'callcenterd' && m !== 'callcenterd-http')) {
        throw invalid(`--modes takes native, baseline, callcenterd and/or callcenterd-http, comma-separated (got ${list.join(',')})`, { option: flag });
      }
      o.modes = list as BenchOptions['modes'];
    }
    else if (flag === '--json') o.json = true;
    else if (flag === '--only') {
      const v = value();
      if (v !== 'all' && v !== 'calls' && v !== 'replay' && v !== 'events' && v !== 'reports') {
        throw invalid(`--only must be all, calls, replay, events or reports (got ${v})`, { option: flag });
      }
      o.only = v;
    } else if (flag === '--log-level') {
      const v = value();
      if (!['error', 'warn', 'info', 'debug'].includes(v)) throw invalid(`--log-level must be error, warn, info or debug (got ${v})`, { option: flag });
      o.logLevel = v as BenchOptions['logLevel'];
    } else if (INT_LIMITS[flag]) {
      const [key, min, max] = INT_LIMITS[flag];
      const raw = value();
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < min || n > max) throw invalid(`${flag} must be an integer ${min}-${max} (got ${raw})`, { option: flag });
      (o as unknown as Record<string, number>)[key] = n;
    } else throw invalid(`unknown option ${arg}\n${USAGE}`, { option: arg });
  }
  if (o.asterisk) {
    if (!given.has('--calls')) o.calls = SIP_DEFAULTS.calls;
    if (!given.has('--agents')) o.agents = SIP_DEFAULTS.agents;
    if (!given.has('--talk-ms')) o.talkMs = SIP_DEFAULTS.talkMs;
    // The shipped example config's topology (config/callcenterd.example.yaml).
    if (!given.has('--queue-topology')) o.queueTopology = 'native';
    if (o.baseline && !given.has('--modes')) o.modes = ['native', 'baseline', 'callcenterd'];
    if (o.modes.includes('baseline') && !o.baseline) throw invalid('mode baseline needs --baseline DIR', { option: '--modes' });
  }
  if (o.concurrency === 0) o.concurrency = o.agents;
  if (o.concurrency > o.agents) {
    throw invalid(`--concurrency (${o.concurrency}) cannot exceed --agents (${o.agents}): extra calls would only wait in the queue`, {
      option: '--concurrency',
    });
  }
  return o;
}
