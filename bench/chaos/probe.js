'use strict';
// Preloaded into the daemon child by the fault bench's soak (node -r): every CHAOS_PROBE_MS it
// appends one JSON line {t, rss, heapUsed, heapTotal, external, lagMeanMs, lagP99Ms, lagMaxMs} to
// CHAOS_PROBE_FILE. Event-loop lag from perf_hooks.monitorEventLoopDelay, reset per sample.
const fs = require('fs');
const { monitorEventLoopDelay } = require('perf_hooks');

const file = process.env.CHAOS_PROBE_FILE;
if (file) {
  const every = Number(process.env.CHAOS_PROBE_MS) || 5000;
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 100) / 100;
  const t = setInterval(() => {
    const m = process.memoryUsage();
    const line = {
      t: Date.now(),
      rss: m.rss,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
      external: m.external,
      lagMeanMs: ms(h.mean),
      lagP99Ms: ms(h.percentile(99)),
      lagMaxMs: ms(h.max),
    };
    h.reset();
    try {
      fs.appendFileSync(file, JSON.stringify(line) + '\n');
    } catch {
      /* a full disk must not crash the daemon through its probe */
    }
  }, every);
  t.unref();
}
