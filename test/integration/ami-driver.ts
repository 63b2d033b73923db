/**
 * The test driver's AMI connection (the project's own TCP client) plus helpers to wait for events.
 * It records every event it sees so a scenario can wait for something that may already have happened.
 */
import { createAmiClient } from '../../src/ami/client';
import type { AmiClient, AmiEvent, AmiFields } from '../../src/ami/types';
import { silentLogger } from '../../src/log/logger';

export interface AmiDriver {
  client: AmiClient;
  events: AmiEvent[];
  /** Resolves with the first recorded event (past or future) matching `pred`. */
  waitEvent(pred: (e: AmiEvent) => boolean, timeoutMs?: number, what?: string): Promise<AmiEvent>;
  action(action: string, fields?: AmiFields): ReturnType<AmiClient['action']>;
  close(): Promise<void>;
}

export async function connectAmi(
  port: number,
  username: string,
  secret: string,
  opts: { connectTimeoutMs?: number } = {},
): Promise<AmiDriver> {
  const client = createAmiClient({
    host: '127.0.0.1',
    port,
    username,
    secret,
    log: silentLogger(),
    actionTimeoutMs: 10_000,
    reconnect: { initialMs: 100, maxMs: 500 },
  });
  const events: AmiEvent[] = [];
  const waiters = new Set<{ pred: (e: AmiEvent) => boolean; resolve: (e: AmiEvent) => void }>();
  client.onEvent('*', (e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.delete(w);
        w.resolve(e);
      }
    }
  });
  const connected = new Promise<void>((resolve) => {
    const off = client.onConnected(() => {
      off();
      resolve();
    });
  });
  client.start();
  const limit = opts.connectTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connected,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`AMI login as ${username} on port ${port} failed: ${client.info?.lastError ?? 'timeout'}`)), limit);
      }),
    ]);
  } catch (e) {
    await client.stop();
    throw e;
  } finally {
    clearTimeout(timer);
  }

  const waitEvent = (pred: (e: AmiEvent) => boolean, timeoutMs = 15_000, what = 'AMI event') => {
    const seen = events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise<AmiEvent>((resolve, reject) => {
      const w = {
        pred,
        resolve: (e: AmiEvent) => {
          clearTimeout(t);
          resolve(e);
        },
      };
      const t = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(w);
    });
  };

  return {
    client,
    events,
    waitEvent,
    action: (action, fields) => client.action(action, fields),
    close: () => client.stop(),
  };
}
