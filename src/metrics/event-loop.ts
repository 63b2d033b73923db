/**
 * The event-loop lag series (nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds), sampled
 * every EVENT_LOOP_SAMPLE_MS instead of prom-client's 10 ms.
 *
 * Why: the sampler is a libuv timer, so at 10 ms it woke an idle daemon 100 times a second; measured
 * (issue 12) 9.8 ms of CPU per second with nothing to do, 1.6 ms at 100 ms. prom-client's own
 * histogram cannot be turned off alone, so it is given a period of an hour (it then never fires) and
 * its series are replaced by these.
 *
 * The values are the lag itself: how late the sample timer fired. (prom-client reports the whole
 * interval between two samples, period included, so an idle loop showed p50 ≈ 0.010 s.) Like
 * prom-client, the samples are those since the previous scrape; nodejs_eventloop_lag_seconds (the lag
 * seen at scrape time) stays prom-client's.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

export const EVENT_LOOP_SAMPLE_MS = 100;
/** Period handed to prom-client's own sampler so that it never wakes the loop. */
export const PROM_CLIENT_SAMPLE_MS = 3_600_000;

const SERIES = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const;
type Series = (typeof SERIES)[number];

export function replaceEventLoopLag(registry: Registry): { stop(): void } {
  const h = monitorEventLoopDelay({ resolution: EVENT_LOOP_SAMPLE_MS });
  h.enable();
  const periodNs = EVENT_LOOP_SAMPLE_MS * 1e6;
  const late = (ns: number) => Math.max(0, ns - periodNs) / 1e9;
  const read = (): Record<Series, number> => {
    if (h.count === 0) return { min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 };
    return {
      min: late(h.min),
      max: late(h.max),
      mean: late(h.mean),
      stddev: h.stddev / 1e9,
      p50: late(h.percentile(50)),
      p90: late(h.percentile(90)),
      p99: late(h.percentile(99)),
    };
  };
  const gauges = new Map<Series, Gauge>();
  for (const s of SERIES) {
    const name = `nodejs_eventloop_lag_${s}_seconds`;
    registry.removeSingleMetric(name);
    gauges.set(
      s,
      new Gauge({
        name,
        help: `The ${s} of how late the event loop's ${EVENT_LOOP_SAMPLE_MS} ms sample timer fired since the last scrape, in seconds.`,
        registers: [registry],
        // The first series read at a scrape sets them all from one snapshot, then starts a new window.
        ...(s === 'min'
          ? {
              collect() {
                const v = read();
                for (const [k, g] of gauges) g.set(v[k]);
                h.reset();
              },
            }
          : {}),
      }),
    );
  }
  return { stop: () => h.disable() };
}
