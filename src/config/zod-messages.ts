/**
 * Friendlier wording for zod's default messages, shared by the config loader and the API's body
 * validation so both speak the same way ("api.listen: must be ...", "number: is required").
 * Messages set explicitly in a schema are kept as they are.
 */
import { z, type ZodErrorMap } from 'zod';

/** Friendlier wording for zod's default messages; messages set in schema.ts are kept. */
export const friendlyErrorMap: ZodErrorMap = (issue, ctx) => {
  const isDefault = ctx.defaultError === z.defaultErrorMap(issue, ctx).message;
  if (!isDefault) return { message: ctx.defaultError };
  switch (issue.code) {
    case 'invalid_type':
      return { message: issue.received === 'undefined' ? 'is required' : `must be a ${issue.expected}, got ${issue.received}` };
    case 'invalid_enum_value':
      return { message: `must be one of: ${issue.options.join(', ')}` };
    case 'too_small':
      if (issue.type === 'string') return { message: Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters` };
      return { message: `must be at least ${issue.minimum}` };
    case 'too_big':
      if (issue.type === 'string') return { message: `must be at most ${issue.maximum} characters` };
      return { message: `must be at most ${issue.maximum}` };
    case 'not_multiple_of':
      return { message: `must be a multiple of ${issue.multipleOf}` };
    default:
      return { message: ctx.defaultError };
  }
};


/** ['api', 'tokens', 0, 'token'] → "api.tokens[0].token" */
export function dottedPath(p: (string | number)[]): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '');
}
