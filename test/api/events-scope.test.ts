/**
 * /events scope for events that concern two agents (transfer.state, conference.state): `agent` is
 * one extension, `agents` the others; agent tokens named in either see the event, others do not;
 * supervisors see it once.
 */
import { eventVisible } from '../../src/api/events';
import { buildOpenApi } from '../../src/api/openapi';
import { DOMAIN_EVENT_TYPES, type DomainEvent } from '../../src/events/bus';

const ev = (over: Partial<DomainEvent>): DomainEvent => ({ type: 'transfer.state', at: 0, callId: 'c1', data: { state: 'ringing' }, ...over });
const agent = (ext: string) => ({ role: 'agent' as const, agent: ext });
const none = new Set<string>();

describe('eventVisible with several agents', () => {
  it('the transferring agent (agent) and the target (agents) see it; a third agent does not', () => {
    const e = ev({ agent: '1000', agents: ['1001'] });
    expect(eventVisible(agent('1000'), e, none)).toBe(true);
    expect(eventVisible(agent('1001'), e, none)).toBe(true);
    expect(eventVisible(agent('1002'), e, none)).toBe(false);
    expect(eventVisible({ role: 'supervisor' }, e, none)).toBe(true);
  });

  it('agents alone (no agent) still scopes the event; a token without an extension sees nothing scoped', () => {
    const e = ev({ agents: ['1001'] });
    expect(eventVisible(agent('1001'), e, none)).toBe(true);
    expect(eventVisible(agent('1000'), e, none)).toBe(false);
    expect(eventVisible({ role: 'agent' }, ev({ agents: [] }), none)).toBe(false);
  });

  it('single-agent events behave as before', () => {
    expect(eventVisible(agent('1000'), ev({ type: 'call.state', agent: '1000' }), none)).toBe(true);
    expect(eventVisible(agent('1001'), ev({ type: 'call.state', agent: '1000' }), none)).toBe(false);
    expect(eventVisible(agent('1001'), ev({ type: 'queue.caller', queue: 'support' }), new Set(['support']))).toBe(true);
  });
});

describe('eventVisible for live monitoring', () => {
  it('monitor.* events reach supervisors and admins, never an agent token, even one the event would name', () => {
    for (const type of ['monitor.started', 'monitor.changed', 'monitor.ended'] as const) {
      const e = ev({ type, data: { monitoredAgent: '1000' } });
      expect(eventVisible({ role: 'supervisor' }, e, none)).toBe(true);
      expect(eventVisible({ role: 'admin' }, e, none)).toBe(true);
      expect(eventVisible(agent('1000'), e, none)).toBe(false);
      expect(eventVisible(agent('1000'), { ...e, agent: '1000', agents: ['1000'], queue: 'support' }, new Set(['support']))).toBe(false);
    }
  });
});

describe('OpenAPI documents the event types', () => {
  it('/events lists every DomainEventType, including transfer.state and conference.state', () => {
    const doc = buildOpenApi([], { version: 't', upgrades: ['/events'] }) as { paths: Record<string, { get: { description: string } }> };
    const text = doc.paths['/events'].get.description;
    for (const t of DOMAIN_EVENT_TYPES) expect(text).toContain(t);
    expect(DOMAIN_EVENT_TYPES).toEqual(expect.arrayContaining(['transfer.state', 'conference.state']));
  });
});
