/**
 * Recording routes through the real API server: scope (agents see and act on their own only),
 * audio with HTTP Range, a missing file as a clear 404, and the Range parser.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiServer } from '../../src/api/server';
import { silentLogger } from '../../src/log/logger';
import { parseRange } from '../../src/recordings/audio';
import { DirRecordingFiles } from '../../src/recordings/files';
import { RecordingRepository } from '../../src/recordings/repository';
import { recordingRoutes } from '../../src/recordings/routes';
import type { RecordingService } from '../../src/recordings/service';
import { openDatabase, type Db } from '../../src/store/db';
import { refused } from '../../src/util/errors';
import { apiRequest } from '../helpers/api';
import { cleanupTmpDirs, makeTmpDir, TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN } from '../helpers/tmp';

afterAll(cleanupTmpDirs);

describe('parseRange', () => {
  it.each([
    [undefined, null],
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=100-', { start: 100, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=1000-', 'bad'],
    ['bytes=5-2', 'bad'],
    ['bytes=-0', 'bad'],
    ['bytes=0-1,5-9', null],
    ['items=0-1', null],
  ])('%s on 1000 bytes → %j', (h, want) => {
    expect(parseRange(h, 1000)).toEqual(want);
  });
});

describe('recording routes', () => {
  let db: Db;
  let dir: string;
  let server: ApiServer;
  let url: string;
  const acted: string[] = [];

  beforeAll(async () => {
    const tmp = makeTmpDir();
    dir = path.join(tmp, 'rec');
    db = openDatabase(path.join(tmp, 'cc.db'));
    const insertCall = db.prepare(
      "INSERT INTO calls (id, root_id, kind, direction, agent_ext, state, started_at) VALUES (?, ?, 'inbound', 'inbound', ?, 'ended', 0)",
    );
    insertCall.run('20261121-000001', '20261121-000001', '1000');
    insertCall.run('20261121-000002', '20261121-000002', '1001');
    const repo = new RecordingRepository(db);
    const add = (callId: string, agent: string, file: string) => {
      const r = repo.insert({ callId, rootId: callId, agentExt: agent, queue: 'support', name: file.replace(/\.wav$/, ''), file, format: 'wav', channelId: null, startedAt: 1000, startedBy: 'policy' });
      repo.setState(r.id, 'recording');
      repo.setState(r.id, 'done', { endedAt: 2000, sizeBytes: 1000, durationMs: 60 });
      return r.id;
    };
    add('20261121-000001', '1000', 'callcenterd/20261121/20261121-000001.wav');
    add('20261121-000002', '1001', 'callcenterd/20261121/20261121-000002.wav');
    fs.mkdirSync(path.join(dir, 'callcenterd', '20261121'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'callcenterd/20261121/20261121-000001.wav'), Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 256)));
    const svc = {
      act: async (callId: string, action: string, by: string) => {
        acted.push(`${action} ${callId} ${by}`);
        throw refused(`call ${callId} is not being recorded`);
      },
    } as unknown as RecordingService;
    server = new ApiServer({
      listen: '127.0.0.1:0',
      tokens: [
        { token: TEST_ADMIN_TOKEN, role: 'admin', name: 'ops' },
        { token: TEST_AGENT_TOKEN, role: 'agent', agent: '1000' },
      ],
      routes: recordingRoutes({
        svc,
        repo,
        files: new DirRecordingFiles(dir),
        callAgent: (id) => ({ '20261121-000001': '1000', '20261121-000002': '1001' })[id],
        now: () => 10_000,
      }),
      health: () => ({ status: 'ok' }),
      log: silentLogger(),
    });
    url = await server.start();
  });
  afterAll(async () => {
    await server.stop();
    db.close();
  });

  const get = (p: string, token = TEST_ADMIN_TOKEN, headers: Record<string, string> = {}) =>
    fetch(`${url}${p}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

  it('lists with filters; an agent sees only its own and gets 403 for others', async () => {
    expect((await apiRequest(url, 'GET', '/recordings', TEST_ADMIN_TOKEN)).body.recordings).toHaveLength(2);
    const mine = await apiRequest(url, 'GET', '/recordings', TEST_AGENT_TOKEN);
    expect(mine.body.recordings.map((r: { agentExt: string }) => r.agentExt)).toEqual(['1000']);
    expect(mine.body.recordings[0]).toMatchObject({ audioUrl: '/recordings/1/audio', pauses: [] });
    expect(mine.body.recordings[0].name).toBeUndefined();
    expect((await apiRequest(url, 'GET', '/recordings?agent=1001', TEST_AGENT_TOKEN)).status).toBe(403);
    expect((await apiRequest(url, 'GET', '/recordings/2', TEST_AGENT_TOKEN)).status).toBe(403);
    expect((await apiRequest(url, 'GET', '/recordings/99', TEST_AGENT_TOKEN)).status).toBe(403);
    expect((await apiRequest(url, 'GET', '/recordings/99', TEST_ADMIN_TOKEN)).status).toBe(404);
    expect((await apiRequest(url, 'GET', '/recordings/abc', TEST_ADMIN_TOKEN)).status).toBe(400);
    expect((await apiRequest(url, 'GET', '/recordings?call=20261121-000002', TEST_ADMIN_TOKEN)).body.recordings).toHaveLength(1);
    expect((await apiRequest(url, 'GET', '/recordings?since=nonsense', TEST_ADMIN_TOKEN)).status).toBe(400);
  });

  it('audio: whole file, a range (206), an unsatisfiable range (416), a missing file (404, no crash)', async () => {
    const whole = await get('/recordings/1/audio');
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer()).length).toBe(1000);
    const part = await get('/recordings/1/audio', TEST_AGENT_TOKEN, { range: 'bytes=10-19' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/1000');
    expect([...Buffer.from(await part.arrayBuffer())]).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const bad = await get('/recordings/1/audio', TEST_ADMIN_TOKEN, { range: 'bytes=5000-' });
    expect(bad.status).toBe(416);
    expect(bad.headers.get('content-range')).toBe('bytes */1000');
    const missing = await get('/recordings/2/audio');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/file is missing/);
    // The server is still fine.
    expect((await get('/recordings/1/audio')).status).toBe(200);
  });

  it('record actions: agents only on their own calls (403 before anything); bad action 400', async () => {
    expect((await apiRequest(url, 'POST', '/calls/20261121-000002/record/pause', TEST_AGENT_TOKEN)).status).toBe(403);
    expect((await apiRequest(url, 'POST', '/calls/20261121-000001/record/stop', TEST_AGENT_TOKEN)).status).toBe(400);
    const r = await apiRequest(url, 'POST', '/calls/20261121-000001/record/pause', TEST_AGENT_TOKEN);
    expect(r.status).toBe(409);
    expect(acted).toEqual(['pause 20261121-000001 1000']);
  });
});
