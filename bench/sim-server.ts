/**
 * Child-process entry of the per-call benchmark: runs the Asterisk simulator (src/sim) and scripts
 * the customers, taking commands over the Node IPC channel (bench/sim-protocol.ts). Started by
 * bench/sim-process.ts with child_process.fork; never run by hand.
 *
 * Everything the customers do happens here, so the parent process (the daemon) spends CPU only on
 * what a real Asterisk would make it do: AMI/ARI events in, ARI requests and AMI actions out.
 */
import { Simulator, type QueueCallHandle } from '../src/sim';
import type { SimInit, SimReady, SimReply, SimRequest, SimRun, SimRunResult } from './sim-protocol';

let sim: Simulator | undefined;
const counts = { amiEvents: 0, ariEvents: 0, amiActions: 0, ariRequests: 0 };

function need(): Simulator {
  if (!sim) throw new Error('simulator not started (send init first)');
  return sim;
}

async function init(o: SimInit): Promise<SimReady> {
  if (sim) throw new Error('simulator already started');
  // Small log: the log is only used for waitFor wake-ups here, and a long one costs splices per event.
  const s = new Simulator({ queueTimeoutMs: o.queueTimeoutMs, retryMs: o.retryMs, logLimit: 500 });
  // Count through the log, which sees every AMI/ARI event emitted and every action/request received.
  const addEvent = s.log.addEvent.bind(s.log);
  s.log.addEvent = (r) => {
    if (r.proto === 'ami') counts.amiEvents++;
    else counts.ariEvents++;
    addEvent(r);
  };
  const addAction = s.log.addAction.bind(s.log);
  s.log.addAction = (r) => {
    if (r.proto === 'ami') counts.amiActions++;
    else counts.ariRequests++;
    addAction(r);
  };
  s.addQueue(o.queue, { strategy: 'rrmemory' });
  await s.start();
  for (const ext of o.agents) s.setDevice(`PJSIP/${ext}`, { answer: 'auto', answerDelayMs: o.answerDelayMs });
  sim = s;
  return { amiPort: s.amiPort, ariUrl: s.ariUrl, app: s.app, credentials: s.credentials };
}

async function waitMembers(queue: string, agents: string[], timeoutMs: number): Promise<void> {
  const s = need();
  // Member-leg and stand-in: the Local member leg; native: the device itself (PJSIP/<ext>).
  await s.waitFor(() => agents.every((ext) => s.member(queue, `Local/${ext}@cc-agent/n`) || s.member(queue, `PJSIP/${ext}`)), timeoutMs);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One customer: calls, waits to be answered, talks, hangs up. Returns a failure text or undefined. */
async function oneCall(s: Simulator, queue: string, n: number, r: SimRun): Promise<string | undefined> {
  const callerNumber = `55${String(n).padStart(8, '0')}`;
  const h: QueueCallHandle = r.trunk ? s.placeTrunkCall({ queue, callerNumber }) : s.placeQueueCall({ queue, callerNumber });
  // A trunk call has a queue call only once the daemon's stand-in (or the customer itself) is in Queue().
  const queueCall = () => {
    try {
      return s.queueCall(h);
    } catch {
      return undefined;
    }
  };
  // The customer hangs up: a trunk customer is its own channel (under stand-in it never enters Queue()).
  const hangup = () => (r.trunk ? s.hangupDevice(h.channelId) : s.customerHangup(h));
  let state: string;
  try {
    state = await s.waitFor(() => {
      const st = queueCall()?.state;
      return st === 'connected' || st === 'ended' ? st : undefined;
    }, r.connectTimeoutMs);
  } catch {
    hangup();
    return `call ${n}: not answered within ${r.connectTimeoutMs} ms`;
  }
  if (state !== 'connected') return `call ${n}: ended before it was answered (${queueCall()?.endReason ?? '?'})`;
  await sleep(r.talkMs);
  if (queueCall()?.state !== 'connected') return `call ${n}: ended during the talk (${queueCall()?.endReason ?? '?'})`;
  hangup();
  return undefined;
}

async function run(queue: string, r: SimRun): Promise<SimRunResult> {
  const s = need();
  const before = { ...counts };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  let connected = 0;
  const failures: string[] = [];
  // Closed loop: `concurrency` customers, each placing its next call as soon as the previous ends.
  const worker = async () => {
    while (next < r.calls) {
      const n = next++;
      const failure = await oneCall(s, queue, n, r);
      if (failure) failures.push(failure);
      else connected++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(r.concurrency, r.calls) }, worker));
  const cpu = process.cpuUsage(cpu0);
  return {
    placed: r.calls,
    connected,
    failed: failures.length,
    failures: failures.slice(0, 10),
    wallMs: performance.now() - t0,
    amiEventsSent: counts.amiEvents - before.amiEvents,
    ariEventsSent: counts.ariEvents - before.ariEvents,
    amiActions: counts.amiActions - before.amiActions,
    ariRequests: counts.ariRequests - before.ariRequests,
    simCpuMs: (cpu.user + cpu.system) / 1000,
  };
}

/** Idle = no channel and no bridge left: the daemon has hung up every device and torn down bridges. */
async function waitIdle(timeoutMs: number): Promise<{ channels: number; bridges: number }> {
  const s = need();
  const end = Date.now() + timeoutMs;
  while (s.channels().length > 0 || s.bridges().length > 0) {
    if (Date.now() > end) break;
    await sleep(20);
  }
  return { channels: s.channels().length, bridges: s.bridges().length };
}

let queueName = 'support';

async function handle(req: SimRequest): Promise<unknown> {
  switch (req.cmd) {
    case 'init':
      queueName = req.init.queue;
      return init(req.init);
    case 'waitMembers':
      return waitMembers(req.queue, req.agents, req.timeoutMs);
    case 'run':
      return run(queueName, req.run);
    case 'waitIdle':
      return waitIdle(req.timeoutMs);
    case 'stop':
      await sim?.stop();
      sim = undefined;
      return undefined;
  }
}

function reply(msg: SimReply): void {
  process.send?.(msg);
}

if (!process.send) {
  console.error('bench/sim-server is a child process of the benchmark (IPC channel required)');
  process.exit(2);
}
process.on('message', (req: SimRequest) => {
  handle(req).then(
    (result) => reply({ id: req.id, ok: true, result }),
    (err: unknown) => reply({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
// The parent died or closed the channel: do not linger as an orphan holding ports.
process.on('disconnect', () => {
  void (sim?.stop() ?? Promise.resolve()).finally(() => process.exit(0));
});
