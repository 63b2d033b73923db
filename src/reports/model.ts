/**
 * What a report is asked for and what it answers. One query shape for the CLI (`callcenterd report`)
 * and the API (`GET /reports/{kind}`); the numbers' definitions are in metrics.ts (and README
 * "Reports", generated from it).
 */
export const REPORT_KINDS = ['quantitative', 'summary', 'detailed'] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

export const GROUP_BYS = ['queue', 'agent', 'day', 'hour', 'disposition'] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

export const REPORT_FORMATS = ['table', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * What a token may see. Undefined lists = everything (admins, and supervisors for now); the route
 * builds it from the principal, so scoping supervisors to monitoring groups later only changes
 * where the lists come from.
 */
export interface ReportScope {
  queues?: readonly string[];
  agents?: readonly string[];
}

export interface ReportQuery {
  /** ms since epoch, inclusive. */
  from: number;
  /** ms since epoch, exclusive. */
  to: number;
  queue?: string;
  agent?: string;
  by?: GroupBy;
  scope?: ReportScope;
}

export interface DetailedPage {
  /** Contacts per page (default 500). */
  limit?: number;
  /** The `next` cursor of the previous page. */
  after?: string;
}

/** Settings the definitions depend on (config `reports` and each queue's service level). */
export interface ReportSettings {
  shortAbandonSeconds: number;
  serviceLevelSeconds: number;
}

/** The grouping value of a row: a queue, an extension, a local day/hour, a disposition; null = none of them. */
export type GroupKey = string | null;

/** The head every aggregate report answers with (kind, period, grouping, filters, settings). */
export function envelopeHead(kind: Exclude<ReportKind, 'detailed'>, q: ReportQuery, now: number, settings: ReportSettings): Omit<ReportEnvelope<never>, 'rows' | 'total'> {
  return { kind, from: q.from, to: q.to, generatedAt: now, by: q.by ?? null, filters: { queue: q.queue ?? null, agent: q.agent ?? null }, settings };
}

export interface ReportEnvelope<R> {
  kind: Exclude<ReportKind, 'detailed'>;
  from: number;
  to: number;
  /** The report's own clock: spans still open (an agent's current state) are counted up to here. */
  generatedAt: number;
  by: GroupBy | null;
  filters: { queue: string | null; agent: string | null };
  settings: ReportSettings;
  rows: R[];
  total: R;
}
