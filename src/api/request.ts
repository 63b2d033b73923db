/**
 * Reading a request for the API server (server.ts): its URL, path parameters, bearer token, body
 * (JSON or a route's text types, size-capped) and zod validation with field-named 400s.
 */
import type http from 'node:http';
import { ZodArray, ZodDefault, ZodEffects, ZodNever, ZodNullable, ZodObject, ZodOptional, type ZodTypeAny } from 'zod';
import { dottedPath, friendlyErrorMap } from '../config/zod-messages';

/** Thrown inside the request pipeline; carries the exact HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/**
 * The request target as a URL. Prefixed with our origin rather than resolved against it: resolving
 * treats a target such as "//[::" as scheme-relative and throws, which in the 'upgrade' listener
 * was an uncaught exception (the process died). Prefixed, any target parses; unknown paths are 404s.
 */
export function requestUrl(req: http.IncomingMessage): URL {
  const target = req.url ?? '/';
  try {
    return new URL(target.startsWith('/') ? `http://localhost${target}` : target);
  } catch {
    return new URL('http://localhost/');
  }
}

/** A path parameter, percent-decoded; malformed encoding is the client's fault (400), not a bug (500). */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'invalid', 'malformed percent-encoding in the path');
  }
}

/**
 * Whether a proxy relayed this request: it added Forwarded (RFC 7239), X-Forwarded-For or X-Real-IP
 * (nginx, Caddy, Apache, HAProxy add one). Then the socket's loopback address is the proxy's, not
 * the client's.
 */
export function isProxied(req: http.IncomingMessage): boolean {
  const h = req.headers;
  return h.forwarded !== undefined || h['x-forwarded-for'] !== undefined || h['x-real-ip'] !== undefined;
}

export function bearer(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

export function validate(schema: ZodTypeAny, value: unknown, where: 'body' | 'query'): unknown {
  const r = schema.safeParse(value, { errorMap: friendlyErrorMap });
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const keys = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const field = dottedPath(keys) || where;
  const message = issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message;
  throw new HttpError(400, 'invalid', `${field}: ${message}`, field);
}

/**
 * The schema with every plain object in it made strict (unknown keys refused), through the wrappers
 * routes use (optional, nullable, default, array, refine/transform). Objects that chose
 * .passthrough() or a catchall keep it; unions, intersections and records are left as they are:
 * strict members would change which branch matches, and records are open by design.
 */
export function strictBody(schema: ZodTypeAny): ZodTypeAny {
  if (schema instanceof ZodObject) {
    const def = schema._def;
    const shape: Record<string, ZodTypeAny> = {};
    for (const [k, v] of Object.entries(schema.shape as Record<string, ZodTypeAny>)) shape[k] = strictBody(v);
    const open = def.unknownKeys === 'passthrough' || !(def.catchall instanceof ZodNever);
    return new ZodObject({ ...def, shape: () => shape, unknownKeys: open ? def.unknownKeys : 'strict' });
  }
  if (schema instanceof ZodOptional) return new ZodOptional({ ...schema._def, innerType: strictBody(schema._def.innerType) });
  if (schema instanceof ZodNullable) return new ZodNullable({ ...schema._def, innerType: strictBody(schema._def.innerType) });
  if (schema instanceof ZodDefault) return new ZodDefault({ ...schema._def, innerType: strictBody(schema._def.innerType) });
  if (schema instanceof ZodArray) return new ZodArray({ ...schema._def, type: strictBody(schema._def.type) });
  if (schema instanceof ZodEffects) return new ZodEffects({ ...schema._def, schema: strictBody(schema._def.schema) });
  return schema;
}

/** A route without a body schema takes no body: nothing, or an empty object. */
export function noBody(raw: unknown): undefined {
  if (raw === undefined) return undefined;
  if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    const first = Object.keys(raw)[0];
    if (first === undefined) return undefined;
    throw new HttpError(400, 'invalid', `${dottedPath([first])}: unknown field`, dottedPath([first]));
  }
  throw new HttpError(400, 'invalid', 'body: this endpoint takes no request body', 'body');
}

/** JSON, or the plain text for a content type the route takes as text (RouteDef.textBody). */
export async function readBody(req: http.IncomingMessage, max: number, textTypes: string[] = []): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) throw new HttpError(413, 'too_large', `request body over ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (textTypes.includes(type)) return text;
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid', 'request body is not valid JSON');
  }
}
