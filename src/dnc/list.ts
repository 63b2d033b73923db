/**
 * The do-not-call list (table `dnc`, migration 008): numbers a customer asked never to be called
 * again, for every queue (global) or for one queue (a campaign). Enforcement is in ./guard.ts; this
 * is the list itself, shared by the admin CLI (on the database) and the API.
 *
 * Numbers are read by the product's one parser (src/dialing/phone.ts) and stored like the
 * blocklist's keys: E.164 digits without '+' (national numbers get policy.default_country_code), so
 * "(11) 98765-4321", "011 98765-4321" and "+55 11 98765-4321" are one entry, and the key equals
 * the `full` number dialing validates (src/dialing/number.ts). Unlike the blocklist, which must
 * match whatever caller id the network sends, an entry must be a number of its country by length:
 * a mistyped entry could never match a dialled number, and would silently protect nobody.
 */
import type { Db } from '../store/db';
import { hasControlChars } from '../store/validate';
import { compactNumber, lengthProblem, parsePhone } from '../dialing/phone';
import { isInternalNumber } from '../prank/blocklist';
import type { Clock } from '../util/clock';
import { CcError, invalid, notFound } from '../util/errors';
import { parseCsv } from './csv';

export interface DncEntry {
  /** E.164 digits without '+'. */
  number: string;
  /** null = every queue. */
  queue: string | null;
  reason: string;
  addedBy: string | null;
  createdAt: number;
}

interface Row {
  number: string;
  queue: string;
  reason: string;
  added_by: string | null;
  created_at: number;
}

const toEntry = (r: Row): DncEntry => ({
  number: r.number,
  queue: r.queue === '' ? null : r.queue,
  reason: r.reason,
  addedBy: r.added_by,
  createdAt: r.created_at,
});

const MAX_REASON = 200;
/** How many bad rows the one-line error names (all of them are in the error's details). */
const SHOWN_ERRORS = 10;

/**
 * The stored form of a number typed for the list: E.164 digits without '+'. Throws `invalid` for
 * anything that is not a phone number of a known country with a possible length, and for internal
 * numbers (3-5 digits: extensions and services are never dialled as customers).
 */
export function dncNumber(raw: unknown, countryCode: string): string {
  const c = compactNumber(raw);
  if (isInternalNumber(c)) throw invalid(`${c} is an internal number (extension or service), not a customer's`, { field: 'number' });
  const p = parsePhone(c, { defaultDdi: countryCode });
  const problem = lengthProblem(p.ddi, p.national);
  if (problem) throw invalid(`${problem} (got "${String(raw).trim()}")`, { field: 'number' });
  return p.ddi + p.national;
}

/** "+5511987654321" for messages: the stored digits are E.164 without the '+'. */
export const shown = (number: string) => `+${number}`;

export const scopeOf = (queue: string | null) => (queue === null ? 'global' : `queue ${queue}`);

/** One row to import, from a CSV record or a JSON item; `where` names it in errors ("line 4"). */
export interface ImportRow {
  where: string;
  number: unknown;
  queue?: unknown;
  reason?: unknown;
  /** Already known to be bad (e.g. a CSV line with the wrong number of fields). */
  problem?: string;
}

export interface ImportReport {
  /** Data rows read (blank lines not counted). */
  rows: number;
  /** New entries written. */
  added: number;
  /** Rows for entries already on the list: left as they were (their date is the customer's request). */
  alreadyListed: number;
  /** Rows repeating an earlier row of the same import (same number and queue): merged into it. */
  duplicates: number;
}

export interface DncListDeps {
  db: Db;
  clock: Clock;
  /** policy.default_country_code completes national numbers (default 55). */
  config?: { policy: { default_country_code: string } };
}

export class DncList {
  constructor(private readonly deps: DncListDeps) {}

  private get countryCode(): string {
    return this.deps.config?.policy.default_country_code ?? '55';
  }

  canonical(raw: unknown): string {
    return dncNumber(raw, this.countryCode);
  }

  /** A queue named by admin input must exist (like `agent add --queues`): a typo would protect nobody. */
  private queueName(raw: unknown): string | null {
    if (raw === undefined || raw === null) return null;
    if (typeof raw !== 'string') throw invalid('queue must be text', { field: 'queue' });
    const q = raw.trim();
    if (q === '') return null;
    if (!this.deps.db.prepare('SELECT 1 FROM queues WHERE name = ?').get(q)) {
      throw invalid(`queue ${q} does not exist`, { field: 'queue', queue: q });
    }
    return q;
  }

  private reason(raw: unknown): string {
    if (raw === undefined || raw === null) return '';
    if (typeof raw !== 'string') throw invalid('reason must be text', { field: 'reason' });
    const r = raw.trim();
    if (r.length > MAX_REASON) throw invalid(`reason must be at most ${MAX_REASON} characters`, { field: 'reason' });
    if (hasControlChars(r)) throw invalid('reason must not contain control characters (newline, tab...)', { field: 'reason' });
    return r;
  }

  get(number: string, queue: string | null): DncEntry | undefined {
    const row = this.deps.db.prepare('SELECT * FROM dnc WHERE number = ? AND queue = ?').get(number, queue ?? '') as Row | undefined;
    return row && toEntry(row);
  }

  /**
   * Adds a number (any format). Already listed: the entry keeps its date (when the customer asked)
   * and takes the new reason when one is given.
   */
  add(input: { number: unknown; queue?: unknown; reason?: unknown; addedBy?: string }): { entry: DncEntry; created: boolean } {
    const number = this.canonical(input.number);
    const queue = this.queueName(input.queue);
    const reason = this.reason(input.reason);
    return this.deps.db.transaction(() => {
      const old = this.get(number, queue);
      if (old) {
        if (reason && reason !== old.reason) this.deps.db.prepare('UPDATE dnc SET reason = ? WHERE number = ? AND queue = ?').run(reason, number, queue ?? '');
        return { entry: { ...old, reason: reason || old.reason }, created: false };
      }
      const createdAt = this.deps.clock.now();
      this.deps.db
        .prepare('INSERT INTO dnc (number, queue, reason, added_by, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(number, queue ?? '', reason, input.addedBy ?? null, createdAt);
      return { entry: { number, queue, reason, addedBy: input.addedBy ?? null, createdAt }, created: true };
    }).immediate();
  }

  /** Removes one entry (global unless `queue`); returns it. Any format of the number. */
  remove(rawNumber: unknown, rawQueue?: unknown): DncEntry {
    const number = this.canonical(rawNumber);
    const queue = rawQueue === undefined || rawQueue === null || rawQueue === '' ? null : String(rawQueue).trim();
    const entry = this.get(number, queue);
    if (!entry) throw notFound(`${shown(number)} is not on the do-not-call list (${scopeOf(queue)})`, { number, queue });
    this.deps.db.prepare('DELETE FROM dnc WHERE number = ? AND queue = ?').run(number, queue ?? '');
    return entry;
  }

  /**
   * Entries, newest first. With `queue`: the entries that apply to calls made for that queue, i.e.
   * the global ones and that queue's own (each says which it is).
   */
  list(filter: { queue?: string } = {}): DncEntry[] {
    const rows = filter.queue
      ? this.deps.db.prepare("SELECT * FROM dnc WHERE queue IN ('', ?) ORDER BY created_at DESC, number").all(filter.queue.trim())
      : this.deps.db.prepare('SELECT * FROM dnc ORDER BY created_at DESC, number').all();
    return (rows as Row[]).map(toEntry);
  }

  /**
   * The entry that forbids calling `number` (canonical) for `queue`: the global one first (the
   * customer's broader request), else that queue's.
   */
  match(number: string, queue: string | null): DncEntry | undefined {
    const row = this.deps.db
      .prepare("SELECT * FROM dnc WHERE number = ? AND queue IN ('', ?) ORDER BY queue = '' DESC LIMIT 1")
      .get(number, queue ?? '') as Row | undefined;
    return row && toEntry(row);
  }

  /**
   * Imports rows all or nothing: every row is validated first (number by the shared parser, queue
   * must exist, reason); any bad row → `invalid` naming each one (`where`), and nothing is written.
   * A row's own queue wins; an empty one takes `defaultQueue`, else the entry is global.
   */
  importRows(rows: ImportRow[], opts: { defaultQueue?: string; addedBy?: string; source?: string } = {}): ImportReport {
    const defaultQueue = opts.defaultQueue === undefined ? null : this.queueName(opts.defaultQueue);
    const errors: { where: string; message: string }[] = [];
    const wanted = new Map<string, { number: string; queue: string | null; reason: string }>();
    let duplicates = 0;
    for (const r of rows) {
      try {
        if (r.problem) throw invalid(r.problem);
        const number = this.canonical(r.number);
        const own = this.queueName(r.queue);
        const queue = own ?? defaultQueue;
        const reason = this.reason(r.reason);
        const key = `${number}\u0000${queue ?? ''}`;
        const seen = wanted.get(key);
        if (seen) {
          duplicates++;
          if (!seen.reason) seen.reason = reason; // the first reason given wins
        } else {
          wanted.set(key, { number, queue, reason });
        }
      } catch (err) {
        if (!(err instanceof CcError)) throw err;
        errors.push({ where: r.where, message: err.message });
      }
    }
    if (errors.length) {
      const named = errors.slice(0, SHOWN_ERRORS).map((e) => `${e.where}: ${e.message}`).join('; ');
      const more = errors.length > SHOWN_ERRORS ? `; and ${errors.length - SHOWN_ERRORS} more` : '';
      const from = opts.source ? `${opts.source}: ` : '';
      throw invalid(`${from}${errors.length} bad row(s), nothing imported: ${named}${more}`, { errors });
    }
    const now = this.deps.clock.now();
    const insert = this.deps.db.prepare(
      'INSERT INTO dnc (number, queue, reason, added_by, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (number, queue) DO NOTHING',
    );
    // One IMMEDIATE transaction: a failure half-way (disk full) leaves the list as it was.
    const added = this.deps.db.transaction(() => {
      let n = 0;
      for (const e of wanted.values()) n += insert.run(e.number, e.queue ?? '', e.reason, opts.addedBy ?? null, now).changes;
      return n;
    }).immediate();
    return { rows: rows.length, added, alreadyListed: wanted.size - added, duplicates };
  }

  /** A CSV text (header with a `number` column; optional `queue`, `reason`) imported all or nothing. */
  importCsv(text: string, opts: { defaultQueue?: string; addedBy?: string; source?: string } = {}): ImportReport {
    let table;
    try {
      table = parseCsv(text);
    } catch (err) {
      if (err instanceof CcError && opts.source) throw invalid(`${opts.source}: ${err.message}`, err.details);
      throw err;
    }
    const known = ['number', 'queue', 'reason'];
    const unknown = table.header.filter((h) => !known.includes(h));
    if (!table.header.includes('number') || unknown.length) {
      const what = unknown.length ? `unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}` : 'no "number" column';
      const from = opts.source ? `${opts.source}: ` : '';
      throw invalid(`${from}line 1: ${what}; the header must name a number column and may add queue and reason (e.g. "number,queue,reason")`, {
        line: 1,
      });
    }
    const width = table.header.length;
    const rows: ImportRow[] = table.records.map((r) => ({
      where: `line ${r.line}`,
      number: r.cells.number,
      queue: r.cells.queue,
      reason: r.cells.reason,
      problem: r.count === width ? undefined : `${r.count} field(s) where the header has ${width}`,
    }));
    return this.importRows(rows, opts);
  }
}
