import { openDatabase, type Db } from '../../src/store/db';
import { QueueCatalogue } from '../../src/queues/catalogue';
import { AgentCatalogueRepo, validateDevice } from '../../src/agents/catalogue';
import { PauseReasonCatalogue } from '../../src/pause/reasons';
import { DispositionCatalogue } from '../../src/wrapup/dispositions';
import { SqlAgentCatalogue } from '../../src/agents/catalogue-port';
import { CcError } from '../../src/util/errors';
import { FakeClock } from '../../src/util/clock';

function expectCc(fn: () => unknown, kind: string, message: RegExp) {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(CcError);
  expect((err as CcError).kind).toBe(kind);
  expect((err as CcError).message).toMatch(message);
}

describe('catalogue repositories', () => {
  let db: Db;
  let clock: FakeClock;
  let queues: QueueCatalogue;
  let agents: AgentCatalogueRepo;
  beforeEach(() => {
    db = openDatabase(':memory:');
    clock = new FakeClock();
    queues = new QueueCatalogue({ db, clock });
    agents = new AgentCatalogueRepo({ db, clock });
  });
  afterEach(() => db.close());

  it('queues: validates names and settings, rejects duplicates', () => {
    const q = queues.add('support', { wrapupSeconds: 10, callerId: '4830000000', surveyExtension: '900@cc-survey' });
    expect(q).toEqual({
      name: 'support',
      wrapupSeconds: 10,
      maxNoAnswer: null,
      record: null,
      callerId: '4830000000',
      surveyExtension: '900@cc-survey',
      callTimeoutSeconds: null,
      wrapupLimit: true,
      serviceLevelSeconds: null,
      createdAt: clock.now(),
    });
    expectCc(() => queues.add('support'), 'invalid', /^queue support already exists$/);
    expectCc(() => queues.add('Bad Name'), 'invalid', /^name: must be 1-64 lower-case/);
    expectCc(() => queues.add('x'.repeat(65)), 'invalid', /^name:/);
    expectCc(() => queues.add('sales', { wrapupSeconds: -1 }), 'invalid', /^wrapup_seconds: must be between 0 and 3600$/);
    expectCc(() => queues.add('sales', { callerId: 'a\nb' }), 'invalid', /^caller_id: must not contain control/);
    expectCc(() => queues.add('sales', { surveyExtension: '9 9' }), 'invalid', /^survey_extension:/);
    expectCc(() => queues.add('sales', { serviceLevelSeconds: 0 }), 'invalid', /^service_level_seconds: must be between 1 and 3600$/);
    expect(queues.list().map((x) => x.name)).toEqual(['support']);
    expect(queues.update('support', { wrapupSeconds: null, maxNoAnswer: 0 })).toMatchObject({ wrapupSeconds: null, maxNoAnswer: 0 });
    // Wrap-up without time limit: off, kept by other updates, back on with null (the default).
    expect(queues.update('support', { wrapupLimit: false })).toMatchObject({ wrapupLimit: false });
    expect(queues.update('support', { maxNoAnswer: 1 })).toMatchObject({ wrapupLimit: false });
    expect(queues.get('support')).toMatchObject({ wrapupLimit: false });
    expect(queues.update('support', { wrapupLimit: null })).toMatchObject({ wrapupLimit: true });
    expectCc(() => queues.update('support', { wrapupLimit: 'no' as never }), 'invalid', /^wrapup_limit must be true \(on\) or false \(off\)/);
    expect(queues.update('support', { serviceLevelSeconds: 30 })).toMatchObject({ serviceLevelSeconds: 30, wrapupSeconds: null });
    expectCc(() => queues.update('nope', {}), 'not_found', /queue nope does not exist/);
  });

  it('agents: extension, device and queue rules; nothing half-written on failure', () => {
    queues.add('support');
    queues.add('sales');
    agents.add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 0 }, { queue: 'sales', penalty: 2 }] });
    expect(agents.get('1000')?.queues).toEqual([
      { queue: 'sales', penalty: 2 },
      { queue: 'support', penalty: 0 },
    ]);
    for (const ok of ['SIP/x', 'Local/1000@agents', 'IAX2/peer/100', 'PJSIP/1001@host']) expect(validateDevice(ok)).toBe(ok);
    const bad: [string, RegExp][] = [
      ['PJSIP/1&PJSIP/2', /single dial string/],
      ['PJSIP/1,30', /single dial string/],
      ['PJSIP/1\r\nAction: x', /whitespace or control/],
      ['PJSIP/1\t', /whitespace or control/],
      ['PJSIP/1\u0000', /whitespace or control/],
      ['PJSIP/ 1', /whitespace or control/],
      ['PJSIP/${EXTEN}', /"\$\{"/],
      ['1000', /TECH\/resource/],
      ['', /must not be empty/],
    ];
    for (const [device, msg] of bad) {
      expectCc(() => agents.add({ extension: '1001', name: 'B', device }), 'invalid', msg);
    }
    for (const ext of ['100', '123456', '10a0', ' 1001']) {
      expectCc(() => agents.add({ extension: ext, name: 'B', device: 'PJSIP/1001' }), 'invalid', /^extension: must be exactly 4 or 5 digits$/);
    }
    expectCc(() => agents.add({ extension: '1000', name: 'A', device: 'PJSIP/1009' }), 'invalid', /agent 1000 already exists/);
    expectCc(() => agents.add({ extension: '1001', name: 'B', device: 'pjsip/1000' }), 'invalid', /already used by agent 1000/);
    expectCc(() => agents.add({ extension: '1001', name: '  ', device: 'PJSIP/1001' }), 'invalid', /^name: must not be empty$/);
    // Second queue unknown: the agent row must not be left behind.
    expectCc(
      () => agents.add({ extension: '1001', name: 'B', device: 'PJSIP/1001', queues: [{ queue: 'support', penalty: 0 }, { queue: 'nope', penalty: 0 }] }),
      'invalid',
      /queues: queue nope does not exist/,
    );
    expect(agents.get('1001')).toBeUndefined();
    expect(db.prepare("SELECT count(*) AS n FROM agent_queues WHERE extension = '1001'").get()).toEqual({ n: 0 });
    expectCc(() => agents.add({ extension: '1001', name: 'B', device: 'PJSIP/1001', queues: [{ queue: 'support', penalty: 1001 }] }), 'invalid', /penalty/);

    // update replaces the queue list atomically
    expectCc(() => agents.update('1000', { queues: [{ queue: 'nope', penalty: 0 }] }), 'invalid', /does not exist/);
    expect(agents.get('1000')?.queues).toHaveLength(2);
    expect(agents.update('1000', { name: 'Ana Maria', queues: [{ queue: 'support', penalty: 3 }] })).toMatchObject({
      name: 'Ana Maria',
      queues: [{ queue: 'support', penalty: 3 }],
    });
    agents.remove('1000');
    expectCc(() => agents.remove('1000'), 'not_found', /agent 1000 does not exist/);
  });

  it('queue removal is refused while agents use it, unless forced', () => {
    queues.add('support');
    agents.add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 0 }] });
    expectCc(() => queues.remove('support'), 'refused', /assigned to 1 agent\(s\) \(1000\); use --force/);
    expect(queues.get('support')).toBeDefined();
    expect(queues.remove('support', { force: true })).toEqual({ removedAssignments: 1 });
    expect(agents.get('1000')?.queues).toEqual([]);
    expectCc(() => queues.remove('support'), 'not_found', /does not exist/);
  });

  it('pause reasons and dispositions', () => {
    const reasons = new PauseReasonCatalogue({ db, clock });
    expect(reasons.add('  Almoço ', '7')).toEqual({ name: 'Almoço', statusId: 7, createdAt: clock.now() });
    expectCc(() => reasons.add('Almoço', 8), 'invalid', /pause reason "Almoço" already exists/);
    expectCc(() => reasons.add('', 8), 'invalid', /^name: must not be empty$/);
    expectCc(() => reasons.add('a\tb', 8), 'invalid', /control characters/);
    expectCc(() => reasons.add('x'.repeat(65), 8), 'invalid', /at most 64/);
    expectCc(() => reasons.add('Banheiro', 'abc'), 'invalid', /^status_id: must be a whole number$/);
    expectCc(() => reasons.add('Banheiro', 1.5), 'invalid', /^status_id: must be a whole number$/);
    expect(reasons.list()).toHaveLength(1);
    reasons.remove('Almoço');
    expectCc(() => reasons.remove('Almoço'), 'not_found', /does not exist/);

    const disp = new DispositionCatalogue({ db, clock });
    disp.add('sale', 'Closed a sale');
    expectCc(() => disp.add('sale'), 'invalid', /already exists/);
    expect(disp.list()).toEqual([{ tag: 'sale', description: 'Closed a sale', createdAt: clock.now() }]);
    disp.remove('sale');
    expect(disp.list()).toEqual([]);
  });

  it('what the repositories write is what the agents runtime reads (catalogue-port)', () => {
    queues.add('support', { wrapupSeconds: 5 });
    agents.add({ extension: '1000', name: 'Ana', device: 'PJSIP/1000', queues: [{ queue: 'support', penalty: 1 }] });
    new PauseReasonCatalogue({ db }).add('Almoço', 3);
    const port = new SqlAgentCatalogue(db);
    expect(port.agent('1000')).toEqual({ extension: '1000', name: 'Ana', device: 'PJSIP/1000' });
    expect(port.queue('support')).toEqual({ name: 'support', wrapupSeconds: 5, maxNoAnswer: null, wrapupLimit: true });
    expect(port.allowedQueues('1000')).toEqual([{ queue: 'support', penalty: 1 }]);
    expect(port.pauseReason('Almoço')).toEqual({ name: 'Almoço', statusId: 3 });
  });
});
