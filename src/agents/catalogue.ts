/**
 * Agent catalogue (tables `agents`, `agent_queues`, migration 001): who may log in, with which
 * device, into which queues. Admin CLI and API write here; the runtime reads via catalogue-port.ts.
 */
import type { Db } from '../store/db';
import { hasControlChars, int, isForeignKeyViolation, isUniqueViolation, matches, text } from '../store/validate';
import { validateQueueName } from '../queues/catalogue';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound, refused } from '../util/errors';

export const EXTENSION = /^\d{4,5}$/;

export interface AgentQueue {
  queue: string;
  penalty: number;
}

export interface Agent {
  extension: string;
  name: string;
  device: string;
  queues: AgentQueue[];
  createdAt: number;
}

export interface AgentInput {
  extension: string;
  name: string;
  device: string;
  queues?: AgentQueue[];
}

export function validateExtension(ext: unknown, field = 'extension'): string {
  return matches(field, ext, EXTENSION, 'must be exactly 4 or 5 digits');
}

/**
 * Any Asterisk dial string TECH/resource (PJSIP/1000, SIP/x, Local/1000@agents, IAX2/...), but none
 * of what would let it dial more than one thing or inject into the dialplan: `&` (parallel dial),
 * `,` (Dial options), whitespace/control characters (AMI line breaks) or `${` (expressions).
 */
export function validateDevice(device: unknown, field = 'device'): string {
  if (typeof device !== 'string' || device === '') throw invalid(`${field}: must not be empty`, { field });
  if (device.length > 128) throw invalid(`${field}: must be at most 128 characters`, { field });
  if (hasControlChars(device) || /\s/.test(device)) {
    throw invalid(`${field}: must not contain whitespace or control characters`, { field });
  }
  if (device.includes('&') || device.includes(',')) {
    throw invalid(`${field}: must be a single dial string (no "&" or ",")`, { field });
  }
  if (device.includes('${')) throw invalid(`${field}: must not contain "\${"`, { field });
  if (!/^[A-Za-z][A-Za-z0-9_]*\/.+$/.test(device)) {
    throw invalid(`${field}: must be an Asterisk dial string TECH/resource, e.g. PJSIP/1000`, { field });
  }
  return device;
}

function validateQueues(queues: AgentQueue[] | undefined): AgentQueue[] {
  const out: AgentQueue[] = [];
  const seen = new Set<string>();
  for (const q of queues ?? []) {
    const name = validateQueueName(q.queue, 'queues');
    if (seen.has(name)) throw invalid(`queues: ${name} is listed twice`, { field: 'queues' });
    seen.add(name);
    out.push({ queue: name, penalty: int('penalty', q.penalty ?? 0, 0, 1000) });
  }
  return out;
}

export class AgentCatalogueRepo {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): Agent[] {
    const rows = this.deps.db.prepare('SELECT * FROM agents ORDER BY extension').all() as Row[];
    const queues = this.deps.db.prepare('SELECT extension, queue, penalty FROM agent_queues ORDER BY queue').all() as {
      extension: string;
      queue: string;
      penalty: number;
    }[];
    return rows.map((r) => ({
      extension: r.extension,
      name: r.name,
      device: r.device,
      queues: queues.filter((q) => q.extension === r.extension).map(({ queue, penalty }) => ({ queue, penalty })),
      createdAt: r.created_at,
    }));
  }

  get(extension: string): Agent | undefined {
    const r = this.deps.db.prepare('SELECT * FROM agents WHERE extension = ?').get(extension) as Row | undefined;
    if (!r) return undefined;
    return { extension: r.extension, name: r.name, device: r.device, queues: this.queuesOf(extension), createdAt: r.created_at };
  }

  require(extension: string): Agent {
    const a = this.get(extension);
    if (!a) throw notFound(`agent ${extension} does not exist`, { agent: extension });
    return a;
  }

  /** Adds the agent and its queue assignments in one transaction: all or nothing. */
  add(input: AgentInput): Agent {
    const extension = validateExtension(input.extension);
    const name = text('name', input.name, 100);
    const device = validateDevice(input.device);
    const queues = validateQueues(input.queues);
    const createdAt = this.clock.now();
    this.deps.db
      .transaction(() => {
        if (this.get(extension)) throw invalid(`agent ${extension} already exists`, { field: 'extension' });
        this.checkDeviceFree(device, extension);
        try {
          this.deps.db
            .prepare('INSERT INTO agents (extension, name, device, created_at) VALUES (?, ?, ?, ?)')
            .run(extension, name, device, createdAt);
        } catch (err) {
          if (isUniqueViolation(err)) throw invalid(`agent ${extension} already exists`, { field: 'extension' });
          throw err;
        }
        this.writeQueues(extension, queues);
      })
      .immediate();
    return { extension, name, device, queues, createdAt };
  }

  /** Changes name/device and, when given, replaces the queue list (one transaction). */
  update(extension: string, patch: { name?: string; device?: string; queues?: AgentQueue[] }): Agent {
    const name = patch.name === undefined ? undefined : text('name', patch.name, 100);
    const device = patch.device === undefined ? undefined : validateDevice(patch.device);
    const queues = patch.queues === undefined ? undefined : validateQueues(patch.queues);
    this.deps.db
      .transaction(() => {
        this.require(extension);
        if (device !== undefined) this.checkDeviceFree(device, extension);
        if (name !== undefined) this.deps.db.prepare('UPDATE agents SET name = ? WHERE extension = ?').run(name, extension);
        if (device !== undefined) this.deps.db.prepare('UPDATE agents SET device = ? WHERE extension = ?').run(device, extension);
        if (queues !== undefined) {
          this.deps.db.prepare('DELETE FROM agent_queues WHERE extension = ?').run(extension);
          this.writeQueues(extension, queues);
        }
      })
      .immediate();
    return this.require(extension);
  }

  remove(extension: string): void {
    this.deps.db
      .transaction(() => {
        this.require(extension);
        try {
          this.deps.db.prepare('DELETE FROM agents WHERE extension = ?').run(extension);
        } catch (err) {
          // Runtime tables (sessions, history) may reference the agent: keep the history consistent.
          if (isForeignKeyViolation(err)) throw refused(`agent ${extension} has runtime records that reference it`, { agent: extension });
          throw err;
        }
      })
      .immediate();
  }

  private queuesOf(extension: string): AgentQueue[] {
    return this.deps.db
      .prepare('SELECT queue, penalty FROM agent_queues WHERE extension = ? ORDER BY queue')
      .all(extension) as AgentQueue[];
  }

  /** Two agents on one device would make device events ambiguous (who is ringing?). */
  private checkDeviceFree(device: string, extension: string): void {
    const other = this.deps.db
      .prepare('SELECT extension FROM agents WHERE upper(device) = upper(?) AND extension <> ?')
      .get(device, extension) as { extension: string } | undefined;
    if (other) throw invalid(`device: ${device} is already used by agent ${other.extension}`, { field: 'device' });
  }

  private writeQueues(extension: string, queues: AgentQueue[]): void {
    const exists = this.deps.db.prepare('SELECT 1 FROM queues WHERE name = ?');
    const insert = this.deps.db.prepare('INSERT INTO agent_queues (extension, queue, penalty) VALUES (?, ?, ?)');
    for (const q of queues) {
      if (!exists.get(q.queue)) throw invalid(`queues: queue ${q.queue} does not exist (add it with \`callcenterd queue add ${q.queue}\`)`, { field: 'queues' });
      insert.run(extension, q.queue, q.penalty);
    }
  }
}

interface Row {
  extension: string;
  name: string;
  device: string;
  created_at: number;
}
