/**
 * Which members of an agent group to ring next (pure; the ringer in ./group-ringer.ts does the
 * ringing). Only members available right now are rung; availability is asked again at every step,
 * so an agent that took a queue call meanwhile is skipped.
 *   simultaneous  every available member at once, one round (first to answer wins)
 *   sequential    in list order, one at a time; a member not available at its turn loses the turn
 *   random        one available member at a time, picked at random among those not tried yet
 * An empty `ring` means the group is exhausted: nobody (more) to try.
 */
import type { GroupStrategy } from '../agents/groups';

export interface NextRing {
  /** Members to ring now. */
  ring: string[];
  /** Members passed over for good (not available at their turn): count them as tried. */
  skipped: string[];
}

export function nextToRing(
  strategy: GroupStrategy,
  members: readonly string[],
  tried: ReadonlySet<string>,
  available: (ext: string) => boolean,
  random: () => number = Math.random,
): NextRing {
  const untried = members.filter((m) => !tried.has(m));
  switch (strategy) {
    case 'simultaneous': {
      // One round: once anybody was rung, whoever did not answer had their chance.
      if (tried.size > 0) return { ring: [], skipped: [] };
      return { ring: untried.filter(available), skipped: untried.filter((m) => !available(m)) };
    }
    case 'sequential': {
      const skipped: string[] = [];
      for (const m of untried) {
        if (available(m)) return { ring: [m], skipped };
        skipped.push(m);
      }
      return { ring: [], skipped };
    }
    case 'random': {
      // Unavailable members stay candidates: they may be free when the next pick comes.
      const pool = untried.filter(available);
      if (pool.length === 0) return { ring: [], skipped: [] };
      const i = Math.min(pool.length - 1, Math.floor(random() * pool.length));
      return { ring: [pool[i]], skipped: [] };
    }
  }
}

/** Why each member cannot be rung now (null = it can), for the 409 when nobody is available. */
export function availability(
  members: readonly string[],
  check: (ext: string) => string | null,
): { available: string[]; unavailable: { agent: string; reason: string }[] } {
  const available: string[] = [];
  const unavailable: { agent: string; reason: string }[] = [];
  for (const m of members) {
    const why = check(m);
    if (why === null) available.push(m);
    else unavailable.push({ agent: m, reason: why });
  }
  return { available, unavailable };
}
