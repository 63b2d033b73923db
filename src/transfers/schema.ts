/**
 * The JSON shape of a transfer as the API answers it (transferView in ./model.ts), for
 * /openapi.json (RouteDef.response). Strict, so a field added to the view without documenting it
 * fails test/api/openapi-responses.test.ts.
 */
import { z } from 'zod';
import { GROUP_STRATEGIES } from '../agents/groups';
import { TARGET_TYPES, TRANSFER_STATES } from './model';

const ms = z.number().int().describe('epoch milliseconds');

export const transferSchema = z
  .object({
    callId: z.string().describe('the call part being transferred'),
    childCallId: z.string().describe('the new call part of the target'),
    kind: z.enum(['attended', 'blind']),
    target: z.string().describe('e.g. "agent 1001", "queue vendas", "group vendas-team", "number 5511987654321"'),
    targetType: z.enum(TARGET_TYPES as [string, ...string[]]),
    state: z.enum(TRANSFER_STATES),
    startedAt: ms,
    endedAt: ms.nullable(),
    reason: z.string().nullable().describe('why it failed / was cancelled ("no answer": nobody of a group answered)'),
    group: z
      .object({
        name: z.string(),
        strategy: z.enum(GROUP_STRATEGIES),
        ringing: z.array(z.string()).describe('members ringing now'),
        tried: z.array(z.string()).describe('members rung so far, in list order (members not available at their turn are not rung)'),
        answeredBy: z.string().nullable(),
      })
      .strict()
      .optional()
      .describe('group transfers only'),
  })
  .strict();
