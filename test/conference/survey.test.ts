/** Survey decision (pure) and the hook's order of effects, with a fake call service and ARI. */
import type { AriClient } from '../../src/ari/types';
import { decideSurvey, SurveyHook, type SurveyCalls } from '../../src/calls/survey';
import type { CallRecord } from '../../src/calls/types';
import { silentLogger } from '../../src/log/logger';
import { openDatabase } from '../../src/store/db';
import { testConfig } from '../callbacks/helpers';

const base = { queue: 'support', state: 'connected' as const, customerChannelId: 'leg-1', direction: 'inbound' as const };

describe('decideSurvey', () => {
  it('sends inbound queue calls of a queue with a survey extension', () => {
    expect(decideSurvey(base, '900', 'cc-survey')).toEqual({ send: true, context: 'cc-survey', extension: '900' });
    expect(decideSurvey({ ...base, state: 'on-hold' }, ' 900 ', 'cc-survey')).toMatchObject({ send: true, extension: '900' });
  });

  it.each([
    [{ ...base, queue: null }, '900', /not a queue call/],
    [base, null, /no survey extension/],
    [base, '', /no survey extension/],
    [base, '900,1', /not valid/],
    [{ ...base, direction: 'outbound' as const }, '900', /inbound/],
    [{ ...base, state: 'ringing-agent' as const }, '900', /never connected/],
    [{ ...base, customerChannelId: null }, '900', /no customer channel/],
  ])('does not send %j (survey %s)', (call, ext, reason) => {
    const d = decideSurvey(call, ext, 'cc-survey');
    expect(d.send).toBe(false);
    expect(d.send === false && d.reason).toMatch(reason);
  });
});

describe('SurveyHook', () => {
  function setup(survey: string | null, continueFails = false) {
    const db = openDatabase(':memory:');
    db.prepare('INSERT INTO queues (name, survey_extension, created_at) VALUES (?, ?, 0)').run('support', survey);
    const log: string[] = [];
    let interceptor: ((c: CallRecord) => boolean | Promise<boolean>) | undefined;
    const calls: SurveyCalls = {
      onAgentHangup: (fn) => (interceptor = fn),
      endCall: async (id, reason, opts) => void log.push(`end ${id} ${reason} keepCustomer=${opts?.keepCustomer}`),
      record: (id, type) => void log.push(`record ${id} ${type}`),
    };
    const ari = {
      channels: {
        continueInDialplan: async (ch: string, t: { context: string; extension: string }) => {
          if (continueFails) throw new Error('gone');
          log.push(`continue ${ch} ${t.context},${t.extension}`);
        },
        hangup: async (ch: string) => void log.push(`hangup ${ch}`),
      },
    } as unknown as AriClient;
    new SurveyHook({ calls, ari, db, config: testConfig(), log: silentLogger() }).install();
    const call = { id: 'C1', ...base } as CallRecord;
    return { log, run: () => interceptor!(call) };
  }

  it('ends the call part keeping the customer, then continues it to the survey', async () => {
    const s = setup('900');
    expect(await s.run()).toBe(true);
    expect(s.log).toEqual(['record C1 survey', 'end C1 agent-hangup keepCustomer=true', 'continue leg-1 cc-survey,900']);
  });

  it('leaves calls of queues without a survey to the default handling', async () => {
    const s = setup(null);
    expect(await s.run()).toBe(false);
    expect(s.log).toEqual([]);
  });

  it('hangs the customer up when the survey cannot be reached', async () => {
    const s = setup('900', true);
    expect(await s.run()).toBe(true);
    expect(s.log).toEqual(['record C1 survey', 'end C1 agent-hangup keepCustomer=true', 'hangup leg-1']);
  });
});
