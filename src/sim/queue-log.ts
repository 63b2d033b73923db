/**
 * app_queue's queue_log, as the simulator's queues write it when SimOptions.queueLogFile is set:
 * `<epoch s>|<caller uniqueid>|<queue>|<agent>|<event>|<data…>` (formats: src/queue-log/parse.ts,
 * capture test/fixtures/captures/native-queue-log.queue_log). Plus the CCLINKEDID line the shipped
 * [cc-queues] logs before Queue(). Appended synchronously, one line per call step, as Asterisk does.
 */
import fs from 'node:fs';
import type { Clock } from '../util/clock';

export type QueueLogWriter = (callid: string, queue: string, agent: string, event: string, ...data: (string | number)[]) => void;

export function queueLogWriter(file: string, clock: Clock): QueueLogWriter {
  // Asterisk opens the file at start and logs QUEUESTART.
  fs.appendFileSync(file, `${Math.floor(clock.now() / 1000)}|NONE|NONE|NONE|QUEUESTART|\n`);
  return (callid, queue, agent, event, ...data) =>
    fs.appendFileSync(file, `${Math.floor(clock.now() / 1000)}|${callid}|${queue}|${agent}|${event}|${data.join('|')}\n`);
}

export const secondsSince = (ms: number, now: number): number => Math.max(0, Math.floor((now - ms) / 1000));
