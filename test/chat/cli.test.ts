/**
 * `callcenterd chat send|list|history|read` against a running daemon (sim), as the admin token
 * "ops" and an agent token: exit codes, what is printed, and the unread count the agent sees.
 */
import { AGENT_1001, bootEach, SUPERVISOR } from '../e2e/helpers';

describe('chat CLI', () => {
  const boot = bootEach({});

  it('sends to an agent, lists with unread counts, shows history, marks read', async () => {
    const x = await boot();
    const sent = await x.cli(['chat', 'send', '--agent', '1001', 'bom dia\nequipe']);
    expect(sent).toMatchObject({ code: 0, stdout: expect.stringMatching(/^message \d+ sent in conversation \d+ to agent:1001\n$/) });
    const id = /conversation (\d+)/.exec(sent.stdout)![1];
    const list = await x.cli(['chat', 'list', '--json'], AGENT_1001);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ id: Number(id), unread: 1, participants: ['agent:1001', 'user:ops'] })]);
    const history = await x.cli(['chat', 'history', id], AGENT_1001);
    expect(history.code).toBe(0);
    expect(history.stdout).toContain('bom dia ⏎ equipe');
    expect(history.stdout).toContain('user:ops');
    expect((await x.cli(['chat', 'read', id], AGENT_1001)).stdout).toBe(`conversation ${id}: 0 unread\n`);
    expect((await x.cli(['chat', 'send', 'x'])).code).toBe(2);
    expect((await x.cli(['chat', 'send', '--group', 'nope', 'x'])).code).toBe(3);
    // a supervisor outside the conversation: 403, exit 3
    expect((await x.cli(['chat', 'history', id], SUPERVISOR)).code).toBe(3);
  });
});
