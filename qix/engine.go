package qix

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assocengine/assoc/engine"
)

// Engine holds the apps and the sessions using them. It is safe for
// concurrent use.
type Engine struct {
	opts  Options
	log   *slog.Logger
	store AppStore
	allow []string // AllowDirs, absolute with symlinks resolved
	empty *modelInfo

	mu       sync.Mutex
	closed   bool
	apps     map[string]*app // apps in memory: opened persistent apps and session apps
	sessions map[*Session]struct{}

	totalSessions atomic.Int64
	calls         atomic.Int64
	selections    atomic.Int64
	sessionSeq    atomic.Uint64
}

// defaultVersion is what EngineVersion reports when Options.Version is "".
const defaultVersion = "12.2027.0"

// NewEngine returns an engine configured by opts. Every directory of
// opts.AllowDirs must exist.
func NewEngine(opts Options) (*Engine, error) {
	e := &Engine{opts: opts, apps: map[string]*app{}, sessions: map[*Session]struct{}{}}
	e.log = opts.Logger
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	e.store = opts.Store
	if e.store == nil {
		e.store = NewMemoryStore()
	}
	if e.opts.Version == "" {
		e.opts.Version = defaultVersion
	}
	for _, d := range opts.AllowDirs {
		r, err := resolveDir(d)
		if err != nil {
			return nil, fmt.Errorf("cannot use %q as an allowed directory: %w", d, err)
		}
		e.allow = append(e.allow, r)
	}
	m, err := engine.NewBuilder(engine.Options{NoSystemTables: true}).Build()
	if err != nil {
		return nil, fmt.Errorf("cannot build the empty data model: %w", err)
	}
	e.empty = newModelInfo(m)
	return e, nil
}

// resolveDir returns the absolute, symlink-free form of an existing
// directory.
func resolveDir(d string) (string, error) {
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", err
	}
	r, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(r)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", r)
	}
	return r, nil
}

// Close closes every session and refuses new ones. Running reloads are
// cancelled through their requests' contexts.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	sessions := make([]*Session, 0, len(e.sessions))
	for s := range e.sessions {
		sessions = append(sessions, s)
	}
	e.mu.Unlock()
	for _, s := range sessions {
		s.Close()
	}
	return nil
}

// Stats returns the figures /healthcheck and metrics report.
func (e *Engine) Stats() EngineStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := EngineStats{
		ActiveSessions: len(e.sessions),
		TotalSessions:  e.totalSessions.Load(),
		Calls:          e.calls.Load(),
		Selections:     e.selections.Load(),
		ActiveDocs:     []string{},
		LoadedDocs:     []string{},
	}
	for id, a := range e.apps {
		st.LoadedDocs = append(st.LoadedDocs, id)
		if a.sessionCount() > 0 {
			st.ActiveDocs = append(st.ActiveDocs, id)
		}
	}
	slices.Sort(st.LoadedDocs)
	slices.Sort(st.ActiveDocs)
	return st
}

// NewSession starts a session. An AppID of the form "SessionApp_<x>" opens
// that session app, creating it if needed, so GetActiveDoc returns it
// without an OpenDoc; any other AppID is only informative (clients open
// apps with OpenDoc).
func (e *Engine) NewSession(p SessionParams) (*Session, error) {
	s := &Session{
		e:       e,
		id:      e.sessionSeq.Add(1),
		params:  p,
		conns:   map[*Conn]struct{}{},
		objects: map[string]*genericObject{},
		reloads: map[int64]*progress{},
		soft:    map[*genericObject]*softState{},
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, fmt.Errorf("cannot start a session: engine %w", ErrClosed)
	}
	e.sessions[s] = struct{}{}
	e.mu.Unlock()
	e.totalSessions.Add(1)
	if strings.HasPrefix(p.AppID, sessionAppPrefix) {
		a := e.sessionApp(p.AppID)
		s.mu.Lock()
		s.openLocked(a)
		s.mu.Unlock()
	}
	return s, nil
}

const sessionAppPrefix = "SessionApp_"

// sessionApp returns the session app with this id, creating it if needed.
func (e *Engine) sessionApp(id string) *app {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a, ok := e.apps[id]; ok {
		return a
	}
	a := newApp(e, id, true)
	a.title = id
	e.apps[id] = a
	return a
}

// CreateApp creates a persistent app in the store; with reload set it runs
// the script first (through Options.Reload) and stores the result.
func (e *Engine) CreateApp(ctx context.Context, id, title, script string, reload bool) error {
	if err := validAppID(id); err != nil {
		return err
	}
	a := newApp(e, id, false)
	a.title = title
	if a.title == "" {
		a.title = id
	}
	a.script = script
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return fmt.Errorf("cannot create app %q: engine %w", id, ErrClosed)
	}
	_, live := e.apps[id]
	e.mu.Unlock()
	if live {
		return fmt.Errorf("cannot create app %q: %w", id, ErrAppExists)
	}
	if _, err := e.store.Load(id); err == nil {
		return fmt.Errorf("cannot create app %q: %w", id, ErrAppExists)
	}
	if reload {
		if _, err := a.reload(ctx, reloadParams{rowLimit: -1}, nil); err != nil {
			return fmt.Errorf("cannot create app %q: %w", id, err)
		}
	}
	if err := e.store.Save(a.snapshot()); err != nil {
		return fmt.Errorf("cannot create app %q: %w", id, err)
	}
	return nil
}

func validAppID(id string) error {
	if strings.TrimSpace(id) == "" {
		return fmt.Errorf("invalid app id %q: empty", id)
	}
	if strings.ContainsAny(id, "\x00") {
		return fmt.Errorf("invalid app id %q: contains NUL", id)
	}
	return nil
}

// openApp returns the live app with this id, loading it from the store if
// it is not in memory.
func (e *Engine) openApp(id string) (*app, error) {
	id = e.resolveAppID(id)
	e.mu.Lock()
	if a, ok := e.apps[id]; ok {
		e.mu.Unlock()
		return a, nil
	}
	e.mu.Unlock()
	snap, err := e.store.Load(id)
	if err != nil {
		return nil, err
	}
	a, err := appFromSnapshot(e, snap)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if b, ok := e.apps[id]; ok { // opened concurrently
		return b, nil
	}
	e.apps[id] = a
	return a, nil
}

// dropSessionApp forgets a session app nobody uses any more.
func (e *Engine) dropSessionApp(a *app) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a.isSession && a.sessionCount() == 0 && e.apps[a.id] == a {
		delete(e.apps, a.id)
	}
}

func (e *Engine) removeSession(s *Session) {
	e.mu.Lock()
	delete(e.sessions, s)
	e.mu.Unlock()
}

// newUUID returns a random RFC 4122 version 4 UUID.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// now is the clock (a variable so tests can pin it).
var now = time.Now
