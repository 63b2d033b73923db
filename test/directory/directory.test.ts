import type { AgentStatus } from '../../src/agents/service';
import { buildDirectory, type DirectorySources } from '../../src/directory/directory';
import { foldText, parseQuery } from '../../src/directory/search';

const agent = (extension: string, name: string, state: AgentStatus['state'], pauseReason: string | null = null): AgentStatus => ({
  extension,
  name,
  device: `PJSIP/${extension}`,
  state,
  since: 10,
  pauseReason,
  pauseStatusId: null,
  pendingPause: null,
  queues: state === 'offline' ? [] : ['support'],
  loginAt: null,
  callsTaken: 0,
  missesInRow: 0,
  talkSeconds: 0,
  currentCallId: null,
  wrapup: null,
});

const sources: DirectorySources = {
  agents: () => [agent('1000', 'José Araújo', 'available'), agent('1001', 'Ana Souza', 'paused', 'Almoço'), agent('1002', 'Bruno', 'offline')],
  groups: () => [{ name: 'vendas-team', strategy: 'sequential', agents: ['1001', '1000'], ringSeconds: null, createdAt: 0 }],
  queues: () => ['support', 'vendas'],
  waiting: (names) =>
    names.map((queue) => ({ queue, waiting: queue === 'vendas' ? 2 : 0, longestWaitSeconds: queue === 'vendas' ? 40 : 0, abandoned: 0, callers: [] })),
  services: () => [{ extension: '301', name: 'Segunda via', createdAt: 0 }],
  contacts: () => [
    { name: 'Banco Itaú', number: '551130030000', ddi: '55', national: '1130030000', createdAt: 0 },
    { name: 'Matriz', number: '14155550100', ddi: '1', national: '4155550100', createdAt: 0 },
  ],
};

describe('directory search', () => {
  it('folds case and accents', () => {
    expect(foldText('  JOSÉ  Araújo ')).toBe('jose araujo');
    expect(parseQuery('(11) 3003-0000')).toEqual({ text: '(11) 3003-0000', digits: '1130030000' });
    expect(parseQuery('ana')).toEqual({ text: 'ana', digits: undefined });
  });

  it('without a query: everything, with live states, availability and targets', () => {
    const d = buildDirectory(sources);
    expect(d.agents.map((a) => `${a.target} ${a.state} ${a.available}`)).toEqual(['1000 available true', '1001 paused false', '1002 offline false']);
    expect(d.agents[1]).toMatchObject({ pauseReason: 'Almoço' });
    expect(d.groups).toEqual([{ name: 'vendas-team', strategy: 'sequential', agents: ['1001', '1000'], available: 1, target: 'group:vendas-team' }]);
    expect(d.queues).toEqual([
      { name: 'support', waiting: 0, longestWaitSeconds: 0, target: 'queue:support' },
      { name: 'vendas', waiting: 2, longestWaitSeconds: 40, target: 'queue:vendas' },
    ]);
    expect(d.services).toEqual([{ extension: '301', name: 'Segunda via', target: '301' }]);
    expect(d.contacts.map((c) => c.target)).toEqual(['+551130030000', '+14155550100']);
  });

  const names = (q: string) => {
    const d = buildDirectory(sources, q);
    return [...d.agents.map((a) => a.name), ...d.groups.map((g) => g.name), ...d.queues.map((x) => x.name), ...d.services.map((s) => s.name), ...d.contacts.map((c) => c.name)];
  };

  it('names: case- and accent-insensitive substring, in every section', () => {
    expect(names('jose')).toEqual(['José Araújo']);
    expect(names('ARAUJO')).toEqual(['José Araújo']);
    expect(names('itau')).toEqual(['Banco Itaú']);
    expect(names('vendas')).toEqual(['vendas-team', 'vendas']);
    expect(names('segunda VIA')).toEqual(['Segunda via']);
    expect(names('queue:sup')).toEqual(['support']);
    expect(names('nobody')).toEqual([]);
  });

  it('numbers: with or without formatting, national or international', () => {
    expect(names('(11) 3003-0000')).toEqual(['Banco Itaú']);
    expect(names('+55 11 3003')).toEqual(['Banco Itaú']);
    expect(names('3003 0000')).toEqual(['Banco Itaú']);
    expect(names('+1 (415) 555-0100')).toEqual(['Matriz']);
    expect(names('1001')).toEqual(['Ana Souza']);
    expect(names('30')).toEqual(['Segunda via', 'Banco Itaú']);
  });
});
