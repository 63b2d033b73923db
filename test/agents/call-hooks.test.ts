import { makeKit } from './helpers';

describe('calls taken (AgentDirectory hooks)', () => {
  it('counts handling parts and completed transfers, not consult legs nor conference participations', async () => {
    const k = makeKit();
    await k.svc.login.login('1000', { queues: ['support'] });
    const end = (callId: string) => {
      k.svc.callEnded('1000', { callId, queue: 'support', answered: true });
      k.svc.wrapup.set('1000', 'Venda');
    };
    k.svc.callConnected('1000', { callId: 'q1', queue: 'support', direction: 'inbound' }); // default: handling
    end('q1');
    k.svc.callConnected('1000', { callId: 'o1', direction: 'outbound', part: 'handling' });
    end('o1');
    expect(k.svc.status('1000').callsTaken).toBe(2);
    k.svc.callConnected('1000', { callId: 't1', queue: 'support', direction: 'inbound', part: 'consult' });
    end('t1'); // consult cancelled
    k.svc.callConnected('1000', { callId: 'c1', queue: 'support', direction: 'inbound', part: 'conference' });
    end('c1');
    expect(k.svc.status('1000').callsTaken).toBe(2);
    k.svc.callConnected('1000', { callId: 't2', queue: 'support', direction: 'inbound', part: 'consult' });
    k.svc.callTaken('1000', { callId: 't2', queue: 'support' }); // transfer completed
    expect(k.svc.status('1000')).toMatchObject({ callsTaken: 3, state: 'on-call' });
  });
});
