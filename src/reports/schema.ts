/**
 * JSON shapes of GET /reports/{quantitative,summary,detailed} for /openapi.json (RouteDef.response).
 * Strict: a field added to a report without documenting it fails test/api/openapi-responses.test.ts.
 * Field meanings: README "Reports" (generated from metrics.ts).
 */
import { z } from 'zod';
import { GROUP_BYS } from './model';

const ms = z.number().int().describe('epoch milliseconds');
const count = z.number().int();
const pct = z.number().nullable().describe('percent, one decimal; null when the base is 0');
const secs = z.number().nullable().describe('seconds, one decimal; null when nothing was counted');
const key = z.string().nullable().describe('queue, extension, local day (YYYY-MM-DD), local hour (YYYY-MM-DD HH:00) or disposition; null = none');

const envelope = <R extends z.ZodTypeAny>(kind: string, row: R) =>
  z
    .object({
      kind: z.literal(kind),
      from: ms,
      to: ms,
      generatedAt: ms,
      by: z.enum(GROUP_BYS).nullable(),
      filters: z.object({ queue: z.string().nullable(), agent: z.string().nullable() }).strict(),
      settings: z.object({ shortAbandonSeconds: count, serviceLevelSeconds: count }).strict(),
      rows: z.array(row).describe('one per group (empty without by)'),
      total: row,
    })
    .strict();

export const quantitativeRowSchema = z
  .object({
    key,
    offered: count,
    answered: count,
    abandoned: count,
    shortAbandoned: count,
    timedOut: count,
    left: count,
    callbackRequests: count,
    blocked: count,
    lost: count,
    waiting: count,
    handled: count,
    transferred: count,
    rings: count,
    missedRings: count,
    callbacks: count,
    callbackConnects: count,
    outbound: count,
    outboundConnects: count,
    answeredPct: pct,
    abandonedPct: pct,
    shortAbandonedPct: pct,
    timedOutPct: pct,
    leftPct: pct,
    callbackRequestsPct: pct,
    transferredPct: pct,
    missedRingsPct: pct,
    callbackConnectsPct: pct,
    outboundConnectsPct: pct,
  })
  .strict();

export const summaryRowSchema = z
  .object({
    key,
    offered: count,
    answered: count,
    shortAbandoned: count,
    waiting: count,
    answeredInServiceLevel: count,
    serviceLevelPct: pct,
    asaSeconds: secs,
    avgWaitSeconds: secs,
    longestWaitSeconds: secs,
    handled: count,
    avgTalkSeconds: secs,
    avgHoldSeconds: secs,
    avgWrapupSeconds: secs,
    ahtSeconds: secs,
    loginSeconds: secs.describe('null when agent time does not apply (by disposition)'),
    availableSeconds: secs,
    busySeconds: secs,
    occupancyPct: pct,
    pauseSeconds: secs,
    pauseByReason: z.record(z.number()).nullable().describe('pause reason → seconds'),
    surveys: count,
    surveyAverage: z.number().nullable(),
    dispositions: z.record(z.number().int()).describe('disposition → handled parts'),
  })
  .strict();

export const quantitativeSchema = envelope('quantitative', quantitativeRowSchema);
export const summarySchema = envelope('summary', summaryRowSchema);

const detailedStaySchema = z
  .object({
    queue: z.string(),
    joinedAt: ms,
    leftAt: ms.nullable(),
    waitSeconds: secs,
    outcome: z.enum(['waiting', 'answered', 'abandoned', 'timeout', 'left', 'blocked', 'lost']),
    detail: z.string().nullable(),
    position: z.number().int().nullable(),
    agent: z.string().nullable(),
    callId: z.string().nullable(),
  })
  .strict();

const detailedPartSchema = z
  .object({
    id: z.string().describe('protocol number'),
    parentId: z.string().nullable(),
    rootId: z.string(),
    kind: z.string(),
    direction: z.string(),
    queue: z.string().nullable(),
    agent: z.string().nullable(),
    number: z.string().nullable(),
    startedAt: ms,
    answeredAt: ms.nullable(),
    endedAt: ms.nullable(),
    status: z.string().describe('history status (README "History")'),
    endReason: z.string().nullable(),
    talkSeconds: secs,
    holdSeconds: z.number(),
    wrapupSeconds: secs,
    disposition: z.string().nullable(),
    recordings: z.array(z.object({ id: z.number().int(), file: z.string(), state: z.string(), durationSeconds: z.number().nullable() }).strict()),
    surveyScore: z.number().int().nullable(),
  })
  .strict();

export const detailedSchema = z
  .object({
    kind: z.literal('detailed'),
    from: ms,
    to: ms,
    generatedAt: ms,
    filters: z.object({ queue: z.string().nullable(), agent: z.string().nullable() }).strict(),
    contacts: z.array(
      z
        .object({
          contact: z.string().describe('root protocol number of the first part, or stay-<id>'),
          linkedid: z.string().nullable(),
          startedAt: ms,
          number: z.string().nullable(),
          stays: z.array(detailedStaySchema),
          parts: z.array(detailedPartSchema),
        })
        .strict(),
    ),
    next: z.string().nullable().describe('pass as after= for the next page; null on the last page'),
  })
  .strict();
