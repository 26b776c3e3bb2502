package qix

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/assocengine/assoc/engine"
)

// Session is the engine-side state of one user: the open app, the
// selections (an engine.Session on the app's current model), session
// objects, session alternate states, the modal selection and reload
// progress. It outlives its connections: a client that reconnects within
// the TTL attaches a new Conn to the same Session. It is safe for
// concurrent use.
type Session struct {
	e      *Engine
	id     uint64
	params SessionParams

	mu          sync.Mutex
	closed      bool
	attaches    int
	conns       map[*Conn]struct{}
	app         *app
	es          *engine.Session
	esModel     *modelInfo
	objects     map[string]*genericObject // session objects by id
	vars        map[string]*genericObject // session variables by id
	objOrder    []string
	extraStates []string // session alternate states
	soft        map[*genericObject]*softState
	lists       listCache
	modal       *modal
	reloads     map[int64]*progress // by the request id of the DoReload
	lastReload  *progress

	// selMu orders the selection operations of the session and the modal
	// transitions around them.
	selMu sync.Mutex

	handleSeq atomic.Int64 // handle numbers, unique over the session's connections
}

// modal is an object in selection mode (BeginSelections).
type modal struct {
	obj      *genericObject
	paths    []string
	snapshot map[string]*engine.State // selections at BeginSelections
	mark     engine.Mark              // selections and history at BeginSelections
	made     bool                     // selections were made in the mode
	version  *modelInfo
}

// Attach connects a client to the session and sends the OnConnected
// notification: SESSION_CREATED for the first attach, SESSION_ATTACHED
// afterwards.
func (s *Session) Attach(out Sender) *Conn {
	c := &Conn{s: s, out: out, handles: map[int]*handleEntry{}, objHandles: map[*genericObject]int{},
		docHandles: map[*app]int{}, fieldHandles: map[fieldKey]int{}, inflight: map[int64]*inflight{}}
	// OnConnected goes out before anything else can be sent to c: pushes
	// to c wait for sendMu.
	c.sendMu.Lock()
	defer c.sendMu.Unlock()
	s.mu.Lock()
	state := SessionAttached
	if s.attaches == 0 {
		state = SessionCreated
	}
	s.attaches++
	if s.closed {
		state = SessionErrorAppFailure
		c.closed = true
	} else {
		s.conns[c] = struct{}{}
	}
	s.mu.Unlock()
	if err := out.Send(appendOnConnected(nil, state)); err != nil {
		s.e.log.Debug("cannot send OnConnected", "session", s.id, "err", err)
	}
	return c
}

func appendOnConnected(dst []byte, state string) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":`...)
	dst = appendString(dst, state)
	return append(dst, "}}"...)
}

// Close frees the session (its TTL lapsed): connections still attached stop
// answering, session objects are dropped and a session app nobody else uses
// is discarded.
func (s *Session) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.conns = map[*Conn]struct{}{}
	a := s.app
	s.app, s.es, s.esModel, s.modal = nil, nil, nil, nil
	s.objects = map[string]*genericObject{}
	s.objOrder = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	if a != nil {
		a.removeSession(s)
		s.e.dropSessionApp(a)
	}
	s.e.removeSession(s)
}

// openLocked makes a the session's app. s.mu must be held.
func (s *Session) openLocked(a *app) {
	s.app = a
	s.es, s.esModel, s.modal = nil, nil, nil
	a.addSession(s)
}

// doc returns the open app, or nil.
func (s *Session) doc() *app {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.app
}

// connList returns the attached connections.
func (s *Session) connList() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*Conn, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, c)
	}
	return out
}

func (s *Session) detach(c *Conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// selections returns the engine session of the open app on its current
// model, starting a new one (no selections) after a reload swapped the
// model, and with the alternate states of the app and the session.
func (s *Session) selections() (*engine.Session, *modelInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.app == nil {
		return nil, nil, qerr(errAppInvalid, "No active document")
	}
	mi := s.app.model()
	if s.es == nil || s.esModel != mi {
		opts := s.app.engineOptions()
		opts.Variables = s.variableValue(s.app)
		opts.Bookmarks = s.app.bookmarkStates(mi.m)
		s.es = engine.NewSession(mi.m, opts)
		s.esModel = mi
		s.modal = nil
	}
	want := append([]string{engine.DefaultState}, s.app.alternateStates()...)
	for _, st := range s.extraStates {
		if !slices.Contains(want, st) {
			want = append(want, st)
		}
	}
	have := s.es.StateNames()
	if !slices.Equal(have, want) {
		for _, st := range have {
			if !slices.Contains(want, st) {
				_ = s.es.RemoveState(st)
			}
		}
		for _, st := range want {
			if !slices.Contains(have, st) {
				_ = s.es.AddState(st)
			}
		}
	}
	return s.es, mi, nil
}

// stateNames returns the alternate states visible in the session (app
// states, then session states), without "$".
func (s *Session) stateNames() []string {
	s.mu.Lock()
	a, extra := s.app, slices.Clone(s.extraStates)
	s.mu.Unlock()
	var out []string
	if a != nil {
		out = a.alternateStates()
	}
	for _, st := range extra {
		if !slices.Contains(out, st) {
			out = append(out, st)
		}
	}
	return out
}

// sessionObject returns the session object with this id, or nil.
func (s *Session) sessionObject(id string) *genericObject {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[id]
}

// modalObject returns the object in selection mode, or nil.
func (s *Session) modalState() *modal {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.modal != nil && s.modal.version != s.esModel {
		s.modal = nil // the model was swapped by a reload
	}
	return s.modal
}
