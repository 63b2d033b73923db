/**
 * `callcenterd agent-group|service|contact ...` (admin, on the DB) and `callcenterd directory`
 * (live, GET /directory), run in-process against a daemon on the simulator.
 */
import { AGENT_1001, startE2E, type E2E } from '../e2e/helpers';

jest.setTimeout(30000);

describe('directory CLI', () => {
  let x: E2E;
  beforeAll(async () => {
    x = await startE2E();
  });
  afterAll(() => x.stop());

  it('agent-group add|update|list|remove, with exit codes', async () => {
    expect(await x.cli(['agent-group', 'add', 'equipe', '--agents', '1002,1001', '--strategy', 'sequential'])).toMatchObject({
      code: 0,
      stdout: 'agent group equipe added (sequential: 1002, 1001)\n',
    });
    expect(await x.cli(['agent-group', 'add', 'outra', '--agents', '1000'])).toMatchObject({ code: 0, stdout: expect.stringContaining('(simultaneous: 1000)') });
    expect((await x.cli(['agent-group', 'add', 'x', '--agents', '1009'])).stderr).toContain('agent 1009 does not exist');
    expect((await x.cli(['agent-group', 'add', 'x', '--agents', '1000', '--strategy', 'rr'])).code).toBe(2);
    expect((await x.cli(['agent-group', 'add', 'x', '--agents', '1000', '--ring-seconds', '1'])).code).toBe(2);
    expect(await x.cli(['agent-group', 'update', 'equipe', '--ring-seconds', '10', '--agents', '1001,1002'])).toMatchObject({ code: 0 });
    const list = await x.cli(['agent-group', 'list']);
    expect(list.stdout.split('\n')[0].split(/\s+/)).toEqual(['NAME', 'STRATEGY', 'AGENTS', 'RING_SECONDS']);
    expect(list.stdout).toMatch(/equipe\s+sequential\s+1001,1002\s+10/);
    expect(list.stdout).toMatch(/outra\s+simultaneous\s+1000\s+default/);
    expect(JSON.parse((await x.cli(['agent-group', 'list', '--json'])).stdout)[0]).toMatchObject({ name: 'equipe', agents: ['1001', '1002'], ringSeconds: 10 });
    expect(await x.cli(['agent-group', 'update', 'equipe', '--ring-seconds', ''])).toMatchObject({ code: 0 });
    expect(await x.cli(['agent-group', 'remove', 'outra'])).toMatchObject({ code: 0, stdout: 'agent group outra removed\n' });
    expect((await x.cli(['agent-group', 'remove', 'outra'])).code).toBe(3);
  });

  it('service and contact add|list|remove', async () => {
    expect(await x.cli(['service', 'add', '301', '--name', 'Segunda via'])).toMatchObject({ code: 0, stdout: 'service 301 "Segunda via" added\n' });
    expect((await x.cli(['service', 'add', '3001', '--name', 'x'])).code).toBe(2);
    expect((await x.cli(['service', 'list'])).stdout).toMatch(/^EXTENSION\s+NAME\n301\s+Segunda via\n$/);
    expect(await x.cli(['contact', 'add', 'Banco Itaú', '--number', '(11) 3003-0000'])).toMatchObject({ code: 0, stdout: 'contact "Banco Itaú" added (+551130030000)\n' });
    expect(await x.cli(['contact', 'add', 'Lisboa', '--number', '213 456 789', '--ddi', '351'])).toMatchObject({ code: 0 });
    const bad = await x.cli(['contact', 'add', 'Mau', '--number', '11 3003']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('too short') });
    expect((await x.cli(['contact', 'list'])).stdout).toMatch(/Banco Itaú\s+\+551130030000\nLisboa\s+\+351213456789/);
    expect(await x.cli(['contact', 'remove', 'lisboa'])).toMatchObject({ code: 0 });
    expect((await x.cli(['contact', 'remove', 'Lisboa'])).code).toBe(3);
  });

  it('directory [QUERY] [--json]: sections with targets; an agent token may read it', async () => {
    await x.login('1000', ['support']);
    const all = await x.cli(['directory'], AGENT_1001);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('agents:\nTARGET');
    expect(all.stdout).toMatch(/1000\s+Ana\s+available\s+support/);
    expect(all.stdout).toMatch(/group:equipe\s+sequential\s+1001,1002\s+0/);
    expect(all.stdout).toMatch(/queue:vendas\s+0\s+0/);
    expect(all.stdout).toMatch(/301\s+Segunda via/);
    expect(all.stdout).toMatch(/\+551130030000\s+Banco Itaú/);
    const itau = await x.cli(['directory', 'itau']);
    expect(itau.stdout).toBe('contacts:\nTARGET         NAME\n+551130030000  Banco Itaú\n');
    expect((await x.cli(['directory', '3003 0000'])).stdout).toContain('Banco Itaú');
    expect((await x.cli(['directory', 'zzz'])).stdout).toBe('nothing matches "zzz"\n');
    const json = JSON.parse((await x.cli(['directory', 'ana', '--json'])).stdout);
    expect(json).toMatchObject({ query: 'ana', agents: [{ extension: '1000', name: 'Ana', available: true }] });
  });
});
