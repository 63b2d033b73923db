/**
 * The reports tab's logic (src/console/web/reports-model.ts) on answers shaped the ways the
 * reports API may shape them: query building, rows, table cells, hourly series, service level.
 */
import { cellText, csvFileName, extractRows, flatten, hourlySeries, hourOf, reportPath, serviceLevelByQueue, tableColumns } from '../../src/console/web/reports-model';

describe('reports model', () => {
  test('reportPath follows the contract and leaves empty filters out', () => {
    expect(reportPath('summary', { from: '2026-12-01', to: '2026-12-06', queue: 'support', agent: '', by: 'queue' })).toBe('/reports/summary?from=2026-12-01&to=2026-12-06&queue=support&by=queue');
    expect(reportPath('detailed', {})).toBe('/reports/detailed');
    expect(reportPath('quantitative', { queue: 'a b&c', by: 'hour' })).toBe('/reports/quantitative?queue=a+b%26c&by=hour');
  });

  test('csvFileName: only safe characters', () => {
    expect(csvFileName('summary', { from: '2026-12-01', to: '2026-12-06', by: 'queue' })).toBe('callcenterd-summary-2026-12-01-2026-12-06-by-queue.csv');
    expect(csvFileName('detailed', { queue: '../x y', agent: '1000' })).toBe('callcenterd-detailed-start-now-.._x_y-1000.csv');
  });

  test('extractRows: an array, a named list field, or the first array field', () => {
    expect(extractRows([{ a: 1 }, 'x', null])).toEqual([{ a: 1 }]);
    expect(extractRows({ from: 1, rows: [{ a: 1 }] })).toEqual([{ a: 1 }]);
    expect(extractRows({ meta: {}, lines: [{ b: 2 }] })).toEqual([{ b: 2 }]);
    expect(extractRows({ total: 3 })).toEqual([]);
    expect(extractRows('text')).toEqual([]);
  });

  test('table: columns in order of appearance, one level flattened, cells as text', () => {
    const rows = [{ queue: 'support', calls: 10, sla: { pct: 80.5 } }, { queue: 'vendas', abandoned: 2, tags: ['a', 'b'] }];
    expect(tableColumns(rows)).toEqual(['queue', 'calls', 'sla.pct', 'abandoned', 'tags']);
    expect(flatten(rows[0])).toEqual({ queue: 'support', calls: 10, 'sla.pct': 80.5 });
    expect(cellText(1234.567, 'pt-BR')).toBe('1.234,57');
    expect(cellText(1234.567, 'en')).toBe('1,234.57');
    expect(cellText(null, 'en')).toBe('');
    expect(cellText(['a', 'b'], 'en')).toBe('2');
    expect(cellText('<img src=x onerror=alert(1)>', 'en')).toBe('<img src=x onerror=alert(1)>');
  });

  test.each([
    [8, 8],
    ['08', 8],
    ['8:00', 8],
    ['08:00:00', 8],
    ['2026-12-06T14:00:00', 14],
    ['2026-12-06 09:00', 9],
    [24, null],
    ['25:00', null],
    ['queue', null],
    [null, null],
  ])('hourOf(%p) = %p', (v, want) => expect(hourOf(v)).toBe(want));

  test('hourOf: instants with a zone and epoch ms are shown in local time', () => {
    const at = new Date(2026, 11, 6, 15, 30).getTime();
    expect(hourOf(at)).toBe(15);
    expect(hourOf(new Date(at).toISOString())).toBe(15);
  });

  test('hourlySeries: every hour, gaps null, rates as percentages, days of the same hour added up', () => {
    const s = hourlySeries([
      { hour: 8, calls: 10, answered: 9, abandoned: 1, serviceLevel: 0.8 },
      { hour: '09:00', offered: 4, abandoned: 2, serviceLevel: 0.5 },
      { hour: 8, calls: 10, abandoned: 0, serviceLevel: 1 },
    ])!;
    expect(s.hours).toHaveLength(24);
    expect(s.calls[8]).toBe(20);
    expect(s.calls[9]).toBe(4);
    expect(s.calls[10]).toBeNull();
    expect(s.serviceLevel[8]).toBe(90);
    expect(s.serviceLevel[9]).toBe(50);
    expect(s.abandonment[8]).toBe(5);
    expect(s.abandonment[9]).toBe(50);
  });

  test('hourlySeries: percentages given as such, nested fields, answered + abandoned when no total', () => {
    const t = hourlySeries(extractRows({ rows: [{ bucket: '10', metrics: { answered: 3, abandoned: 1, service_level: 75, abandonRate: 25 } }] }))!;
    expect(t.calls[10]).toBe(4);
    expect(t.serviceLevel[10]).toBe(75);
    expect(t.abandonment[10]).toBe(25);
    expect(hourlySeries([{ queue: 'support', calls: 3 }])).toBeNull();
  });

  test('serviceLevelByQueue: per queue when the summary has it, empty otherwise', () => {
    expect([...serviceLevelByQueue({ rows: [{ queue: 'support', serviceLevel: 0.875 }, { queue: 'vendas', serviceLevel: 0.5 }] })]).toEqual([
      ['support', 87.5],
      ['vendas', 50],
    ]);
    expect([...serviceLevelByQueue([{ key: 'support', sla: 92 }])]).toEqual([['support', 92]]);
    expect(serviceLevelByQueue([{ queue: 'support', calls: 3 }]).size).toBe(0);
  });
});
