/**
 * The recordings tab: GET /recordings with its filters, and a player.
 *
 * Audio: /recordings/{id}/audio needs the bearer token, and an <audio src> cannot send headers.
 * Putting the token in the URL would leak it (history, logs, Referer), and the API refuses that
 * anyway. So the page fetches the file with the Authorization header into a Blob and plays the
 * Blob URL: seeking then works on the downloaded copy, without further requests. The cost is that
 * playback starts once the file is here (8 kHz 16-bit WAV: ~1 MB per minute of call), acceptable
 * for call recordings; Range requests (which the route supports) would need a Service Worker to add
 * the header, more moving parts than this console is worth.
 */
import { api } from './api.js';
import { describe } from './actions.js';
import { announce, clear, el, saveBlob, setText } from './dom.js';
import { bytes, clock, dateTime } from './format.js';
import { lang, t, tMaybe } from './i18n.js';

interface Recording {
  id: number;
  callId: string;
  agentExt: string | null;
  queue: string | null;
  state: string;
  startedAt: number;
  durationMs: number | null;
  sizeBytes: number | null;
  audioUrl: string | null;
  format: string;
}

export class RecordingsView {
  private loaded = false;
  private last: Recording[] = [];
  private blobUrl: string | null = null;
  private readonly form = el('form', { class: 'filters card', id: 'recordings-form', 'aria-labelledby': 'rec-filters-title' });
  private readonly result = el('p', { class: 'status', role: 'status' });
  private readonly error = el('p', { class: 'error', role: 'alert' });
  private readonly table = el('table', { id: 'recordings-table' });
  private readonly caption = el('figcaption');
  private readonly audio = el('audio', { controls: true, preload: 'auto' });
  private readonly player = el('figure', { class: 'player card', hidden: true }, this.caption, this.audio);

  constructor(panel: HTMLElement) {
    const field = (id: string, key: Parameters<typeof t>[0], input: HTMLElement) => el('label', { for: id }, el('span', { i18n: key }), input);
    this.form.append(
      el('h2', { id: 'rec-filters-title', class: 'visually-hidden', i18n: 'rec.filters' }),
      field('rec-agent', 'rec.agent', el('input', { id: 'rec-agent', name: 'agent', inputmode: 'numeric', pattern: '\\d{4,5}', size: 6 })),
      field('rec-call', 'rec.call', el('input', { id: 'rec-call', name: 'call', size: 18 })),
      field('rec-since', 'rec.since', el('input', { id: 'rec-since', name: 'since', type: 'date' })),
      field('rec-until', 'rec.until', el('input', { id: 'rec-until', name: 'until', type: 'date' })),
      field('rec-limit', 'rec.limit', el('input', { id: 'rec-limit', name: 'limit', type: 'number', min: 1, max: 1000, value: 100 })),
      el('div', { class: 'buttons' }, el('button', { type: 'submit', i18n: 'rec.search' })),
    );
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.search();
    });
    clear(panel);
    panel.append(this.form, this.error, this.result, el('div', { class: 'table-wrap' }, this.table), this.player);
  }

  /** First visit of the tab: list the latest recordings. */
  activate(): void {
    if (this.loaded) return;
    this.loaded = true;
    void this.search();
  }

  relabel(): void {
    this.render();
  }

  /** Logout: nothing of this session stays on the page (rows, audio, filters). */
  stop(): void {
    this.form.reset();
    setText(this.error, '');
    this.loaded = false;
    this.last = [];
    this.audio.removeAttribute('src');
    if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
    this.blobUrl = null;
    this.player.hidden = true;
    this.render();
  }

  private async search(): Promise<void> {
    const data = new FormData(this.form);
    const q = new URLSearchParams();
    for (const k of ['agent', 'call', 'since', 'until', 'limit']) {
      const v = String(data.get(k) ?? '').trim();
      if (v) q.set(k, v);
    }
    setText(this.error, '');
    setText(this.result, t('common.loading'));
    try {
      const body = await api<{ recordings: Recording[] }>('GET', `/recordings?${q}`);
      this.last = body.recordings;
      this.render();
    } catch (err) {
      // No stale rows next to the error: they would look like the answer to this search.
      this.last = [];
      this.render();
      setText(this.result, '');
      setText(this.error, describe(err));
    }
  }

  private render(): void {
    clear(this.table);
    const rows = this.last;
    setText(this.result, this.loaded ? (rows.length ? t('rec.count', { n: rows.length }) : t('rec.none')) : '');
    if (!rows.length) return;
    const head = ['col.start', 'col.agent', 'col.queue', 'col.callId', 'col.duration', 'col.size', 'col.recState', 'col.audio'] as const;
    const tbody = el('tbody');
    for (const r of rows) {
      const play = el('button', { type: 'button', 'data-recording': r.id, disabled: !r.audioUrl }, t('rec.play'));
      const save = el('button', { type: 'button', disabled: !r.audioUrl }, t('rec.download'));
      play.addEventListener('click', () => void this.play(r, play));
      save.addEventListener('click', () => void this.download(r, save));
      tbody.append(
        el(
          'tr',
          {},
          el('td', { class: 'time' }, dateTime(r.startedAt, lang())),
          el('td', {}, r.agentExt ?? '—'),
          el('td', {}, r.queue ?? '—'),
          el('th', { scope: 'row' }, r.callId),
          el('td', { class: 'num' }, clock(r.durationMs === null ? null : r.durationMs / 1000)),
          el('td', { class: 'num' }, bytes(r.sizeBytes, lang())),
          el('td', {}, tMaybe(`rec.state.${r.state}`, r.state)),
          el('td', { class: 'actions' }, play, save),
        ),
      );
    }
    this.table.append(el('caption', { class: 'visually-hidden', i18n: 'tab.recordings' }), el('thead', {}, el('tr', {}, ...head.map((k) => el('th', { scope: 'col', i18n: k })))), tbody);
  }

  private async audioBlob(r: Recording): Promise<Blob> {
    return api<Blob>('GET', r.audioUrl ?? `/recordings/${r.id}/audio`, { accept: 'audio/*', as: 'blob' });
  }

  private async play(r: Recording, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    setText(this.error, '');
    setText(this.result, t('rec.fetching', { id: r.id }));
    try {
      const blob = await this.audioBlob(r);
      if (this.blobUrl) URL.revokeObjectURL(this.blobUrl);
      this.blobUrl = URL.createObjectURL(blob);
      this.audio.src = this.blobUrl;
      setText(this.caption, t('rec.playing', { id: r.id, call: r.callId }));
      this.player.hidden = false;
      setText(this.result, t('rec.count', { n: this.last.length }));
      announce(t('rec.playing', { id: r.id, call: r.callId }));
      this.audio.focus();
      // Autoplay may be refused (the fetch outlived the click's user activation): the controls remain.
      await this.audio.play().catch(() => undefined);
    } catch (err) {
      setText(this.result, '');
      setText(this.error, describe(err));
    } finally {
      button.disabled = false;
    }
  }

  private async download(r: Recording, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    setText(this.error, '');
    try {
      saveBlob(await this.audioBlob(r), `${r.callId}.${r.format === 'wav16' ? 'wav' : r.format}`.replace(/[^A-Za-z0-9._-]/g, '_'));
    } catch (err) {
      setText(this.error, describe(err));
    } finally {
      button.disabled = false;
    }
  }
}
