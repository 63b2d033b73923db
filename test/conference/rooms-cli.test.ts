/** `callcenterd room add|list|remove` (admin, DB directly) and the RoomsRepo rules behind it. */
import { cleanupTmpDirs, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('room CLI', () => {
  it('a room exists only for a configured agent extension of 4-5 digits', async () => {
    const config = writeConfig();
    const cli = (...args: string[]) => runCli([...args, '--config', config]);
    expect(await cli('agent', 'add', '1000', '--name', 'Ana', '--device', 'PJSIP/1000')).toMatchObject({ code: 0 });

    expect(await cli('room', 'add', '1000')).toEqual({ code: 0, stdout: 'room *1000 added (agent 1000 Ana)\n', stderr: '' });
    expect(await cli('room', 'add', '*1000')).toMatchObject({ code: 3, stderr: 'callcenterd: room *1000 already exists\n' });
    expect(await cli('room', 'add', '1001')).toMatchObject({ code: 3, stderr: expect.stringContaining('agent 1001 is not configured') });
    expect(await cli('room', 'add', '100')).toMatchObject({ code: 2, stderr: expect.stringContaining('4 or 5 digits') });
    expect(await cli('room', 'add', '10000;x')).toMatchObject({ code: 2 });

    const table = await cli('room', 'list');
    expect(table.stdout).toBe('ROOM   EXTENSION  AGENT\n*1000  1000       Ana\n');
    expect(JSON.parse((await cli('room', 'list', '--json')).stdout)).toEqual([
      expect.objectContaining({ extension: '1000', name: '*1000', agentName: 'Ana' }),
    ]);
    expect(await cli('room', 'remove', '1000')).toEqual({ code: 0, stdout: 'room *1000 removed\n', stderr: '' });
    expect(await cli('room', 'remove', '1000')).toMatchObject({ code: 3, stderr: 'callcenterd: room *1000 does not exist\n' });
    expect((await cli('room', 'list')).stdout).toBe('no rooms\n');
  });
});
