/**
 * Audio checks with sox on what Asterisk wrote: the RMS level of a time window, whole or in a
 * narrow band around one tone. The test phones play fixed tones (agents 440 Hz, customers 480 Hz:
 * asterisk-test-conf/extensions-test.conf), so "the customer is audible" = energy around 480 Hz.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export function hasSox(): boolean {
  try {
    execFileSync('sox', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** RMS amplitude (0..1) of `file` from `start` s for `dur` s, optionally band-passed to `band` ([lo, hi] Hz). */
export function rms(file: string, start: number, dur: number, band?: [number, number]): number {
  const effects = ['trim', start.toFixed(2), dur.toFixed(2), ...(band ? ['sinc', '-n', '8191', `${band[0]}-${band[1]}`] : []), 'stat'];
  // `stat` reports on stderr.
  const r = spawnSync('sox', [file, '-n', ...effects], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sox failed (${r.status}): ${r.stderr}`);
  return parseRms(r.stderr);
}

function parseRms(text: string): number {
  const m = /RMS\s+amplitude:\s+([0-9.]+)/.exec(text);
  if (!m) throw new Error(`sox stat: no RMS amplitude in ${JSON.stringify(text.slice(0, 300))}`);
  return Number(m[1]);
}

export const AGENT_TONE: [number, number] = [430, 450];
export const CUSTOMER_TONE: [number, number] = [470, 490];
