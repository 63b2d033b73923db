/**
 * What the agents domain reads from the admin catalogue (001_core tables: agents, agent_queues,
 * queues, pause_reasons, dispositions). Kept behind a small interface so the runtime does not
 * depend on how the catalogue module is organised; read-only, straight SQL on the shared DB.
 */
import type { Db } from '../store/db';
import { preparedOnce } from '../store/statements';

export interface CatalogueAgent {
  extension: string;
  name: string;
  device: string;
}

export interface CatalogueQueue {
  name: string;
  /** null = policy default */
  wrapupSeconds: number | null;
  /** null = policy default, 0 = off */
  maxNoAnswer: number | null;
  /** false: the wrap-up stays open until finished (policy.wrapup_max_seconds caps it). */
  wrapupLimit: boolean;
}

export interface AgentCatalogue {
  agent(extension: string): CatalogueAgent | undefined;
  agents(): CatalogueAgent[];
  /** Extensions whose device is this dial string (native topology: member Interface → agent). */
  extensionsWithDevice(device: string): string[];
  queue(name: string): CatalogueQueue | undefined;
  /** Queues the agent may log into, with the configured penalty. */
  allowedQueues(extension: string): { queue: string; penalty: number }[];
  /** Extensions bound to a queue. */
  extensionsOfQueue(queue: string): string[];
  pauseReason(name: string): { name: string; statusId: number } | undefined;
  disposition(tag: string): { tag: string } | undefined;
}

export class SqlAgentCatalogue implements AgentCatalogue {
  /** Prepared once per SQL text: these run on every AMI/ARI event of a call, and prepare() costs more than the query. */
  private readonly sql: ReturnType<typeof preparedOnce>;

  constructor(private readonly db: Db) {
    this.sql = preparedOnce(db);
  }

  agent(extension: string): CatalogueAgent | undefined {
    return this.sql('SELECT extension, name, device FROM agents WHERE extension = ?')
      .get(extension) as CatalogueAgent | undefined;
  }

  agents(): CatalogueAgent[] {
    return this.sql('SELECT extension, name, device FROM agents ORDER BY extension').all() as CatalogueAgent[];
  }

  extensionsWithDevice(device: string): string[] {
    return (this.sql('SELECT extension FROM agents WHERE device = ?').all(device) as { extension: string }[]).map((r) => r.extension);
  }

  queue(name: string): CatalogueQueue | undefined {
    const q = this.sql(
      'SELECT name, wrapup_seconds AS wrapupSeconds, max_no_answer AS maxNoAnswer, wrapup_limit AS wrapupLimit FROM queues WHERE name = ?',
    ).get(name) as (Omit<CatalogueQueue, 'wrapupLimit'> & { wrapupLimit: number }) | undefined;
    return q && { ...q, wrapupLimit: q.wrapupLimit !== 0 };
  }

  allowedQueues(extension: string): { queue: string; penalty: number }[] {
    return this.sql('SELECT queue, penalty FROM agent_queues WHERE extension = ? ORDER BY queue')
      .all(extension) as { queue: string; penalty: number }[];
  }

  extensionsOfQueue(queue: string): string[] {
    return (
      this.sql('SELECT extension FROM agent_queues WHERE queue = ? ORDER BY extension').all(queue) as {
        extension: string;
      }[]
    ).map((r) => r.extension);
  }

  pauseReason(name: string): { name: string; statusId: number } | undefined {
    return this.sql('SELECT name, status_id AS statusId FROM pause_reasons WHERE name = ?').get(name) as
      | { name: string; statusId: number }
      | undefined;
  }

  disposition(tag: string): { tag: string } | undefined {
    return this.sql('SELECT tag FROM dispositions WHERE tag = ?').get(tag) as { tag: string } | undefined;
  }
}
