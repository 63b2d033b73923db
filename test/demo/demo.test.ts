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
      'ended (answered)',
      '(prank: agent hung up, 5511966660666 blocked until',
      '(ended by supervisor:Sofia)',
      'agent 1002 unpaused',
      'ended (transferred)',
      '(transfer completed: the customer now talks to agent',
      '(3-way call: customer, agent',
    ])
      expect(text).toContain(part);
    // Transfer and conference legs are narrated by their kind, endings by the history status labels.
    expect(text).toMatch(/call #\d+ transfer \d+ connected to agent 100[01]/);
    expect(text).toMatch(/call #\d+ conference \d+ connected to agent 100[01]/);
    expect(text).not.toMatch(/conference-ended|customer-hangup|agent-hangup|\(prank\)/);
    // A call ends before its wrap-up starts.
    for (const [, no] of text.matchAll(/in wrap-up for call #(\d+)/g)) {
      const ended = lines.findIndex((l) => l.includes(`call #${no} ended`));
      expect(ended).toBeGreaterThan(-1);
      expect(ended).toBeLessThan(lines.findIndex((l) => l.includes(`in wrap-up for call #${no}`)));
    }
    const header = lines.findIndex((l) => /^AGENT\s+CALLS\s+TALK\s+MISSES\s+PAUSES\s+DISPOSITIONS$/.test(l));
    expect(header).toBeGreaterThan(0);
    const row = (i: number) => lines[header + i].split(/\s{2,}/);
    // Who picks which call is app_queue's (rrmemory) choice: check totals, not the split. CALLS is the
    // daemon's calls-taken count: 8 customers handled, the conference leg is not a call taken.
    const [ana, bruno, carla] = [row(1), row(2), row(3)];
    expect([ana[0], bruno[0], carla[0]]).toEqual(['1000 Ana', '1001 Bruno', '1002 Carla']);
    expect(Number(ana[1]) + Number(bruno[1])).toBe(8);
    expect(carla).toEqual(['1002 Carla', '0', '0 min', '2', '1', '-']);
    expect(ana[4]).toBe('1'); // lunch
    const dispositions = [ana[5], bruno[5]].join(', ').split(', ').sort();
    expect(dispositions).toEqual(
      ['Dúvida resolvida', 'Dúvida resolvida', 'Tabulação automática', 'Tabulação automática', 'Tabulação automática', 'Venda', 'Venda', 'Venda', 'Venda'].sort(),
    );
    expect(text).not.toMatch(/skipped/);

    // The hour's reports (GET /reports) count what the story did. 7 queue calls: c1, c2, the vendas
    // caller Carla missed twice, the prank, the supervisor's wrap-up, the transfer, the conference;
    // all answered. Handled parts: those 7 + the transfer target's part (the conference's added agent
    // is not a handled part) = 8. Rings: 7 answering legs + Carla's 2 misses + the transfer and
    // conference targets = 11. Dispositions of the handled parts: Venda 4 (c1, supervisor, transfer
    // target, conference host), Dúvida resolvida 2 (c2, transfer source), automatic 2 (the vendas
    // call's timer, the prank).
    const report = (kind: string) => {
      const start = lines.findIndex((l) => l.startsWith(`${kind} report `));
      expect(start).toBeGreaterThan(header);
      const end = lines.findIndex((l, i) => i > start && l === '');
      return Object.fromEntries(lines.slice(start + 2, end).map((l) => [l.replace(/\s{2,}.*$/, ''), l.replace(/^.*\s{2,}/, '')]));
    };
    expect(report('quantitative')).toMatchObject({
      offered: '7',
      answered: '7 (100.0%)',
      abandoned: '0 (0.0%)',
      handled: '8',
      transferred: '1 (12.5%)',
      rings: '11',
      'missed rings': '2 (18.2%)',
      outbound: '0',
    });
    const summary = report('summary');
    expect(summary).toMatchObject({
      offered: '7',
      handled: '8',
      'service level %': '100.0%', // every caller was answered within 20 s of real time
      'disposition: Venda': '4',
      'disposition: Dúvida resolvida': '2',
      'disposition: Tabulação automática': '2',
      'survey answers': '0',
    });
    // Ana's lunch and Carla's automatic pause.
    expect(Object.keys(summary).filter((k) => k.startsWith('pause: '))).toEqual(['pause: Almoço', 'pause: Sem resposta']);
  });
});
