/**
 * The console's browser code compiles (its own tsconfig with the DOM library: the root
 * `tsc --noEmit` does not see those files) and the page references only what the build and the
 * daemon provide: no CDN, no inline script or style (the CSP would block them), every local
 * asset present.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { buildConsole } = require('../../scripts/build-console') as { buildConsole(dir: string): { ok: boolean; output: string } };

describe('console build', () => {
  let out: string;
  beforeAll(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'ccd-console-build-'));
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  test('the browser TypeScript compiles without errors; the page and its assets are in place', () => {
    const r = buildConsole(out);
    expect(r.output).toBe('');
    expect(r.ok).toBe(true);
    for (const f of ['index.html', 'console.css', 'favicon.svg', 'js/main.js', 'js/wallboard.js', 'js/wallboard-model.js', 'js/reports.js', 'js/recordings.js', 'js/i18n.js']) {
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    }
    // ES modules as the browser loads them: relative imports with their .js extension.
    const main = fs.readFileSync(path.join(out, 'js', 'main.js'), 'utf8');
    expect(main).toMatch(/from '\.\/wallboard\.js'/);
  }, 60_000);

  test('index.html: local assets only (present after the build or vendored), no inline script or style', () => {
    const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(3);
    for (const ref of refs) {
      expect(ref).not.toMatch(/^(https?:)?\/\//);
      if (ref.startsWith('#')) continue;
      if (ref.startsWith('vendor/')) expect(['vendor/uPlot.iife.min.js', 'vendor/uPlot.min.css']).toContain(ref);
      else expect(fs.existsSync(path.join(out, ref))).toBe(true);
    }
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son\w+=/i);
  });

  test('the browser code never writes HTML from strings (textContent only)', () => {
    const dir = path.join(__dirname, '..', '..', 'src', 'console', 'web');
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      expect({ f, bad: /\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(/.test(src) }).toEqual({ f, bad: false });
    }
  });
});
