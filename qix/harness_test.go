package qix_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/symbols"
)

// recorder is a Sender that keeps every frame.
type recorder struct {
	mu     sync.Mutex
	frames [][]byte
	fail   error // returned by Send when set
}

func (r *recorder) Send(frame []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.frames = append(r.frames, append([]byte(nil), frame...))
	return r.fail
}

// all returns the frames received so far.
func (r *recorder) all() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.frames...)
}

// take returns and forgets the frames received so far.
func (r *recorder) take() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.frames
	r.frames = nil
	return f
}

// resp is a decoded response or notification frame.
type resp struct {
	ID     any            `json:"id"`
	Method string         `json:"method"`
	Params map[string]any `json:"params"`
	Result map[string]any `json:"result"`
	Error  *struct {
		Code      int    `json:"code"`
		Parameter string `json:"parameter"`
		Message   string `json:"message"`
	} `json:"error"`
	Change []int `json:"change"`
	Close  []int `json:"close"`
	raw    []byte
}

func decode(t testing.TB, frame []byte) *resp {
	t.Helper()
	var r resp
	require.NoError(t, json.Unmarshal(frame, &r), "frame %s", frame)
	r.raw = frame
	return &r
}

// client drives one Conn. It checks every successful result against the
// schema: only the method's out keys may appear.
type client struct {
	t       testing.TB
	s       *qix.Session
	conn    *qix.Conn
	out     *recorder
	id      int
	mu      sync.Mutex
	classes map[int]string // handle → qType
}

func attach(t testing.TB, s *qix.Session) *client {
	t.Helper()
	out := &recorder{}
	c := &client{t: t, s: s, out: out, classes: map[int]string{-1: "Global"}}
	c.conn = s.Attach(out)
	return c
}

// connect starts a session and attaches a client; the OnConnected frame is
// consumed and checked.
func connect(t testing.TB, e *qix.Engine, p qix.SessionParams) *client {
	t.Helper()
	s, err := e.NewSession(p)
	require.NoError(t, err)
	c := attach(t, s)
	frames := c.out.take()
	require.Len(t, frames, 1)
	require.JSONEq(t, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":"SESSION_CREATED"}}`, string(frames[0]))
	return c
}

func (c *client) nextID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	return c.id
}

// raw sends a frame and returns every frame sent back during the call.
func (c *client) raw(frame string) [][]byte {
	c.conn.Handle([]byte(frame))
	return c.out.take()
}

// call sends a request and returns its response; pushed frames sent to this
// connection during the call fail the test unless pushes is non-nil, where
// they are appended.
func (c *client) call(handle int, method string, params any) *resp {
	c.t.Helper()
	id := c.nextID()
	req := map[string]any{"jsonrpc": "2.0", "id": id, "handle": handle, "method": method}
	if params != nil {
		req["params"] = params
	}
	b, err := json.Marshal(req)
	require.NoError(c.t, err)
	c.conn.Handle(b)
	var out *resp
	var others [][]byte
	for _, f := range c.out.take() {
		r := decode(c.t, f)
		if n, ok := r.ID.(float64); ok && int(n) == id {
			out = r
			continue
		}
		if r.ID == nil {
			c.t.Fatalf("unexpected frame during %s: %s", method, f)
		}
		others = append(others, f) // the response of a concurrent request
	}
	c.out.mu.Lock()
	c.out.frames = append(others, c.out.frames...)
	c.out.mu.Unlock()
	require.NotNil(c.t, out, "no response to %s", method)
	if out.Error == nil {
		c.checkOuts(handle, method, out)
	}
	return out
}

// checkOuts requires the result keys to be outs of the method, and records
// the classes of returned handles.
func (c *client) checkOuts(handle int, method string, r *resp) {
	c.t.Helper()
	c.mu.Lock()
	class, known := c.classes[handle]
	c.mu.Unlock()
	if !known {
		return
	}
	outs, ok := qix.MethodOuts(class, method)
	require.True(c.t, ok, "%s.%s is not in the schema", class, method)
	for k := range r.Result {
		require.Contains(c.t, outs, k, "%s.%s returned %q, which the schema does not list", class, method, k)
	}
	if ret, ok := r.Result["qReturn"].(map[string]any); ok {
		if h, ok := ret["qHandle"].(float64); ok {
			if typ, ok := ret["qType"].(string); ok {
				c.mu.Lock()
				c.classes[int(h)] = typ
				c.mu.Unlock()
			}
		}
	}
}

// ok calls and requires success.
func (c *client) ok(handle int, method string, params ...any) map[string]any {
	c.t.Helper()
	if params == nil {
		params = []any{}
	}
	r := c.call(handle, method, params)
	require.Nil(c.t, r.Error, "%s: %s", method, r.raw)
	return r.Result
}

// fails calls and requires an error with this code.
func (c *client) fails(code int, handle int, method string, params ...any) *resp {
	c.t.Helper()
	if params == nil {
		params = []any{}
	}
	r := c.call(handle, method, params)
	require.NotNil(c.t, r.Error, "%s should fail: %s", method, r.raw)
	require.Equal(c.t, code, r.Error.Code, "%s: %s", method, r.raw)
	return r
}

// handle returns qReturn.qHandle of a result.
func handleOf(t testing.TB, res map[string]any) int {
	t.Helper()
	ret, ok := res["qReturn"].(map[string]any)
	require.True(t, ok, "no qReturn object in %v", res)
	h, ok := ret["qHandle"].(float64)
	require.True(t, ok, "no qHandle in %v", ret)
	return int(h)
}

// path reads a nested value: keys and array indexes.
func path(t testing.TB, v any, keys ...any) any {
	t.Helper()
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "not an object at %q: %v", k, v)
			v, ok = m[k]
			require.True(t, ok, "no key %q in %v", k, m)
		case int:
			a, ok := v.([]any)
			require.True(t, ok, "not an array at %d: %v", k, v)
			require.Less(t, k, len(a))
			v = a[k]
		}
	}
	return v
}

// fakeReloader runs a test load-script format, one statement per line:
//
//	SET Name=Value;            a script variable
//	Table:                     a table, then a header line of field names
//	a,b                        and rows until a blank line; numbers become
//	1,x                        numbers (text kept), empty cells NULL
//	LOAD lib://conn/file AS T  a CSV file (header row) through a connection
//	LOOSEN T                   loosen table T
//	FAIL message               a script error at this line
//	BLOCK                      wait until the reload is cancelled
//	GATE                       wait for the reloader's gate channel
//
// Each table reports "<name> << <n> Lines fetched" as persistent progress.
type fakeReloader struct {
	gate  chan struct{}
	mu    sync.Mutex
	calls []qix.ReloadRequest
}

func (fr *fakeReloader) reload(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
	fr.mu.Lock()
	fr.calls = append(fr.calls, req)
	fr.mu.Unlock()
	progress := func(msg string, persistent bool) {
		if req.Progress != nil {
			req.Progress(qix.ReloadProgress{Message: msg, Persistent: persistent})
		}
	}
	b := engine.NewBuilder(engine.Options{})
	vars := map[string]string{}
	progress("Connected", true)
	lines := strings.Split(strings.ReplaceAll(req.Script, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		switch {
		case line == "" || strings.HasPrefix(line, "//"):
		case strings.HasPrefix(line, "SET "):
			k, v, _ := strings.Cut(strings.TrimSuffix(line[4:], ";"), "=")
			vars[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), "'")
		case strings.HasPrefix(line, "FAIL"):
			return nil, &qix.ReloadError{Line: i + 1, Col: 1, Msg: strings.TrimSpace(line[4:])}
		case line == "BLOCK":
			<-ctx.Done()
			return nil, ctx.Err()
		case line == "GATE":
			progress("waiting at the gate", false)
			select {
			case <-fr.gate:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		case strings.HasPrefix(line, "LOOSEN "):
			b.Loosen(strings.TrimSpace(line[7:]))
		case strings.HasPrefix(line, "LOAD "):
			var src, name string
			if _, err := fmt.Sscanf(line, "LOAD %s AS %s", &src, &name); err != nil {
				return nil, &qix.ReloadError{Line: i + 1, Col: 1, Msg: "bad LOAD: " + err.Error()}
			}
			rows, err := readLib(req, src)
			if err != nil {
				return nil, &qix.ReloadError{Line: i + 1, Col: 6, Msg: err.Error()}
			}
			if err := addRows(b, name, rows); err != nil {
				return nil, err
			}
			progress(fmt.Sprintf("%s << %d Lines fetched", name, len(rows)-1), true)
		case strings.HasSuffix(line, ":"):
			name := strings.TrimSuffix(line, ":")
			var rows [][]string
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				rows = append(rows, strings.Split(strings.TrimSpace(lines[i]), ","))
			}
			if err := addRows(b, name, rows); err != nil {
				return nil, err
			}
			progress(fmt.Sprintf("%s << %d Lines fetched", name, len(rows)-1), false)
			progress(fmt.Sprintf("%s <<  %d Lines fetched", name, len(rows)-1), true)
		default:
			return nil, &qix.ReloadError{Line: i + 1, Col: 1, Msg: "unknown statement: " + line}
		}
	}
	m, err := b.Build()
	if err != nil {
		return nil, err
	}
	return &qix.ReloadResult{Model: m, Log: "ok", Variables: vars}, nil
}

func addRows(b *engine.Builder, name string, rows [][]string) error {
	if len(rows) == 0 {
		return errors.New("table " + name + " has no header")
	}
	tb, err := b.NewTable(name, rows[0]...)
	if err != nil {
		return err
	}
	for _, r := range rows[1:] {
		vals := make([]any, len(rows[0]))
		for j := range vals {
			if j >= len(r) || r[j] == "" {
				continue
			}
			if f, err := strconv.ParseFloat(r[j], 64); err == nil || errors.Is(err, strconv.ErrRange) {
				vals[j] = symbols.NumText(f, r[j])
			} else {
				vals[j] = r[j]
			}
		}
		if err := tb.Append(vals...); err != nil {
			return err
		}
	}
	return nil
}

// readLib reads a CSV file named lib://<connection>/<path>.
func readLib(req qix.ReloadRequest, src string) ([][]string, error) {
	rest, ok := strings.CutPrefix(src, "lib://")
	if !ok {
		return nil, fmt.Errorf("%s is not a lib:// path", src)
	}
	conn, file, _ := strings.Cut(rest, "/")
	dir, ok := req.Connections[conn]
	if !ok {
		return nil, fmt.Errorf("no connection %q", conn)
	}
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" {
			rows = append(rows, strings.Split(l, ","))
		}
	}
	return rows, sc.Err()
}

// corectlScript holds the data behind the corectl goldens.
const corectlScript = `SET ThousandSep=',';
SET DecimalSep='.';
TableA:
numbers,abcs
1,a
2,b
3,b
4,b
5,c

TableB:
numbers,xyz
5,x
4,y
3,y
2,y
1,z
`

// newEngine returns an engine with the fake reloader.
func newEngine(t testing.TB, opts qix.Options) (*qix.Engine, *fakeReloader) {
	t.Helper()
	fr := &fakeReloader{gate: make(chan struct{})}
	if opts.Reload == nil {
		opts.Reload = fr.reload
	}
	e, err := qix.NewEngine(opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	return e, fr
}

// openCorectlApp starts a session on a session app loaded with the corectl
// data and returns the client and the doc handle.
func openCorectlApp(t testing.TB, e *qix.Engine) (*client, int) {
	t.Helper()
	c := connect(t, e, qix.SessionParams{AppID: "engineData"})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", corectlScript)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	return c, doc
}

// listbox creates a session list object on field and returns its handle.
func listbox(t testing.TB, c *client, doc int, field string, extra map[string]any) int {
	t.Helper()
	def := map[string]any{
		"qDef":              map[string]any{"qFieldDefs": []string{field}},
		"qInitialDataFetch": []any{map[string]any{"qTop": 0, "qLeft": 0, "qWidth": 1, "qHeight": 100}},
		"qShowAlternatives": true,
	}
	for k, v := range extra {
		def[k] = v
	}
	return handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "listbox"}, "qListObjectDef": def}))
}

// cells returns "text:state" of the first data page of a list object
// layout.
func cells(t testing.TB, layout map[string]any) []string {
	t.Helper()
	var out []string
	for _, row := range path(t, layout, "qListObject", "qDataPages", 0, "qMatrix").([]any) {
		cell := row.([]any)[0].(map[string]any)
		out = append(out, fmt.Sprintf("%v:%v", cell["qText"], cell["qState"]))
	}
	return out
}
