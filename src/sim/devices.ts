/**
 * Phones and remote parties the daemon originates (POST /ari/channels), with scripted behaviour:
 * answer automatically (after a delay), never, busy or unavailable; registered or not.
 *
 * Event order for an originate into the app, from queue-call-answered.ari.jsonl: Dial(""),
 * ChannelStateChange Ringing, ChannelStateChange Up, Dial(ANSWER), then StasisStart: the channel
 * enters the app only when it is answered. The app originated it, so it also gets ChannelDestroyed.
 */
import type { Clock, TimerHandle } from '../util/clock';
import { CcError } from '../util/errors';
import type { ChannelKind, SimChannel, SimModel } from './model';
import { channelJson } from './shapes';

export type AnswerMode = 'auto' | 'never' | 'busy' | 'unavailable';
export const ANSWER_MODES: readonly AnswerMode[] = ['auto', 'never', 'busy', 'unavailable'];

export interface DeviceBehaviour {
  answer: AnswerMode;
  /** Ringing time before an auto answer (or before busy is signalled). */
  answerDelayMs?: number;
}

export interface DeviceConfig extends DeviceBehaviour {
  /** Endpoint registered (contact reachable). Unregistered devices are UNAVAILABLE. */
  registered: boolean;
}

export interface OriginateRequest {
  endpoint: string;
  app?: string;
  appArgs?: string;
  channelId?: string;
  otherChannelId?: string;
  callerId?: string;
  /** Seconds; <= 0 means no timeout. */
  timeout?: number;
  /** ARI `originator`: the new channel takes its formats and linkedid (as Dial() does). */
  originator?: string;
}

export interface DevicesOptions {
  clock: Clock;
  /** Multiplies second-based durations the daemon sends (originate timeout). */
  timeScale: number;
  defaultDevice: DeviceBehaviour;
  defaultRemote: DeviceBehaviour;
}

interface RemoteRule {
  pattern: RegExp;
  behaviour: DeviceBehaviour;
}

const ENDPOINT = /^(PJSIP|SIP|IAX2|DAHDI|Local)\/(.+)$/;
/** Channels that are a phone or a remote party: the daemon's originates and app_queue's device members. */
const PHONE_KINDS: readonly ChannelKind[] = ['device', 'remote', 'member-device'];

export class Devices {
  private devices = new Map<string, DeviceConfig>();
  private remotes: RemoteRule[] = [];
  private timers = new Map<string, TimerHandle[]>();

  constructor(private readonly model: SimModel, private readonly opts: DevicesOptions) {
    model.endpointState = (device) => {
      const d = this.devices.get(device);
      return d && !d.registered ? 'UNAVAILABLE' : undefined;
    };
    model.onHangup((ch) => this.clearTimers(ch.id));
  }

  /** Scripts a device by dial string, e.g. `PJSIP/1000` or `Local/1000@agents`. */
  setDevice(dial: string, b: Partial<DeviceConfig>): void {
    if (!ENDPOINT.test(dial)) throw new CcError('invalid', `Invalid device dial string: ${dial}`);
    if (b.answer && !ANSWER_MODES.includes(b.answer)) throw new CcError('invalid', `Invalid answer mode: ${b.answer}`);
    const prev = this.devices.get(dial);
    const next: DeviceConfig = { ...this.opts.defaultDevice, registered: true, ...prev, ...b };
    this.devices.set(dial, next);
    if ((prev?.registered ?? true) !== next.registered) this.registrationChanged(dial, next.registered);
    this.model.refreshDevice(dial);
  }

  device(dial: string): DeviceConfig | undefined {
    return this.devices.get(dial);
  }

  /** Scripts remote parties (outbound calls) by number: a string is a prefix, or a RegExp. */
  setRemote(pattern: string | RegExp, b: DeviceBehaviour): void {
    if (!ANSWER_MODES.includes(b.answer)) throw new CcError('invalid', `Invalid answer mode: ${b.answer}`);
    // Rules match the dialled number (the part before '@'), never the whole dial string: a pattern
    // such as 'PJSIP/119...' would silently never match and leave the default behaviour in force.
    if (typeof pattern === 'string' && /[/@]/.test(pattern)) {
      throw new CcError('invalid', `setRemote pattern must be a number prefix, not a dial string: ${pattern}`);
    }
    const re = typeof pattern === 'string' ? new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) : pattern;
    this.remotes.unshift({ pattern: re, behaviour: b });
  }

  endpoints(): Array<{ technology: string; resource: string; state: string; channel_ids: string[] }> {
    return [...this.devices.entries()]
      .filter(([dial]) => !dial.startsWith('Local/'))
      .map(([dial, d]) => {
        const [tech, resource] = dial.split('/');
        const ids = [...this.model.channels.values()].filter((c) => c.device === dial).map((c) => c.id);
        return { technology: tech, resource, state: d.registered ? 'online' : 'offline', channel_ids: ids };
      });
  }

  originate(req: OriginateRequest): SimChannel {
    const m = ENDPOINT.exec(req.endpoint ?? '');
    if (!m) throw new CcError('invalid', `Invalid endpoint: ${req.endpoint}`);
    if (!req.app) throw new CcError('invalid', 'Originate needs an app (or extension) to connect to');
    const [, tech, resource] = m;
    const remote = tech !== 'Local' && resource.includes('@');
    const number = resource.split('@')[0];
    const behaviour = remote ? this.remoteBehaviour(number) : this.deviceBehaviour(req.endpoint);
    const suffix = this.model.nextNameSuffix();
    const caller = parseCallerId(req.callerId);
    const local = tech === 'Local';
    const originator = req.originator ? this.model.channel(req.originator) : undefined;
    // A Local device takes whatever it is requested with: the originator's formats, or without one
    // every format, so slin192 (measured on Asterisk 22.10.1). A SIP phone negotiates its own codec.
    const formats = local ? (originator?.formats ?? 'slin192') : 'ulaw';
    const name = local ? `Local/${resource}-${suffix};1` : `${tech}/${remote ? resource.split('@')[1] : resource}-${suffix}`;
    const [exten, context] = local ? resource.replace(/\/n$/, '').split('@') : ['s', 'default'];
    const ch = this.model.newChannel({
      name,
      id: req.channelId,
      kind: remote ? 'remote' : 'device',
      state: 'Down',
      caller,
      dialplan: { context, exten, priority: 1, app_name: 'AppDial2', app_data: '(Outgoing Line)' },
      device: remote ? `${tech}/${resource.split('@')[1]}` : req.endpoint,
      subscribedApp: req.app,
      linkedid: originator?.linkedid,
      formats,
    });
    if (local) {
      const two = this.model.newChannel({
        name: `Local/${resource}-${suffix};2`,
        id: req.otherChannelId,
        kind: 'device2',
        state: 'Ring',
        caller,
        dialplan: { context, exten },
        linkedid: ch.linkedid,
        device: ch.device,
        subscribedApp: req.app,
        formats,
      });
      ch.partnerId = two.id;
      two.partnerId = ch.id;
    }
    ch.appArgs = req.appArgs ? req.appArgs.split(',') : [];
    const app = req.app;
    this.dial(ch, app, '', resource);
    this.play(ch, behaviour, (dialstatus, cause) => this.fail(ch, app, resource, dialstatus, cause));
    const timeout = req.timeout ?? 30;
    if (timeout > 0) {
      this.after(ch, timeout * 1000 * this.opts.timeScale, () => {
        if (ch.state !== 'Up') this.fail(ch, app, resource, 'NOANSWER', 19);
      });
    }
    return ch;
  }

  /**
   * A device channel app_queue dialled for a device member (queue-native.ts): the same scripts as an
   * ARI originate of that dial string, but nothing goes to an app (no Dial events, no Stasis).
   * Answering only puts the channel Up (the queue engine bridges it); busy and unavailable hang it
   * up with the cause Dial() would see (17, 20). No timeout of its own: app_queue's ring timeout
   * hangs it up.
   */
  dialFromQueue(ch: SimChannel, dial: string): void {
    const m = ENDPOINT.exec(dial);
    const remote = !!m && m[1] !== 'Local' && m[2].includes('@');
    const b = remote ? this.remoteBehaviour(m![2].split('@')[0]) : this.deviceBehaviour(dial);
    this.play(ch, b, (_dialstatus, cause) => this.model.hangup(ch.id, cause));
  }

  /** Plays a device's script on a dialled channel; `fail` ends it busy (17) or unavailable (20). */
  private play(ch: SimChannel, b: DeviceBehaviour, fail: (dialstatus: string, cause: number) => void): void {
    const delay = b.answerDelayMs ?? 0;
    switch (b.answer) {
      case 'unavailable':
        this.after(ch, 0, () => fail('CHANUNAVAIL', 20));
        break;
      case 'busy':
        this.after(ch, delay, () => fail('BUSY', 17));
        break;
      case 'auto':
        this.after(ch, 0, () => this.ring(ch));
        this.after(ch, delay, () => this.answer(ch.id));
        break;
      case 'never':
        this.after(ch, 0, () => this.ring(ch));
        break;
    }
  }

  /** The phone (or remote party) answers now: used by 'auto' and by tests for 'never' devices. */
  answer(idOrDevice: string): SimChannel {
    const ch = this.findRinging(idOrDevice);
    if (ch.kind === 'member-device') {
      this.model.setState(ch, 'Up'); // app_queue sees the answer (queues.ts onAnswered)
      return ch;
    }
    const partner = ch.partnerId ? this.model.channels.get(ch.partnerId) : undefined;
    if (partner) this.model.setState(partner, 'Up');
    this.model.setState(ch, 'Up');
    const app = ch.subscribedApp!;
    this.dial(ch, app, 'ANSWER', ch.device);
    if (!this.model.enterStasis(ch, app, ch.appArgs)) this.model.hangup(ch.id, 16);
    return ch;
  }

  /** The agent (or remote party) hangs up: by channel id or by device dial string. */
  hangup(idOrDevice: string): void {
    if (this.model.channels.has(idOrDevice)) {
      this.model.hangup(idOrDevice, 16);
      return;
    }
    const chans = [...this.model.channels.values()].filter(
      (c) => c.device === idOrDevice && PHONE_KINDS.includes(c.kind),
    );
    if (chans.length === 0) throw new CcError('not_found', `No call on ${idOrDevice}`);
    for (const c of chans) this.model.hangup(c.id, 16);
  }

  reset(): void {
    for (const id of [...this.timers.keys()]) this.clearTimers(id);
  }

  private ring(ch: SimChannel): void {
    if (!ch.hungUp && ch.state === 'Down') this.model.setState(ch, 'Ringing');
  }

  private fail(ch: SimChannel, app: string, dialstring: string, status: string, cause: number): void {
    if (ch.hungUp) return;
    this.dial(ch, app, status, dialstring);
    this.model.hangup(ch.id, cause);
  }

  private dial(ch: SimChannel, app: string, dialstatus: string, dialstring: string): void {
    this.model.toApp(app, { type: 'Dial', dialstatus, forward: '', dialstring, peer: channelJson(ch) });
  }

  private findRinging(idOrDevice: string): SimChannel {
    const byId = this.model.channels.get(idOrDevice);
    const ch =
      byId ??
      [...this.model.channels.values()].find(
        (c) => c.device === idOrDevice && PHONE_KINDS.includes(c.kind) && c.state !== 'Up',
      );
    if (!ch) throw new CcError('not_found', `No ringing call on ${idOrDevice}`);
    if (ch.state === 'Up') throw new CcError('refused', `Channel ${ch.id} is already answered`);
    if (!PHONE_KINDS.includes(ch.kind)) throw new CcError('invalid', `Channel ${ch.id} is not an originated device`);
    return ch;
  }

  private deviceBehaviour(dial: string): DeviceConfig {
    const d = this.devices.get(dial);
    if (d && !d.registered) return { ...d, answer: 'unavailable' };
    return d ?? { ...this.opts.defaultDevice, registered: true };
  }

  private remoteBehaviour(number: string): DeviceBehaviour {
    return this.remotes.find((r) => r.pattern.test(number))?.behaviour ?? this.opts.defaultRemote;
  }

  private registrationChanged(dial: string, registered: boolean): void {
    const [tech, resource] = dial.split('/');
    if (tech !== 'PJSIP') return;
    this.model.ami('ContactStatus', 'system,all', [
      ['URI', `sip:${resource}@127.0.0.1:5060`],
      ['ContactStatus', registered ? 'Created' : 'Removed'],
      ['AOR', resource],
      ['EndpointName', resource],
      ['RoundtripUsec', '0'],
    ]);
  }

  private after(ch: SimChannel, ms: number, fn: () => void): void {
    const h = this.opts.clock.setTimeout(() => {
      if (!ch.hungUp) fn();
    }, ms);
    const list = this.timers.get(ch.id) ?? [];
    list.push(h);
    this.timers.set(ch.id, list);
  }

  private clearTimers(id: string): void {
    for (const h of this.timers.get(id) ?? []) this.opts.clock.clearTimeout(h);
    this.timers.delete(id);
  }
}

/** `"Queue support" <support>` → { name, number }. */
export function parseCallerId(s: string | undefined): { name: string; number: string } {
  if (!s) return { name: '', number: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(s);
  if (m) return { name: m[1].trim(), number: m[2].trim() };
  return { name: '', number: s.trim() };
}
