/**
 * The README's command table is `callcenterd --help` and every group's `--help`: same commands, same
 * usage terms, same one-line purposes, in the same order. It is checked here so it cannot drift.
 * After changing a command: `UPDATE_README=1 npx jest test/cli/readme-commands.test.ts` rewrites the
 * block between the markers (then review the diff).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main';

const README = path.resolve(__dirname, '../../README.md');
const START = '<!-- cli-commands: generated from --help, checked by test/cli/readme-commands.test.ts -->';
const END = '<!-- /cli-commands -->';

// Markdown-safe: '|' would split the cell, '*' (rooms *EXT) could start emphasis.
const cell = (s: string) => s.replace(/([|*])/g, '\\$1').replace(/\s+/g, ' ').trim();

/** One row per group (bold) followed by its subcommands, and one per plain command, as --help lists them. */
function commandTable(): string {
  const { program } = buildProgram({ stdout: () => undefined, stderr: () => undefined, env: {}, cwd: '/', now: () => Date.now() });
  const help = program.createHelp();
  const visible = (c: Command) => help.visibleCommands(c).filter((s) => s.name() !== 'help');
  const rows = ['| command | what |', '|---|---|'];
  for (const cmd of visible(program)) {
    const subs = visible(cmd);
    if (!subs.length) {
      rows.push(`| \`${cell(help.subcommandTerm(cmd))}\` | ${cell(help.subcommandDescription(cmd))} |`);
      continue;
    }
    rows.push(`| **\`${cmd.name()}\`** | ${cell(help.subcommandDescription(cmd))} |`);
    for (const sub of subs) rows.push(`| \`${cmd.name()} ${cell(help.subcommandTerm(sub))}\` | ${cell(help.subcommandDescription(sub))} |`);
  }
  return rows.join('\n');
}

it('README command table = callcenterd --help and each group --help', () => {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
  const current = text.slice(start + START.length, end).trim();
  const expected = commandTable();
  if (process.env.UPDATE_README && current !== expected) {
    fs.writeFileSync(README, `${text.slice(0, start + START.length)}\n${expected}\n${text.slice(end)}`);
    return;
  }
  expect(current).toBe(expected);
  // The commands the audit found missing are there.
  for (const c of ['call transfer ', 'call transfer-complete', 'call transfer-cancel', 'call conference', 'call room', 'callback add', 'callback list', 'callback cancel', 'room add', 'room list', 'room remove', '`monitor']) {
    expect(current).toContain(c);
  }
});
