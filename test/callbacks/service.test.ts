import { CallbacksRepo } from '../../src/callbacks/repo';
import { CallbackService, parseCallbackTime } from '../../src/callbacks/service';
import { FakeClock } from '../../src/util/clock';
import { CcError } from '../../src/util/errors';
import { seededDb, testConfig } from './helpers';

function setup() {
  const clock = new FakeClock(Date.parse('2026-11-21T12:00:00Z'));
  const db = seededDb();
  const repo = new CallbacksRepo(db, clock);
  let changes = 0;
  const service = new CallbackService({ db, repo, clock, policy: testConfig().policy, onChange: () => changes++ });
  return { clock, db, repo, service, changes: () => changes };
}

function kindOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof CcError) return e.kind;
    throw e;
  }
  return undefined;
}

const AT = '2026-11-21T15:30:00Z';

describe('CallbackService.add', () => {
  it('stores a validated callback for an agent, normalising the number', () => {
    const s = setup();
    const c = s.service.add({ agent: '1000', number: '(11) 98765-4321', at: AT });
    expect(c).toMatchObject({ agent: '1000', number: '11987654321', ddi: '55', status: 'pending', attempts: 0 });
    expect(c.at).toBe(Date.parse(AT));
    expect(c.nextAt).toBe(c.at);
    expect(c.queue).toBeUndefined();
    expect(s.changes()).toBe(1);
    expect(s.repo.list()).toHaveLength(1);
  });

  it('reads E.164 numbers with the shared parser: +55 stored as national + DDI, +1 refused by the policy', () => {
    const s = setup();
    expect(s.service.add({ agent: '1000', number: '+55 (11) 98765-4321', at: AT })).toMatchObject({ number: '11987654321', ddi: '55' });
    expect(s.service.add({ agent: '1000', number: '0 15 11 98765-4321', at: AT })).toMatchObject({ number: '11987654321', ddi: '55' });
    expect(kindOf(() => s.service.add({ agent: '1000', number: '+1 415 555 0100', at: AT }))).toBe('refused');
    const policy = { ...testConfig().policy, international_calls: true, allowed_country_codes: ['1'] };
    const intl = new CallbackService({ db: s.db, repo: s.repo, clock: s.clock, policy });
    expect(intl.add({ agent: '1000', number: '001 415 555 0100', at: AT })).toMatchObject({ number: '4155550100', ddi: '1' });
    expect(kindOf(() => intl.add({ agent: '1000', number: '+1 415 555 0100', ddi: '55', at: AT }))).toBe('invalid');
    expect(s.repo.list()).toHaveLength(3);
  });

  it('stores a callback for a queue', () => {
    const s = setup();
    const c = s.service.add({ queue: 'support', number: '1133334444', at: AT });
    expect(c).toMatchObject({ queue: 'support', number: '1133334444' });
    expect(c.agent).toBeUndefined();
  });

  it.each([
    [{ number: '11987654321', at: AT }, 'invalid'], // neither agent nor queue
    [{ agent: '1000', queue: 'support', number: '11987654321', at: AT }, 'invalid'], // both
    [{ agent: '10', number: '11987654321', at: AT }, 'invalid'],
    [{ agent: '1000', number: '123', at: AT }, 'invalid'],
    [{ agent: '1000', number: '11987654321&PJSIP/9', at: AT }, 'invalid'],
    [{ agent: '1000', number: '11987654321', at: 'tomorrow' }, 'invalid'],
    [{ agent: '1000', number: '11987654321', at: '2026-11-21T11:00:00Z' }, 'invalid'], // past
    [{ agent: '1000', number: '11987654321', ddi: '1', at: AT }, 'refused'], // international off
    [{ agent: '2000', number: '11987654321', at: AT }, 'not_found'],
    [{ queue: 'nope', number: '11987654321', at: AT }, 'not_found'],
  ])('rejects %j with %s and writes nothing', (input, kind) => {
    const s = setup();
    expect(kindOf(() => s.service.add(input as never))).toBe(kind);
    expect(s.repo.list()).toHaveLength(0);
    expect(s.changes()).toBe(0);
  });

  it('keeps agent tokens to their own extension', () => {
    const s = setup();
    const me = { role: 'agent' as const, agent: '1000' };
    expect(kindOf(() => s.service.add({ agent: '1001', number: '11987654321', at: AT }, me))).toBe('forbidden');
    expect(kindOf(() => s.service.add({ queue: 'support', number: '11987654321', at: AT }, me))).toBe('forbidden');
    expect(s.service.add({ agent: '1000', number: '11987654321', at: AT }, me).createdBy).toBe('1000');
  });

  it('accepts a time within a minute in the past (fires at once)', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(parseCallbackTime('2026-11-21T11:59:30Z', now)).toBe(now - 30_000);
    expect(parseCallbackTime('2026-11-21T09:30:00-03:00', now)).toBe(Date.parse('2026-11-21T12:30:00Z'));
  });
});

describe('CallbackService.list and cancel', () => {
  it('lists by status and scopes agent tokens', () => {
    const s = setup();
    const a = s.service.add({ agent: '1000', number: '11987654321', at: AT });
    s.service.add({ agent: '1001', number: '11987654322', at: AT });
    s.service.cancel(a.id);
    expect(s.service.list({ status: 'pending' }).map((c) => c.agent)).toEqual(['1001']);
    expect(s.service.list({ status: 'cancelled' }).map((c) => c.id)).toEqual([a.id]);
    expect(s.service.list({}, { role: 'agent', agent: '1001' }).map((c) => c.agent)).toEqual(['1001']);
    expect(kindOf(() => s.service.list({ agent: '1000' }, { role: 'agent', agent: '1001' }))).toBe('forbidden');
  });

  it('cancels a pending callback once; then refuses', () => {
    const s = setup();
    const c = s.service.add({ agent: '1000', number: '11987654321', at: AT });
    expect(s.service.cancel(String(c.id)).status).toBe('cancelled');
    expect(kindOf(() => s.service.cancel(c.id))).toBe('refused');
    expect(s.repo.get(c.id)!.status).toBe('cancelled');
  });

  it('refuses to cancel a ringing callback, unknown ids and others\' callbacks', () => {
    const s = setup();
    const c = s.service.add({ agent: '1000', number: '11987654321', at: AT });
    expect(kindOf(() => s.service.cancel(c.id, { role: 'agent', agent: '1001' }))).toBe('forbidden');
    s.repo.transition(c.id, 'pending', 'ringing', { attempts: 1 });
    expect(kindOf(() => s.service.cancel(c.id))).toBe('refused');
    expect(s.repo.get(c.id)!.status).toBe('ringing');
    expect(kindOf(() => s.service.cancel(999))).toBe('not_found');
    expect(kindOf(() => s.service.cancel('abc'))).toBe('invalid');
  });

  it('repo refuses illegal transitions', () => {
    const s = setup();
    const c = s.service.add({ agent: '1000', number: '11987654321', at: AT });
    expect(() => s.repo.transition(c.id, 'pending', 'done')).toThrow(/cannot become done/);
  });
});
