/**
 * Soak: a steady load for N minutes while the daemon's probe (probe.js, preloaded into the child)
 * samples RSS, heap and event-loop lag. The verdict compares the trend (least-squares slope per
 * hour, after a warm-up) with the level: "flat" when RSS and heap grow less than 10 % an hour.
 */
import fs from 'node:fs';
import type { Load } from './load';
import { sleep, type ChaosStack } from './stack';

export interface ProbeSample {
  t: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  lagMeanMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
}

export interface SoakResult {
  minutes: number;
  samples: number;
  calls: { offered: number; connected: number; gaveUp: number; failed: number };
  rssMiB: { first: number; last: number; min: number; max: number; slopePerHour: number };
  heapMiB: { first: number; last: number; min: number; max: number; slopePerHour: number };
  lagMs: { meanOfMeans: number; worstP99: number; max: number; p99SlopePerHour: number };
  verdict: 'flat' | 'growing';
}

export function readProbe(file: string): ProbeSample[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProbeSample);
}

/** Least-squares slope of y over t (ms), per hour. */
export function slopePerHour(points: { t: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.t - mt) * (p.y - my);
    den += (p.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 3_600_000;
}

const MiB = 1024 * 1024;
const r1 = (x: number) => Math.round(x * 10) / 10;

export function summarise(samples: ProbeSample[], warmupMs: number): Omit<SoakResult, 'minutes' | 'calls'> {
  const t0 = samples[0]?.t ?? 0;
  const steady = samples.filter((s) => s.t - t0 >= warmupMs);
  const use = steady.length >= 4 ? steady : samples;
  const series = (f: (s: ProbeSample) => number) => {
    const ys = use.map(f);
    return {
      first: r1(ys[0] ?? 0),
      last: r1(ys[ys.length - 1] ?? 0),
      min: r1(Math.min(...ys)),
      max: r1(Math.max(...ys)),
      slopePerHour: r1(slopePerHour(use.map((s) => ({ t: s.t, y: f(s) })))),
    };
  };
  const rssMiB = series((s) => s.rss / MiB);
  const heapMiB = series((s) => s.heapUsed / MiB);
  const lagMs = {
    meanOfMeans: r1(use.reduce((a, s) => a + s.lagMeanMs, 0) / Math.max(1, use.length)),
    worstP99: r1(Math.max(...use.map((s) => s.lagP99Ms))),
    max: r1(Math.max(...use.map((s) => s.lagMaxMs))),
    p99SlopePerHour: r1(slopePerHour(use.map((s) => ({ t: s.t, y: s.lagP99Ms })))),
  };
  const mean = (f: (s: ProbeSample) => number) => use.reduce((a, s) => a + f(s), 0) / Math.max(1, use.length) / MiB;
  const growing = rssMiB.slopePerHour > 0.1 * mean((s) => s.rss) || heapMiB.slopePerHour > 0.1 * mean((s) => s.heapUsed);
  return { samples: samples.length, rssMiB, heapMiB, lagMs, verdict: growing ? 'growing' : 'flat' };
}

export async function runSoak(stack: ChaosStack, load: Load, minutes: number, probeFile: string, say: (l: string) => void): Promise<SoakResult> {
  const t0 = Date.now();
  const end = t0 + minutes * 60_000;
  load.start();
  while (Date.now() < end) {
    await sleep(Math.min(60_000, end - Date.now()));
    const s = readProbe(probeFile);
    const last = s[s.length - 1];
    const w = load.window(t0, Date.now());
    if (last) {
      say(`  soak ${((Date.now() - t0) / 60_000).toFixed(1)} min: rss ${r1(last.rss / MiB)} MiB, heap ${r1(last.heapUsed / MiB)} MiB, lag p99 ${last.lagP99Ms} ms; calls ${w.connected}/${w.offered} connected, ${w.gaveUp} gave up, ${w.failed} failed`);
    }
  }
  load.stop();
  await load.drain(30_000);
  const samples = readProbe(probeFile);
  // Warm-up: the first 5 minutes (or a fifth of a short run) fill caches and JIT.
  const warm = Math.min(5 * 60_000, (minutes * 60_000) / 5);
  return { minutes, calls: load.window(t0, Date.now()), ...summarise(samples, warm) };
}
