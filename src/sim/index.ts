/**
 * In-process fake Asterisk 22 speaking real AMI (TCP) and real ARI (HTTP + WebSocket), so tests and
 * `npm run demo` exercise the real client libraries. Behaviour follows docs/CALL-TOPOLOGY.md and
 * test/fixtures/captures (shapes checked in test/sim).
 *
 * ## Quick start
 * ```ts
 * const sim = new Simulator({ queueTimeoutMs: 300, retryMs: 50 });
 * sim.addQueue('support');                       // rrmemory, ringinuse=no
 * await sim.start();
 * // daemon config: ami 127.0.0.1:sim.amiPort (sim.credentials.ami), ari sim.ariUrl (sim.credentials.ari), app sim.app
 * sim.setDevice('PJSIP/1000', { answer: 'auto', answerDelayMs: 20 });
 * await sim.waitForAction('QueueAdd');           // the daemon logged agent 1000 in
 * const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
 * await sim.waitFor(() => sim.queueCall(call).state === 'connected');
 * sim.customerHangup(call);
 * await sim.stop();
 * ```
 *
 * ## Scripting API (all synchronous unless noted; bad input throws CcError and changes nothing)
 * - Queues: `addQueue(name, {strategy, timeoutMs, retryMs, wrapupMs, autofill, members})` (static config;
 *   members given here survive a restart, QueueAdd members do not). `member(queue, iface)` reads a
 *   member. `queues: loadQueuesConf('asterisk-conf/queues.conf')` boots with a real queues.conf.
 *   autofill (default on, as shipped): every waiting caller is offered to a free member at once;
 *   off (Asterisk's default): only the head caller is, the others re-check every `recheckMs`.
 * - Trunk calls: `placeTrunkCall({queue, callerNumber, callerName?, id?, context?})`: the customer enters
 *   Stasis(<app>,inbound,queue,<queue>,cc-queues) as in the shipped [cc-inbound]. A stand-in the
 *   daemon originates (`Local/<queue>@cc-queues/n`, `originator` = customer: same linkedid and caller
 *   id) answers at once: ;1 enters the app, ;2 waits in the queue (asterisk.queue_topology = stand-in).
 * - Queue calls: `placeQueueCall({queue, callerNumber, callerName?, id?})` → handle `{id, channelId, queue}`;
 *   `id` is the customer's linkedid (= 3rd Stasis arg of the agent leg, `Linkedid` of AgentCalled).
 *   `queueCall(h)` → {state: waiting|ringing|connected|ended, member, legId, endReason, ...};
 *   `customerHangup(h)`; `customerLocation(h)` → {context, exten} (queues/<q>, or the service after a
 *   blind transfer / continue). A blind transfer or an ARI continue to <queue>@cc-queues (option
 *   `queueContexts`) puts the customer in that queue under the same handle (its linkedid): then
 *   `queueCall(h)` is the new queue call.
 *   blind transfer / continue). `maxWaitMs` (queue option) is Queue()'s timeout: the caller leaves
 *   with QUEUESTATUS=TIMEOUT; `exitQueue(h, context, exten)` is a caller pressing an exit key.
 *   A queue with `exitContext` (queues.conf `context`) reads the caller's keys: `pressDtmf` on the
 *   caller, or a key played to a waiting caller's Local ;1 (ARI dtmf on a stand-in); the shipped
 *   `cc-queue-callback` key 1 runs that context's dialplan (src/sim/queue-callback.ts).
 * - Dialplan UserEvents of asterisk-conf: `surveyAnswer(channelId, score)` (CcSurvey of [cc-survey]
 *   on that channel, e.g. the member leg the daemon sent to the survey), CcQueueExit after a
 *   timeout (automatic), `userEvent(channelId, name, fields)` for any other.
 *   Members ring as `Local/<ext>@cc-agent-XXXXXXXX;1/;2`; `;2` enters Stasis with
 *   ["agent-leg", ext, linkedid] if the app's event socket is connected, else AgentRingNoAnswer RingTime=0.
 *   The member answers when the daemon ANSWERS `;2` (POST /channels/{leg}/answer).
 * - Devices (originated by the daemon): `setDevice('PJSIP/1000', {answer: 'auto'|'never'|'busy'|'unavailable',
 *   answerDelayMs?, registered?})`; `answerDevice(channelIdOrDevice)` (for 'never');
 *   `hangupDevice(channelIdOrDevice)` (the agent hangs up); `setRemote('5511', {answer})` for outbound
 *   numbers (prefix string or RegExp; dial strings like `PJSIP/5511987654321@trunk`).
 *   Hints: `hint:<ext>@agent-hints` = `hintDevices(ext)` (default PJSIP/<ext> & Custom:agent-<ext>).
 * - Media: `pressDtmf(channelId, digit)`, `isHearingMoh(channelId)`, `canHear(listenerId, speakerId)`,
 *   `isMuted(channelId)`, `transcoding(bridgeId)` (format pairs a bridge translates between: a Local/
 *   device originated without `originator` is slin192, with one it takes the originator's; others ulaw); DTMF the daemon sent: `channel(id).dtmfSent`. Snoop channels (POST
 *   /channels/{id}/snoop, snoop.ts) take part in canHear: spy in/out/both, whisper out (to the
 *   snooped channel's party only) / in (as if it spoke) / both.
 * - State: `channel(id)`, `channels()`, `bridges()`, `deviceState(name)`, `setCustomState(dev, state)`,
 *   `isAppRegistered(app?)`.
 * - Faults: `dropAmi()`, `dropAri()` (sockets destroyed; channels/bridges stay, as when the daemon dies),
 *   `setUnresponsive(on, 'ami'|'ari'|'both')` (half-open: nothing answered, no pongs),
 *   `restartAsterisk({downMs?, bootMs?})` (async: drops connections, destroys channels/bridges, clears
 *   dynamic members, refuses connections for downMs, then a fresh boot: FullyBooted on next login).
 *   With bootMs the boot takes that long after the down time (resolves when connections are accepted
 *   again, not when booted): AMI logins are accepted but get no FullyBooted and Queue* actions answer
 *   `Invalid/unknown command` until then, as on a real Asterisk 22; `finishBoot()` ends it early,
 *   `booting` tells whether it is still on.
 * - Logs and waiting (async): `actions` (every AMI action / ARI REST call), `events` (every AMI/ARI event
 *   emitted), `mark()`, `waitForAction(nameOrRoute | predicate, {since?, timeoutMs?})` — ARI calls
 *   match "POST /channels/abc/answer" or the route "POST /channels/{id}/answer" —,
 *   `waitForEvent(name | predicate, {since?, timeoutMs?})`, `waitFor(() => value, timeoutMs?)`.
 *
 * Timers use `opts.clock` (default systemClock); durations are small by default to keep tests fast.
 */
import { type Clock, systemClock } from '../util/clock';
import { CcError } from '../util/errors';
import { fieldsToRecord } from './ami-codec';
import { createAmiHandler } from './ami-actions';
import { AmiServer } from './ami-server';
import { createAriRouter } from './ari-routes';
import { AriServer } from './ari-server';
import { canHear, isHearingMoh } from './audio';
import { type DeviceBehaviour, type DeviceConfig, Devices } from './devices';
import { type SimBridge, type SimChannel, SimModel } from './model';
import { Snoops } from './snoop';
import { SimRecordings } from './recordings';
import type { QueueCall, QueueOptions, SimMember } from './queue-types';
import { SimQueueCallback } from './queue-callback';
import { QueueEngine } from './queues';
import { surveyEvent, userEvent } from './dialplan-events';
import { type Match, type SimActionRecord, type SimEventRecord, SimLog, type WaitOptions } from './sim-log';

export interface SimOptions {
  clock?: Clock;
  app?: string;
  systemName?: string;
  asteriskId?: string;
  ami?: { username: string; secret: string };
  ari?: { username: string; password: string };
  /** Default ring time per member attempt (app_queue timeout). */
  queueTimeoutMs?: number;
  /** Default pause between attempts (app_queue retry). */
  retryMs?: number;
  /** Default app_queue wrapuptime. */
  wrapupMs?: number;
  /**
   * Default app_queue autofill for queues that do not set it. true, as the shipped
   * asterisk-conf/queues.conf sets it; Asterisk's own default is false (see loadQueuesConf).
   */
  autofill?: boolean;
  /** With autofill=no, how often a caller not at the head re-checks its turn (app_queue: 1000). */
  recheckMs?: number;
  /** Multiplies second-based values sent by the daemon (originate timeout). Default 0.1. */
  timeScale?: number;
  agentLegContext?: string;
  /** Contexts whose <queue> extension queues the caller (default cc-queues and the lab's queues). */
  queueContexts?: string[];
  /** Where ARI recordings are written (Asterisk's astspooldir/recording); none = no files. */
  recordingDir?: string;
  hintDevices?: (ext: string, context: string) => string[];
  defaultDevice?: DeviceBehaviour;
  defaultRemote?: DeviceBehaviour;
  /** Queues configured at boot (like queues.conf). */
  queues?: Record<string, QueueOptions>;
  /** Max entries kept in each log. */
  logLimit?: number;
}

export interface QueueCallHandle {
  id: string;
  channelId: string;
  queue: string;
}

export class Simulator {
  readonly app: string;
  readonly credentials: { ami: { username: string; secret: string }; ari: { username: string; password: string } };
  readonly model: SimModel;
  readonly queues: QueueEngine;
  private readonly queueCallback: SimQueueCallback;
  readonly devices: Devices;
  readonly log: SimLog;
  private readonly clock: Clock;
  private readonly amiServer: AmiServer;
  private readonly ariServer: AriServer;
  private readonly globals = new Map<string, string>();
  private started = false;
  private bootTimer?: ReturnType<Clock['setTimeout']>;

  constructor(opts: SimOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.app = opts.app ?? 'callcenter';
    this.credentials = {
      ami: opts.ami ?? { username: 'callcenterd', secret: 'sim-ami-secret' },
      ari: opts.ari ?? { username: 'callcenterd', password: 'sim-ari-secret' },
    };
    this.log = new SimLog(() => this.clock.now(), opts.logLimit);
    const systemName = opts.systemName ?? 'asterisk-sim';
    this.model = new SimModel({
      clock: this.clock,
      systemName,
      asteriskId: opts.asteriskId ?? '02:fc:00:00:00:01',
      hintDevices: opts.hintDevices ?? ((ext) => [`PJSIP/${ext}`, `Custom:agent-${ext}`]),
      sink: {
        ami: (name, privilege, fields) => {
          this.amiServer.broadcast(name, privilege, fields);
          this.log.addEvent({ proto: 'ami', name, data: { Event: name, ...fieldsToRecord(fields) } });
        },
        ari: (app, event) => {
          this.ariServer.send(app, event);
          this.log.addEvent({ proto: 'ari', name: String(event.type), app, data: event });
        },
      },
    });
    this.queues = new QueueEngine(this.model, {
      clock: this.clock,
      app: this.app,
      agentLegContext: opts.agentLegContext ?? 'cc-agent',
      defaults: { timeoutMs: opts.queueTimeoutMs ?? 1500, retryMs: opts.retryMs ?? 200, wrapupMs: opts.wrapupMs ?? 0, autofill: opts.autofill ?? true },
      recheckMs: opts.recheckMs ?? 1000,
      queueContexts: opts.queueContexts ?? ['cc-queues', 'queues'],
    });
    this.queueCallback = new SimQueueCallback(this.model, this.queues, this.app);
    this.devices = new Devices(this.model, {
      clock: this.clock,
      timeScale: opts.timeScale ?? 0.1,
      defaultDevice: opts.defaultDevice ?? { answer: 'auto', answerDelayMs: 0 },
      defaultRemote: opts.defaultRemote ?? { answer: 'auto', answerDelayMs: 0 },
    });
    this.amiServer = new AmiServer({
      username: this.credentials.ami.username,
      secret: this.credentials.ami.secret,
      systemName,
      clock: this.clock,
      uptime: () => (this.clock.now() - this.model.bootTime) / 1000,
      handler: createAmiHandler({ model: this.model, queues: this.queues, globals: this.globals }),
      onAction: (ctx) => this.log.addAction({ proto: 'ami', name: ctx.name, params: fieldsToRecord(ctx.fields) }),
    });
    this.ariServer = new AriServer({
      username: this.credentials.ari.username,
      password: this.credentials.ari.password,
      model: this.model,
      router: createAriRouter({
        model: this.model,
        devices: this.devices,
        queues: this.queues,
        snoops: new Snoops(this.model, this.clock),
        recordings: new SimRecordings(this.model, this.clock, opts.recordingDir),
        queueCallback: this.queueCallback,
        app: this.app,
      }),
      onRequest: (req) => {
        const path = `/${req.segments.join('/')}`;
        this.log.addAction({ proto: 'ari', name: `${req.method} ${path}`, route: `${req.method} ${routeOf(req.segments)}`, params: req.params });
      },
    });
    for (const [name, q] of Object.entries(opts.queues ?? {})) this.addQueue(name, q);
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.amiServer.start();
    await this.ariServer.start();
    this.started = true;
  }

  async stop(): Promise<void> {
    this.finishBoot();
    this.queues.stop();
    this.devices.reset();
    await this.amiServer.stop();
    await this.ariServer.stop();
    this.started = false;
  }

  get amiPort(): number {
    return this.amiServer.port;
  }
  get ariUrl(): string {
    return this.ariServer.url;
  }
  get actions(): SimActionRecord[] {
    return this.log.actions;
  }
  get events(): SimEventRecord[] {
    return this.log.events;
  }
  /** Logged-in AMI sessions and open ARI event sockets. */
  get connections(): { ami: number; ari: number } {
    return { ami: this.amiServer.sessionCount, ari: this.ariServer.socketCount };
  }

  // ----- queues -----

  addQueue(name: string, opts: QueueOptions = {}): void {
    this.queues.addQueue(name, opts);
  }

  member(queue: string, iface: string): SimMember | undefined {
    return this.queues.member(queue, iface);
  }

  placeQueueCall(o: { queue: string; callerNumber: string; callerName?: string; id?: string }): QueueCallHandle {
    const call = this.queues.placeCall(o);
    return { id: call.handle, channelId: call.customerId, queue: call.queue };
  }

  /**
   * A call from the trunk running the shipped [cc-inbound]: its own channel (id = linkedid = the
   * handle's id) enters Stasis(<app>,inbound,queue,<queue>,<context>). With no app registered
   * (STASISSTATUS=FAILED) it goes on to <queue>@<context> and waits there itself. Under the stand-in
   * topology the daemon keeps it and originates a stand-in: `queueCall(h)` is then the stand-in's
   * queue call (same linkedid); hang the customer up with `hangupDevice(h.channelId)`.
   */
  placeTrunkCall(o: { queue: string; callerNumber: string; callerName?: string; id?: string; context?: string }): QueueCallHandle {
    if (!o.callerNumber || /[\r\n]/.test(o.callerNumber)) throw new CcError('invalid', `Invalid caller number: ${JSON.stringify(o.callerNumber)}`);
    const context = o.context ?? 'cc-queues';
    if (!this.queues.isQueueContext(context)) throw new CcError('invalid', `Not a queue context: ${context}`);
    const id = o.id ?? `sim-t${this.model.nextNameSuffix()}`;
    if (this.model.channels.has(id)) throw new CcError('refused', `Call id already in use: ${id}`);
    const ch = this.model.newChannel({
      name: `PJSIP/trunk-${this.model.nextNameSuffix()}`,
      id,
      kind: 'customer',
      state: 'Ring',
      caller: { name: o.callerName ?? '', number: o.callerNumber },
      dialplan: { context: 'cc-inbound', exten: 's', priority: 3 },
      linkedid: id,
      device: 'PJSIP/trunk',
    });
    if (!this.model.enterStasis(ch, this.app, ['inbound', 'queue', o.queue, context])) this.queues.enterFromDialplan(ch, context, o.queue);
    return { id, channelId: id, queue: o.queue };
  }

  queueCall(h: QueueCallHandle | string): Readonly<QueueCall> {
    return this.queues.call(handleId(h));
  }

  customerHangup(h: QueueCallHandle | string): void {
    this.queues.customerHangup(handleId(h));
  }

  customerLocation(h: QueueCallHandle | string): { context: string; exten: string } {
    return { ...this.queues.call(handleId(h)).location };
  }

  /** The waiting caller presses an exit key: leaves the queue for <context>,<exten>. */
  exitQueue(h: QueueCallHandle | string, context: string, exten: string): void {
    this.queues.exitWithKey(handleId(h), context, exten);
  }

  // ----- dialplan UserEvents -----

  /** [cc-survey]: the caller on `channelId` keyed `score` (the survey's one digit). */
  surveyAnswer(channelId: string, score: string): void {
    if (!/^[0-9]$/.test(score)) throw new CcError('invalid', `Invalid survey digit: ${score}`);
    surveyEvent(this.model, this.model.channel(channelId), score);
  }

  userEvent(channelId: string, name: string, fields: Record<string, string> = {}): void {
    if (!/^[A-Za-z0-9_-]+$/.test(name) || Object.entries(fields).some(([k, v]) => /[\r\n:]/.test(k) || /[\r\n]/.test(v))) {
      throw new CcError('invalid', 'Invalid UserEvent name or field');
    }
    userEvent(this.model, this.model.channel(channelId), name, Object.entries(fields));
  }

  // ----- devices -----

  setDevice(dial: string, b: Partial<DeviceConfig>): void {
    this.devices.setDevice(dial, b);
    this.queues.refreshMembers();
  }
  setRemote(pattern: string | RegExp, b: DeviceBehaviour): void {
    this.devices.setRemote(pattern, b);
  }
  answerDevice(idOrDevice: string): SimChannel {
    return this.devices.answer(idOrDevice);
  }
  hangupDevice(idOrDevice: string): void {
    this.devices.hangup(idOrDevice);
  }

  // ----- media and state -----

  pressDtmf(channelId: string, digit: string): void {
    if (!/^[0-9*#A-D]$/.test(digit)) throw new CcError('invalid', `Invalid DTMF digit: ${digit}`);
    const ch = this.model.channel(channelId);
    // A caller waiting in a queue with an exit-key context: app_queue reads the digit.
    if (this.queueCallback.onDigit(ch, digit)) return;
    this.model.channelEvent(ch, 'ChannelDtmfReceived', { digit, duration_ms: 100 });
  }
  isHearingMoh(channelId: string): boolean {
    return isHearingMoh(this.model, channelId);
  }
  canHear(listenerId: string, speakerId: string): boolean {
    return canHear(this.model, listenerId, speakerId);
  }
  /**
   * Formats a bridge transcodes between ("slin192->slin"): a member whose native formats differ
   * from another's costs a translation path both ways for as long as the call lasts.
   */
  transcoding(bridgeId: string): string[] {
    const members = [...this.model.channels.values()].filter((c) => c.bridgeId === bridgeId && !c.hungUp);
    const out = new Set<string>();
    for (const a of members) for (const b of members) if (a.formats !== b.formats) out.add(`${a.formats}->${b.formats}`);
    return [...out].sort();
  }
  isMuted(channelId: string): { in: boolean; out: boolean } {
    const ch = this.model.channel(channelId);
    return { in: ch.mutedIn, out: ch.mutedOut };
  }
  channel(id: string): SimChannel | undefined {
    return this.model.channels.get(id);
  }
  channels(): SimChannel[] {
    return [...this.model.channels.values()];
  }
  bridges(): SimBridge[] {
    return [...this.model.bridges.values()];
  }
  deviceState(name: string): string {
    return this.model.deviceState(name);
  }
  setCustomState(device: string, state: string): void {
    if (!device.startsWith('Custom:')) throw new CcError('invalid', `Not a Custom device: ${device}`);
    this.model.setCustomState(device, state);
  }
  isAppRegistered(app = this.app): boolean {
    return this.model.isAppRegistered(app);
  }

  // ----- faults -----

  dropAmi(): void {
    this.amiServer.dropConnections();
  }
  dropAri(): void {
    this.ariServer.dropConnections();
  }
  setUnresponsive(on: boolean, which: 'ami' | 'ari' | 'both' = 'both'): void {
    if (which !== 'ari') this.amiServer.setUnresponsive(on);
    if (which !== 'ami') this.ariServer.setUnresponsive(on);
  }

  async restartAsterisk(o: { downMs?: number; bootMs?: number } = {}): Promise<void> {
    for (const [k, v] of Object.entries({ downMs: o.downMs, bootMs: o.bootMs })) {
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new CcError('invalid', `restartAsterisk: ${k} must be a number >= 0`);
    }
    this.finishBoot();
    this.amiServer.setRefusing(true);
    this.ariServer.setRefusing(true);
    this.amiServer.dropConnections();
    this.ariServer.dropConnections();
    this.queues.reset();
    this.devices.reset();
    this.model.reset();
    this.log.addEvent({ proto: 'ami', name: 'SimRestart', data: {} });
    if (o.downMs && o.downMs > 0) await new Promise((r) => setTimeout(r, o.downMs));
    if (o.bootMs && o.bootMs > 0) {
      this.amiServer.setBooting(true);
      this.bootTimer = this.clock.setTimeout(() => this.finishBoot(), o.bootMs);
    }
    this.amiServer.setRefusing(false);
    this.ariServer.setRefusing(false);
  }

  /** Ends an Asterisk boot started by restartAsterisk({bootMs}) now: FullyBooted to every AMI session. */
  finishBoot(): void {
    if (this.bootTimer) this.clock.clearTimeout(this.bootTimer);
    this.bootTimer = undefined;
    if (this.amiServer.isBooting) this.log.addEvent({ proto: 'ami', name: 'SimFullyBooted', data: {} });
    this.amiServer.setBooting(false);
  }

  get booting(): boolean {
    return this.amiServer.isBooting;
  }

  // ----- waiting -----

  mark(): number {
    return this.log.mark();
  }
  waitForAction(match: Match<SimActionRecord>, o: WaitOptions = {}): Promise<SimActionRecord> {
    return this.log.waitFor(() => this.log.findAction(match, o.since), o.timeoutMs, `action ${String(match)}`);
  }
  waitForEvent(match: Match<SimEventRecord>, o: WaitOptions = {}): Promise<SimEventRecord> {
    return this.log.waitFor(() => this.log.findEvent(match, o.since), o.timeoutMs, `event ${String(match)}`);
  }
  waitFor<T>(check: () => T | undefined | null | false, timeoutMs?: number): Promise<T> {
    return this.log.waitFor(check, timeoutMs);
  }
}

function handleId(h: QueueCallHandle | string): string {
  return typeof h === 'string' ? h : h.id;
}

/** "/channels/abc/answer" → "/channels/{id}/answer"; endpoints keep {tech}/{resource}. */
function routeOf(segments: string[]): string {
  const out = segments.map((s, i) => {
    if (i === 0) return s;
    if (segments[0] === 'endpoints') return i === 1 ? '{tech}' : i === 2 ? '{resource}' : s;
    if (segments[0] === 'asterisk') return s;
    return i === 1 ? '{id}' : s;
  });
  return `/${out.join('/')}`;
}

export * from './ami-codec';
export * from './ami-server';
export * from './ari-server';
export * from './devices';
export * from './model';
export * from './queue-types';
export * from './queues';
export * from './shapes';
export * from './sim-log';
export { createAmiHandler } from './ami-actions';
export { createAriRouter } from './ari-routes';
export * from './queues-conf';
