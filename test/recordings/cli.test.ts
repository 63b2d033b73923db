/** `callcenterd recording list|purge` on the database and recording.dir, no daemon. */
import fs from 'node:fs';
import path from 'node:path';
import { RecordingRepository } from '../../src/recordings/repository';
import { openDatabase } from '../../src/store/db';
import { cleanupTmpDirs, makeTmpDir, runCli, writeConfig } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

it('lists recordings (table and JSON, filters) and purges old files, keeping the rows', async () => {
  const tmp = makeTmpDir();
  const recDir = path.join(tmp, 'rec');
  const cfg = writeConfig({ database: { path: path.join(tmp, 'cc.db') }, recording: { dir: recDir } }, tmp);
  const db = openDatabase(path.join(tmp, 'cc.db'));
  const day = Date.UTC(2026, 10, 21, 12);
  const repo = new RecordingRepository(db);
  for (const [i, agent, at] of [[1, '1000', day], [2, '1001', day + 86_400_000 * 40]] as const) {
    const id = `20261121-00000${i}`;
    db.prepare("INSERT INTO calls (id, root_id, kind, direction, agent_ext, state, started_at) VALUES (?, ?, 'inbound', 'inbound', ?, 'ended', ?)").run(id, id, agent, at);
    const file = `callcenterd/20261121/${id}.wav`;
    const r = repo.insert({ callId: id, rootId: id, agentExt: agent, queue: 'support', name: file.slice(0, -4), file, format: 'wav', channelId: null, startedAt: at, startedBy: 'policy' });
    repo.setState(r.id, 'recording');
    repo.setState(r.id, 'done', { endedAt: at + 61_000, durationMs: 61_000, sizeBytes: 976_044 });
    fs.mkdirSync(path.dirname(path.join(recDir, file)), { recursive: true });
    fs.writeFileSync(path.join(recDir, file), 'x');
  }
  db.close();
  const now = () => day + 86_400_000 * 45;
  const cli = (...args: string[]) => runCli([...args, '--config', cfg], { now });

  const table = await cli('recording', 'list');
  expect(table.code).toBe(0);
  expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+CALL\s+AGENT\s+QUEUE\s+STARTED\s+SECONDS\s+SIZE\s+STATE\s+PAUSES\s+BY\s+FILE$/);
  expect(table.stdout).toMatch(/20261121-000001\s+1000\s+support\s+2026-11-21 12:00:00\s+61\.0\s+953K\s+done/);
  expect(JSON.parse((await cli('recording', 'list', '--agent', '1001', '--json')).stdout).map((r: { callId: string }) => r.callId)).toEqual(['20261121-000002']);
  expect((await cli('recording', 'list', '--since', '10d', '--json')).stdout).toMatch(/20261121-000002/);
  expect((await cli('recording', 'list', '--agent', '10')).code).toBe(2);
  expect((await cli('recording', 'purge', '--before', 'soon')).code).toBe(2);
  expect((await cli('recording', 'purge', '--before', '2099-01-01')).stderr).toMatch(/future/);

  const purge = await cli('recording', 'purge', '--before', '30d');
  expect(purge).toMatchObject({ code: 0, stdout: expect.stringMatching(/^1 recording\(s\) before .* deleted\n$/) });
  expect(fs.existsSync(path.join(recDir, 'callcenterd/20261121/20261121-000001.wav'))).toBe(false);
  expect(fs.existsSync(path.join(recDir, 'callcenterd/20261121/20261121-000002.wav'))).toBe(true);
  expect((await cli('recording', 'list')).stdout).toMatch(/20261121-000001.*deleted\s+policy\s+\(deleted 2027-01-05 12:00:00\)/);
});
