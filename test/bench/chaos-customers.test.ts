/** The fault bench's customer paths: option parsing, and which customer an AgentConnect belongs to. */
import { parseChaosArgs } from '../../bench/chaos/args';
import { customerOfQueueCaller } from '../../bench/chaos/load';

describe('chaos --customers', () => {
  it('defaults to the queue path and accepts trunk', () => {
    expect(parseChaosArgs([]).customers).toBe('queue');
    expect(parseChaosArgs(['--customers', 'trunk']).customers).toBe('trunk');
    expect(parseChaosArgs(['--customers=queue']).customers).toBe('queue');
  });

  it('refuses an unknown path, naming the option', () => {
    expect(() => parseChaosArgs(['--customers', 'sip'])).toThrow(/--customers must be one of queue, trunk \(got sip\)/);
  });

  it('--topology sets the daemon\'s queue_topology; the default is the config\'s; bad values are refused', () => {
    expect(parseChaosArgs([]).topology).toBe('');
    expect(parseChaosArgs(['--topology', 'native']).topology).toBe('native');
    expect(parseChaosArgs(['--topology=member-leg']).topology).toBe('member-leg');
    expect(() => parseChaosArgs(['--topology', 'direct'])).toThrow(/--topology must be one of member-leg, stand-in, native \(got direct\)/);
  });

  it('maps the queue caller of either path to the customer id', () => {
    expect(customerOfQueueCaller('chaos-7-abcdef-q')).toBe('chaos-7-abcdef'); // queue path, or stand-in fallback
    expect(customerOfQueueCaller('chaos-7-abcdef-q-si-q')).toBe('chaos-7-abcdef'); // stand-in
    expect(customerOfQueueCaller('chaos-7-abcdef-q-si')).toBe('chaos-7-abcdef-q-si'); // the stand-in's ;1 is no queue caller
  });
});
