package reload

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestJSONSource loads JSON texts (arrays of objects and NDJSON) and
// checks the table or the positioned error.
func TestJSONSource(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want [][]string // the table's field names, then its rows
		err  string     // else: the error message contains this
	}{
		{"array", `[{"a": 1, "b": "x"}, {"a": 2.5, "b": "y"}]`,
			[][]string{{"a", "b"}, {"1", "x"}, {"2.5", "y"}}, ""},
		{"ndjson", "{\"a\":1}\n{\"b\":\"two\"}\n\n  {\"b\":\"3\", \"a\":-4e2}\n",
			[][]string{{"a", "b"}, {"1", "(null)"}, {"(null)", "two"}, {"-400", `"3"`}}, ""},
		{"concatenated objects", `{"a":1}{"a":2} {"a":3}`,
			[][]string{{"a"}, {"1"}, {"2"}, {"3"}}, ""},
		{"union of keys in first-seen order", `[{"c":1},{"a":2,"c":3},{"b":4}]`,
			[][]string{{"c", "a", "b"}, {"1", "(null)", "(null)"}, {"3", "2", "(null)"}, {"(null)", "(null)", "4"}}, ""},
		{"nested objects are flattened", `[{"name":{"first":"Alice","last":"Stephenson"}},{"name":{"first":"Bob"}},{"name":{"last":"Roberts"}}]`,
			[][]string{{"name.first", "name.last"}, {"Alice", "Stephenson"}, {"Bob", "(null)"}, {"(null)", "Roberts"}}, ""},
		{"deeper nesting", `{"a":{"b":{"c":1},"d":2}}`,
			[][]string{{"a.b.c", "a.d"}, {"1", "2"}}, ""},
		{"arrays are their JSON text", `[{"a":[1, 2, {"x" : null}], "e": []},{"a":["s\"q"]}]`,
			[][]string{{"a", "e"}, {`"[1,2,{\"x\":null}]"`, "[]"}, {`"[\"s\\\"q\"]"`, "(null)"}}, ""},
		{"true false null", `[{"t":true,"f":false,"n":null},{"t":null}]`,
			[][]string{{"t", "f", "n"}, {"-1", "0", "(null)"}, {"(null)", "(null)", "(null)"}}, ""},
		{"strings are never numbers", `[{"zip":"01234","d":"2024-01-05","e":""}]`,
			[][]string{{"zip", "d", "e"}, {`"01234"`, `"2024-01-05"`, `""`}}, ""},
		{"escapes", `[{"s":"tab\there \u00e9 \ud83d\ude00 \/ \\ \"q\" \ud800x"}]`,
			[][]string{{"s"}, {"\"tab\\there é 😀 / \\\\ \\\"q\\\" \ufffdx\""}}, ""},
		{"numbers", `[{"n":0},{"n":-0.5},{"n":1E3},{"n":12345678901234567890},{"n":1e400}]`,
			[][]string{{"n"}, {"0"}, {"-0.5"}, {"1000"}, {"1.2345678901235e+19"}, {"1e400"}}, ""},
		{"byte order mark", "\ufeff[{\"a\":1}]", [][]string{{"a"}, {"1"}}, ""},
		{"empty object records", `[{},{"a":1},{}]`, [][]string{{"a"}, {"(null)"}, {"1"}, {"(null)"}}, ""},
		{"null-only path that is also an object", `[{"a":null},{"a":{"b":1}}]`,
			[][]string{{"a.b"}, {"(null)"}, {"1"}}, ""},
		{"duplicate key: the last wins", `{"a":1,"a":2}`, [][]string{{"a"}, {"2"}}, ""},
		{"unicode keys", `{"é\u00e9":1}`, [][]string{{"éé"}, {"1"}}, ""},

		{"empty file", "", nil, "holds no JSON object with a member"},
		{"empty array", " [ ] ", nil, "holds no JSON object with a member"},
		{"not JSON", "id,name\n1,a", nil, "line 1:1: a JSON file of records starts with '[' or '{', not 'i'"},
		{"scalar record", `[{"a":1}, 2]`, nil, "line 1:11: a record must be a JSON object, found '2'"},
		{"missing colon", "[\n {\"a\":1},\n {\"b\" 2}\n]", nil, `line 3:7: expected ':' after the member name "b", found '2'`},
		{"missing comma", `[{"a":1} {"a":2}]`, nil, "line 1:10: expected ',' or ']' after a record, found '{'"},
		{"unclosed array", `[{"a":1}`, nil, "line 1:9: the top-level array is not closed"},
		{"unclosed object", `{"a":1`, nil, "line 1:7: expected ',' or '}' after a member, found the end of the file"},
		{"unclosed string", `{"a":"xyz`, nil, "the string is not closed"},
		{"control character", "{\"a\":\"x\ny\"}", nil, "line 1:8: a control character (0x0a) in a string must be escaped"},
		{"bad escape", `{"a":"\q"}`, nil, `line 1:8: invalid escape \q in a string`},
		{"bad unicode escape", `{"a":"\u12G4"}`, nil, "invalid \\u escape"},
		{"bad number", `{"a":01}`, nil, "line 1:7: expected ',' or '}' after a member, found '1'"},
		{"bad fraction", `{"a":1.}`, nil, "line 1:8: invalid number: expected a digit after '.'"},
		{"bad literal", `{"a":tru}`, nil, "line 1:6: expected a value, found 't'"},
		{"trailing garbage", `[{"a":1}] x`, nil, "line 1:11: unexpected 'x' after the top-level array"},
		{"unquoted key", `{a:1}`, nil, "line 1:2: expected a member name in quotes, found 'a'"},
		{"trailing comma", `[{"a":1,}]`, nil, "line 1:9: expected a member name in quotes, found '}'"},
		{"too deep", strings.Repeat(`{"a":`, 600) + "1" + strings.Repeat("}", 600), nil, "nested more than 512 deep"},
		{"too deep in an array", `{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + "}", nil, "nested more than 512 deep"},
		{"name clash", `{"a.b":1,"a":{"b":2}}`, nil, "field 'a.b' appears twice"},
	}
	dir := t.TempDir()
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name := fmt.Sprintf("c%d.json", i)
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(tc.in), 0o644))
			res, err := runIn(t, dir, "J: LOAD * FROM [lib://d/"+name+"] (json);")
			if tc.err != "" {
				require.Error(t, err)
				var re *Error
				require.True(t, errors.As(err, &re))
				require.False(t, errors.Is(err, ErrInternal), "%v", err)
				require.Contains(t, re.Msg, tc.err)
				require.Equal(t, 1, re.Line, "the statement's position")
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, tableCells(t, res.Model, "J"))
		})
	}
}

// TestJSONBatches reads a file of many records (several batches, texts
// crossing the read window) with WHERE, a field subset and RecNo.
func TestJSONBatches(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("[\n")
	long := strings.Repeat("x", 70_000) // longer than the read window
	const n = 40_000
	for i := range n {
		if i > 0 {
			b.WriteString(",\n")
		}
		text := fmt.Sprintf("t%d", i%100)
		if i == 12_345 {
			text = long
		}
		fmt.Fprintf(&b, `{"id": %d, "text": "%s", "tags": ["a\u00e9", %d], "obj": {"k": %d}}`, i+1, text, i%3, i%5)
	}
	b.WriteString("\n]\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "big.json"), []byte(b.String()), 0o644))
	res, err := runIn(t, dir, `
A: LOAD *, RecNo() AS rec FROM [lib://d/big.json] (json);
W: NOCONCATENATE LOAD id AS w_id, Len(text) AS w_len FROM [lib://d/big.json] (json) WHERE id = 12346 OR id = 40000;
`)
	require.NoError(t, err)
	cells := tableCells(t, res.Model, "A")
	require.Equal(t, []string{"id", "text", "tags", "obj.k", "rec"}, cells[0])
	require.Len(t, cells, n+1)
	for i, row := range cells[1:] {
		require.Equal(t, fmt.Sprint(i+1), row[0])
		require.Equal(t, row[0], row[4])
		require.Equal(t, fmt.Sprintf(`"[\"aé\",%d]"`, i%3), row[2])
		require.Equal(t, fmt.Sprint(i%5), row[3])
	}
	require.Equal(t, [][]string{{"w_id", "w_len"}, {"12346", "70000"}, {"40000", "3"}}, tableCells(t, res.Model, "W"))
}

// TestJSONLimits: MaxRows stops a JSON load while it streams.
func TestJSONLimits(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "{\"a\":%d}\n", i)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "n.ndjson"), []byte(b.String()), 0o644))
	_, err := runIn(t, dir, "LOAD * FROM [lib://d/n.ndjson];", func(r *Request) { r.Limits.MaxRows = 50_000 })
	require.ErrorIs(t, err, ErrLimit)
	_, err = runIn(t, dir, "LOAD * FROM [lib://d/n.ndjson] (json, table is [/*/a]);")
	require.ErrorContains(t, err, `"table is" (a nested table of a JSON file) is not supported`)
}
