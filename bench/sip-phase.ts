/**
 * One measured window of the SIP bench in one mode:
 *   native       agents are app_queue members PJSIP/<ext> (AMI QueueAdd); app_queue rings and bridges.
 *   callcenterd  the daemon (child process, bench/sip-daemon.ts) logs the agents in; customers take
 *                the shipped [cc-inbound] path and the daemon's topology (docs/CALL-TOPOLOGY.md).
 * Set-up, an unmeasured warm-up, then the window: CPU of Asterisk and of the daemon from /proc,
 * SIPp's call counts, the answer-to-connected latency and media samples, then tear-down.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AmiClient, AmiEvent } from '../src/ami/types';
import { procCpuMs, type BenchAsterisk } from './sip-asterisk';
import { countSched, type SchedCounts } from './sip-sched';
import { DaemonProcess, type DaemonCounters } from './sip-daemon';
import { freeUdpPair, startCustomers, type SippDirs } from './sip-sipp';

/** callcenterd-http: this checkout's daemon with asterisk.ari.rest_transport http (same-run comparison with the event socket). */
export type Mode = 'native' | 'baseline' | 'callcenterd' | 'callcenterd-http';
export const QUEUE = 'support';

export interface PhaseEnv {
  ast: BenchAsterisk;
  ami: AmiClient;
  sipp: SippDirs;
  agents: string[];
  dir: string;
  logLevel: string;
  breakdown: boolean;
  /** --sched-counts: count threads, context switches and syscalls of Asterisk and the daemon. */
  schedCounts?: boolean;
  /** node flags of the daemon child (e.g. --cpu-prof). */
  daemonNodeArgs: string[];
  /** Mode baseline: the other checkout's compiled daemon entry and its AMI user. */
  baseline?: { entry: string; amiUser: string };
  /** asterisk.queue_topology of the callcenterd mode ('' = the config default). */
  queueTopology?: string;
  /** asterisk.ari.rest_transport of the callcenterd mode ('' = the config default). */
  ariRest?: string;
  say: (line: string) => void;
}

export interface PhaseResult {
  mode: Mode;
  rate: number;
  calls: number;
  successful: number;
  failed: number;
  errors: string;
  asteriskCpuMs: number;
  daemonCpuMs?: number;
  /** Daemon CPU with no call at all (ms per second, 3 s before the window): its fixed cost. */
  daemonIdleMsPerS?: number;
  wallMs: number;
  latenciesMs: number[];
  media: { ok: number; bad: number; badSample: string[] };
  counters?: Omit<DaemonCounters, 'amiByName' | 'sqlBySource'>;
  amiByName?: Record<string, number>;
  sqlBySource?: Record<string, number>;
  /** --sched-counts, over the window (from ~0.5 s before it: perf needs a moment to attach). */
  sched?: { asterisk?: SchedCounts; daemon?: SchedCounts };
}

/**
 * Answer-to-connected latency, from the bench's own AMI session: "answered" = Newstate Up of the
 * agent's device channel PJSIP/<ext>-… (Asterisk got the phone's 200 OK); "connected" = the later of
 * app_queue's AgentConnect for that agent and the device channel's BridgeEnter (in callcenterd mode
 * that is the daemon's bridge; the customer side is bridged by app_queue when AgentConnect fires).
 * Agents take one call at a time, so the extension keys the call.
 */
export class LatencyProbe {
  private answered = new Map<string, number>();
  private connect = new Map<string, number>();
  private bridged = new Map<string, number>();
  samples: number[] = [];
  private readonly offs: Array<() => void>;

  constructor(ami: AmiClient) {
    const dev = (ch: string | undefined) => /^PJSIP\/(\d{4,5})-/.exec(ch ?? '')?.[1];
    this.offs = [
      ami.onEvent('Newstate', (e: AmiEvent) => {
        const ext = dev(e.Channel);
        if (!ext || e.ChannelState !== '6') return;
        const now = performance.now();
        this.answered.set(ext, now);
        for (const m of [this.connect, this.bridged]) if ((m.get(ext) ?? now) < now - 5000) m.delete(ext);
        this.check(ext);
      }),
      ami.onEvent('AgentConnect', (e: AmiEvent) => {
        const ext = /(\d{4,5})/.exec(e.Interface ?? e.MemberName ?? '')?.[1];
        if (ext) this.mark(this.connect, ext);
      }),
      ami.onEvent('BridgeEnter', (e: AmiEvent) => {
        const ext = dev(e.Channel);
        if (ext) this.mark(this.bridged, ext);
      }),
    ];
  }

  private mark(m: Map<string, number>, ext: string) {
    m.set(ext, performance.now());
    this.check(ext);
  }

  private check(ext: string) {
    const a = this.answered.get(ext);
    const c = this.connect.get(ext);
    const b = this.bridged.get(ext);
    if (a === undefined || c === undefined || b === undefined) return;
    this.samples.push(Math.max(0, Math.max(c, b) - a));
    this.answered.delete(ext);
    this.connect.delete(ext);
    this.bridged.delete(ext);
  }

  reset(): void {
    this.samples = [];
  }
  close(): void {
    for (const off of this.offs) off();
  }
}

/**
 * `pjsip show channelstats`: every bridged PJSIP channel up for a second or more must have received
 * AND sent RTP packets (agent legs: the customer's audio out, the phone's echo in; customer legs:
 * their audio in, the agent's echo out).
 */
export function checkMedia(text: string, acc: PhaseResult['media']): void {
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-f]{8})\s+(\S+)\s+(\d\d):(\d\d):(\d\d)\s+\S+\s+(\d+)\s+\d+\s+\d+\s+\S+\s+(\d+)/.exec(line);
    if (!m) continue;
    const upS = Number(m[3]) * 3600 + Number(m[4]) * 60 + Number(m[5]);
    if (upS < 1) continue;
    const [rx, tx] = [Number(m[6]), Number(m[7])];
    if (rx > 0 && tx > 0) acc.ok++;
    else {
      acc.bad++;
      if (acc.badSample.length < 3) acc.badSample.push(line.trim());
    }
  }
}

async function waitIdle(ast: BenchAsterisk, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const n = Number(/(\d+) active channel/.exec(await ast.cli('core show channels count'))?.[1] ?? NaN);
    if (n === 0 || Date.now() > end) return n;
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function waitMembers(ast: BenchAsterisk, n: number, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const text = await ast.cli(`queue show ${QUEUE}`);
    const members = text.split('\n').filter((l) => /^\s+(PJSIP|Local)\//.test(l) || /\((PJSIP|Local)\//.test(l)).length;
    if (members >= n) return;
    if (Date.now() > end) throw new Error(`only ${members}/${n} members in queue ${QUEUE} after ${timeoutMs} ms:\n${text}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ADMIN = 'sip-bench-admin-token-0123456789abcdef';

async function startDaemon(env: PhaseEnv, tag: string, mode: Mode): Promise<DaemonProcess> {
  const base = mode === 'baseline' ? env.baseline : undefined;
  if (mode === 'baseline' && !base) throw new Error('mode baseline needs --baseline DIR');
  const d = new DaemonProcess(env.daemonNodeArgs, base?.entry);
  const { http, ami } = env.ast.ports;
  const { apiUrl } = await d.start({
    baseDir: env.dir,
    logLevel: env.logLevel,
    breakdown: env.breakdown,
    config: {
      asterisk: {
        ari: {
          url: `http://127.0.0.1:${http}`,
          username: 'callcenterd',
          password: env.ast.secrets.ari,
          app: 'callcenter',
          ...(mode === 'callcenterd-http' ? { rest_transport: 'http' } : mode === 'callcenterd' && env.ariRest ? { rest_transport: env.ariRest } : {}),
        },
        ami: { host: '127.0.0.1', port: ami, username: base?.amiUser ?? 'callcenterd', secret: env.ast.secrets.ami },
        ...(mode !== 'baseline' && env.queueTopology ? { queue_topology: env.queueTopology } : {}),
        // As the shipped example config: native reads app_queue's queue_log (src/queue-log).
        ...(mode !== 'baseline' && env.queueTopology === 'native' ? { queue_log: path.join(env.ast.dir, 'log', 'queue_log') } : {}),
      },
      database: { path: path.join(env.dir, `daemon-${tag}.db`) },
      api: { listen: '127.0.0.1:0', tokens: [{ token: ADMIN, role: 'admin', name: 'bench' }] },
      log: { level: env.logLevel },
      // No auto-pause on a miss: a slow ring under load must not take agents out of the run.
      policy: { wrapup_seconds: 0, max_no_answer: 0 },
    },
  });
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${apiUrl}${p}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} ${p}: HTTP ${res.status} ${await res.text()}`);
  };
  await api('POST', '/catalogue/queues', { name: QUEUE });
  for (const ext of env.agents) {
    await api('POST', '/catalogue/agents', { extension: ext, name: `Agent ${ext}`, device: `PJSIP/${ext}`, queues: [{ queue: QUEUE, penalty: 0 }] });
    await api('POST', `/agents/${ext}/login`, { queues: [QUEUE] });
  }
  return d;
}

async function removeMembers(env: PhaseEnv): Promise<void> {
  const text = await env.ast.cli(`queue show ${QUEUE}`);
  const ifaces = [...text.matchAll(/\(((?:PJSIP|Local)\/[^\s)]+)/g)].map((m) => m[1]).concat([...text.matchAll(/^\s+((?:PJSIP|Local)\/\S+)/gm)].map((m) => m[1]));
  for (const iface of new Set(ifaces)) await env.ami.action('QueueRemove', { Queue: QUEUE, Interface: iface }).catch(() => undefined);
}

let phaseSeq = 0;

export async function runPhase(env: PhaseEnv, mode: Mode, rate: number, calls: number): Promise<PhaseResult> {
  const tag = `${++phaseSeq}-${mode}`;
  let daemon: DaemonProcess | undefined;
  const probe = new LatencyProbe(env.ami);
  try {
    await removeMembers(env);
    if (mode === 'native') {
      for (const ext of env.agents) await env.ami.action('QueueAdd', { Queue: QUEUE, Interface: `PJSIP/${ext}`, MemberName: `Agent ${ext}` });
    } else daemon = await startDaemon(env, tag, mode);
    await waitMembers(env.ast, env.agents.length, 20000);
    const service = mode === 'native' ? 'native' : 'cc';
    const asteriskSip = env.ast.ports.sip;
    // Warm-up (JIT, prepared statements, keep-alive sockets, Asterisk's caches): not measured.
    const warm = startCustomers(env.sipp, { asteriskSip, service, calls: Math.min(calls, Math.max(10, rate * 2)), rate, mediaPort: await freeUdpPair() });
    await warm.wait();
    await waitIdle(env.ast, 30000);

    let daemonIdleMsPerS: number | undefined;
    if (daemon) {
      const i0 = procCpuMs(daemon.pid);
      await new Promise((r) => setTimeout(r, 3000));
      const i1 = procCpuMs(daemon.pid);
      if (i0 !== undefined && i1 !== undefined) daemonIdleMsPerS = (i1 - i0) / 3;
    }
    probe.reset();
    const media = { ok: 0, bad: 0, badSample: [] as string[] };
    const dpid = daemon?.pid;
    const sched = env.schedCounts && env.ast.pid !== undefined
      ? { asterisk: countSched(env.ast.pid), daemon: dpid !== undefined ? countSched(dpid) : undefined }
      : undefined;
    if (sched) await new Promise((r) => setTimeout(r, 500));
    const c0 = await daemon?.counters();
    const a0 = procCpuMs(env.ast.pid) ?? NaN;
    const d0 = procCpuMs(daemon?.pid);
    const t0 = performance.now();
    const uac = startCustomers(env.sipp, { asteriskSip, service, calls, rate, mediaPort: await freeUdpPair() });
    let running = true;
    const done = uac.wait().finally(() => (running = false));
    // Media samples: a few during the window (each costs Asterisk one CLI session, same in both modes).
    for (let i = 0; i < 4 && running; i++) {
      await Promise.race([done, new Promise((r) => setTimeout(r, 3000))]);
      if (running) checkMedia(await env.ast.cli('pjsip show channelstats'), media);
    }
    await done;
    const left = await waitIdle(env.ast, 30000);
    const wallMs = performance.now() - t0;
    const a1 = procCpuMs(env.ast.pid) ?? NaN;
    const d1 = procCpuMs(daemon?.pid);
    const c1 = await daemon?.counters();
    const schedCounts = sched ? { asterisk: await sched.asterisk.stop(), daemon: await sched.daemon?.stop() } : undefined;
    const st = uac.stats();
    let errors = uac.errors();
    if (left) errors = `${left} channels still up 30 s after the last call; ${errors}`;
    const r: PhaseResult = {
      mode,
      rate,
      calls: st.created,
      successful: st.successful,
      failed: st.failed + (st.created < calls ? calls - st.created : 0),
      errors: st.failed ? errors : left ? errors : '',
      asteriskCpuMs: a1 - a0,
      daemonCpuMs: d0 !== undefined && d1 !== undefined ? d1 - d0 : undefined,
      daemonIdleMsPerS,
      wallMs,
      latenciesMs: probe.samples,
      media,
      sched: schedCounts,
    };
    if (c0 && c1) {
      r.counters = {
        amiEvents: c1.amiEvents - c0.amiEvents,
        ariEvents: c1.ariEvents - c0.ariEvents,
        ariRequests: c1.ariRequests - c0.ariRequests,
        ariOverSocket: c1.ariOverSocket - c0.ariOverSocket,
        amiActions: c1.amiActions - c0.amiActions,
        sqlWrites: c1.sqlWrites - c0.sqlWrites,
        sqlCommits: c1.sqlCommits - c0.sqlCommits,
      };
      if (env.breakdown) {
        r.amiByName = {};
        for (const [k, v] of Object.entries(c1.amiByName)) if (v - (c0.amiByName[k] ?? 0) > 0) r.amiByName[k] = v - (c0.amiByName[k] ?? 0);
        r.sqlBySource = {};
        for (const [k, v] of Object.entries(c1.sqlBySource)) if (v - (c0.sqlBySource[k] ?? 0) > 0) r.sqlBySource[k] = v - (c0.sqlBySource[k] ?? 0);
      }
    }
    return r;
  } finally {
    probe.close();
    await daemon?.stop();
    await removeMembers(env).catch(() => undefined);
  }
}

export const newSecret = () => crypto.randomBytes(12).toString('hex');
