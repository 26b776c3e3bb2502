// The Assoc web hub: one page, two routes.
//
//   /                 the hub: the engine's apps (GetDocList)
//   /sheet/<appId>    a sheet of nebula.js visualizations on one app
//
// The sheet code (nebula.js and the chart types, most of the bundle) is
// loaded only when a sheet is opened.
import './style.css';
import { showHub } from './hub.js';
import { showError } from './dom.js';

async function route() {
  const root = document.getElementById('root');
  const path = window.location.pathname;
  const m = /^\/sheet\/([^/]+)\/?$/.exec(path);
  try {
    if (m) {
      let appId;
      try {
        appId = decodeURIComponent(m[1]);
      } catch {
        showError(root, 'Bad sheet address', `"${m[1]}" is not a valid app id.`);
        return;
      }
      const { showSheet } = await import('./sheet.js');
      await showSheet(root, appId, new URLSearchParams(window.location.search));
    } else if (path === '/' || path === '/index.html') {
      await showHub(root);
    } else {
      showError(root, 'Page not found', `Nothing here at ${path}.`);
    }
  } catch (err) {
    console.error(err);
    showError(root, 'Something went wrong', String((err && err.message) || err));
  }
}

route();
