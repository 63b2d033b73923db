import type { Socket } from 'node:net';

/**
 * Coalesces the writes one turn of the event loop makes on a socket into one writev.
 *
 * Why: the daemon answers an event with one to three requests or actions in the same turn, and on
 * loopback every write is a syscall that also runs the peer's TCP receive path in this process
 * (issue 12: writev was ~15 % of the daemon's CPU on the simulator bench, 2.1 writes per turn that
 * wrote). The socket is corked at the first write of a turn and uncorked by setImmediate, i.e. once
 * this turn's I/O callbacks and microtasks are done: no timer, so nothing waits longer than the turn.
 */
export class WriteBatch {
  private held = false;

  constructor(private readonly socket: Socket) {}

  /** Call before each write: the write then leaves with the turn's others. */
  hold(): void {
    if (this.held) return;
    this.held = true;
    this.socket.cork();
    setImmediate(this.release);
  }

  private readonly release = (): void => {
    this.held = false;
    // A destroyed socket ignores it; its buffered writes were dropped with it.
    this.socket.uncork();
  };
}
