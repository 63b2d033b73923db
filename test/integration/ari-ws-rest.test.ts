/**
 * REST over the ARI event WebSocket on a real Asterisk (22.10.1): the simulator's answers to the
 * same RESTRequest frames match Asterisk's (status, reason, uri, body), and the daemon with the
 * default rest_transport (auto) sends a queue call's requests over the socket, not over HTTP.
 */
import { WebSocket } from 'ws';
import type { AriLinkInfo } from '../../src/ari/client';
import { Simulator } from '../../src/sim';
import { describeWithAsterisk } from './asterisk';
import { eventually, Stack } from './harness';

/** A raw event socket: sends frames, collects RESTResponses. */
class RawSocket {
  readonly responses: Array<Record<string, unknown>> = [];
  private constructor(readonly ws: WebSocket) {}
  static async open(url: string, user: string, password: string, app: string): Promise<RawSocket> {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/ari/events?app=${app}`, {
      headers: { Authorization: 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64') },
    });
    const s = new RawSocket(ws);
    ws.on('message', (d) => {
      const m = JSON.parse(String(d)) as Record<string, unknown>;
      if (m.type === 'RESTResponse') s.responses.push(m);
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return s;
  }
  /** Sends one frame and waits for the next RESTResponse (Asterisk answers a socket's requests in order). */
  async ask(frame: unknown): Promise<Record<string, unknown>> {
    const n = this.responses.length;
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
    return eventually(() => this.responses[n], 5000, `RESTResponse to ${JSON.stringify(frame)}`, 10);
  }
}

const req = (method: string, uri: string, extra: Record<string, unknown> = {}) => ({ type: 'RESTRequest', transaction_id: 'tx', request_id: `id-${method}-${uri}`, method, uri, ...extra });

/** Asterisk's frames and what both sides must agree on. */
const FRAMES: unknown[] = [
  'not json',
  { request_id: 'a', method: 'GET', uri: 'asterisk/ping' },
  { type: 'Ping', request_id: 'b' },
  { type: 'RESTRequest', request_id: 'c', method: 'GET' },
  { type: 'RESTRequest', request_id: 'd', method: 'get', uri: 'asterisk/ping' },
  { type: 'RESTRequest', request_id: 'e', method: 'GET', uri: 'asterisk/ping', query_strings: 'x=1' },
  { type: 'RESTRequest', request_id: 'e2', method: 'GET', uri: 'asterisk/ping', query_strings: [{ name: 'x' }] },
  { type: 'RESTRequest', request_id: 'f', method: 'POST', uri: 'bridges', message_body: '{}' },
  { type: 'RESTRequest', request_id: 'g', method: 'POST', uri: 'bridges', content_type: 'text/plain', message_body: 'x' },
  { type: 'RESTRequest', request_id: 'h', method: 'POST', uri: 'bridges', content_type: 'application/json', message_body: '{' },
  req('GET', 'asterisk/ping'),
  req('GET', '/asterisk/ping'),
  req('GET', 'ari/asterisk/ping'),
  req('GET', 'asterisk/ping/'),
  req('GET', 'events'),
  req('POST', 'channels/no-such-channel/answer'),
  req('POST', 'bridges?type=mixing&bridgeId=ws-b1&name=b+one'),
  req('POST', 'bridges', { content_type: 'application/x-www-form-urlencoded', message_body: 'bridgeId=ws-b2&type=holding' }),
  req('POST', 'bridges/ws-b1/moh', { query_strings: [{ name: 'mohClass', value: 'default' }] }),
  req('DELETE', 'bridges/ws-b1'),
  req('DELETE', 'bridges/ws-b2'),
  req('DELETE', 'bridges/ws-b1'),
  req('POST', 'bridges/ws-b1/addChannel?channel=no-such-channel'),
];

/** What must match between Asterisk and the simulator (bodies: the error message, or the JSON's keys). */
function shape(r: Record<string, unknown>) {
  const body = typeof r.message_body === 'string' ? (JSON.parse(r.message_body) as Record<string, unknown>) : undefined;
  const status = r.status_code as number;
  return {
    transaction_id: r.transaction_id,
    request_id: r.request_id,
    status_code: status,
    reason_phrase: r.reason_phrase,
    uri: r.uri,
    content_type: r.content_type,
    // Parse errors: Asterisk's exact text. Resource answers: what was made (their error texts are per handler).
    body: body === undefined ? undefined : status === 400 && typeof body.message === 'string' ? body.message : status >= 300 ? 'error' : (body.id ?? body.ping),
  };
}

describeWithAsterisk('REST over the ARI event WebSocket on a real Asterisk', (install) => {
  let stack: Stack;

  beforeAll(async () => {
    // Member-leg: the topology whose queue calls make the most REST requests (native makes none).
    stack = await Stack.start(install, { queueTopology: 'member-leg', queues: [{ name: 'support' }], agents: [{ extension: '1000', queues: ['support'] }] });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  test('the simulator answers RESTRequest frames as Asterisk does', async () => {
    const url = `http://127.0.0.1:${stack.ast.ports.http}`;
    const real = await RawSocket.open(url, 'callcenterd', stack.ast.secrets.ari, 'ws-check');
    const sim = new Simulator();
    await sim.start();
    const fake = await RawSocket.open(sim.ariUrl, sim.credentials.ari.username, sim.credentials.ari.password, 'ws-check');
    try {
      const mismatches: unknown[] = [];
      for (const frame of FRAMES) {
        const a = shape(await real.ask(frame));
        const s = shape(await fake.ask(frame));
        if (JSON.stringify(a) !== JSON.stringify(s)) mismatches.push({ frame, asterisk: a, sim: s });
      }
      expect(mismatches).toEqual([]);
    } finally {
      real.ws.close();
      fake.ws.close();
      await sim.stop();
    }
  }, 60_000);

  test('the daemon (rest_transport auto) sends a queue call over the event socket; HTTP stays flat', async () => {
    const info = () => stack.daemon!.deps.ari.info as AriLinkInfo;
    await eventually(() => info().restTransport === 'websocket', 10_000, 'REST over the event socket');
    await stack.ok('POST', '/agents/1000/login', { queues: ['support'] });
    const before = info().restRequests;
    const cust = await stack.customerCalls('support');
    const call = await eventually(
      async () => ((await stack.ok('GET', '/calls?agent=1000')).calls as Array<{ state: string; id: string; channels: { agent: string } }>).find((c) => c.state === 'connected'),
      20_000,
      'a connected call',
    );
    await stack.hangupChannel(call.channels.agent);
    await eventually(async () => !(await stack.channelExists(cust.id)), 15_000, 'customer hung up by the daemon');
    await eventually(async () => (await stack.ok('GET', `/calls/${call.id}`)).state === 'ended', 15_000, 'call ended');
    const after = info().restRequests;
    // The member-leg path makes ~7 requests per call (README "Performance").
    expect(after.websocket - before.websocket).toBeGreaterThanOrEqual(5);
    expect(after.http - before.http).toBe(0);
  }, 60_000);
});
