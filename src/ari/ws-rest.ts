/**
 * ARI REST over the event WebSocket (Asterisk 22.4+, 21.9+, 20.14+), next to REST over HTTP.
 *
 * Why: a request over node:http costs the daemon a ClientRequest, headers, agent bookkeeping and an
 * HTTP response parse; a queue call makes 7-13 of them. On the socket that is already open for the
 * events it is one JSON text frame each way (README "ARI", figures from the bench).
 *
 * Asterisk's side (res/ari/ari_websocket_requests.c, tag 22.10.1), which this follows:
 * - request: {"type":"RESTRequest","transaction_id","request_id","method","uri","content_type",
 *   "message_body"}; `uri` is relative to /ari with no leading slash ("channels/1/answer": a leading
 *   "/" ends the path walk at once → 405, "ari/..." → 404) and may carry "?query" (decoded as a form,
 *   like HTTP's query string). `message_body` is a string: application/json (our originate
 *   variables) or application/x-www-form-urlencoded; anything else → 400 "Unknown content type".
 * - response: {"type":"RESTResponse", the two ids echoed, "status_code", "reason_phrase", "uri"
 *   (without the query), "content_type"/"message_body" only when there is a body}. It goes through
 *   the app's event filter (stasis_app_event_allowed) like an event: the whitelist must allow RESTResponse.
 * - the session's one reader thread runs the requests one after the other and answers each before
 *   reading the next: answers come in request order; events caused by a request may come before or
 *   after its answer (as with HTTP). A frame over 65535 bytes makes Asterisk close the socket (1009).
 * - an Asterisk before REST over WebSocket reads text frames and drops them without a word: a probe
 *   that gets no answer is how `auto` finds out.
 *
 * Outcomes keep the HTTP contract: AriHttpError for a non-2xx answer, AriNotConnectedError for no
 * answer within the timeout or a socket that closed before the answer. A request already sent is
 * never re-sent over HTTP: Asterisk may have run it.
 */
import type { ARI_REST_TRANSPORTS } from '../config/schema';
import type { Logger } from '../log/logger';
import type { Clock, TimerHandle } from '../util/clock';
import { ariResult, queryString, type AriRest, type Query } from './rest';
import { AriHttpError, AriNotConnectedError } from './types';

export type AriRestTransport = (typeof ARI_REST_TRANSPORTS)[number];

/** Where REST requests go right now (what `info` reports). */
export type AriRestRoute = 'http' | 'websocket';

/** A request frame stays well under Asterisk's 65535-byte frame limit (8192 in LOW_MEMORY builds); bigger ones go over HTTP. */
export const ARI_WS_MAX_REQUEST_BYTES = 8000;
/**
 * Asterisk answers one socket's requests one at a time: while the oldest unanswered one has waited
 * this long (a command stuck on a busy channel), new requests go over HTTP's parallel sockets so one
 * stuck channel cannot hold every call's requests (as it could not over HTTP).
 */
export const ARI_WS_STALL_MS = 250;
/** `auto`: how long the probe may take before the socket is judged unable to carry REST. */
export const ARI_WS_PROBE_MS = 2000;

/** The socket side: sends one text frame; false when the socket is not open. */
export interface AriWsLink {
  send(text: string): boolean;
}

export interface AriRestCounts {
  http: number;
  websocket: number;
}

interface Pending {
  method: string;
  path: string;
  deadline: number;
  sentAt: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface RestResponse {
  type: 'RESTResponse';
  request_id?: unknown;
  status_code?: unknown;
  reason_phrase?: unknown;
  message_body?: unknown;
}

/**
 * The event socket as REST sees it. attach: none → usable (websocket) | probing (auto) | none (http);
 * probe answered: probing → usable; probe timed out: probing → unanswered; its late answer:
 * unanswered → usable; detach (socket closed): any → none.
 */
type SocketState = 'none' | 'probing' | 'usable' | 'unanswered';

export class AriWsRest {
  readonly counts: AriRestCounts = { http: 0, websocket: 0 };
  private link: AriWsLink | undefined;
  private state: SocketState = 'none';
  private readonly pending = new Map<string, Pending>();
  private seq = 0;
  /** request_id of the current socket's probe (`auto`). */
  private probeId = '';
  private sweep: TimerHandle | undefined;
  private sweepAt = 0;
  /** The last probe's outcome, so a reconnect logs only a change. */
  private lastProbe: 'answered' | 'unanswered' | undefined;
  /** How long the probe (`auto`) may wait for its answer. */
  private readonly probeMs: number;

  constructor(
    private readonly http: AriRest,
    private readonly mode: AriRestTransport,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
    private readonly log: Logger,
  ) {
    this.probeMs = Math.min(timeoutMs, ARI_WS_PROBE_MS);
  }

  /** Where the next request would go (ignoring the size and stall rules). */
  get route(): AriRestRoute {
    return this.state === 'usable' ? 'websocket' : 'http';
  }

  /**
   * The event socket is open. `websocket`: use it now. `auto`: probe it with GET asterisk/ping;
   * requests go over HTTP until the probe is answered. `http`: ignore it.
   */
  attach(link: AriWsLink): void {
    this.detach('replaced by a new event socket');
    this.probeId = '';
    if (this.mode === 'http') return;
    this.link = link;
    if (this.mode === 'websocket') {
      this.state = 'usable';
      return;
    }
    this.state = 'probing';
    this.probeId = String(this.seq + 1);
    const probe = this.send<unknown>('GET', '/asterisk/ping', undefined, undefined, this.probeMs);
    if (!probe) {
      this.state = 'unanswered';
      return;
    }
    probe.then(
      () => this.probed(link, true),
      // An error answer (4xx/5xx) is an answer; a timeout is not. A socket that closed under the
      // probe fails it after detach(): probed() sees another link (or none) and leaves it.
      (err: Error) => this.probed(link, err instanceof AriHttpError),
    );
  }

  /** The event socket closed: every request sent on it fails as "not connected" (its outcome is unknown). */
  detach(reason: string, link?: AriWsLink): void {
    if (link && link !== this.link) return;
    this.link = undefined;
    this.state = 'none';
    if (this.sweep) this.clock.clearTimeout(this.sweep);
    this.sweep = undefined;
    if (this.pending.size === 0) return;
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new AriNotConnectedError(`${p.method} ${p.path}: event socket closed before the answer (${reason})`));
  }

  /** A RESTResponse frame from the event socket. */
  handle(msg: RestResponse): void {
    const id = typeof msg.request_id === 'string' ? msg.request_id : '';
    const p = this.pending.get(id);
    if (!p) {
      // The probe answered after its time: the socket carries REST after all (a busy Asterisk).
      if (id === this.probeId && this.state === 'unanswered' && this.link) return this.probed(this.link, true, true);
      // Answered after its timeout (already failed), or not ours.
      this.log.debug('ARI RESTResponse for no pending request', { requestId: id, status: msg.status_code });
      return;
    }
    this.pending.delete(id);
    const status = typeof msg.status_code === 'number' ? msg.status_code : 0;
    const body = typeof msg.message_body === 'string' ? msg.message_body : '';
    // An error answer without a body says why in its reason phrase (HTTP would carry it in the status line).
    const ok = status >= 200 && status <= 299;
    const text = ok ? body : body || String(msg.reason_phrase ?? '');
    try {
      p.resolve(ariResult(p.method, p.path, status, text, this.log));
    } catch (err) {
      p.reject(err as Error);
    }
  }

  /** Same contract as AriRest.request; goes over the event socket when it can. */
  request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    if (this.state === 'usable' && this.fitsSocket(method, path)) {
      const sent = this.send<T>(method, path, query, body, this.timeoutMs);
      if (sent) return sent;
    }
    this.counts.http++;
    return this.http.request<T>(method, path, query, body);
  }

  /** Collections (GET /channels...) can be big: HTTP, not a frame on the event socket. Also HTTP while the socket is stalled. */
  private fitsSocket(method: string, path: string): boolean {
    if (method === 'GET' && path.lastIndexOf('/') === 0) return false;
    const oldest = this.pending.values().next();
    return oldest.done || this.clock.now() - oldest.value.sentAt < ARI_WS_STALL_MS;
  }

  /** Sends one RESTRequest; undefined when it cannot go (too big, socket not open) and HTTP should take it. */
  private send<T>(method: string, path: string, query: Query | undefined, body: unknown, timeoutMs: number): Promise<T> | undefined {
    const link = this.link;
    if (!link) return undefined;
    const id = String(++this.seq);
    const msg: Record<string, string> = { type: 'RESTRequest', transaction_id: id, request_id: id, method, uri: path.slice(1) + queryString(query) };
    if (body !== undefined) {
      msg.content_type = 'application/json';
      msg.message_body = JSON.stringify(body);
    }
    const text = JSON.stringify(msg);
    if ((text.length * 3 > ARI_WS_MAX_REQUEST_BYTES && Buffer.byteLength(text) > ARI_WS_MAX_REQUEST_BYTES) || !link.send(text)) return undefined;
    this.counts.websocket++;
    const now = this.clock.now();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, path, sentAt: now, deadline: now + timeoutMs, resolve: resolve as (v: unknown) => void, reject });
      this.armSweep(now + timeoutMs);
    });
  }

  /**
   * One timer for every pending request instead of one each: it fires at the earliest deadline
   * and fails what is due. (Deadlines are not all in send order: the probe's is shorter.)
   */
  private armSweep(deadline: number): void {
    if (this.sweep && this.sweepAt <= deadline) return;
    if (this.sweep) this.clock.clearTimeout(this.sweep);
    this.sweepAt = deadline;
    this.sweep = this.clock.setTimeout(() => this.expire(), Math.max(0, deadline - this.clock.now()));
  }

  private expire(): void {
    this.sweep = undefined;
    const now = this.clock.now();
    let next = Infinity;
    for (const [id, p] of this.pending) {
      if (p.deadline <= now) {
        this.pending.delete(id);
        p.reject(new AriNotConnectedError(`${p.method} ${p.path}: no answer within ${p.deadline - p.sentAt} ms`));
      } else if (p.deadline < next) next = p.deadline;
    }
    if (next !== Infinity) this.armSweep(next);
  }

  private probed(link: AriWsLink, answered: boolean, late = false): void {
    if (this.link !== link || this.state !== (late ? 'unanswered' : 'probing')) return;
    this.state = answered ? 'usable' : 'unanswered';
    const outcome = answered ? 'answered' : 'unanswered';
    if (outcome === this.lastProbe) return;
    this.lastProbe = outcome;
    if (answered) this.log.info('ARI REST goes over the event WebSocket (Asterisk answered a RESTRequest)');
    else {
      this.log.info('ARI REST stays on HTTP: Asterisk did not answer a RESTRequest on the event WebSocket (REST over WebSocket needs Asterisk 22.4+, 21.9+ or 20.14+)', {
        waitedMs: this.probeMs,
      });
    }
  }
}
