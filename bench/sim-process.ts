/**
 * Parent side of bench/sim-server.ts: forks the simulator child and sends it commands as promises.
 * The child is compiled next to this file (same outDir), so it is found through __dirname.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SimInit, SimReady, SimReply, SimRequest, SimRun, SimRunResult } from './sim-protocol';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Command = SimRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

export class SimProcess {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private exited = false;

  constructor() {
    const entry = path.join(__dirname, `sim-server${path.extname(__filename)}`);
    this.child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: SimReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.ok) p.resolve(m.result);
      else p.reject(new Error(`simulator: ${m.error}`));
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`simulator process exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  private send<T>(cmd: Command): Promise<T> {
    if (this.exited) return Promise.reject(new Error('simulator process is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.child.send({ ...cmd, id } as SimRequest);
    });
  }

  init(init: SimInit): Promise<SimReady> {
    return this.send({ cmd: 'init', init });
  }
  waitMembers(queue: string, agents: string[], timeoutMs: number): Promise<void> {
    return this.send({ cmd: 'waitMembers', queue, agents, timeoutMs });
  }
  run(run: SimRun): Promise<SimRunResult> {
    return this.send({ cmd: 'run', run });
  }
  waitIdle(timeoutMs: number): Promise<{ channels: number; bridges: number }> {
    return this.send({ cmd: 'waitIdle', timeoutMs });
  }

  /** Stops the simulator and waits for the child to exit (killed if it does not within 3 s). */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((r) => this.child.once('exit', () => r()));
    try {
      await Promise.race([this.send({ cmd: 'stop' }), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      /* the child may already be gone; the exit wait below covers it */
    }
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}
