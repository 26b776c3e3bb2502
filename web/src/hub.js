// The hub: lists the engine's apps with GetDocList.
import { connect, describe } from './qix.js';
import { h, setConn, setCrumb, showError } from './dom.js';

// formatBytes renders a file size for the app list.
function formatBytes(n) {
  if (!Number.isFinite(n) || n <= 0) {
    return '';
  }
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${n.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

// formatTime renders an engine timestamp ("2026-01-02T03:04:05.000Z").
function formatTime(iso) {
  if (!iso) {
    return 'never';
  }
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

// sheetHref is the address of an app's sheet.
export function sheetHref(appId) {
  return `/sheet/${encodeURIComponent(appId)}`;
}

// showHub renders the app list into root.
export async function showHub(root) {
  document.title = 'Assoc: apps';
  setCrumb(h('span', {}, 'Apps'));
  root.replaceChildren(h('p', { class: 'loading' }, 'Loading the app list…'));
  let conn;
  try {
    conn = await connect('engineData', setConn);
  } catch (err) {
    showError(root, 'Cannot reach the engine', describe(err));
    return;
  }
  try {
    const [docs, version] = await Promise.all([
      conn.global.getDocList(),
      conn.global.engineVersion().catch(() => null),
    ]);
    const list = [...(docs || [])].sort((a, b) => (a.qTitle || a.qDocName || '').localeCompare(b.qTitle || b.qDocName || ''));
    const rows = list.map((d) => h('tr', { dataset: { appId: d.qDocId } },
      h('td', {}, h('a', { href: sheetHref(d.qDocId), class: 'app-link' }, d.qTitle || d.qDocName || d.qDocId)),
      h('td', { class: 'mono' }, d.qDocId),
      h('td', {}, formatTime(d.qLastReloadTime)),
      h('td', { class: 'num' }, formatBytes(d.qFileSize))));
    const body = list.length
      ? h('table', { class: 'apps', id: 'app-list' },
        h('thead', {}, h('tr', {}, h('th', {}, 'App'), h('th', {}, 'Id'), h('th', {}, 'Last reload'), h('th', { class: 'num' }, 'Size'))),
        h('tbody', {}, rows))
      : h('p', { class: 'notice', id: 'app-list' }, 'The engine has no apps yet. Create one with the QIX API (CreateApp) or start the server with --demo.');
    root.replaceChildren(
      h('section', { class: 'hub' },
        h('h1', {}, 'Apps'),
        body,
        version && version.qComponentVersion ? h('p', { class: 'footnote' }, `Engine ${version.qComponentVersion}`) : null));
  } catch (err) {
    console.error(err);
    showError(root, 'Cannot list the apps', describe(err));
  } finally {
    conn.close();
  }
}
