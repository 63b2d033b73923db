/**
 * Supervisor actions on an agent, in a modal <dialog> (focus kept inside, Esc cancels, focus goes
 * back to the button that opened it): finish the wrap-up with a disposition, pause now with a
 * reason, unpause, force a logout. Choices come from the catalogue (/catalogue/dispositions,
 * /catalogue/pause-reasons). The daemon decides: a refusal (403 for a scoped supervisor outside
 * its groups, 409 when the agent's state does not allow it...) stays in the dialog, in words.
 */
import { api, ApiError } from './api.js';
import { clear, el } from './dom.js';
import { errorMessage, t, type StringKey } from './i18n.js';
import type { SupervisorAction } from './wallboard-model.js';

interface Target {
  extension: string;
  name: string;
}

const NOTES: Partial<Record<SupervisorAction, StringKey>> = { pause: 'act.pauseNote', unpause: 'act.unpauseNote', logout: 'act.logoutNote' };

export class ActionsDialog {
  /** Called with a confirmation text after an action succeeded (the wallboard shows and announces it). */
  onDone: (text: string) => void = () => undefined;

  constructor(private readonly dialog: HTMLDialogElement) {}

  open(action: SupervisorAction, who: Target, opener: HTMLElement): void {
    const d = this.dialog;
    clear(d);
    const title = t('act.title', { action: t(`act.${action}` as StringKey), name: `${who.name} (${who.extension})` });
    const error = el('p', { class: 'error', role: 'alert', id: 'action-error' });
    const form = el('form', { method: 'dialog' });
    const confirm = el('button', { type: 'submit', class: action === 'logout' ? 'danger' : 'primary', i18n: 'common.confirm' });
    const cancel = el('button', { type: 'button', i18n: 'common.cancel' });
    let choice: HTMLSelectElement | null = null;
    form.append(el('h2', { id: 'action-title' }, title));
    const note = NOTES[action];
    if (note) form.append(el('p', { class: 'help', i18n: note }));
    if (action === 'finish-wrapup' || action === 'pause') {
      choice = el('select', { id: 'action-choice', required: true, 'aria-describedby': 'action-error' });
      choice.append(el('option', { value: '', i18n: 'common.loading' }));
      confirm.disabled = true;
      form.append(el('label', { for: 'action-choice', i18n: action === 'pause' ? 'act.reason' : 'act.disposition' }), choice);
      void this.loadChoices(action, choice, confirm, error);
    }
    form.append(error, el('div', { class: 'buttons' }, cancel, confirm));
    d.append(form);
    cancel.addEventListener('click', () => d.close());
    d.addEventListener('close', () => opener.isConnected && opener.focus(), { once: true });
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run(action, who, choice?.value ?? '', confirm, error);
    });
    d.showModal();
    (choice ?? confirm).focus();
  }

  private async loadChoices(action: SupervisorAction, select: HTMLSelectElement, confirm: HTMLButtonElement, error: HTMLElement): Promise<void> {
    try {
      const names =
        action === 'pause'
          ? (await api<{ name: string }[]>('GET', '/catalogue/pause-reasons')).map((r) => r.name)
          : (await api<{ tag: string }[]>('GET', '/catalogue/dispositions')).map((r) => r.tag);
      clear(select);
      for (const n of names) select.append(el('option', { value: n }, n));
      if (!names.length) error.textContent = t('act.noOptions');
      confirm.disabled = names.length === 0;
    } catch (err) {
      error.textContent = describe(err);
    }
  }

  private async run(action: SupervisorAction, who: Target, choice: string, confirm: HTMLButtonElement, error: HTMLElement): Promise<void> {
    const ext = encodeURIComponent(who.extension);
    const calls: Record<SupervisorAction, () => Promise<unknown>> = {
      'finish-wrapup': () => api('POST', `/agents/${ext}/wrapup/finish`, { body: { disposition: choice } }),
      pause: () => api('POST', `/agents/${ext}/pause`, { body: { reason: choice, now: true } }),
      unpause: () => api('POST', `/agents/${ext}/unpause`),
      logout: () => api('POST', `/agents/${ext}/logout`, { body: { force: true } }),
    };
    confirm.disabled = true;
    error.textContent = '';
    try {
      await calls[action]();
      this.dialog.close();
      this.onDone(t('act.done', { action: t(`act.${action}` as StringKey), name: `${who.name} (${who.extension})` }));
    } catch (err) {
      error.textContent = describe(err);
      confirm.disabled = false;
      confirm.focus();
    }
  }
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) return errorMessage(err.status, err.message);
  return errorMessage(0, err instanceof Error ? err.message : String(err));
}
