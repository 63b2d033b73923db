/**
 * The messaging floor of a queue call on this machine: what the least a Node daemon can do with a
 * native-topology call's messages costs, with none of callcenterd's domain code or SQLite.
 *
 * A peer process (the Asterisk side) plays each call with the messages the daemon gets and sends
 * per call on the simulator bench (`npm run bench -- --only calls --queue-topology native`):
 *   in:  2 ARI events (StasisStart, StasisEnd), 1 RESTResponse, 7 AMI events (QueueCallerJoin,
 *        AgentCalled, AgentConnect, QueueCallerLeave, AgentComplete, QueueMemberStatus,
 *        DeviceStateChange), 2 AMI action responses;
 *   out: 1 REST request over the ARI WebSocket (continue), 2 AMI Setvar actions (hint busy at the
 *        wrap-up's start, free at its end).
 * The frames are real Asterisk 22.10.1 ones (test/fixtures/captures/native-daemon.*), spaced like a
 * call (ring 5 ms, talk --talk-ms), closed loop of --concurrency calls. The measured process (this
 * one) parses AMI with the daemon's AmiParser and ARI with JSON.parse over the same `ws` client, keeps
 * a map of live calls, and answers: the least any daemon must do. Its CPU per call is the floor
 * under which no daemon design on Node goes here; SQLite's share is measured apart
 * (bench/sqlite-steps.ts).
 *
 * Not a test: `node -r ./test/integration/ts-register.js bench/messages-floor.ts [calls] [concurrency] [talk-ms]`
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';
import { AmiParser } from '../src/ami/parser';
import type { AmiMessage } from '../src/ami/types';

const CAPTURES = path.resolve(__dirname, '..', 'test/fixtures/captures');
const AMI_TYPES = ['QueueCallerJoin', 'AgentCalled', 'AgentConnect', 'QueueCallerLeave', 'AgentComplete', 'QueueMemberStatus', 'DeviceStateChange'] as const;

/** The first frame of each type in the capture, CRLF-terminated, with Linkedid/Uniqueid swapped for a marker. */
function amiFrames(): Record<string, string> {
  const text = fs.readFileSync(path.join(CAPTURES, 'native-daemon.ami.txt'), 'utf8').split(/\r?\n\r?\n/);
  const out: Record<string, string> = {};
  for (const block of text) {
    const type = /^Event: (\w+)/m.exec(block)?.[1];
    if (!type || out[type] || !(AMI_TYPES as readonly string[]).includes(type)) continue;
    out[type] = block.replace(/^(Linkedid|Uniqueid): .*$/gm, '$1: @CALL@').split(/\r?\n/).join('\r\n') + '\r\n\r\n';
  }
  for (const t of AMI_TYPES) if (!out[t]) out[t] = `Event: ${t}\r\nPrivilege: agent,all\r\nQueue: support\r\nUniqueid: @CALL@\r\nLinkedid: @CALL@\r\n\r\n`;
  return out;
}

function ariEvents(): Record<'StasisStart' | 'StasisEnd', string> {
  const lines = fs.readFileSync(path.join(CAPTURES, 'native-daemon.ari.jsonl'), 'utf8').split('\n');
  const first = (type: string) => lines.find((l) => l.startsWith(`{"type":"${type}"`))!;
  return { StasisStart: first('StasisStart'), StasisEnd: first('StasisEnd') };
}

/** The Asterisk side: plays calls, answers requests; reports its CPU. */
function peer(concurrency: number, talkMs: number): void {
  const ami = amiFrames();
  const ari = ariEvents();
  let amiSock: net.Socket | undefined;
  let ws: WebSocket | undefined;
  const waitingContinue = new Map<string, () => void>();
  const waitingSetvars = new Map<string, { left: number; done: () => void }>();
  const sendAmi = (type: string, id: string) => amiSock!.write(ami[type].replaceAll('@CALL@', id));
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  const amiServer = net.createServer((s) => {
    amiSock = s;
    s.write('Asterisk Call Manager/9.0.0\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let end: number;
      while ((end = buf.indexOf('\r\n\r\n')) !== -1) {
        const frame = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const actionId = /ActionID: (.*)/.exec(frame)?.[1] ?? '';
        s.write(`Response: Success\r\nActionID: ${actionId}\r\nMessage: Variable Set\r\n\r\n`);
        const call = /Variable: CC_CALL=(.*)/.exec(frame)?.[1] ?? '';
        const w = waitingSetvars.get(call);
        if (w && --w.left === 0) {
          waitingSetvars.delete(call);
          w.done();
        }
      }
    });
  });
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  wss.on('connection', (c) => {
    ws = c;
    c.on('message', (data) => {
      const req = JSON.parse(String(data)) as { request_id: string; uri: string };
      c.send(JSON.stringify({ type: 'RESTResponse', transaction_id: '', request_id: req.request_id, status_code: 204, reason_phrase: 'No Content', uri: req.uri }));
      // The capture's channel id is the linkedid + "-q" (the queue side of the trunk call).
      const id = (/channels\/([^/]+)\/continue/.exec(req.uri)?.[1] ?? '').replace(/-q$/, '');
      waitingContinue.get(id)?.();
    });
  });

  const oneCall = async (n: number): Promise<void> => {
    const id = `floor-${n}`;
    const continued = new Promise<void>((r) => waitingContinue.set(id, r));
    ws!.send(ari.StasisStart.replaceAll('trunk-20042-1-10b132', id));
    await continued;
    waitingContinue.delete(id);
    ws!.send(ari.StasisEnd.replaceAll('trunk-20042-1-10b132', id));
    sendAmi('QueueCallerJoin', id);
    sendAmi('AgentCalled', id);
    await sleep(5);
    sendAmi('AgentConnect', id);
    sendAmi('QueueCallerLeave', id);
    await sleep(talkMs);
    const released = new Promise<void>((r) => waitingSetvars.set(id, { left: 2, done: r }));
    sendAmi('AgentComplete', id);
    sendAmi('QueueMemberStatus', id);
    sendAmi('DeviceStateChange', id);
    await released;
  };

  const run = async (count: number): Promise<void> => {
    let next = 0;
    const lane = async () => {
      while (next < count) await oneCall(next++);
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  };

  // Both servers listening before the ports are told (the WebSocket server's address is unset until then).
  void Promise.all([new Promise((r) => amiServer.listen(0, '127.0.0.1', () => r(undefined))), new Promise((r) => wss.once('listening', r))]).then(() => {
    const ports = { ami: (amiServer.address() as net.AddressInfo).port, ari: (wss.address() as net.AddressInfo).port };
    process.send!({ ports });
  });
  process.on('message', (m: { run?: number; stop?: boolean }) => {
    if (m.stop) process.exit(0);
    if (m.run === undefined) return;
    const c0 = process.cpuUsage();
    const t0 = Date.now();
    void run(m.run).then(() => {
      const c = process.cpuUsage(c0);
      process.send!({ done: m.run, peerCpuMs: (c.user + c.system) / 1000, wallMs: Date.now() - t0 });
    });
  });
}

/** The daemon side, reduced to what any daemon must do with these messages. */
async function measured(calls: number, concurrency: number, talkMs: number): Promise<void> {
  const child = fork(__filename, ['peer', String(concurrency), String(talkMs)], { execArgv: process.execArgv });
  const fromChild = <T>(key: string) => new Promise<T>((r) => child.on('message', (m: Record<string, unknown>) => key in m && r(m as T)));
  const { ports } = await fromChild<{ ports: { ami: number; ari: number } }>('ports');

  const live = new Map<string, { state: string; at: number }>();
  let actionId = 0;
  const sock = net.connect(ports.ami, '127.0.0.1');
  const setvar = (call: string, value: string) =>
    sock.write(`Action: Setvar\r\nActionID: ${++actionId}\r\nVariable: CC_CALL=${call}\r\nValue: ${value}\r\n\r\n`);
  const parser = new AmiParser({
    onBanner: () => undefined,
    onMessage: (m: AmiMessage) => {
      const id = m.Linkedid ?? '';
      switch (m.Event) {
        case 'AgentCalled':
          live.set(id, { state: 'ringing', at: Date.now() });
          break;
        case 'AgentConnect':
          if (live.get(id)) live.get(id)!.state = 'connected';
          break;
        case 'AgentComplete':
          live.delete(id);
          setvar(id, 'INUSE'); // wrap-up begins
          setImmediate(() => setvar(id, 'NOT_INUSE')); // wrap-up of 0 s ends
          break;
        default:
      }
    },
  });
  sock.on('data', (d) => parser.push(d));
  const ws = new WebSocket(`ws://127.0.0.1:${ports.ari}/ari/events`, { perMessageDeflate: false });
  let requestId = 0;
  ws.on('message', (data) => {
    const e = JSON.parse(String(data)) as { type: string; channel?: { id: string } };
    if (e.type === 'StasisStart' && e.channel) {
      ws.send(JSON.stringify({ type: 'RESTRequest', transaction_id: '', request_id: String(++requestId), method: 'POST', uri: `channels/${e.channel.id}/continue?context=cc-queues&extension=support&priority=1`, content_type: '', message_body: '' }));
    }
  });
  await new Promise((r) => ws.once('open', r));

  const run = async (n: number) => {
    const c0 = process.cpuUsage();
    child.send({ run: n });
    const r = await fromChild<{ done: number; peerCpuMs: number; wallMs: number }>('done');
    const c = process.cpuUsage(c0);
    return { cpuMs: (c.user + c.system) / 1000, ...r };
  };
  await run(Math.max(100, Math.round(calls / 5))); // warm-up: JIT, sockets
  const r = await run(calls);
  console.log(`messages floor: ${calls} calls, concurrency ${concurrency}, talk ${talkMs} ms, ${((calls * 1000) / r.wallMs).toFixed(1)} calls/s`);
  console.log(`  per call: 12 messages in (7 AMI events, 2 ARI events, 1 REST answer, 2 AMI answers), 3 out`);
  console.log(`  → ${(r.cpuMs / calls).toFixed(3)} ms CPU per call in the measured process (the least a Node daemon spends on them here)`);
  console.log(`    peer (the Asterisk side, other process): ${(r.peerCpuMs / calls).toFixed(3)} ms CPU per call`);
  child.send({ stop: true });
  sock.destroy();
  ws.close();
}

if (process.argv[2] === 'peer') peer(Number(process.argv[3]), Number(process.argv[4]));
else void measured(Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 10), Number(process.argv[4] ?? 300));
