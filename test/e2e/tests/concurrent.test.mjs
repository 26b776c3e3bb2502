// Two clients at once, each in its own session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, count, elemNumber, listObject, loadAirports, open, states } from './helpers.mjs';

test('two concurrent clients do not affect each other', async (t) => {
  const [a, b] = await Promise.all([open(), open()]);
  t.after(() => Promise.all([close(a.session), close(b.session)]));
  assert.equal(a.state, 'SESSION_CREATED');
  assert.equal(b.state, 'SESSION_CREATED');

  const [appA, appB] = await Promise.all([loadAirports(a.global), loadAirports(b.global)]);
  const [listA, listB] = await Promise.all([listObject(appA, 'state'), listObject(appB, 'state')]);
  let changedA = 0;
  listA.on('changed', () => { changedA++; });

  await Promise.all([
    (async () => listA.selectListObjectValues('/qListObjectDef', [await elemNumber(listA, 'VT')], false))(),
    (async () => listB.selectListObjectValues('/qListObjectDef', [await elemNumber(listB, 'ME')], false))(),
  ]);
  const [stA, stB] = await Promise.all([states(listA), states(listB)]);
  assert.equal(stA.get('VT'), 'S');
  assert.equal(stA.get('ME'), 'A');
  assert.equal(count(stA, 'S'), 1);
  assert.equal(stB.get('ME'), 'S');
  assert.equal(stB.get('VT'), 'A');
  assert.equal(count(stB, 'S'), 1);

  const before = changedA;
  await appB.clearAll(false);
  assert.equal(count(await states(listB), 'O'), 6);
  assert.equal((await states(listA)).get('VT'), 'S', 'B clearing its selections leaves A\'s');
  assert.equal(changedA, before, 'A is not told about B\'s changes');
});
