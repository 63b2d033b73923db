/**
 * Who hears whom, measured on a real Asterisk: every party plays a tone of its own (dialplan
 * Playtones, asterisk-test-conf/extensions-test.conf: customer 400 Hz, agent 1000 Hz, supervisor
 * 2200 Hz) and what each party RECEIVES is recorded with MixMonitor's r() option on the party's own
 * dialplan channel (audio read from that channel = what the rest of the call sends to the party),
 * then measured with sox: RMS after a band-pass filter around each tone.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { AmiDriver } from './ami-driver';
import { eventually } from './harness';

export const TONES = { customer: 400, agent: 1000, supervisor: 2200 } as const;
export type Party = keyof typeof TONES;

/** RMS amplitude (0..1) above which a tone counts as heard; silence measures ~0.0003, a tone ~0.07. */
export const HEARD = 0.02;
/** RMS amplitude below which a tone counts as not heard. */
export const NOT_HEARD = 0.01;

/** Whether sox is on PATH (the audio tests skip, saying so, when it is not). */
export function soxAvailable(): boolean {
  const r = spawnSync('sox', ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

/** RMS of `file` in the band around `hz` (±100 Hz), skipping the first 0.3 s (switching transients). */
export function bandRms(file: string, hz: number): number {
  const r = spawnSync('sox', [file, '-n', 'trim', '0.3', 'sinc', `${hz - 100}-${hz + 100}`, 'stat'], { encoding: 'utf8' });
  const m = /RMS\s+amplitude:\s+([0-9.e+-]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) throw new Error(`sox on ${file} failed: ${r.stderr}`);
  return Number(m[1]);
}

/** RMS per party tone in one received-audio file. */
export type Received = Record<Party, number>;

export function analyse(file: string): Received {
  return { customer: bandRms(file, TONES.customer), agent: bandRms(file, TONES.agent), supervisor: bandRms(file, TONES.supervisor) };
}

/** "400Hz:0.0721 1000Hz:0.0003 2200Hz:0.0002" */
export function describe(r: Received): string {
  return (Object.keys(TONES) as Party[]).map((p) => `${TONES[p]}Hz:${r[p].toFixed(4)}`).join(' ');
}

/**
 * Heard / not heard / in between: an unclear measurement fails both checks on purpose, and carries
 * its value so the failing diff shows it, e.g. "unclear 0.0143".
 */
export function heard(r: Received): Record<Party, string> {
  const v = (x: number) => (x >= HEARD ? 'heard' : x <= NOT_HEARD ? 'silent' : `unclear ${x.toFixed(4)}`);
  return { customer: v(r.customer), agent: v(r.agent), supervisor: v(r.supervisor) };
}

/**
 * Records what each given party receives for `ms`, on the party's dialplan channel (a Local ;2 or
 * the customer's handset ;1), and returns the analysis per party.
 */
export async function recordReceived(
  ami: AmiDriver,
  dir: string,
  label: string,
  channels: Partial<Record<Party, string>>,
  ms = 1500,
): Promise<Partial<Record<Party, Received>>> {
  fs.mkdirSync(dir, { recursive: true });
  // A file name goes inside MixMonitor's r(...) option: no commas, parentheses or spaces.
  const slug = label.replace(/[^A-Za-z0-9_-]+/g, '-');
  const files: Partial<Record<Party, string>> = {};
  for (const [party, channel] of Object.entries(channels) as [Party, string][]) {
    const rx = path.join(dir, `${slug}-${party}-rx.wav`);
    files[party] = rx;
    const r = await ami.action('MixMonitor', { Channel: channel, File: path.join(dir, `${slug}-${party}-mix.wav`), Options: `r(${rx})` });
    if (r.Response !== 'Success') throw new Error(`MixMonitor on ${channel} (${party}): ${JSON.stringify(r)}`);
  }
  await new Promise((r) => setTimeout(r, ms));
  for (const channel of Object.values(channels)) await ami.action('StopMixMonitor', { Channel: channel });
  const out: Partial<Record<Party, Received>> = {};
  for (const [party, file] of Object.entries(files) as [Party, string][]) {
    // MixMonitor closes its files on its own thread after StopMixMonitor: wait for a full file.
    let last = -1;
    await eventually(() => {
      const size = fs.existsSync(file) ? fs.statSync(file).size : 0;
      const stable = size > 8000 && size === last;
      last = size;
      return stable;
    }, 5000, `recording ${file}`, 100);
    out[party] = analyse(file);
  }
  return out;
}
