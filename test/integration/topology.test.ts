/**
 * Issue 12, call topology lab on a real Asterisk 22.10.1 (no daemon: the test plays the Stasis app
 * itself over ARI, so each topology is seen exactly as Asterisk builds it). Two questions:
 *
 * 1. Local channel optimisation (member `Local/<ext>@cc-agent` without `/n`). It cannot happen while
 *    ;2 sits in an ARI bridge: res_stasis creates every ARI bridge with SWAP_INHIBIT_FROM|TO,
 *    MERGE_INHIBIT_FROM|TO and TRANSFER_BRIDGE_ONLY, and app_queue's own bridge has
 *    SWAP_INHIBIT_FROM and MERGE_INHIBIT_FROM|TO, so bridge.c's bridges_allow_swap_optimization and
 *    bridges_allow_merge_optimization refuse every direction. Control: the same member whose ;2 runs
 *    Dial() (a basic bridge, no inhibit flags) IS optimised away (LocalOptimizationBegin/End).
 *
 * 2. The "stand-in" topology: the customer stays in Stasis; a Local stand-in (originated with
 *    `originator` = the customer, so it carries the customer's linkedid) waits in Queue() for it;
 *    app_queue rings the member leg as today; on answer the customer is bridged straight with the
 *    device in ONE ARI bridge (two SIP channels there may go native_rtp), while the stand-in and the
 *    member leg stay connected in app_queue's bridge, carrying no media. Checked: app_queue's events
 *    (AgentCalled linkedid, AgentConnect, AgentComplete talk time and reason), ringinuse through the
 *    hint StateInterface, which channels sit in which bridge.
 *
 * With CAPTURE_DIR set, transcripts go to <dir>/topology-*.{ami.txt,ari.jsonl,steps.txt}.
 */
import WebSocket from 'ws';
import { describeWithAsterisk, AsteriskProcess } from './asterisk';
import { connectAmi, type AmiDriver } from './ami-driver';
import { Capture } from './capture';
import type { AmiEvent } from '../../src/ami/types';

const APP = 'callcenter';

// Lab-only dialplan: a member leg that Dial()s the phone (the optimisation control) and a
// destination that just hangs up (the end of a stand-in handed away by a transfer).
const LAB_DIALPLAN = `
[lab-agent-dial]
exten => _XXXX,1,Dial(Local/\${EXTEN}@test-phones,30)
 same => n,Hangup()
[lab-end]
exten => s,1,Hangup()
`;

interface Ev { type: string; channel?: { id: string; name: string; dialplan?: { app_data?: string } }; args?: string[]; [k: string]: unknown }

class Lab {
  events: Ev[] = [];
  private ws?: WebSocket;
  private waiters = new Set<{ pred: (e: Ev) => boolean; resolve: (e: Ev) => void }>();
  private seq = 0;
  constructor(readonly ast: AsteriskProcess, readonly ami: AmiDriver, readonly cap: Capture) {}

  get base(): string {
    return `http://127.0.0.1:${this.ast.ports.http}/ari`;
  }

  async connect(): Promise<void> {
    const key = encodeURIComponent(`callcenterd:${this.ast.secrets.ari}`);
    const ws = new WebSocket(`ws://127.0.0.1:${this.ast.ports.http}/ari/events?app=${APP}&api_key=${key}`);
    this.ws = ws;
    ws.on('message', (data) => {
      const e = JSON.parse(String(data)) as Ev;
      this.events.push(e);
      const c = e.channel;
      const keep = ['StasisStart', 'StasisEnd', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'ChannelDestroyed'].includes(e.type);
      this.cap.recordAri(e, keep ? `${e.type} ${c?.name ?? ''} ${e.args ? JSON.stringify(e.args) : ''}${(e.bridge as { id?: string } | undefined)?.id ? ` bridge=${(e.bridge as { id: string }).id}` : ''}${e.replace_channel ? ` replace_channel=${(e.replace_channel as { name: string }).name}` : ''}` : undefined);
      for (const w of [...this.waiters]) if (w.pred(e)) { this.waiters.delete(w); w.resolve(e); }
    });
    await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  }

  close(): void {
    this.ws?.close();
  }

  waitAri(pred: (e: Ev) => boolean, what: string, timeoutMs = 10_000): Promise<Ev> {
    const seen = this.events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (e: Ev) => { clearTimeout(t); resolve(e); } };
      const t = setTimeout(() => { this.waiters.delete(w); reject(new Error(`timed out waiting for ${what}`)); }, timeoutMs);
      this.waiters.add(w);
    });
  }

  async rest(method: string, path: string, query: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const qs = new URLSearchParams(query).toString();
    const res = await fetch(`${this.base}${path}${qs ? `?${qs}` : ''}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`callcenterd:${this.ast.secrets.ari}`).toString('base64')}` },
    });
    const text = await res.text();
    this.cap.step(`REST ${method} ${path}${qs ? `?${qs}` : ''} -> ${res.status}`);
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async ok(method: string, path: string, query: Record<string, string> = {}): Promise<unknown> {
    const r = await this.rest(method, path, query);
    if (r.status >= 300) throw new Error(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  id(tag: string): string {
    return `lab-${tag}-${++this.seq}`;
  }

  async cli(cmd: string): Promise<string> {
    const out = await this.ast.cli(cmd);
    this.cap.section(`CLI> ${cmd}`, out.trimEnd().split('\n'));
    return out;
  }

  amiSince(from: number, pred: (e: AmiEvent) => boolean): AmiEvent[] {
    return this.ami.events.slice(from).filter(pred);
  }
}

/**
 * The AgentComplete closing `connect` (same member, after it). Its caller/member fields come from
 * channel snapshots app_queue looks up after the hang-up (apps/app_queue.c handle_hangup): under
 * load they are gone now and then, and the event has no Channel/Uniqueid/Linkedid.
 */
function completes(ami: AmiDriver, connect: AmiEvent): (e: AmiEvent) => boolean {
  return (e) =>
    e.Event === 'AgentComplete' &&
    e.Interface === connect.Interface &&
    (!e.Uniqueid || e.Uniqueid === connect.Uniqueid) &&
    ami.events.indexOf(e) > ami.events.indexOf(connect);
}

describeWithAsterisk('call topology lab (issue 12)', (install) => {
  let ast: AsteriskProcess;
  let ami: AmiDriver;

  beforeAll(async () => {
    ast = await AsteriskProcess.create(install, { extraFiles: {} });
    // extensions.conf = shipped + test contexts; append the lab contexts.
    const fs = await import('node:fs');
    const path = await import('node:path');
    fs.appendFileSync(path.join(ast.dir, 'etc', 'extensions.conf'), LAB_DIALPLAN);
    await ast.start();
    ami = await connectAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
  }, 90_000);

  afterAll(async () => {
    await ami?.close();
    await ast?.dispose();
  }, 30_000);

  async function withLab(name: string, fn: (lab: Lab) => Promise<void>): Promise<void> {
    const cap = new Capture(name);
    await cap.startAmi(ast.ports.ami, 'cc-test', ast.secrets.amiTest);
    const lab = new Lab(ast, ami, cap);
    await lab.connect();
    try {
      await fn(lab);
    } finally {
      lab.close();
      await ast.cli('channel request hangup all').catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
      await cap.finish();
    }
  }

  async function addMember(lab: Lab, ext: string, iface: string): Promise<void> {
    const r = await lab.ami.action('QueueAdd', { Queue: 'support', Interface: iface, MemberName: `Agent ${ext}`, StateInterface: `hint:${ext}@test-agent-hints` });
    lab.cap.step(`QueueAdd ${iface} StateInterface hint:${ext}@test-agent-hints -> ${r.Response}`);
  }

  async function removeMember(lab: Lab, iface: string): Promise<void> {
    await lab.ami.action('QueueRemove', { Queue: 'support', Interface: iface });
  }

  /** Today's customer: AMI Originate Local/support@cc-queues/n, ;1 = handset with a tone, ;2 = queue caller. */
  async function amiCustomer(lab: Lab, tone: number): Promise<string> {
    const id = lab.id('cust');
    await lab.ami.action('Originate', {
      Channel: 'Local/support@cc-queues/n', Context: 'test-customer-tone', Exten: String(tone), Priority: '1',
      CallerID: '"Customer" <5550101>', ChannelId: id, OtherChannelId: `${id}-q`, Async: 'true',
    });
    lab.cap.step(`AMI Originate customer Local/support@cc-queues/n (handset ${id}, queue caller ${id}-q, ${tone} Hz)`);
    return id;
  }

  test('no /n + ARI bridge: the Local pair is NOT optimised; with Dial() instead of Stasis it is', async () => {
    await withLab('topology-optimisation', async (lab) => {
      const from = ami.events.length;
      // (a) member without /n, ;2 in Stasis, bridged with the phone in an ARI mixing bridge.
      await addMember(lab, '1000', 'Local/1000@cc-agent');
      const cust = await amiCustomer(lab, 400);
      const leg = await lab.waitAri((e) => e.type === 'StasisStart' && e.args?.[0] === 'agent-leg', 'agent leg StasisStart');
      const phoneId = lab.id('phone');
      await lab.ok('POST', '/channels', { endpoint: 'Local/1000@test-phones', app: APP, appArgs: 'phone', channelId: phoneId, otherChannelId: `${phoneId}-2` });
      await lab.waitAri((e) => e.type === 'StasisStart' && e.channel?.id === phoneId, 'phone answered');
      await lab.ok('POST', `/channels/${leg.channel!.id}/answer`);
      const br = lab.id('br');
      await lab.ok('POST', `/bridges/${br}`, { type: 'mixing' });
      await lab.ok('POST', `/bridges/${br}/addChannel`, { channel: `${leg.channel!.id},${phoneId}` });
      const connA = await ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Linkedid === cust, 10_000, 'AgentConnect');
      await new Promise((r) => setTimeout(r, 2500)); // media flows both ways (tones): optimisation would have run
      await lab.cli('bridge show all');
      await lab.cli('core show channels');
      const opt = lab.amiSince(from, (e) => e.Event === 'LocalOptimizationBegin');
      lab.cap.step(`LocalOptimizationBegin events with the ARI bridge: ${opt.length}`);
      expect(opt).toHaveLength(0);
      const bridge = (await lab.ok('GET', `/bridges/${br}`)) as { channels: string[] };
      expect(bridge.channels.sort()).toEqual([leg.channel!.id, phoneId].sort());
      await lab.ok('DELETE', `/channels/${cust}`);
      await ami.waitEvent(completes(ami, connA), 10_000, 'AgentComplete');
      await lab.rest('DELETE', `/channels/${phoneId}`);
      await lab.rest('DELETE', `/bridges/${br}`);
      await removeMember(lab, 'Local/1000@cc-agent');

      // (b) control: the member's ;2 Dial()s the phone (no Stasis) -> the pair optimises away.
      const from2 = ami.events.length;
      await addMember(lab, '1001', 'Local/1001@lab-agent-dial');
      const cust2 = await amiCustomer(lab, 400);
      const conn2 = await ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Linkedid === cust2, 10_000, 'AgentConnect (Dial member)');
      const end = await ami.waitEvent((e) => e.Event === 'LocalOptimizationEnd', 10_000, 'LocalOptimizationEnd');
      lab.cap.step(`control (member ;2 Dial()s the phone): LocalOptimizationEnd Success=${end.Success}`);
      await new Promise((r) => setTimeout(r, 500));
      const bridges = await lab.cli('bridge show all');
      await lab.cli('core show channels');
      // A move-swap reports Success: No even when it worked (bridge.c passes res == 1, and a done
      // swap leaves res = -1): what counts is the result. The phone took ;1's place next to the
      // customer's queue channel, the pair hung up, one bridge is left.
      const queueBridge = (await ami.waitEvent((e) => e.Event === 'BridgeEnter' && e.Uniqueid === `${cust2}-q`, 5000, 'customer in queue bridge')).BridgeUniqueid;
      const swapped = await ami.waitEvent((e) => e.Event === 'BridgeEnter' && /^Local\/1001@test-phones-.*;1$/.test(String(e.Channel)) && e.BridgeUniqueid === queueBridge, 5000, 'phone swapped into the queue bridge');
      const hung = await ami.waitEvent((e) => e.Event === 'Hangup' && /^Local\/1001@lab-agent-dial-.*;1$/.test(String(e.Channel)), 5000, 'member ;1 gone');
      lab.cap.step(`swap: ${swapped.Channel} entered bridge ${swapped.BridgeUniqueid}; ${hung.Channel} hung up`);
      expect(bridges.split('\n').filter((l) => /simple_bridge|native_rtp/.test(l))).toHaveLength(1);
      await ami.action('Hangup', { Channel: `/^Local\\/support@cc-queues-.*;1$/` });
      const done = await ami.waitEvent(completes(ami, conn2), 10_000, 'AgentComplete (Dial member)');
      lab.cap.step(`control AgentComplete Reason=${done.Reason} TalkTime=${done.TalkTime}`);
      await removeMember(lab, 'Local/1001@lab-agent-dial');
      lab.cap.section('KEY AMI EVENTS', lab.amiSince(from, (e) => /^(LocalOptimization|AgentC|BridgeEnter|BridgeLeave|BridgeCreate)/.test(String(e.Event)))
        .map((e) => `${e.Event} ${['Channel', 'DestChannel', 'LocalOneChannel', 'LocalTwoChannel', 'SourceChannel', 'BridgeUniqueid', 'BridgeTechnology', 'Success', 'Reason', 'TalkTime'].filter((k) => e[k] !== undefined).map((k) => `${k}=${e[k]}`).join(' ')}`));
      void from2;
    });
  }, 60_000);

  /**
   * The stand-in topology, played by the test as the daemon would: returns the ids it made.
   * customer = ARI-originated Local/<tone>@test-customer-tone/n (;1 in Stasis, like a trunk call in
   * cc-inbound); stand-in = ARI originate Local/support@cc-queues/n into the app with originator =
   * customer; wait bridge {customer, stand-in ;1} (the customer hears app_queue's music).
   */
  async function standInCall(lab: Lab, tone: number): Promise<{ cust: string; si: string; wait: string }> {
    const cust = lab.id('cust');
    await lab.ok('POST', '/channels', { endpoint: `Local/${tone}@test-customer-tone/n`, app: APP, appArgs: 'customer', channelId: cust, otherChannelId: `${cust}-h`, callerId: '"Customer" <5550101>' });
    await lab.waitAri((e) => e.type === 'StasisStart' && e.channel?.id === cust, 'customer in Stasis');
    const si = lab.id('si');
    await lab.ok('POST', '/channels', { endpoint: 'Local/support@cc-queues/n', app: APP, appArgs: `standin,${cust}`, channelId: si, otherChannelId: `${si}-q`, originator: cust, callerId: '"Customer" <5550101>' });
    await lab.waitAri((e) => e.type === 'StasisStart' && e.channel?.id === si, 'stand-in in Stasis');
    const wait = lab.id('wait');
    await lab.ok('POST', `/bridges/${wait}`, { type: 'mixing' });
    await lab.ok('POST', `/bridges/${wait}/addChannel`, { channel: `${cust},${si}` });
    return { cust, si, wait };
  }

  /** On the member leg's StasisStart: ring the phone, answer the leg, customer straight to the phone. */
  async function connect(lab: Lab, call: { cust: string; si: string; wait: string }, linkedid: string): Promise<{ leg: string; phone: string; br: string }> {
    const legStart = await lab.waitAri((e) => e.type === 'StasisStart' && e.args?.[0] === 'agent-leg' && e.args?.[2] === linkedid, `agent leg for ${linkedid}`);
    const leg = legStart.channel!.id;
    const phone = lab.id('phone');
    await lab.ok('POST', '/channels', { endpoint: `Local/${legStart.args![1]}@test-phones`, app: APP, appArgs: 'phone', channelId: phone, otherChannelId: `${phone}-2` });
    await lab.waitAri((e) => e.type === 'StasisStart' && e.channel?.id === phone, 'phone answered');
    await lab.ok('POST', `/channels/${leg}/answer`);
    await lab.ok('POST', `/bridges/${call.wait}/removeChannel`, { channel: call.cust });
    await lab.ok('DELETE', `/bridges/${call.wait}`);
    const br = lab.id('call');
    await lab.ok('POST', `/bridges/${br}`, { type: 'mixing' });
    await lab.ok('POST', `/bridges/${br}/addChannel`, { channel: `${call.cust},${phone}` });
    return { leg, phone, br };
  }

  test('stand-in: customer bridged straight to the phone, app_queue keeps its events, stats and ringinuse', async () => {
    await withLab('topology-stand-in', async (lab) => {
      const from = ami.events.length;
      await addMember(lab, '1000', 'Local/1000@cc-agent/n');
      const a = await standInCall(lab, 400);
      const called = await ami.waitEvent((e) => e.Event === 'AgentCalled' && e.Uniqueid === `${a.si}-q`, 10_000, 'AgentCalled for stand-in A');
      lab.cap.step(`AgentCalled Channel=${called.Channel} Linkedid=${called.Linkedid} CallerIDNum=${called.CallerIDNum}`);
      // originator = customer: the stand-in (and so the member leg) carries the customer's linkedid.
      expect(called.Linkedid).toBe(a.cust);
      expect(called.CallerIDNum).toBe('5550101');
      const ca = await connect(lab, a, a.cust);
      const conn = await ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === `${a.si}-q`, 10_000, 'AgentConnect A');
      lab.cap.step(`AgentConnect Interface=${conn.Interface} HoldTime=${conn.HoldTime} RingTime=${conn.RingTime}`);
      await new Promise((r) => setTimeout(r, 1000));
      const bridges = await lab.cli('bridge show all');
      await lab.cli('core show channels');
      const callBridge = (await lab.ok('GET', `/bridges/${ca.br}`)) as { channels: string[]; technology: string };
      lab.cap.step(`call bridge ${ca.br}: technology ${callBridge.technology}, channels ${callBridge.channels.join(',')}`);
      expect(callBridge.channels.sort()).toEqual([a.cust, ca.phone].sort());
      // app_queue's own bridge still holds the stand-in and the member ;1 (no media: nothing feeds them).
      expect(bridges.split('\n').filter((l) => /\bbasic\b/.test(l))).toHaveLength(1);

      // ringinuse: the phone is in use (hint = phone & Custom), so a second caller is not offered to 1000.
      const b = await standInCall(lab, 500);
      await ami.waitEvent((e) => e.Event === 'QueueCallerJoin' && e.Uniqueid === `${b.si}-q`, 10_000, 'B joins');
      await new Promise((r) => setTimeout(r, 3000));
      const offeredB = lab.amiSince(from, (e) => e.Event === 'AgentCalled' && e.Uniqueid === `${b.si}-q`);
      lab.cap.step(`AgentCalled for B while 1000 talks to A (3 s, retry=2): ${offeredB.length}`);
      expect(offeredB).toHaveLength(0);
      const status = await lab.ami.action('QueueStatus', { Queue: 'support' });
      void status;

      // The phone hangs up: the daemon hangs up the member leg -> AgentComplete Reason agent, whole talk time.
      await lab.ok('DELETE', `/channels/${ca.phone}`);
      await lab.ok('DELETE', `/channels/${ca.leg}`);
      const doneA = await ami.waitEvent(completes(ami, conn), 10_000, 'AgentComplete A');
      lab.cap.step(`AgentComplete A Reason=${doneA.Reason} TalkTime=${doneA.TalkTime} HoldTime=${doneA.HoldTime}`);
      expect(doneA.Reason).toBe('agent');
      expect(Number(doneA.TalkTime)).toBeGreaterThanOrEqual(3);
      const memberFree = await ami.waitEvent((e) => e.Event === 'QueueMemberStatus' && e.Interface === 'Local/1000@cc-agent/n' && e.CallsTaken === '1', 10_000, 'QueueMemberStatus CallsTaken 1');
      lab.cap.step(`QueueMemberStatus InCall=${memberFree.InCall} CallsTaken=${memberFree.CallsTaken} Status=${memberFree.Status}`);
      await lab.rest('DELETE', `/channels/${a.cust}`);
      await lab.rest('DELETE', `/channels/${a.si}`);

      // Now B is offered to 1000; B's customer hangs up -> the daemon hangs up the stand-in -> Reason caller.
      const cb = await connect(lab, b, b.cust);
      const connB = await ami.waitEvent((e) => e.Event === 'AgentConnect' && e.Uniqueid === `${b.si}-q`, 10_000, 'AgentConnect B');
      await new Promise((r) => setTimeout(r, 1200));
      await lab.ok('DELETE', `/channels/${b.cust}`);
      await lab.ok('DELETE', `/channels/${b.si}`);
      const doneB = await ami.waitEvent(completes(ami, connB), 10_000, 'AgentComplete B');
      lab.cap.step(`AgentComplete B Reason=${doneB.Reason} TalkTime=${doneB.TalkTime}`);
      expect(doneB.Reason).toBe('caller');
      await lab.rest('DELETE', `/channels/${cb.phone}`);
      await removeMember(lab, 'Local/1000@cc-agent/n');
      lab.cap.section('KEY AMI EVENTS', lab.amiSince(from, (e) => /^(Agent|QueueCaller|QueueMemberStatus|BridgeCreate|BridgeEnter|BridgeLeave)/.test(String(e.Event)))
        .map((e) => `${e.Event} ${['Channel', 'Uniqueid', 'Linkedid', 'DestChannel', 'Interface', 'BridgeUniqueid', 'BridgeTechnology', 'InCall', 'CallsTaken', 'Reason', 'TalkTime', 'HoldTime'].filter((k) => e[k] !== undefined).map((k) => `${k}=${e[k]}`).join(' ')}`));
    });
  }, 90_000);
});
