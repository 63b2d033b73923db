/**
 * The console's entry point: language, login (the token is checked with GET /me and kept in
 * sessionStorage), tabs (WAI-ARIA tabs: arrow keys move between them) and the three views.
 */
import { ActionsDialog } from './actions.js';
import { api, ApiError, clearToken, getToken, setToken, UNAUTHORIZED_EVENT } from './api.js';
import { applyI18n, byId, setText } from './dom.js';
import { errorMessage, lang, setLang, t } from './i18n.js';
import { RecordingsView } from './recordings.js';
import { ReportsView } from './reports.js';
import { Wallboard } from './wallboard.js';

const LANG_KEY = 'callcenterd.console.lang';
const TABS = ['wallboard', 'recordings', 'reports'] as const;
type Tab = (typeof TABS)[number];

interface Me {
  role: 'admin' | 'supervisor' | 'agent';
  agent: string | null;
  name: string | null;
}

const loginView = byId('login-view');
const appView = byId('app-view');
const loginForm = byId<HTMLFormElement>('login-form');
const tokenInput = byId<HTMLInputElement>('token-input');
const loginError = byId('login-error');
const logoutButton = byId<HTMLButtonElement>('logout');
const who = byId('who');
const langSelect = byId<HTMLSelectElement>('lang-select');

const actions = new ActionsDialog(byId<HTMLDialogElement>('action-dialog'));
const wallboard = new Wallboard(byId('panel-wallboard'), actions);
const recordings = new RecordingsView(byId('panel-recordings'));
const reports = new ReportsView(byId('panel-reports'));
let me: Me | null = null;

function relabel(): void {
  document.documentElement.lang = lang();
  document.title = `${t('app.title')} · callcenterd`;
  applyI18n();
  if (me) setText(who, t('app.who', { name: me.name ?? me.role, role: t(me.role === 'admin' ? 'role.admin' : 'role.supervisor') }));
  wallboard.relabel();
  recordings.relabel();
  reports.relabel();
}

function showLogin(message = ''): void {
  me = null;
  wallboard.stop();
  recordings.stop();
  reports.stop();
  appView.hidden = true;
  logoutButton.hidden = true;
  setText(who, '');
  loginView.hidden = false;
  setText(loginError, message);
  tokenInput.value = '';
  tokenInput.focus();
}

function enterApp(principal: Me): void {
  me = principal;
  loginView.hidden = true;
  appView.hidden = false;
  logoutButton.hidden = false;
  relabel();
  wallboard.start();
  const fromHash = location.hash.slice(1) as Tab;
  selectTab(TABS.includes(fromHash) ? fromHash : 'wallboard', false);
}

/**
 * Checks a token with GET /me; agent tokens are refused here (the console is for supervisors).
 * Null when signed in, else the problem and whether the daemon refused the token itself (a
 * network error is not a reason to forget the token of a page being reloaded).
 */
async function signIn(token: string): Promise<{ message: string; refused: boolean } | null> {
  try {
    const principal = await api<Me>('GET', '/me', { token });
    if (principal.role === 'agent') return { message: t('login.agent'), refused: true };
    setToken(token);
    enterApp(principal);
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return { message: t('login.bad'), refused: true };
    return { message: err instanceof ApiError ? errorMessage(err.status, err.message) : String(err), refused: false };
  }
}

function selectTab(tab: Tab, focus: boolean): void {
  for (const name of TABS) {
    const button = byId(`tab-${name}`);
    const selected = name === tab;
    button.setAttribute('aria-selected', String(selected));
    button.tabIndex = selected ? 0 : -1;
    byId(`panel-${name}`).hidden = !selected;
    if (selected && focus) button.focus();
  }
  history.replaceState(null, '', `#${tab}`);
  if (tab === 'recordings') recordings.activate();
  if (tab === 'reports') reports.activate();
}

for (const name of TABS) {
  const button = byId(`tab-${name}`);
  button.addEventListener('click', () => selectTab(name, true));
  button.addEventListener('keydown', (ev) => {
    const i = TABS.indexOf(name);
    const next: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: TABS.length - 1 };
    if (!(ev.key in next)) return;
    ev.preventDefault();
    selectTab(TABS[(next[ev.key] + TABS.length) % TABS.length], true);
  });
}

loginForm.addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return void setText(loginError, t('login.bad'));
  setText(loginError, t('login.checking'));
  void signIn(token).then((problem) => {
    if (problem === null) return;
    setText(loginError, problem.message);
    tokenInput.focus();
  });
});

logoutButton.addEventListener('click', () => {
  clearToken();
  showLogin();
});

window.addEventListener(UNAUTHORIZED_EVENT, () => {
  if (!me) return;
  clearToken();
  showLogin(t('login.expired'));
});

langSelect.addEventListener('change', () => {
  localStorage.setItem(LANG_KEY, setLang(langSelect.value));
  relabel();
});

// Start: the language chosen before (pt-BR by default), then the session of this tab if any.
langSelect.value = setLang(localStorage.getItem(LANG_KEY) ?? 'pt-BR');
relabel();
const saved = getToken();
if (saved) {
  void signIn(saved).then((problem) => {
    if (problem === null) return;
    if (problem.refused) clearToken();
    showLogin(problem.message);
  });
} else {
  showLogin();
}
