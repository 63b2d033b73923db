/**
 * AriWsRest (src/ari/ws-rest.ts) on its own: a recording link stands in for the event socket, a
 * recording HTTP transport for AriRest, a FakeClock for the timeouts.
 */
import type { AriRest, Query } from '../../src/ari/rest';
import { AriHttpError, AriNotConnectedError } from '../../src/ari/types';
import { ARI_WS_MAX_REQUEST_BYTES, ARI_WS_PROBE_MS, ARI_WS_STALL_MS, AriWsRest, type AriRestTransport, type AriWsLink } from '../../src/ari/ws-rest';
import { FakeClock } from '../../src/util/clock';
import { captureLogger } from '../ami/fakeAmiServer';

/** Records frames; `open` false = the socket is not writable. */
class Link implements AriWsLink {
  readonly frames: Array<Record<string, string>> = [];
  open = true;
  send(text: string): boolean {
    if (!this.open) return false;
    this.frames.push(JSON.parse(text) as Record<string, string>);
    return true;
  }
  last(): Record<string, string> {
    return this.frames[this.frames.length - 1];
  }
}

class Http {
  readonly calls: Array<[string, string, Query | undefined, unknown]> = [];
  request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T> {
    this.calls.push([method, path, query, body]);
    return Promise.resolve({ via: 'http' } as T);
  }
}

const TIMEOUT = 1000;

function setup(mode: AriRestTransport = 'websocket') {
  const clock = new FakeClock();
  const http = new Http();
  const logs = captureLogger();
  const rest = new AriWsRest(http as unknown as AriRest, mode, clock, TIMEOUT, logs.log);
  const link = new Link();
  const answer = (frame: Record<string, string>, status: number, body?: unknown) =>
    rest.handle({
      type: 'RESTResponse',
      request_id: frame.request_id,
      status_code: status,
      reason_phrase: 'x',
      ...(body === undefined ? {} : { content_type: 'application/json', message_body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { clock, http, logs, rest, link, answer };
}

describe('ARI REST over the event WebSocket (AriWsRest)', () => {
  it('sends a RESTRequest as Asterisk reads it and resolves with the body of the matching RESTResponse', async () => {
    const { rest, link, answer, http } = setup();
    rest.attach(link);
    const a = rest.request('POST', '/channels', { endpoint: 'PJSIP/1000', app: 'callcenter', appArgs: 'a b' }, { variables: { X: '1' } });
    const b = rest.request('GET', '/channels/c%201');
    expect(link.frames[0]).toEqual({
      type: 'RESTRequest',
      transaction_id: link.frames[0].request_id,
      request_id: link.frames[0].request_id,
      method: 'POST',
      // relative to /ari, no leading slash; the query in the uri; the body as a JSON string
      uri: 'channels?endpoint=PJSIP%2F1000&app=callcenter&appArgs=a+b',
      content_type: 'application/json',
      message_body: '{"variables":{"X":"1"}}',
    });
    expect(link.frames[1]).toEqual({ type: 'RESTRequest', transaction_id: link.frames[1].request_id, request_id: link.frames[1].request_id, method: 'GET', uri: 'channels/c%201' });
    expect(link.frames[0].request_id).not.toBe(link.frames[1].request_id);
    // Answered out of order: matched by request_id.
    answer(link.frames[1], 200, { id: 'c 1' });
    answer(link.frames[0], 200, { id: 'new' });
    await expect(b).resolves.toEqual({ id: 'c 1' });
    await expect(a).resolves.toEqual({ id: 'new' });
    expect(http.calls).toEqual([]);
    expect(rest.counts).toEqual({ http: 0, websocket: 2 });
  });

  it('204 without a body → undefined; non-2xx → AriHttpError with status and text; 401 is logged as a credentials problem', async () => {
    const { rest, link, answer, logs } = setup();
    rest.attach(link);
    const ok = rest.request('POST', '/channels/c1/answer');
    answer(link.last(), 204);
    await expect(ok).resolves.toBeUndefined();
    const gone = rest.request('POST', '/channels/c2/answer');
    answer(link.last(), 404, { message: 'Channel not found' });
    const err = await gone.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AriHttpError);
    expect(err).toMatchObject({ status: 404, method: 'POST', path: '/channels/c2/answer' });
    expect((err as Error).message).toContain('Channel not found');
    const refused = rest.request('POST', '/channels/c3/answer');
    answer(link.last(), 401, { message: 'Authentication required' });
    await expect(refused).rejects.toMatchObject({ status: 401 });
    expect(logs.text()).toContain('ARI REST refused our credentials');
    const broken = rest.request('GET', '/channels/c4');
    answer(link.last(), 200, 'not json');
    await expect(broken).rejects.toThrow(/invalid JSON in response/);
  });

  it('no answer within the timeout → AriNotConnectedError (same text as HTTP); a late answer is ignored', async () => {
    const { rest, link, answer, clock } = setup();
    rest.attach(link);
    const first = rest.request('POST', '/channels/c1/answer');
    clock.advance(200);
    const second = rest.request('POST', '/channels/c2/answer');
    expect(link.frames.length).toBe(2);
    const firstFrame = link.frames[0];
    clock.advance(800);
    await expect(first).rejects.toThrow(new AriNotConnectedError(`POST /channels/c1/answer: no answer within ${TIMEOUT} ms`));
    let settled = false;
    void second.then(
      () => (settled = true),
      () => (settled = true),
    );
    await Promise.resolve();
    expect(settled).toBe(false);
    clock.advance(200);
    await expect(second).rejects.toBeInstanceOf(AriNotConnectedError);
    expect(() => answer(firstFrame, 204)).not.toThrow();
    expect(clock.nextTimerAt()).toBeUndefined();
  });

  it('the socket closes: every pending request fails as not connected and is NOT re-sent over HTTP', async () => {
    const { rest, link, http } = setup();
    rest.attach(link);
    const a = rest.request('POST', '/bridges/b1/addChannel', { channel: 'c1' });
    const b = rest.request('DELETE', '/channels/c1');
    rest.detach('no pong within 5000 ms (half-open socket)', link);
    await expect(a).rejects.toThrow(new AriNotConnectedError('POST /bridges/b1/addChannel: event socket closed before the answer (no pong within 5000 ms (half-open socket))'));
    await expect(b).rejects.toBeInstanceOf(AriNotConnectedError);
    expect(http.calls).toEqual([]);
    // While the socket is down, requests go over HTTP.
    await expect(rest.request('POST', '/channels/c2/answer')).resolves.toEqual({ via: 'http' });
    expect(http.calls).toEqual([['POST', '/channels/c2/answer', undefined, undefined]]);
    expect(rest.route).toBe('http');
  });

  it('detach of an older socket leaves the current one alone', async () => {
    const { rest, link, answer } = setup();
    const old = new Link();
    rest.attach(old);
    rest.attach(link);
    const p = rest.request('POST', '/channels/c1/answer');
    rest.detach('late close of the old socket', old);
    answer(link.last(), 204);
    await expect(p).resolves.toBeUndefined();
  });

  it('over HTTP instead: before any socket, a socket that is not open, collection GETs, frames too big for Asterisk, a stalled socket', async () => {
    const { rest, link, http, answer, clock } = setup();
    await rest.request('POST', '/channels/c0/answer');
    rest.attach(link);
    link.open = false;
    await rest.request('POST', '/channels/c1/answer');
    link.open = true;
    await rest.request('GET', '/channels');
    await rest.request('POST', '/channels/c2/variable', { variable: 'V', value: 'é'.repeat(ARI_WS_MAX_REQUEST_BYTES / 2) });
    expect(http.calls.map((c) => `${c[0]} ${c[1]}`)).toEqual(['POST /channels/c0/answer', 'POST /channels/c1/answer', 'GET /channels', 'POST /channels/c2/variable']);
    expect(link.frames).toEqual([]);
    // Asterisk runs a socket's requests one by one: one stuck request sends the others over HTTP.
    const stuck = rest.request('POST', '/channels/c3/answer');
    clock.advance(ARI_WS_STALL_MS - 1);
    void rest.request('POST', '/channels/c4/answer');
    expect(link.frames.length).toBe(2);
    clock.advance(1);
    await rest.request('POST', '/channels/c5/answer');
    expect(link.frames.length).toBe(2);
    expect(http.calls.at(-1)?.[1]).toBe('/channels/c5/answer');
    answer(link.frames[0], 204);
    answer(link.frames[1], 204);
    await stuck;
    void rest.request('POST', '/channels/c6/answer');
    expect(link.frames.length).toBe(3);
    expect(rest.counts).toEqual({ http: 5, websocket: 3 });
  });

  it('auto: probes with GET asterisk/ping; answered → the socket carries REST (logged once across reconnects)', async () => {
    const { rest, link, answer, http, logs } = setup('auto');
    rest.attach(link);
    expect(link.frames).toEqual([{ type: 'RESTRequest', transaction_id: '1', request_id: '1', method: 'GET', uri: 'asterisk/ping' }]);
    expect(rest.route).toBe('http');
    await rest.request('POST', '/channels/c1/answer');
    expect(http.calls.length).toBe(1);
    answer(link.frames[0], 200, { ping: 'pong' });
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('websocket');
    void rest.request('POST', '/channels/c2/answer').catch(() => undefined);
    expect(link.last()).toMatchObject({ uri: 'channels/c2/answer' });
    expect(logs.text().match(/REST goes over the event WebSocket/g)).toHaveLength(1);
    // Reconnect: probe again; the same outcome is not logged again.
    const again = new Link();
    rest.attach(again);
    expect(rest.route).toBe('http');
    answer(again.frames[0], 200, { ping: 'pong' });
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('websocket');
    expect(logs.text().match(/REST goes over the event WebSocket/g)).toHaveLength(1);
  });

  it('auto: an Asterisk that drops the probe (before 22.4) → HTTP, logged once at info; a late answer switches to the socket', async () => {
    const { rest, link, answer, http, logs, clock } = setup('auto');
    rest.attach(link);
    clock.advance(Math.min(TIMEOUT, ARI_WS_PROBE_MS));
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('http');
    expect(logs.text()).toMatch(/"level":"info".*ARI REST stays on HTTP: Asterisk did not answer a RESTRequest/);
    await rest.request('POST', '/channels/c1/answer');
    expect(http.calls.length).toBe(1);
    expect(link.frames.length).toBe(1);
    const other = new Link();
    rest.attach(other);
    clock.advance(ARI_WS_PROBE_MS);
    await new Promise((r) => setImmediate(r));
    expect(logs.text().match(/REST stays on HTTP/g)).toHaveLength(1);
    // A busy Asterisk answering the probe late: the socket carries REST after all.
    answer(other.frames[0], 200, { ping: 'pong' });
    expect(rest.route).toBe('websocket');
  });

  it('auto: a socket that closes under its probe decides nothing; the next socket probes again', async () => {
    const { rest, link, answer, logs } = setup('auto');
    rest.attach(link);
    rest.detach('event socket closed', link);
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('http');
    expect(logs.text()).not.toMatch(/REST stays on HTTP/);
    // A new socket replaces one still probing: the old probe's failure leaves the new one probing.
    const second = new Link();
    rest.attach(second);
    const third = new Link();
    rest.attach(third);
    await new Promise((r) => setImmediate(r));
    expect(logs.text()).not.toMatch(/REST stays on HTTP/);
    answer(third.frames[0], 200, { ping: 'pong' });
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('websocket');
    expect(second.frames).toHaveLength(1);
  });

  it('auto: any RESTResponse proves the socket can carry REST (an error status too)', async () => {
    const { rest, link, answer } = setup('auto');
    rest.attach(link);
    answer(link.frames[0], 404, { message: 'Resource not found' });
    await new Promise((r) => setImmediate(r));
    expect(rest.route).toBe('websocket');
  });

  it('http: never sends on the socket; websocket: uses it without a probe', async () => {
    const h = setup('http');
    h.rest.attach(h.link);
    await h.rest.request('POST', '/channels/c1/answer');
    expect(h.link.frames).toEqual([]);
    expect(h.rest.route).toBe('http');
    const w = setup('websocket');
    w.rest.attach(w.link);
    expect(w.rest.route).toBe('websocket');
    void w.rest.request('POST', '/channels/c1/answer');
    expect(w.link.frames.map((f) => f.uri)).toEqual(['channels/c1/answer']);
  });
});
