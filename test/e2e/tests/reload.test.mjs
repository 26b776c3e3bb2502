// A session app that loads a CSV through a folder connection, list
// objects, selections, states and change notifications.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, count, elemNumber, listObject, loadAirports, open, states, within } from './helpers.mjs';

test('load a CSV through a folder connection, select, read states', async (t) => {
  const { session, global } = await open();
  t.after(() => close(session));
  const app = await loadAirports(global);

  const active = await global.getActiveDoc();
  assert.equal(active.id, app.id, 'the session app is the active doc');

  const stateList = await listObject(app, 'state');
  const cityList = await listObject(app, 'city');
  let st = await states(stateList);
  assert.deepEqual([...st.keys()].sort(), ['CT', 'MA', 'ME', 'NH', 'RI', 'VT']);
  assert.equal(count(st, 'O'), 6);
  let ct = await states(cityList);
  assert.equal(ct.size, 107);
  assert.equal(count(ct, 'O'), 107);

  const changed = within(new Promise((resolve) => cityList.once('changed', resolve)), 5000,
    'the changed event on the city list');
  const ok = await stateList.selectListObjectValues('/qListObjectDef', [await elemNumber(stateList, 'VT')], false);
  assert.equal(ok, true);
  await changed;

  st = await states(stateList);
  assert.equal(st.get('VT'), 'S');
  assert.equal(count(st, 'A'), 5, 'the other states are alternatives');
  ct = await states(cityList);
  assert.equal(count(ct, 'O'), 13, 'the 13 Vermont cities are possible');
  assert.equal(count(ct, 'X'), 94);
  assert.equal(ct.get('Burlington'), 'O');
  assert.equal(ct.get('Portland'), 'X');

  await app.clearAll(false);
  const field = await app.getField('city');
  assert.equal(await field.selectValues([{ qText: 'Newport' }], false, false), true);
  st = await states(stateList);
  assert.deepEqual([...st].filter(([, s]) => s === 'O').map(([v]) => v).sort(), ['NH', 'RI', 'VT'],
    'Newport is in three states');
  assert.equal(count(st, 'X'), 3);
});

test('a bad script fails the reload with the line, and keeps the data', async (t) => {
  const { session, global } = await open();
  t.after(() => close(session));
  const app = await loadAirports(global);
  const list = await listObject(app, 'state');

  await app.setScript('Good:\r\nLOAD 1 AS x AUTOGENERATE 1;\r\n\r\nBroken:\r\nLOAD a, b FROM;\r\n');
  const ok = await within(app.doReload(), 30000, 'DoReload');
  assert.equal(ok, false, 'DoReload returns false');

  const progress = await global.getProgress(0);
  assert.ok(progress.qErrorData.length > 0, 'the progress data holds the error');
  const e = progress.qErrorData[0];
  assert.match(`${e.qErrorString} | ${e.qLine}`, /line 5|5:\d+|LOAD a, b FROM/i,
    `the error names the failing line: ${JSON.stringify(e)}`);

  const st = await states(list);
  assert.equal(st.size, 6, 'a failed reload leaves the previous data');
});
