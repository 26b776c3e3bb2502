package qix

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestParseJSON(t *testing.T) {
	tests := []struct {
		in   string
		out  string // re-encoded; "" when the parse must fail
		line int    // error line
		col  int
	}{
		{`{}`, `{}`, 0, 0},
		{` {"b":1,"a":[true,false,null],"c":{"d":"x"}} `, `{"b":1,"a":[true,false,null],"c":{"d":"x"}}`, 0, 0},
		{`{"k":1,"k":2}`, `{"k":2}`, 0, 0},
		{`[-0.5e+10, 0, -1, 1E3, 123456789012345678901234567890]`, `[-0.5e+10,0,-1,1E3,123456789012345678901234567890]`, 0, 0},
		{`"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"`, `"a\"\\/\u0008\u000c\n\r\té😀"`, 0, 0},
		{`"<html>&"`, `"<html>&"`, 0, 0},
		{`{"a":1,}`, "", 1, 8},
		{`[1,]`, "", 1, 4},
		{`{"a" 1}`, "", 1, 6},
		{"{\n\"a\":tru}", "", 2, 5},
		{`01`, "", 1, 2},
		{`1.`, "", 1, 3},
		{`-`, "", 1, 2},
		{`1e`, "", 1, 3},
		{`"abc`, "", 1, 5},
		{"\"a\tb\"", "", 1, 3},
		{`"\x"`, "", 1, 4},
		{`"\ud800"`, `"�"`, 0, 0},
		{`"\ud800\u0041\udc00x"`, `"�A�x"`, 0, 0},
		{`"\u12g4"`, "", 1, 4},
		{`{} {}`, "", 1, 4},
		{``, "", 1, 1},
		{`nul`, "", 1, 1},
		{"\"\xff\"", "", 1, 3},
		{strings.Repeat("[", maxDepth+2) + strings.Repeat("]", maxDepth+2), "", 1, maxDepth + 2},
	}
	for _, tt := range tests {
		v, err := parseJSON([]byte(tt.in))
		if tt.out == "" {
			require.Error(t, err, "%q", tt.in)
			se, ok := err.(*jsonSyntaxError)
			require.True(t, ok)
			require.Equal(t, tt.line, se.Line, "%q: %v", tt.in, err)
			require.Equal(t, tt.col, se.Col, "%q: %v", tt.in, err)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		got := encode(v)
		require.Equal(t, tt.out, string(got), "%q", tt.in)
		require.True(t, json.Valid(got))
	}
}

func TestAppendFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"}, {1, "1"}, {-2.5, "-2.5"}, {0.1, "0.1"}, {44516.48127314815, "44516.48127314815"},
		{1e21, "1e+21"}, {1e-7, "1e-07"}, {123456789012, "123456789012"},
		{math.NaN(), `"NaN"`}, {math.Inf(1), `"Infinity"`}, {math.Inf(-1), `"-Infinity"`},
		{math.Copysign(0, -1), "0"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, string(appendFloat(nil, tt.f)), "%v", tt.f)
	}
}

func TestObjAndPointers(t *testing.T) {
	v, err := parseJSON([]byte(`{"qStateName":"A","x":{"a/b":{"m~n":[{"qListObjectDef":{"qStateName":"B"}},{"qListObjectDef":{}}]}}}`))
	require.NoError(t, err)
	o := v.(*jsonObject)
	got, state, last, ok := resolveDef(o, "/x/a~1b/m~0n/0/qListObjectDef")
	require.True(t, ok)
	require.Equal(t, "B", state)
	require.Equal(t, "qListObjectDef", last)
	require.Equal(t, "B", got.(*jsonObject).str("qStateName"))
	_, state, _, ok = resolveDef(o, "/x/a~1b/m~0n/1/qListObjectDef")
	require.True(t, ok)
	require.Equal(t, "A", state)
	for _, bad := range []string{"x", "/nope", "/x/a~1b/m~0n/2", "/x/a~1b/m~0n/-1", "/qStateName/z"} {
		_, _, _, ok := resolveDef(o, bad)
		require.False(t, ok, bad)
	}
	c := clone(o).(*jsonObject)
	c.Set("new", true)
	c.obj("x").Delete("a/b")
	require.Equal(t, 2, o.Len())
	require.NotNil(t, o.obj("x").obj("a/b"))
	moveFirst(c, "new")
	require.Equal(t, "new", c.keys[0])
	require.Equal(t, `"a\u2028b"`, string(appendString(nil, "a\u2028b")))
}

// FuzzParseJSON checks the parser against encoding/json: the same inputs
// are valid (for valid UTF-8 within the depth limit), and what it parses
// re-encodes to equivalent JSON.
func FuzzParseJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,"x\u00e9",true,null,{}]}`, `"\ud83d\ude00"`, `[]`, `-0.0`, `{"a":1,"a":2}`, `1 2`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parseJSON(data)
		deep := strings.Count(string(data), "[")+strings.Count(string(data), "{") > maxDepth
		if !utf8.Valid(data) || deep {
			return
		}
		if (err == nil) != json.Valid(data) {
			t.Fatalf("parse error %v but json.Valid %v for %q", err, json.Valid(data), data)
		}
		if err != nil {
			return
		}
		out := encode(v)
		if !json.Valid(out) {
			t.Fatalf("re-encoding %q gave invalid %q", data, out)
		}
		var a, b any
		da := json.NewDecoder(strings.NewReader(string(data)))
		da.UseNumber()
		db := json.NewDecoder(strings.NewReader(string(out)))
		db.UseNumber()
		if da.Decode(&a) != nil || db.Decode(&b) != nil {
			return // numbers encoding/json cannot hold
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("%q re-encoded as %q", data, out)
		}
	})
}
