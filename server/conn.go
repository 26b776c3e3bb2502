package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/fasthttp/websocket"

	"github.com/assocengine/assoc/server/session"
)

// Errors returned by a connection's Send.
var (
	// ErrConnClosed is returned by Send once the connection is closed.
	ErrConnClosed = errors.New("connection closed")
	// ErrSlowClient is returned by Send when the client's write queue is
	// full; the connection is then closed.
	ErrSlowClient = errors.New("client too slow: write queue full")
)

// sessionErrorAppFailure is the OnConnected state for a session the engine
// could not create for a reason of its own.
const sessionErrorAppFailure = "SESSION_ERROR_APP_FAILURE"

// errTooBig is returned by readMessage for a message over the limit.
var errTooBig = errors.New("message too big")

// maxCloseReason is the longest close reason a close frame can carry.
const maxCloseReason = 123

// wsConn is one WebSocket client: a reader goroutine that dispatches
// requests to the engine (up to MaxInFlight at once), and a writer
// goroutine that drains a bounded queue of outgoing frames and pings.
//
// Shutdown order: the reader stops (client gone, bad frame, or stop), the
// running requests finish and queue their responses, the engine connection
// is closed, then finish is closed and the writer flushes the queue, sends
// the close frame (if there is a close code) and exits.
type wsConn struct {
	s   *Server
	ws  *websocket.Conn
	log *slog.Logger
	qc  Conn
	adm Admitted // the license's hold (Options.Admission), or nil

	queue     chan *[]byte
	queued    atomic.Int64 // bytes in queue
	maxQueued int64

	inflight chan struct{} // semaphore of running requests
	handlers sync.WaitGroup

	mu          sync.Mutex
	closeCode   int    // close frame to send at the end; 0 for none
	closeReason string // its reason
	nudged      bool   // the read deadline was forced: reading is over
	idle        time.Duration

	stopOnce   sync.Once
	stopped    chan struct{} // closed by stop: the reader must end
	finish     chan struct{} // closed by serveConn: the writer must end
	goneOnce   sync.Once
	gone       chan struct{} // closed when frames can no longer be written
	writerDone chan struct{}
}

var _ Sender = (*wsConn)(nil)

func newWSConn(s *Server, ws *websocket.Conn, log *slog.Logger) *wsConn {
	c := &wsConn{
		s:          s,
		ws:         ws,
		log:        log,
		queue:      make(chan *[]byte, s.opts.WriteQueueFrames),
		maxQueued:  int64(s.opts.WriteQueueBytes),
		inflight:   make(chan struct{}, s.opts.MaxInFlight),
		stopped:    make(chan struct{}),
		finish:     make(chan struct{}),
		gone:       make(chan struct{}),
		writerDone: make(chan struct{}),
	}
	if s.opts.PingInterval > 0 {
		c.idle = s.opts.PingInterval + s.opts.PongTimeout
	}
	return c
}

// serveConn runs one upgraded connection to its end.
func (s *Server) serveConn(ws *websocket.Conn, key session.Key, route Route, params SessionParams, adm AdmitRequest) {
	defer ws.Close() // see KeepHijackedConns
	log := s.log.With("remote", adm.Remote, "session", key.String(), "app", route.AppID, "user", adm.User.key())
	c := newWSConn(s, ws, log)
	if !s.register(c) {
		writeClose(ws, websocket.CloseGoingAway, "server shutting down", s.opts.WriteTimeout)
		return
	}
	defer s.unregister(c)

	// License admission (Options.Admission): a refusal is told in
	// OnConnected before the session is touched.
	if s.opts.Admission != nil {
		actx, cancel := context.WithTimeout(context.Background(), s.opts.HandshakeTimeout)
		held, err := s.opts.Admission.Admit(actx, adm)
		cancel()
		if err != nil {
			c.refuse(err)
			return
		}
		c.adm = held
		defer c.releaseAdmission()
	}

	lease, err := s.sessions.Acquire(key, route.TTL, route.HasTTL, func() (Session, error) {
		return s.engine.NewSession(params)
	})
	if err != nil {
		c.refuse(err)
		return
	}
	log.Debug("connected", "attached", lease.Attached())

	go c.writeLoop()
	c.guard("attaching to the session", func() { c.qc = lease.Session().Attach(c) })
	if c.qc != nil {
		reading := make(chan struct{})
		if c.adm != nil {
			go c.watchAdmission(reading)
		}
		c.readLoop()
		close(reading)
		c.handlers.Wait()
		c.guard("closing the engine connection", c.qc.Close)
	}
	lease.Release()
	close(c.finish)
	<-c.writerDone
	c.awaitPeerClose()
	log.Debug("disconnected")
}

// watchAdmission ends the connection when the license revokes its hold
// (capacity or passes used up, key changed): the client is sent
// OnConnected with the revocation's state, then the socket closes. It
// returns when reading ends.
func (c *wsConn) watchAdmission(reading <-chan struct{}) {
	select {
	case <-reading:
	case <-c.adm.Done():
		state, reason := c.adm.Revoked()
		c.log.Info("license revoked the connection", "state", state, "reason", reason)
		_ = c.Send(fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":%q}}`, state))
		c.stop(websocket.ClosePolicyViolation, reason)
	}
}

// releaseAdmission gives the license hold back once the socket closed.
func (c *wsConn) releaseAdmission() {
	ctx, cancel := context.WithTimeout(context.Background(), c.s.opts.HandshakeTimeout)
	defer cancel()
	if err := c.adm.Release(ctx); err != nil {
		c.log.Warn("cannot release the license hold of a connection", "err", err)
	}
}

// guard runs an engine call, turning a panic into a logged BUG and a
// closed connection.
func (c *wsConn) guard(what string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			c.log.Error("BUG: engine panicked", "while", what, "panic", p)
			c.stop(websocket.CloseInternalServerErr, "internal server error")
		}
	}()
	f()
}

// refuse tells a client its session could not be created: an OnConnected
// notification with the error state, then a close frame.
func (c *wsConn) refuse(err error) {
	if errors.Is(err, session.ErrClosed) {
		writeClose(c.ws, websocket.CloseGoingAway, "server shutting down", c.s.opts.WriteTimeout)
		return
	}
	state, code := sessionErrorAppFailure, websocket.CloseInternalServerErr
	var se SessionStateError
	if errors.As(err, &se) {
		state, code = se.SessionState(), websocket.ClosePolicyViolation
	}
	c.log.Warn("session refused", "state", state, "err", err)
	frame := fmt.Appendf(nil, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":%q}}`, state)
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.opts.WriteTimeout))
	if c.ws.WriteMessage(websocket.TextMessage, frame) == nil {
		writeClose(c.ws, code, err.Error(), c.s.opts.WriteTimeout)
	}
}

// Send queues one frame for the client (Sender). It never blocks: a
// full queue means the client does not keep up, and it is disconnected.
// The frame is copied, so the caller may reuse it.
func (c *wsConn) Send(frame []byte) error {
	select {
	case <-c.gone:
		return ErrConnClosed
	default:
	}
	n := int64(len(frame))
	if q := c.queued.Add(n); q > c.maxQueued && q != n {
		c.queued.Add(-n)
		c.overflow(q - n)
		return ErrSlowClient
	}
	buf := getFrame(len(frame))
	*buf = append((*buf)[:0], frame...)
	select {
	case c.queue <- buf:
		return nil
	default:
		c.queued.Add(-n)
		putFrame(buf)
		c.overflow(c.queued.Load())
		return ErrSlowClient
	}
}

func (c *wsConn) overflow(queuedBytes int64) {
	c.log.Warn("disconnecting a slow client: its write queue is full",
		"queued_frames", len(c.queue), "queued_bytes", queuedBytes)
	c.kill()
}

// kill cuts the connection at once: no more writes, the reader fails.
func (c *wsConn) kill() {
	c.markGone()
	_ = c.ws.NetConn().Close()
}

func (c *wsConn) markGone() { c.goneOnce.Do(func() { close(c.gone) }) }

// setClose records the close frame to send at the end; the first call
// wins.
func (c *wsConn) setClose(code int, reason string) {
	c.mu.Lock()
	if c.closeCode == 0 {
		c.closeCode, c.closeReason = code, reason
	}
	c.mu.Unlock()
}

// stop ends the connection from outside the reader (shutdown, a panic): it
// records the close frame, makes the reader return and lets the running
// requests finish.
func (c *wsConn) stop(code int, reason string) {
	c.setClose(code, reason)
	c.stopOnce.Do(func() {
		close(c.stopped)
		c.mu.Lock()
		c.nudged = true
		_ = c.ws.SetReadDeadline(time.Now())
		c.mu.Unlock()
	})
}

// extendRead moves the read deadline on after the client showed life.
func (c *wsConn) extendRead() {
	if c.idle <= 0 {
		return
	}
	c.mu.Lock()
	if !c.nudged {
		_ = c.ws.SetReadDeadline(time.Now().Add(c.idle))
	}
	c.mu.Unlock()
}

// readLoop reads request frames and starts a handler for each, until the
// client goes away, sends something it must not, or the connection is
// stopped.
func (c *wsConn) readLoop() {
	c.ws.SetPongHandler(func(string) error {
		c.extendRead()
		return nil
	})
	c.extendRead()
	max := c.s.opts.MaxMessageBytes
	for {
		select {
		case <-c.stopped:
			return
		default:
		}
		mt, r, err := c.ws.NextReader()
		if err != nil {
			c.readFailed(err)
			return
		}
		c.extendRead()
		if mt == websocket.BinaryMessage {
			c.log.Info("closing: client sent a binary frame")
			c.setClose(websocket.CloseUnsupportedData, "binary frames are not supported: send JSON-RPC requests as text frames")
			return
		}
		frame, err := readMessage(r, max)
		if errors.Is(err, errTooBig) {
			c.log.Info("closing: request frame too big", "limit", max)
			c.setClose(websocket.CloseMessageTooBig, fmt.Sprintf("message too big: the limit is %d bytes", max))
			return
		}
		if err != nil {
			c.readFailed(err)
			return
		}
		select {
		case c.inflight <- struct{}{}:
		case <-c.stopped:
			return
		}
		c.handlers.Add(1)
		go c.handle(frame)
	}
}

// readFailed handles the end of reading by an error. After a network
// error, a timeout or the client's close frame (which the websocket package
// has answered), nothing more can be written; after our own stop, the
// responses still go out.
func (c *wsConn) readFailed(err error) {
	select {
	case <-c.stopped:
		return
	default:
	}
	c.markGone()
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		c.log.Debug("client closed", "code", ce.Code, "reason", ce.Text)
		return
	}
	c.log.Debug("read failed", "err", err)
}

// handle runs one request.
func (c *wsConn) handle(frame []byte) {
	defer func() {
		<-c.inflight
		c.handlers.Done()
	}()
	if c.adm != nil {
		c.adm.Touch() // activity keeps consumption-based licenses renewed
	}
	c.guard("handling a request", func() { c.qc.Handle(frame) })
}

// writeLoop writes queued frames and pings until finish (then it flushes
// the queue and sends the close frame) or until the connection is gone.
func (c *wsConn) writeLoop() {
	defer close(c.writerDone)
	defer c.markGone()
	var ping <-chan time.Time
	if c.s.opts.PingInterval > 0 {
		t := time.NewTicker(c.s.opts.PingInterval)
		defer t.Stop()
		ping = t.C
	}
	for {
		select {
		case buf := <-c.queue:
			if !c.write(buf) {
				return
			}
		case <-ping:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.s.opts.WriteTimeout)); err != nil {
				c.writeFailed(err)
				return
			}
		case <-c.finish:
			if !c.flush() {
				return
			}
			c.mu.Lock()
			code, reason := c.closeCode, c.closeReason
			c.mu.Unlock()
			if code != 0 {
				writeClose(c.ws, code, reason, c.s.opts.WriteTimeout)
			}
			return
		case <-c.gone:
			return
		}
	}
}

// flush writes what is left in the queue; it reports false when a write
// failed.
func (c *wsConn) flush() bool {
	for {
		select {
		case buf := <-c.queue:
			if !c.write(buf) {
				return false
			}
		default:
			return true
		}
	}
}

// write writes one frame; it reports false when the write failed.
func (c *wsConn) write(buf *[]byte) bool {
	n := int64(len(*buf))
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.s.opts.WriteTimeout))
	err := c.ws.WriteMessage(websocket.TextMessage, *buf)
	c.queued.Add(-n)
	putFrame(buf)
	if err != nil {
		c.writeFailed(err)
		return false
	}
	return true
}

func (c *wsConn) writeFailed(err error) {
	c.log.Info("disconnecting: write failed", "err", err)
	c.kill()
}

// awaitPeerClose waits (up to CloseGrace) for the client to answer our
// close frame, discarding whatever it still sends, so that closing the
// socket does not reset the connection before the client read the frame.
func (c *wsConn) awaitPeerClose() {
	c.mu.Lock()
	sent, nudged := c.closeCode != 0, c.nudged
	c.mu.Unlock()
	select {
	case <-c.gone:
		return
	default:
	}
	if !sent || nudged {
		return
	}
	_ = c.ws.SetReadDeadline(time.Now().Add(c.s.opts.CloseGrace))
	for {
		_, r, err := c.ws.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// readMessage reads one message of at most max bytes.
func readMessage(r io.Reader, max int) ([]byte, error) {
	buf := make([]byte, 0, min(max+1, 4096))
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), max+1-len(buf)))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > max {
			return nil, errTooBig
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// writeClose sends a close frame, its reason cut to what a frame can hold.
func writeClose(ws *websocket.Conn, code int, reason string, timeout time.Duration) {
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, truncateReason(reason)), time.Now().Add(timeout))
}

func truncateReason(s string) string {
	if len(s) <= maxCloseReason {
		return s
	}
	s = s[:maxCloseReason]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// framePool recycles the buffers of queued frames; large ones are left to
// the garbage collector.
var framePool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

const maxPooledFrame = 64 << 10

func getFrame(n int) *[]byte {
	if n > maxPooledFrame {
		b := make([]byte, 0, n)
		return &b
	}
	return framePool.Get().(*[]byte)
}

func putFrame(b *[]byte) {
	if cap(*b) <= maxPooledFrame {
		framePool.Put(b)
	}
}
