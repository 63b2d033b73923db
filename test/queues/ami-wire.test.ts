/**
 * Flow over the real AMI wire: the real TCP client (src/ami/client.ts) against the simulator's AMI
 * server, whose action table here is a minimal queue-member model framed like the captures
 * (QueueMember items use Name/Location; QueueStatusComplete ends the list). Checks login fields on
 * the wire, pause reason in QueueStatus, RingTime=0 ignored, max-no-answer, and an "Asterisk
 * restart" (members gone + socket dropped) repaired by the re-sync on reconnect.
 */
import { createAmiClient } from '../../src/ami/client';
import type { AmiClient } from '../../src/ami/types';
import { SqlAgentCatalogue } from '../../src/agents/catalogue-port';
import { AgentRepository } from '../../src/agents/repository';
import { AgentService } from '../../src/agents/service';
import { EventBus } from '../../src/events/bus';
import { silentLogger } from '../../src/log/logger';
import { QueueMembers } from '../../src/queues/members';
import type { AmiFieldList } from '../../src/sim/ami-codec';
import { AmiServer, amiError, amiOk, type AmiActionContext } from '../../src/sim/ami-server';
import { openDatabase } from '../../src/store/db';
import { systemClock } from '../../src/util/clock';
import { WrapupRepository } from '../../src/wrapup/repository';
import { FakeProbe, seedCatalogue, testConfig } from '../agents/helpers';

interface M {
  queue: string;
  iface: string;
  name: string;
  si: string;
  paused: boolean;
  reason: string;
}

const get = (f: AmiFieldList, k: string) => f.find(([key]) => key.toLowerCase() === k.toLowerCase())?.[1];

function queueModel() {
  const members: M[] = [];
  const custom = new Map<string, string>();
  const handler = (ctx: AmiActionContext): AmiFieldList[] => {
    const q = get(ctx.fields, 'Queue') ?? '';
    const iface = get(ctx.fields, 'Interface') ?? '';
    const idx = members.findIndex((m) => m.queue === q && m.iface === iface);
    switch (ctx.name.toLowerCase()) {
      case 'queueadd':
        if (idx >= 0) return [amiError(ctx, 'Unable to add interface: Already there')];
        members.push({
          queue: q,
          iface,
          name: get(ctx.fields, 'MemberName') ?? iface,
          si: get(ctx.fields, 'StateInterface') ?? iface,
          paused: get(ctx.fields, 'Paused') === 'true',
          // Like app_queue: QueueAdd takes an optional Reason for a member added paused.
          reason: get(ctx.fields, 'Paused') === 'true' ? (get(ctx.fields, 'Reason') ?? '') : '',
        });
        return [amiOk(ctx, 'Added interface to queue')];
      case 'queueremove':
        if (idx < 0) return [amiError(ctx, 'Unable to remove interface: Not there')];
        members.splice(idx, 1);
        return [amiOk(ctx, 'Removed interface from queue')];
      case 'queuepause': {
        const hit = members.filter((m) => (!q || m.queue === q) && m.iface === iface);
        if (!hit.length) return [amiError(ctx, 'Interface not found')];
        for (const m of hit) {
          m.paused = get(ctx.fields, 'Paused') === 'true';
          m.reason = m.paused ? (get(ctx.fields, 'Reason') ?? '') : '';
        }
        return [amiOk(ctx, m0(hit[0].paused))];
      }
      case 'setvar': {
        const v = /^DEVICE_STATE\((.+)\)$/.exec(get(ctx.fields, 'Variable') ?? '');
        if (v) custom.set(v[1], get(ctx.fields, 'Value') ?? '');
        return [amiOk(ctx, 'Variable Set')];
      }
      case 'queuestatus': {
        const id: AmiFieldList = ctx.actionId ? [['ActionID', ctx.actionId]] : [];
        const items: AmiFieldList[] = members.map((m) => [
          ['Event', 'QueueMember'],
          ['Queue', m.queue],
          ['Name', m.name],
          ['Location', m.iface],
          ['StateInterface', m.si],
          ['Membership', 'dynamic'],
          ['Penalty', '0'],
          ['CallsTaken', '0'],
          ['LastCall', '0'],
          ['LastPause', '0'],
          ['LoginTime', '0'],
          ['InCall', '0'],
          ['Status', '1'],
          ['Paused', m.paused ? '1' : '0'],
          ['PausedReason', m.reason],
          ['Wrapuptime', '0'],
          ...id,
        ]);
        return [
          amiOk(ctx, 'Queue status will follow', [['EventList', 'start']]),
          ...items,
          [['Event', 'QueueStatusComplete'], ...id, ['EventList', 'Complete'], ['ListItems', String(items.length)]],
        ];
      }
      default:
        return [amiError(ctx, 'Invalid/unknown command')];
    }
  };
  return { members, custom, handler };
}
const m0 = (paused: boolean) => (paused ? 'Interface paused successfully' : 'Interface unpaused successfully');

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('agents over the real AMI wire (simulator AMI server)', () => {
  let server: AmiServer;
  let client: AmiClient;
  let svc: AgentService;
  const model = queueModel();
  const bus = new EventBus();
  const systemEvents: unknown[] = [];
  bus.subscribe((e) => e.type === 'system' && systemEvents.push(e.data));

  beforeAll(async () => {
    server = new AmiServer({
      username: 'cc',
      secret: 'pw',
      systemName: 'sim',
      clock: systemClock,
      handler: model.handler,
      uptime: () => 1,
    });
    await server.start(0);
    client = createAmiClient({
      host: '127.0.0.1',
      port: server.port,
      username: 'cc',
      secret: 'pw',
      log: silentLogger(),
      actionTimeoutMs: 1000,
      reconnect: { initialMs: 10, maxMs: 40 },
    });
    const db = openDatabase(':memory:');
    seedCatalogue(db);
    const config = testConfig();
    svc = new AgentService({
      repo: new AgentRepository(db),
      catalogue: new SqlAgentCatalogue(db),
      members: new QueueMembers(client, config.asterisk.contexts),
      bus,
      clock: systemClock,
      log: silentLogger(),
      config,
      probe: new FakeProbe(),
      wrapupRepo: new WrapupRepository(db),
    });
    svc.start(client);
    client.start();
    await waitFor(() => systemEvents.length === 1); // first re-sync done
  });

  afterAll(async () => {
    svc.stop();
    await client.stop();
    await server.stop();
  });

  it('login is visible in QueueStatus with the topology interface and StateInterface', async () => {
    await svc.login.login('1000', { queues: ['support', 'vendas'] });
    expect(model.members.map((m) => [m.queue, m.iface, m.name, m.si, m.paused])).toEqual([
      ['support', 'Local/1000@cc-agent/n', 'Agent 1000', 'hint:1000@agent-hints', false],
      ['vendas', 'Local/1000@cc-agent/n', 'Agent 1000', 'hint:1000@agent-hints', false],
    ]);
    expect(model.custom.get('Custom:agent-1000')).toBe('NOT_INUSE');
    const live = await new QueueMembers(client, { agent_leg: 'cc-agent', agent_hints: 'agent-hints' }).list();
    expect(live.map((m) => [m.queue, m.extension])).toEqual([
      ['support', '1000'],
      ['vendas', '1000'],
    ]);
  });

  it('pause reason shows in QueueStatus', async () => {
    await svc.pause.pause('1000', 'Almoço');
    expect(model.members.every((m) => m.paused && m.reason === 'Almoço')).toBe(true);
    await svc.pause.unpause('1000');
    expect(model.members.every((m) => !m.paused)).toBe(true);
  });

  it('RingTime=0 misses are ignored; N real misses pause with the reason', async () => {
    const miss = (ms: number): AmiFieldList => [
      ['Queue', 'support'],
      ['Interface', 'Local/1000@cc-agent/n'],
      ['MemberName', 'Agent 1000'],
      ['RingTime', String(ms)],
    ];
    for (let i = 0; i < 4; i++) server.broadcast('AgentRingNoAnswer', 'agent,all', miss(0));
    server.broadcast('AgentRingNoAnswer', 'agent,all', miss(15000));
    await waitFor(() => svc.status('1000').missesInRow === 1);
    server.broadcast('AgentRingNoAnswer', 'agent,all', miss(15000));
    // vendas limit is 2 but this miss is in support (policy 3): not yet
    await waitFor(() => svc.status('1000').missesInRow === 2);
    expect(svc.status('1000').state).toBe('available');
    server.broadcast('AgentRingNoAnswer', 'agent,all', miss(15000));
    await waitFor(() => model.members.every((m) => m.paused && m.reason === 'Sem resposta'));
    expect(svc.status('1000')).toMatchObject({ state: 'paused', pauseReason: 'Sem resposta', pauseStatusId: 9 });
  });

  it('an Asterisk restart keeps logged-in agents in their queues with their pauses', async () => {
    model.members.splice(0);
    model.custom.clear();
    const before = systemEvents.length;
    server.dropConnections();
    await waitFor(() => systemEvents.length > before);
    expect(model.members.map((m) => [m.queue, m.iface, m.paused, m.reason])).toEqual([
      ['support', 'Local/1000@cc-agent/n', true, 'Sem resposta'],
      ['vendas', 'Local/1000@cc-agent/n', true, 'Sem resposta'],
    ]);
    expect(model.custom.get('Custom:agent-1000')).toBe('NOT_INUSE');
    // No ghost members: a second re-sync changes nothing.
    const r = await svc.resync.run();
    expect(r).toMatchObject({ readded: [], repaused: [], unknown: [], members: 2 });
  });
});
