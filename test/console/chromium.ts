/**
 * A real Chromium for the console's browser suite, driven by playwright-core (which downloads no
 * browser: it drives the one installed, Debian's `chromium` here). Like the real-Asterisk suite
 * (test/integration/asterisk.ts), the suite SKIPS with one clear line when no Chromium is found,
 * and FAILS when CHROMIUM_BIN names something unusable (whoever set it wants the suite to run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export class ChromiumBinError extends Error {}

function executable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** CHROMIUM_BIN, then chromium / chromium-browser on PATH, then /usr/bin/chromium. */
export function findChromium(env: NodeJS.ProcessEnv = process.env, fallbacks: string[] = ['/usr/bin/chromium']): string | undefined {
  const explicit = env.CHROMIUM_BIN || undefined;
  if (explicit !== undefined) {
    if (!executable(explicit)) throw new ChromiumBinError(`CHROMIUM_BIN=${explicit} is not an executable file (unset it to skip the browser suite)`);
    return explicit;
  }
  const dirs = (env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const onPath = dirs.flatMap((d) => ['chromium', 'chromium-browser'].map((n) => path.join(d, n)));
  return [...onPath, ...fallbacks].find(executable);
}

export function describeWithChromium(name: string, fn: (bin: string) => void): void {
  let bin: string | undefined;
  try {
    bin = findChromium();
  } catch (err) {
    if (!(err instanceof ChromiumBinError)) throw err;
    process.stderr.write(`console browser suite FAILED: ${err.message} [${name}]\n`);
    describe(name, () => {
      test('CHROMIUM_BIN points to a usable Chromium', () => {
        throw err;
      });
    });
    return;
  }
  if (!bin) {
    // Straight to stderr: jest does not print the console buffer of a suite whose tests all skipped.
    process.stderr.write(`console browser suite SKIPPED: no Chromium (apt-get install chromium, or set CHROMIUM_BIN) [${name}]\n`);
    describe.skip(`${name} (SKIPPED: no Chromium, set CHROMIUM_BIN)`, () => {
      test('needs Chromium', () => undefined);
    });
    return;
  }
  const found = bin;
  describe(name, () => fn(found));
}

/** Flags for a quiet, reproducible headless run (no network of its own, no profile reuse). */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

/** A fresh profile (--user-data-dir, removed by close()) in a headless Chromium. */
export async function launchChromium(bin: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-chromium-'));
  // playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: bin,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    locale: 'pt-BR',
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
