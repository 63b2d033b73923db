import { Registry, collectDefaultMetrics } from 'prom-client';
import { EVENT_LOOP_SAMPLE_MS, PROM_CLIENT_SAMPLE_MS, replaceEventLoopLag } from '../../src/metrics/event-loop';

const value = (text: string, name: string): number => {
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} missing from:\n${text}`);
  return Number(m[1]);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event-loop lag series', () => {
  it('replace prom-client’s once each, report how late the sampler fired, and start a new window per scrape', async () => {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: PROM_CLIENT_SAMPLE_MS });
    const lag = replaceEventLoopLag(registry);
    try {
      await sleep(EVENT_LOOP_SAMPLE_MS * 3.5);
      // Block the loop well past one period: the sample due meanwhile fires late by most of it.
      const until = Date.now() + EVENT_LOOP_SAMPLE_MS * 3;
      while (Date.now() < until) {
        // busy on purpose
      }
      await sleep(EVENT_LOOP_SAMPLE_MS * 1.5);
      const text = await registry.metrics();
      for (const s of ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99']) {
        expect(text.match(new RegExp(`^# TYPE nodejs_eventloop_lag_${s}_seconds gauge$`, 'gm'))).toHaveLength(1);
      }
      expect(value(text, 'nodejs_eventloop_lag_max_seconds')).toBeGreaterThanOrEqual((EVENT_LOOP_SAMPLE_MS * 1.5) / 1000);
      // The period itself is not lag: the quiet samples read near 0, not near 0.1 s.
      expect(value(text, 'nodejs_eventloop_lag_min_seconds')).toBeLessThan(EVENT_LOOP_SAMPLE_MS / 1000 / 2);
      expect(value(text, 'nodejs_eventloop_lag_min_seconds')).toBeGreaterThanOrEqual(0);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

      // A scrape right after: no sample in the new window yet, so nothing is reported twice.
      const again = await registry.metrics();
      expect(value(again, 'nodejs_eventloop_lag_max_seconds')).toBe(0);
    } finally {
      lag.stop();
      registry.clear();
    }
  });
});
