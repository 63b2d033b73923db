/**
 * The reports tab, against the reports API contract (reports-model.ts): filters (report, from, to,
 * queue, agent, by), the result as a table, charts of the day (calls per hour, service level,
 * abandonment) from `quantitative?by=hour` and `summary?by=hour` with uPlot, and a CSV download (`Accept: text/csv`,
 * fetched with the token into a Blob). A daemon without the reports API answers 404 "no such
 * endpoint": the tab then says "reports not available on this daemon" and offers nothing else.
 */
import type UPlot from 'uplot';
import { api } from './api.js';
import { describe } from './actions.js';
import { clear, el, saveBlob, setText } from './dom.js';
import { isoDate } from './format.js';
import { lang, t, type StringKey } from './i18n.js';
import { cellText, csvFileName, extractRows, flatten, hourlySeries, isMissingRoute, reportPath, REPORT_BY, REPORT_KINDS, tableColumns, type ReportFilters, type ReportKind } from './reports-model.js';

export class ReportsView {
  private probed = false;
  private available = true;
  private lastRows: Record<string, unknown>[] = [];
  private readonly form = el('form', { class: 'filters card', id: 'reports-form', 'aria-labelledby': 'rep-filters-title' });
  private readonly notice = el('p', { class: 'notice', role: 'status', id: 'reports-status' });
  private readonly error = el('p', { class: 'error', role: 'alert' });
  private readonly table = el('table', { id: 'reports-table' });
  private readonly charts = el('div', { class: 'charts', id: 'reports-charts' });
  private readonly chartsTitle = el('h3', { i18n: 'rep.charts', hidden: true });
  private readonly queue = el('select', { id: 'rep-queue', name: 'queue' });
  private readonly agent = el('select', { id: 'rep-agent', name: 'agent' });
  private plots: UPlot[] = [];

  constructor(panel: HTMLElement) {
    const field = (id: string, key: StringKey, input: HTMLElement) => el('label', { for: id }, el('span', { i18n: key }), input);
    const today = isoDate(Date.now());
    const kind = el('select', { id: 'rep-kind', name: 'kind' }, ...REPORT_KINDS.map((k) => el('option', { value: k, i18n: `rep.kind.${k}` })));
    const by = el('select', { id: 'rep-by', name: 'by' }, el('option', { value: '', i18n: 'rep.by.none' }), ...REPORT_BY.map((b) => el('option', { value: b, i18n: `rep.by.${b}` })));
    const csv = el('button', { type: 'button', id: 'rep-csv', i18n: 'rep.csv' });
    csv.addEventListener('click', () => void this.downloadCsv(csv));
    this.form.append(
      el('h2', { id: 'rep-filters-title', class: 'visually-hidden', i18n: 'rep.filters' }),
      field('rep-kind', 'rep.kind', kind),
      field('rep-from', 'rep.from', el('input', { id: 'rep-from', name: 'from', type: 'date', value: today })),
      field('rep-to', 'rep.to', el('input', { id: 'rep-to', name: 'to', type: 'date', value: today })),
      field('rep-queue', 'rep.queue', this.queue),
      field('rep-agent', 'rep.agent', this.agent),
      field('rep-by', 'rep.by', by),
      el('div', { class: 'buttons' }, el('button', { type: 'submit', i18n: 'rep.run' }), csv),
    );
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run();
    });
    clear(panel);
    panel.append(this.form, this.notice, this.error, el('div', { class: 'table-wrap' }, this.table), this.chartsTitle, this.charts);
  }

  /** First visit: is there a reports API at all? Then the filter choices from the catalogue. */
  activate(): void {
    if (this.probed) return;
    this.probed = true;
    void this.probe();
  }

  relabel(): void {
    if (!this.available) setText(this.notice, t('rep.unavailable'));
    this.renderTable();
  }

  /** Logout: nothing of this session stays on the page (rows, charts, filters). */
  stop(): void {
    this.form.reset();
    setText(this.error, '');
    this.probed = false;
    this.lastRows = [];
    this.destroyPlots();
    this.renderTable();
  }

  private async probe(): Promise<void> {
    const today = isoDate(Date.now());
    try {
      await api('GET', reportPath('summary', { from: today, to: today }));
      this.setAvailable(true);
    } catch (err) {
      if (isMissingRoute(err)) return this.setAvailable(false);
      this.setAvailable(true); // another error (403 for a scope...): the API is there
    }
    await this.loadChoices();
  }

  private setAvailable(yes: boolean): void {
    this.available = yes;
    this.form.hidden = !yes;
    setText(this.notice, yes ? '' : t('rep.unavailable'));
    if (!yes) {
      this.lastRows = [];
      this.destroyPlots();
      this.renderTable();
    }
  }

  private async loadChoices(): Promise<void> {
    const fill = (select: HTMLSelectElement, allKey: StringKey, values: { value: string; label: string }[]) => {
      clear(select);
      select.append(el('option', { value: '', i18n: allKey }), ...values.map((v) => el('option', { value: v.value }, v.label)));
    };
    try {
      const [queues, agents] = await Promise.all([
        api<{ name: string }[]>('GET', '/catalogue/queues'),
        api<{ extension: string; name: string }[]>('GET', '/catalogue/agents'),
      ]);
      fill(this.queue, 'common.all', queues.map((q) => ({ value: q.name, label: q.name })));
      fill(this.agent, 'common.allAgents', agents.map((a) => ({ value: a.extension, label: `${a.extension} · ${a.name}` })));
    } catch {
      fill(this.queue, 'common.all', []);
      fill(this.agent, 'common.allAgents', []);
    }
  }

  private filters(): { kind: ReportKind; f: ReportFilters } {
    const d = new FormData(this.form);
    const get = (k: string) => String(d.get(k) ?? '');
    const kind = (REPORT_KINDS as readonly string[]).includes(get('kind')) ? (get('kind') as ReportKind) : 'summary';
    return { kind, f: { from: get('from'), to: get('to'), queue: get('queue'), agent: get('agent'), by: get('by') } };
  }

  private async run(): Promise<void> {
    const { kind, f } = this.filters();
    setText(this.error, '');
    setText(this.notice, t('common.loading'));
    try {
      this.lastRows = extractRows(await api('GET', reportPath(kind, f)));
      this.renderTable();
      await this.renderCharts(f);
    } catch (err) {
      if (isMissingRoute(err)) return this.setAvailable(false);
      this.lastRows = [];
      this.renderTable();
      this.destroyPlots();
      setText(this.notice, '');
      setText(this.error, describe(err));
    }
  }

  private renderTable(): void {
    clear(this.table);
    const rows = this.lastRows;
    if (this.available && this.probed) setText(this.notice, rows.length ? t('rep.rows', { n: rows.length }) : t('rep.empty'));
    if (!rows.length) return;
    const cols = tableColumns(rows);
    const flat = rows.map(flatten);
    const numeric = new Set(cols.filter((c) => flat.every((r) => r[c] === undefined || r[c] === null || typeof r[c] === 'number')));
    this.table.append(
      el('caption', { class: 'visually-hidden', i18n: 'rep.table' }),
      el('thead', {}, el('tr', {}, ...cols.map((c) => el('th', { scope: 'col', class: numeric.has(c) ? 'num' : null }, c)))),
      el('tbody', {}, ...flat.map((r) => el('tr', {}, ...cols.map((c) => el('td', { class: numeric.has(c) ? 'num' : null }, cellText(r[c], lang())))))),
    );
  }

  private destroyPlots(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
    clear(this.charts);
    this.chartsTitle.hidden = true;
  }

  private async renderCharts(f: ReportFilters): Promise<void> {
    this.destroyPlots();
    let series;
    try {
      const [quantitative, summary] = await Promise.all([api('GET', reportPath('quantitative', { ...f, by: 'hour' })), api('GET', reportPath('summary', { ...f, by: 'hour' }))]);
      series = hourlySeries(quantitative, summary);
    } catch (err) {
      if (isMissingRoute(err)) throw err;
      series = null;
    }
    this.chartsTitle.hidden = false;
    if (!series) return void this.charts.append(el('p', { class: 'notice', i18n: 'rep.chart.none' }));
    const U = globalThis.uPlot;
    if (!U) return void this.charts.append(el('p', { class: 'notice', i18n: 'rep.chart.noLib' }));
    const specs: [StringKey, (number | null)[], string, boolean][] = [
      ['rep.chart.calls', series.calls, '#1a4d8f', true],
      ['rep.chart.sl', series.serviceLevel, '#1b6e3a', false],
      ['rep.chart.ab', series.abandonment, '#a4161a', false],
    ];
    // All figures first: the grid sizes its columns by how many there are, and each chart takes
    // its figure's width (uPlot draws at a fixed size).
    const figures = specs.map(([key, values]) => {
      const figure = el('figure', {}, el('figcaption', { i18n: key }));
      // The canvas says nothing to a screen reader: the figure carries the numbers as its label.
      figure.setAttribute('role', 'img');
      figure.setAttribute('aria-label', `${t(key)}: ${series.hours.filter((_, i) => values[i] !== null).map((h) => `${h}h ${cellText(values[h], lang())}`).join(', ') || '—'}`);
      this.charts.append(figure);
      return figure;
    });
    specs.forEach(([key, values, color, bars], i) => {
      const opts: UPlot.Options = {
        width: Math.max(240, figures[i].clientWidth - 20),
        height: 200,
        legend: { show: false },
        cursor: { show: true },
        scales: { x: { time: false, range: [-0.5, 23.5] }, y: key === 'rep.chart.calls' ? { range: (_u, _min, max) => [0, Math.max(1, max)] } : { range: [0, 100] } },
        axes: [{ values: (_u, ticks) => ticks.map((v) => (Number.isInteger(v) ? `${v}h` : '')) }, {}],
        series: [{ label: t('rep.chart.hour') }, { label: t(key), stroke: color, fill: `${color}55`, width: 2, ...(bars && U.paths.bars ? { paths: U.paths.bars({ size: [0.7, 40] }) } : {}), spanGaps: false }],
      };
      this.plots.push(new U(opts, [series!.hours, values], figures[i]));
    });
  }

  private async downloadCsv(button: HTMLButtonElement): Promise<void> {
    const { kind, f } = this.filters();
    button.disabled = true;
    setText(this.error, '');
    try {
      saveBlob(await api<Blob>('GET', reportPath(kind, f), { accept: 'text/csv', as: 'blob' }), csvFileName(kind, f));
    } catch (err) {
      if (isMissingRoute(err)) this.setAvailable(false);
      else setText(this.error, describe(err));
    } finally {
      button.disabled = false;
    }
  }
}
