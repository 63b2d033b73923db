/**
 * OpenAPI 3.0 document generated from the mounted RouteDefs, with a small zod → JSON Schema
 * converter covering the zod types routes use (objects, strings, numbers, booleans, enums, literals,
 * arrays, unions, records, optional/nullable/default/effects wrappers).
 */
import type { ZodTypeAny } from 'zod';
import type { RouteDef } from './types';
import { DOMAIN_EVENT_TYPES } from '../events/bus';

export type JsonSchema = Record<string, unknown>;

interface Check {
  kind: string;
  value?: number;
  regex?: RegExp;
  inclusive?: boolean;
}

/** Converts a zod schema to JSON Schema (OpenAPI 3.0 dialect: nullable instead of type arrays). */
export function zodToJsonSchema(schema: ZodTypeAny): JsonSchema {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const def = (schema as any)._def;
  const withDescription = (s: JsonSchema): JsonSchema => (schema.description ? { ...s, description: schema.description } : s);
  switch (def.typeName as string) {
    case 'ZodString': {
      const s: JsonSchema = { type: 'string' };
      for (const c of def.checks as Check[]) {
        if (c.kind === 'min') s.minLength = c.value;
        else if (c.kind === 'max') s.maxLength = c.value;
        else if (c.kind === 'length') s.minLength = s.maxLength = c.value;
        else if (c.kind === 'regex' && c.regex) s.pattern = c.regex.source;
        else if (c.kind === 'url') s.format = 'uri';
        else if (c.kind === 'email') s.format = 'email';
        else if (c.kind === 'uuid') s.format = 'uuid';
        else if (c.kind === 'datetime') s.format = 'date-time';
      }
      return withDescription(s);
    }
    case 'ZodNumber': {
      const s: JsonSchema = { type: 'number' };
      for (const c of def.checks as Check[]) {
        if (c.kind === 'int') s.type = 'integer';
        else if (c.kind === 'min') s[c.inclusive ? 'minimum' : 'exclusiveMinimum'] = c.value;
        else if (c.kind === 'max') s[c.inclusive ? 'maximum' : 'exclusiveMaximum'] = c.value;
      }
      return withDescription(s);
    }
    case 'ZodBoolean':
      return withDescription({ type: 'boolean' });
    case 'ZodEnum':
      return withDescription({ type: 'string', enum: [...def.values] });
    case 'ZodNativeEnum':
      return withDescription({ enum: Object.values(def.values) });
    case 'ZodLiteral':
      return withDescription({ enum: [def.value] });
    case 'ZodArray': {
      const s: JsonSchema = { type: 'array', items: zodToJsonSchema(def.type) };
      if (def.minLength) s.minItems = def.minLength.value;
      if (def.maxLength) s.maxItems = def.maxLength.value;
      return withDescription(s);
    }
    case 'ZodObject': {
      const shape = def.shape() as Record<string, ZodTypeAny>;
      const properties: Record<string, JsonSchema> = {};
      const required: string[] = [];
      for (const [k, v] of Object.entries(shape)) {
        properties[k] = zodToJsonSchema(v);
        if (!v.isOptional()) required.push(k);
      }
      const s: JsonSchema = { type: 'object', properties };
      if (required.length) s.required = required;
      if (def.unknownKeys === 'strict') s.additionalProperties = false;
      return withDescription(s);
    }
    case 'ZodRecord':
      return withDescription({ type: 'object', additionalProperties: zodToJsonSchema(def.valueType) });
    case 'ZodUnion':
    case 'ZodDiscriminatedUnion': {
      const options = (Array.isArray(def.options) ? def.options : [...def.options.values()]) as ZodTypeAny[];
      return withDescription({ oneOf: options.map(zodToJsonSchema) });
    }
    case 'ZodOptional':
      return zodToJsonSchema(def.innerType);
    case 'ZodNullable':
      return { ...zodToJsonSchema(def.innerType), nullable: true };
    case 'ZodDefault':
      return { ...zodToJsonSchema(def.innerType), default: def.defaultValue() };
    case 'ZodEffects':
      return withDescription(zodToJsonSchema(def.schema));
    case 'ZodPipeline':
      return zodToJsonSchema(def.in);
    case 'ZodBranded':
    case 'ZodReadonly':
    case 'ZodCatch':
      return zodToJsonSchema(def.type ?? def.innerType);
    default:
      // ZodAny / ZodUnknown and anything exotic: an unconstrained schema is honest.
      return withDescription({});
  }
}

const ERROR_SCHEMA: JsonSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        field: { type: 'string', description: 'the input field at fault (400), when there is one' },
        details: { type: 'object', additionalProperties: true, description: 'machine-readable context, e.g. {call} or {agent, state}' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** What /events sends (WebSocket text frames, JSON): first one snapshot, then events. */
const EVENTS_SNAPSHOT: JsonSchema = {
  type: 'object',
  properties: {
    type: { enum: ['snapshot'] },
    seq: { type: 'integer', description: 'bus sequence the snapshot reflects; every later event has a greater seq' },
    at: { type: 'integer', description: 'epoch milliseconds' },
    agents: { type: 'array', items: { type: 'object' }, description: 'agent status objects (as GET /agents/{ext}), scoped to the token' },
    calls: { type: 'array', items: { type: 'object' }, description: 'live call parts (as GET /calls), scoped to the token' },
    queues: { type: 'array', items: { type: 'object' }, description: 'queue summaries (as GET /monitor queues), scoped to the token' },
  },
  required: ['type', 'seq', 'at', 'agents', 'calls', 'queues'],
};
const EVENTS_EVENT: JsonSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', enum: [...DOMAIN_EVENT_TYPES] },
    seq: { type: 'integer', description: 'strictly increasing, none missing for this client' },
    at: { type: 'integer', description: 'epoch milliseconds' },
    agent: { type: 'string', description: 'the agent the event is about, when there is one' },
    agents: { type: 'array', items: { type: 'string' }, description: 'other agents concerned (transfer target, added agent)' },
    queue: { type: 'string' },
    callId: { type: 'string' },
    data: { type: 'object', additionalProperties: true, description: 'type-specific fields' },
  },
  required: ['type', 'seq', 'at', 'data'],
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** How the daemon may close an /events socket (documented as x-close-codes, and in the README). */
export const EVENTS_CLOSE_CODES = [
  { code: 1001, reason: 'daemon stopping', when: 'the daemon shuts down' },
  { code: 1009, reason: 'Max payload size exceeded', when: 'the client sent a message over 4 KiB' },
  { code: 1013, reason: 'too slow: reconnect for a fresh snapshot', when: 'queued messages passed api.events_max_buffered_bytes' },
] as const;

/** `metrics`: GET /metrics is served; `upgrades`: WebSocket paths (e.g. /events) to document. */
export function buildOpenApi(
  routes: RouteDef[],
  info: { version: string; metrics?: boolean; upgrades?: string[] },
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {
    '/healthz': {
      get: {
        summary: 'Health of AMI, ARI and the database (unauthenticated)',
        tags: ['system'],
        security: [],
        responses: { '200': { description: 'all up' }, '503': { description: 'degraded' } },
      },
    },
  };
  if (info.metrics) {
    paths['/metrics'] = {
      get: {
        summary:
          'Prometheus metrics: no token from loopback; from other addresses, or through a proxy (Forwarded, X-Forwarded-For ' +
          'or X-Real-IP present), an admin or supervisor token',
        tags: ['system'],
        security: [{}, { bearer: [] }],
        responses: {
          '200': { description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } },
          '401': errorResponse('remote or proxied scrape without a valid token'),
          '403': errorResponse('role may not read metrics'),
        },
      },
    };
  }
  for (const p of info.upgrades ?? []) {
    paths[p] = {
      get: {
        summary:
          'WebSocket (send Upgrade: websocket). Token in Authorization: Bearer, or ?token= for browsers. ' +
          'First message {type:"snapshot",seq,agents,calls,queues}, then domain events {type,seq,at,agent,agents?,queue,callId,data} in seq order, scoped to the token',
        description:
          `Event types: ${DOMAIN_EVENT_TYPES.join(', ')}. transfer.state (ringing, consulting, completed, failed, cancelled) and ` +
          'conference.state (ringing, joined, failed, cancelled, left, removed, handed-over) carry callId (the transferred call), ' +
          'agent (the transferring agent) and agents (the target or added agent), so both softphones receive them. ' +
          'monitor.started / monitor.changed (data.change: answered, mode, followed) / monitor.ended carry the live-monitoring ' +
          'session (GET /calls/{id}/monitor shape, plus monitoredAgent) and reach supervisor and admin tokens only. ' +
          'callback.state (data: callbackId, origin scheduled|queue, state pending|ringing|done|failed|cancelled, previous: null ' +
          'for a new one, e.g. a caller who pressed the callback key in a queue; queue, attempts, callId, lastError) carries ' +
          'queue and agent when set. ' +
          'Messages: one EventsSnapshot first, then EventsEvent frames (components.schemas). Close codes (x-close-codes): ' +
          '1001 "daemon stopping" on daemon stop; 1013 "too slow: reconnect for a fresh snapshot" when the messages queued for ' +
          'a client that does not read pass api.events_max_buffered_bytes (events are never skipped: reconnect for a new ' +
          'snapshot); 1009 when the client sends a message over 4 KiB (clients have nothing to send). A token holding ' +
          'api.events_max_connections_per_token sockets gets HTTP 429 on the next upgrade.',
        'x-close-codes': EVENTS_CLOSE_CODES,
        'x-messages': [{ $ref: '#/components/schemas/EventsSnapshot' }, { $ref: '#/components/schemas/EventsEvent' }],
        tags: ['events'],
        security: [{ bearer: [] }, { queryToken: [] }],
        parameters: [{ name: 'token', in: 'query', required: false, schema: { type: 'string' }, description: 'bearer token for clients that cannot set headers' }],
        responses: {
          '101': { description: 'switching to WebSocket' },
          '401': { description: 'missing or invalid token (upgrade refused)' },
          '429': errorResponse('the token already holds api.events_max_connections_per_token sockets (code too_many_connections)'),
          '426': errorResponse('plain HTTP request: upgrade required'),
        },
      },
    };
  }
  for (const r of routes) {
    const oaPath = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameters: unknown[] = [...r.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (r.query) {
      const q = zodToJsonSchema(r.query) as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) {
        parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
      }
    }
    const op: Record<string, unknown> = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${oaPath.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      security: [{ bearer: [] }],
      'x-roles': r.roles,
      responses: {
        '200': { description: 'OK' },
        '400': errorResponse('invalid input (names the field)'),
        '401': errorResponse('missing or invalid token'),
        '403': errorResponse('role or agent scope does not allow this'),
      },
    };
    const responses = op.responses as Record<string, unknown>;
    if (r.path.includes(':')) responses['404'] = errorResponse('no such resource');
    if (r.method !== 'GET') {
      responses['409'] = errorResponse('refused by policy or by the current state');
      responses['503'] = errorResponse('Asterisk not reachable right now');
    }
    if (parameters.length) op.parameters = parameters;
    if (r.response) {
      const status = String(r.responseStatus ?? 200);
      delete responses['200'];
      responses[status] = { description: 'OK', content: { 'application/json': { schema: zodToJsonSchema(r.response) } } };
    }
    if (r.rawResponse) {
      const binary = { schema: { type: 'string', format: 'binary' } };
      const content = Object.fromEntries(r.rawResponse.contentTypes.map((t) => [t, binary]));
      // A route that answers JSON or, when asked, another type (CSV reports): both under one status.
      const json = r.response ? (responses['200'] as { content?: Record<string, unknown> } | undefined)?.content : undefined;
      responses['200'] = json
        ? { description: `OK: JSON, or ${r.rawResponse.description}`, content: { ...json, ...content } }
        : { description: r.rawResponse.description, content };
      if (r.rawResponse.partial) {
        responses['206'] = { description: 'the requested byte range (Range: bytes=a-b)', content };
        responses['416'] = { description: 'range not satisfiable' };
      }
    }
    if (r.body) {
      const content: Record<string, unknown> = { 'application/json': { schema: zodToJsonSchema(r.body) } };
      for (const t of r.textBody?.contentTypes ?? []) content[t] = { schema: { type: 'string', description: r.textBody!.description } };
      op.requestBody = { required: true, content };
    }
    (paths[oaPath] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.0.3',
    info: { title: 'callcenterd API', version: info.version },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        ...(info.upgrades?.length ? { queryToken: { type: 'apiKey', in: 'query', name: 'token' } } : {}),
      },
      schemas: { Error: ERROR_SCHEMA, ...(info.upgrades?.length ? { EventsSnapshot: EVENTS_SNAPSHOT, EventsEvent: EVENTS_EVENT } : {}) },
    },
  };
}
