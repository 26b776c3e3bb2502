// Helpers shared by the e2e tests: open enigma.js sessions against the
// server that run.sh started (ASSOC_E2E_WS / ASSOC_E2E_HTTP), load the
// airports test data, and read list object states.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

const require = createRequire(import.meta.url);
const enigma = require('enigma.js');
const schema = require('enigma.js/schemas/12.2027.0.json');

export const WS = process.env.ASSOC_E2E_WS;
export const HTTP = process.env.ASSOC_E2E_HTTP;
export const TESTDATA = process.env.ASSOC_E2E_TESTDATA;
assert.ok(WS && HTTP && TESTDATA, 'run the tests through run.sh (ASSOC_E2E_* are not set)');

/** Rejects with a clear message when p does not settle within ms. */
export function within(p, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** A fresh identity, so that a test gets a session of its own. */
export function identity() {
  return randomUUID();
}

/**
 * Opens an enigma.js session on path (default: a private engineData
 * session) and waits for OnConnected. Returns {session, global, state}.
 */
export async function open({ path, headers, suspendOnClose = false } = {}) {
  const url = WS + (path ?? `/app/engineData/identity/${identity()}`);
  const session = enigma.create({
    schema,
    url,
    createSocket: (u) => new WebSocket(u, { headers }),
    suspendOnClose,
  });
  const connected = new Promise((resolve) => {
    session.once('notification:OnConnected', (p) => resolve(p.qSessionState));
  });
  const global = await within(session.open(), 5000, `opening ${url}`);
  const state = await within(connected, 5000, 'OnConnected');
  return { session, global, state };
}

/** Closes a session, ignoring a socket that is already gone. */
export async function close(session) {
  try {
    await session.close();
  } catch {
    // already closed
  }
}

export const airportsScript = [
  'Airports:',
  'LOAD iata, name, city, state, country, latitude, longitude',
  'FROM [lib://testdata/airports.csv]',
  "(txt, utf8, embedded labels, delimiter is ',', msq);",
  '',
].join('\r\n');

/**
 * Creates a session app with a folder connection "testdata" to
 * test/e2e/testdata and reloads the airports script in it.
 */
export async function loadAirports(global) {
  const app = await global.createSessionApp();
  await app.createConnection({ qName: 'testdata', qType: 'folder', qConnectionString: TESTDATA });
  await app.setScript(airportsScript);
  const ok = await within(app.doReload(), 30000, 'DoReload');
  assert.equal(ok, true, 'DoReload of the airports script');
  return app;
}

/**
 * Creates a session list object on field, fetching up to 500 rows, with
 * alternatives shown as A (as filter panes do; without qShowAlternatives
 * they are reported as X).
 */
export function listObject(app, field) {
  return app.createSessionObject({
    qInfo: { qType: 'e2e-listbox' },
    qListObjectDef: {
      qDef: { qFieldDefs: [field] },
      qShowAlternatives: true,
      qInitialDataFetch: [{ qTop: 0, qLeft: 0, qWidth: 1, qHeight: 500 }],
    },
  });
}

/** Returns the list object's values as a Map of text → qState. */
export async function states(obj) {
  const layout = await obj.getLayout();
  const m = new Map();
  for (const row of layout.qListObject.qDataPages[0].qMatrix) {
    m.set(row[0].qText, row[0].qState);
  }
  return m;
}

/** Returns the qElemNumber of the value text in a list object. */
export async function elemNumber(obj, text) {
  const layout = await obj.getLayout();
  for (const row of layout.qListObject.qDataPages[0].qMatrix) {
    if (row[0].qText === text) return row[0].qElemNumber;
  }
  throw new Error(`value ${text} not in the list`);
}

/** Counts the values of a states map that are in state s. */
export function count(m, s) {
  let n = 0;
  for (const v of m.values()) if (v === s) n++;
  return n;
}
