/** How the browser suite finds Chromium (it must skip, not fail, without one; fail on a bad CHROMIUM_BIN). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ChromiumBinError, findChromium } from './chromium';

describe('findChromium', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-find-chromium-'));
    fs.writeFileSync(path.join(dir, 'chromium'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'not-executable'), '', { mode: 0o644 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('none found: undefined (the suite skips)', () => {
    expect(findChromium({ PATH: '' }, [])).toBeUndefined();
    expect(findChromium({ PATH: '/nonexistent' }, ['/nonexistent/chromium'])).toBeUndefined();
  });

  test('on PATH, or a fallback path', () => {
    expect(findChromium({ PATH: `/nonexistent${path.delimiter}${dir}` }, [])).toBe(path.join(dir, 'chromium'));
    expect(findChromium({ PATH: '' }, [path.join(dir, 'chromium')])).toBe(path.join(dir, 'chromium'));
  });

  test('CHROMIUM_BIN wins; an unusable one is an error, never a skip; empty means unset', () => {
    expect(findChromium({ CHROMIUM_BIN: process.execPath, PATH: dir }, [])).toBe(process.execPath);
    expect(() => findChromium({ CHROMIUM_BIN: path.join(dir, 'not-executable') }, [])).toThrow(ChromiumBinError);
    expect(() => findChromium({ CHROMIUM_BIN: path.join(dir, 'missing') }, [])).toThrow(/CHROMIUM_BIN=.*missing is not an executable file/);
    expect(findChromium({ CHROMIUM_BIN: '', PATH: '' }, [])).toBeUndefined();
  });
});
