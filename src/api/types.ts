/**
 * Route contract. Each domain exports `RouteDef[]`; the server (src/api/server.ts) mounts them, checks
 * the bearer token and role, validates the body with the zod schema (400 naming the field) and
 * builds /openapi.json from the same definitions, so the document cannot drift from the server.
 */
import type { ZodTypeAny, infer as ZodInfer } from 'zod';

export type Role = 'admin' | 'supervisor' | 'agent';

export interface Principal {
  role: Role;
  /** Set for agent tokens: the only extension this token may act for. */
  agent?: string;
  name?: string;
  /** Supervisor tokens: the monitoring groups this token is limited to (none = everything). */
  groups?: string[];
  /**
   * Which configured token authenticated, as its config key (e.g. "api.tokens[2]"): an identity for
   * per-token limits and logs that is not the secret.
   */
  tokenId?: string;
}

export interface RouteContext<B = unknown, Q = Record<string, string>> {
  principal: Principal;
  /** Path params, e.g. { ext: '1000' } for '/agents/:ext/pause'. */
  params: Record<string, string>;
  query: Q;
  body: B;
  /**
   * Monitoring-group limits of a supervisor token (null = none). The server already refused path
   * params outside it; list handlers filter with it.
   */
  scope: RouteScope | null;
  /** Request headers (e.g. Range for audio), lower-case names. */
  headers: Record<string, string | string[] | undefined>;
}

/** What a scoped principal may see: src/supervision/scope.ts implements it. */
export interface RouteScope {
  readonly queues: ReadonlySet<string>;
  readonly agents: ReadonlySet<string>;
  allowsQueue(queue: string | null | undefined): boolean;
  allowsAgent(ext: string | null | undefined): boolean;
  allowsCall(call: { queue: string | null; agentExt: string | null }): boolean;
  /** The 403 for `what`. */
  deny(what: string): Error;
}

/**
 * A non-JSON answer (audio, CSV): status, headers and a body or a stream. Handlers return it
 * instead of a JSON value; the server writes it as is (a stream error ends the response).
 */
export class RawReply {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string | number>,
    readonly body: Buffer | string | NodeJS.ReadableStream | undefined,
  ) {}
}

export interface RouteResult {
  status?: number;
  body?: unknown;
}

export interface RouteDef<BS extends ZodTypeAny = ZodTypeAny, QS extends ZodTypeAny = ZodTypeAny> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Express-style params: '/calls/:id/hold'. */
  path: string;
  summary: string;
  tag: string;
  /** Roles allowed at all. Agent tokens are further limited by agentParam / the handler. */
  roles: Role[];
  /** For agent tokens: this path param must equal the token's extension (403 otherwise). */
  agentParam?: string;
  body?: BS;
  /**
   * The body may also be sent as text in these content types (e.g. text/csv): the handler then gets
   * the request text as a string, checked by `body` like any value (so `body` must accept a string).
   * Documented in /openapi.json next to application/json.
   */
  textBody?: { contentTypes: string[]; description: string };
  query?: QS;
  /**
   * The success body, documented in /openapi.json under `responseStatus`. Optional: routes without it
   * are documented as a bare "OK". Must describe exactly what the handler returns (a test validates
   * real answers against it).
   */
  response?: ZodTypeAny;
  /** A non-JSON success answer (the handler returns a RawReply): its content types, for /openapi.json. */
  rawResponse?: { contentTypes: string[]; description: string; partial?: boolean };
  /** Status of the success answer documented with `response` (default 200). */
  responseStatus?: 200 | 201 | 202;
  /** Returns the JSON body (200), or { status, body }. Throw CcError for 400/403/404/409/503. */
  handler(ctx: RouteContext<ZodInfer<BS>, ZodInfer<QS>>): Promise<unknown> | unknown;
}

/** Helper keeping the zod inference for a route literal. */
export function route<BS extends ZodTypeAny = ZodTypeAny, QS extends ZodTypeAny = ZodTypeAny>(
  def: RouteDef<BS, QS>,
): RouteDef {
  return def as unknown as RouteDef;
}
