/**
 * The reports tab's logic (src/console/web/reports-model.ts) on answers shaped as the reports API
 * gives them (src/reports/schema.ts): query building, rows, table cells, hourly series, service
 * level, and a daemon older than the reports API (404 "no such endpoint").
 */
import { cellText, csvFileName, dayAfter, extractRows, flatten, hourlySeries, hourOf, isMissingRoute, reportPath, serviceLevelByQueue, tableColumns } from '../../src/console/web/reports-model';

const envelope = (kind: string, by: string | null, rows: Record<string, unknown>[], total: Record<string, unknown>) => ({
  kind,
  from: 0,
  to: 1,
  generatedAt: 1,
  by,
  filters: { queue: null, agent: null },
  settings: { shortAbandonSeconds: 5, serviceLevelSeconds: 20 },
  rows,
  total,
});

describe('reports model', () => {
  test('reportPath follows the API: empty filters left out, the form\'s last day included (to = the day after)', () => {
    expect(reportPath('summary', { from: '2026-12-01', to: '2026-12-06', queue: 'support', agent: '', by: 'queue' })).toBe('/reports/summary?from=2026-12-01&to=2026-12-07&queue=support&by=queue');
    expect(reportPath('detailed', {})).toBe('/reports/detailed');
    expect(reportPath('quantitative', { queue: 'a b&c', by: 'hour', to: 'now' })).toBe('/reports/quantitative?to=now&queue=a+b%26c&by=hour');
    expect(dayAfter('2026-12-31')).toBe('2027-01-01');
    expect(dayAfter('2028-02-28')).toBe('2028-02-29');
  });

  test('csvFileName: only safe characters', () => {
    expect(csvFileName('summary', { from: '2026-12-01', to: '2026-12-06', by: 'queue' })).toBe('callcenterd-summary-2026-12-01-2026-12-06-by-queue.csv');
    expect(csvFileName('detailed', { queue: '../x y', agent: '1000' })).toBe('callcenterd-detailed-start-now-.._x_y-1000.csv');
  });

  test('extractRows: the groups under the grouping\'s name, then the total', () => {
    const body = envelope('summary', 'queue', [{ key: 'support', offered: 2 }, { key: null, offered: 1 }], { key: null, offered: 3 });
    expect(extractRows(body)).toEqual([
      { queue: 'support', offered: 2 },
      { queue: '(none)', offered: 1 },
      { queue: 'TOTAL', offered: 3 },
    ]);
    expect(extractRows(envelope('quantitative', null, [], { key: null, offered: 3 }))).toEqual([{ key: 'TOTAL', offered: 3 }]);
    expect(extractRows('text')).toEqual([]);
    expect(extractRows([{ a: 1 }])).toEqual([]);
  });

  test('extractRows: detailed gives one row per contact', () => {
    const at = Date.UTC(2026, 11, 6, 10);
    const body = {
      kind: 'detailed',
      contacts: [{ contact: '20261206-000001', linkedid: 'l', startedAt: at, number: '5550101', stays: [{ queue: 'support', outcome: 'answered', waitSeconds: 3 }], parts: [{}, {}] }],
      next: null,
    };
    expect(extractRows(body)).toEqual([{ contact: '20261206-000001', startedAt: '2026-12-06T10:00:00.000Z', number: '5550101', queue: 'support', outcome: 'answered', waitSeconds: 3, parts: 2 }]);
  });

  test('table: columns in order of appearance, maps flattened one level, cells as text', () => {
    const rows = [{ queue: 'support', handled: 1, dispositions: { Venda: 1 } }, { queue: 'TOTAL', handled: 2, dispositions: { Venda: 1, Suporte: 1 } }];
    expect(tableColumns(rows)).toEqual(['queue', 'handled', 'dispositions.Venda', 'dispositions.Suporte']);
    expect(flatten(rows[0])).toEqual({ queue: 'support', handled: 1, 'dispositions.Venda': 1 });
    expect(cellText(1234.567, 'pt-BR')).toBe('1.234,57');
    expect(cellText(1234.567, 'en')).toBe('1,234.57');
    expect(cellText(null, 'en')).toBe('');
    expect(cellText('<img src=x onerror=alert(1)>', 'en')).toBe('<img src=x onerror=alert(1)>');
  });

  test.each([
    ['2026-12-06 14:00', 14],
    ['2026-12-06 09:00', 9],
    ['2026-12-06', null],
    ['support', null],
    [null, null],
  ])('hourOf(%p) = %p', (v, want) => expect(hourOf(v)).toBe(want));

  test('hourlySeries: every hour, gaps null, days of the same hour added up, rates per the definitions', () => {
    const q = envelope('quantitative', 'hour', [
      { key: '2026-12-05 08:00', offered: 10, abandoned: 1 },
      { key: '2026-12-06 08:00', offered: 10, abandoned: 0 },
      { key: '2026-12-06 09:00', offered: 4, abandoned: 2 },
    ], { key: null });
    const s = envelope('summary', 'hour', [
      { key: '2026-12-05 08:00', offered: 10, shortAbandoned: 0, waiting: 0, answeredInServiceLevel: 8 },
      { key: '2026-12-06 08:00', offered: 10, shortAbandoned: 1, waiting: 1, answeredInServiceLevel: 8 },
      { key: '2026-12-06 09:00', offered: 4, shortAbandoned: 4, waiting: 0, answeredInServiceLevel: 0 },
    ], { key: null });
    const h = hourlySeries(q, s)!;
    expect(h.hours).toHaveLength(24);
    expect(h.calls[8]).toBe(20);
    expect(h.calls[9]).toBe(4);
    expect(h.calls[10]).toBeNull();
    expect(h.abandonment[8]).toBe(5);
    expect(h.abandonment[9]).toBe(50);
    expect(h.serviceLevel[8]).toBe(88.9); // 16 ÷ 18
    expect(h.serviceLevel[9]).toBeNull(); // no base
    expect(hourlySeries(envelope('quantitative', 'hour', [], { key: null }), envelope('summary', 'hour', [], { key: null }))).toBeNull();
  });

  test('serviceLevelByQueue: serviceLevelPct per queue, queues without one left out', () => {
    const body = envelope('summary', 'queue', [{ key: 'support', serviceLevelPct: 87.5 }, { key: 'vendas', serviceLevelPct: null }], { key: null, serviceLevelPct: 87.5 });
    expect([...serviceLevelByQueue(body)]).toEqual([['support', 87.5]]);
    expect(serviceLevelByQueue({}).size).toBe(0);
  });

  test('a daemon older than the reports API (404 "no such endpoint") is told from other errors', () => {
    const err = (status: number, message: string) => Object.assign(new Error(message), { status, code: 'x' });
    expect(isMissingRoute(err(404, 'no such endpoint: GET /reports/summary'))).toBe(true);
    expect(isMissingRoute(err(404, 'no such queue'))).toBe(false);
    expect(isMissingRoute(err(400, 'to must be after from'))).toBe(false);
    expect(isMissingRoute(null)).toBe(false);
  });
});
