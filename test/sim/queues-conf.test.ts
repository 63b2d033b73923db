import { loadQueuesConf, parseQueuesConf } from '../../src/sim';

describe('parseQueuesConf', () => {
  it('templates, inheritance, [general] autofill as the default, per-queue override, seconds → ms', () => {
    const queues = parseQueuesConf(
      [
        '[general]',
        'autofill = yes ; comment',
        '[tpl](!)',
        'strategy = ringall',
        'timeout = 4',
        '[a](tpl)',
        '[b](tpl)',
        'autofill = no',
        'retry => 1',
        'member => Local/1000@cc-agent/n,2,Agent 1000,hint:1000@agent-hints',
      ].join('\n'),
      { msPerSecond: 10 },
    );
    expect(queues).toEqual({
      a: { autofill: true, strategy: 'ringall', timeoutMs: 40, retryMs: 50, wrapupMs: 0, members: [] },
      b: {
        autofill: false,
        strategy: 'ringall',
        timeoutMs: 40,
        retryMs: 10,
        wrapupMs: 0,
        members: [{ interface: 'Local/1000@cc-agent/n', penalty: 2, memberName: 'Agent 1000', stateInterface: 'hint:1000@agent-hints' }],
      },
    });
  });

  it("Asterisk's own defaults when the file says nothing: autofill no, timeout 15, retry 5", () => {
    expect(parseQueuesConf('[q]\n')).toEqual({ q: { autofill: false, timeoutMs: 15_000, retryMs: 5_000, wrapupMs: 0, members: [] } });
  });

  it('reads the exit-key context: every shipped queue offers the callback key', () => {
    expect(parseQueuesConf('[q]\ncontext = cc-queue-callback\n').q.exitContext).toBe('cc-queue-callback');
    const shipped = loadQueuesConf('asterisk-conf/queues.conf');
    expect(Object.values(shipped).map((q) => q.exitContext)).toEqual(Object.keys(shipped).map(() => 'cc-queue-callback'));
  });

  it('refuses what the simulator cannot model and what it cannot parse', () => {
    expect(() => parseQueuesConf('[q]\nstrategy = linear')).toThrow('strategy linear is not modelled');
    expect(() => parseQueuesConf('[q]\nringinuse = yes')).toThrow('ringinuse = yes is not modelled');
    expect(() => parseQueuesConf('[q](nope)')).toThrow('unknown template nope');
    expect(() => parseQueuesConf('timeout = 3')).toThrow('line 1');
    expect(() => parseQueuesConf('[q]\ntimeout = soon')).toThrow('timeout must be a number of seconds');
  });
});
