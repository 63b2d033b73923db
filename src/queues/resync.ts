/**
 * Re-sync on every AMI (re)connect: QueueStatus is compared with the open sessions in the store,
 * which are the truth. After an Asterisk restart dynamic members are gone: they are re-added with
 * their pause state and reason; a pause lost or changed behind our back is re-applied; the Custom
 * busy flag is re-asserted from the agent's state. Members no session owns are reported (bus
 * 'system' event + log) and removed when policy.remove_unknown_members (never static ones: they
 * come from queues.conf and QueueRemove cannot remove them).
 */
import type { AgentCore } from '../agents/core';
import type { LiveMember } from './members';

export interface ResyncReport {
  at: number;
  members: number;
  readded: { extension: string; queue: string; paused: boolean }[];
  repaused: { extension: string; queue: string; paused: boolean; reason: string | null }[];
  unknown: { queue: string; interface: string; name: string; membership: string }[];
  removed: { queue: string; interface: string }[];
  errors: string[];
}

const key = (queue: string, iface: string) => `${queue}\u0000${iface}`;

export class QueueResync {
  private running?: Promise<ResyncReport>;
  private queued?: Promise<ResyncReport>;

  constructor(private readonly core: AgentCore) {}

  /**
   * Coalesces overlapping runs (a flapping link may reconnect while one is in progress). A request
   * during a run gets one fresh run after it, never the running one's result: that one may have
   * read QueueStatus from the Asterisk that just went away.
   */
  run(): Promise<ResyncReport> {
    if (this.queued) return this.queued;
    if (this.running) {
      this.queued = this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.run();
        });
      return this.queued;
    }
    this.running = this.doRun().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doRun(): Promise<ResyncReport> {
    const { members, repo, catalogue, bus, log } = this.core.deps;
    const report: ResyncReport = {
      at: this.core.now(),
      members: 0,
      readded: [],
      repaused: [],
      unknown: [],
      removed: [],
      errors: [],
    };
    const live = await members.list();
    report.members = live.length;
    const byKey = new Map<string, LiveMember>(live.map((m) => [key(m.queue, m.iface), m]));
    const owned = new Set<string>();
    const attempt = async (what: string, fn: () => Promise<void>): Promise<boolean> => {
      try {
        await fn();
        return true;
      } catch (e) {
        report.errors.push(`${what}: ${(e as Error).message}`);
        return false;
      }
    };

    for (const s of repo.openSessions()) {
      const agent = catalogue.agent(s.extension);
      const rt = repo.runtime(s.extension);
      if (!agent || !rt) continue;
      // pauseReason is only set while the agent is in a pause (also kept during calls taken in pause).
      const reason = rt.pauseReason;
      const allowed = new Map(catalogue.allowedQueues(s.extension).map((a) => [a.queue, a.penalty]));
      for (const q of s.queues) {
        const iface = members.iface(s.extension);
        owned.add(key(q, iface));
        const m = byKey.get(key(q, iface));
        if (!m) {
          const penalty = s.penalty ?? allowed.get(q) ?? 0;
          const ok = await attempt(`QueueAdd ${q} ${iface}`, async () => {
            await members.add(q, s.extension, agent.name, penalty, reason ?? undefined);
          });
          if (ok) report.readded.push({ extension: s.extension, queue: q, paused: !!reason });
        } else if (m.paused !== !!reason || (reason && m.pausedReason !== reason)) {
          const ok = await attempt(`QueuePause ${q} ${iface}`, () =>
            members.pause(q, s.extension, !!reason, reason ?? undefined),
          );
          if (ok) report.repaused.push({ extension: s.extension, queue: q, paused: !!reason, reason });
        }
      }
      const busy = rt.state === 'on-call' || rt.state === 'wrap-up';
      await attempt(`Setvar Custom:agent-${s.extension}`, () => members.setBusy(s.extension, busy));
    }

    const sessions = new Map(repo.openSessions().map((s) => [s.extension, s]));
    for (const m of live) {
      if (owned.has(key(m.queue, m.iface))) continue;
      // Ours under the other topology (asterisk.queue_topology changed): app_queue would ring the
      // agent twice (the leg and the device), so it goes whatever remove_unknown_members says.
      const former = m.membership !== 'static' ? members.interfaces.formerOf(m.iface) : undefined;
      if (former && sessions.get(former)?.queues.includes(m.queue)) {
        const ok = await attempt(`QueueRemove ${m.queue} ${m.iface}`, () => members.removeInterface(m.queue, m.iface));
        if (ok) report.removed.push({ queue: m.queue, interface: m.iface });
        continue;
      }
      report.unknown.push({ queue: m.queue, interface: m.iface, name: m.name, membership: m.membership });
      if (this.core.policy.remove_unknown_members && m.membership !== 'static') {
        const ok = await attempt(`QueueRemove ${m.queue} ${m.iface}`, () => members.removeInterface(m.queue, m.iface));
        if (ok) report.removed.push({ queue: m.queue, interface: m.iface });
      }
    }

    if (report.unknown.length) {
      log.warn('queue members not owned by any agent session', {
        unknown: report.unknown,
        removed: report.removed.length,
      });
    }
    if (report.errors.length) log.warn('queue re-sync had errors', { errors: report.errors });
    log.info('queue re-sync done', {
      members: report.members,
      readded: report.readded.length,
      repaused: report.repaused.length,
      unknown: report.unknown.length,
      removed: report.removed.length,
    });
    bus.publish({
      type: 'system',
      at: report.at,
      data: { event: 'queue.resync', ...report },
    });
    return report;
  }
}
