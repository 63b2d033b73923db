/**
 * Formatting of durations, times and sizes for the console. Pure (no DOM), so jest tests it with
 * the server code's compiler settings.
 */

/** 75 → "01:15", 3725 → "1:02:05"; null/negative → "—". */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${String(m).padStart(2, '0')}:${ss}`;
}

/** Whole seconds from `from` (epoch ms) to `now`, never negative; null when `from` is unknown. */
export function secondsSince(from: number | null | undefined, now: number): number | null {
  if (from === null || from === undefined || !Number.isFinite(from)) return null;
  return Math.max(0, Math.floor((now - from) / 1000));
}

/** Local date and time in the page's language, e.g. "06/12/2026 14:03:07". */
export function dateTime(ms: number | null | undefined, lang: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  return new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'medium' }).format(new Date(ms));
}

/** 1536 → "1.5 KB" (pt-BR: "1,5 KB"). */
export function bytes(n: number | null | undefined, lang: string): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: i === 0 ? 0 : 1 }).format(v)} ${units[i]}`;
}

/** A percentage with one decimal in the page's language ("87,5 %" / "87.5%"). */
export function percent(v: number | null | undefined, lang: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(v / 100);
}

/** The local calendar date of `ms` as YYYY-MM-DD (what <input type=date> and the API's date filters take). */
export function isoDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
