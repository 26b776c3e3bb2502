package script

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSpan(t *testing.T) {
	list := &stops{comma: true}
	field := fieldStops
	cases := []struct {
		name string
		src  string
		st   *stops
		want string // the span
		rest string // what follows it
	}{
		{"to semicolon", "  a + b ; c", &stops{}, "a + b", " ; c"},
		{"to end", "a + b  ", &stops{}, "a + b", "  "},
		{"empty", " ; x", &stops{}, "", " ; x"},
		{"comma", "f(a, b), c", list, "f(a, b)", ", c"},
		{"comma ignored", "f(a, b), c", &stops{}, "f(a, b), c", ""},
		{"nested parentheses", "f(g(a, (b, c)), d), e", list, "f(g(a, (b, c)), d)", ", e"},
		{"braces", "Sum({<Y={2020, 2021}>} x), y", list, "Sum({<Y={2020, 2021}>} x)", ", y"},
		{"string with separators", "'a,b;c)' & x; y", list, "'a,b;c)' & x", "; y"},
		{"escaped quote", "'It''s, ok' , x", list, "'It''s, ok'", " , x"},
		{"brackets", "[a,b]]c] + \"c,d\" + `e,f` , x", list, "[a,b]]c] + \"c,d\" + `e,f`", " , x"},
		{"keyword", "If(a, (b), {c}) as x", field, "If(a, (b), {c})", " as x"},
		{"keyword case", "a AS x", field, "a", " AS x"},
		{"keyword inside words", "a as_b x.as as c", field, "a as_b x.as", " as c"},
		{"keyword in parentheses", "f(a as b) as c", field, "f(a as b)", " as c"},
		{"keyword in quotes", "[from] & 'from' from t", field, "[from] & 'from'", " from t"},
		{"group by", "a group by b", field, "a", " group by b"},
		{"group by over lines", "a Group\n  By b", field, "a", " Group\n  By b"},
		{"group alone", "a group x, y", field, "a group x", ", y"},
		{"order by", "Sum(x) ORDER BY b", field, "Sum(x)", " ORDER BY b"},
		{"expansion", "$(=Max(Year, ',')) , y", list, "$(=Max(Year, ','))", " , y"},
		{"expansion in word", "x$(i)from from t", field, "x$(i)from", " from t"},
		{"expansion with keyword", "$(v as) as x", field, "$(v as)", " as x"},
		{"line comment", "a // c, d\n , e", list, "a", " // c, d\n , e"},
		{"block comment", "a /* , ; */ + b, c", list, "a /* , ; */ + b", ", c"},
		{"comment inside", "a + // why\n b ; c", &stops{}, "a + // why\n b", " ; c"},
		{"end of line", "x + 1\n y", eolStops, "x + 1", "\n y"},
		{"end of line in parentheses", "f(x\n, y)\n z", eolStops, "f(x\n, y)", "\n z"},
		{"end of line after comment", "10 // loop\nNEXT", eolStops, "10", " // loop\nNEXT"},
		{"empty line", "\n x", eolStops, "", "\n x"},
		{"right parenthesis", "a, b) c", &stops{rparen: true}, "a, b", ") c"},
		{"function word", "Left(x, 1) = 'a' LOAD", stmtStops, "Left(x, 1) = 'a'", " LOAD"},
		{"function word as prefix", "x Left Join LOAD", stmtStops, "x", " Left Join LOAD"},
		{"non-ASCII", "Året & 'å,ä' , ö", list, "Året & 'å,ä'", " , ö"},
		{"numbers", "1.5e3 * .5, x", list, "1.5e3 * .5", ", x"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := newParser(c.src, 100)
			got, err := p.span(c.st)
			require.NoError(t, err)
			require.Equal(t, c.want, got.Src)
			require.Equal(t, c.rest, c.src[p.pos:])
			if got.Src != "" {
				require.Equal(t, c.want, c.src[got.Pos-100:got.Pos-100+len(got.Src)])
			}
		})
	}
}

func TestSpanErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{"f(a", `offset 1: unclosed "(" in expression`},
		{"f(a; b)", `offset 1: unclosed "(" in expression`},
		{"a)", `offset 1: unexpected ")" in expression`},
		{"a}", `offset 1: unexpected "}" in expression`},
		{"(a}", `offset 2: "}" does not match "(" at offset 0`},
		{"{a)", `offset 2: ")" does not match "{" at offset 0`},
		{"'abc", `offset 0: string not terminated: missing '`},
		{"[abc", `offset 0: quoted name not terminated: missing ]`},
		{`"abc`, `offset 0: quoted name not terminated: missing "`},
		{"a /* b", `offset 2: comment not terminated: missing */`},
	}
	for _, c := range cases {
		p := newParser(c.src, 0)
		_, err := p.span(&stops{comma: true})
		require.EqualError(t, err, c.want, c.src)
	}
}

func TestSplitList(t *testing.T) {
	items, err := SplitList("'a', 'b,c' , f(1, 2)", 10)
	require.NoError(t, err)
	require.Equal(t, []Expr{{Src: "'a'", Pos: 10}, {Src: "'b,c'", Pos: 15}, {Src: "f(1, 2)", Pos: 23}}, items)
	items, err = SplitList(" x ", 0)
	require.NoError(t, err)
	require.Equal(t, []Expr{{Src: "x", Pos: 1}}, items)
	for _, bad := range []string{"", "a,", ",a", "a,,b", "f(a", "a)"} {
		_, err := SplitList(bad, 0)
		require.Error(t, err, "%q", bad)
	}
}
