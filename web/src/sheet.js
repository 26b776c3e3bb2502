// A sheet: nebula.js (stardust) rendering a filter pane, a table and a bar
// chart on one app, with nebula's current-selections toolbar above them.
import { embed } from '@nebula.js/stardust';
import barchart from '@nebula.js/sn-bar-chart';
import table from '@nebula.js/sn-table';
import filterpane from '@nebula.js/sn-filter-pane';
import { connect, describe } from './qix.js';
import { h, setConn, setCrumb, showError } from './dom.js';
import { demoSpec, specFromFields, specFromQuery } from './spec.js';

// types are the visualization types this build bundles.
const types = [
  { name: 'barchart', version: '2.14.0', load: () => Promise.resolve(barchart) },
  { name: 'table', version: '2.9.1', load: () => Promise.resolve(table) },
  { name: 'filterpane', version: '0.14.0', load: () => Promise.resolve(filterpane) },
];

// fieldList reads the app's fields through a qFieldListDef session object.
async function fieldList(app) {
  const obj = await app.createSessionObject({
    qInfo: { qType: 'assoc-field-list' },
    qFieldListDef: { qShowSystem: false, qShowHidden: false, qShowSemantic: true, qShowSrcTables: true },
  });
  try {
    const layout = await obj.getLayout();
    return (layout.qFieldList && layout.qFieldList.qItems) || [];
  } finally {
    app.destroySessionObject(obj.id).catch(() => {});
  }
}

// pickSpec chooses what the sheet shows (see spec.js).
async function pickSpec(app, appId, params) {
  const fromQuery = specFromQuery(params);
  if (fromQuery) {
    return fromQuery;
  }
  if (appId === 'demo') {
    return demoSpec;
  }
  return specFromFields(await fieldList(app));
}

// cell is one visualization's frame on the sheet. Its data-viz attribute
// names it; data-state is "loading", "rendered" or "error", which the
// browser test waits on.
function cell(name, title) {
  const body = h('div', { class: 'viz-body' });
  const frame = h('section', { class: `cell cell-${name}`, dataset: { viz: name, state: 'loading' } },
    title ? h('h2', {}, title) : null, body);
  return { frame, body };
}

// renderInto renders one visualization and tracks its state on the frame.
async function renderInto(nebbie, c, cfg) {
  try {
    const viz = await nebbie.render({
      element: c.body,
      ...cfg,
      onError: (err) => {
        console.error(`nebula.js: cannot render the ${c.frame.dataset.viz}:`, err);
        c.frame.dataset.state = 'error';
        c.frame.dataset.error = describe(err);
      },
    });
    if (c.frame.dataset.state !== 'error') {
      c.frame.dataset.state = 'rendered';
    }
    return viz;
  } catch (err) {
    console.error(`nebula.js: cannot render the ${c.frame.dataset.viz}:`, err);
    c.frame.dataset.state = 'error';
    c.frame.dataset.error = describe(err);
    c.body.replaceChildren(h('div', { class: 'error' }, h('strong', {}, `Cannot render the ${c.frame.dataset.viz}`), h('p', {}, describe(err))));
    return null;
  }
}

// renderListboxes fills the filter pane's frame with nebula.js listboxes
// (nebbie.field), one per field: the fallback when sn-filter-pane cannot
// render, for example on an engine without SetFullPropertyTree. The frame
// keeps data-state "error" with the reason and gets data-fallback
// "listbox"; each listbox's frame has data-listbox-state "rendered" or
// "error".
async function renderListboxes(nebbie, c, fields) {
  const reason = c.frame.dataset.error || 'unknown error';
  console.warn(`sn-filter-pane could not render (${reason}); showing nebula.js listboxes instead`);
  c.frame.dataset.fallback = 'listbox';
  const boxes = fields.map((f) => h('div', { class: 'listbox', dataset: { field: f, listboxState: 'loading' } }));
  c.body.replaceChildren(h('div', { class: 'listboxes' }, boxes));
  await Promise.all(fields.map(async (f, i) => {
    try {
      const field = await nebbie.field(f);
      await field.mount(boxes[i], { title: f, search: 'toggle', toolbar: true, dense: true });
      boxes[i].dataset.listboxState = 'rendered';
    } catch (err) {
      console.error(`nebula.js: cannot mount a listbox on ${f}:`, err);
      boxes[i].dataset.listboxState = 'error';
      boxes[i].replaceChildren(h('div', { class: 'error' }, h('strong', {}, `Cannot show ${f}`), h('p', {}, describe(err))));
    }
  }));
  return null;
}

// showSheet renders the sheet of appId into root.
export async function showSheet(root, appId, params) {
  document.title = `Assoc: ${appId}`;
  const appCrumb = h('span', { class: 'mono' }, appId);
  setCrumb(h('a', { href: '/' }, 'Apps'), appCrumb);
  root.replaceChildren(h('p', { class: 'loading' }, `Opening ${appId}…`));

  let conn;
  try {
    conn = await connect(appId, (state, detail) => {
      setConn(state, detail);
      if (state === 'closed' || state === 'error') {
        document.body.dataset.connection = state;
      }
    });
  } catch (err) {
    showError(root, 'Cannot reach the engine', describe(err));
    return;
  }
  let app;
  let appLayout;
  try {
    app = await conn.global.openDoc(appId);
    appLayout = await app.getAppLayout();
  } catch (err) {
    conn.close();
    showError(root, `Cannot open the app "${appId}"`, describe(err));
    return;
  }
  const title = appLayout.qTitle || appId;
  document.title = `Assoc: ${title}`;
  appCrumb.textContent = title;

  let spec;
  try {
    spec = await pickSpec(app, appId, params);
  } catch (err) {
    showError(root, 'Cannot read the app\u2019s fields', describe(err));
    return;
  }
  if (!spec) {
    showError(root, 'Nothing to show', `The app "${title}" has no data yet: reload it, then open it again.`);
    return;
  }

  const toolbar = h('div', { class: 'selections', id: 'selections', dataset: { viz: 'selections', state: 'loading' } });
  const fp = cell('filterpane', '');
  const bar = cell('barchart', spec.bar.title);
  const tbl = cell('table', spec.table.title);
  root.replaceChildren(
    h('section', { class: 'sheet', dataset: { appId } },
      toolbar,
      h('div', { class: 'grid' }, fp.frame, bar.frame, tbl.frame)));

  const nebbie = embed(app, {
    types,
    context: { theme: 'light', language: 'en-US', constraints: { active: false, passive: false, select: false } },
  });
  // For the browser test and for poking around from the console.
  const viz = {};
  window.assocSheet = { app, nebbie, spec, viz };

  try {
    (await nebbie.selections()).mount(toolbar);
    toolbar.dataset.state = 'rendered';
  } catch (err) {
    console.error('nebula.js: cannot mount the selections toolbar:', err);
    toolbar.dataset.state = 'error';
    toolbar.dataset.error = describe(err);
  }
  await Promise.all([
    renderInto(nebbie, fp, { type: 'filterpane', fields: spec.filters }).then((v) => {
      viz.filterpane = v;
      return v || renderListboxes(nebbie, fp, spec.filters);
    }),
    renderInto(nebbie, bar, {
      type: 'barchart',
      fields: [...spec.bar.dims, ...spec.bar.measures],
      properties: { title: '', showTitles: false },
    }).then((v) => { viz.barchart = v; }),
    renderInto(nebbie, tbl, {
      type: 'table',
      fields: [...spec.table.dims, ...spec.table.measures],
      properties: { title: '', showTitles: false },
    }).then((v) => { viz.table = v; }),
  ]);
  document.body.dataset.sheet = 'ready';
}
