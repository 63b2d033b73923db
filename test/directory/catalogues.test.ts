import { ContactCatalogue } from '../../src/directory/contacts';
import { ServiceCatalogue } from '../../src/directory/services';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

describe('services and contacts catalogues', () => {
  let db: Db;
  const clock = new FakeClock(2_000);
  beforeEach(() => {
    db = openDatabase(':memory:');
  });
  afterEach(() => db.close());

  it('services: 3 digits and a name; rename; remove', () => {
    const s = new ServiceCatalogue({ db, clock });
    expect(s.add('301', ' Segunda via ')).toEqual({ extension: '301', name: 'Segunda via', createdAt: 2_000 });
    expect(() => s.add('301', 'Outra')).toThrow(expect.objectContaining({ kind: 'invalid', message: 'service 301 already exists' }));
    expect(() => s.add('3011', 'x')).toThrow(/extension: must be a service number of exactly 3 digits/);
    expect(() => s.add('302', '')).toThrow(/name: must not be empty/);
    expect(s.update('301', 'Segunda via de boleto')).toMatchObject({ name: 'Segunda via de boleto' });
    s.add('300', 'Teste de eco');
    expect(s.list().map((x) => x.extension)).toEqual(['300', '301']);
    s.remove('300');
    expect(() => s.remove('300')).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });

  it('contacts: the number is read by the shared parser and stored as E.164 digits', () => {
    const c = new ContactCatalogue({ db, clock, defaultDdi: '55' });
    expect(c.add({ name: 'Banco X', number: '(11) 3003-0000' })).toEqual({
      name: 'Banco X',
      number: '551130030000',
      ddi: '55',
      national: '1130030000',
      createdAt: 2_000,
    });
    // Trunk prefix and carrier code, international forms: one parser for every number people type.
    expect(c.add({ name: 'Celular', number: '0 15 11 98765-4321' }).number).toBe('5511987654321');
    // Kept even when international calls are off: the policy applies when it is dialled.
    expect(c.add({ name: 'Matriz US', number: '+1 415 555 0100' })).toMatchObject({ number: '14155550100', ddi: '1' });
    expect(c.add({ name: 'Lisboa', number: '213 456 789', ddi: '351' })).toMatchObject({ number: '351213456789' });
    expect(() => c.add({ name: 'banco x', number: '1130030001' })).toThrow(expect.objectContaining({ kind: 'invalid', message: 'contact "banco x" already exists' }));
    expect(() => c.add({ name: 'Mau', number: '11 3003' })).toThrow(expect.objectContaining({ kind: 'invalid', message: expect.stringMatching(/too short/) }));
    expect(() => c.add({ name: 'Mau', number: '1130030000&PJSIP/x' })).toThrow(/must not contain "&"/);
    expect(() => c.add({ name: 'Mau', number: '+1 415 555 0100', ddi: '55' })).toThrow(expect.objectContaining({ details: expect.objectContaining({ field: 'ddi' }) }));
    expect(c.list().map((x) => x.name)).toEqual(['Banco X', 'Celular', 'Lisboa', 'Matriz US']);
    c.remove('BANCO X');
    expect(() => c.remove('Banco X')).toThrow(expect.objectContaining({ kind: 'not_found' }));
  });
});
