/**
 * The simulator's REST over the ARI event WebSocket against what Asterisk 22.10.1 does
 * (res/ari/ari_websocket_requests.c, ari_websockets.c, res_ari.c ast_ari_invoke): field names,
 * 400 texts, uri rules, same routes and status codes as HTTP, the event filter, an old Asterisk.
 */
import { createAriClient, type AriClientImpl } from '../../src/ari/client';
import { AriNotConnectedError } from '../../src/ari/types';
import { Simulator } from '../../src/sim';
import { captureLogger, waitFor } from '../ami/fakeAmiServer';
import { RawAri } from './helpers';

describe('simulator: REST over the ARI event WebSocket', () => {
  let sim: Simulator;
  const open: RawAri[] = [];
  let client: AriClientImpl | undefined;

  beforeEach(async () => {
    sim = new Simulator();
    await sim.start();
  });
  afterEach(async () => {
    open.splice(0).forEach((c) => c.close());
    await client?.stop();
    client = undefined;
    await sim.stop();
  });

  const raw = async () => {
    const c = await RawAri.connect(sim);
    open.push(c);
    return c;
  };
  /** Sends one frame, returns the RESTResponse carrying `id` (or the next one when the frame has none). */
  const ask = async (c: RawAri, frame: unknown, id?: string) => {
    const before = c.events.length;
    c.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    return c.event('RESTResponse', (e) => c.events.indexOf(e) >= before && (id === undefined || e.request_id === id));
  };
  const req = (method: string, uri: string, extra: Record<string, unknown> = {}) => ({ type: 'RESTRequest', transaction_id: 't1', request_id: `r-${uri}`, method, uri, ...extra });

  it('answers with Asterisk fields: ids echoed, status, reason, uri without its query, JSON body as a string; 204 has no body', async () => {
    const c = await raw();
    const ping = await ask(c, req('GET', 'asterisk/ping'));
    expect(ping).toMatchObject({ type: 'RESTResponse', transaction_id: 't1', request_id: 'r-asterisk/ping', status_code: 200, reason_phrase: 'OK', uri: 'asterisk/ping', content_type: 'application/json', application: sim.app });
    expect(JSON.parse(ping.message_body)).toMatchObject({ ping: 'pong' });
    expect(ping.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(ping.asterisk_id).toBeDefined();
    // Query parameters in the uri, a JSON body: the same routes as HTTP.
    const bridge = await ask(c, req('POST', 'bridges?type=mixing&name=b+one', { content_type: 'application/json', message_body: JSON.stringify({ bridgeId: 'b1' }) }));
    expect(bridge).toMatchObject({ status_code: 200, uri: 'bridges' });
    expect(JSON.parse(bridge.message_body)).toMatchObject({ id: 'b1', name: 'b one', bridge_type: 'mixing' });
    const moh = await ask(c, req('POST', 'bridges/b1/moh', { query_strings: [{ name: 'mohClass', value: 'default' }] }));
    expect(moh).toMatchObject({ status_code: 204, reason_phrase: 'No Content', uri: 'bridges/b1/moh' });
    expect(moh).not.toHaveProperty('message_body');
    expect(moh).not.toHaveProperty('content_type');
    const form = await ask(c, req('POST', 'bridges', { content_type: 'application/x-www-form-urlencoded', message_body: 'bridgeId=b2&type=holding' }));
    expect(JSON.parse(form.message_body)).toMatchObject({ id: 'b2', bridge_type: 'holding' });
    // Same status codes as the HTTP side.
    const missing = await ask(c, req('POST', 'channels/nope/answer'));
    const overHttp = await c.rest('POST', '/channels/nope/answer');
    expect(missing).toMatchObject({ status_code: overHttp.status, reason_phrase: 'Not Found' });
    expect(JSON.parse(missing.message_body)).toEqual(overHttp.body);
    const actions = sim.actions.filter((a) => a.proto === 'ari').map((a) => `${a.via} ${a.name}`);
    expect(actions).toEqual(['websocket GET /asterisk/ping', 'websocket POST /bridges', 'websocket POST /bridges/b1/moh', 'websocket POST /bridges', 'websocket POST /channels/nope/answer', 'http POST /channels/nope/answer']);
  });

  it("bad frames get Asterisk's 400 answers; the uri is relative to /ari without a leading slash", async () => {
    const c = await raw();
    expect(await ask(c, 'not json')).toMatchObject({ transaction_id: '', request_id: '', status_code: 400, reason_phrase: 'Failed to parse request message JSON', uri: '' });
    const bad = async (frame: Record<string, unknown>) => {
      const r = await ask(c, { request_id: 'b', ...frame }, 'b');
      expect(r).toMatchObject({ status_code: 400, reason_phrase: 'Bad request', content_type: 'application/json' });
      return JSON.parse(r.message_body).message as string;
    };
    expect(await bad({ method: 'GET', uri: 'asterisk/ping' })).toBe("No 'type' property.");
    expect(await bad({ type: 'Ping' })).toBe('Unknown request type.');
    expect(await bad({ type: 'RESTRequest', method: 'GET' })).toBe("Empty or missing 'uri' property.");
    expect(await bad({ type: 'RESTRequest', method: 'get', uri: 'asterisk/ping' })).toBe("Unknown or missing 'method' property.");
    expect(await bad({ type: 'RESTRequest', method: 'GET', uri: 'asterisk/ping', query_strings: [{ name: 'x' }] })).toBe("Unable to parse 'query_strings' array.");
    // Not an array: "no input", ignored (ast_json_nvp_array_to_ast_variables).
    expect(await ask(c, req('GET', 'asterisk/ping', { query_strings: 'x=1' }))).toMatchObject({ status_code: 200 });
    expect(await bad({ type: 'RESTRequest', method: 'POST', uri: 'bridges', message_body: '{}' })).toBe("No 'content_type' for 'message_body'.");
    expect(await bad({ type: 'RESTRequest', method: 'POST', uri: 'bridges', content_type: 'application/json', message_body: '{' })).toBe("Unable to parse 'message_body' as 'application/json'.");
    expect(await bad({ type: 'RESTRequest', method: 'POST', uri: 'bridges', content_type: 'text/plain', message_body: 'x' })).toBe('Unknown content type.');
    // "/channels": the path walk stops at the empty first segment (the root has no methods); "ari/..." is no resource.
    expect(await ask(c, req('GET', '/asterisk/ping'))).toMatchObject({ status_code: 405 });
    expect(await ask(c, req('GET', 'ari/asterisk/ping'))).toMatchObject({ status_code: 404 });
    const slash = await ask(c, req('GET', 'asterisk/ping/'));
    expect(slash).toMatchObject({ status_code: 404 });
    expect(JSON.parse(slash.message_body).message).toBe('ARI URLs do not end with a slash. Try /ari/asterisk/ping');
  });

  it('the RESTResponse passes through the app event filter, like an event', async () => {
    const c = await raw();
    // The filter is set before the answer is sent: even this answer is filtered out.
    c.ws.send(JSON.stringify(req('PUT', `applications/${sim.app}/eventFilter`, { content_type: 'application/json', message_body: JSON.stringify({ disallowed: [{ type: 'RESTResponse' }] }) })));
    await waitFor(() => sim.actions.some((a) => a.name.endsWith('/eventFilter')));
    c.ws.send(JSON.stringify(req('GET', 'asterisk/ping')));
    await expect(c.event('RESTResponse', (e) => e.request_id === 'r-asterisk/ping', 300)).rejects.toThrow(/no RESTResponse/);
    // A whitelist (allowed) without RESTResponse drops the answers too; with it (as the daemon sends it) they come back.
    const filter = (allowed: string[]) =>
      req('PUT', `applications/${sim.app}/eventFilter`, { content_type: 'application/json', message_body: JSON.stringify({ allowed: allowed.map((type) => ({ type })), disallowed: [] }) });
    c.ws.send(JSON.stringify(filter(['StasisStart'])));
    c.ws.send(JSON.stringify({ ...req('GET', 'asterisk/ping'), request_id: 'p2' }));
    await expect(c.event('RESTResponse', (e) => e.request_id === 'p2', 300)).rejects.toThrow(/no RESTResponse/);
    const back = await ask(c, filter(['StasisStart', 'RESTResponse']));
    expect(back).toMatchObject({ status_code: 200 });
  });

  it('as an Asterisk before 22.4: frames are read and dropped; the client falls back to HTTP and works', async () => {
    sim.setAriRestOverWebSocket(false);
    const c = await raw();
    c.ws.send(JSON.stringify(req('GET', 'asterisk/ping')));
    await expect(c.event('RESTResponse', () => true, 300)).rejects.toThrow(/no RESTResponse/);
    const logs = captureLogger();
    client = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log: logs.log, requestTimeoutMs: 500 });
    client.start();
    await waitFor(() => logs.text().includes('ARI REST stays on HTTP'));
    expect(client.info.restTransport).toBe('http');
    await client.bridges.create({ bridgeId: 'b9' });
    expect(sim.actions.filter((a) => a.name === 'POST /bridges').map((a) => a.via)).toEqual(['http']);
    expect(client.info.restRequests).toMatchObject({ websocket: 1 }); // the probe only
  });

  it('client over the socket: requests carried there, RESTResponse never counted as an event; a socket that drops under a request fails it, not re-sent over HTTP', async () => {
    client = createAriClient({ url: sim.ariUrl, ...sim.credentials.ari, app: sim.app, log: captureLogger().log, requestTimeoutMs: 2000, reconnect: { initialMs: 10, maxMs: 40 } });
    client.start();
    await waitFor(() => client!.info.restTransport === 'websocket');
    const events = client.info.eventsReceived;
    await client.bridges.create({ bridgeId: 'b1' });
    await client.bridges.startMoh('b1');
    expect(sim.actions.filter((a) => a.name.startsWith('POST /bridges')).map((a) => `${a.via} ${a.name}`)).toEqual(['websocket POST /bridges', 'websocket POST /bridges/b1/moh']);
    expect(client.info.eventsReceived).toBe(events);
    // A hung Asterisk: the request is sent on the socket, then the socket dies.
    sim.setUnresponsive(true, 'ari');
    const pending = client.bridges.destroy('b1').catch((e: unknown) => e);
    await waitFor(() => client!.info.restRequests.websocket === 4);
    sim.setUnresponsive(false, 'ari');
    sim.dropAri();
    const err = await pending;
    expect(err).toBeInstanceOf(AriNotConnectedError);
    expect((err as Error).message).toMatch(/DELETE \/bridges\/b1: event socket closed before the answer/);
    expect(sim.actions.filter((a) => a.name === 'DELETE /bridges/b1')).toEqual([]);
    expect(sim.bridges().some((b) => b.id === 'b1')).toBe(true);
  });
});
