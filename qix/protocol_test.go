package qix_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

func TestOnConnectedFirstThenAttached(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	s, err := e.NewSession(qix.SessionParams{})
	require.NoError(t, err)
	for i, want := range []string{qix.SessionCreated, qix.SessionAttached, qix.SessionAttached} {
		out := &recorder{}
		c := s.Attach(out)
		frames := out.all()
		require.Len(t, frames, 1, "attach %d", i)
		r := decode(t, frames[0])
		require.Equal(t, "OnConnected", r.Method)
		require.Equal(t, want, r.Params["qSessionState"])
		require.Nil(t, r.ID)
		c.Close()
	}
}

// TestTrafficFirstResponse mirrors enigma.js's traffic test: exactly one
// notification before the first response, and the id is echoed.
func TestTrafficFirstResponse(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	s, err := e.NewSession(qix.SessionParams{AppID: "engineData"})
	require.NoError(t, err)
	out := &recorder{}
	c := s.Attach(out)
	c.Handle([]byte(`{"method":"AllowCreateApp","handle":-1,"params":[],"id":1,"jsonrpc":"2.0"}`))
	frames := out.all()
	require.Len(t, frames, 2)
	require.JSONEq(t, `{"jsonrpc":"2.0","id":1,"result":{"qReturn":true}}`, string(frames[1]))
}

func TestBadInput(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	tests := []struct {
		name      string
		frame     string
		code      int
		id        any // expected id in the error (nil: null)
		parameter string
	}{
		{"malformed JSON", `{"jsonrpc":"2.0","id":1,`, -32700, nil, "invalid JSON"},
		{"garbage", "\x00\x01\x02binary", -32700, nil, "invalid JSON"},
		{"invalid UTF-8", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"OSName\",\"handle\":-1,\"params\":[\"\xff\xfe\"]}", -32700, nil, "UTF-8"},
		{"not an object", `[1,2,3]`, -32600, nil, "JSON object"},
		{"string frame", `"hello"`, -32600, nil, "JSON object"},
		{"object id", `{"jsonrpc":"2.0","id":{"a":1},"method":"OSName","handle":-1}`, -32600, nil, "id"},
		{"no method", `{"jsonrpc":"2.0","id":7,"handle":-1,"params":[]}`, -32600, 7.0, "method"},
		{"method not a string", `{"jsonrpc":"2.0","id":7,"method":5,"handle":-1}`, -32600, 7.0, "method"},
		{"wrong jsonrpc", `{"jsonrpc":"1.0","id":7,"method":"OSName","handle":-1}`, -32600, 7.0, "jsonrpc"},
		{"unknown method", `{"jsonrpc":"2.0","id":8,"method":"NoSuchMethod","handle":-1,"params":[]}`, -32601, 8.0, "NoSuchMethod"},
		{"method of another class", `{"jsonrpc":"2.0","id":8,"method":"GetLayout","handle":-1,"params":[]}`, -32601, 8.0, "GetLayout"},
		{"schema method not implemented", `{"jsonrpc":"2.0","id":8,"method":"GetOdbcDsns","handle":-1,"params":[]}`, -32601, 8.0, "GetOdbcDsns"}, // H17: GetBNF is served now
		{"unknown handle", `{"jsonrpc":"2.0","id":9,"method":"GetLayout","handle":99,"params":[]}`, -32602, 9.0, "Invalid handle"},
		{"string handle", `{"jsonrpc":"2.0","id":9,"method":"GetLayout","handle":"1","params":[]}`, -32602, 9.0, "Invalid handle"},
		{"fractional handle", `{"jsonrpc":"2.0","id":9,"method":"GetLayout","handle":1.5,"params":[]}`, -32602, 9.0, "Invalid handle"},
		{"huge handle", `{"jsonrpc":"2.0","id":9,"method":"GetLayout","handle":1e400,"params":[]}`, -32602, 9.0, "Invalid handle"},
		{"params a string", `{"jsonrpc":"2.0","id":10,"method":"OSName","handle":-1,"params":"x"}`, -32602, 10.0, "params"},
		{"wrong param type", `{"jsonrpc":"2.0","id":11,"method":"OpenDoc","handle":-1,"params":[5]}`, -32602, 11.0, "qDocName"},
		{"missing required param", `{"jsonrpc":"2.0","id":12,"method":"OpenDoc","handle":-1,"params":[]}`, -32602, 12.0, "qDocName"},
		{"huge int param", `{"jsonrpc":"2.0","id":13,"method":"GetProgress","handle":-1,"params":[1e30]}`, -32602, 13.0, "qRequestId"},
		{"fractional int param", `{"jsonrpc":"2.0","id":13,"method":"GetProgress","handle":-1,"params":[1.5]}`, -32602, 13.0, "qRequestId"},
		{"string id", `{"jsonrpc":"2.0","id":"abc","method":"NoSuch","handle":-1}`, -32601, "abc", "NoSuch"},
		{"huge id echoed", `{"jsonrpc":"2.0","id":1e999,"method":"NoSuch","handle":-1}`, -32601, nil, "NoSuch"},
		{"bool param expected", `{"jsonrpc":"2.0","id":14,"method":"ClearAll","handle":` + jsonNum(doc) + `,"params":["yes"]}`, -32602, 14.0, "qLockedAlso"},
		{"deep nesting", `{"jsonrpc":"2.0","id":15,"method":"OSName","handle":-1,"params":[` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `]}`, -32700, nil, "nesting"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frames := c.raw(tt.frame)
			require.Len(t, frames, 1)
			var r map[string]any
			dec := json.NewDecoder(strings.NewReader(string(frames[0])))
			dec.UseNumber()
			require.NoError(t, dec.Decode(&r), "response is not JSON: %s", frames[0])
			if n, ok := r["id"].(json.Number); ok {
				f, _ := n.Float64()
				r["id"] = f
				if tt.name == "huge id echoed" {
					require.Equal(t, "1e999", n.String())
				}
			}
			if n, ok := r["error"].(map[string]any)["code"].(json.Number); ok {
				f, _ := n.Float64()
				r["error"].(map[string]any)["code"] = f
			}
			require.Equal(t, "2.0", r["jsonrpc"])
			errObj, ok := r["error"].(map[string]any)
			require.True(t, ok, "no error in %s", frames[0])
			require.Equal(t, float64(tt.code), errObj["code"], "%s", frames[0])
			require.Contains(t, errObj["parameter"], tt.parameter)
			require.NotEmpty(t, errObj["message"])
			if tt.name != "huge id echoed" {
				require.Equal(t, tt.id, r["id"])
			}
		})
	}
	// The connection still works.
	require.Equal(t, "Linux", c.ok(-1, "OSName")["qReturn"])
}

func jsonNum(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestErrorMessagesAreTheEnginesTexts(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	tests := []struct {
		method    string
		params    []any
		code      int
		parameter string
		message   string
	}{
		{"GetActiveDoc", nil, 1007, "No active document", "App invalid"},
		{"OpenDoc", []any{"nope.qvf"}, 1003, "nope.qvf", "App not found"},
		{"Clear", nil, -32601, "Clear", "Method not found"},
	}
	for _, tt := range tests {
		r := c.fails(tt.code, -1, tt.method, tt.params...)
		require.Equal(t, tt.parameter, r.Error.Parameter)
		require.Equal(t, tt.message, r.Error.Message)
	}
	r := c.fails(-32602, 42, "GetLayout")
	require.Equal(t, "Invalid handle", r.Error.Parameter)
	require.Equal(t, "Invalid Params", r.Error.Message)
}

func TestNamedAndPositionalParams(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	lb := listbox(t, c, doc, "abcs", nil)
	// Named, with an unknown extra key, which is ignored.
	r0 := c.call(lb, "SelectListObjectValues", map[string]any{
		"qPath": "/qListObjectDef", "qValues": []int{0}, "qToggleMode": false, "return_empty": true})
	require.Nil(t, r0.Error, "%s", r0.raw)
	require.Equal(t, true, r0.Result["qSuccess"])
	frames := c.raw(`{"jsonrpc":"2.0","id":500,"delta":true,"handle":` + jsonNum(lb) + `,"method":"GetLayout","params":{}}`)
	require.Len(t, frames, 1)
	r := decode(t, frames[0])
	require.Nil(t, r.Error)
	// delta mode: the first answer adds the whole layout at "/"
	require.Contains(t, string(frames[0]), `"delta":true`)
	add := r.Result["qLayout"].([]any)[0].(map[string]any)
	require.Equal(t, "add", add["op"])
	require.Equal(t, "/", add["path"])
	require.Equal(t, []string{"a:S", "b:A", "c:A"}, cells(t, add["value"].(map[string]any)))
	// Omitted optional parameters take their defaults; null is "omitted".
	require.Equal(t, true, c.ok(lb, "SelectListObjectValues", "/qListObjectDef", []int{1}, true, nil)["qSuccess"])
	require.Equal(t, []string{"a:S", "b:S", "c:A"}, cells(t, c.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
	// Extra positional parameters are ignored.
	require.Equal(t, "Linux", c.ok(-1, "OSName", "extra")["qReturn"])
}

// TestNotificationIsNotAnswered: a request without an id runs but gets no
// response (JSON-RPC notifications).
func TestNotificationIsNotAnswered(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	fld := handleOf(t, c.ok(doc, "GetField", "abcs"))
	frames := c.raw(`{"jsonrpc":"2.0","handle":` + jsonNum(fld) + `,"method":"Select","params":["b"]}`)
	require.Len(t, frames, 1) // only the invalidation of the doc handle
	r := decode(t, frames[0])
	require.Nil(t, r.ID)
	require.Equal(t, []int{doc}, r.Change)
	require.Empty(t, c.raw(`{"jsonrpc":"2.0","handle":-1,"method":"NoSuchMethod"}`))
	lb := listbox(t, c, doc, "abcs", nil)
	require.Equal(t, []string{"a:A", "b:S", "c:A"}, cells(t, c.ok(lb, "GetLayout")["qLayout"].(map[string]any)))
}

// TestNaNAndInfinity: numbers that are not finite go out as strings.
func TestNaNAndInfinity(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", "T:\nx,y\na,1e400\nb,-1e400\nc,\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	lb := listbox(t, c, doc, "y", nil)
	frames := c.raw(`{"jsonrpc":"2.0","id":77,"handle":` + jsonNum(lb) + `,"method":"GetLayout","params":[]}`)
	s := string(frames[0])
	require.Contains(t, s, `"qNum":"Infinity"`)
	require.Contains(t, s, `"qNum":"-Infinity"`)
	require.Contains(t, s, `"qMin":"-Infinity"`)
	require.Contains(t, s, `"qMax":"Infinity"`)
	lb2 := listbox(t, c, doc, "x", nil)
	frames = c.raw(`{"jsonrpc":"2.0","id":78,"handle":` + jsonNum(lb2) + `,"method":"GetLayout","params":[]}`)
	require.Contains(t, string(frames[0]), `"qText":"a","qNum":"NaN","qElemNumber":0,"qState":"O"`)
	require.Contains(t, string(frames[0]), `"qMin":"NaN","qMax":"NaN"`)
}

// TestSenderErrorDoesNotStopTheEngine: a failing Sender is the transport's
// problem; Handle carries on.
func TestSenderErrorDoesNotStopTheEngine(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	s, err := e.NewSession(qix.SessionParams{})
	require.NoError(t, err)
	out := &recorder{fail: errQueueFull}
	c := s.Attach(out)
	c.Handle([]byte(`{"jsonrpc":"2.0","id":1,"method":"OSName","handle":-1}`))
	require.Len(t, out.all(), 2)
}

var errQueueFull = &queueFull{}

type queueFull struct{}

func (*queueFull) Error() string { return "queue full" }

// TestClosedConnAndSession: a closed connection ignores frames; a closed
// session refuses attaching.
func TestClosedConnAndSession(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	c.conn.Close()
	require.Empty(t, c.raw(`{"jsonrpc":"2.0","id":1,"method":"OSName","handle":-1}`))
	c.s.Close()
	c.s.Close() // idempotent
	out := &recorder{}
	c2 := c.s.Attach(out)
	require.JSONEq(t, `{"jsonrpc":"2.0","method":"OnConnected","params":{"qSessionState":"SESSION_ERROR_APP_FAILURE"}}`, string(out.all()[0]))
	c2.Handle([]byte(`{"jsonrpc":"2.0","id":1,"method":"OSName","handle":-1}`))
	require.Len(t, out.all(), 1)
	require.NoError(t, e.Close())
	_, err := e.NewSession(qix.SessionParams{})
	require.ErrorIs(t, err, qix.ErrClosed)
}
