/**
 * Records what an AMI or ARI client reports about its link (connects and disconnect reasons), for
 * the supervision tests that drop, stall or restart the far end.
 */
import { waitUntil } from './wait';

export interface WatchedLink {
  onConnected(handler: () => void): () => void;
  onDisconnected(handler: (reason: string) => void): () => void;
  start(): void;
}

export interface LinkLog {
  /** onConnected calls so far (first connect included). */
  connected: number;
  /** onDisconnected reasons, in order. */
  reasons: string[];
}

/** Subscribes, starts the client and resolves once it is connected for the first time. */
export async function startWatched(client: WatchedLink, timeoutMs = 3000): Promise<LinkLog> {
  const link: LinkLog = { connected: 0, reasons: [] };
  client.onConnected(() => link.connected++);
  client.onDisconnected((r) => link.reasons.push(r));
  client.start();
  await waitUntil(() => link.connected === 1, { timeoutMs, what: 'first connect', everyMs: 5 });
  return link;
}
