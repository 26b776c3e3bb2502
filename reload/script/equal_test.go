package script

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEqual(t *testing.T) {
	parse := func(src string) *Script {
		t.Helper()
		s, err := Parse(src)
		require.NoError(t, err)
		return s
	}
	base := "T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);"
	// Offsets, raw texts, layout, comments and keyword case do not count.
	require.True(t, Equal(parse(base), parse("// c\n\nT:\nload a as b,\n [c]\n from x.csv(TXT) where a > 1;if x then\ntrace y;\nend if\n$(v);")))
	// Everything else does.
	for _, other := range []string{
		"T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 2;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",          // expression
		"U: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",          // label
		"T: LOAD a AS b, \"c\" FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",        // expression quoting
		"T: LOAD a AS [b], [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",        // name quoting
		"T: LOAD a AS b, [c] FROM x.csv WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",                // nil format
		"T: LOAD a AS b, [c] FROM x.csv (qvd) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",          // format item
		"T: LOAD a AS b, [c] RESIDENT x.csv WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",            // source type
		"T: LOAD a AS b FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);",               // field count
		"T: LOAD DISTINCT a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(v);", // flag
		"T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE z;\nEND IF\n$(v);",          // body
		"T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\nEND IF\n$(v);",                      // body length
		"T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF\n$(w);",          // unexpanded text
		"T: LOAD a AS b, [c] FROM x.csv (txt) WHERE a > 1;\nIF x THEN\n  TRACE y;\nEND IF",                 // statement count
	} {
		require.False(t, Equal(parse(base), parse(other)), other)
	}
	require.False(t, EqualStmt(&Set{Name: n("a")}, &Let{Name: n("a")}))
	require.True(t, EqualStmt(&Set{Name: Name{Text: "a", Pos: 1}}, &Set{Name: Name{Text: "a", Pos: 9}}))
	require.True(t, EqualStmt(&Call{Name: n("a")}, &Call{Name: n("a"), Args: []Expr{}}), "nil and empty slices are equal")
	require.True(t, EqualStmt(nil, nil))
	require.False(t, EqualStmt(nil, &Disconnect{}))
	require.True(t, Equal(nil, nil))
	require.False(t, Equal(parse(base), nil))
}

func TestColumnRef(t *testing.T) {
	for src, want := range map[string]int{"@1": 1, "@12": 12, "@0": 0, "@": 0, "@1:5": 0, "@a": 0, "x": 0, "@99999999999": 0} {
		got, ok := Field{Expr: e(src)}.ColumnRef()
		require.Equal(t, want, got, src)
		require.Equal(t, want > 0, ok, src)
	}
}

func TestFormatKindString(t *testing.T) {
	require.Equal(t, "delimiter", FmtDelimiter.String())
	require.Equal(t, "user agent", FmtUserAgent.String())
	require.Equal(t, "FormatKind(99)", FormatKind(99).String())
	require.Equal(t, "WHILE", CondWhile.String())
	require.Equal(t, "SUB", ExitSub.String())
	require.Equal(t, "LEFT", JoinLeft.String())
}
