package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/server/session"
)

// Defaults applied to zero Options fields.
const (
	DefaultMaxMessageBytes  = 16 << 20
	DefaultWriteQueueFrames = 1024
	DefaultWriteQueueBytes  = 64 << 20
	DefaultMaxInFlight      = 32
	DefaultWriteTimeout     = 30 * time.Second
	DefaultPingInterval     = 30 * time.Second
	DefaultPongTimeout      = 30 * time.Second
	DefaultHandshakeTimeout = 10 * time.Second
	DefaultCloseGrace       = 2 * time.Second
)

// Options configure a Server. The zero value works: no authentication,
// session TTL 0 (a session ends with its last connection), URL TTLs capped
// at 30 minutes, 16 MiB messages, ping every 30 s.
type Options struct {
	// Version is reported by /healthcheck.
	Version string
	// Logger receives the server's log lines; nil discards them.
	Logger *slog.Logger

	// SessionTTL is how long a session without connections lives when the
	// URL has no /ttl/<seconds>: 0 ends it with its last connection, a
	// negative value keeps it forever (only with a negative MaxSessionTTL).
	SessionTTL time.Duration
	// MaxSessionTTL caps every TTL: 0 means 30 minutes, negative no cap.
	MaxSessionTTL time.Duration
	// Clock schedules session expiry; nil is the system clock.
	Clock session.Clock

	// MaxMessageBytes is the largest request frame accepted; a larger one
	// closes the socket with 1009. 0 means DefaultMaxMessageBytes.
	MaxMessageBytes int
	// WriteQueueFrames and WriteQueueBytes bound the frames waiting to be
	// written to one client. A client whose queue overflows is too slow (or
	// gone) and is disconnected; one frame larger than WriteQueueBytes is
	// still accepted into an empty queue. 0 means the defaults.
	WriteQueueFrames int
	WriteQueueBytes  int
	// MaxInFlight is how many requests of one connection run at once; the
	// server stops reading from a client that has this many running.
	// 0 means DefaultMaxInFlight; 1 makes a connection strictly sequential.
	MaxInFlight int
	// WriteTimeout bounds one frame write; a client that does not take a
	// frame in time is disconnected. 0 means DefaultWriteTimeout.
	WriteTimeout time.Duration
	// PingInterval is how often an idle connection is pinged, and a client
	// that neither sends nor answers a ping within PingInterval+PongTimeout
	// is disconnected. 0 means the defaults; a negative PingInterval turns
	// keepalive off (and with it the idle timeout).
	PingInterval time.Duration
	PongTimeout  time.Duration
	// HandshakeTimeout bounds reading the upgrade request. 0 means
	// DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration
	// CloseGrace is how long the server waits for the client's close frame
	// after sending its own. 0 means DefaultCloseGrace.
	CloseGrace time.Duration
	// Compression negotiates permessage-deflate with clients that offer it.
	Compression bool

	// AllowedOrigins, when not empty, lists the only Origin header values
	// (e.g. "https://app.example.com") a browser may connect from; requests
	// without an Origin header are always allowed. Empty allows any origin,
	// as Qlik Core does.
	AllowedOrigins []string
	// Authenticator checks upgrade requests; nil turns authentication off.
	Authenticator Authenticator

	// --- Wiring of the license and the REST API (cmd/assoc serve). ---

	// Admission admits each upgraded connection before its session is
	// found or created (the license); nil admits every connection.
	Admission Admission
	// API serves the REST endpoints under /v1/ (nil: there are none, and
	// /v1/... is 404).
	API fasthttp.RequestHandler

	// DeferReady keeps /health at 503 until MarkReady is called (for
	// example while a startup app loads). By default the server is ready as
	// soon as it serves.
	DeferReady bool
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxMessageBytes <= 0 {
		o.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if o.WriteQueueFrames <= 0 {
		o.WriteQueueFrames = DefaultWriteQueueFrames
	}
	if o.WriteQueueBytes <= 0 {
		o.WriteQueueBytes = DefaultWriteQueueBytes
	}
	if o.MaxInFlight <= 0 {
		o.MaxInFlight = DefaultMaxInFlight
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = DefaultWriteTimeout
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.PongTimeout <= 0 {
		o.PongTimeout = DefaultPongTimeout
	}
	if o.HandshakeTimeout <= 0 {
		o.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if o.CloseGrace <= 0 {
		o.CloseGrace = DefaultCloseGrace
	}
	return o
}

// IdentityAuthenticator is an Authenticator that also returns what it
// knows of the user beyond User (package auth: an *auth.User, with the
// user's groups and claims). The server hands it to Options.Admission.
type IdentityAuthenticator interface {
	Authenticator
	AuthenticateIdentity(req *fasthttp.Request) (User, any, error)
}

// Admission decides whether a connection may have a session: the license.
type Admission interface {
	// Admit is called once for each upgraded connection, before its
	// session is found or created. An error refuses the connection: the
	// client is sent OnConnected with the error's session state (see
	// SessionStateError; SESSION_ERROR_APP_FAILURE when it has none), then
	// the socket closes.
	Admit(ctx context.Context, req AdmitRequest) (Admitted, error)
}

// AdmitRequest is what the server knows of a connection it admits.
type AdmitRequest struct {
	// User is the authenticated user (zero when authentication is off).
	User User
	// Identity is what an IdentityAuthenticator returned beyond User.
	Identity any
	// Session is the key of the session the connection belongs to:
	// connections of one session share what they consume.
	Session string
	// App is the app id of the URL.
	App string
	// Remote is the client's address.
	Remote string
}

// Admitted is an admitted connection's hold on the license
// (*license.Lease is one).
type Admitted interface {
	// Touch records a request (activity).
	Touch()
	// Done is closed when the hold is revoked; the server then sends
	// OnConnected with the state Revoked gives and closes the socket.
	Done() <-chan struct{}
	// Revoked returns the session state and reason of a revocation.
	Revoked() (state, reason string)
	// Release ends the hold; the server calls it once the socket closed.
	Release(ctx context.Context) error
}
