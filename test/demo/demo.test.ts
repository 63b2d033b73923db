/**
 * Smoke test of `npm run demo` (the same runDemo the script runs, ~10 s): it plays the whole story
 * and exits 0, and the story contains what the issue asks the demo to show.
 */
import { runDemo } from '../../src/demo/main';

jest.setTimeout(60_000);

describe('demo', () => {
  it('plays the compressed hour and prints the events and the summary', async () => {
    const out: string[] = [];
    const code = await runDemo((l) => out.push(l));
    const text = out.join('\n');
    const lines = text.split('\n');
    expect(code).toBe(0);
    for (const part of [
      'agent 1000 logged in (support, vendas)',
      'wrap-up done: "Venda"',
      'on hold (customer hears music)',
      'agent 1002 paused: Sem resposta (automatic: 2 missed calls)',
      '(automatic disposition)',
      'ended (prank)',
      '(ended by supervisor:Sofia)',
      'agent 1002 unpaused',
    ])
      expect(text).toContain(part);
    const header = lines.findIndex((l) => /^AGENT\s+CALLS\s+TALK\s+MISSES\s+PAUSES\s+DISPOSITIONS$/.test(l));
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^1000 Ana\s+3\s+\d+ min\s+0\s+1\s+Venda, Tabulação automática, Tabulação automática$/);
    expect(lines[header + 2]).toMatch(/^1001 Bruno\s+2\s+\d+ min\s+0\s+0\s+Dúvida resolvida, Venda$/);
    expect(lines[header + 3]).toMatch(/^1002 Carla\s+0\s+0 min\s+2\s+1\s+-$/);
  });
});
