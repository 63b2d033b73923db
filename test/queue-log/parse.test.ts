/**
 * queue_log lines → ended stays (src/queue-log/parse.ts): formats from app_queue.c (Asterisk 22),
 * and the real lines of test/fixtures/captures/native-queue-log.queue_log (native.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { endedContacts, parseQueueLogLine, type QueueLogEntry } from '../../src/queue-log/parse';

const entries = (text: string): QueueLogEntry[] =>
  text
    .trim()
    .split('\n')
    .map((l) => parseQueueLogLine(l.trim()))
    .filter((e): e is QueueLogEntry => e !== undefined);

describe('parseQueueLogLine', () => {
  test('fields, times in ms, data after the event', () => {
    expect(parseQueueLogLine('1765000000|1765000000.12|support|Ana Lima|CONNECT|4|1765000004.15|2\n')).toEqual({
      at: 1765000000000, callid: '1765000000.12', queue: 'support', agent: 'Ana Lima', event: 'CONNECT', data: ['4', '1765000004.15', '2'],
    });
  });
  test('lines that are not a caller in a queue are skipped', () => {
    expect(parseQueueLogLine('1765000000|NONE|NONE|NONE|QUEUESTART|')).toBeUndefined();
    expect(parseQueueLogLine('1765000000|MANAGER|support|PJSIP/1000|ADDMEMBER|')).toBeDefined(); // a member line: kept, ignored later
    expect(parseQueueLogLine('garbage')).toBeUndefined();
    expect(parseQueueLogLine('')).toBeUndefined();
    expect(parseQueueLogLine('12|a|support|NONE|ENTERQUEUE||1|1')).toBeUndefined();
  });
});

describe('endedContacts', () => {
  test('answered and completed by the caller: join, ring, answer and end times, number and name', () => {
    const c = endedContacts(entries(`
      1765000000|c1|support|NONE|CCLINKEDID|lk1
      1765000000|c1|support|NONE|ENTERQUEUE||5511987654321|1|Maria
      1765000004|c1|support|Ana Lima|CONNECT|4|m1|2
      1765000064|c1|support|Ana Lima|COMPLETECALLER|4|60|1
    `));
    expect(c).toEqual([{
      callid: 'c1', linkedid: 'lk1', queue: 'support', joinedAt: 1765000000000, callerNumber: '5511987654321', callerName: 'Maria', position: 1,
      outcome: 'answered', leftAt: 1765000004000, member: 'Ana Lima', rangAt: 1765000002000, connectedAt: 1765000004000,
      endedAt: 1765000064000, endReason: 'customer-hangup',
    }]);
  });

  test('a completion alone (joined before the lines read) counts back from hold and talk time', () => {
    const [c] = endedContacts(entries('1765000064|c1|support|Ana Lima|COMPLETEAGENT|4|60|1'));
    expect(c).toMatchObject({ joinedAt: 1765000000000, connectedAt: 1765000004000, endedAt: 1765000064000, endReason: 'agent-hangup', callerNumber: null, linkedid: null });
  });

  test('transfers: the last three fields are hold|talk|position whatever the method says', () => {
    const c = endedContacts(entries(`
      1765000070|c2|support|Ana Lima|BLINDTRANSFER|700|cc-services|5|65|1
      1765000090|c3|support|Ana Lima|ATTENDEDTRANSFER|LINK|PJSIP/1-1|PJSIP/2-2|10|80|2
    `));
    expect(c.map((x) => [x.callid, x.endReason, x.connectedAt, x.joinedAt])).toEqual([
      ['c2', 'transferred', 1765000005000, 1765000000000],
      ['c3', 'transferred', 1765000010000, 1765000000000],
    ]);
  });

  test('callers who never reached an agent: abandoned, timeout, left (empty queue, key)', () => {
    const c = endedContacts(entries(`
      1765000000|a|support|NONE|ENTERQUEUE||111|1
      1765000009|a|support|NONE|ABANDON|1|1|9
      1765000030|t|support|NONE|EXITWITHTIMEOUT|1|1|30
      1765000002|e|support|NONE|EXITEMPTY|1|1|2
      1765000007|k|support|NONE|EXITWITHKEY|5|1|1|7
    `));
    expect(c.map((x) => [x.callid, x.outcome, x.joinedAt, x.leftAt])).toEqual([
      ['a', 'abandoned', 1765000000000, 1765000009000],
      ['t', 'timeout', 1765000000000, 1765000030000],
      ['e', 'left', 1765000000000, 1765000002000],
      ['k', 'left', 1765000000000, 1765000007000],
    ]);
  });

  test('a stay not over yet (no final line) is not returned; one caller in two queues is two stays', () => {
    const c = endedContacts(entries(`
      1765000000|x|support|NONE|ENTERQUEUE||111|1
      1765000003|x|support|Ana Lima|CONNECT|3|m|1
      1765000000|y|support|NONE|ENTERQUEUE||222|1
      1765000010|y|support|NONE|EXITWITHTIMEOUT|1|1|10
      1765000011|y|sales|NONE|ENTERQUEUE||222|1
      1765000015|y|sales|Bo|CONNECT|4|m2|1
      1765000020|y|sales|Bo|COMPLETEAGENT|4|5|1
    `));
    expect(c.map((x) => [x.callid, x.queue, x.outcome])).toEqual([
      ['y', 'support', 'timeout'],
      ['y', 'sales', 'answered'],
    ]);
  });

  test('the real Asterisk 22 lines of a native call (capture)', () => {
    const file = path.join(__dirname, '../fixtures/captures/native-queue-log.queue_log');
    const c = endedContacts(entries(fs.readFileSync(file, 'utf8')));
    expect(c.length).toBeGreaterThan(0);
    const answered = c.find((x) => x.outcome === 'answered')!;
    expect(answered).toMatchObject({ queue: 'support', endReason: expect.stringMatching(/hangup/), linkedid: expect.any(String) });
    expect(answered.linkedid).not.toBe(answered.callid); // the Local ;1 is the call's first channel
    expect(answered.member).toBeTruthy();
    expect(answered.connectedAt!).toBeGreaterThanOrEqual(answered.joinedAt);
    expect(answered.endedAt!).toBeGreaterThanOrEqual(answered.connectedAt!);
  });
});
