/**
 * "native" topology lab on a real Asterisk 22.10.1 (no daemon: the test plays the Stasis app).
 * app_queue rings the agent's device itself (member Interface = the device, StateInterface
 * hint:<ext>@test-agent-hints as the daemon adds it) and bridges an answered call natively; the app
 * only watches AMI and, when a feature needs ARI, "takes the call over": AMI Redirect of both
 * parties into Stasis(callcenter,takeover,<role>), then one ARI mixing bridge.
 *
 * Test phones are Local/<ext>@test-phones (the integration conf has no SIP phones), so the member
 * is Local/4000@test-phones/n: app_queue's DestChannel is its ;1 (the "device" channel in the
 * bridge), the phone's dialplan (Answer, Playtones(1000)) runs on ;2. A PJSIP device would be a
 * single channel in that place; every operation here acts on the DestChannel only.
 * Checked: (a) AgentCalled/AgentConnect ids as ARI channel ids outside Stasis; (b) takeover: app_queue's
 * events, no dialplan after Queue(), timing, audio both ways (tones + sox), ringinuse; redirect of the
 * customer only; (c) without takeover: snoop + live recording on the device, ARI DELETE of the
 * device, AMI BlindTransfer of the device to a service.
 * With CAPTURE_DIR set, transcripts go to <dir>/topology-native.{ami.txt,ari.jsonl,steps.txt}.
 */
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { describeWithAsterisk, AsteriskProcess } from './asterisk';
import { connectAmi, type AmiDriver } from './ami-driver';
import { bandRms, describe as describeRx, heard, recordReceived, soxAvailable, TONES } from './audio';
import { Capture } from './capture';
import { eventually } from './harness';
import type { AmiEvent } from '../../src/ami/types';

const APP = 'callcenter';
const QUEUE = 'support';
const EXT = '4000'; // answers at once, sends 1000 Hz
const MEMBER = `Local/${EXT}@test-phones/n`;

const LAB_DIALPLAN = `
[lab-takeover]
exten => _[a-z].,1,Stasis(callcenter,takeover,\${EXTEN})
 same => n,UserEvent(LabAfterTakeover,Role: \${EXTEN})
 same => n,Hangup()
[lab-service]
exten => 700,1,Answer()
 same => n,UserEvent(LabServiceReached)
 same => n,Playtones(700)
 same => n,Wait(3600)
 same => n,Hangup()
`;

interface Ev { type: string; at: number; channel?: { id: string; name: string }; args?: string[]; [k: string]: unknown }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fields = (e: AmiEvent, keys: string[]) => keys.filter((k) => e[k] !== undefined).map((k) => `${k}=${e[k]}`).join(' ');
const KEYS = ['Channel', 'Uniqueid', 'Linkedid', 'DestChannel', 'DestUniqueid', 'Interface', 'StateInterface', 'Status', 'InCall', 'CallsTaken', 'Reason', 'TalkTime', 'HoldTime', 'RingTime', 'BridgeUniqueid', 'BridgeTechnology', 'Cause', 'Cause-txt', 'UserEvent', 'Result', 'TransfereeChannel', 'Extension', 'Context'];

/** The audio checks need sox: without it the file skips, saying so (as monitoring.test.ts does). */
function describeWithSox(name: string, fn: () => void): void {
  if (soxAvailable()) return describe(name, fn);
  process.stderr.write(`real-Asterisk native topology lab SKIPPED: sox not found on PATH [${name}]\n`);
  describe.skip(`${name} (SKIPPED: sox not found on PATH)`, () => {
    test('needs sox', () => undefined);
  });
}

describeWithAsterisk('native topology lab: app_queue rings the device, the app takes calls over', (install) => describeWithSox('with sox', () => {
  let ast: AsteriskProcess;
  let ami: AmiDriver;
  let ws: WebSocket;
  const cap = new Capture('topology-native');
  const events: Ev[] = [];
  const waiters = new Set<{ pred: (e: Ev) => boolean; resolve: (e: Ev) => void }>();
  let seq = 0;

  const base = () => `http://127.0.0.1:${ast.ports.http}/ari`;
  async function rest(method: string, p: string, q: Record<string, string> = {}): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const qs = new URLSearchParams(q).toString();
    const res = await fetch(`${base()}${p}${qs ? `?${qs}` : ''}`, { method, headers: { authorization: `Basic ${Buffer.from(`callcenterd:${ast.secrets.ari}`).toString('base64')}` } });
    const text = await res.text();
    cap.step(`REST ${method} ${p}${qs ? `?${qs}` : ''} -> ${res.status}`);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
  function waitAri(pred: (e: Ev) => boolean, what: string, timeoutMs = 10_000): Promise<Ev> {
    const seen = events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (e: Ev) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => { waiters.delete(w); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
      waiters.add(w);
    });
  }
  async function action(name: string, f: Record<string, string>): Promise<AmiEvent> {
    const r = await ami.action(name, f);
    cap.step(`AMI ${name} ${JSON.stringify(f)} -> ${r.Response}${r.Message ? ` (${r.Message})` : ''}`);
    return r as unknown as AmiEvent;
  }
  const since = (from: number, pred: (e: AmiEvent) => boolean) => ami.events.slice(from).filter(pred);
  const log = (title: string, from: number) =>
    cap.section(title, since(from, (e) => /^(Agent|QueueCaller|QueueMemberStatus|BridgeCreate|BridgeEnter|BridgeLeave|BridgeDestroy|Hangup$|UserEvent|BlindTransfer)/.test(String(e.Event))).map((e) => `${e.Event} ${fields(e, KEYS)}`));

  beforeAll(async () => {
    ast = await AsteriskProcess.create(install, {});
    fs.appendFileSync(path.join(ast.dir, 'etc', 'extensions.conf'), LAB_DIALPLAN);
    await ast.start();
    ami = await connectAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
    await cap.startAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
    const key = encodeURIComponent(`callcenterd:${ast.secrets.ari}`);
    ws = new WebSocket(`ws://127.0.0.1:${ast.ports.http}/ari/events?app=${APP}&api_key=${key}`);
    ws.on('message', (data) => {
      const e = { ...(JSON.parse(String(data)) as Ev), at: Date.now() };
      events.push(e);
      const keep = ['StasisStart', 'StasisEnd', 'ChannelEnteredBridge', 'ChannelLeftBridge'].includes(e.type);
      cap.recordAri(e, keep ? `${e.type} ${e.channel?.name ?? ''} ${e.args ? JSON.stringify(e.args) : ''}` : undefined);
      for (const w of [...waiters]) if (w.pred(e)) { waiters.delete(w); w.resolve(e); }
    });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
    const r = await action('QueueAdd', { Queue: QUEUE, Interface: MEMBER, MemberName: `Agent ${EXT}`, StateInterface: `hint:${EXT}@test-agent-hints` });
    expect(r.Response).toBe('Success');
  }, 90_000);

  afterEach(async () => {
    await ast.cli('channel request hangup all').catch(() => undefined);
    await eventually(async () => /^0 active channels/m.test(await ast.cli('core show channels count')), 10_000, 'no channels left');
    await sleep(300);
  }, 20_000);

  afterAll(async () => {
    ws?.close();
    await ami?.close();
    await cap.finish();
    await ast?.dispose();
  }, 30_000);

  /** Customer = AMI Originate Local/support@cc-queues/n: ;1 handset (tone) `id`, ;2 queue caller `id-q`. */
  async function customer(tone: number): Promise<string> {
    const id = `cust-${++seq}`;
    await action('Originate', { Channel: `Local/${QUEUE}@cc-queues/n`, Context: 'test-customer-tone', Exten: String(tone), Priority: '1', CallerID: '"Customer" <5550101>', ChannelId: id, OtherChannelId: `${id}-q`, Async: 'true' });
    return id;
  }

  /** A queue call answered by 4000 and bridged by app_queue. */
  async function answered(tone = TONES.customer): Promise<{ cust: string; q: string; dev: string; devName: string; phoneName: string; connect: AmiEvent; t: number }> {
    const cust = await customer(tone);
    const q = `${cust}-q`;
    const called = await ami.waitEvent((e) => e.Event === 'AgentCalled' && e.Uniqueid === q, 10_000, 'AgentCalled');
    const connect = await ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === q, 10_000, 'AgentConnect');
    cap.step(`AgentCalled ${fields(called, KEYS)}`);
    cap.step(`AgentConnect ${fields(connect, KEYS)}`);
    const devName = String(connect.DestChannel);
    return { cust, q, dev: String(connect.DestUniqueid), devName, phoneName: devName.replace(/;1$/, ';2'), connect, t: Date.now() };
  }
  const completeOf = (c: AmiEvent) => (e: AmiEvent) => e.Event === 'AgentComplete' && e.Interface === MEMBER && (!e.Uniqueid || e.Uniqueid === c.Uniqueid) && ami.events.indexOf(e) > ami.events.indexOf(c);

  const audio: string[] = [];
  async function listen(label: string, channels: { customer: string; agent: string }) {
    await sleep(500);
    const rx = await recordReceived(ami, path.join(ast.dir, 'rec'), label, channels, 1500);
    audio.push(`-- ${label}`, ...Object.entries(rx).map(([p, r]) => `  ${p.padEnd(8)} receives ${describeRx(r!)}`));
    cap.section(`AUDIO ${label} (RMS ±100 Hz; customer sends 400 Hz, agent 1000 Hz)`, audio.slice(-2));
    return { customer: heard(rx.customer!), agent: heard(rx.agent!) };
  }

  test('(a) AgentCalled/AgentConnect ids are ARI channel ids while nobody is in Stasis', async () => {
    const from = ami.events.length;
    const c = await answered();
    expect(c.connect.DestChannel).toMatch(/^Local\/4000@test-phones-[0-9a-f]+;1$/);
    const called = since(from, (e) => e.Event === 'AgentCalled')[0];
    expect(called.DestUniqueid).toBe(c.dev);
    expect(called.Linkedid).toBe(c.cust);
    for (const id of [c.q, c.dev]) {
      const r = await rest('GET', `/channels/${id}`);
      cap.step(`GET /channels/${id}: ${r.status} name=${r.body?.name} state=${r.body?.state} app=${r.body?.dialplan?.app_name}(${r.body?.dialplan?.app_data})`);
      expect(r.status).toBe(200);
    }
    const apps = await rest('GET', `/applications/${APP}`);
    expect(apps.body.channel_ids).toEqual([]);
    const bridges = await ast.cli('bridge show all');
    cap.section('CLI> bridge show all (native call)', bridges.trimEnd().split('\n'));
    expect(since(from, (e) => e.Event === 'BridgeCreate').length).toBeGreaterThanOrEqual(1);
    const before = await listen('native app_queue bridge', { customer: c.cust, agent: c.phoneName });
    expect(before).toEqual({ customer: expect.objectContaining({ customer: 'silent', agent: 'heard' }), agent: expect.objectContaining({ customer: 'heard', agent: 'silent' }) });
    log('KEY AMI EVENTS (a)', from);
  }, 40_000);

  test('(b) takeover: Redirect customer + device into Stasis, ARI mixing bridge, audio both ways, ringinuse', async () => {
    const from = ami.events.length;
    const c = await answered();
    await sleep(1200);
    const t0 = Date.now();
    await action('Redirect', { Channel: c.q, ExtraChannel: c.devName, Context: 'lab-takeover', Exten: 'customer', Priority: '1', ExtraContext: 'lab-takeover', ExtraExten: 'agent', ExtraPriority: '1' });
    const sc = await waitAri((e) => e.type === 'StasisStart' && e.channel?.id === c.q, 'customer StasisStart');
    const sa = await waitAri((e) => e.type === 'StasisStart' && e.channel?.id === c.dev, 'device StasisStart');
    cap.step(`Redirect -> StasisStart customer +${sc.at - t0} ms (${JSON.stringify(sc.args)}), device +${sa.at - t0} ms (${JSON.stringify(sa.args)})`);
    const br = `takeover-${++seq}`;
    await rest('POST', `/bridges/${br}`, { type: 'mixing' });
    const add = await rest('POST', `/bridges/${br}/addChannel`, { channel: `${c.q},${c.dev}` });
    expect(add.status).toBe(204);
    cap.step(`Redirect -> both in the ARI bridge: ${Date.now() - t0} ms`);
    // app_queue does NOT end its call at the redirect: no AgentComplete, no QueueMemberStatus.
    await sleep(2000);
    const atRedirect = since(from, (e) => /^(AgentComplete|QueueMemberStatus)$/.test(String(e.Event)) && ami.events.indexOf(e) > ami.events.indexOf(c.connect));
    cap.step(`AgentComplete/QueueMemberStatus within 2 s of the redirect: ${atRedirect.map((e) => `${e.Event} ${fields(e, KEYS)}`).join('; ') || 'none'}`);
    expect(atRedirect.filter((e) => e.Event === 'AgentComplete')).toHaveLength(0);
    const bridge = (await rest('GET', `/bridges/${br}`)).body;
    cap.step(`ARI bridge ${br}: technology=${bridge.technology} channels=${bridge.channels}`);
    expect([...bridge.channels].sort()).toEqual([c.q, c.dev].sort());
    const after = await listen('after takeover (ARI mixing bridge)', { customer: c.cust, agent: c.phoneName });
    expect(after).toEqual({ customer: expect.objectContaining({ customer: 'silent', agent: 'heard' }), agent: expect.objectContaining({ customer: 'heard', agent: 'silent' }) });
    // The customer's dialplan after Queue() ([cc-queues] UserEvent CcQueueExit) must not run.
    expect(since(from, (e) => e.Event === 'UserEvent' && e.UserEvent === 'CcQueueExit')).toHaveLength(0);
    const qs = await ast.cli(`queue show ${QUEUE}`);
    cap.section('CLI> queue show support (taken over call up)', qs.trimEnd().split('\n'));

    // ringinuse=no + hint StateInterface: a second caller is not offered to 4000 while the call is up.
    const c2 = await customer(480);
    await ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === `${c2}-q`, 10_000, 'second caller joins');
    await sleep(3500);
    const offered = since(from, (e) => e.Event === 'AgentCalled' && e.Uniqueid === `${c2}-q`);
    cap.step(`AgentCalled for the second caller while the taken-over call is up (3.5 s, retry=2): ${offered.length}`);
    expect(offered).toHaveLength(0);
    // End of the taken-over call: the device hangs up -> app_queue's AgentComplete now, whole talk time.
    const tEnd = Date.now();
    await rest('DELETE', `/channels/${c.dev}`);
    const done = await ami.waitEvent(completeOf(c.connect), 5000, 'AgentComplete at the device hang-up');
    cap.step(`device hung up in the ARI bridge: AgentComplete ${fields(done, KEYS)} (+${Date.now() - tEnd} ms; call answered ${((Date.now() - c.t) / 1000).toFixed(1)} s ago)`);
    expect(done.Reason).toBe('agent');
    expect(Number(done.TalkTime)).toBeGreaterThanOrEqual(6);
    const free = await ami.waitEvent((e) => e.Event === 'QueueMemberStatus' && e.Interface === MEMBER && ami.events.indexOf(e) > ami.events.indexOf(done), 5000, 'QueueMemberStatus after AgentComplete').catch(() => undefined);
    cap.step(`QueueMemberStatus after it: ${free ? fields(free, KEYS) : 'none'}`);
    await rest('DELETE', `/channels/${c.q}`);
    await rest('DELETE', `/bridges/${br}`);
    const next = await ami.waitEvent((e) => e.Event === 'AgentCalled' && e.Uniqueid === `${c2}-q`, 10_000, 'second caller offered');
    cap.step(`second caller offered ${Date.now() - tEnd} ms after the taken-over call ended: ${fields(next, KEYS)}`);
    await sleep(300);
    expect(since(from, (e) => e.Event === 'UserEvent' && /LabAfterTakeover|CcQueueExit/.test(String(e.UserEvent)) && e.Uniqueid === c.q)).toHaveLength(0);
    log('KEY AMI EVENTS (b) takeover', from);
  }, 60_000);

  test('(b) redirect of the customer only: what happens to the device', async () => {
    const from = ami.events.length;
    const c = await answered();
    await sleep(1000);
    const t0 = Date.now();
    await action('Redirect', { Channel: c.q, Context: 'lab-takeover', Exten: 'customer', Priority: '1' });
    await waitAri((e) => e.type === 'StasisStart' && e.channel?.id === c.q, 'customer StasisStart');
    await sleep(1500);
    const dev = await rest('GET', `/channels/${c.dev}`);
    const hang = since(from, (e) => e.Event === 'Hangup' && (e.Uniqueid === c.dev || e.Channel === c.phoneName));
    const early = since(from, (e) => e.Event === 'AgentComplete');
    cap.step(`device ${c.devName} 1.5 s after the customer-only redirect: GET ${dev.status}; Hangup events: ${hang.map((e) => `${e.Channel} Cause=${e.Cause} ${e['Cause-txt']}`).join('; ') || 'none'}; AgentComplete so far: ${early.length} (t=${Date.now() - t0} ms)`);
    const bridges = await ast.cli('bridge show all');
    cap.section('CLI> bridge show all (customer-only redirect)', bridges.trimEnd().split('\n'));
    expect(dev.status).toBe(404); // the device does not survive alone in app_queue's bridge: hung up at once
    expect(hang.length).toBeGreaterThanOrEqual(1);
    expect(early).toHaveLength(0); // ... and app_queue does not close its call for it
    await rest('DELETE', `/channels/${c.q}`);
    const done = await ami.waitEvent(completeOf(c.connect), 5000, 'AgentComplete at the customer hang-up');
    cap.step(`customer hung up in Stasis: AgentComplete ${fields(done, KEYS)}`);
    expect(done.Reason).toBe('caller');
    log('KEY AMI EVENTS (b) customer-only redirect', from);
  }, 40_000);

  test('(c) snoop + live recording on the device while app_queue bridges the call', async () => {
    const from = ami.events.length;
    const c = await answered();
    const snoop = `ccrec-${++seq}`;
    const s = await rest('POST', `/channels/${c.dev}/snoop`, { spy: 'both', whisper: 'none', app: APP, appArgs: 'recording,x', snoopId: snoop });
    expect(s.status).toBe(200);
    await waitAri((e) => e.type === 'StasisStart' && e.channel?.id === snoop, 'snoop StasisStart');
    const name = `native-rec-${seq}`;
    const r = await rest('POST', `/channels/${snoop}/record`, { name, format: 'wav', ifExists: 'overwrite' });
    expect(r.status).toBe(201);
    await sleep(2500);
    await rest('POST', `/recordings/live/${name}/stop`);
    const file = path.join(ast.dir, 'spool', 'recording', `${name}.wav`);
    await eventually(() => fs.existsSync(file) && fs.statSync(file).size > 16_000, 5000, 'recording file');
    const rms = { customer: bandRms(file, TONES.customer), agent: bandRms(file, TONES.agent) };
    cap.step(`recording ${name}.wav (${fs.statSync(file).size} bytes): 400 Hz ${rms.customer.toFixed(4)}, 1000 Hz ${rms.agent.toFixed(4)}`);
    expect(rms.customer).toBeGreaterThan(0.02);
    expect(rms.agent).toBeGreaterThan(0.02);
    expect(since(from, (e) => e.Event === 'AgentComplete')).toHaveLength(0); // the call is untouched
    // ARI DELETE of the device (not in Stasis): app_queue ends the call.
    const t0 = Date.now();
    await rest('DELETE', `/channels/${c.dev}`);
    const done = await ami.waitEvent(completeOf(c.connect), 5000, 'AgentComplete after DELETE');
    const snoopEnd = await waitAri((e) => e.type === 'StasisEnd' && e.channel?.id === snoop, 'snoop StasisEnd', 5000);
    await eventually(async () => (await rest('GET', `/channels/${c.q}`)).status === 404, 5000, 'customer gone');
    cap.step(`DELETE device: AgentComplete ${fields(done, KEYS)} (+${Date.now() - t0} ms); snoop StasisEnd +${snoopEnd.at - t0} ms; customer queue channel gone`);
    expect(done.Reason).toBe('agent');
    expect(since(from, (e) => e.Event === 'UserEvent' && e.UserEvent === 'CcQueueExit' && e.Uniqueid === c.q)).toHaveLength(0);
    log('KEY AMI EVENTS (c) snoop, recording, DELETE device', from);
  }, 40_000);

  test('(c) AMI BlindTransfer of the device to a service: the customer reaches it', async () => {
    const from = ami.events.length;
    const c = await answered();
    await sleep(1000);
    const t0 = Date.now();
    const r = await action('BlindTransfer', { Channel: c.devName, Context: 'lab-service', Exten: '700' });
    expect(r.Response).toBe('Success');
    const reached = await ami.waitEvent((e) => e.Event === 'UserEvent' && e.UserEvent === 'LabServiceReached' && ami.events.indexOf(e) >= from, 5000, 'service reached');
    const done = await ami.waitEvent(completeOf(c.connect), 5000, 'AgentComplete after BlindTransfer');
    const bt = since(from, (e) => e.Event === 'BlindTransfer')[0];
    cap.step(`BlindTransfer: service reached by ${reached.Channel} (Uniqueid ${reached.Uniqueid}) +${Date.now() - t0} ms; AgentComplete ${fields(done, KEYS)}; BlindTransfer event ${bt ? fields(bt, ['Result', 'TransfererChannel', 'TransfereeChannel', 'Extension', 'Context', 'IsExternal']) : 'none'}`);
    expect(reached.Uniqueid).toBe(c.q);
    expect(done.Reason).toBe('transfer');
    await sleep(500);
    const dev = await rest('GET', `/channels/${c.dev}`);
    cap.step(`device after the transfer: GET ${dev.status}`);
    const tx = path.join(ast.dir, 'rec', 'service-q-tx.wav');
    await action('MixMonitor', { Channel: c.q, File: path.join(ast.dir, 'rec', 'service-q-mix.wav'), Options: `t(${tx})` });
    const rx = await recordReceived(ami, path.join(ast.dir, 'rec'), 'service', { customer: c.cust }, 1500);
    await action('StopMixMonitor', { Channel: c.q });
    await sleep(300);
    const svc = bandRms(path.join(ast.dir, 'rec', 'service-customer-rx.wav'), 700);
    const svcTx = fs.existsSync(tx) ? bandRms(tx, 700) : -1;
    cap.step(`customer receives in the service (MixMonitor): handset ;1 r(): 700 Hz ${svc.toFixed(4)}, ${describeRx(rx.customer!)}; queue channel ;2 t(): 700 Hz ${svcTx.toFixed(4)}`);
    // Second method: ARI snoop spy=in on the handset ;1 (what it reads) + live recording.
    const sn = `svc-snoop-${++seq}`;
    await rest('POST', `/channels/${c.cust}/snoop`, { spy: 'in', whisper: 'none', app: APP, appArgs: 'probe', snoopId: sn });
    await waitAri((e) => e.type === 'StasisStart' && e.channel?.id === sn, 'probe snoop');
    await rest('POST', `/channels/${sn}/record`, { name: sn, format: 'wav' });
    await sleep(1500);
    await rest('POST', `/recordings/live/${sn}/stop`);
    const snFile = path.join(ast.dir, 'spool', 'recording', `${sn}.wav`);
    await eventually(() => fs.existsSync(snFile) && fs.statSync(snFile).size > 8000, 5000, 'probe recording');
    const svcSnoop = bandRms(snFile, 700);
    const chans = (await rest('GET', '/channels')).body.map((ch: { name: string; state: string; dialplan: { app_name: string } }) => `${ch.name} ${ch.state} ${ch.dialplan.app_name}`);
    cap.step(`customer in the service, snoop spy=in on the handset: 700 Hz ${svcSnoop.toFixed(4)}; channels: ${chans.join(' | ')}`);
    // Found: the service's 700 Hz leaves the customer's queue channel (;2 t()) but the Local handset
    // ;1 reads nothing (0.0000 with MixMonitor r() and with a snoop): a lab (Local customer) quirk or
    // a Local-channel issue after a blind transfer; not asserted, recorded in the steps.
    expect(svcTx).toBeGreaterThan(0.02);
    expect(since(from, (e) => e.Event === 'UserEvent' && e.UserEvent === 'CcQueueExit' && e.Uniqueid === c.q)).toHaveLength(0);
    log('KEY AMI EVENTS (c) BlindTransfer', from);
  }, 40_000);
}));
