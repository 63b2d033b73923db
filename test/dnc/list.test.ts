/** The do-not-call list on its own: number forms, scopes, all-or-nothing import, enforcement and its record. */
import { parseCsv } from '../../src/dnc/csv';
import { DncGuard, dncMessage, isDncRefusal } from '../../src/dnc/guard';
import { dncNumber } from '../../src/dnc/list';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { thrown } from '../helpers/errors';

const T0 = Date.parse('2026-12-06T10:00:00Z');

function setup(): { db: Db; clock: FakeClock; guard: DncGuard } {
  const db = openDatabase(':memory:');
  db.exec("INSERT INTO queues (name, created_at) VALUES ('support', 0), ('vendas', 0)");
  const clock = new FakeClock(T0);
  return { db, clock, guard: new DncGuard({ db, clock }) };
}

describe('dnc numbers: the shared parser, stored as E.164 digits', () => {
  it.each(['11987654321', '(11) 98765-4321', '011 98765-4321', '0 15 11 98765-4321', '+55 11 98765-4321', '0055 11 98765 4321', '5511987654321'])(
    '%s → 5511987654321',
    (raw) => expect(dncNumber(raw, '55')).toBe('5511987654321'),
  );

  it('international numbers keep their DDI; national ones get the configured one', () => {
    expect(dncNumber('+1 415 555 0100', '55')).toBe('14155550100');
    expect(dncNumber('4155550100', '1')).toBe('14155550100');
  });

  it('refuses what is not a customer number: letters, injection, internal numbers, impossible lengths, unknown DDI', () => {
    expect(thrown(() => dncNumber('11-ABC', '55')).message).toMatch(/digits only/);
    expect(thrown(() => dncNumber('11987654321&PJSIP/1', '55')).message).toMatch(/"&"/);
    expect(thrown(() => dncNumber('1000', '55')).message).toMatch(/internal number/);
    expect(thrown(() => dncNumber('1198765', '55')).message).toMatch(/too short for DDI 55/);
    expect(thrown(() => dncNumber('+999 1234567', '55')).message).toMatch(/unknown country code/);
    expect(thrown(() => dncNumber('', '55')).kind).toBe('invalid');
  });
});

describe('dnc list', () => {
  it('add: one entry per number and scope whatever the format; re-adding keeps the date, updates the reason', () => {
    const { guard, clock } = setup();
    expect(guard.list.add({ number: '(11) 98765-4321', reason: 'asked by phone', addedBy: 'cli' })).toEqual({
      created: true,
      entry: { number: '5511987654321', queue: null, reason: 'asked by phone', addedBy: 'cli', createdAt: T0 },
    });
    clock.advance(86_400_000);
    const again = guard.list.add({ number: '+55 11 98765-4321', reason: 'asked again' });
    expect(again).toMatchObject({ created: false, entry: { createdAt: T0, reason: 'asked again' } });
    expect(guard.list.add({ number: '11987654321', queue: 'vendas' })).toMatchObject({ created: true, entry: { queue: 'vendas', reason: '' } });
    expect(guard.list.list().map((e) => [e.number, e.queue])).toEqual([
      ['5511987654321', 'vendas'],
      ['5511987654321', null],
    ]);
  });

  it('add refuses an unknown queue and bad reasons, writing nothing', () => {
    const { guard } = setup();
    expect(thrown(() => guard.list.add({ number: '11987654321', queue: 'nope' })).message).toBe('queue nope does not exist');
    expect(thrown(() => guard.list.add({ number: '11987654321', reason: 'x'.repeat(201) })).message).toMatch(/at most 200/);
    expect(thrown(() => guard.list.add({ number: '11987654321', reason: 'a\nb' })).message).toMatch(/control characters/);
    expect(guard.list.list()).toEqual([]);
  });

  it('list --queue: the global entries and that queue\'s own', () => {
    const { guard } = setup();
    guard.list.add({ number: '11987654321' });
    guard.list.add({ number: '11987654322', queue: 'vendas' });
    guard.list.add({ number: '11987654323', queue: 'support' });
    expect(guard.list.list({ queue: 'vendas' }).map((e) => e.number).sort()).toEqual(['5511987654321', '5511987654322']);
  });

  it('remove: any format, one scope at a time; unknown → not_found naming the scope', () => {
    const { guard } = setup();
    guard.list.add({ number: '11987654321' });
    guard.list.add({ number: '11987654321', queue: 'vendas' });
    expect(thrown(() => guard.list.remove('11987654321', 'support'))).toMatchObject({
      kind: 'not_found',
      message: '+5511987654321 is not on the do-not-call list (queue support)',
    });
    expect(guard.list.remove('+55 (11) 98765-4321', 'vendas')).toMatchObject({ queue: 'vendas' });
    expect(guard.list.remove('011987654321')).toMatchObject({ queue: null });
    expect(guard.list.list()).toEqual([]);
  });
});

describe('dnc import (all or nothing)', () => {
  it('CSV: counts rows, new entries, entries already listed and duplicates merged; ";" and a BOM accepted', () => {
    const { guard } = setup();
    guard.list.add({ number: '11987650003', reason: 'old' });
    const csv = '\uFEFFnumber;queue;reason\r\n11987650001;;pediu\r\n(11) 98765-0002;vendas;\r\n\r\n+55 11 98765-0001;;de novo\r\n11987650003;;\r\n';
    expect(guard.list.importCsv(csv, { addedBy: 'cli import' })).toEqual({ rows: 4, added: 2, alreadyListed: 1, duplicates: 1 });
    const entries = guard.list.list();
    expect(entries.find((e) => e.number === '5511987650001')).toMatchObject({ queue: null, reason: 'pediu', addedBy: 'cli import' });
    expect(entries.find((e) => e.number === '5511987650002')).toMatchObject({ queue: 'vendas' });
    // Already listed: left as it was.
    expect(entries.find((e) => e.number === '5511987650003')).toMatchObject({ reason: 'old', addedBy: null });
  });

  it('CSV: a row\'s own queue wins, an empty one takes --queue', () => {
    const { guard } = setup();
    guard.list.importCsv('number,queue\n11987650001,\n11987650002,support\n', { defaultQueue: 'vendas' });
    expect(guard.list.list().map((e) => [e.number, e.queue]).sort()).toEqual([
      ['5511987650001', 'vendas'],
      ['5511987650002', 'support'],
    ]);
  });

  it('any bad row: every bad line named, nothing imported', () => {
    const { guard } = setup();
    const csv = [
      'number,queue,reason',
      '11987650001,,ok',
      '11-ABC,,letters',
      '11987650002,nope,unknown queue',
      '"11987650003","vendas","quoted,',
      'with a newline"',
      '1198765,,short',
      '11987650004,vendas,ok,extra',
    ].join('\n');
    const err = thrown(() => guard.list.importCsv(csv, { source: 'dnc.csv' }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/^dnc\.csv: 5 bad row\(s\), nothing imported: line 3: number must contain digits only/);
    expect((err.details!.errors as { where: string }[]).map((e) => e.where)).toEqual(['line 3', 'line 4', 'line 5', 'line 7', 'line 8']);
    // A reason spanning two lines starts on line 5: the record is named where it starts.
    expect(err.message).toContain('line 5: reason must not contain control characters');
    expect(err.message).toContain('line 4: queue nope does not exist');
    expect(err.message).toContain('line 7: number too short for DDI 55');
    expect(err.message).toContain('line 8: 4 field(s) where the header has 3');
    expect(guard.list.list()).toEqual([]);
  });

  it('a header without a number column, or with unknown columns, is refused', () => {
    const { guard } = setup();
    expect(thrown(() => guard.list.importCsv('phone\n11987650001\n')).message).toMatch(/line 1: unknown column\(s\) "phone"/);
    expect(thrown(() => guard.list.importCsv('queue\nsupport\n')).message).toMatch(/line 1: no "number" column/);
    expect(thrown(() => guard.list.importCsv('')).message).toMatch(/empty/);
    expect(thrown(() => guard.list.importCsv('number\n"1198765')).message).toMatch(/line 2: a quoted field is never closed/);
  });

  it('JSON rows are named by item', () => {
    const { guard } = setup();
    const err = thrown(() => guard.list.importRows([{ where: 'item 1', number: '11987650001' }, { where: 'item 2', number: 'x' }]));
    expect(err.message).toMatch(/^1 bad row\(s\), nothing imported: item 2: /);
    expect(guard.list.list()).toEqual([]);
  });

  it('parseCsv keeps the line each record starts on (quoted fields may span lines)', () => {
    const t = parseCsv('number,reason\n1,"a\nb"\n\n2,"c ""quoted"""\n');
    expect(t.records.map((r) => [r.line, r.cells.reason])).toEqual([
      [2, 'a\nb'],
      [5, 'c "quoted"'],
    ]);
  });
});

describe('dnc enforcement (DncGuard)', () => {
  it('refuses a listed number with the entry, records who tried; other queues and numbers pass', () => {
    const { guard, db } = setup();
    guard.list.add({ number: '11987654321', reason: 'cliente pediu', addedBy: 'ops' });
    guard.list.add({ number: '11987650000', queue: 'vendas' });
    const err = thrown(() => guard.assertCallable({ number: '5511987654321', queue: 'support', action: 'dial', agent: '1000', by: 'sup' }));
    expect(err).toMatchObject({ kind: 'refused', message: 'number +5511987654321 is on the do-not-call list (global) since 2026-12-06: cliente pediu' });
    expect(isDncRefusal(err)).toBe(true);
    expect(err.details).toMatchObject({ number: '5511987654321', dnc: { scope: 'global', queue: null, since: T0 } });
    // A queue's entry applies to calls for that queue only.
    expect(() => guard.assertCallable({ number: '5511987650000', queue: 'support', action: 'dial' })).not.toThrow();
    expect(thrown(() => guard.assertCallable({ number: '5511987650000', queue: 'vendas', action: 'transfer', callId: 'c1' })).message).toBe(
      'number +5511987650000 is on the do-not-call list (queue vendas) since 2026-12-06',
    );
    expect(() => guard.assertCallable({ number: '5511987650001', queue: 'vendas', action: 'dial' })).not.toThrow();
    expect(guard.refusals().map((r) => [r.number, r.action, r.entryQueue, r.agent, r.by, r.callId])).toEqual([
      ['5511987650000', 'transfer', 'vendas', null, null, 'c1'],
      ['5511987654321', 'dial', null, '1000', 'sup', null],
    ]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM dnc_refusals').get()).toEqual({ n: 2 });
  });

  it('the global entry is named when both apply', () => {
    const { guard } = setup();
    guard.list.add({ number: '11987654321', queue: 'vendas', reason: 'campanha' });
    guard.list.add({ number: '11987654321', reason: 'geral' });
    expect(thrown(() => guard.assertCallable({ number: '5511987654321', queue: 'vendas', action: 'dial' })).message).toMatch(/\(global\).*geral$/);
  });

  it('dncMessage leaves the reason out when there is none', () => {
    expect(dncMessage({ number: '14155550100', queue: 'vendas', reason: '', addedBy: null, createdAt: T0 })).toBe(
      'number +14155550100 is on the do-not-call list (queue vendas) since 2026-12-06',
    );
  });
});
