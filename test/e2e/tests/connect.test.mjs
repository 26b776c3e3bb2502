// Connecting, the health endpoints, and protocol-level errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { HTTP, WS, close, identity, open, within } from './helpers.mjs';

test('GET /health is 200 and /healthcheck has Qlik Core\'s shape', async () => {
  const h = await fetch(`${HTTP}/health`);
  assert.equal(h.status, 200);
  assert.deepEqual(await h.json(), { status: 'ok' });

  const r = await fetch(`${HTTP}/healthcheck`);
  assert.equal(r.status, 200);
  const hc = await r.json();
  assert.deepEqual(Object.keys(hc).sort(),
    ['apps', 'cache', 'cpu', 'mem', 'saturated', 'session', 'started', 'users', 'version']);
  assert.deepEqual(Object.keys(hc.mem).sort(), ['allocated', 'committed', 'free']);
  assert.deepEqual(Object.keys(hc.apps).sort(), ['active_docs', 'calls', 'in_memory_docs', 'loaded_docs', 'selections']);
  assert.deepEqual(Object.keys(hc.session).sort(), ['active', 'total']);
  assert.equal(typeof hc.cpu.total, 'number');
  assert.equal(typeof hc.saturated, 'boolean');
  assert.match(hc.started, /^\d{8}T\d{6}\.\d{3}Z$/);
});

test('OnConnected SESSION_CREATED is the first frame', async () => {
  const ws = new WebSocket(`${WS}/app/engineData/identity/${identity()}`);
  const first = await within(new Promise((resolve, reject) => {
    ws.once('message', (data) => resolve(JSON.parse(data.toString())));
    ws.once('error', reject);
  }), 5000, 'the first frame');
  ws.close();
  assert.deepEqual(first, { jsonrpc: '2.0', method: 'OnConnected', params: { qSessionState: 'SESSION_CREATED' } });
});

test('enigma.js connects and calls EngineVersion', async (t) => {
  const { session, global, state } = await open();
  t.after(() => close(session));
  assert.equal(state, 'SESSION_CREATED');
  const v = await global.engineVersion();
  assert.match(v.qComponentVersion, /^\d+\.\d+/);
});

test('GetActiveDoc before an app is open fails with 1007', async (t) => {
  const { session, global } = await open();
  t.after(() => close(session));
  await assert.rejects(global.getActiveDoc(), (err) => {
    assert.equal(err.code, 1007);
    return true;
  });
});

test('an unknown method fails with -32601', async (t) => {
  const { session } = await open();
  t.after(() => close(session));
  await assert.rejects(session.send({ handle: -1, method: 'NoSuchMethod', params: [] }), (err) => {
    assert.equal(err.code, -32601);
    return true;
  });
});

test('an unknown handle fails with -32602', async (t) => {
  const { session } = await open();
  t.after(() => close(session));
  await assert.rejects(session.send({ handle: 4242, method: 'GetLayout', params: [] }), (err) => {
    assert.equal(err.code, -32602);
    return true;
  });
});

test('a malformed QIX URL is refused at the upgrade with HTTP 400', async () => {
  const ws = new WebSocket(`${WS}/app/engineData/ttl/soon`);
  const status = await within(new Promise((resolve, reject) => {
    ws.once('unexpected-response', (req, res) => {
      req.destroy();
      resolve(res.statusCode);
    });
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => {});
  }), 5000, 'the upgrade response');
  assert.equal(status, 400);
});
