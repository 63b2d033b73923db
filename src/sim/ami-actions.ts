/**
 * The AMI actions the simulator understands, with Asterisk 22's response messages (from the
 * captures where they appear there). Model errors (CcError) become `Response: Error` with the
 * message Asterisk would give; nothing is changed on error.
 */
import { CcError } from '../util/errors';
import { type AmiFieldList, field } from './ami-codec';
import { type AmiActionContext, amiError, amiOk, amiResponse } from './ami-server';
import { coreShowChannels, durationHms, queueShow } from './cli-text';
import { parseCallerId } from './devices';
import type { SimModel } from './model';
import { memberListFields, queueParamsFields } from './queue-types';
import type { QueueEngine } from './queues';
import { AMI_STATE_NUM, DEVICE_STATES } from './shapes';

export interface AmiActionDeps {
  model: SimModel;
  queues: QueueEngine;
  globals: Map<string, string>;
}

type Handler = (ctx: AmiActionContext, deps: AmiActionDeps) => AmiFieldList[];

const get = (ctx: AmiActionContext, key: string) => field(ctx.fields, key);
const truthy = (v: string | undefined) => v !== undefined && /^(1|true|yes|on)$/i.test(v);

/** Wraps a handler so a CcError answers with its message (or a fixed Asterisk message). */
function guarded(fn: Handler, messages: Partial<Record<CcError['kind'], string>> = {}): Handler {
  return (ctx, deps) => {
    try {
      return fn(ctx, deps);
    } catch (e) {
      if (e instanceof CcError) return [amiError(ctx, messages[e.kind] ?? e.message)];
      throw e;
    }
  };
}

function listEnd(ctx: AmiActionContext, event: string, count: number): AmiFieldList {
  const f: AmiFieldList = [['Event', event]];
  if (ctx.actionId !== undefined) f.push(['ActionID', ctx.actionId]);
  return [...f, ['EventList', 'Complete'], ['ListItems', String(count)]];
}

const withId = (ctx: AmiActionContext, f: AmiFieldList): AmiFieldList =>
  ctx.actionId !== undefined ? [...f, ['ActionID', ctx.actionId]] : f;

const handlers: Record<string, Handler> = {
  queueadd: guarded((ctx, { queues }) => {
    const queue = get(ctx, 'Queue') ?? '';
    const iface = get(ctx, 'Interface') ?? '';
    if (!queue || !iface) return [amiError(ctx, "'Queue' or 'Interface' not set.")];
    if (!queues.queues.has(queue)) return [amiError(ctx, 'Unable to add interface to queue: No such queue')];
    const penalty = Number(get(ctx, 'Penalty') ?? '0');
    if (!Number.isInteger(penalty) || penalty < 0) return [amiError(ctx, 'Invalid penalty')];
    queues.addMember(queue, {
      interface: iface,
      memberName: get(ctx, 'MemberName'),
      stateInterface: get(ctx, 'StateInterface'),
      penalty,
      paused: truthy(get(ctx, 'Paused')),
      reason: get(ctx, 'Reason'),
    });
    return [amiOk(ctx, 'Added interface to queue')];
  }),
  queueremove: guarded(
    (ctx, { queues }) => {
      const queue = get(ctx, 'Queue') ?? '';
      if (!queues.queues.has(queue)) return [amiError(ctx, 'Unable to remove interface from queue: No such queue')];
      queues.removeMember(queue, get(ctx, 'Interface') ?? '');
      return [amiOk(ctx, 'Removed interface from queue')];
    },
  ),
  queuepause: guarded(
    (ctx, { queues }) => {
      const paused = truthy(get(ctx, 'Paused'));
      queues.pause(get(ctx, 'Queue') || undefined, get(ctx, 'Interface') ?? '', paused, get(ctx, 'Reason') ?? '');
      return [amiOk(ctx, paused ? 'Interface paused successfully' : 'Interface unpaused successfully')];
    },
    { not_found: 'Interface not found', invalid: 'Need an interface' },
  ),
  queuepenalty: guarded(
    (ctx, { queues }) => {
      queues.setPenalty(get(ctx, 'Queue') || undefined, get(ctx, 'Interface') ?? '', Number(get(ctx, 'Penalty')));
      return [amiOk(ctx, 'Interface penalty set successfully')];
    },
    { not_found: 'Invalid interface, queuename or penalty', invalid: 'Invalid interface, queuename or penalty' },
  ),
  queuestatus: (ctx, { queues, model }) => {
    const only = get(ctx, 'Queue');
    const memberFilter = get(ctx, 'Member');
    const frames: AmiFieldList[] = [amiOk(ctx, 'Queue status will follow', [['EventList', 'start']]).sort(listStartOrder)];
    for (const q of queues.queues.values()) {
      if (only && q.name !== only) continue;
      const waiting = queues.waitingCalls(q.name);
      frames.push(withId(ctx, queueParamsFields(q, waiting.length)));
      for (const m of q.members) if (!memberFilter || m.interface === memberFilter) frames.push(withId(ctx, memberListFields(m)));
      for (const c of waiting) {
        const ch = model.channels.get(c.customerId);
        if (!ch) continue;
        frames.push(
          withId(ctx, [
            ['Event', 'QueueEntry'],
            ['Queue', q.name],
            ['Position', String(c.position)],
            ['Channel', ch.name],
            ['Uniqueid', ch.id],
            ['CallerIDNum', ch.caller.number || 'unknown'],
            ['CallerIDName', ch.caller.name || 'unknown'],
            ['ConnectedLineNum', ch.connected.number || 'unknown'],
            ['ConnectedLineName', ch.connected.name || 'unknown'],
            ['Wait', String(Math.floor((model.now() - c.joinedAt) / 1000))],
            ['Priority', '0'],
          ]),
        );
      }
    }
    frames.push(listEnd(ctx, 'QueueStatusComplete', frames.length - 1));
    return frames;
  },
  queuesummary: (ctx, { queues, model }) => {
    const only = get(ctx, 'Queue');
    const frames: AmiFieldList[] = [amiOk(ctx, 'Queue summary will follow', [['EventList', 'start']]).sort(listStartOrder)];
    for (const q of queues.queues.values()) {
      if (only && q.name !== only) continue;
      const waiting = queues.waitingCalls(q.name);
      const longest = waiting.reduce((max, c) => Math.max(max, model.now() - c.joinedAt), 0);
      frames.push(
        withId(ctx, [
          ['Event', 'QueueSummary'],
          ['Queue', q.name],
          ['LoggedIn', String(q.members.length)],
          ['Available', String(q.members.filter((m) => !m.paused && (m.status === 1 || m.status === 0)).length)],
          ['Callers', String(waiting.length)],
          ['HoldTime', q.completed ? String(Math.round(q.holdSecTotal / q.completed)) : '0'],
          ['TalkTime', q.completed ? String(Math.round(q.talkSecTotal / q.completed)) : '0'],
          ['LongestHoldTime', String(Math.floor(longest / 1000))],
        ]),
      );
    }
    frames.push(listEnd(ctx, 'QueueSummaryComplete', frames.length - 1));
    return frames;
  },
  setvar: (ctx, { model, globals }) => {
    const variable = get(ctx, 'Variable');
    const value = get(ctx, 'Value') ?? '';
    if (!variable) return [amiError(ctx, 'No variable specified')];
    const dev = /^DEVICE_STATE\((.+)\)$/.exec(variable);
    if (dev) {
      if (!dev[1].startsWith('Custom:')) return [amiError(ctx, 'Failed to set variable')];
      if (!DEVICE_STATES.includes(value)) return [amiError(ctx, 'Failed to set variable')];
      model.setCustomState(dev[1], value);
      return [amiOk(ctx, 'Variable Set')];
    }
    const chName = get(ctx, 'Channel');
    if (chName) {
      const ch = [...model.channels.values()].find((c) => c.name === chName);
      if (!ch) return [amiError(ctx, 'No such channel')];
      ch.vars[variable] = value;
    } else globals.set(variable, value);
    return [amiOk(ctx, 'Variable Set')];
  },
  getvar: (ctx, { model, globals }) => {
    const variable = get(ctx, 'Variable') ?? '';
    const dev = /^DEVICE_STATE\((.+)\)$/.exec(variable);
    const chName = get(ctx, 'Channel');
    let value: string | undefined;
    if (dev) value = model.deviceState(dev[1]);
    else if (chName) {
      const ch = [...model.channels.values()].find((c) => c.name === chName);
      if (!ch) return [amiError(ctx, 'No such channel')];
      value = ch.vars[variable];
    } else value = globals.get(variable);
    return [amiOk(ctx, undefined, [['Variable', variable], ['Value', value ?? '']])];
  },
  blindtransfer: guarded((ctx, { model, queues }) => {
    const name = get(ctx, 'Channel') ?? '';
    const context = get(ctx, 'Context') ?? '';
    const exten = get(ctx, 'Exten') ?? '';
    if (!name) return [amiError(ctx, 'No channel specified')];
    if (!exten) return [amiError(ctx, 'No extension specified')];
    const ch = [...model.channels.values()].find((c) => c.name === name);
    if (!ch) return [amiError(ctx, `Channel specified does not exist`)];
    queues.blindTransfer(ch, context, exten);
    return [amiOk(ctx, 'Transfer succeeded')];
  }),
  redirect: guarded((ctx, { model, queues }) => {
    // main/manager.c action_redirect (Asterisk 22): checks in this order; ast_channel_get_by_name
    // finds a channel by name, else by uniqueid. The extra channel goes to ExtraContext/ExtraExten/
    // ExtraPriority when ExtraContext is given, else to the first channel's target.
    const name = get(ctx, 'Channel') ?? '';
    const name2 = get(ctx, 'ExtraChannel') ?? '';
    const [context, exten, priority] = [get(ctx, 'Context') ?? '', get(ctx, 'Exten') ?? '', get(ctx, 'Priority') ?? ''];
    const [context2, exten2, priority2] = [get(ctx, 'ExtraContext') ?? '', get(ctx, 'ExtraExten') ?? '', get(ctx, 'ExtraPriority') ?? ''];
    if (!name) return [amiError(ctx, 'Channel not specified')];
    if (!context) return [amiError(ctx, 'Context not specified')];
    if (!exten) return [amiError(ctx, 'Exten not specified')];
    if (!priority) return [amiError(ctx, 'Priority not specified')];
    const pi = parseInt(priority, 10);
    if (!(pi >= 1)) return [amiError(ctx, 'Priority is invalid')];
    let pi2 = pi;
    if (name2 && context2) {
      if (!exten2) return [amiError(ctx, 'ExtraExten not specified')];
      if (!priority2) return [amiError(ctx, 'ExtraPriority not specified')];
      pi2 = parseInt(priority2, 10);
      if (!(pi2 >= 1)) return [amiError(ctx, 'ExtraPriority is invalid')];
    }
    const find = (n: string) => [...model.channels.values()].find((c) => c.name === n) ?? model.channels.get(n);
    const ch = find(name);
    if (!ch) return [amiError(ctx, `Channel does not exist: ${name}`)];
    if (!name2) {
      queues.redirect([{ ch, context, exten, priority: pi }]);
      return [amiOk(ctx, 'Redirect successful')];
    }
    const ch2 = find(name2);
    if (!ch2) return [amiError(ctx, `ExtraChannel does not exist: ${name2}`)];
    queues.redirect([
      { ch, context, exten, priority: pi },
      context2 ? { ch: ch2, context: context2, exten: exten2, priority: pi2 } : { ch: ch2, context, exten, priority: pi },
    ]);
    return [amiOk(ctx, 'Dual Redirect successful')];
  }),
  hangup: (ctx, { model }) => {
    const name = get(ctx, 'Channel') ?? '';
    const ch = [...model.channels.values()].find((c) => c.name === name || c.id === name);
    if (!ch) return [amiError(ctx, 'No such channel')];
    const cause = Number(get(ctx, 'Cause') ?? '16');
    model.hangup(ch.id, Number.isInteger(cause) ? cause : 16);
    return [amiOk(ctx, 'Channel Hungup')];
  },
  originate: guarded((ctx, { queues }) => {
    // Minimal: the lab's customer call, `Local/<queue>@queues[/n]` → a queue call.
    const m = /^Local\/([^@]+)@queues(\/n)?$/.exec(get(ctx, 'Channel') ?? '');
    if (!m || !queues.queues.has(m[1])) return [amiError(ctx, 'Originate failed')];
    const cid = parseCallerId(get(ctx, 'CallerID'));
    queues.placeCall({ queue: m[1], callerNumber: cid.number || '0', callerName: cid.name, id: get(ctx, 'ChannelId') });
    return [amiOk(ctx, 'Originate successfully queued')];
  }),
  command: (ctx, { model, queues }) => {
    const cmd = (get(ctx, 'Command') ?? '').trim().replace(/\s+/g, ' ');
    let lines: string[];
    const qs = /^queue show (\S+)$/.exec(cmd);
    if (qs) lines = queueShow(queues, model, qs[1]);
    else if (cmd === 'queue show') lines = [...queues.queues.keys()].flatMap((q) => queueShow(queues, model, q));
    else if (cmd === 'core show channels') lines = coreShowChannels(model);
    else lines = [`No such command '${cmd}' (type 'core show help ${cmd}' for other possible commands)`];
    return [amiOk(ctx, 'Command output follows', lines.map((l): [string, string] => ['Output', l]))];
  },
  coreshowchannels: (ctx, { model }) => {
    const frames: AmiFieldList[] = [amiOk(ctx, 'Channels will follow', [['EventList', 'start']]).sort(listStartOrder)];
    for (const c of model.channels.values()) {
      frames.push([
        ['Event', 'CoreShowChannel'],
        ...(ctx.actionId !== undefined ? ([['ActionID', ctx.actionId]] as AmiFieldList) : []),
        ['Channel', c.name],
        ['ChannelState', String(AMI_STATE_NUM[c.state])],
        ['ChannelStateDesc', c.state],
        ['CallerIDNum', c.caller.number || '<unknown>'],
        ['CallerIDName', c.caller.name || '<unknown>'],
        ['ConnectedLineNum', c.connected.number || '<unknown>'],
        ['ConnectedLineName', c.connected.name || '<unknown>'],
        ['Language', 'en'],
        ['AccountCode', ''],
        ['Context', c.dialplan.context],
        ['Exten', c.dialplan.exten],
        ['Priority', String(c.dialplan.priority)],
        ['Uniqueid', c.id],
        ['Linkedid', c.linkedid],
        ['Application', c.dialplan.app_name],
        ['ApplicationData', c.dialplan.app_data],
        ['Duration', durationHms(model.now() - c.creationtime)],
        ['BridgeId', c.bridgeId ?? ''],
      ]);
    }
    frames.push(listEnd(ctx, 'CoreShowChannelsComplete', frames.length - 1));
    return frames;
  },
};

/** List responses are written Response, ActionID, EventList, Message (captures). */
function listStartOrder(a: [string, string], b: [string, string]): number {
  const order = ['Response', 'ActionID', 'EventList', 'Message'];
  return order.indexOf(a[0]) - order.indexOf(b[0]);
}

export function createAmiHandler(deps: AmiActionDeps) {
  return (ctx: AmiActionContext): AmiFieldList[] => {
    const h = handlers[ctx.name.toLowerCase()];
    if (!h) return [amiResponse(ctx, 'Error', 'Invalid/unknown command')];
    return h(ctx, deps);
  };
}
