// The web hub in headless Chromium: the app list, then the demo app's sheet
// of real nebula.js visualizations (sn-filter-pane, sn-bar-chart, sn-table
// and the current-selections toolbar) against `assoc serve --demo`. A click
// on "CA" in the Origin State listbox must narrow the table and the bar chart.
//
// run.sh starts the server and sets ASSOC_BROWSER_HTTP; ASSOC_CHROMIUM is the
// browser (Debian's /usr/bin/chromium). Artifacts (screenshots, the browser
// console, the QIX traffic, the QIX methods the engine did not know) go to
// ./artifacts/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const base = process.env.ASSOC_BROWSER_HTTP;
const executablePath = process.env.ASSOC_CHROMIUM || '/usr/bin/chromium';
const strict = process.env.ASSOC_BROWSER_STRICT === '1';
const artifacts = join(dirname(fileURLToPath(import.meta.url)), 'artifacts');
const wait = 30_000; // the longest any one step may take

// The demo app's sheet (web/src/spec.js): the value clicked and its field.
const state = 'CA';

let browser;
let page;
const consoleLines = [];
const frames = [];
const missingMethods = new Map(); // method -> count of -32601 answers
const qixErrors = [];

before(async () => {
  assert.ok(base, 'ASSOC_BROWSER_HTTP is not set: run this test with test/browser/run.sh');
  mkdirSync(artifacts, { recursive: true });
  // The flags a closed network needs: no background traffic, no QUIC, no
  // component updates. Playwright gives every launch a new empty profile.
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  page = await context.newPage();
  page.setDefaultTimeout(wait);
  page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.stack || e.message}`));
  page.on('requestfailed', (r) => consoleLines.push(`[requestfailed] ${r.url()} ${r.failure() && r.failure().errorText}`));
  page.on('websocket', (ws) => {
    consoleLines.push(`[websocket] ${ws.url()}`);
    ws.on('framesent', (f) => frames.push({ dir: 'sent', url: ws.url(), payload: String(f.payload) }));
    ws.on('framereceived', (f) => {
      const payload = String(f.payload);
      frames.push({ dir: 'received', url: ws.url(), payload });
      let msg;
      try {
        msg = JSON.parse(payload);
      } catch {
        return;
      }
      if (msg && msg.error) {
        qixErrors.push(msg.error);
        if (msg.error.code === -32601) {
          const m = msg.error.parameter || '?';
          missingMethods.set(m, (missingMethods.get(m) || 0) + 1);
        }
      }
    });
  });
});

after(async () => {
  if (browser) {
    await browser.close();
  }
  if (!base) {
    return;
  }
  writeFileSync(join(artifacts, 'console.log'), consoleLines.join('\n') + '\n');
  writeFileSync(join(artifacts, 'qix-traffic.jsonl'),
    frames.map((f) => JSON.stringify({ ...f, payload: f.payload.length > 4000 ? f.payload.slice(0, 4000) + '…' : f.payload })).join('\n') + '\n');
  const missing = [...missingMethods].map(([m, n]) => `${m} (${n}×)`);
  writeFileSync(join(artifacts, 'qix-missing-methods.txt'), missing.join('\n') + (missing.length ? '\n' : ''));
  console.log(`browser: ${frames.length} QIX frames, ${qixErrors.length} QIX errors; ` +
    `methods the engine answered -32601: ${missing.length ? missing.join(', ') : 'none'}`);
  console.log(`browser: artifacts in ${artifacts}`);
});

// failWith throws an assertion error that carries the end of the browser
// console and the QIX errors, which usually say why.
function failWith(msg) {
  const tail = consoleLines.slice(-40).map((l) => (l.length > 600 ? l.slice(0, 600) + '…' : l)).join('\n');
  const errs = qixErrors.slice(-10).map((e) => JSON.stringify(e)).join('\n');
  throw new assert.AssertionError({
    message: `${msg}\n--- browser console (last 40 lines) ---\n${tail || '(empty)'}\n--- QIX errors (last 10) ---\n${errs || '(none)'}`,
  });
}

// step runs fn and turns any failure into failWith(what: reason).
async function step(what, fn) {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof assert.AssertionError && err.message.includes('--- browser console')) {
      throw err;
    }
    return failWith(`${what}: ${err && err.message ? err.message.split('\n')[0] : err}`);
  }
}

test('the hub lists the demo app and opens its sheet', async () => {
  await step('open the hub at /', () => page.goto(`${base}/`));
  const link = page.locator('#app-list tr[data-app-id="demo"] a.app-link');
  await step('wait for the demo app in the app list (GetDocList)', () => link.waitFor());
  assert.match(await link.textContent(), /flights/i);
  await step('follow the demo app\'s link', async () => {
    await link.click();
    await page.waitForURL('**/sheet/demo');
  });
});

// vizState reads the state of the sheet's frames (web/src/sheet.js).
function vizState() {
  return page.evaluate(() => {
    const out = {};
    for (const el of document.querySelectorAll('[data-viz]')) {
      out[el.dataset.viz] = { state: el.dataset.state, error: el.dataset.error || '', fallback: el.dataset.fallback || '' };
    }
    out.listboxes = [...document.querySelectorAll('[data-listbox-state]')].map((el) => el.dataset.listboxState);
    out.sheet = document.body.dataset.sheet || '';
    out.page = document.querySelector('#root .error') ? document.querySelector('#root .error').textContent : '';
    return out;
  });
}

// snapshot reads what the table and the bar chart show: the DOM (the
// table's visible cells and its scroll height, the bar chart's pixels) and
// the objects' layouts through the page's own QIX session.
async function snapshot() {
  const dom = await page.evaluate(() => {
    const tbl = document.querySelector('[data-viz=table]');
    // sn-table draws a virtual grid: cells carry rowindex and columnindex.
    const rows = new Map();
    for (const c of tbl.querySelectorAll('.sn-table-body .sn-table-cell[rowindex]')) {
      const r = rows.get(c.getAttribute('rowindex')) || [];
      r[Number(c.getAttribute('columnindex'))] = c.getAttribute('title') || c.textContent.trim();
      rows.set(c.getAttribute('rowindex'), r);
    }
    const routes = [...rows.values()].filter((r) => r[0] && r[1]);
    const full = tbl.querySelector('[data-key="full-size-container"]');
    return {
      routes: routes.map((r) => `${r[0]}-${r[1]}`),
      origins: [...new Set(routes.map((r) => r[0]))],
      tableHeight: full ? parseFloat(full.style.height) : 0,
      toolbar: document.querySelector('[data-viz=selections]').textContent,
    };
  });
  const qix = await page.evaluate(async () => {
    const { viz, app } = window.assocSheet;
    const bar = await viz.barchart.model.getLayout();
    const barData = await viz.barchart.model.getHyperCubeData('/qHyperCubeDef', [{ qTop: 0, qLeft: 0, qWidth: 2, qHeight: 200 }]);
    const tbl = await viz.table.model.getLayout();
    return {
      barRows: bar.qHyperCube.qSize.qcy,
      barLabels: barData[0].qMatrix.map((r) => r[0].qText),
      tableRows: tbl.qHyperCube.qSize.qcy,
      tableFlights: tbl.qHyperCube.qGrandTotalRow && tbl.qHyperCube.qGrandTotalRow[0] ? tbl.qHyperCube.qGrandTotalRow[0].qNum : NaN,
      flights: await app.evaluate('Count(FlightID)'),
      possibleOrigins: (await app.evaluate("Concat(DISTINCT Origin, ',')")).split(',').filter(Boolean),
    };
  });
  const barPixels = await page.locator('[data-viz=barchart] .viz-body').screenshot();
  return { ...dom, ...qix, barPixels };
}

test('the demo sheet renders nebula.js visualizations and follows a selection', async () => {
  if (!page.url().endsWith('/sheet/demo')) {
    await step('open /sheet/demo', () => page.goto(`${base}/sheet/demo`));
  }

  // 1. The three visualizations and the toolbar render (or fail visibly).
  await step('wait for the selections toolbar, the filter pane, the bar chart and the table', () => page.waitForFunction(() => {
    const s = (v) => document.querySelector(`[data-viz=${v}]`)?.dataset.state;
    const done = (v) => s(v) === 'rendered' || s(v) === 'error';
    const fp = document.querySelector('[data-viz=filterpane]');
    const fpDone = s('filterpane') === 'rendered' || (fp && fp.dataset.fallback === 'listbox' &&
      [...fp.querySelectorAll('[data-listbox-state]')].every((e) => e.dataset.listboxState !== 'loading'));
    return (done('selections') && fpDone && done('barchart') && done('table')) || document.querySelector('#root > .error');
  }));
  const st = await vizState();
  if (st.page) {
    failWith(`the sheet page shows an error: ${st.page}`);
  }
  for (const v of ['selections', 'barchart', 'table']) {
    if (st[v].state !== 'rendered') {
      failWith(`nebula.js could not render the ${v}: ${st[v].error}`);
    }
  }
  if (st.filterpane.state !== 'rendered') {
    const msg = `sn-filter-pane could not render (${st.filterpane.error})`;
    if (strict || st.filterpane.fallback !== 'listbox' || !st.listboxes.length || st.listboxes.some((s) => s !== 'rendered')) {
      failWith(`${msg}; listboxes: ${JSON.stringify(st.listboxes)}`);
    }
    console.log(`browser: WARNING: ${msg}; the sheet shows nebula.js listboxes in its place (ASSOC_BROWSER_STRICT=1 fails here)`);
  }

  // 2. Data arrives: table cells, bar chart canvases, the CA row in the listbox.
  const fp = page.locator('[data-viz=filterpane]');
  const caRow = fp.locator(`[role=row][aria-label^="${state} "]`).first();
  await step('wait for the table\'s cells', () => page.locator('[data-viz=table] .sn-table-body .sn-table-cell').first().waitFor());
  await step('wait for the bar chart\'s canvas', () => page.locator('[data-viz=barchart] canvas').first().waitFor());
  await step(`wait for "${state}" in the Origin State listbox`, () => caRow.waitFor());
  await page.waitForTimeout(800); // let the charts finish painting
  const before = await step('read the sheet before the selection', snapshot);
  await page.screenshot({ path: join(artifacts, 'sheet-demo-before.png') });

  assert.equal(before.flights, '20000', 'the demo app has 20,000 flights before any selection');
  assert.ok(before.barRows > 20, `the bar chart has a bar per origin state (got ${before.barRows})`);
  assert.ok(before.tableRows > 100, `the table has a row per route (got ${before.tableRows})`);
  assert.equal(before.tableFlights, 20000, 'the table total counts every flight');
  assert.ok(before.routes.length > 3, `the table shows rows (${JSON.stringify(before.routes)})`);

  // 3. Click CA; confirm the selection when nebula shows a confirm button.
  await step(`click "${state}" in the filter pane`, () => caRow.click());
  const confirm = page.locator('[data-testid="actions-toolbar-confirm"]');
  let confirmed = false;
  try {
    await confirm.first().waitFor({ state: 'visible', timeout: 5000 });
    await confirm.first().click();
    confirmed = true;
  } catch {
    // nebula confirmed the selection itself (no selection toolbar).
  }
  await step(`wait for the selections toolbar to show Origin State = ${state}`, () => page.waitForFunction(
    (v) => {
      const t = document.querySelector('[data-viz=selections]').textContent;
      return t.includes('Origin State') && t.includes(v);
    }, state));

  // 4. The table and the bar chart follow.
  await step('wait for the table and the bar chart to change', () => page.waitForFunction(async () => {
    const { viz } = window.assocSheet;
    const [b, t] = await Promise.all([viz.barchart.model.getLayout(), viz.table.model.getLayout()]);
    const cells = document.querySelectorAll('[data-viz=table] .sn-table-body .sn-table-cell[columnindex="0"]');
    return b.qHyperCube.qSize.qcy === 1 && t.qHyperCube.qSize.qcy < 1000 && cells.length > 0;
  }, null, { polling: 250 }));
  await page.waitForTimeout(800);
  const afterSel = await step('read the sheet after the selection', snapshot);
  await page.screenshot({ path: join(artifacts, 'sheet-demo.png') });
  writeFileSync(join(artifacts, 'sheet-demo.json'), JSON.stringify({
    confirmed,
    before: { ...before, barPixels: before.barPixels.length },
    after: { ...afterSel, barPixels: afterSel.barPixels.length },
  }, null, 2) + '\n');

  assert.deepEqual(afterSel.barLabels, [state], 'the bar chart shows one bar, for the selected state');
  assert.ok(!afterSel.barPixels.equals(before.barPixels), 'the bar chart\'s pixels changed');

  const flights = Number(afterSel.flights);
  assert.ok(flights > 0 && flights < 20000, `Count(FlightID) narrowed to the state's flights (got ${afterSel.flights})`);
  assert.equal(afterSel.tableFlights, flights, 'the table total counts the selected flights');
  assert.ok(afterSel.tableRows < before.tableRows, `the table lost rows (${before.tableRows} -> ${afterSel.tableRows})`);
  assert.ok(afterSel.tableHeight < before.tableHeight, `the table's scroll height shrank (${before.tableHeight} -> ${afterSel.tableHeight})`);
  assert.ok(afterSel.routes.length > 0, 'the table shows rows after the selection');
  const possible = new Set(afterSel.possibleOrigins);
  assert.ok(possible.size > 0 && possible.size < before.possibleOrigins.length, 'the selection leaves fewer possible origins');
  for (const o of afterSel.origins) {
    assert.ok(possible.has(o), `the table shows ${o}, which is not an origin in ${state} (${[...possible].join(', ')})`);
  }
  assert.notDeepEqual(afterSel.routes, before.routes, 'the table shows other routes');
  console.log(`browser: selected Origin State=${state}${confirmed ? ' (confirmed)' : ''}: ` +
    `bar chart ${before.barRows} -> ${afterSel.barRows} bars, table ${before.tableRows} -> ${afterSel.tableRows} rows, ` +
    `${before.tableFlights} -> ${afterSel.tableFlights} flights; screenshot ${join(artifacts, 'sheet-demo.png')}`);
});
