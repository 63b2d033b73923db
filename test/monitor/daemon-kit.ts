/**
 * A whole daemon (the shipped module list) on in-memory AMI/ARI fakes with a seeded catalogue, for
 * API-level tests: auth matrix, OpenAPI ↔ routes, monitor, metrics, CLI exit codes.
 */
import { AgentCatalogueRepo } from '../../src/agents/catalogue';
import { parseConfigObject } from '../../src/config/load';
import { startDaemon, type DaemonHandle } from '../../src/daemon/app';
import { silentLogger } from '../../src/log/logger';
import { PauseReasonCatalogue } from '../../src/pause/reasons';
import { QueueCatalogue } from '../../src/queues/catalogue';
import type { Db } from '../../src/store/db';
import { DispositionCatalogue } from '../../src/wrapup/dispositions';
import { createFakeAri, FakeAmi } from '../helpers/fake-links';
import { makeTmpDir, withOverrides } from '../helpers/tmp';

export { TEST_ADMIN_TOKEN, TEST_AGENT_TOKEN, TEST_SUPERVISOR_TOKEN } from '../helpers/tmp';

export interface DaemonKit {
  daemon: DaemonHandle;
  ami: FakeAmi;
  ari: ReturnType<typeof createFakeAri>;
  url: string;
  stop(): Promise<void>;
}

export function seedCatalogue(db: Db): void {
  const queues = new QueueCatalogue({ db });
  queues.add('support');
  queues.add('vendas');
  const agents = new AgentCatalogueRepo({ db });
  agents.add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 0 }] });
  agents.add({ extension: '1001', name: 'Bruno', device: 'PJSIP/1001', queues: [{ queue: 'support', penalty: 0 }, { queue: 'vendas', penalty: 1 }] });
  new PauseReasonCatalogue({ db }).add('Almoço', 5);
  new DispositionCatalogue({ db }).add('Venda');
}

export async function startKit(overrides: Record<string, unknown> = {}): Promise<DaemonKit> {
  const dir = makeTmpDir();
  const config = parseConfigObject(withOverrides({ database: { path: `${dir}/cc.db` }, ...overrides }), {}, { baseDir: dir });
  const ami = new FakeAmi();
  const ari = createFakeAri();
  const daemon = await startDaemon(config, { log: silentLogger(), amiFactory: () => ami, ariFactory: () => ari });
  seedCatalogue(daemon.deps.db);
  return { daemon, ami, ari, url: daemon.apiUrl, stop: () => daemon.stop() };
}

/** Every table's rows, to prove a refused request changed nothing. */
export function dumpDb(db: Db): Record<string, unknown[]> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as {
    name: string;
  }[];
  return Object.fromEntries(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${t.name}"`).all()]));
}

export async function http(
  url: string,
  opts: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url, { method: opts.method ?? 'GET', headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, body, text, headers: res.headers };
}
