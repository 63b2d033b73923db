/**
 * Reads an Asterisk queues.conf into the simulator's queue options, so tests run the sim with the
 * settings asterisk-conf/queues.conf actually ships (a setting lost from that file then shows up
 * as a behaviour change, not as a silent difference between the sim and Asterisk).
 *
 * Syntax handled (what Asterisk's config parser does for these files): `;` comments, `[section]`,
 * templates `[name](!)`, inheritance `[name](tpl)` / `[name](!,tpl1,tpl2)` (the templates' lines
 * first, in order), `key = value` and `key => value`.
 *
 * Settings the sim models, with Asterisk's defaults when a file does not set them:
 *   [general] autofill       default for every queue (Asterisk: no)
 *   strategy                 rrmemory | ringall (others are refused: the sim does not model them)
 *   timeout, retry, wrapuptime   seconds (Asterisk: 15, 5, 0)
 *   autofill                 per-queue override of [general]
 *   context                  exit-key context (src/sim/queue-callback.ts)
 *   ringinuse                must be no: the sim never offers a member whose state is in use
 *   member                   `Interface[,penalty[,MemberName[,StateInterface]]]`: static members
 * Anything else is accepted and ignored (announcements, autopause, joinempty...).
 */
import * as fs from 'node:fs';
import { CcError } from '../util/errors';
import { QUEUE_STRATEGIES, type QueueOptions, type QueueStrategy } from './queue-types';

export interface QueuesConfOptions {
  /** Milliseconds per second of the file (shrink to run real timeouts fast). Default 1000. */
  msPerSecond?: number;
}

interface Section {
  name: string;
  template: boolean;
  lines: [string, string][];
}

/** Asterisk's ast_true(): yes, true, y, t, 1, on. */
const isTrue = (v: string) => /^(yes|true|y|t|1|on)$/i.test(v.trim());

function parseSections(text: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') return;
    const head = /^\[([^\]]+)\]\s*(?:\(([^)]*)\))?$/.exec(line);
    if (head) {
      const opts = (head[2] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
      current = { name: head[1].trim(), template: opts.includes('!'), lines: [] };
      for (const parent of opts.filter((o) => o !== '!')) {
        const tpl = sections.get(parent);
        if (!tpl) throw new CcError('invalid', `queues.conf line ${i + 1}: unknown template ${parent}`);
        current.lines.push(...tpl.lines);
      }
      sections.set(current.name, current);
      return;
    }
    const kv = /^([^=]+?)\s*=>?\s*(.*)$/.exec(line);
    if (!kv || !current) throw new CcError('invalid', `queues.conf line ${i + 1}: cannot parse "${raw.trim()}"`);
    current.lines.push([kv[1].trim().toLowerCase(), kv[2].trim()]);
  });
  return sections;
}

function seconds(key: string, v: string, msPerSecond: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new CcError('invalid', `queues.conf: ${key} must be a number of seconds, got "${v}"`);
  return n * msPerSecond;
}

/** queues.conf text → sim queue options by queue name (templates and [general] are not queues). */
export function parseQueuesConf(text: string, o: QueuesConfOptions = {}): Record<string, QueueOptions> {
  const msPerSecond = o.msPerSecond ?? 1000;
  const sections = parseSections(text);
  const general = new Map(sections.get('general')?.lines ?? []);
  const autofillDefault = isTrue(general.get('autofill') ?? 'no');
  const out: Record<string, QueueOptions> = {};
  for (const s of sections.values()) {
    if (s.template || s.name === 'general') continue;
    const q: QueueOptions = { autofill: autofillDefault, timeoutMs: 15 * msPerSecond, retryMs: 5 * msPerSecond, wrapupMs: 0, members: [] };
    for (const [key, value] of s.lines) {
      if (key === 'strategy') {
        if (!QUEUE_STRATEGIES.includes(value as QueueStrategy)) {
          throw new CcError('invalid', `queues.conf [${s.name}]: strategy ${value} is not modelled by the simulator`);
        }
        q.strategy = value as QueueStrategy;
      } else if (key === 'timeout') q.timeoutMs = seconds(key, value, msPerSecond);
      else if (key === 'retry') q.retryMs = seconds(key, value, msPerSecond);
      else if (key === 'wrapuptime') q.wrapupMs = seconds(key, value, msPerSecond);
      else if (key === 'autofill') q.autofill = isTrue(value);
      else if (key === 'context') q.exitContext = value;
      else if (key === 'ringinuse' && isTrue(value)) {
        throw new CcError('invalid', `queues.conf [${s.name}]: ringinuse = yes is not modelled by the simulator`);
      } else if (key === 'member') {
        const [iface, penalty, memberName, stateInterface] = value.split(',').map((x) => x.trim());
        q.members!.push({ interface: iface, penalty: Number(penalty) || 0, memberName: memberName || undefined, stateInterface: stateInterface || undefined });
      }
    }
    out[s.name] = q;
  }
  return out;
}

/** Reads a queues.conf file, e.g. `loadQueuesConf('asterisk-conf/queues.conf')` for `SimOptions.queues`. */
export function loadQueuesConf(file: string, o: QueuesConfOptions = {}): Record<string, QueueOptions> {
  return parseQueuesConf(fs.readFileSync(file, 'utf8'), o);
}
