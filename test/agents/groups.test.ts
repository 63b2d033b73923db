import { AgentCatalogueRepo } from '../../src/agents/catalogue';
import { AgentGroupCatalogue } from '../../src/agents/groups';
import { openDatabase, type Db } from '../../src/store/db';
import { FakeClock } from '../../src/util/clock';

describe('agent groups catalogue', () => {
  let db: Db;
  let groups: AgentGroupCatalogue;
  beforeEach(() => {
    db = openDatabase(':memory:');
    const clock = new FakeClock(1_000);
    const agents = new AgentCatalogueRepo({ db, clock });
    for (const ext of ['1000', '1001', '1002']) agents.add({ extension: ext, name: `A ${ext}`, device: `PJSIP/${ext}` });
    groups = new AgentGroupCatalogue({ db, clock });
  });
  afterEach(() => db.close());

  it('adds a group with its members in ring order; simultaneous by default', () => {
    expect(groups.add({ name: 'vendas-team', agents: ['1002', ' 1000'] })).toEqual({
      name: 'vendas-team',
      strategy: 'simultaneous',
      agents: ['1002', '1000'],
      ringSeconds: null,
      createdAt: 1_000,
    });
    groups.add({ name: 'b', agents: ['1001'], strategy: 'sequential', ringSeconds: 10 });
    expect(groups.list().map((g) => `${g.name}:${g.strategy}:${g.agents.join(',')}`)).toEqual(['b:sequential:1001', 'vendas-team:simultaneous:1002,1000']);
  });

  it('refuses bad input with the field named, and changes nothing', () => {
    const bad = (input: Parameters<AgentGroupCatalogue['add']>[0], message: RegExp) =>
      expect(() => groups.add(input)).toThrow(expect.objectContaining({ kind: 'invalid', message: expect.stringMatching(message) }));
    bad({ name: 'Vendas', agents: ['1000'] }, /^name: must be 1-64 lower-case/);
    bad({ name: 'x', agents: [] }, /^agents: at least one/);
    bad({ name: 'x', agents: ['1000', '1000'] }, /1000 is listed twice/);
    bad({ name: 'x', agents: ['12'] }, /^agents: must be exactly 4 or 5 digits/);
    bad({ name: 'x', agents: ['1009'] }, /agent 1009 does not exist/);
    bad({ name: 'x', agents: ['1000'], strategy: 'roundrobin' as never }, /strategy: must be one of simultaneous, random, sequential/);
    bad({ name: 'x', agents: ['1000'], ringSeconds: 2 }, /ring_seconds: must be between 5 and 300/);
    expect(groups.list()).toEqual([]);
    groups.add({ name: 'x', agents: ['1000'] });
    bad({ name: 'x', agents: ['1001'] }, /agent group x already exists/);
  });

  it('update replaces the member list when given; remove; unknown group is not_found', () => {
    groups.add({ name: 'g', agents: ['1000', '1001'] });
    expect(groups.update('g', { strategy: 'random' })).toMatchObject({ strategy: 'random', agents: ['1000', '1001'] });
    expect(groups.update('g', { agents: ['1002', '1000'], ringSeconds: 15 })).toMatchObject({ agents: ['1002', '1000'], ringSeconds: 15 });
    expect(groups.update('g', { ringSeconds: null })).toMatchObject({ ringSeconds: null });
    expect(() => groups.update('g', { agents: ['1009'] })).toThrow(/agent 1009 does not exist/);
    expect(groups.get('g')!.agents).toEqual(['1002', '1000']); // the failed update changed nothing
    expect(() => groups.update('nope', { strategy: 'random' })).toThrow(expect.objectContaining({ kind: 'not_found' }));
    groups.remove('g');
    expect(groups.get('g')).toBeUndefined();
    expect(() => groups.remove('g')).toThrow(expect.objectContaining({ kind: 'not_found', message: 'agent group g does not exist' }));
  });

  it('an agent removed from the catalogue leaves its groups', () => {
    groups.add({ name: 'g', agents: ['1000', '1001'] });
    new AgentCatalogueRepo({ db }).remove('1000');
    expect(groups.get('g')!.agents).toEqual(['1001']);
  });
});
