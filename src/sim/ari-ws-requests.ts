/**
 * REST over the ARI event WebSocket, as Asterisk 22.10.1 does it (res/ari/ari_websocket_requests.c,
 * res/ari/ari_websockets.c session_read, res/res_ari.c ast_ari_invoke): a text frame
 * {"type":"RESTRequest",...} is parsed, checked field by field with Asterisk's own 400 texts, run
 * through the same router as the HTTP side, and answered on the same socket with a RESTResponse.
 * Field names and texts are Asterisk's; the socket itself was authenticated at the upgrade.
 */
import { STATUS_CODES } from 'node:http';
import type { AriReply, AriRequest } from './ari-server';

/** Asterisk's ast_http_methods_text (exact, case-sensitive). */
const METHODS = new Set(['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** What ari_websocket_process_request answers: a RESTResponse without application/timestamp/asterisk_id (send_event adds them). */
export type RestResponse = Record<string, unknown> & { type: 'RESTResponse' };

interface Parsed {
  transactionId: string;
  requestId: string;
  uri: string;
}

/** Runs one text frame. `invoke` runs a parsed request through the HTTP side's router. */
export function processWsRequest(text: string, invoke: (req: AriRequest) => AriReply): RestResponse {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    // session_read: a frame that is not JSON gets this fixed answer (no ids, no body).
    return { type: 'RESTResponse', transaction_id: '', request_id: '', status_code: 400, reason_phrase: 'Failed to parse request message JSON', uri: '' };
  }
  const m = (msg && typeof msg === 'object' && !Array.isArray(msg) ? msg : {}) as Record<string, unknown>;
  const s = (k: string): string | undefined => (typeof m[k] === 'string' ? (m[k] as string) : undefined);
  const parsed: Parsed = { transactionId: s('transaction_id') ?? '', requestId: s('request_id') ?? '', uri: '' };
  const bad = (message: string) => respond(parsed, { status: 400, body: { message } }, 'Bad request');

  const type = s('type');
  if (!type) return bad("No 'type' property.");
  if (type !== 'RESTRequest') return bad('Unknown request type.');
  const fullUri = s('uri');
  if (!fullUri) return bad("Empty or missing 'uri' property.");
  // The answer's uri is the request's without its query (Asterisk cuts the string at '?').
  const q = fullUri.indexOf('?');
  parsed.uri = q < 0 ? fullUri : fullUri.slice(0, q);
  const params: Record<string, unknown> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(fullUri.slice(q + 1))) params[k] = v;
  const method = s('method');
  if (!method || !METHODS.has(method)) return bad("Unknown or missing 'method' property.");
  // ast_json_nvp_array_to_ast_variables: anything but a non-empty array is "no input"; entries must be {name, value} strings.
  const qs = m.query_strings;
  if (Array.isArray(qs) && qs.length > 0) {
    if (!qs.every((p) => p && typeof p === 'object' && typeof p.name === 'string' && typeof p.value === 'string')) return bad("Unable to parse 'query_strings' array.");
    for (const p of qs as Array<{ name: string; value: string }>) params[p.name] = p.value;
  }
  const body = s('message_body');
  if (body) {
    const contentType = s('content_type');
    if (!contentType) return bad("No 'content_type' for 'message_body'.");
    if (contentType === 'application/x-www-form-urlencoded') {
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
    } else if (contentType === 'application/json') {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        return bad("Unable to parse 'message_body' as 'application/json'.");
      }
      // ARI's handlers read their arguments from the query and from a JSON object body alike.
      if (json && typeof json === 'object' && !Array.isArray(json)) Object.assign(params, json);
    } else {
      return bad('Unknown content type.');
    }
  }
  return respond(parsed, route(method, parsed.uri, params, invoke));
}

/** ast_ari_invoke's checks before the resource handlers, then the router. */
function route(method: string, uri: string, params: Record<string, unknown>, invoke: (req: AriRequest) => AriReply): AriReply {
  if (uri.endsWith('/')) return { status: 404, body: { message: `ARI URLs do not end with a slash. Try /ari/${uri.slice(0, -1)}` } };
  // strsep walk: stops at the first empty segment; a leading "/" leaves the root handler, which has no methods.
  const segments: string[] = [];
  for (const seg of uri.split('/')) {
    if (seg === '') break;
    segments.push(uriDecode(seg));
  }
  if (segments.length === 0) return { status: 405, body: { message: 'Invalid method' } };
  if (segments[0] === 'events' && method === 'GET') return { status: 400, reason: 'Bad request', body: { message: "Can't upgrade to websocket from a websocket" } };
  return invoke({ method, segments, params });
}

/** ast_uri_decode: a malformed escape stays as it is instead of failing. */
export function uriDecode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function respond(p: Parsed, reply: AriReply, reason?: string): RestResponse {
  const out: RestResponse = {
    type: 'RESTResponse',
    transaction_id: p.transactionId,
    request_id: p.requestId,
    status_code: reply.status,
    reason_phrase: reason ?? reply.reason ?? STATUS_CODES[reply.status] ?? '',
    uri: p.uri,
  };
  if (reply.body !== undefined && reply.body !== null) {
    out.content_type = 'application/json';
    out.message_body = JSON.stringify(reply.body);
  }
  return out;
}
