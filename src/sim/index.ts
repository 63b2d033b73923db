/**
 * In-process fake Asterisk 22 speaking real AMI (TCP) and real ARI (HTTP + WebSocket), so tests and
 * `npm run demo` exercise the real client libraries. Behaviour follows docs/CALL-TOPOLOGY.md and
 * test/fixtures/captures (shapes checked in test/sim). The scripting API (queues, trunk and queue
 * calls, devices, media, faults, waiting) is documented in src/sim/README.md.
 */
import { queueLogWriter } from './queue-log';
import { type Clock, systemClock } from '../util/clock';
import { CcError } from '../util/errors';
import { fieldsToRecord } from './ami-codec';
import { createAmiHandler } from './ami-actions';
import { type AmiEventFilter, loadManagerEventFilter, shippedManagerConf } from './ami-filter';
import { AmiServer } from './ami-server';
import { createAriRouter } from './ari-routes';
import { AriServer } from './ari-server';
import { canHear, isHearingMoh } from './audio';
import { type DeviceBehaviour, type DeviceConfig, Devices } from './devices';
import { type SimBridge, type SimChannel, SimModel } from './model';
import type { QueueCallHandle, SimOptions } from './options';
import { Snoops } from './snoop';
import { SimRecordings } from './recordings';
import type { QueueCall, QueueOptions, SimMember } from './queue-types';
import { SimQueueCallback } from './queue-callback';
import { QueueEngine } from './queues';
import { surveyEvent, userEvent } from './dialplan-events';
import { type Match, type SimActionRecord, type SimEventRecord, SimLog, type WaitOptions } from './sim-log';

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
      // Device members (queue-native.ts) behave as setDevice scripted them (`this.devices` is set below).
      dialDevice: (ch, dial) => this.devices.dialFromQueue(ch, dial),
      queueLog: opts.queueLogFile ? queueLogWriter(opts.queueLogFile, this.clock) : undefined,
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
      eventFilter: amiEventFilter(opts.amiEventFilter ?? 'shipped', this.credentials.ami.username),
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
      onRequest: (req, via) => {
        const path = `/${req.segments.join('/')}`;
        this.log.addAction({ proto: 'ari', name: `${req.method} ${path}`, route: `${req.method} ${routeOf(req.segments)}`, params: req.params, via });
      },
      restOverWebSocket: opts.ariRestOverWebSocket,
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
   * handle's id) enters Stasis(<app>,inbound,queue,<queue>,<context>,<linkedid>). With no app registered
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
    if (!this.model.enterStasis(ch, this.app, ['inbound', 'queue', o.queue, context, ch.linkedid])) this.queues.enterFromDialplan(ch, context, o.queue);
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
  /** An AMI cut (ARI stays up): connections dropped, and new ones refused until cutAmi(false). */
  cutAmi(on: boolean): void {
    this.amiServer.setRefusing(on);
    if (on) this.amiServer.dropConnections();
  }
  /** false: the ARI side behaves like an Asterisk before 22.4/21.9/20.14, dropping RESTRequest frames unanswered. */
  setAriRestOverWebSocket(on: boolean): void {
    this.ariServer.setRestOverWebSocket(on);
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
export * from './options';
export * from './queue-types';
export * from './queues';
export * from './shapes';
export * from './sim-log';
export { createAmiHandler } from './ami-actions';
export { createAriRouter } from './ari-routes';
export * from './queues-conf';

function amiEventFilter(option: 'shipped' | 'none' | AmiEventFilter, user: string): AmiEventFilter | undefined {
  if (option === 'none') return undefined;
  if (option !== 'shipped') return option;
  const file = shippedManagerConf();
  if (!file) throw new Error('simulator: asterisk-conf/manager.conf not found (amiEventFilter: "none" runs without it)');
  return loadManagerEventFilter(file, user);
}
