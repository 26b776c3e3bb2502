package serverbench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/assocengine/assoc/server"
)

// client is one QIX client of the benchmark: a WebSocket in its own
// session, the app open, and one session list object per field. Requests
// are sequential (each awaited before the next is sent), so the client
// reads frames inline until the response with its request's id arrives.
type client struct {
	ws      *websocket.Conn
	index   int
	opts    *ServerLoadOptions
	stopCtx func() bool // unhooks the close-on-cancel of the context

	nextID int64
	req    []byte       // request scratch
	in     bytes.Buffer // frame scratch
	// broken is set once the connection cannot be used any more (a read
	// or write failed, a timeout, a frame out of protocol).
	broken bool
	// pushed counts frames without an id: notifications and pushed
	// change/close lists.
	pushed int64
	// changed collects the handles of change lists (in responses and
	// pushed frames) since it was last emptied.
	changed []int
	closed  []int // handles the server closed

	doc    int
	lists  []int  // handle of each field's list object
	values [2]int // qElemNumbers the first list alternates between
	turn   int
}

// rpcFrame is any frame the server sends: a response (id with result or
// error), a notification (method, no id) or a push (change/close, no id).
type rpcFrame struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *rpcError       `json:"error"`
	Change []int           `json:"change"`
	Close  []int           `json:"close"`
}

// rpcError is a QIX error response.
type rpcError struct {
	Code      int    `json:"code"`
	Parameter string `json:"parameter"`
	Message   string `json:"message"`
}

// Error renders the error as the engine reported it.
func (e *rpcError) Error() string {
	return fmt.Sprintf("QIX error %d: %s (%s)", e.Code, e.Message, e.Parameter)
}

// cycleTiming is one measured cycle.
type cycleTiming struct {
	total, selection, layouts time.Duration
	pageRows                  int // rows of the three data pages
	bytes                     int // size of the four responses
}

// dial connects client i to the server at baseURL ("ws://host:port") on
// its own session, /app/<AppID>/identity/<i>.
func dial(ctx context.Context, baseURL string, i int, o *ServerLoadOptions) (*client, error) {
	url := baseURL + server.Route{AppID: AppID, Identity: strconv.Itoa(i)}.Path()
	d := websocket.Dialer{HandshakeTimeout: o.Timeout, ReadBufferSize: 16 << 10, WriteBufferSize: 4 << 10}
	ws, resp, err := d.DialContext(ctx, url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("cannot connect to %s: %w", url, err)
	}
	c := &client{ws: ws, index: i, opts: o}
	// A cancelled run must not wait for a response that may be far off:
	// closing the socket ends the read at once.
	c.stopCtx = context.AfterFunc(ctx, func() { _ = ws.Close() })
	return c, nil
}

// close says goodbye with a normal close frame and closes the socket.
func (c *client) close() {
	c.stopCtx()
	if !c.broken {
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""),
			time.Now().Add(time.Second))
	}
	_ = c.ws.Close()
}

// setup waits for OnConnected, opens the app, creates the list objects,
// reads their first layouts and picks the two values of the first list the
// cycles select in turn.
func (c *client) setup() error {
	if err := c.connected(); err != nil {
		return err
	}
	res, _, err := c.call(-1, "OpenDoc", `[`+quote(AppID)+`]`)
	if err != nil {
		return fmt.Errorf("cannot open app %q: %w", AppID, err)
	}
	if c.doc, err = handleOf(res); err != nil {
		return fmt.Errorf("cannot open app %q: %w", AppID, err)
	}
	for _, f := range c.opts.Fields {
		props, err := json.Marshal(listProps(f, c.opts.PageRows))
		if err != nil {
			return fmt.Errorf("BUG: cannot encode the list object of %q: %w", f, err)
		}
		res, _, err := c.call(c.doc, "CreateSessionObject", "["+string(props)+"]")
		if err != nil {
			return fmt.Errorf("cannot create the list object of %q: %w", f, err)
		}
		h, err := handleOf(res)
		if err != nil {
			return fmt.Errorf("cannot create the list object of %q: %w", f, err)
		}
		c.lists = append(c.lists, h)
	}
	for k, h := range c.lists {
		l, _, err := c.layout(h)
		if err != nil {
			return fmt.Errorf("cannot read the layout of the list object of %q: %w", c.opts.Fields[k], err)
		}
		if err := l.check(c.opts.PageRows, -1); err != nil {
			return fmt.Errorf("the first layout of the list object of %q is wrong: %w", c.opts.Fields[k], err)
		}
		if k > 0 {
			continue
		}
		m := l.page()
		if len(m) < 2 {
			return fmt.Errorf("field %q has %d value(s) on its first page: the cycle selects two in turn", c.opts.Fields[0], len(m))
		}
		c.values = [2]int{m[0][0].ElemNumber, m[1][0].ElemNumber}
	}
	return nil
}

// listProps are the properties of a session list object on field, as a
// filter pane creates it.
func listProps(field string, rows int) map[string]any {
	return map[string]any{
		"qInfo": map[string]any{"qType": "listbox"},
		"qListObjectDef": map[string]any{
			"qDef":              map[string]any{"qFieldDefs": []string{field}},
			"qInitialDataFetch": []map[string]int{{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": rows}},
		},
	}
}

// connected reads the first frame, which must be OnConnected with a new
// session.
func (c *client) connected() error {
	f, _, err := c.read()
	if err != nil {
		return fmt.Errorf("cannot read OnConnected: %w", err)
	}
	if f.Method != "OnConnected" {
		c.broken = true
		return fmt.Errorf("the first frame is not OnConnected: %.200s", c.in.Bytes())
	}
	var p struct {
		State string `json:"qSessionState"`
	}
	if err := json.Unmarshal(f.Params, &p); err != nil {
		return fmt.Errorf("cannot read the OnConnected parameters %.200s: %w", f.Params, err)
	}
	if p.State != "SESSION_CREATED" {
		return fmt.Errorf("OnConnected says %s, want SESSION_CREATED: each client must have its own session", p.State)
	}
	return nil
}

// cycle selects the next value in the first list and reads the layouts of
// every list, checking what it gets.
func (c *client) cycle() (cycleTiming, error) {
	var t cycleTiming
	sel := c.values[c.turn]
	c.turn ^= 1
	c.changed = c.changed[:0]
	params := `["/qListObjectDef",[` + strconv.Itoa(sel) + `],false]`
	t0 := time.Now()
	res, n, err := c.call(c.lists[0], "SelectListObjectValues", params)
	t1 := time.Now()
	if err != nil {
		return t, fmt.Errorf("cannot select value %d of %q: %w", sel, c.opts.Fields[0], err)
	}
	t.bytes += n
	var ok struct {
		Success *bool `json:"qSuccess"`
	}
	if err := json.Unmarshal(res, &ok); err != nil || ok.Success == nil {
		return t, fmt.Errorf("SelectListObjectValues on %q returned %.200s, not {\"qSuccess\":bool}", c.opts.Fields[0], res)
	}
	if !*ok.Success {
		return t, fmt.Errorf("selecting value %d of %q changed nothing (qSuccess false)", sel, c.opts.Fields[0])
	}
	for k, h := range c.lists {
		if !slices.Contains(c.changed, h) {
			return t, fmt.Errorf("selecting in %q did not list the list object of %q (handle %d) as changed (change %v)",
				c.opts.Fields[0], c.opts.Fields[k], h, c.changed)
		}
	}
	for k, h := range c.lists {
		l, n, err := c.layout(h)
		if err != nil {
			return t, fmt.Errorf("cannot read the layout of the list object of %q: %w", c.opts.Fields[k], err)
		}
		want := -1
		if k == 0 {
			want = sel
		}
		if err := l.check(c.opts.PageRows, want); err != nil {
			return t, fmt.Errorf("the layout of the list object of %q is wrong: %w", c.opts.Fields[k], err)
		}
		t.bytes += n
		t.pageRows += len(l.page())
	}
	t2 := time.Now()
	t.total, t.selection, t.layouts = t2.Sub(t0), t1.Sub(t0), t2.Sub(t1)
	return t, nil
}

// listLayout is the part of a list object's layout the client checks.
type listLayout struct {
	Layout struct {
		ListObject *struct {
			Size struct {
				Cx int `json:"qcx"`
				Cy int `json:"qcy"`
			} `json:"qSize"`
			DimensionInfo struct {
				Cardinal    int `json:"qCardinal"`
				StateCounts struct {
					Selected int `json:"qSelected"`
				} `json:"qStateCounts"`
			} `json:"qDimensionInfo"`
			DataPages []struct {
				Matrix [][]cell `json:"qMatrix"`
			} `json:"qDataPages"`
		} `json:"qListObject"`
	} `json:"qLayout"`
}

// cell is one list-object cell.
type cell struct {
	Text       string `json:"qText"`
	ElemNumber int    `json:"qElemNumber"`
	State      string `json:"qState"`
}

func (l *listLayout) page() [][]cell {
	if l.Layout.ListObject == nil || len(l.Layout.ListObject.DataPages) == 0 {
		return nil
	}
	return l.Layout.ListObject.DataPages[0].Matrix
}

// check verifies the layout: one data page of min(rows, qcy) one-cell
// rows, and, when selected ≥ 0, exactly that value selected.
func (l *listLayout) check(rows, selected int) error {
	lo := l.Layout.ListObject
	if lo == nil {
		return errors.New("no qListObject")
	}
	if lo.Size.Cy < 1 || lo.Size.Cx != 1 {
		return fmt.Errorf("qSize is %d×%d, want 1 column and at least 1 row (does the field exist?)", lo.Size.Cx, lo.Size.Cy)
	}
	if len(lo.DataPages) != 1 {
		return fmt.Errorf("%d data pages, want 1", len(lo.DataPages))
	}
	m := lo.DataPages[0].Matrix
	if want := min(rows, lo.Size.Cy); len(m) != want {
		return fmt.Errorf("the data page has %d rows, want %d", len(m), want)
	}
	possible := 0
	found := selected < 0
	for i, r := range m {
		if len(r) != 1 {
			return fmt.Errorf("row %d has %d cells, want 1", i, len(r))
		}
		switch r[0].State {
		case "O", "S", "L":
			possible++
		}
		if r[0].ElemNumber == selected {
			if r[0].State != "S" {
				return fmt.Errorf("the selected value %q (%d) is in state %q, want S", r[0].Text, selected, r[0].State)
			}
			found = true
		}
	}
	if possible == 0 {
		return errors.New("no value on the data page is possible")
	}
	if selected >= 0 {
		if n := lo.DimensionInfo.StateCounts.Selected; n != 1 {
			return fmt.Errorf("%d values are selected, want 1", n)
		}
		if !found {
			return fmt.Errorf("the selected value %d is not on the data page", selected)
		}
	}
	return nil
}

// layout calls GetLayout on handle h and decodes the list object.
func (c *client) layout(h int) (*listLayout, int, error) {
	res, n, err := c.call(h, "GetLayout", "[]")
	if err != nil {
		return nil, n, err
	}
	var l listLayout
	if err := json.Unmarshal(res, &l); err != nil {
		return nil, n, fmt.Errorf("cannot decode the layout: %w", err)
	}
	return &l, n, nil
}

// call sends one request and reads frames until its response arrives. It
// returns the result and the response frame's size.
func (c *client) call(handle int, method, params string) (json.RawMessage, int, error) {
	if c.broken {
		return nil, 0, errors.New("the connection is broken")
	}
	c.nextID++
	c.req = append(c.req[:0], `{"jsonrpc":"2.0","id":`...)
	c.req = strconv.AppendInt(c.req, c.nextID, 10)
	idEnd := len(c.req)
	c.req = append(c.req, `,"handle":`...)
	c.req = strconv.AppendInt(c.req, int64(handle), 10)
	c.req = append(c.req, `,"method":`...)
	c.req = append(c.req, quote(method)...)
	c.req = append(c.req, `,"params":`...)
	c.req = append(c.req, params...)
	c.req = append(c.req, '}')
	id := c.req[len(`{"jsonrpc":"2.0","id":`):idEnd]

	_ = c.ws.SetWriteDeadline(time.Now().Add(c.opts.Timeout))
	if err := c.ws.WriteMessage(websocket.TextMessage, c.req); err != nil {
		c.broken = true
		return nil, 0, fmt.Errorf("cannot send %s: %w", method, err)
	}
	for {
		f, n, err := c.read()
		if err != nil {
			return nil, n, fmt.Errorf("cannot read the response to %s: %w", method, err)
		}
		c.changed = append(c.changed, f.Change...)
		c.closed = append(c.closed, f.Close...)
		if len(f.ID) == 0 || string(f.ID) == "null" {
			if f.Error != nil { // the server could not read the request
				c.broken = true
				return nil, n, fmt.Errorf("%s (request id %s) was refused: %w", method, id, f.Error)
			}
			c.pushed++
			continue
		}
		if !bytes.Equal(f.ID, id) {
			c.broken = true
			return nil, n, fmt.Errorf("got the response to id %s while waiting for %s's id %s", f.ID, method, id)
		}
		for _, h := range c.lists {
			if slices.Contains(c.closed, h) {
				return nil, n, fmt.Errorf("the server closed handle %d, a list object of this client", h)
			}
		}
		if f.Error != nil {
			return nil, n, f.Error
		}
		if f.Result == nil {
			return nil, n, fmt.Errorf("the response to %s has neither result nor error", method)
		}
		return f.Result, n, nil
	}
}

// read reads one text frame and decodes its envelope.
func (c *client) read() (*rpcFrame, int, error) {
	_ = c.ws.SetReadDeadline(time.Now().Add(c.opts.Timeout))
	mt, r, err := c.ws.NextReader()
	if err != nil {
		c.broken = true
		return nil, 0, err
	}
	c.in.Reset()
	if _, err := c.in.ReadFrom(r); err != nil {
		c.broken = true
		return nil, 0, err
	}
	n := c.in.Len()
	if mt != websocket.TextMessage {
		c.broken = true
		return nil, n, fmt.Errorf("got a binary frame of %d bytes, want text", n)
	}
	f := &rpcFrame{}
	if err := json.Unmarshal(c.in.Bytes(), f); err != nil {
		c.broken = true
		return nil, n, fmt.Errorf("cannot decode the frame %.200q: %w", c.in.Bytes(), err)
	}
	return f, n, nil
}

// handleOf returns qReturn.qHandle of a result.
func handleOf(res json.RawMessage) (int, error) {
	var r struct {
		Return *struct {
			Handle *int `json:"qHandle"`
		} `json:"qReturn"`
	}
	if err := json.Unmarshal(res, &r); err != nil || r.Return == nil || r.Return.Handle == nil {
		return 0, fmt.Errorf("the result %.200s has no qReturn.qHandle", res)
	}
	return *r.Return.Handle, nil
}

// quote returns s as a JSON string.
func quote(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}
