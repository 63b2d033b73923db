/**
 * The simulator's wire shapes against the real Asterisk 22.10.1 captures: same key sets for the
 * AMI events and ARI events/objects the daemon consumes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Simulator } from '../../src/sim';
import { type Frame, RawAmi, RawAri, captureFrames } from './helpers';

const CAP = path.join(__dirname, '..', 'fixtures', 'captures');
const amiCapture = (name: string) => captureFrames(fs.readFileSync(path.join(CAP, name), 'utf8'));
const ariCapture = (name: string) =>
  fs.readFileSync(path.join(CAP, name), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));

const keys = (o: object) => Object.keys(o).sort();

function firstCaptured(frames: Frame[], pred: (f: Frame) => boolean): Frame {
  const f = frames.find(pred);
  if (!f) throw new Error('not in capture');
  return f;
}

describe('wire shapes match the captures', () => {
  let sim: Simulator;
  let ami: RawAmi;
  let ari: RawAri;
  const answered = amiCapture('queue-call-answered.ami.txt');
  const noAnswer = amiCapture('ring-no-answer.ami.txt');
  const ariAnswered = ariCapture('queue-call-answered.ari.jsonl');
  const ariNoAnswer = ariCapture('ring-no-answer.ari.jsonl');

  beforeAll(async () => {
    // Wire-level checks read Asterisk's whole event stream (a manager user without eventfilter lines).
    sim = new Simulator({ queueTimeoutMs: 5000, retryMs: 30, amiEventFilter: 'none' });
    sim.addQueue('support');
    await sim.start();
    ami = await RawAmi.connect(sim.amiPort);
    await ami.login(sim);
    ari = await RawAri.connect(sim);
    // One full call: ring, answer, bridge, customer hangup, device hangup.
    ami.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', MemberName: 'Agent 1000', StateInterface: 'PJSIP/1000' });
    const call = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101', callerName: 'Customer c1' });
    const leg = (await ari.event('StasisStart')).channel.id;
    await ari.rest('POST', '/channels', { endpoint: 'PJSIP/1000', app: 'callcenter', channelId: 'ph-1' });
    await ari.event('StasisStart', (e) => e.channel.id === 'ph-1');
    await ari.rest('POST', `/channels/${leg}/answer`);
    await ari.rest('POST', '/bridges', { bridgeId: 'br-1', type: 'mixing', name: 'agent-1000' });
    await ari.rest('POST', '/bridges/br-1/addChannel', { channel: `${leg},ph-1` });
    const qs = ami.send('QueueStatus', { Queue: 'support' });
    await ami.event('QueueStatusComplete', (f) => f.ActionID === qs);
    sim.customerHangup(call);
    await ari.rest('DELETE', '/channels/ph-1');
    await ari.rest('DELETE', '/bridges/br-1');
    await ari.event('BridgeDestroyed');
    // A no-answer attempt for AgentRingNoAnswer.
    const s2 = new Simulator({ queueTimeoutMs: 40, amiEventFilter: 'none' });
    s2.addQueue('support');
    await s2.start();
    const a2 = await RawAmi.connect(s2.amiPort);
    await a2.login(s2);
    a2.send('QueueAdd', { Queue: 'support', Interface: 'Local/1000@cc-agent/n', MemberName: 'Agent 1000' });
    s2.placeQueueCall({ queue: 'support', callerNumber: '5550101' });
    const rna = await a2.event('AgentRingNoAnswer');
    ami.frames.push(rna);
    a2.close();
    await s2.stop();
  });
  afterAll(async () => {
    ari.close();
    ami.close();
    await sim.stop();
  });

  const sim1 = (name: string, pred: (f: Frame) => boolean = () => true) => {
    const f = ami.frames.find((x) => x.Event === name && pred(x));
    if (!f) throw new Error(`sim sent no ${name}`);
    return f;
  };

  it.each(['AgentCalled', 'AgentConnect', 'AgentComplete', 'QueueMemberStatus', 'QueueMemberAdded', 'QueueCallerJoin', 'QueueCallerLeave', 'Hangup', 'Newchannel'])(
    'AMI %s has the captured keys',
    (name) => {
      expect(keys(sim1(name))).toEqual(keys(firstCaptured(answered, (f) => f.Event === name)));
    },
  );

  it('AMI AgentRingNoAnswer has the captured keys', () => {
    expect(keys(sim1('AgentRingNoAnswer'))).toEqual(keys(firstCaptured(noAnswer, (f) => f.Event === 'AgentRingNoAnswer')));
  });

  it.each(['QueueParams', 'QueueMember', 'QueueStatusComplete'])('QueueStatus list item %s has the captured keys', (name) => {
    expect(keys(sim1(name))).toEqual(keys(firstCaptured(answered, (f) => f.Event === name)));
  });

  it('QueueStatus response starts the list like Asterisk', () => {
    const r = ami.frames.find((f) => f.Message === 'Queue status will follow')!;
    expect(keys(r)).toEqual(['ActionID', 'EventList', 'Message', 'Response']);
    expect(r.EventList).toBe('start');
  });

  const simAri = (type: string, pred: (e: any) => boolean = () => true) => {
    const e = ari.events.find((x) => x.type === type && pred(x));
    if (!e) throw new Error(`sim sent no ${type}`);
    return e;
  };
  const capAri = (list: any[], type: string, pred: (e: any) => boolean = () => true) => list.find((x) => x.type === type && pred(x));

  it.each(['StasisStart', 'StasisEnd', 'ChannelStateChange', 'ChannelEnteredBridge', 'ChannelLeftBridge', 'BridgeDestroyed'])(
    'ARI %s has the captured keys (event, channel, bridge)',
    (type) => {
      const mine = simAri(type);
      const real = capAri(ariAnswered, type);
      expect(keys(mine)).toEqual(keys(real));
      if (real.channel) {
        expect(keys(mine.channel)).toEqual(keys(real.channel));
        expect(keys(mine.channel.dialplan)).toEqual(keys(real.channel.dialplan));
      }
      if (real.bridge) expect(keys(mine.bridge)).toEqual(keys(real.bridge));
    },
  );

  it('ARI ChannelDestroyed and Dial have the captured keys', () => {
    expect(keys(simAri('ChannelDestroyed'))).toEqual(keys(capAri(ariAnswered, 'ChannelDestroyed')));
    expect(keys(simAri('Dial'))).toEqual(keys(capAri(ariAnswered, 'Dial')));
    // ARI DELETE is a soft hangup request (`soft` present); app_queue's own hangups have only `cause`.
    const soft = ariNoAnswer.find((e) => e.type === 'ChannelHangupRequest' && 'soft' in e);
    expect(keys(simAri('ChannelHangupRequest', (e) => e.channel.id === 'ph-1'))).toEqual(keys(soft));
  });

  it('agent leg StasisStart carries the documented args and app_data', () => {
    const real = capAri(ariAnswered, 'StasisStart');
    const mine = simAri('StasisStart', (e) => e.args[0] === 'agent-leg');
    expect(mine.args.length).toBe(real.args.length);
    expect(mine.channel.dialplan.app_name).toBe('Stasis');
    expect(mine.channel.name).toMatch(/^Local\/1000@cc-agent-[0-9a-f]{8};2$/);
    expect(mine.channel.state).toBe('Ring');
  });
});
