import { openDatabase } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';
import { Blocklist, isInternalNumber } from '../../src/prank/blocklist';
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
