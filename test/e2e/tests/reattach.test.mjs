// Session identity, sharing and TTL: enigma.js suspend/resume.
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, elemNumber, identity, listObject, loadAirports, open, states, within } from './helpers.mjs';

test('re-attach within /ttl/30 finds the app and the selections', async (t) => {
  const path = `/app/engineData/identity/${identity()}/ttl/30`;
  const { session, global, state } = await open({ path });
  t.after(() => close(session));
  assert.equal(state, 'SESSION_CREATED');
  const app = await loadAirports(global);
  const list = await listObject(app, 'state');
  assert.equal(await list.selectListObjectValues('/qListObjectDef', [await elemNumber(list, 'ME')], false), true);
  const oldHandle = list.handle;

  await session.suspend();
  const attached = new Promise((resolve) => session.once('notification:OnConnected', (p) => resolve(p.qSessionState)));
  await within(session.resume(true), 10000, 'resume'); // rejects unless SESSION_ATTACHED
  assert.equal(await attached, 'SESSION_ATTACHED');

  assert.notEqual(list.handle, oldHandle, 'the restored object has a new handle');
  const st = await states(list);
  assert.equal(st.get('ME'), 'S', 'the selection survived the disconnect');
  assert.equal(st.get('VT'), 'A');
});

test('without a TTL the session ends with its connection', async () => {
  const path = `/app/engineData/identity/${identity()}`;
  const first = await open({ path });
  await first.global.createSessionApp();
  await first.global.getActiveDoc();
  await close(first.session);
  await sleep(300); // let the server notice the close

  const second = await open({ path });
  try {
    assert.equal(second.state, 'SESSION_CREATED');
    await assert.rejects(second.global.getActiveDoc(), (err) => err.code === 1007);
  } finally {
    await close(second.session);
  }
});

test('X-Qlik-Session shares one session between connections', async () => {
  const headers = { 'X-Qlik-Session': identity() };
  const a = await open({ path: '/app/', headers });
  const b = await open({ path: '/app/engineData', headers });
  try {
    assert.equal(a.state, 'SESSION_CREATED');
    assert.equal(b.state, 'SESSION_ATTACHED');
    const app = await a.global.createSessionApp();
    const seen = await b.global.getActiveDoc();
    assert.equal(seen.id, app.id, 'the second connection sees the app the first opened');
  } finally {
    await close(a.session);
    await close(b.session);
  }
});
