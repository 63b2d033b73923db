import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AriRest, queryString, resolveAriUrls } from '../../src/ari/rest';
import { AriHttpError, AriNotConnectedError } from '../../src/ari/types';
import { systemClock } from '../../src/util/clock';
import { captureLogger } from '../ami/fakeAmiServer';

/** A bare HTTP server that counts TCP connections and lets each test decide per request. */
class CountingServer {
  readonly server: http.Server;
  connections = 0;
  requests: { method: string; url: string; auth?: string; body: string }[] = [];
  handler: (n: number, req: http.IncomingMessage, res: http.ServerResponse) => void = (_n, _req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.requests.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
        this.handler(this.requests.length, req, res);
      });
    });
    this.server.on('connection', () => this.connections++);
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('AriRest (node:http keep-alive transport)', () => {
  let srv: CountingServer;
  let rest: AriRest;

  beforeEach(async () => {
    srv = new CountingServer();
    const url = await srv.listen();
    rest = new AriRest(resolveAriUrls(url, 'u', 'p', 'callcenter'), systemClock, 500, captureLogger().log);
  });

  afterEach(async () => {
    rest.close();
    await srv.close();
  });

  it('reuses one socket for sequential requests, sends auth, query string and JSON body', async () => {
    for (let i = 0; i < 5; i++) expect(await rest.request('GET', '/channels', { a: 'x y', b: undefined, n: i })).toEqual({ ok: true });
    await rest.request('POST', '/channels', { endpoint: 'PJSIP/1000' }, { variables: { X: 'é' } });
    expect(srv.connections).toBe(1);
    expect(srv.requests[0]).toMatchObject({ method: 'GET', url: '/ari/channels?a=x+y&n=0', auth: 'Basic ' + Buffer.from('u:p').toString('base64') });
    expect(srv.requests[5]).toMatchObject({ method: 'POST', url: '/ari/channels?endpoint=PJSIP%2F1000', body: '{"variables":{"X":"é"}}' });
  });

  it('a keep-alive socket the server dropped is retried once on a fresh connection', async () => {
    await rest.request('GET', '/asterisk/info');
    srv.handler = (n, req, res) => {
      if (n === 2) req.socket.destroy(); // the server closed the idle socket as we wrote on it
      else res.writeHead(200).end('{"id":"ch-1"}');
    };
    expect(await rest.request('POST', '/channels/ch-1/answer')).toEqual({ id: 'ch-1' });
    expect(srv.requests.map((r) => r.url)).toEqual(['/ari/asterisk/info', '/ari/channels/ch-1/answer', '/ari/channels/ch-1/answer']);
    expect(srv.connections).toBe(2);
  });

  it('a fresh socket reset is not retried: AriNotConnectedError', async () => {
    srv.handler = (_n, req) => req.socket.destroy();
    const err = (await rest.request('GET', '/channels').catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(AriNotConnectedError);
    expect(err.message).toMatch(/GET \/channels: /);
    expect(srv.requests).toHaveLength(1);
  });

  it('empty 204 → undefined; non-JSON 200 → AriHttpError; timeout → AriNotConnectedError', async () => {
    srv.handler = (n, _req, res) => {
      if (n === 1) res.writeHead(204).end();
      else if (n === 2) res.writeHead(200).end('<html>');
      // n === 3: never answers
    };
    expect(await rest.request('DELETE', '/bridges/b1')).toBeUndefined();
    await expect(rest.request('GET', '/x')).rejects.toBeInstanceOf(AriHttpError);
    const slow = (await rest.request('GET', '/slow').catch((e: unknown) => e)) as Error;
    expect(slow).toBeInstanceOf(AriNotConnectedError);
    expect(slow.message).toContain('GET /slow: no answer within 500 ms');
  });

  it('queryString encodes like URLSearchParams and skips undefined', () => {
    expect(queryString(undefined)).toBe('');
    expect(queryString({ a: undefined })).toBe('');
    expect(queryString({ app: 'callcenter', appArgs: 'originated,1,agent', ok: true, t: 30 })).toBe(
      '?app=callcenter&appArgs=originated%2C1%2Cagent&ok=true&t=30',
    );
  });
});
