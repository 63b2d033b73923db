/**
 * Trunk caller ids as Asterisk 22 carries them: any text as the number (`anonymous` when withheld),
 * and in AMI a CallerIDName written through ast_escape_c() (main/manager_channels.c), so CR/LF in a
 * name cannot break the event framing. ARI (JSON) carries both as they are.
 */
import { Simulator } from '../../src/sim';

describe('simulator caller ids', () => {
  let sim: Simulator;
  beforeEach(() => {
    sim = new Simulator();
    sim.addQueue('support');
  });
  afterEach(async () => {
    await sim.stop();
  });

  const joinOf = (id: string) => sim.events.find((e) => e.name === 'QueueCallerJoin' && e.data.Linkedid === id)!.data;

  it('AMI escapes the name as Asterisk does; the number goes as it is; ARI keeps both raw', () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: '5550101"<x>\x1b', callerName: 'Eve"\r\n<sip:evil>\x00\x1b[31m' });
    expect(joinOf(h.id)).toMatchObject({ CallerIDNum: '5550101"<x>\x1b', CallerIDName: 'Eve\\"\\r\\n<sip:evil>\x00\x1b[31m' });
    expect(sim.channel(h.channelId)!.caller).toEqual({ number: '5550101"<x>\x1b', name: 'Eve"\r\n<sip:evil>\x00\x1b[31m' });
  });

  it('a withheld number is "anonymous"; only CR/LF in a number are refused (AMI would not frame them)', () => {
    const h = sim.placeQueueCall({ queue: 'support', callerNumber: 'anonymous', callerName: "O'Hara?" });
    expect(joinOf(h.id)).toMatchObject({ CallerIDNum: 'anonymous', CallerIDName: "O\\'Hara\\?" });
    expect(() => sim.placeQueueCall({ queue: 'support', callerNumber: '555\r\nEvent: Fake' })).toThrow('Invalid caller number');
    expect(() => sim.placeQueueCall({ queue: 'support', callerNumber: '' })).toThrow('Invalid caller number');
  });
});
