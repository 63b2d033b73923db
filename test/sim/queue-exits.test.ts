/**
 * Simulator: how a caller leaves a queue unanswered besides hanging up, as asterisk-conf's dialplan
 * reports it over AMI (checked on the raw wire): Queue() timeout (QueueCallerLeave, then UserEvent
 * CcQueueExit Status TIMEOUT from [cc-queues], then the hangup), an exit key to another context, and
 * the CcSurvey UserEvent of [cc-survey].
 */
import { Simulator } from '../../src/sim';
import { FakeClock } from '../../src/util/clock';
import { RawAmi } from './helpers';

describe('queue exits and dialplan UserEvents', () => {
  let sim: Simulator;
  let ami: RawAmi;
  const clock = new FakeClock();
  beforeEach(async () => {
    // Wire-level checks read Asterisk's whole event stream (a manager user without eventfilter lines).
    sim = new Simulator({ clock, amiEventFilter: 'none' });
    sim.addQueue('support', { maxWaitMs: 30_000 });
    sim.addQueue('vendas');
    await sim.start();
    ami = await RawAmi.connect(sim.amiPort);
    await ami.login(sim);
  });
  afterEach(async () => {
    ami.close();
    await sim.stop();
  });
  const CHATTER = ['Newchannel', 'Newstate', 'HangupRequest', 'SoftHangupRequest', 'MusicOnHoldStart', 'MusicOnHoldStop'];
  const events = (id: string) =>
    ami.frames.filter((f) => f.Event && f.Uniqueid === id && !CHATTER.includes(f.Event)).map((f) => [f.Event, f.UserEvent ?? '', f.Status ?? f.Score ?? '']);

  it('Queue() timeout: leave, CcQueueExit TIMEOUT with the queue and linkedid, then hangup', async () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    clock.advance(29_999);
    expect(sim.queueCall(h).state).toBe('waiting');
    clock.advance(1);
    await ami.wait(() => ami.frames.some((f) => f.Event === 'Hangup' && f.Uniqueid === h.channelId));
    expect(events(h.channelId)).toEqual([
      ['QueueCallerJoin', '', ''],
      ['QueueCallerLeave', '', ''],
      ['UserEvent', 'CcQueueExit', 'TIMEOUT'],
      ['Hangup', '', ''],
    ]);
    const exit = ami.frames.find((f) => f.UserEvent === 'CcQueueExit')!;
    expect(exit).toMatchObject({ Privilege: 'user,all', Queue: 'support', Linkedid: h.id, Info: '' });
    expect(sim.queueCall(h)).toMatchObject({ state: 'ended', endReason: 'timeout' });
  });

  it('exit key: the caller leaves for another context, no abandon, no UserEvent; a queue without maxWaitMs waits on', async () => {
    const h = sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550102' });
    clock.advance(3_600_000);
    expect(sim.queueCall(h).state).toBe('waiting');
    sim.exitQueue(h, 'cc-services', '302');
    await ami.wait(() => ami.frames.some((f) => f.Event === 'QueueCallerLeave'));
    expect(sim.customerLocation(h)).toEqual({ context: 'cc-services', exten: '302' });
    expect(ami.frames.some((f) => f.Event === 'QueueCallerAbandon' || f.Event === 'UserEvent')).toBe(false);
    expect(() => sim.exitQueue(h, 'cc-services', '302')).toThrow(/not waiting/);
  });

  it('surveyAnswer: UserEvent CcSurvey with the score on that channel', async () => {
    const h = sim.placeQueueCall({ queue: 'vendas', callerNumber: '5550103' });
    sim.surveyAnswer(h.channelId, '5');
    const e = await ami.wait(() => ami.frames.find((f) => f.UserEvent === 'CcSurvey'));
    expect(e).toMatchObject({ Event: 'UserEvent', Privilege: 'user,all', Score: '5', Uniqueid: h.channelId, Linkedid: h.id });
    expect(() => sim.surveyAnswer(h.channelId, '55')).toThrow(/Invalid survey digit/);
  });
});
