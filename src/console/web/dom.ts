/**
 * DOM helpers. Text always goes in through text nodes / textContent, never innerHTML: caller IDs,
 * agent names and report cells are untrusted (a caller ID is whatever the trunk sent).
 * Fixed labels carry their dictionary key (data-i18n, data-i18n-label for aria-label), so a
 * language switch relabels the whole page with applyI18n() without rebuilding it.
 */
import { t, type StringKey } from './i18n.js';

type Child = Node | string | null | undefined | false;
type Props = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `el('button', { type: 'button', onclick: fn }, 'text')`: attributes, listeners (on*) and text children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'text') node.textContent = String(v);
    else if (k === 'i18n') {
      node.setAttribute('data-i18n', String(v));
      node.textContent = t(v as StringKey);
    } else if (k === 'i18nLabel') {
      node.setAttribute('data-i18n-label', String(v));
      node.setAttribute('aria-label', t(v as StringKey));
    }
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  append(node, ...children);
  return node;
}

/** Relabels every element carrying a dictionary key under `root` (after a language switch). */
export function applyI18n(root: ParentNode = document): void {
  for (const n of root.querySelectorAll<HTMLElement>('[data-i18n]')) setText(n, t(n.dataset.i18n as StringKey));
  for (const n of root.querySelectorAll<HTMLElement>('[data-i18n-label]')) n.setAttribute('aria-label', t(n.dataset.i18nLabel as StringKey));
}

export function append(parent: Node, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** Sets text only when it changed (keeps screen readers and selection calm on ticking cells). */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const n = document.getElementById(id);
  if (!n) throw new Error(`missing element #${id}`);
  return n as T;
}

/** A message for screen readers (the page's aria-live region), without moving focus. */
export function announce(text: string): void {
  const region = document.getElementById('live-region');
  if (!region) return;
  // Replace, not append: the region reads each change once and stays short.
  region.textContent = text;
}

/** Saves a Blob as a file through a temporary link (the CSV download, a recording). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: fileName });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
