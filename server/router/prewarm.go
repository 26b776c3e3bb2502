package router

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/assocengine/assoc/server/metrics"
)

// QIX error codes the router reads in the prewarm's answers.
const (
	qixNotFound       = 2    // LOCERR_GENERIC_NOT_FOUND
	qixAccessDenied   = 5    // LOCERR_GENERIC_ACCESS_DENIED
	qixAppAlreadyOpen = 1002 // LOCERR_APP_ALREADY_OPEN
	qixAppNotFound    = 1003 // LOCERR_APP_NOT_FOUND
)

// maxPrewarmFrame bounds a frame the prewarm connection reads.
const maxPrewarmFrame = 1 << 20

// placeError is a placement that failed with an HTTP status to answer.
type placeError struct {
	status  int    // HTTP status for the client
	outcome string // metrics.Placement* outcome
	msg     string
}

func (e *placeError) Error() string { return e.msg }

// unreachableError is an engine that could not be reached: the router
// tries another one.
type unreachableError struct {
	engine string
	err    error
}

func (e *unreachableError) Error() string {
	return fmt.Sprintf("engine %s is unreachable: %v", e.engine, e.err)
}

func (e *unreachableError) Unwrap() error { return e.err }

// warm is the router's own connection to a session, which opened the
// client's app on the engine before the client's connection attaches
// (Qlik's session placement). It is closed once the client's connection
// is attached, so the session is never without a connection in between.
type warm struct {
	ws   *websocket.Conn
	once sync.Once
	done chan struct{}
}

// Close closes the connection (once).
func (w *warm) Close() {
	if w == nil {
		return
	}
	w.once.Do(func() {
		_ = w.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
			time.Now().Add(time.Second))
		_ = w.ws.Close()
		<-w.done
	})
}

// drain reads and discards what the engine sends until the connection
// closes (answering pings on the way).
func (w *warm) drain() {
	defer close(w.done)
	for {
		if _, _, err := w.ws.NextReader(); err != nil {
			return
		}
	}
}

// rpcFrame is what the prewarm reads of a frame from the engine.
type rpcFrame struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params struct {
		SessionState string `json:"qSessionState"`
	} `json:"params"`
	Error *struct {
		Code      int    `json:"code"`
		Parameter string `json:"parameter"`
		Message   string `json:"message"`
	} `json:"error"`
}

// prewarm connects to the engine as the client will, with the client's
// credentials and the session id, and opens the app (OpenDoc for an app
// id, CreateSessionApp for sessionApp): an unknown app, a refused token or
// a denied app are answered before the client's connection is proxied. A
// session the engine refuses (for example SESSION_ERROR_NO_LICENSE) is
// not the router's to tell: it returns no connection and no error, and
// the engine tells the client itself. keep gives the session the prewarm
// TTL, for a client that connects after this connection closed.
func (r *Router) prewarm(ctx context.Context, s snapshot, sessionID, authorization, app string, sessionApp, keep bool) (*warm, error) {
	url := "ws://" + s.Addr() + "/app/engineData"
	if keep {
		// The client connects later by itself (the placement API): the
		// session must outlive this connection. When the router proxies
		// the client, its connection attaches before this one closes, and
		// a failed prewarm leaves no session behind.
		ttl := int64(r.opts.PrewarmTTL / time.Second)
		url += "/ttl/" + strconv.FormatInt(max(ttl, 1), 10)
	}
	h := http.Header{}
	h.Set("X-Qlik-Session", sessionID)
	if authorization != "" {
		h.Set("Authorization", authorization)
	}
	ctx, cancel := context.WithTimeout(ctx, r.opts.DialTimeout+r.opts.HealthTimeout)
	defer cancel()
	ws, resp, err := r.dialer.DialContext(ctx, url, h)
	if err != nil {
		if resp != nil {
			return nil, handshakeError(s, resp)
		}
		return nil, &unreachableError{engine: s.Name, err: err}
	}
	ws.SetReadLimit(maxPrewarmFrame)
	if dl, ok := ctx.Deadline(); ok {
		_ = ws.SetReadDeadline(dl)
		_ = ws.SetWriteDeadline(dl)
	}
	fail := func(err error) (*warm, error) {
		_ = ws.Close()
		return nil, err
	}
	state, err := readOnConnected(ws)
	if err != nil {
		return fail(&unreachableError{engine: s.Name, err: err})
	}
	if state != "SESSION_CREATED" && state != "SESSION_ATTACHED" {
		r.log.Info("the engine refused the session; it will tell the client", "engine", s.Name, "state", state)
		_ = ws.Close()
		return nil, nil
	}
	var req []byte
	switch {
	case sessionApp:
		req = []byte(`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"CreateSessionApp","params":{}}`)
	case app != "":
		req, _ = json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "handle": -1, "method": "OpenDoc",
			"params": map[string]any{"qDocName": app}})
	}
	if req != nil {
		if err := ws.WriteMessage(websocket.TextMessage, req); err != nil {
			return fail(&unreachableError{engine: s.Name, err: err})
		}
		f, err := readResponse(ws, "1")
		if err != nil {
			return fail(&unreachableError{engine: s.Name, err: err})
		}
		if f.Error != nil {
			return fail(openError(s, app, f))
		}
	}
	_ = ws.SetReadDeadline(time.Time{})
	_ = ws.SetWriteDeadline(time.Time{})
	w := &warm{ws: ws, done: make(chan struct{})}
	go w.drain()
	return w, nil
}

// handshakeError turns an engine's refused upgrade into the answer for the
// client: its 401 (bad token) goes back as it is.
func handshakeError(s snapshot, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	msg := strings.TrimSpace(string(body))
	switch resp.StatusCode {
	case http.StatusUnauthorized:
		return &placeError{status: http.StatusUnauthorized, outcome: metrics.PlacementUnauthorized, msg: "the engine refused the credentials: " + msg}
	case http.StatusForbidden:
		return &placeError{status: http.StatusForbidden, outcome: metrics.PlacementDenied, msg: "the engine refused the connection: " + msg}
	case http.StatusServiceUnavailable:
		return &unreachableError{engine: s.Name, err: fmt.Errorf("it is shutting down: %s", msg)}
	}
	return &placeError{status: http.StatusBadGateway, outcome: metrics.PlacementUnreachable,
		msg: fmt.Sprintf("engine %s refused the connection with HTTP %d: %s", s.Name, resp.StatusCode, msg)}
}

// openError turns a failed OpenDoc or CreateSessionApp into the answer
// for the client.
func openError(s snapshot, app string, f *rpcFrame) error {
	detail := f.Error.Message
	if f.Error.Parameter != "" {
		detail += ": " + f.Error.Parameter
	}
	switch f.Error.Code {
	case qixAppNotFound, qixNotFound:
		return &placeError{status: http.StatusNotFound, outcome: metrics.PlacementUnknownApp, msg: fmt.Sprintf("app %q does not exist", app)}
	case qixAccessDenied:
		return &placeError{status: http.StatusForbidden, outcome: metrics.PlacementDenied, msg: fmt.Sprintf("access to app %q is denied: %s", app, detail)}
	case qixAppAlreadyOpen:
		return &placeError{status: http.StatusConflict, outcome: metrics.PlacementBadRequest,
			msg: fmt.Sprintf("the session already has another app open (%s); use another X-Qlik-Session for app %q", detail, app)}
	}
	return &placeError{status: http.StatusBadGateway, outcome: metrics.PlacementUnreachable,
		msg: fmt.Sprintf("engine %s cannot open app %q: QIX error %d %s", s.Name, app, f.Error.Code, detail)}
}

// readOnConnected reads frames until the OnConnected notification and
// returns its session state.
func readOnConnected(ws *websocket.Conn) (string, error) {
	for range 16 {
		f, err := readFrame(ws)
		if err != nil {
			return "", err
		}
		if f.Method == "OnConnected" {
			return f.Params.SessionState, nil
		}
	}
	return "", errors.New("the engine sent no OnConnected notification")
}

// readResponse reads frames until the response with the given id.
func readResponse(ws *websocket.Conn, id string) (*rpcFrame, error) {
	for range 64 {
		f, err := readFrame(ws)
		if err != nil {
			return nil, err
		}
		if string(f.ID) == id {
			return f, nil
		}
	}
	return nil, fmt.Errorf("the engine did not answer request %s", id)
}

func readFrame(ws *websocket.Conn) (*rpcFrame, error) {
	mt, data, err := ws.ReadMessage()
	if err != nil {
		return nil, err
	}
	if mt != websocket.TextMessage {
		return nil, errors.New("the engine sent a binary frame")
	}
	var f rpcFrame
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("the engine sent a frame that is not JSON-RPC: %w", err)
	}
	return &f, nil
}

// probe checks that the engine accepts TCP connections (for connections
// that need no prewarm).
func (r *Router) probe(ctx context.Context, s snapshot) error {
	d := net.Dialer{Timeout: r.opts.DialTimeout}
	c, err := d.DialContext(ctx, "tcp", s.Addr())
	if err != nil {
		return &unreachableError{engine: s.Name, err: err}
	}
	return c.Close()
}
