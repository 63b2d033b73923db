/**
 * The wallboard tab: live from the /events WebSocket (snapshot, then every event applied by
 * wallboard-model.ts), re-drawn on each event and every second (waits and "since" tick).
 * Rows are keyed (queue name, extension) and updated in place, so a keyboard user's focus on an
 * action button survives the ticking. Changes are announced through the page's aria-live region.
 */
import { api, ApiError, apiBase, eventsUrl, getToken } from './api.js';
import type { ActionsDialog } from './actions.js';
import { announce, applyI18n, clear, el, setText } from './dom.js';
import { clock, isoDate, percent } from './format.js';
import { lang, t, tMaybe, type StringKey } from './i18n.js';
import { reportPath, serviceLevelByQueue } from './reports-model.js';
import { AGENT_STATES, agentRows, applyEvent, fromSnapshot, queueRows, type AgentRow, type Change, type SupervisorAction, type WallboardState } from './wallboard-model.js';

/** Reconnect delays (s) after the stream drops; the last one repeats. */
const BACKOFF = [1, 2, 5, 10];
const QUEUE_STATES = AGENT_STATES.filter((s) => s !== 'offline');
const ACTIONS: SupervisorAction[] = ['finish-wrapup', 'pause', 'unpause', 'logout'];
const SL_REFRESH_MS = 60_000;

export const stateLabel = (s: string): string => tMaybe(`state.${s}`, s);

export class Wallboard {
  private state: WallboardState | null = null;
  private ws: WebSocket | null = null;
  /** Daemon clock minus ours (from the snapshot's `at`): waits tick in the daemon's time. */
  private offset = 0;
  private attempt = 0;
  private retryTimer?: number;
  private tickTimer?: number;
  private slTimer?: number;
  private lastResnapshot = 0;
  private running = false;
  /** Service level today per queue, when the reports API gives one (else the column is omitted). */
  private serviceLevel = new Map<string, number>();
  private readonly status = el('p', { class: 'status', role: 'status' });
  private readonly banner = el('p', { class: 'banner', role: 'alert', hidden: true });
  private readonly queuesTable = el('table', { id: 'queues-table' });
  private readonly agentsTable = el('table', { id: 'agents-table' });
  private readonly lastAction = el('p', { class: 'status', id: 'last-action', role: 'status' });
  private queueCols = '';
  private readonly agentRowsByExt = new Map<string, { tr: HTMLTableRowElement; cells: HTMLTableCellElement[]; buttons: Map<SupervisorAction, HTMLButtonElement> }>();
  private readonly queueRowsByName = new Map<string, { tr: HTMLTableRowElement; cells: HTMLTableCellElement[] }>();

  constructor(
    panel: HTMLElement,
    private readonly actions: ActionsDialog,
  ) {
    clear(panel);
    panel.append(
      this.status,
      this.banner,
      this.lastAction,
      el('h2', { i18n: 'wb.queues' }),
      el('div', { class: 'table-wrap' }, this.queuesTable),
      el('h2', { i18n: 'wb.agents' }),
      el('div', { class: 'table-wrap' }, this.agentsTable),
    );
    this.buildAgentsHead();
    actions.onDone = (text) => {
      setText(this.lastAction, text);
      announce(text);
    };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    this.connect();
    this.tickTimer = window.setInterval(() => this.render(), 1000);
    void this.refreshServiceLevel();
  }

  stop(): void {
    this.running = false;
    window.clearInterval(this.tickTimer);
    window.clearTimeout(this.retryTimer);
    window.clearTimeout(this.slTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'logout');
    this.state = null;
  }

  /** After a language switch: labels with variables are rebuilt, the rest by applyI18n. */
  relabel(): void {
    this.queueCols = '';
    this.buildAgentsHead();
    for (const r of this.agentRowsByExt.values()) for (const [a, b] of r.buttons) setText(b, t(`act.${a}` as StringKey));
    this.render();
  }

  private connect(): void {
    const token = getToken();
    if (!token || !this.running) return;
    setText(this.status, t('wb.connecting'));
    this.status.classList.remove('live');
    const ws = new WebSocket(eventsUrl(token));
    this.ws = ws;
    ws.onmessage = (m) => {
      if (this.ws !== ws) return;
      this.onMessage(JSON.parse(String(m.data)) as Record<string, unknown>);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws || !this.running) return;
      this.ws = null;
      // 1013: we fell behind; the daemon wants us back at once for a fresh snapshot.
      const delay = ev.code === 1013 ? 0 : BACKOFF[Math.min(this.attempt, BACKOFF.length - 1)];
      this.attempt++;
      setText(this.status, t('wb.reconnecting', { s: delay }));
      this.status.classList.remove('live');
      // A refused upgrade (bad token) looks like any drop: /me tells (401 sends us to the login form).
      api('GET', '/me').catch(() => undefined);
      this.retryTimer = window.setTimeout(() => this.connect(), delay * 1000);
    };
  }

  private onMessage(msg: Record<string, unknown>): void {
    if (msg.type === 'snapshot') {
      this.state = fromSnapshot(msg);
      this.offset = (typeof msg.at === 'number' ? msg.at : Date.now()) - Date.now();
      this.attempt = 0;
      setText(this.status, t('wb.live'));
      this.status.classList.add('live');
      void this.readLinks();
    } else if (this.state) {
      const r = applyEvent(this.state, msg);
      for (const c of r.changes) announce(this.describe(c));
      if (r.needSnapshot) this.resnapshot();
    }
    this.render();
  }

  /** Reconnects for a fresh snapshot (at most every 2 s, so a confused stream cannot loop fast). */
  private resnapshot(): void {
    const now = Date.now();
    if (now - this.lastResnapshot < 2000) return;
    this.lastResnapshot = now;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000, 'resync');
    this.connect();
  }

  /** Links as /healthz tells them at connect time; `system` events keep them current. */
  private async readLinks(): Promise<void> {
    try {
      const res = await fetch(`${apiBase()}healthz`, { cache: 'no-store' });
      const h = (await res.json()) as { ami?: { state?: string }; ari?: { connected?: boolean } };
      if (!this.state) return;
      this.state.links.ami ??= h.ami?.state === 'connected';
      this.state.links.ari ??= h.ari?.connected === true;
      this.render();
    } catch {
      /* the stream itself still works: no banner rather than a wrong one */
    }
  }

  private async refreshServiceLevel(): Promise<void> {
    if (!this.running) return;
    const today = isoDate(Date.now());
    try {
      this.serviceLevel = serviceLevelByQueue(await api('GET', reportPath('summary', { from: today, to: today, by: 'queue' })));
    } catch (err) {
      // 404: no reports API on this daemon: stop asking until the next login.
      if (err instanceof ApiError && err.status === 404) return;
    }
    this.render();
    this.slTimer = window.setTimeout(() => void this.refreshServiceLevel(), SL_REFRESH_MS);
  }

  private describe(c: Change): string {
    if (c.kind === 'agent') return t('announce.agent', { name: c.name || c.extension, state: stateLabel(c.to) });
    if (c.kind === 'link') return t(c.up ? 'announce.linkUp' : 'announce.linkDown', { link: c.link.toUpperCase() });
    return t(`announce.${c.action}` as StringKey, { queue: c.queue, n: c.waiting });
  }

  private render(): void {
    if (!this.state) return;
    const now = Date.now() + this.offset;
    const down = (['ami', 'ari'] as const).filter((l) => this.state!.links[l] === false);
    this.banner.hidden = down.length === 0;
    setText(this.banner, down.length ? t('wb.linkDown', { link: down.map((l) => l.toUpperCase()).join(', ') }) : '');
    this.renderQueues(now);
    this.renderAgents(now);
  }

  private renderQueues(now: number): void {
    const rows = queueRows(this.state!, now);
    const withSl = this.serviceLevel.size > 0;
    const cols = `${withSl}|${lang()}`;
    if (cols !== this.queueCols) {
      // The column set changed (service level appeared, or the language): rebuild the table.
      this.queueCols = cols;
      this.queueRowsByName.clear();
      clear(this.queuesTable);
      const head = ['col.queue', 'col.waiting', 'col.callbacks', 'col.longest', ...(withSl ? ['col.serviceLevel'] : []), 'col.abandoned', 'col.loggedIn'] as StringKey[];
      this.queuesTable.append(
        el('caption', { class: 'visually-hidden', i18n: 'wb.queues' }),
        el('thead', {}, el('tr', {}, ...head.map((k, i) => el('th', { scope: 'col', class: i ? 'num' : null, i18n: k })), ...QUEUE_STATES.map((s) => el('th', { scope: 'col', class: 'num' }, stateLabel(s))))),
        el('tbody'),
      );
    }
    const tbody = this.queuesTable.tBodies[0];
    const seen = new Set<string>();
    let prev: Node | null = null;
    for (const r of rows) {
      seen.add(r.queue);
      let row = this.queueRowsByName.get(r.queue);
      if (!row) {
        const cells = [el('th', { scope: 'row' })] as HTMLTableCellElement[];
        const n = 5 + (withSl ? 1 : 0) + QUEUE_STATES.length;
        for (let i = 0; i < n; i++) cells.push(el('td', { class: i === 2 ? 'num time' : 'num' }));
        cells[1].classList.add('waiting');
        row = { tr: el('tr', { 'data-queue': r.queue }, ...cells), cells };
        this.queueRowsByName.set(r.queue, row);
      }
      const sl = this.serviceLevel.get(r.queue);
      const values = [r.queue, String(r.waiting), String(r.callbacks), clock(r.waiting ? r.longestWaitSeconds : null), ...(withSl ? [sl === undefined ? '—' : percent(sl, lang())] : []), String(r.abandoned), String(r.loggedIn), ...QUEUE_STATES.map((s) => String(r.byState[s] ?? 0))];
      values.forEach((v, i) => setText(row!.cells[i], v));
      row.tr.classList.toggle('alert', r.waiting > 0);
      const want: Node | null = prev ? prev.nextSibling : tbody.firstChild;
      if (want !== row.tr) tbody.insertBefore(row.tr, want);
      prev = row.tr;
    }
    for (const [name, row] of this.queueRowsByName) if (!seen.has(name)) (row.tr.remove(), this.queueRowsByName.delete(name));
    this.emptyNote(tbody, rows.length, 'wb.noQueues', 7);
  }

  private buildAgentsHead(): void {
    clear(this.agentsTable);
    this.agentRowsByExt.clear();
    const head = ['col.extension', 'col.name', 'col.state', 'col.since', 'col.pauseReason', 'col.call', 'col.actions'] as StringKey[];
    this.agentsTable.append(el('caption', { class: 'visually-hidden', i18n: 'wb.agents' }), el('thead', {}, el('tr', {}, ...head.map((k) => el('th', { scope: 'col', i18n: k })))), el('tbody'));
    applyI18n(this.agentsTable);
  }

  private renderAgents(now: number): void {
    const tbody = this.agentsTable.tBodies[0];
    const rows = agentRows(this.state!, now);
    const seen = new Set<string>();
    let prev: Node | null = null;
    for (const r of rows) {
      seen.add(r.extension);
      const row = this.agentRowsByExt.get(r.extension) ?? this.newAgentRow(r);
      this.fillAgentRow(row, r);
      // Move only rows out of place: moving a row would take the focus off its buttons.
      const want: Node | null = prev ? prev.nextSibling : tbody.firstChild;
      if (want !== row.tr) tbody.insertBefore(row.tr, want);
      prev = row.tr;
    }
    for (const [ext, row] of this.agentRowsByExt) if (!seen.has(ext)) (row.tr.remove(), this.agentRowsByExt.delete(ext));
    this.emptyNote(tbody, rows.length, 'wb.noAgents', 7);
  }

  private newAgentRow(r: AgentRow) {
    const cells = [el('th', { scope: 'row' }), el('td'), el('td'), el('td', { class: 'time' }), el('td'), el('td'), el('td', { class: 'actions' })] as HTMLTableCellElement[];
    const buttons = new Map<SupervisorAction, HTMLButtonElement>();
    for (const a of ACTIONS) {
      const b = el('button', { type: 'button', class: a === 'logout' ? 'danger' : null, 'data-action': a }, t(`act.${a}` as StringKey));
      b.addEventListener('click', () => {
        const agent = this.state?.agents.get(r.extension);
        this.actions.open(a, { extension: r.extension, name: agent?.name || r.extension }, b);
      });
      buttons.set(a, b);
      cells[6].append(b);
    }
    const row = { tr: el('tr', { 'data-agent': r.extension }, ...cells), cells, buttons };
    this.agentRowsByExt.set(r.extension, row);
    return row;
  }

  private fillAgentRow(row: { cells: HTMLTableCellElement[]; buttons: Map<SupervisorAction, HTMLButtonElement> }, r: AgentRow): void {
    const [ext, name, state, since, pause, call, actions] = row.cells;
    setText(ext, r.extension);
    setText(name, r.name);
    let badge = state.firstElementChild as HTMLElement | null;
    if (!badge) state.append((badge = el('span')));
    badge.className = `state state-${r.state}`;
    setText(badge, stateLabel(r.state) + (r.wrapupLeftSeconds !== null ? ` · ${t('wb.wrapupLeft', { s: r.wrapupLeftSeconds })}` : ''));
    setText(since, r.state === 'offline' ? '—' : clock(r.forSeconds));
    setText(pause, r.pauseReason ?? (r.pendingPause ? t('wb.pendingPause', { reason: r.pendingPause }) : ''));
    setText(call, r.call ? [r.call.number || t('wb.noNumber'), r.call.queue, r.call.talkSeconds === null ? stateLabel(r.call.state) : clock(r.call.talkSeconds)].filter(Boolean).join(' · ') : '');
    actions.setAttribute('aria-label', t('wb.actionsFor', { name: r.name || r.extension }));
    for (const [a, b] of row.buttons) b.hidden = !r.actions.includes(a);
  }

  private emptyNote(tbody: HTMLTableSectionElement, n: number, key: StringKey, span: number): void {
    const note = tbody.querySelector('tr.empty');
    if (n === 0 && !note) tbody.append(el('tr', { class: 'empty' }, el('td', { colspan: span, i18n: key })));
    if (n > 0 && note) note.remove();
  }
}
