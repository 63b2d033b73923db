/**
 * The supervisor console (`GET /console/`): a small single-page app served by the daemon itself,
 * so a supervisor needs nothing but a browser and a token. This module only serves files; the page
 * talks to the same API and /events stream as every other client, with the token the user types
 * (kept in sessionStorage by the page). Nothing here needs a token: the files hold no data.
 *
 * Layout: `static/` (index.html, console.css) is copied next to this file's compiled version by
 * scripts/build.js, and the browser code (src/console/web/*.ts, its own tsconfig with the DOM
 * library) is compiled into `static/js/`. The chart library (uPlot) is served from node_modules
 * under /console/vendor/ (no CDN: the console works on an isolated network and the CSP allows
 * only this origin).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DaemonModule } from '../daemon/module';
import type { Logger } from '../log/logger';
import { StaticSite } from './static-server';

export const CONSOLE_PREFIX = '/console';

/** URL below /console/ → file in node_modules. A fixed list: nothing else of node_modules is reachable. */
export function vendorFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const add = (url: string, request: string) => {
    try {
      files[url] = require.resolve(request);
    } catch {
      /* reported by the module's start(): the charts are then missing, the rest works */
    }
  };
  add('vendor/uPlot.iife.min.js', 'uplot/dist/uPlot.iife.min.js');
  add('vendor/uPlot.min.css', 'uplot/dist/uPlot.min.css');
  return files;
}

export interface ConsoleModuleOptions {
  /** Directory with index.html, console.css and js/ (default: `static` next to this module, as built). */
  staticDir?: string;
  log: Logger;
}

export function createConsoleModule(opts: ConsoleModuleOptions): DaemonModule & { site: StaticSite } {
  const root = opts.staticDir ?? path.join(__dirname, 'static');
  const vendor = vendorFiles();
  const site = new StaticSite({ prefix: CONSOLE_PREFIX, root, vendor });
  return {
    name: 'console',
    site,
    start() {
      // A daemon run from sources (not built) has no compiled page: say so instead of a blank page.
      if (!site.available() || !fs.existsSync(path.join(root, 'js', 'main.js'))) {
        opts.log.warn('supervisor console not built: /console/ will answer 404 (run npm run build)', { dir: root });
      }
      if (!vendor['vendor/uPlot.iife.min.js']) opts.log.warn('supervisor console: uplot is not installed; report charts are unavailable');
    },
    statics: () => [site],
  };
}
