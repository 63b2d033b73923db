/**
 * External contacts (table `contacts`, migration 009): numbers outside the call center kept for the
 * softphone directory (`callcenterd contact add "Banco X" --number "(11) 3003-0000"`). The number is
 * read by the one parser for numbers people type (src/dialing/phone.ts, through readNumber: same
 * formats, DDI rules and country lengths as `call dial`) and stored as E.164 digits without '+',
 * like history and the blocklist. The international policy is not applied here: it applies when the
 * contact is dialled or transferred to (validateNumber), so changing the policy needs no clean-up.
 * Names are unique regardless of case ("banco x" and "Banco X" are one contact).
 */
import { readNumber } from '../dialing/number';
import type { Db } from '../store/db';
import { isUniqueViolation, text } from '../store/validate';
import { systemClock, type Clock } from '../util/clock';
import { invalid, notFound } from '../util/errors';

export interface Contact {
  name: string;
  /** E.164 digits without '+' (DDI + national). */
  number: string;
  ddi: string;
  national: string;
  createdAt: number;
}

interface Row {
  name: string;
  number: string;
  ddi: string;
  national: string;
  created_at: number;
}

const fromRow = (r: Row): Contact => ({ name: r.name, number: r.number, ddi: r.ddi, national: r.national, createdAt: r.created_at });

export class ContactCatalogue {
  private readonly clock: Clock;
  constructor(private readonly deps: { db: Db; clock?: Clock; defaultDdi: string }) {
    this.clock = deps.clock ?? systemClock;
  }

  list(): Contact[] {
    return (this.deps.db.prepare('SELECT * FROM contacts ORDER BY name COLLATE NOCASE').all() as Row[]).map(fromRow);
  }

  get(name: string): Contact | undefined {
    const r = this.deps.db.prepare('SELECT * FROM contacts WHERE name = ?').get(typeof name === 'string' ? name.trim() : name) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  add(input: { name: string; number: string; ddi?: string }): Contact {
    const name = text('name', input.name, 100);
    const n = readNumber(input.number, input.ddi, this.deps.defaultDdi);
    const createdAt = this.clock.now();
    try {
      this.deps.db
        .prepare('INSERT INTO contacts (name, number, ddi, national, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(name, n.full, n.ddi, n.national, createdAt);
    } catch (err) {
      if (isUniqueViolation(err)) throw invalid(`contact "${name}" already exists`, { field: 'name' });
      throw err;
    }
    return { name, number: n.full, ddi: n.ddi, national: n.national, createdAt };
  }

  remove(name: string): void {
    const key = text('name', name, 100);
    const r = this.deps.db.prepare('DELETE FROM contacts WHERE name = ?').run(key);
    if (r.changes === 0) throw notFound(`contact "${key}" does not exist`, { contact: key });
  }
}
