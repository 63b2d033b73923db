/**
 * Options of the fault bench (`npm run chaos -- --faults kill,ami-cut --rate 10 ...`). Bad input is
 * a CcError('invalid') naming the option; main prints it and exits 2 before starting anything.
 */
import { invalid } from '../../src/util/errors';

/** `--help`: main prints USAGE and exits 0. */
export class HelpRequested extends Error {}

export const FAULTS = ['kill', 'ami-cut', 'ari-cut', 'half-open', 'asterisk-restart', 'db-lock', 'disk-full'] as const;
export type FaultName = (typeof FAULTS)[number];

export const CUSTOMER_PATHS = ['queue', 'trunk'] as const;
export type CustomerPath = (typeof CUSTOMER_PATHS)[number];

export const TOPOLOGIES = ['member-leg', 'stand-in', 'native'] as const;

export interface ChaosOptions {
  faults: FaultName[];
  /** The daemon's asterisk.queue_topology ('' = the config default, stand-in). */
  topology: '' | (typeof TOPOLOGIES)[number];
  /** How customers enter: straight into cc-queues (member-leg path) or through [cc-inbound] like trunk calls (stand-in path). */
  customers: CustomerPath;
  /** Soak minutes (0 = no soak). With --soak and no --faults, only the soak runs. */
  soakMinutes: number;
  rate: number;
  agents: number;
  talkMs: number;
  wrapupSeconds: number;
  patienceMs: number;
  /** Percentages of connected calls held, transferred back to the queue, sent to service 301. */
  holdPct: number;
  transferPct: number;
  servicePct: number;
  /** Seconds of load before the first fault, and of recovery after each one. */
  warmupSeconds: number;
  settleSeconds: number;
  json: boolean;
}

export const DEFAULTS: ChaosOptions = {
  faults: [...FAULTS],
  topology: '',
  customers: 'queue',
  soakMinutes: 0,
  rate: 10,
  agents: 60,
  talkMs: 3000,
  wrapupSeconds: 2,
  patienceMs: 30000,
  holdPct: 10,
  transferPct: 5,
  servicePct: 5,
  warmupSeconds: 15,
  settleSeconds: 20,
  json: false,
};

export const USAGE = `usage: npm run chaos -- [options]
  --faults LIST       comma-separated, in order (default all): ${FAULTS.join(',')}
  --customers PATH    queue (default): Originate into cc-queues (member-leg path, figures comparable
                      with earlier runs); trunk: Local/<did>@cc-inbound/n like a trunk call, so the
                      daemon's stand-in topology (the default queue_topology) carries the customer
  --topology T        the daemon's asterisk.queue_topology: member-leg, stand-in or native (default:
                      the config default, stand-in)
  --soak MIN          soak for MIN minutes at the steady rate (RSS, heap, event-loop lag of the daemon)
                      (alone: only the soak; with --faults: faults first, then the soak)
  --rate N            customer calls per second (default ${DEFAULTS.rate}, 1-50)
  --agents N          logged-in agents on auto-answering Local devices (default ${DEFAULTS.agents}, 1-300)
  --talk-ms N         talk time per call (default ${DEFAULTS.talkMs})
  --wrapup S          wrap-up seconds (default ${DEFAULTS.wrapupSeconds})
  --patience-ms N     a customer not connected within N ms hangs up (default ${DEFAULTS.patienceMs})
  --hold-pct P        % of connected calls held 1 s through the API (default ${DEFAULTS.holdPct})
  --transfer-pct P    % transferred back into the queue (default ${DEFAULTS.transferPct})
  --service-pct P     % sent to service 301 (default ${DEFAULTS.servicePct})
  --warmup S          seconds of load before the first fault (default ${DEFAULTS.warmupSeconds})
  --settle S          seconds of recovery after each fault (default ${DEFAULTS.settleSeconds})
  --json              print the results as JSON too`;

const INTS: Record<string, [keyof ChaosOptions, number, number]> = {
  '--soak': ['soakMinutes', 1, 1440],
  '--rate': ['rate', 1, 50],
  '--agents': ['agents', 1, 300],
  '--talk-ms': ['talkMs', 200, 600000],
  '--wrapup': ['wrapupSeconds', 0, 3600],
  '--patience-ms': ['patienceMs', 1000, 600000],
  '--hold-pct': ['holdPct', 0, 100],
  '--transfer-pct': ['transferPct', 0, 100],
  '--service-pct': ['servicePct', 0, 100],
  '--warmup': ['warmupSeconds', 0, 3600],
  '--settle': ['settleSeconds', 5, 3600],
};

export function parseChaosArgs(argv: string[]): ChaosOptions {
  const o: ChaosOptions = { ...DEFAULTS, faults: [...DEFAULTS.faults] };
  let faultsGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const [flag, inline] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw invalid(`${flag} needs a value`, { option: flag });
      return v;
    };
    if (flag === '--help' || flag === '-h') throw new HelpRequested();
    if (flag === '--json') o.json = true;
    else if (flag === '--customers') {
      const v = value();
      if (!(CUSTOMER_PATHS as readonly string[]).includes(v)) throw invalid(`--customers must be one of ${CUSTOMER_PATHS.join(', ')} (got ${v})`, { option: flag });
      o.customers = v as CustomerPath;
    }
    else if (flag === '--topology') {
      const v = value();
      if (!(TOPOLOGIES as readonly string[]).includes(v)) throw invalid(`--topology must be one of ${TOPOLOGIES.join(', ')} (got ${v})`, { option: flag });
      o.topology = v as ChaosOptions['topology'];
    }
    else if (flag === '--faults') {
      const list = value().split(',').map((s) => s.trim()).filter(Boolean);
      const bad = list.filter((f) => !(FAULTS as readonly string[]).includes(f));
      if (bad.length || list.length === 0) throw invalid(`--faults: unknown ${bad.join(', ') || '(empty)'}; known: ${FAULTS.join(', ')}`, { option: flag });
      o.faults = list as FaultName[];
      faultsGiven = true;
    } else if (INTS[flag]) {
      const [key, min, max] = INTS[flag];
      const raw = value();
      const n = Number(raw);
      if (!/^\d+$/.test(raw) || n < min || n > max) throw invalid(`${flag} must be an integer ${min}-${max} (got ${raw})`, { option: flag });
      (o as unknown as Record<string, number>)[key] = n;
    } else throw invalid(`unknown option ${arg}\n${USAGE}`, { option: arg });
  }
  if (o.soakMinutes > 0 && !faultsGiven) o.faults = [];
  if (o.holdPct + o.transferPct + o.servicePct > 100) throw invalid('--hold-pct + --transfer-pct + --service-pct cannot exceed 100', { option: '--hold-pct' });
  const busy = o.rate * (o.talkMs / 1000 + o.wrapupSeconds);
  if (busy > o.agents) {
    throw invalid(`--rate ${o.rate} × (talk ${o.talkMs / 1000} s + wrap-up ${o.wrapupSeconds} s) = ${busy} busy agents > --agents ${o.agents}: the queue would grow without faults`, { option: '--rate' });
  }
  return o;
}
