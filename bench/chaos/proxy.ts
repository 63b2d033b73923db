/**
 * A TCP proxy between the daemon and Asterisk (one per link: AMI port, HTTP/ARI port) so the fault
 * bench can break a link the way networks do:
 *   cut()       closes every proxied connection (both sides see a close; new ones are accepted)
 *   halfOpen()  the connections open now stop carrying bytes in both directions without any close
 *               (a dead NAT entry, a pulled cable): only a keepalive can notice; new connections work
 */
import net from 'node:net';

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  frozen: boolean;
}

export class FaultProxy {
  private server?: net.Server;
  private readonly pairs = new Set<Pair>();
  /** Until then new connections are closed at once (link down) or accepted but dead (blackhole). */
  private downUntil = 0;
  private blackholeUntil = 0;
  private readonly deadPairs = new Set<Pair>();
  port = 0;

  constructor(readonly name: string, private readonly target: () => number) {}

  async start(port = 0): Promise<number> {
    this.server = net.createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }

  private accept(client: net.Socket): void {
    const now = Date.now();
    if (now < this.downUntil) {
      client.destroy();
      return;
    }
    if (now < this.blackholeUntil) {
      // Accepted, then nothing: no banner, no answer, no close (a route that drops packets).
      client.on('error', () => undefined);
      this.deadPairs.add({ client, upstream: new net.Socket(), frozen: true });
      return;
    }
    const upstream = net.connect(this.target(), '127.0.0.1');
    const pair: Pair = { client, upstream, frozen: false };
    this.pairs.add(pair);
    const forward = (from: net.Socket, to: net.Socket) =>
      from.on('data', (d) => {
        if (!pair.frozen && !to.destroyed) to.write(d);
      });
    forward(client, upstream);
    forward(upstream, client);
    const close = () => {
      this.pairs.delete(pair);
      // A frozen pair swallows closes too: the far side must not learn anything.
      if (pair.frozen) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  /** Live proxied connections (frozen ones excluded). */
  get open(): number {
    return [...this.pairs].filter((p) => !p.frozen).length;
  }

  cut(): number {
    const n = this.pairs.size;
    for (const p of [...this.pairs]) {
      p.client.destroy();
      p.upstream.destroy();
      this.pairs.delete(p);
    }
    return n;
  }

  /** Link down for `ms`: every connection closed now, new ones refused until then. */
  down(ms: number): number {
    this.downUntil = Date.now() + ms;
    return this.cut();
  }

  /**
   * Half-open for `ms`: the current connections go silent for good (no byte, no close), and new
   * ones are accepted but dead until then; afterwards new connections work again.
   */
  blackhole(ms: number): number {
    this.blackholeUntil = Date.now() + ms;
    const h = this.halfOpen();
    this.releases.push(h.release);
    return h.frozen;
  }

  private readonly releases: (() => void)[] = [];

  /** Frees the sockets of past blackholes (the daemon gave up on them long ago). */
  releaseDead(): void {
    for (const r of this.releases.splice(0)) r();
    for (const p of this.deadPairs) p.client.destroy();
    this.deadPairs.clear();
  }

  /** Freezes the current connections; `release()` later destroys them quietly (memory only). */
  halfOpen(): { frozen: number; release: () => void } {
    const frozen = [...this.pairs];
    for (const p of frozen) {
      p.frozen = true;
      this.pairs.delete(p);
      // Keep both sockets open but deaf: nothing forwarded, no close propagated.
      p.client.removeAllListeners('close');
      p.upstream.removeAllListeners('close');
      p.client.on('error', () => undefined);
      p.upstream.on('error', () => undefined);
    }
    return {
      frozen: frozen.length,
      release: () => {
        for (const p of frozen) {
          // resetAndDestroy would send RST; the daemon has long given up on them, Asterisk gets a close.
          p.client.destroy();
          p.upstream.destroy();
        }
      },
    };
  }

  async stop(): Promise<void> {
    this.releaseDead();
    this.cut();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
