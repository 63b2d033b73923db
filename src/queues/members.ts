/**
 * The AMI side of queue membership, following docs/CALL-TOPOLOGY.md:
 *   Interface      Local/<ext>@<contexts.agent_leg>/n, or the agent's device in the native
 *                  topology (member-interfaces.ts)
 *   StateInterface hint:<ext>@<contexts.agent_hints>   (hint = <device>&Custom:agent-<ext>)
 * and the daemon's own busy flag Custom:agent-<ext> (AMI Setvar DEVICE_STATE(...)).
 *
 * Wrap-up decision: the agent is kept out of app_queue during the call and the wrap-up window with
 * Custom:agent-<ext>=INUSE, NOT with a "Wrap-up" QueuePause. The hint is shared by every queue the
 * agent is in, so one Setvar holds across queues (with ringinuse=no); a pause would need one
 * QueuePause per queue and would overwrite the reason of a pause the agent asked for during the
 * call (the dialer reads that reason), and would pollute pause reports with after-call work.
 */
import type { AmiClient, AmiEvent } from '../ami/types';
import { AmiActionError, AmiNotConnectedError, AmiTimeoutError } from '../ami/types';
import { type DeviceLookup, MemberInterfaces } from './member-interfaces';
import { unavailable } from '../util/errors';

export interface MemberContexts {
  agent_leg: string;
  agent_hints: string;
}

/** A member as QueueStatus lists it. */
export interface LiveMember {
  queue: string;
  name: string;
  iface: string;
  stateInterface: string;
  membership: string;
  paused: boolean;
  pausedReason: string;
  status: number;
  /** Agent extension when the interface is one of ours. */
  extension?: string;
}

export class QueueMembers {
  readonly interfaces: MemberInterfaces;

  constructor(
    private readonly ami: AmiClient,
    private readonly contexts: MemberContexts,
    /** The catalogue's devices (member-interfaces.ts). */
    devices?: DeviceLookup,
    /** Native topology: members are the agents' devices. */
    native = false,
  ) {
    this.interfaces = new MemberInterfaces(contexts.agent_leg, devices, native);
  }

  /** False while AMI is not connected: actions would only fail; the re-sync on connect applies state. */
  get linkUp(): boolean {
    return this.ami.state === 'connected';
  }

  iface(ext: string): string {
    return this.interfaces.iface(ext);
  }

  stateInterface(ext: string): string {
    return `hint:${ext}@${this.contexts.agent_hints}`;
  }

  extOf(iface: string | undefined): string | undefined {
    return this.interfaces.extOf(iface);
  }

  /**
   * Adds the member, already paused with its reason when `pauseReason` is given: Asterisk 22's
   * QueueAdd takes `Reason` (app_queue.c manager_add_queue_member), so a re-added paused agent is
   * never visible in the queue, even for an instant, as paused without its reason (or unpaused).
   */
  async add(queue: string, ext: string, memberName: string, penalty: number, pauseReason?: string): Promise<void> {
    await this.run('QueueAdd', {
      Queue: queue,
      Interface: this.iface(ext),
      MemberName: memberName,
      Penalty: penalty,
      Paused: pauseReason !== undefined,
      Reason: pauseReason,
      StateInterface: this.stateInterface(ext),
    });
  }

  /** Removing a member that is not there is fine: the goal (not a member) is reached. */
  async remove(queue: string, ext: string): Promise<void> {
    try {
      await this.run('QueueRemove', { Queue: queue, Interface: this.iface(ext) });
    } catch (e) {
      if (e instanceof AmiActionError && /not there/i.test(e.response.Message ?? '')) return;
      throw e;
    }
  }

  async removeInterface(queue: string, iface: string): Promise<void> {
    await this.run('QueueRemove', { Queue: queue, Interface: iface });
  }

  async pause(queue: string, ext: string, paused: boolean, reason?: string): Promise<void> {
    await this.run('QueuePause', { Queue: queue, Interface: this.iface(ext), Paused: paused, Reason: reason });
  }

  /** Busy flag read by app_queue through the hint (see header). */
  async setBusy(ext: string, busy: boolean): Promise<void> {
    await this.run('Setvar', { Variable: `DEVICE_STATE(Custom:agent-${ext})`, Value: busy ? 'INUSE' : 'NOT_INUSE' });
  }

  /** Every member of every queue (QueueStatus without Queue). */
  async list(): Promise<LiveMember[]> {
    const { events } = await this.wrap('QueueStatus', () => this.ami.actionList('QueueStatus', {}));
    return events.filter((e) => e.Event === 'QueueMember').map((e) => this.fromListEvent(e));
  }

  private fromListEvent(e: AmiEvent): LiveMember {
    return {
      queue: e.Queue,
      name: e.Name ?? e.MemberName ?? '',
      iface: e.Location ?? e.Interface ?? '',
      stateInterface: e.StateInterface ?? '',
      membership: e.Membership ?? '',
      paused: e.Paused === '1',
      pausedReason: e.PausedReason ?? '',
      status: Number(e.Status ?? 0),
      extension: this.extOf(e.Location ?? e.Interface),
    };
  }

  private run(action: string, fields: Record<string, string | number | boolean | undefined>) {
    return this.wrap(action, () => this.ami.action(action, fields));
  }

  /** Connection problems become CcError('unavailable') (503 / exit 4); Asterisk refusals pass through. */
  private async wrap<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AmiNotConnectedError || e instanceof AmiTimeoutError) {
        throw unavailable(`Asterisk (AMI) is not reachable: ${action} not sent`, { action });
      }
      throw e;
    }
  }
}
