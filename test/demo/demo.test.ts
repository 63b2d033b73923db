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
      'ended (transferred)',
      '(transfer completed: the customer now talks to agent',
      '(3-way call: customer, agent',
      'ended (conference-ended)',
    ])
      expect(text).toContain(part);
    const header = lines.findIndex((l) => /^AGENT\s+CALLS\s+TALK\s+MISSES\s+PAUSES\s+DISPOSITIONS$/.test(l));
    expect(header).toBeGreaterThan(0);
    const row = (i: number) => lines[header + i].split(/\s{2,}/);
    // Who picks which call is app_queue's (rrmemory) choice: check totals, not the split.
    const [ana, bruno, carla] = [row(1), row(2), row(3)];
    expect([ana[0], bruno[0], carla[0]]).toEqual(['1000 Ana', '1001 Bruno', '1002 Carla']);
    expect(Number(ana[1]) + Number(bruno[1])).toBe(9);
    expect(carla).toEqual(['1002 Carla', '0', '0 min', '2', '1', '-']);
    expect(ana[4]).toBe('1'); // lunch
    const dispositions = [ana[5], bruno[5]].join(', ').split(', ').sort();
    expect(dispositions).toEqual(
      ['Dúvida resolvida', 'Dúvida resolvida', 'Tabulação automática', 'Tabulação automática', 'Tabulação automática', 'Venda', 'Venda', 'Venda', 'Venda'].sort(),
    );
    expect(text).not.toMatch(/skipped/);
  });
});
