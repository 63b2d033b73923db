import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { Blocklist, canonicalNumber, isInternalNumber } from '../../src/prank/blocklist';
import { cronLogger } from '../../src/prank/cleanup';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/log/logger';

describe('blocklist', () => {
  const setup = () => {
    const clock = new FakeClock();
    const db = openDatabase(':memory:');
    return { clock, db, bl: new Blocklist({ db, clock }) };
  };

  it('a block expires by itself at its expiry time, before any cleanup', () => {
    const { clock, bl } = setup();
    bl.add({ number: '11987654321', reason: 'prank', minutes: 30 });
    expect(bl.isBlocked('11987654321')).toBe(true);
    clock.advance(30 * 60_000 - 1);
    expect(bl.isBlocked('11987654321')).toBe(true);
    clock.advance(1);
    expect(bl.isBlocked('11987654321')).toBe(false);
    expect(bl.list()).toEqual([]);
    expect(bl.purgeExpired()).toBe(1);
    expect(bl.purgeExpired()).toBe(0);
  });

  it('an empty list blocks nothing; a block another connection adds (the CLI) counts at once', () => {
    const { clock, db, bl } = setup();
    expect(bl.isBlocked('11987654321')).toBe(false);
    expect(bl.isBlocked('anonymous')).toBe(false);
    const cli = new Blocklist({ db, clock }); // the CLI's own Blocklist on the same database
    cli.add({ number: '+55 11 98765-4321', reason: 'prank' });
    expect(bl.isBlocked('11987654321')).toBe(true);
    expect(bl.isBlocked('011987654321')).toBe(true);
    cli.remove('5511987654321');
    expect(bl.isBlocked('11987654321')).toBe(false);
  });

  it('blocks without expiry until removed; re-blocking extends', () => {
    const { clock, bl } = setup();
    bl.add({ number: '+55 11 98765-4321', reason: 'abuse' });
    expect(bl.list()).toEqual([expect.objectContaining({ number: '5511987654321', expiresAt: null, reason: 'abuse' })]);
    bl.add({ number: '2134567890', reason: 'prank', minutes: 1 });
    clock.advance(50_000);
    bl.add({ number: '2134567890', reason: 'prank', minutes: 1 });
    clock.advance(50_000);
    expect(bl.isBlocked('2134567890')).toBe(true);
    bl.remove('5511987654321');
    expect(() => bl.remove('5511987654321')).toThrow(/not blocked/);
  });

  it('never blocks internal numbers and rejects bad input without changes', () => {
    const { bl } = setup();
    expect(isInternalNumber('1000')).toBe(true);
    expect(isInternalNumber('10001')).toBe(true);
    expect(isInternalNumber('301')).toBe(true);
    expect(isInternalNumber('5550101')).toBe(false);
    expect(() => bl.add({ number: '1000', reason: 'prank', minutes: 30 })).toThrow(/internal number/);
    expect(() => bl.add({ number: '301', reason: 'prank' })).toThrow(/internal/);
    expect(() => bl.add({ number: '12ab', reason: 'x' })).toThrow(/3-20 digits/);
    expect(() => bl.add({ number: '5550101', reason: '' })).toThrow(/reason/);
    expect(() => bl.add({ number: '5550101', reason: 'x', minutes: 0 })).toThrow(/minutes/);
    expect(bl.list()).toEqual([]);
  });

  describe('one canonical number form (E.164 digits with the DDI)', () => {
    const FORMATS = [
      '11999990000', '5511999990000', '+5511999990000', '011999990000', '+55 (11) 99999-0000', '015 11 99999-0000', '005511999990000',
      '+55 (011) 99999-0000', '0055 11 99999.0000',
    ];

    it('canonicalNumber: every format of one number gives the same key', () => {
      for (const f of FORMATS) expect([f, canonicalNumber(f, '55')]).toEqual([f, '5511999990000']);
      expect(canonicalNumber('2134567890', '55')).toBe('552134567890'); // landline: 10 digits
      expect(canonicalNumber('5521934567890', '55')).toBe('5521934567890');
      expect(canonicalNumber('55998765432', '55')).toBe('5555998765432'); // DDD 55, national
      expect(canonicalNumber('+12025550123', '55')).toBe('12025550123');
      expect(canonicalNumber('2025550123', '1')).toBe('12025550123');
      expect(canonicalNumber('1000', '55')).toBe('1000'); // internal: as is
      expect(canonicalNumber('5550101', '55')).toBe('5550101'); // local number: no DDI to guess
      expect(() => canonicalNumber('anonymous', '55')).toThrow(/3-20 digits/);
    });

    it.each(FORMATS)('a block entered as %s stops the caller in every other format', (entered) => {
      const { bl } = setup();
      bl.add({ number: entered, reason: 'prank', minutes: 30 });
      expect(bl.list().map((e) => e.number)).toEqual(['5511999990000']);
      for (const caller of FORMATS) expect([caller, bl.isBlocked(caller)]).toEqual([caller, true]);
      expect(bl.isBlocked('11999990001')).toBe(false);
      bl.remove(FORMATS[(FORMATS.indexOf(entered) + 1) % FORMATS.length]);
      expect(bl.isBlocked(entered)).toBe(false);
    });

    it('international forms of a foreign number store one canonical number (the shared parser)', () => {
      const { bl } = setup();
      expect(bl.add({ number: '+1 415 555 0100', reason: 'prank' }).number).toBe('14155550100');
      expect(bl.add({ number: '0014155550100', reason: 'prank' }).number).toBe('14155550100');
      expect(bl.list().map((e) => e.number)).toEqual(['14155550100']);
      // A trunk 0 written after the DDI is not part of the number.
      expect(canonicalNumber('+44 (0)7911 123456', '55')).toBe('447911123456');
      expect(canonicalNumber('0044 7911 123456', '55')).toBe('447911123456');
      expect(canonicalNumber('07911 123456', '44')).toBe('447911123456');
      expect(canonicalNumber('+800 1234 5678', '55')).toBe('80012345678');
    });

    it('a stored foreign block stays what it is for the next process (rows are not re-read)', () => {
      const { clock, db, bl } = setup();
      bl.add({ number: '+49 30 123456', reason: 'prank' }); // digits also read as a landline in DDD 49
      bl.add({ number: '+1 415 555 0100', reason: 'prank' });
      const next = new Blocklist({ db, clock }); // e.g. the CLI after the daemon
      expect(next.list().map((e) => e.number).sort()).toEqual(['14155550100', '4930123456']);
      expect(next.isBlocked('0049 30 123456')).toBe(true);
      expect(next.isBlocked('+1 (415) 555-0100')).toBe(true);
      expect(next.isBlocked('4930123456')).toBe(false); // a Brazilian caller in DDD 49
    });

    it('uses policy.default_country_code for national numbers', () => {
      const clock = new FakeClock();
      const bl = new Blocklist({ db: openDatabase(':memory:'), clock, config: { policy: { default_country_code: '1' } } });
      bl.add({ number: '2025550123', reason: 'prank' });
      expect(bl.list()[0].number).toBe('12025550123');
      expect(bl.isBlocked('+1 202 555 0123')).toBe(true);
      expect(() => bl.add({ number: '+1000', reason: 'x' })).toThrow(/internal/);
      expect(bl.isBlocked('1000')).toBe(false);
    });

    it('rows stored before the rule are normalized (merged keeping the longest block), nothing lost', () => {
      const { clock, db, bl } = setup();
      const ins = db.prepare('INSERT INTO blocklist (number, reason, call_id, blocked_by, created_at, expires_at) VALUES (?, ?, NULL, NULL, ?, ?)');
      const now = clock.now();
      ins.run('11999990000', 'old national', now, now + 60_000);
      ins.run('5511999990000', 'old e164', now, null); // forever: wins the merge
      ins.run('21934567890', 'other', now, now + 60_000);
      ins.run('5550101', 'local', now, null);
      expect(bl.isBlocked('+55 11 99999-0000')).toBe(true);
      expect(bl.isBlocked('021934567890')).toBe(true);
      expect(bl.list().map((e) => [e.number, e.reason, e.expiresAt]).sort()).toEqual([
        ['5511999990000', 'old e164', null],
        ['5521934567890', 'other', now + 60_000],
        ['5550101', 'local', null],
      ]);
      expect(db.prepare('SELECT COUNT(*) AS n FROM blocklist').get()).toEqual({ n: 3 });
    });
  });

  it('routes node-cron logging to our logger', () => {
    const seen: { message: string; level: string; component: string }[] = [];
    const stream = new Writable({
      write(chunk, _enc, cb) {
        seen.push(JSON.parse(String(chunk)));
        cb();
      },
    });
    const l = cronLogger(createLogger('debug', { stream }));
    l.warn('missed execution');
    l.error(new Error('boom'));
    expect(seen.map((s) => [s.level, s.message, s.component])).toEqual([
      ['warn', 'missed execution', 'cron'],
      ['error', 'boom', 'cron'],
    ]);
  });
});
