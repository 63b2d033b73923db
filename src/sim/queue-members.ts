/**
 * Queue configuration and members (app_queue's member list and state-interface tracking).
 * QueueEngine (queues.ts) adds the call flow on top.
 */
import { CcError } from '../util/errors';
import type { SimModel } from './model';
import type { QueueEngineOptions } from './queues';
import { type QueueOptions, QUEUE_STRATEGIES, type SimMember, type SimQueue, memberEventFields } from './queue-types';
import { DEVICE_STATE_NUM } from './shapes';

export class QueueMembers {
  readonly queues = new Map<string, SimQueue>();

  constructor(protected readonly model: SimModel, protected readonly opts: QueueEngineOptions) {
    model.onDeviceState(() => this.refreshMembers());
  }

  addQueue(name: string, o: QueueOptions = {}): SimQueue {
    if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new CcError('invalid', `Invalid queue name: ${name}`);
    if (this.queues.has(name)) throw new CcError('refused', `Queue already exists: ${name}`);
    const strategy = o.strategy ?? 'rrmemory';
    if (!QUEUE_STRATEGIES.includes(strategy)) throw new CcError('invalid', `Unsupported strategy: ${strategy}`);
    const q: SimQueue = {
      name,
      strategy,
      timeoutMs: o.timeoutMs ?? this.opts.defaults.timeoutMs,
      retryMs: o.retryMs ?? this.opts.defaults.retryMs,
      wrapupMs: o.wrapupMs ?? this.opts.defaults.wrapupMs,
      autofill: o.autofill ?? this.opts.defaults.autofill,
      maxWaitMs: o.maxWaitMs,
      exitContext: o.exitContext,
      isStatic: true,
      staticMembers: o.members ?? [],
      members: [],
      rrNext: 0,
      completed: 0,
      abandoned: 0,
      holdSecTotal: 0,
      talkSecTotal: 0,
    };
    this.queues.set(name, q);
    for (const m of q.staticMembers) this.addMember(name, { ...m, membership: 'static' });
    return q;
  }

  queue(name: string): SimQueue {
    const q = this.queues.get(name);
    if (!q) throw new CcError('not_found', `Unable to find queue: ${name}`);
    return q;
  }

  member(queue: string, iface: string): SimMember | undefined {
    return this.queue(queue).members.find((m) => m.interface === iface);
  }

  addMember(
    queue: string,
    o: { interface: string; memberName?: string; stateInterface?: string; penalty?: number; paused?: boolean; reason?: string; membership?: 'dynamic' | 'static' },
  ): SimMember {
    const q = this.queue(queue);
    if (!o.interface) throw new CcError('invalid', "'Interface' not specified.");
    if (q.members.some((m) => m.interface === o.interface)) throw new CcError('refused', 'Unable to add interface: Already there');
    const nowSec = this.nowSec();
    const m: SimMember = {
      queue,
      interface: o.interface,
      memberName: o.memberName || o.interface,
      stateInterface: o.stateInterface || o.interface,
      membership: o.membership ?? 'dynamic',
      penalty: o.penalty ?? 0,
      paused: o.paused ?? false,
      pausedReason: o.paused ? (o.reason ?? '') : '',
      callsTaken: 0,
      lastCall: 0,
      lastCallMs: 0,
      lastPause: o.paused ? nowSec : 0,
      loginTime: nowSec,
      incall: false,
      status: 0,
      pendingCredit: false,
    };
    m.status = this.statusOf(m);
    q.members.push(m);
    this.memberEvent('QueueMemberAdded', m);
    return m;
  }

  removeMember(queue: string, iface: string): void {
    const q = this.queue(queue);
    const m = q.members.find((x) => x.interface === iface);
    if (!m) throw new CcError('not_found', 'Unable to remove interface: Not there');
    if (m.membership === 'static') throw new CcError('refused', 'Unable to remove interface: Not dynamic');
    q.members = q.members.filter((x) => x !== m);
    this.memberEvent('QueueMemberRemoved', m);
  }

  /** QueuePause; queue undefined = every queue the interface is in. Returns members changed. */
  pause(queue: string | undefined, iface: string, paused: boolean, reason = ''): SimMember[] {
    const members = this.membersOf(queue, iface);
    for (const m of members) {
      m.paused = paused;
      m.pausedReason = reason;
      m.lastPause = this.nowSec();
      this.memberEvent('QueueMemberPause', m);
    }
    return members;
  }

  setPenalty(queue: string | undefined, iface: string, penalty: number): SimMember[] {
    if (!Number.isInteger(penalty) || penalty < 0) throw new CcError('invalid', 'Invalid penalty');
    const members = this.membersOf(queue, iface);
    for (const m of members) {
      m.penalty = penalty;
      this.memberEvent('QueueMemberPenalty', m);
    }
    return members;
  }

  private membersOf(queue: string | undefined, iface: string): SimMember[] {
    if (!iface) throw new CcError('invalid', 'Need an interface');
    const qs = queue ? [this.queue(queue)] : [...this.queues.values()];
    const found = qs.flatMap((q) => q.members.filter((m) => m.interface === iface));
    if (found.length === 0) throw new CcError('not_found', 'Interface not found');
    return found;
  }

  protected statusOf(m: SimMember): number {
    const iface = m.stateInterface.replace(/\/n$/, '');
    return DEVICE_STATE_NUM[this.model.deviceState(iface)] ?? 0;
  }

  refreshMembers(): void {
    for (const q of this.queues.values()) for (const m of q.members) this.refreshMember(m);
  }

  /** Re-reads the state interface; an answered call is counted once the agent side goes idle. */
  protected refreshMember(m: SimMember): void {
    const status = this.statusOf(m);
    const idle = status === DEVICE_STATE_NUM.NOT_INUSE || status === DEVICE_STATE_NUM.UNKNOWN || status === DEVICE_STATE_NUM.UNAVAILABLE;
    const credit = m.pendingCredit && idle;
    if (status === m.status && !credit) return;
    m.status = status;
    if (credit) {
      m.pendingCredit = false;
      m.callsTaken++;
      m.lastCallMs = this.model.now();
      m.lastCall = this.nowSec();
    }
    this.memberEvent('QueueMemberStatus', m);
  }

  protected memberEvent(name: string, m: SimMember): void {
    this.model.ami(name, 'agent,all', memberEventFields(m));
  }

  protected nowSec(): number {
    return Math.floor(this.model.now() / 1000);
  }
}
