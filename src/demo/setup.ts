/**
 * The demo's world: the built-in Asterisk simulator (real AMI over TCP, real ARI HTTP + WebSocket),
 * the whole daemon (startDaemon, shipped modules) on a throwaway database, and the catalogue created
 * through the API exactly as an operator would.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ApiClient } from '../cli/api-client';
import { parseConfigObject } from '../config/load';
import { startDaemon, type DaemonHandle } from '../daemon/app';
import { createLogger } from '../log/logger';
import { Simulator } from '../sim';

export interface DemoAgent {
  extension: string;
  name: string;
  queues: string[];
}

export const DEMO_AGENTS: DemoAgent[] = [
  { extension: '1000', name: 'Ana', queues: ['support', 'vendas'] },
  { extension: '1001', name: 'Bruno', queues: ['support'] },
  { extension: '1002', name: 'Carla', queues: ['vendas'] },
];

export const DEMO_POLICY = {
  /** Real seconds: the demo's hour is compressed, and so is the after-call work. */
  wrapup_seconds: 2,
  max_no_answer: 2,
  no_answer_pause_reason: 'Sem resposta',
  auto_disposition: 'Tabulação automática',
  prank_block_minutes: 30,
};

const token = (who: string) => `demo-${who}-token-0123456789abcdef`;

export interface DemoWorld {
  sim: Simulator;
  daemon: DaemonHandle;
  apiUrl: string;
  admin: ApiClient;
  supervisor: ApiClient;
  supervisorToken: string;
  agent(ext: string): ApiClient;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<DemoWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'callcenterd-demo-'));
  // app_queue timings scaled down: a member rings 0.6 s, retries after 0.1 s.
  const sim = new Simulator({ queueTimeoutMs: 600, retryMs: 100 });
  sim.addQueue('support', { strategy: 'rrmemory' });
  sim.addQueue('vendas', { strategy: 'rrmemory' });
  await sim.start();
  for (const a of DEMO_AGENTS) sim.setDevice(`PJSIP/${a.extension}`, { answer: 'auto', answerDelayMs: 150 });

  const config = parseConfigObject(
    {
      asterisk: {
        ari: { url: sim.ariUrl, username: sim.credentials.ari.username, password: sim.credentials.ari.password, app: sim.app },
        ami: { host: '127.0.0.1', port: sim.amiPort, username: sim.credentials.ami.username, secret: sim.credentials.ami.secret },
      },
      database: { path: path.join(dir, 'demo.db') },
      api: {
        listen: '127.0.0.1:0',
        tokens: [
          { token: token('admin'), role: 'admin', name: 'ops' },
          { token: token('supervisor'), role: 'supervisor', name: 'Sofia' },
          ...DEMO_AGENTS.map((a) => ({ token: token(a.extension), role: 'agent', agent: a.extension, name: a.name })),
        ],
      },
      log: { level: 'error' },
      policy: DEMO_POLICY,
    },
    {},
    { baseDir: dir },
  );
  const daemon = await startDaemon(config, { log: createLogger('error', { silent: true }) });
  const client = (who: string) => new ApiClient({ baseUrl: daemon.apiUrl, token: token(who), timeoutMs: 5000 });
  const stop = async () => {
    await daemon.stop();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(() => daemon.health().status === 'ok', 5000, 'the daemon to connect to the simulator');
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    sim,
    daemon,
    apiUrl: daemon.apiUrl,
    admin: client('admin'),
    supervisor: client('supervisor'),
    supervisorToken: token('supervisor'),
    agent: (ext) => client(ext),
    stop,
  };
}

/** Queues, agents, pause reasons and dispositions, created through the catalogue API. */
export async function createCatalogue(w: DemoWorld): Promise<void> {
  for (const name of ['support', 'vendas']) await w.admin.request('POST', '/catalogue/queues', { name });
  for (const a of DEMO_AGENTS) {
    await w.admin.request('POST', '/catalogue/agents', {
      extension: a.extension,
      name: a.name,
      device: `PJSIP/${a.extension}`,
      queues: a.queues.map((queue) => ({ queue, penalty: 0 })),
    });
  }
  for (const [name, statusId] of [['Almoço', 5], ['Sem resposta', 9], ['Wrap-up', 7]] as const) {
    await w.admin.request('POST', '/catalogue/pause-reasons', { name, statusId });
  }
  for (const tag of ['Venda', 'Dúvida resolvida', 'Reclamação', 'Tabulação automática']) {
    await w.admin.request('POST', '/catalogue/dispositions', { tag });
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`demo: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
