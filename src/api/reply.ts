/**
 * Writing answers: JSON (`send`), a handler's result (`respond`: a value, `{ status, body }`, or a
 * RawReply for audio/CSV, streamed). Kept apart from the request pipeline in server.ts.
 */
import type http from 'node:http';
import { RawReply } from './types';

/** A handler result is { status, body } only when it has exactly those keys and a numeric status. */
export function respond(res: http.ServerResponse, result: unknown): void {
  if (result instanceof RawReply) return sendRaw(res, result);
  if (result === undefined) return send(res, 204, undefined);
  if (result && typeof result === 'object' && !Array.isArray(result)) {
    const keys = Object.keys(result);
    const r = result as { status?: unknown; body?: unknown };
    if (typeof r.status === 'number' && keys.every((k) => k === 'status' || k === 'body')) {
      return send(res, r.status, r.body);
    }
  }
  send(res, 200, result);
}

function sendRaw(res: http.ServerResponse, r: RawReply): void {
  res.writeHead(r.status, r.headers);
  if (r.body === undefined) return void res.end();
  if (typeof r.body === 'string' || Buffer.isBuffer(r.body)) return void res.end(r.body);
  const stream = r.body as NodeJS.ReadableStream & { destroy?: () => void };
  // A file that vanishes or fails mid-way: the client sees a cut response, never a crash.
  stream.on('error', () => res.destroy());
  res.on('close', () => stream.destroy?.());
  stream.pipe(res);
}

export function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (body === undefined || status === 204) {
    res.writeHead(status);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
