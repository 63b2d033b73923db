/**
 * The ARI REST routes the daemon uses (src/ari/types.ts AriClient), with Asterisk's status codes:
 * 404 unknown channel/bridge, 409 channel not in a Stasis app, 422 bridge add of a channel that is
 * not in Stasis, 400 missing/invalid parameters. Errors change nothing.
 */
import { parseCallerId } from './devices';
import { CcError } from '../util/errors';
import type { AriReply, AriRequest, AriRouter } from './ari-server';
import type { Devices } from './devices';
import type { SimChannel, SimModel } from './model';
import type { SimQueueCallback } from './queue-callback';
import type { QueueEngine } from './queues';
import { TAKEOVER_CONTEXT } from './queue-native';
import type { Snoops } from './snoop';
import type { SimRecordings } from './recordings';
import { DEVICE_STATES, bridgeJson, channelJson } from './shapes';

export interface AriRouteDeps {
  model: SimModel;
  devices: Devices;
  queues: QueueEngine;
  snoops: Snoops;
  recordings: SimRecordings;
  /** The exit key's [cc-queue-callback] dialplan (absent: not modelled). */
  queueCallback?: SimQueueCallback;
  /** Default app for originate when none is given. */
  app: string;
}

const NO_CONTENT: AriReply = { status: 204 };
const ok = (body: unknown): AriReply => ({ status: 200, body });
const fail = (status: number, message: string): AriReply => ({ status, body: { message } });
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

const STATUS: Record<CcError['kind'], number> = { invalid: 400, not_found: 404, refused: 409, forbidden: 403, unavailable: 503 };

export function createAriRouter(deps: AriRouteDeps): AriRouter {
  return (req) => {
    try {
      return route(req, deps);
    } catch (e) {
      if (e instanceof CcError) return fail(STATUS[e.kind], e.message);
      throw e;
    }
  };
}

function route(req: AriRequest, d: AriRouteDeps): AriReply {
  const [resource, id, action, extra] = req.segments;
  const m = req.method;
  switch (resource) {
    case 'asterisk':
      if (m === 'GET' && id === 'info') return ok(asteriskInfo(d.model));
      if (m === 'GET' && id === 'ping') return ok({ asterisk_id: d.model.opts.asteriskId, ping: 'pong', timestamp: new Date(d.model.now()).toISOString() });
      break;
    case 'channels':
      return channels(req, d, id, action);
    case 'bridges':
      return bridges(req, d, id, action);
    case 'recordings': {
      // /recordings/live/{name}[/stop|/mute]
      if (id !== 'live' || !action) break;
      if (m === 'GET' && !extra) return ok(d.recordings.get(action));
      if (m === 'POST' && extra === 'stop') return (d.recordings.stop(action), NO_CONTENT);
      if (extra === 'mute' && (m === 'POST' || m === 'DELETE')) return (d.recordings.mute(action, m === 'POST'), NO_CONTENT);
      break;
    }
    case 'applications': {
      if (m === 'PUT' && id && action === 'eventFilter' && !extra) {
        if (!d.model.knownApps.has(id)) return fail(404, 'Application not found');
        // Asterisk 22 (app_event_filter_set): {} resets both lists; a list the body names replaces
        // that list; a list it omits stays as it was.
        const f = d.model.appEventFilter.get(id) ?? { allowed: new Set<string>(), disallowed: new Set<string>() };
        const body = req.params as Record<string, unknown>;
        const keys = ['allowed', 'disallowed'] as const;
        for (const key of keys) {
          const list = body[key];
          if (list === undefined) continue;
          if (!Array.isArray(list) || list.some((e) => typeof (e as { type?: unknown })?.type !== 'string' || !(e as { type: string }).type)) {
            return fail(400, `Invalid event filter: ${key} must be a list of {type}`);
          }
          f[key] = new Set(list.map((e) => (e as { type: string }).type));
        }
        if (!keys.some((k) => k in body)) {
          f.allowed.clear();
          f.disallowed.clear();
        }
        d.model.appEventFilter.set(id, f);
        return ok(appJson(d, id));
      }
      if (m !== 'GET') break;
      if (!id) return ok([...d.model.knownApps].map((a) => appJson(d, a)));
      if (!d.model.knownApps.has(id)) return fail(404, 'Application not found');
      return ok(appJson(d, id));
    }
    case 'deviceStates': {
      if (!id) return m === 'GET' ? ok([...d.model.customStates].map(([name, state]) => ({ name, state }))) : fail(405, 'Method not allowed');
      if (!id.startsWith('Custom:')) return fail(409, 'Uncontrolled device specified');
      if (m === 'GET') return ok({ name: id, state: d.model.deviceState(id) });
      if (m === 'PUT') {
        const state = str(req.params.deviceState);
        if (!state || !DEVICE_STATES.includes(state)) return fail(400, 'Invalid device state');
        d.model.setCustomState(id, state);
        return NO_CONTENT;
      }
      if (m === 'DELETE') {
        d.model.customStates.delete(id);
        d.model.refreshDevice(id);
        return NO_CONTENT;
      }
      break;
    }
    case 'endpoints': {
      if (m !== 'GET') break;
      const all = d.devices.endpoints();
      if (!id) return ok(all);
      const found = all.find((e) => e.technology === id && e.resource === action);
      if (!found || extra) return fail(404, 'Endpoint not found');
      return ok(found);
    }
  }
  return fail(404, 'Resource not found');
}

function asteriskInfo(model: SimModel) {
  return {
    build: { os: 'Linux', kernel: 'sim', machine: 'x86_64', options: '', date: '', user: 'sim' },
    system: { version: '22.10.1', entity_id: model.opts.asteriskId },
    config: { name: model.opts.systemName, default_language: 'en', setid: { user: '', group: '' } },
    status: { startup_time: new Date(model.bootTime).toISOString(), last_reload_time: new Date(model.bootTime).toISOString() },
  };
}

function appJson(d: AriRouteDeps, name: string) {
  return {
    name,
    channel_ids: d.model.appChannelIds(name),
    bridge_ids: d.model.appBridgeIds(name),
    endpoint_ids: [],
    device_names: [],
    events_allowed: [...(d.model.appEventFilter.get(name)?.allowed ?? [])].map((type) => ({ type })),
    events_disallowed: [...(d.model.appEventFilter.get(name)?.disallowed ?? [])].map((type) => ({ type })),
  };
}

/** Channel that must be in a Stasis app for control operations. */
function controlled(d: AriRouteDeps, id: string): SimChannel {
  const ch = d.model.channel(id);
  if (!ch.stasisApp) throw new CcError('refused', 'Channel not in Stasis application');
  return ch;
}

function direction(v: unknown): 'in' | 'out' | 'both' {
  const dir = str(v) ?? 'both';
  if (dir !== 'in' && dir !== 'out' && dir !== 'both') throw new CcError('invalid', `Invalid direction: ${dir}`);
  return dir;
}

/** POST starts music on hold (class `mohClass`, else 'default'), DELETE stops it: alike for channels and bridges. */
function musicOnHold(target: { moh?: string }, m: string, p: Record<string, unknown>): AriReply {
  target.moh = m === 'POST' ? (str(p.mohClass) ?? 'default') : undefined;
  return NO_CONTENT;
}

function channels(req: AriRequest, d: AriRouteDeps, id: string | undefined, action: string | undefined): AriReply {
  const m = req.method;
  const p = req.params;
  if (!id) {
    if (m === 'GET') return ok([...d.model.channels.values()].map(channelJson));
    if (m === 'POST') return ok(channelJson(originate(d, p, str(p.channelId))));
    return fail(405, 'Method not allowed');
  }
  if (!action) {
    if (m === 'GET') return ok(channelJson(d.model.channel(id)));
    if (m === 'POST') return ok(channelJson(originate(d, p, id)));
    if (m === 'DELETE') {
      d.model.channel(id);
      d.model.hangup(id, 16, { soft: true });
      return NO_CONTENT;
    }
    return fail(405, 'Method not allowed');
  }
  // A snoop works on any channel, in Stasis or not (Asterisk spies through an audiohook).
  if (m === 'POST' && action === 'snoop') {
    return ok(channelJson(d.snoops.create(id, { spy: str(p.spy), whisper: str(p.whisper), app: str(p.app), appArgs: str(p.appArgs), snoopId: str(p.snoopId) })));
  }
  if (m === 'POST' && action === 'record') {
    return { status: 201, body: d.recordings.start(id, { name: str(p.name), format: str(p.format), ifExists: str(p.ifExists) }) };
  }
  // Reading a variable works on any channel too (resource_channels.c get_channel_var: no control).
  if (m === 'GET' && action === 'variable') {
    const ch = d.model.channel(id);
    const variable = str(p.variable);
    if (!variable) return fail(400, 'Variable name is required');
    // Dialplan functions ARI evaluates too (the daemon reads a dialled channel's linkedid).
    if (variable === 'CHANNEL(linkedid)') return ok({ value: ch.linkedid });
    if (!(variable in ch.vars)) return { status: 404, reason: 'Variable Not Found', body: { message: 'Provided variable was not found' } };
    return ok({ value: ch.vars[variable] });
  }
  const ch = controlled(d, id);
  switch (`${m} ${action}`) {
    case 'POST answer':
      d.model.setState(ch, 'Up');
      return NO_CONTENT;
    case 'POST ring':
    case 'DELETE ring':
      return NO_CONTENT;
    case 'POST continue': {
      const context = str(p.context) ?? ch.dialplan.context;
      const exten = str(p.extension) ?? ch.dialplan.exten;
      const priority = Number(str(p.priority) ?? '1');
      const from = ch.dialplan.context;
      d.model.leaveStasis(ch);
      ch.dialplan = { context, exten, priority, app_name: '', app_data: '' };
      d.queues.legContinued(ch, context, exten);
      // A caller continued to <queue>@cc-queues (not a member leg) runs Queue(<queue>).
      if (d.queues.isQueueContext(context) && ch.kind !== 'leg2') d.queues.enterFromDialplan(ch, context, exten);
      // [cc-takeover]: Stasis(<app>,takeover) is followed by Hangup().
      else if (from === TAKEOVER_CONTEXT && context === TAKEOVER_CONTEXT) d.model.hangup(ch.id, 16);
      else if (!str(p.context) && !str(p.extension)) d.queueCallback?.continued(ch, from);
      else d.queueCallback?.continuedTo(ch, context, str(p.label));
      return NO_CONTENT;
    }
    case 'POST redirect': {
      const endpoint = str(p.endpoint);
      if (!endpoint || !/^[A-Za-z0-9]+\/.+/.test(endpoint)) return fail(400, 'Invalid endpoint');
      ch.vars.REDIRECTED_TO = endpoint;
      d.model.hangup(ch.id, 16);
      return NO_CONTENT;
    }
    case 'POST mute':
    case 'DELETE mute': {
      const dir = direction(p.direction);
      const on = m === 'POST';
      if (dir !== 'out') ch.mutedIn = on;
      if (dir !== 'in') ch.mutedOut = on;
      return NO_CONTENT;
    }
    case 'POST dtmf': {
      const dtmf = str(p.dtmf);
      if (!dtmf || !/^[0-9*#A-Da-d,]+$/.test(dtmf)) return fail(400, 'DTMF is required');
      ch.dtmfSent.push(...dtmf.replace(/,/g, '').split(''));
      // Played to a Local ;1, the keys reach its ;2: Queue() there reads exit keys.
      const partner = ch.partnerId ? d.model.channels.get(ch.partnerId) : undefined;
      if (partner) for (const digit of dtmf.replace(/,/g, '')) d.queueCallback?.onDigit(partner, digit);
      return NO_CONTENT;
    }
    case 'POST moh':
    case 'DELETE moh':
      return musicOnHold(ch, m, p);
    case 'POST hold':
    case 'DELETE hold':
      // AST_CONTROL_HOLD: the far end plays MOH to the customer; the agent still hears it (hold.steps C).
      ch.held = m === 'POST';
      return NO_CONTENT;
    case 'POST variable': {
      const variable = str(p.variable);
      if (!variable) return fail(400, 'Variable name is required');
      // Dialplan functions that change the channel itself (Asterisk evaluates them on set).
      if (variable === 'CALLERID(num)') ch.caller = { ...ch.caller, number: str(p.value) ?? '' };
      else if (variable === 'CALLERID(name)') ch.caller = { ...ch.caller, name: str(p.value) ?? '' };
      else ch.vars[variable] = str(p.value) ?? '';
      return NO_CONTENT;
    }
  }
  return fail(404, 'Resource not found');
}

function originate(d: AriRouteDeps, p: Record<string, unknown>, channelId: string | undefined): SimChannel {
  const endpoint = str(p.endpoint);
  if (!endpoint) throw new CcError('invalid', 'Endpoint must be specified');
  if (channelId && d.model.channels.has(channelId)) throw new CcError('refused', 'Channel with given unique ID already exists');
  const originator = str(p.originator);
  const from = originator ? d.model.channels.get(originator) : undefined;
  if (originator && !from) throw new CcError('invalid', 'Provided originator channel was not found');
  const intoQueue = /^Local\/([^@/]+)@([^/]+?)(\/n)?$/.exec(endpoint);
  if (intoQueue && d.queues.isQueueContext(intoQueue[2])) return standIn(d, p, channelId, intoQueue[1], intoQueue[2], from);
  const timeout = p.timeout === undefined ? 30 : Number(p.timeout);
  if (!Number.isFinite(timeout)) throw new CcError('invalid', 'Invalid timeout');
  return d.devices.originate({
    endpoint,
    app: str(p.app) ?? d.app,
    appArgs: str(p.appArgs),
    channelId,
    otherChannelId: str(p.otherChannelId),
    callerId: str(p.callerId),
    timeout,
    originator: str(p.originator),
  });
}

/** A Local stand-in into a queue context (stand-in topology): see QueueEngine.standIn. */
function standIn(d: AriRouteDeps, p: Record<string, unknown>, channelId: string | undefined, queue: string, context: string, from: SimChannel | undefined): SimChannel {
  const app = str(p.app) ?? d.app;
  const caller = parseCallerId(str(p.callerId));
  const suffix = d.model.nextNameSuffix();
  const one = d.model.newChannel({
    name: `Local/${queue}@${context}-${suffix};1`,
    id: channelId,
    kind: 'other',
    state: 'Down',
    caller,
    dialplan: { context, exten: queue, priority: 1 },
    linkedid: from?.linkedid,
    device: `Local/${queue}@${context}`,
    subscribedApp: app,
  });
  const two = d.model.newChannel({
    name: `Local/${queue}@${context}-${suffix};2`,
    id: str(p.otherChannelId),
    kind: 'customer',
    state: 'Ring',
    caller,
    dialplan: { context, exten: queue, priority: 1 },
    linkedid: one.linkedid,
    device: one.device,
    subscribedApp: app,
  });
  one.partnerId = two.id;
  two.partnerId = one.id;
  one.appArgs = str(p.appArgs)?.split(',') ?? [];
  d.queues.standIn(one, two, app, context, queue);
  return one;
}

/** resource_bridges.c find_bridge(): the one handler that says "Not found" (destroy, addChannel, removeChannel, moh). */
const BRIDGE_NOT_FOUND: AriReply = { status: 404, reason: 'Not found', body: { message: 'Bridge not found' } };
const findBridge = (d: AriRouteDeps, id: string) => d.model.bridges.get(id);

function bridges(req: AriRequest, d: AriRouteDeps, id: string | undefined, action: string | undefined): AriReply {
  const m = req.method;
  const p = req.params;
  const create = (bridgeId: string | undefined) =>
    ok(bridgeJson(d.model.createBridge({ id: bridgeId, type: str(p.type), name: str(p.name), app: d.app })));
  if (!id) {
    if (m === 'GET') return ok([...d.model.bridges.values()].map(bridgeJson));
    if (m === 'POST') return create(str(p.bridgeId));
    return fail(405, 'Method not allowed');
  }
  if (!action) {
    if (m === 'GET') return ok(bridgeJson(d.model.bridge(id)));
    if (m === 'POST') return d.model.bridges.has(id) ? ok(bridgeJson(d.model.bridge(id))) : create(id);
    if (m === 'DELETE') {
      if (!findBridge(d, id)) return BRIDGE_NOT_FOUND;
      d.model.destroyBridge(id);
      return NO_CONTENT;
    }
    return fail(405, 'Method not allowed');
  }
  const b = findBridge(d, id);
  if (!b) return BRIDGE_NOT_FOUND;
  switch (`${m} ${action}`) {
    case 'POST addChannel':
    case 'POST removeChannel': {
      const ids = (str(p.channel) ?? '').split(',').filter((c) => c !== '');
      if (ids.length === 0) return fail(400, 'Missing parameter channel');
      const chans = ids.map((c) => d.model.channels.get(c));
      if (chans.some((c) => !c)) return fail(400, 'Channel not found');
      if (chans.some((c) => !c!.stasisApp)) return fail(422, 'Channel not in Stasis application');
      if (action === 'removeChannel' && chans.some((c) => c!.bridgeId !== b.id)) return fail(422, 'Channel not in this bridge');
      for (const c of chans) {
        if (action === 'addChannel') d.model.addToBridge(b.id, c!.id);
        else d.model.removeFromBridge(b.id, c!.id);
      }
      return NO_CONTENT;
    }
    case 'POST moh':
    case 'DELETE moh':
      return musicOnHold(b, m, p);
  }
  return fail(404, 'Resource not found');
}
