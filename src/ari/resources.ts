/**
 * The REST half of AriClient: one method per ARI call the daemon uses, arguments checked before
 * anything is sent (bad input → CcError invalid, nothing happens on Asterisk).
 */
import { invalid } from '../util/errors';
import { seg, type Query } from './rest';
import type {
  AriApplication,
  AriBridge,
  AriChannel,
  AriClient,
  AriDeviceState,
  AriEndpoint,
  AriLiveRecording,
  MuteDirection,
  OriginateParams,
  SnoopDirection,
} from './types';

type Resources = Pick<AriClient, 'channels' | 'bridges' | 'recordings' | 'applications' | 'deviceStates' | 'endpoints' | 'asterisk'>;

export const DEVICE_STATES = ['NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD', 'UNKNOWN'] as const;
const MUTE_DIRECTIONS: readonly MuteDirection[] = ['in', 'out', 'both'];
const SNOOP_DIRECTIONS: readonly SnoopDirection[] = ['none', 'in', 'out', 'both'];
/** Digits, A-D, * and #, plus Asterisk's ',' (pause), w (wait) and f (flash). */
const DTMF_RE = /^[0-9A-Da-d*#,wWfF]+$/;

function direction(d: MuteDirection | undefined): MuteDirection {
  const v = d ?? 'both';
  if (!MUTE_DIRECTIONS.includes(v)) throw invalid(`mute direction must be in, out or both (got ${JSON.stringify(d)})`, { field: 'direction' });
  return v;
}

function snoopDirection(d: SnoopDirection | undefined, field: 'spy' | 'whisper'): SnoopDirection {
  const v = d ?? 'none';
  if (!SNOOP_DIRECTIONS.includes(v)) throw invalid(`snoop ${field} must be none, in, out or both (got ${JSON.stringify(d)})`, { field });
  return v;
}

function idList(ids: string[], what: string): string {
  if (!Array.isArray(ids) || ids.length === 0) throw invalid(`${what}: at least one channel id is required`, { field: 'channel' });
  for (const id of ids) {
    if (typeof id !== 'string' || id === '' || id.includes(',')) throw invalid(`${what}: invalid channel id ${JSON.stringify(id)}`, { field: 'channel' });
  }
  return ids.join(',');
}

/** What the resources send through: AriWsRest (event socket or HTTP) or AriRest (HTTP only). */
export interface AriRequester {
  request<T>(method: string, path: string, query?: Query, body?: unknown): Promise<T>;
}

export function createResources(rest: AriRequester, app: string): Resources {
  const r = rest;
  const ch = (id: string) => `/channels/${seg(id, 'channelId')}`;
  const br = (id: string) => `/bridges/${seg(id, 'bridgeId')}`;
  // async wrappers so argument errors become rejected promises, like every other failure.
  return {
    channels: {
      async originate(p: OriginateParams) {
        if (!p || typeof p.endpoint !== 'string' || p.endpoint === '') throw invalid('originate: endpoint is required', { field: 'endpoint' });
        if (p.timeout !== undefined && (!Number.isInteger(p.timeout) || p.timeout < -1)) {
          throw invalid('originate: timeout must be an integer >= -1 (seconds)', { field: 'timeout' });
        }
        const query = {
          endpoint: p.endpoint,
          app: p.app ?? app,
          appArgs: p.appArgs,
          channelId: p.channelId,
          otherChannelId: p.otherChannelId,
          callerId: p.callerId,
          timeout: p.timeout,
          originator: p.originator,
        };
        const body = p.variables && Object.keys(p.variables).length > 0 ? { variables: p.variables } : undefined;
        return r.request<AriChannel>('POST', '/channels', query, body);
      },
      async get(id) {
        return r.request<AriChannel>('GET', ch(id));
      },
      async list() {
        return r.request<AriChannel[]>('GET', '/channels');
      },
      async answer(id) {
        await r.request('POST', `${ch(id)}/answer`);
      },
      async ring(id) {
        await r.request('POST', `${ch(id)}/ring`);
      },
      async hangup(id, reason) {
        await r.request('DELETE', ch(id), { reason });
      },
      async continueInDialplan(id, t) {
        if (t.priority !== undefined && (!Number.isInteger(t.priority) || t.priority < 1)) {
          throw invalid('continue: priority must be an integer >= 1', { field: 'priority' });
        }
        await r.request('POST', `${ch(id)}/continue`, {
          context: t.context,
          extension: t.extension,
          priority: t.priority,
          label: t.label,
        });
      },
      async redirect(id, endpoint) {
        if (!endpoint) throw invalid('redirect: endpoint is required', { field: 'endpoint' });
        await r.request('POST', `${ch(id)}/redirect`, { endpoint });
      },
      async mute(id, d) {
        await r.request('POST', `${ch(id)}/mute`, { direction: direction(d) });
      },
      async unmute(id, d) {
        await r.request('DELETE', `${ch(id)}/mute`, { direction: direction(d) });
      },
      async sendDtmf(id, dtmf, opts = {}) {
        if (typeof dtmf !== 'string' || !DTMF_RE.test(dtmf)) {
          throw invalid(`invalid DTMF ${JSON.stringify(dtmf)}: use 0-9, A-D, * and #`, { field: 'dtmf' });
        }
        await r.request('POST', `${ch(id)}/dtmf`, { dtmf, between: opts.between, duration: opts.duration });
      },
      async startMoh(id, mohClass) {
        await r.request('POST', `${ch(id)}/moh`, { mohClass });
      },
      async stopMoh(id) {
        await r.request('DELETE', `${ch(id)}/moh`);
      },
      async setVariable(id, variable, value) {
        if (!variable) throw invalid('setVariable: variable is required', { field: 'variable' });
        await r.request('POST', `${ch(id)}/variable`, { variable, value });
      },
      async getVariable(id, variable) {
        if (!variable) throw invalid('getVariable: variable is required', { field: 'variable' });
        const res = await r.request<{ value: string }>('GET', `${ch(id)}/variable`, { variable });
        return res?.value ?? '';
      },
      async snoop(id, p) {
        const spy = snoopDirection(p.spy, 'spy');
        const whisper = snoopDirection(p.whisper, 'whisper');
        // Asterisk refuses a snoop that neither spies nor whispers (400); say so before asking.
        if (spy === 'none' && whisper === 'none') throw invalid('snoop: spy and whisper cannot both be none', { field: 'spy' });
        return r.request<AriChannel>('POST', `${ch(id)}/snoop`, {
          spy,
          whisper,
          app: p.app ?? app,
          appArgs: p.appArgs,
          snoopId: p.snoopId,
        });
      },
      async record(id, p) {
        if (!p?.name || !p.format) throw invalid('record: name and format are required', { field: 'name' });
        return r.request<AriLiveRecording>('POST', `${ch(id)}/record`, {
          name: p.name,
          format: p.format,
          maxDurationSeconds: p.maxDurationSeconds,
          ifExists: p.ifExists ?? 'fail',
          beep: p.beep ?? false,
          terminateOn: p.terminateOn ?? 'none',
        });
      },
    },
    recordings: {
      async getLive(name) {
        return r.request<AriLiveRecording>('GET', `/recordings/live/${seg(name, 'recordingName')}`);
      },
      async stop(name) {
        await r.request('POST', `/recordings/live/${seg(name, 'recordingName')}/stop`);
      },
      async mute(name) {
        await r.request('POST', `/recordings/live/${seg(name, 'recordingName')}/mute`);
      },
      async unmute(name) {
        await r.request('DELETE', `/recordings/live/${seg(name, 'recordingName')}/mute`);
      },
    },
    bridges: {
      async create(p) {
        return r.request<AriBridge>('POST', '/bridges', { type: p.type ?? 'mixing', bridgeId: p.bridgeId, name: p.name });
      },
      async get(id) {
        return r.request<AriBridge>('GET', br(id));
      },
      async list() {
        return r.request<AriBridge[]>('GET', '/bridges');
      },
      async destroy(id) {
        await r.request('DELETE', br(id));
      },
      async addChannel(id, channelIds, opts = {}) {
        await r.request('POST', `${br(id)}/addChannel`, { channel: idList(channelIds, 'addChannel'), role: opts.role });
      },
      async removeChannel(id, channelIds) {
        await r.request('POST', `${br(id)}/removeChannel`, { channel: idList(channelIds, 'removeChannel') });
      },
      async startMoh(id, mohClass) {
        await r.request('POST', `${br(id)}/moh`, { mohClass });
      },
      async stopMoh(id) {
        await r.request('DELETE', `${br(id)}/moh`);
      },
    },
    applications: {
      async get(name) {
        return r.request<AriApplication>('GET', `/applications/${seg(name ?? app, 'application')}`);
      },
    },
    deviceStates: {
      async update(name, state) {
        if (!(DEVICE_STATES as readonly string[]).includes(state)) {
          throw invalid(`device state must be one of ${DEVICE_STATES.join(', ')} (got ${JSON.stringify(state)})`, { field: 'deviceState' });
        }
        await r.request('PUT', `/deviceStates/${seg(name, 'deviceName')}`, { deviceState: state });
      },
      async get(name) {
        return r.request<AriDeviceState>('GET', `/deviceStates/${seg(name, 'deviceName')}`);
      },
    },
    endpoints: {
      async get(tech, resource) {
        return r.request<AriEndpoint>('GET', `/endpoints/${seg(tech, 'tech')}/${seg(resource, 'resource')}`);
      },
      async list() {
        return r.request<AriEndpoint[]>('GET', '/endpoints');
      },
    },
    asterisk: {
      async info() {
        return r.request<Record<string, unknown>>('GET', '/asterisk/info');
      },
    },
  };
}
