package qix

import (
	"context"
	"log/slog"

	"github.com/assocengine/assoc/engine"
)

// This file is the contract between package qix and its users (package
// server and cmd/assoc). Keep its exported names and meanings stable.

// Options configure an Engine. The zero value works (in-memory apps only,
// no folder connections allowed, no reload).
type Options struct {
	// DocsDir is the document directory for apps (may be empty).
	DocsDir string
	// AllowDirs are the only directory roots folder connections
	// (CreateConnection with type "folder") may point into.
	AllowDirs []string
	// Reload runs a load script and returns the new model. Nil makes
	// DoReload fail with a clear error.
	Reload Reloader
	// Logger receives the engine's log lines (nil discards them).
	Logger *slog.Logger
	// Version is reported by EngineVersion/ProductVersion ("" reports the
	// QIX schema version the engine implements).
	Version string
	// Store keeps the persistent apps (nil: an in-memory MemoryStore).
	Store AppStore
	// CheckScript finds the syntax errors of a load script for
	// Doc.CheckScriptSyntax (nil: no errors are reported).
	CheckScript func(script string) []ScriptError
	// MaxSessionsPerApp and other limits may be added here.

	// Authorize, when set, is asked before each call runs whether the
	// session's user may make it (the server's license access type and
	// access rules): class is the handle's class (Global, Doc,
	// GenericObject, Field...), method the method name, and transient is
	// true when the call changes nothing saved (a call on a session
	// object, or ApplyPatches with qSoftPatch). An error refuses the call
	// with QIX error 5 (Access denied), the error's text as parameter.
	Authorize func(p SessionParams, class, method string, transient bool) error
}

// ScriptError is one syntax error of a load script, for CheckScriptSyntax.
type ScriptError struct {
	Line, Col int // 1-based; Col counts bytes
	Len       int // length of the faulty text in bytes (0 when unknown)
	Msg       string
}

// Reloader runs a load script. It must build the new model on the side and
// never touch the previous one: the caller swaps models only on success.
type Reloader func(ctx context.Context, req ReloadRequest) (*ReloadResult, error)

// ReloadRequest is what a reload needs from the engine.
type ReloadRequest struct {
	AppID  string
	Script string
	// Connections maps connection names (as in lib://<name>/...) to
	// folder paths already checked against Options.AllowDirs.
	Connections map[string]string
	// AllowDirs are the roots every file access must stay inside.
	AllowDirs []string
	// Progress receives progress events while the reload runs (may be nil).
	Progress func(ReloadProgress)
	Logger   *slog.Logger
	// Mode is DoReload's qMode: 0 default, 1 abort on error, 2 ignore
	// errors.
	Mode int
	// Partial asks for a partial reload (ADD/REPLACE/MERGE only).
	Partial bool
	// Debug is DoReload's qDebug.
	Debug bool
	// RowLimit caps the rows read from each source (-1: no limit).
	RowLimit int64
}

// ReloadProgress is one progress event of a running reload.
type ReloadProgress struct {
	// Message is a transient line such as "Orders << 1200 Lines fetched".
	Message string
	// Persistent is true for lines that stay in the reload log.
	Persistent bool
}

// ReloadResult is a successful reload's output.
type ReloadResult struct {
	Model *engine.Model
	// Log is the reload log (script lines, tables, warnings).
	Log string
	// Variables are the script variables left at the end, by name.
	Variables map[string]string
}

// ReloadError is a failed reload with the script position of the error.
// Reloaders return it (wrapped or not) so DoReload can report line:col.
type ReloadError struct {
	Line, Col int
	Msg       string
	Log       string
}

// Error returns the message.
func (e *ReloadError) Error() string { return e.Msg }

// SessionParams identify a session when a client connects.
type SessionParams struct {
	// AppID is the app id from the URL (/app/<id>), "" or "engineData" for
	// none. An id of the form "SessionApp_<x>" opens (or creates) a session
	// app with that id.
	AppID string
	// User is the authenticated user id ("" when auth is off).
	User string
	// UserDirectory is the user's directory, if any.
	UserDirectory string
}

// Sender delivers frames to one client. Send must not block for long: the
// transport queues frames and reports a full queue as an error (the
// connection is then closed by the transport).
type Sender interface {
	Send(frame []byte) error
}

// SessionState values for the OnConnected notification.
const (
	SessionCreated            = "SESSION_CREATED"
	SessionAttached           = "SESSION_ATTACHED"
	SessionErrorNoLicense     = "SESSION_ERROR_NO_LICENSE"
	SessionErrorLicenseRenew  = "SESSION_ERROR_LICENSE_RENEW"
	SessionErrorLimitExceeded = "SESSION_ERROR_LIMIT_EXCEEDED"
	SessionErrorAppAccess     = "SESSION_ERROR_APP_ACCESS_DENIED"
	SessionErrorAppFailure    = "SESSION_ERROR_APP_FAILURE"
)

// EngineStats are the figures /healthcheck and metrics report.
type EngineStats struct {
	ActiveSessions int
	TotalSessions  int64
	ActiveDocs     []string // apps with at least one session
	LoadedDocs     []string // apps in memory
	Calls          int64
	Selections     int64
}

// Functions and methods of the contract (implemented in engine.go,
// session.go and conn.go):
//
//	func NewEngine(opts Options) (*Engine, error)
//	func (e *Engine) Close() error
//	func (e *Engine) Stats() EngineStats
//	func (e *Engine) NewSession(p SessionParams) (*Session, error)
//	func (e *Engine) CreateApp(ctx context.Context, id, title, script string, reload bool) error
//	func (s *Session) Attach(out Sender) *Conn   // sends OnConnected first: SESSION_CREATED for the
//	                                             // first attach, SESSION_ATTACHED afterwards
//	func (s *Session) Close()                    // frees the session (TTL lapsed)
//	func (c *Conn) Handle(frame []byte)          // one request frame; safe to call concurrently,
//	                                             // responses go to the Sender, possibly out of order
//	func (c *Conn) Close()                       // the client went away; the session stays
