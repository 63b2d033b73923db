/**
 * Rings the members of an agent group for one transfer, by the group's strategy
 * (./group-strategy.ts), until one answers or nobody is left.
 *
 * Each member rung gets its own call part (child of the transferred call, kind transfer), exactly
 * like the target of an agent transfer: the agents domain sees it ringing (so app_queue does not
 * offer it a queue call meanwhile) and the history keeps who was offered the transfer. The first
 * to answer wins and its part becomes the transfer's child; the others stop ringing at once
 * (their parts end 'answered-elsewhere'), members that ring out end 'not-answered'.
 *
 *   attempt:  ringing ──answer (first)──► answered      ringing ──no answer / busy / error──► failed
 *             ringing ──another answered / transfer cancelled──► cancelled
 */
import type { CallService } from '../calls/service';
import type { CallRecord } from '../calls/types';
import type { AgentGroup } from '../agents/groups';
import type { Logger } from '../log/logger';
import { nextToRing } from './group-strategy';
import type { GroupProgress, TransferKind } from './model';

export interface GroupRingerDeps {
  control: CallService;
  log: Logger;
  /** Seconds each attempt rings (Asterisk cancels the originate after it). */
  timeoutSec: number;
  random: () => number;
  /** null when the agent may be rung now, else why not. */
  whyNot(ext: string): string | null;
}

export interface GroupRingerEvents {
  /** The first member answered: `childId` is its call part, `channelId` its device. */
  answered(childId: string, channelId: string): void;
  /** Nobody (more) to ring: every member rang out, failed or was not available. */
  exhausted(): void;
  /** The member that answered hung up. */
  hungUp(reason: string): void;
}

type AttemptState = 'ringing' | 'answered' | 'failed' | 'cancelled';

interface Attempt {
  ext: string;
  childId: string;
  channelId: string | null;
  state: AttemptState;
}

export class GroupRinger {
  private readonly attempts: Attempt[] = [];
  /** Members rung, and members passed over at their turn (not available): not rung again. */
  private readonly tried = new Set<string>();
  /** Answered, cancelled or exhausted: no more members are rung. */
  private done = false;
  private pending: Attempt[] = [];

  constructor(
    private readonly deps: GroupRingerDeps,
    private readonly parent: CallRecord,
    private readonly group: AgentGroup,
    private readonly kind: TransferKind,
    private readonly display: string | undefined,
    /** The transfer's view of the group (updated in place: GET /calls/{id}/transfer shows it). */
    private readonly progress: GroupProgress,
    private readonly ev: GroupRingerEvents,
  ) {}

  /**
   * Creates the call parts of the first members to ring, without ringing yet, so the transfer
   * knows its first child before anything is awaited. Returns their ids ([] = nobody available).
   */
  prepare(): string[] {
    this.pending = this.nextBatch();
    return this.pending.map((a) => a.childId);
  }

  /** Rings what prepare() chose. */
  async run(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.finish();
    await Promise.all(batch.map((a) => this.dial(a)));
  }

  /** The transfer is cancelled (or its call ended): stop every member still ringing. */
  async cancel(reason: string): Promise<void> {
    this.done = true;
    await this.stopRinging(undefined, 'transfer-cancelled', reason);
  }

  private nextBatch(): Attempt[] {
    const { control, random, whyNot } = this.deps;
    const { ring, skipped } = nextToRing(this.group.strategy, this.group.agents, this.tried, (ext) => whyNot(ext) === null, random);
    for (const ext of skipped) this.tried.add(ext);
    const batch: Attempt[] = [];
    for (const ext of ring) {
      this.tried.add(ext);
      const p = this.parent;
      const child = control.createChildCall(p.id, 'transfer', {
        direction: p.direction,
        state: 'ringing-agent',
        queue: p.queue,
        agentExt: ext,
        customerNumber: p.customerNumber,
        callerId: p.callerId,
        linkedid: p.linkedid,
      });
      control.record(child.id, 'transfer-from', { parent: p.id, from: p.agentExt, kind: this.kind, group: this.group.name });
      const a: Attempt = { ext, childId: child.id, channelId: null, state: 'ringing' };
      this.attempts.push(a);
      batch.push(a);
    }
    this.sync();
    return batch;
  }

  private async dial(a: Attempt): Promise<void> {
    const { control } = this.deps;
    try {
      const channelId = await control.originateAgentDevice(a.ext, {
        callId: a.childId,
        callerId: this.display,
        timeoutSec: this.deps.timeoutSec,
        onAnswer: (ch) => void this.onAnswer(a, ch.id),
        onFail: (reason) => void this.onFail(a, reason),
        onHangup: (reason) => {
          if (a.state === 'answered') this.ev.hungUp(reason);
        },
      });
      a.channelId ??= channelId;
      // Cancelled while the originate was on its way: its end() had no device to hang up.
      if (a.state === 'cancelled') await control.originations.cancel(channelId);
      else if (a.state === 'ringing') control.updateCall(a.childId, { agentChannelId: channelId });
    } catch (err) {
      await this.onFail(a, `cannot ring agent ${a.ext}: ${(err as Error).message}`);
    }
  }

  private async onAnswer(a: Attempt, channelId: string): Promise<void> {
    const { control } = this.deps;
    a.channelId = channelId;
    if (this.done || a.state !== 'ringing') {
      // Someone else was faster (or the transfer is over): this one is not needed. The part ends
      // first, so the device's hangup that follows is not taken for the agent hanging up.
      a.state = 'cancelled';
      await control.endCall(a.childId, 'answered-elsewhere', { data: { group: this.group.name } });
      await control.originations.cancel(channelId);
      return;
    }
    this.done = true;
    a.state = 'answered';
    this.progress.answeredBy = a.ext;
    if (control.get(a.childId) && !control.get(a.childId)!.agentChannelId) control.updateCall(a.childId, { agentChannelId: channelId });
    await this.stopRinging(a, 'answered-elsewhere', `answered by agent ${a.ext}`);
    this.ev.answered(a.childId, channelId);
  }

  private async onFail(a: Attempt, reason: string): Promise<void> {
    if (a.state !== 'ringing') return;
    a.state = 'failed';
    this.sync();
    await this.deps.control.endCall(a.childId, 'not-answered', { data: { reason, group: this.group.name } });
    if (this.done || this.attempts.some((x) => x.state === 'ringing')) return;
    const batch = this.nextBatch();
    if (batch.length === 0) return this.finish();
    await Promise.all(batch.map((x) => this.dial(x)));
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.deps.log.info('group transfer: nobody answered', { callId: this.parent.id, group: this.group.name, rung: this.progress.tried });
    this.ev.exhausted();
  }

  /** Hangs up every attempt still ringing except `keep`; their parts end with `endReason`. */
  private async stopRinging(keep: Attempt | undefined, endReason: string, why: string): Promise<void> {
    const { control } = this.deps;
    const others = this.attempts.filter((x) => x !== keep && x.state === 'ringing');
    for (const x of others) x.state = 'cancelled';
    this.sync();
    await Promise.all(
      others.map(async (x) => {
        // The part first (its end() hangs the device up): a hangup event seen before it ended
        // would read as the agent hanging up.
        await control.endCall(x.childId, endReason, { data: { reason: why, group: this.group.name } });
        if (x.channelId) await control.originations.cancel(x.channelId);
      }),
    );
  }

  /** Copies who rings / who was rung into the transfer's view. */
  private sync(): void {
    this.progress.ringing = this.attempts.filter((a) => a.state === 'ringing').map((a) => a.ext);
    const rung = new Set(this.attempts.map((a) => a.ext));
    this.progress.tried = this.group.agents.filter((ext) => rung.has(ext));
  }
}
