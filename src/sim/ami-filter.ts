/**
 * A manager.conf user's `eventfilter` lines, applied to the events the simulator writes to that
 * user's sessions the way Asterisk 22's main/manager.c does (should_send_event, filter_cmp_fn,
 * manager_add_filter): with include filters only, an event is sent when one matches; with exclude
 * filters only, when none matches; with both, when an include matches and no exclude does.
 *
 * Both syntaxes: advanced `eventfilter(action(include|exclude),name(X),header(H),method(M)) = pattern`
 * (method: regex by default, exact, starts_with, ends_with, contains, none) and legacy
 * `eventfilter = regex` / `eventfilter = !regex` (matched against the whole event text).
 *
 * Why the simulator does this: the daemon's figures (bench, tests) should see the event stream the
 * shipped asterisk-conf/manager.conf gives a real Asterisk, not every event app_queue can raise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { invalid } from '../util/errors';
import type { AmiFieldList } from './ami-codec';

type Method = 'regex' | 'exact' | 'starts_with' | 'ends_with' | 'contains' | 'none';

interface FilterEntry {
  exclude: boolean;
  name?: string;
  /** "Device:" (Asterisk appends the colon). */
  header?: string;
  method: Method;
  pattern: string;
  regex?: RegExp;
}

/** true = the event goes to the session. */
export type AmiEventFilter = (name: string, privilege: string, fields: AmiFieldList) => boolean;

const ADVANCED = /^eventfilter\((.*)\)\s*=\s*(.*)$/;
const LEGACY = /^eventfilter\s*=\s*(.*)$/;

/** Parses the eventfilter lines of one user's section; an unparseable line throws (Asterisk logs and skips it). */
export function parseEventFilters(lines: string[]): FilterEntry[] {
  const out: FilterEntry[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    const adv = ADVANCED.exec(line);
    if (adv) {
      out.push(advancedEntry(adv[1]!, adv[2]!.trim(), line));
      continue;
    }
    const legacy = LEGACY.exec(line);
    if (legacy) {
      const exclude = legacy[1]!.startsWith('!');
      const pattern = exclude ? legacy[1]!.slice(1) : legacy[1]!;
      out.push({ exclude, method: 'regex', pattern, regex: new RegExp(pattern) });
    }
  }
  return out;
}

function advancedEntry(options: string, pattern: string, line: string): FilterEntry {
  const e: FilterEntry = { exclude: false, method: pattern === '' ? 'none' : 'regex', pattern };
  let found = false;
  // Options are "key(value)" separated by commas; values hold no commas in Asterisk's syntax.
  for (const opt of options.split(/\),\s*/)) {
    const m = /^(\w+)\((.*?)\)?$/.exec(opt.trim());
    if (!m) throw invalid(`manager.conf: cannot read filter option "${opt}" in ${line}`);
    const [, key, value] = m as unknown as [string, string, string];
    found = true;
    if (key === 'action') {
      if (value !== 'include' && value !== 'exclude') throw invalid(`manager.conf: action must be include or exclude in ${line}`);
      e.exclude = value === 'exclude';
    } else if (key === 'name') e.name = value;
    else if (key === 'header') e.header = value.endsWith(':') ? value : `${value}:`;
    else if (key === 'method') {
      if (!['regex', 'exact', 'starts_with', 'ends_with', 'contains', 'none'].includes(value)) throw invalid(`manager.conf: unknown method "${value}" in ${line}`);
      e.method = value as Method;
    } else throw invalid(`manager.conf: unknown filter option "${key}" in ${line}`);
  }
  if (!found) throw invalid(`manager.conf: no filter option in ${line}`);
  if (pattern === '' && e.method !== 'none') throw invalid(`manager.conf: method ${e.method} needs a pattern in ${line}`);
  if (pattern !== '' && e.method === 'none') throw invalid(`manager.conf: method none takes no pattern in ${line}`);
  if (e.method === 'regex') e.regex = new RegExp(pattern);
  return e;
}

function matchData(e: FilterEntry, data: string): boolean {
  switch (e.method) {
    case 'regex':
      return e.regex!.test(data);
    case 'starts_with':
      return data.startsWith(e.pattern);
    case 'ends_with':
      return data.endsWith(e.pattern);
    case 'contains':
      return data.includes(e.pattern);
    case 'exact':
      return data === e.pattern;
    case 'none':
      return true;
  }
}

function matches(e: FilterEntry, name: string, text: () => string, fields: AmiFieldList): boolean {
  if (e.name !== undefined && e.name !== name) return false;
  if (e.header === undefined) return matchData(e, text());
  const header = e.header.slice(0, -1);
  for (const [k, v] of fields) if (k === header && v.trim() !== '' && matchData(e, v.trim())) return true;
  return false;
}

/** The filter function of a parsed list; undefined when the list is empty (everything is sent). */
export function compileEventFilter(entries: FilterEntry[]): AmiEventFilter | undefined {
  if (entries.length === 0) return undefined;
  const includes = entries.filter((e) => !e.exclude);
  const excludes = entries.filter((e) => e.exclude);
  return (name, privilege, fields) => {
    let cached: string | undefined;
    // The event as Asterisk's filters see it: "Event: X\r\nPrivilege: ...\r\n" then the headers.
    const text = () => (cached ??= [`Event: ${name}`, `Privilege: ${privilege}`, ...fields.map(([k, v]) => `${k}: ${v}`)].join('\r\n') + '\r\n');
    const included = includes.length === 0 || includes.some((e) => matches(e, name, text, fields));
    return included && !excludes.some((e) => matches(e, name, text, fields));
  };
}

/** The eventfilter lines of `[user]` in a manager.conf text (comments after ';' removed). */
export function managerUserFilterLines(conf: string, user: string): string[] {
  const lines: string[] = [];
  let inSection = false;
  for (const raw of conf.split(/\r?\n/)) {
    const line = raw.replace(/;.*$/, '').trim();
    const section = /^\[([^\]]+)\]/.exec(line);
    if (section) inSection = section[1] === user;
    else if (inSection && line.startsWith('eventfilter')) lines.push(line);
  }
  return lines;
}

/** Reads `[user]`'s filters from a manager.conf file. */
export function loadManagerEventFilter(file: string, user: string): AmiEventFilter | undefined {
  return compileEventFilter(parseEventFilters(managerUserFilterLines(fs.readFileSync(file, 'utf8'), user)));
}

/** asterisk-conf/manager.conf of this checkout or package (searched upward from this module), if any. */
export function shippedManagerConf(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'asterisk-conf', 'manager.conf');
    if (fs.existsSync(file)) return file;
    if (path.dirname(dir) === dir) return undefined;
  }
}
