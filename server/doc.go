// Package server is the service shell of assoc serve: it serves the QIX
// engine API (JSON-RPC 2.0) over WebSocket and the health endpoints on one
// port, as a Qlik Core engine does on 9076.
//
// # Endpoints
//
//   - WebSocket upgrade on /app/<appId>[/identity/<x>][/ttl/<seconds>]
//     (identity and ttl in either order; also /app/, /app/engineData and /;
//     query strings are ignored). See ParseRoute.
//   - GET /health: 200 {"status":"ok"} when ready, 503 while starting
//     (Options.DeferReady until MarkReady) or draining.
//   - GET /healthcheck: the Health JSON in Qlik Core's shape (version,
//     started, mem, cpu, session, apps, users, cache, saturated), which Mira
//     and session routers poll.
//
// # Sessions
//
// A connection belongs to an engine session chosen by package
// server/session: the X-Qlik-Session header when present, else the app id
// plus identity, and the user id when an Authenticator is set. The engine
// says SESSION_CREATED or SESSION_ATTACHED in its first frame. A session
// whose last connection left lives on for its TTL (Options.SessionTTL, or
// the URL's /ttl/<seconds>, capped by Options.MaxSessionTTL), so a client
// that reconnects in time (enigma.js suspend/resume) finds its app, objects
// and selections again.
//
// # Connections
//
// Each connection has a reader goroutine and a writer goroutine. The reader
// runs up to Options.MaxInFlight requests at once, each in its own
// goroutine, so responses may come out of order (clients match them by id);
// with that many running it stops reading, which pushes back on the client
// through TCP. Frames over Options.MaxMessageBytes close the socket with
// 1009, binary frames with 1003, each with a reason.
//
// Everything sent to a client goes through a bounded queue (frames and
// bytes) drained by the writer, which also pings the client. Send never
// blocks the engine: a client whose queue overflows, or that does not take
// a frame within Options.WriteTimeout, or that answers neither requests nor
// pings for Options.PingInterval+PongTimeout, is disconnected, and no other
// client notices.
//
// # Shutdown
//
// Shutdown flips /health to 503, refuses new upgrades, stops every
// connection from reading, lets running requests finish and their
// responses go out, closes each socket with 1001 (going away), then closes
// the listener and frees the sessions; a context bounds the wait.
//
// The server knows the engine only through the small interfaces Engine,
// Session and Conn (engine.go), which cmd/assoc implements with package
// qix; the tests use a fake engine and a real WebSocket client.
package server
