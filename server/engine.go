package server

import "github.com/valyala/fasthttp"

// The server does not import package qix: it declares the little it needs
// from the engine here, with the same shapes as qix's contract (qix/api.go),
// so it builds and is tested on its own with a fake engine. cmd/assoc
// adapts a *qix.Engine to Engine; a *qix.Conn is a Conn as it is, and a
// Sender is a qix.Sender.

// Engine is what the server needs from the QIX engine.
type Engine interface {
	// NewSession creates the engine-side state of one session. An error
	// that has a SessionState method (see SessionStateError) picks the
	// OnConnected state the client is told before the socket closes.
	NewSession(p SessionParams) (Session, error)
	// Stats returns the figures /healthcheck reports.
	Stats() EngineStats
}

// SessionParams identify a new session (qix.SessionParams).
type SessionParams struct {
	// AppID is the app id from the URL ("" or "engineData" for none).
	AppID string
	// User is the authenticated user id ("" when auth is off).
	User string
	// UserDirectory is the user's directory, if any.
	UserDirectory string
}

// EngineStats are the engine's figures for /healthcheck (qix.EngineStats).
type EngineStats struct {
	ActiveSessions int
	TotalSessions  int64
	ActiveDocs     []string // apps with at least one session
	LoadedDocs     []string // apps in memory
	Calls          int64
	Selections     int64
}

// Sender delivers frames to one client (qix.Sender). Send never blocks;
// it fails when the client's queue is full or the connection is closed.
type Sender interface {
	Send(frame []byte) error
}

// Session is the engine-side state of one session, shared by every
// connection attached to it.
type Session interface {
	// Attach binds a new connection. The session sends OnConnected through
	// out first: SESSION_CREATED on its first attach, SESSION_ATTACHED
	// afterwards.
	Attach(out Sender) Conn
	// Close frees the session once no connection is left and its TTL has
	// lapsed.
	Close()
}

// Conn is one client connection attached to a Session.
type Conn interface {
	// Handle processes one request frame. It is called concurrently (up to
	// Options.MaxInFlight at once per connection) and sends its responses
	// through the Sender given to Attach. The frame is owned by the call and
	// not reused by the server.
	Handle(frame []byte)
	// Close tells the engine the client went away. It is called once, after
	// every Handle call of the connection has returned.
	Close()
}

// SessionStateError is an error from Engine.NewSession that names the
// OnConnected state to send (for example "SESSION_ERROR_LIMIT_EXCEEDED").
type SessionStateError interface {
	error
	SessionState() string
}

// User is an authenticated user.
type User struct {
	// ID is the user id (the JWT "sub" claim); it becomes part of the
	// session key.
	ID string
	// Directory is the user directory, if any.
	Directory string
}

// Authenticator checks the credentials of a WebSocket upgrade request
// (package server/auth implements it). An error rejects the upgrade with
// HTTP 401 and the error's text.
type Authenticator interface {
	Authenticate(req *fasthttp.Request) (User, error)
}
