/**
 * Which members app_queue offers a waiting call to (ringinuse=no): a member is eligible only when
 * it is not paused, its state interface is idle, it is not already being offered a call (app_queue's
 * pending list) and it is past wrap-up. Among the eligible, the lowest penalty wins; `ringall` rings
 * them all, `rrmemory` the next one after the last rung.
 */
import type { SimMember, SimQueue } from './queue-types';
import { DEVICE_STATE_NUM } from './shapes';

/** `busy`: interfaces currently being offered a call. Advances `q.rrNext` for rrmemory. */
export function pickMembers(q: SimQueue, now: number, busy: ReadonlySet<string>): SimMember[] {
  const free = q.members.filter(
    (m) =>
      !m.paused &&
      (m.status === DEVICE_STATE_NUM.NOT_INUSE || m.status === DEVICE_STATE_NUM.UNKNOWN) &&
      !busy.has(m.interface) &&
      (m.lastCallMs === 0 || now - m.lastCallMs >= q.wrapupMs),
  );
  if (free.length === 0) return [];
  const minPenalty = Math.min(...free.map((m) => m.penalty));
  const best = free.filter((m) => m.penalty === minPenalty);
  if (q.strategy === 'ringall') return best;
  for (let i = 0; i < q.members.length; i++) {
    const idx = (q.rrNext + i) % q.members.length;
    const m = q.members[idx];
    if (best.includes(m)) {
      q.rrNext = idx + 1;
      return [m];
    }
  }
  return [];
}
