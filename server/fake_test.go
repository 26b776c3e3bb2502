package server

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeEngine is a small JSON-RPC engine for transport tests. Its sessions
// keep a key/value store (standing in for selections) shared by all their
// connections, and its methods are:
//
//	Echo(x)            → {"qReturn": x}
//	Set(k, v), Get(k)  → the session's store
//	Wait(name)         → blocks until release(name), then {"qReturn": name}
//	Flood(n, size)     → sends n notifications of size bytes, returns {"qReturn": sent}
//	Panic()            → panics
type fakeEngine struct {
	mu       sync.Mutex
	sessions []*fakeSession
	gates    map[string]chan struct{}
	newErr   error

	calls      atomic.Int64
	floodErr   chan error // the error that stopped a Flood
	floodDone  chan struct{}
	lastParams SessionParams
}

func newFakeEngine() *fakeEngine {
	return &fakeEngine{
		gates:     make(map[string]chan struct{}),
		floodErr:  make(chan error, 16),
		floodDone: make(chan struct{}, 16),
	}
}

func (e *fakeEngine) NewSession(p SessionParams) (Session, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.newErr != nil {
		return nil, e.newErr
	}
	e.lastParams = p
	s := &fakeSession{e: e, params: p, store: map[string]string{}}
	e.sessions = append(e.sessions, s)
	return s, nil
}

func (e *fakeEngine) Stats() EngineStats {
	e.mu.Lock()
	defer e.mu.Unlock()
	st := EngineStats{TotalSessions: int64(len(e.sessions)), Calls: e.calls.Load(), Selections: 7}
	for _, s := range e.sessions {
		if !s.closed.Load() {
			st.ActiveSessions++
		}
	}
	if st.ActiveSessions > 0 {
		st.ActiveDocs = []string{"a.qvf"}
	}
	st.LoadedDocs = []string{"a.qvf", "b.qvf"}
	return st
}

func (e *fakeEngine) gate(name string) chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.gates[name]
	if g == nil {
		g = make(chan struct{})
		e.gates[name] = g
	}
	return g
}

func (e *fakeEngine) release(name string) { close(e.gate(name)) }

func (e *fakeEngine) session(i int) *fakeSession {
	e.mu.Lock()
	defer e.mu.Unlock()
	if i >= len(e.sessions) {
		return nil
	}
	return e.sessions[i]
}

func (e *fakeEngine) sessionCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.sessions)
}

type fakeSession struct {
	e       *fakeEngine
	params  SessionParams
	attach  atomic.Int32
	closed  atomic.Bool
	mu      sync.Mutex
	store   map[string]string
	connsUp atomic.Int32
}

func (s *fakeSession) Attach(out Sender) Conn {
	state := "SESSION_ATTACHED"
	if s.attach.Add(1) == 1 {
		state = "SESSION_CREATED"
	}
	_ = out.Send(fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":%q}}`, state))
	s.connsUp.Add(1)
	return &fakeConn{s: s, out: out}
}

func (s *fakeSession) Close() { s.closed.Store(true) }

type fakeConn struct {
	s      *fakeSession
	out    Sender
	closed atomic.Bool
}

type fakeRequest struct {
	ID     int               `json:"id"`
	Method string            `json:"method"`
	Params []json.RawMessage `json:"params"`
}

func (c *fakeConn) Handle(frame []byte) {
	if c.closed.Load() {
		panic("Handle after Close")
	}
	c.s.e.calls.Add(1)
	var req fakeRequest
	if err := json.Unmarshal(frame, &req); err != nil {
		_ = c.out.Send([]byte(`{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}`))
		return
	}
	str := func(i int) string {
		var s string
		if i < len(req.Params) {
			_ = json.Unmarshal(req.Params[i], &s)
		}
		return s
	}
	num := func(i int) int {
		var n int
		if i < len(req.Params) {
			_ = json.Unmarshal(req.Params[i], &n)
		}
		return n
	}
	reply := func(v any) {
		b, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": map[string]any{"qReturn": v}})
		_ = c.out.Send(b)
	}
	switch req.Method {
	case "Echo":
		var v any
		if len(req.Params) > 0 {
			_ = json.Unmarshal(req.Params[0], &v)
		}
		reply(v)
	case "Set":
		c.s.mu.Lock()
		c.s.store[str(0)] = str(1)
		c.s.mu.Unlock()
		reply(true)
	case "Get":
		c.s.mu.Lock()
		v := c.s.store[str(0)]
		c.s.mu.Unlock()
		reply(v)
	case "Wait":
		<-c.s.e.gate(str(0))
		reply(str(0))
	case "Flood":
		n, size := num(0), num(1)
		payload := fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"Noise","params":{"x":"%s"}}`, strings.Repeat("x", size))
		sent := 0
		for ; sent < n; sent++ {
			if err := c.out.Send(payload); err != nil {
				c.s.e.floodErr <- err
				break
			}
		}
		c.s.e.floodDone <- struct{}{}
		reply(sent)
	case "Panic":
		panic("fake engine panic")
	default:
		_ = c.out.Send(fmt.Appendf(nil, `{"jsonrpc":"2.0","id":%d,"error":{"code":-32601,"message":"Method not found"}}`, req.ID))
	}
}

func (c *fakeConn) Close() {
	c.closed.Store(true)
	c.s.connsUp.Add(-1)
}

// stateError is a SessionStateError.
type stateError struct{ state string }

func (e stateError) Error() string        { return "refused: " + e.state }
func (e stateError) SessionState() string { return e.state }

var _ SessionStateError = stateError{}

// waitFor polls cond for up to 5 s.
func waitFor(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(2 * time.Millisecond)
	}
	return cond()
}
