/**
 * One module's hold on ARI_ON_DEMAND_EVENTS types: held while the module has something that reads
 * them (a ringing supervisor device, an open room), let go when it has none. The client counts the
 * holds of all modules; this keeps one module from holding twice or releasing what it never held.
 */
import type { AriClient, AriOnDemandEvent } from './types';

export class EventDemand {
  private held?: Promise<() => void>;

  constructor(
    private readonly ari: Pick<AriClient, 'demandEvents'>,
    private readonly types: readonly AriOnDemandEvent[],
  ) {}

  /** Holds the types (once); resolves once Asterisk sends them. A client without filters sends everything. */
  async hold(): Promise<void> {
    this.held ??= this.ari.demandEvents?.(this.types) ?? Promise.resolve(() => undefined);
    await this.held;
  }

  /** Lets the types go; nothing when not held. */
  release(): void {
    const held = this.held;
    this.held = undefined;
    void held?.then((release) => release());
  }
}
