// Connecting to the engine with enigma.js.
import enigma from 'enigma.js';
import schema from 'enigma.js/schemas/12.2027.0.json';

// wsURL is the QIX WebSocket URL of appId on the server that served this
// page: ws(s)://<host>/app/<appId>.
export function wsURL(appId) {
  const proto = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${proto}//${window.location.host}/app/${encodeURIComponent(appId)}`;
}

// connect opens an enigma.js session on appId ("engineData" for none) and
// reports its state through onState("open" | "closed" | "error", detail).
// It resolves to {session, global, close}; close ends the session quietly.
export async function connect(appId, onState = () => {}) {
  const session = enigma.create({
    schema,
    url: wsURL(appId),
    // The engine pushes OnConnected first; a session error such as
    // SESSION_ERROR_LIMIT_EXCEEDED arrives there.
    createSocket: (url) => new WebSocket(url),
  });
  session.on('notification:OnConnected', (p) => {
    const state = p && p.qSessionState;
    if (state && state.startsWith('SESSION_ERROR')) {
      onState('error', `the engine refused the session: ${state}`);
    }
  });
  let closing = false;
  session.on('closed', (evt) => {
    if (closing) {
      onState('idle', '');
      return;
    }
    const code = evt && evt.code;
    onState('closed', code ? `the connection closed (code ${code})` : 'the connection closed');
  });
  let global;
  try {
    global = await session.open();
  } catch (err) {
    onState('error', `cannot connect to ${wsURL(appId)}: ${describe(err)}`);
    throw err;
  }
  onState('open', wsURL(appId));
  const close = () => {
    closing = true;
    return session.close().catch(() => {});
  };
  return { session, global, close };
}

// describe turns an enigma.js error (a QIX error object or an Error) into
// one line of text.
export function describe(err) {
  if (!err) {
    return 'unknown error';
  }
  if (typeof err === 'string') {
    return err;
  }
  const parts = [];
  if (err.message) {
    parts.push(err.message);
  }
  if (err.parameter) {
    parts.push(`(${err.parameter})`);
  }
  if (err.code !== undefined && typeof err.code === 'number') {
    parts.push(`[code ${err.code}]`);
  }
  return parts.join(' ') || String(err);
}
