/**
 * Device reachability of agents.
 * - DeviceProbe answers "is this device registered right now?" (for `agent extensions`).
 * - DeviceWatcher turns AMI signals into the `inactive` state and back:
 *   DeviceStateChange of the agent's device (UNAVAILABLE/INVALID), PJSIP ContactStatus
 *   (Unreachable/Removed), and QueueMemberStatus Status 4/5 of the agent's member. Back: any
 *   other state of the device, ContactStatus Reachable/Created or a member status 1-3. The shipped
 *   manager.conf sends only NOT_INUSE (member Status 1) of those (not each call's RINGING/INUSE): a
 *   PJSIP device that comes back while in a call is seen back by its ContactStatus.
 *   A call in progress on an unreachable device is ended through the CallDirectory.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import type { AriClient } from '../ari/types';
import { AriHttpError } from '../ari/types';
import type { CallDirectory } from '../daemon/ports';
import type { AgentCore } from './core';

export interface DeviceProbe {
  registered(device: string): Promise<boolean>;
}

const ENDPOINT_RE = /^(PJSIP|SIP|IAX2)\/([^/@]+)$/i;

/**
 * Registered = ARI endpoint state "online". Dial strings that are not endpoints (Local/..., lab
 * phones) have no registration: they count as registered unless their device state says otherwise.
 */
export class AriDeviceProbe implements DeviceProbe {
  constructor(private readonly ari: AriClient) {}

  async registered(device: string): Promise<boolean> {
    const m = ENDPOINT_RE.exec(device);
    if (m) {
      try {
        const ep = await this.ari.endpoints.get(m[1].toUpperCase(), m[2]);
        return ep.state === 'online';
      } catch (e) {
        if (e instanceof AriHttpError && e.status === 404) return false;
        throw e;
      }
    }
    try {
      const ds = await this.ari.deviceStates.get(device);
      return ds.state !== 'UNAVAILABLE' && ds.state !== 'INVALID';
    } catch (e) {
      if (e instanceof AriHttpError) return true;
      throw e;
    }
  }
}

const DOWN_STATES = new Set(['UNAVAILABLE', 'INVALID']);
const UP_STATES = new Set(['NOT_INUSE', 'INUSE', 'BUSY', 'RINGING', 'RINGINUSE', 'ONHOLD']);
const CACHE_MS = 5000;

export class DeviceWatcher {
  private calls?: CallDirectory;
  private byDevice = new Map<string, string>();
  private cachedAt = -Infinity;
  private unsubs: (() => void)[] = [];

  constructor(
    private readonly core: AgentCore,
    /** True when the agent has an open wrap-up (it returns to wrap-up, not to available). */
    private readonly hasOpenWrapup: (ext: string) => boolean,
  ) {}

  setCalls(calls: CallDirectory): void {
    this.calls = calls;
  }

  attach(ami: AmiClient): void {
    this.unsubs.push(
      ami.onEvent('DeviceStateChange', (e) => this.onDeviceState(e)),
      ami.onEvent('ContactStatus', (e) => this.onContactStatus(e)),
      ami.onEvent('QueueMemberStatus', (e) => this.onMemberStatus(e)),
    );
  }

  detach(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  /** device (upper-cased) → extension; refreshed every few seconds because DeviceStateChange is chatty. */
  private extOfDevice(device: string): string | undefined {
    const now = this.core.now();
    if (now - this.cachedAt > CACHE_MS) {
      this.byDevice = new Map(this.core.deps.catalogue.agents().map((a) => [a.device.toUpperCase(), a.extension]));
      this.cachedAt = now;
    }
    return this.byDevice.get(device.toUpperCase());
  }

  private onDeviceState(e: AmiEvent): void {
    const ext = this.extOfDevice(e.Device ?? '');
    if (!ext) return;
    if (DOWN_STATES.has(e.State)) this.unreachable(ext, `device ${e.Device} ${e.State}`);
    else if (UP_STATES.has(e.State)) this.reachable(ext, `device ${e.Device} ${e.State}`);
  }

  private onContactStatus(e: AmiEvent): void {
    if (!e.EndpointName) return;
    const ext = this.extOfDevice(`PJSIP/${e.EndpointName}`);
    if (!ext) return;
    if (e.ContactStatus === 'Unreachable' || e.ContactStatus === 'Removed') {
      this.unreachable(ext, `contact ${e.ContactStatus}`);
    } else if (e.ContactStatus === 'Reachable' || e.ContactStatus === 'Created') {
      this.reachable(ext, `contact ${e.ContactStatus}`);
    }
  }

  private onMemberStatus(e: AmiEvent): void {
    const ext = this.core.deps.members.extOf(e.Interface);
    if (!ext) return;
    const status = Number(e.Status);
    if (status === 4 || status === 5) this.unreachable(ext, `queue member status ${status}`);
    else if (status >= 1) this.reachable(ext, `queue member status ${status}`);
  }

  unreachable(ext: string, why: string): void {
    // Every device/member status event lands here or in reachable(): rule out with the cached
    // runtime state first (loggedIn also reads the catalogue).
    const rt = this.core.deps.repo.runtime(ext);
    if (!rt || rt.state === 'offline' || rt.state === 'inactive') return;
    const li = this.core.loggedIn(ext);
    if (!li || li.runtime.state === 'inactive') return;
    const hadCall = li.runtime.state === 'on-call' || li.runtime.state === 'ringing';
    this.core.transition(ext, 'inactive', { reason: 'device unreachable', detail: why });
    if (hadCall && this.calls) {
      this.calls.endCallsOf(ext, 'device unreachable').catch((err: Error) =>
        this.core.deps.log.warn('ending calls of an unreachable agent failed', { agent: ext, error: err.message }),
      );
    }
  }

  reachable(ext: string, why: string): void {
    if (this.core.deps.repo.runtime(ext)?.state !== 'inactive') return;
    const li = this.core.loggedIn(ext);
    if (!li || li.runtime.state !== 'inactive') return;
    if (this.hasOpenWrapup(ext)) {
      this.core.transition(ext, 'wrap-up', { reason: 'device reachable', detail: why });
      return;
    }
    this.core.enterRest(ext, li.runtime, { reason: 'device reachable', detail: why });
  }
}
