/**
 * Starting a transfer to an agent group (`group:<name>`): the request-time checks and the Transfer
 * with its ringer (./group-ringer.ts). What happens once a member answers is the agent-transfer
 * flow of ./service.ts, with the member as the target.
 *
 * Nobody available at request time (every member offline, busy, paused, in wrap-up, or the
 * transferring agent itself): 409 naming each member's reason; nothing is created.
 */
import type { AgentGroup } from '../agents/groups';
import type { CallService } from '../calls/service';
import type { CallRecord } from '../calls/types';
import type { Logger } from '../log/logger';
import { formatCallerId } from '../util/caller-id';
import { refused } from '../util/errors';
import { GroupRinger, type GroupRingerEvents } from './group-ringer';
import { availability } from './group-strategy';
import { newTransfer, type Transfer, type TransferKind } from './model';
import { whyNotRingable } from './targets';

export interface GroupStartDeps {
  control: CallService;
  log: Logger;
  now: number;
  /** Ring time when the group sets none. */
  ringTimeoutSec: number;
  random: () => number;
}

/**
 * The Transfer (state ringing, no child yet) and its ringer, or a 409. The caller registers both,
 * then calls `ringer.prepare()` (the first members' call parts) and `ringer.run()`.
 */
export function newGroupTransfer(
  deps: GroupStartDeps,
  call: CallRecord,
  group: AgentGroup,
  kind: TransferKind,
  events: (t: Transfer) => GroupRingerEvents,
): { t: Transfer; ringer: GroupRinger } {
  const whyNot = (ext: string) => whyNotRingable(deps.control, call, ext);
  const { available, unavailable } = availability(group.agents, whyNot);
  if (available.length === 0) {
    const why = group.agents.length ? unavailable.map((u) => u.reason).join('; ') : 'it has no agents';
    throw refused(`nobody in agent group ${group.name} is available: ${why}`, {
      group: group.name,
      reason: 'nobody-available',
      members: unavailable,
    });
  }
  const progress = { name: group.name, strategy: group.strategy, ringing: [], tried: [], answeredBy: null };
  // No child yet: the ringer's prepare() creates the first members' parts.
  const t = newTransfer(call, { childId: '', kind, target: { type: 'group', group: group.name }, now: deps.now, group: progress });
  const ringer = new GroupRinger(
    {
      control: deps.control,
      log: deps.log,
      timeoutSec: group.ringSeconds ?? deps.ringTimeoutSec,
      random: deps.random,
      whyNot,
    },
    call,
    group,
    kind,
    formatCallerId(`Transfer ${call.customerNumber ?? ''}`, call.customerNumber),
    progress,
    events(t),
  );
  return { t, ringer };
}
