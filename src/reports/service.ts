/**
 * The report entry point shared by the API (routes.ts) and the CLI (`callcenterd report`): settings
 * from the config, the query already validated (params.ts), the answer as JSON data or as text.
 */
import type { Config } from '../config/schema';
import type { Db } from '../store/db';
import { detailed, type DetailedReport } from './detailed';
import { detailedCsv, detailedTable, reportCsv, reportTable } from './format';
import type { DetailedPage, ReportEnvelope, ReportFormat, ReportKind, ReportQuery, ReportSettings } from './model';
import { quantitative, type QuantitativeRow } from './quantitative';
import { summary, type SummaryRow } from './summary';

export type ReportResult = ReportEnvelope<QuantitativeRow> | ReportEnvelope<SummaryRow> | DetailedReport;

export function reportSettings(config: Pick<Config, 'reports'>): ReportSettings {
  return { shortAbandonSeconds: config.reports.short_abandon_seconds, serviceLevelSeconds: config.reports.service_level_seconds };
}

export function runReport(db: Db, kind: ReportKind, q: ReportQuery, opts: { settings: ReportSettings; now: number; page?: DetailedPage }): ReportResult {
  if (kind === 'quantitative') return quantitative(db, q, opts.settings, opts.now);
  if (kind === 'summary') return summary(db, q, opts.settings, opts.now);
  return detailed(db, q, opts.page ?? {}, opts.now);
}

export function renderReport(r: ReportResult, format: Exclude<ReportFormat, 'json'>): string {
  if (r.kind === 'detailed') return format === 'csv' ? detailedCsv(r) : detailedTable(r);
  const env = r as ReportEnvelope<QuantitativeRow | SummaryRow>;
  return format === 'csv' ? reportCsv(env as never) : reportTable(env as never);
}
