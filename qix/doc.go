// Package qix implements Qlik's QIX engine API (JSON-RPC 2.0) on top of the
// engine, independent of any transport: a connection consumes request
// frames and produces response and notification frames through a Sender,
// so it is tested without a socket and served by package server over
// WebSocket.
//
// An Engine holds the apps; a Session is the engine-side state of one user
// (open app, selections, session objects) and survives reconnects; a Conn
// is one client connection attached to a Session, with its own handle
// table (handle -1 is Global).
package qix
