/**
 * README "Reports" holds ONE definition per number, generated from src/reports/metrics.ts (the list
 * the tables and CSV headers use too), so the text cannot drift from the code. After changing a
 * definition: `UPDATE_README=1 npx jest test/reports/readme-definitions.test.ts` rewrites the block
 * between the markers (then review the diff).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ATTRIBUTION, METRICS } from '../../src/reports/metrics';
import { quantitativeRowSchema, summaryRowSchema } from '../../src/reports/schema';

const README = path.resolve(__dirname, '../../README.md');
const START = '<!-- report-definitions: generated from src/reports/metrics.ts, checked by test/reports/readme-definitions.test.ts -->';
const END = '<!-- /report-definitions -->';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

function block(): string {
  const rows = ['| key | printed as | report | definition |', '|---|---|---|---|'];
  for (const m of METRICS) rows.push(`| \`${m.key}\` | ${cell(m.label)} | ${m.reports.join(', ')} | ${cell(m.definition)} |`);
  return [...rows, '', ...ATTRIBUTION.map((a) => `- ${a}`)].join('\n');
}

it('README report definitions = src/reports/metrics.ts', () => {
  const text = fs.readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect({ start: start >= 0, end: end > start }).toEqual({ start: true, end: true });
  const current = text.slice(start + START.length, end).trim();
  const expected = block();
  if (process.env.UPDATE_README && current !== expected) {
    fs.writeFileSync(README, `${text.slice(0, start + START.length)}\n${expected}\n${text.slice(end)}`);
    return;
  }
  expect(current).toBe(expected);
});

it('every number a report answers has its one definition, and every definition a number', () => {
  const keys = METRICS.map((m) => m.key);
  expect(new Set(keys).size).toBe(keys.length);
  for (const [kind, schema] of [['quantitative', quantitativeRowSchema], ['summary', summaryRowSchema]] as const) {
    const fields = Object.keys(schema.shape).filter((k) => k !== 'key').sort();
    expect({ kind, fields }).toEqual({ kind, fields: METRICS.filter((m) => m.reports.includes(kind)).map((m) => m.key).sort() });
  }
});
