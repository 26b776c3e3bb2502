package expr

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// corpus reads testdata/parse.txt.
func corpus(t testing.TB) []string {
	t.Helper()
	f, err := os.Open("testdata/parse.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	require.NoError(t, sc.Err())
	return out
}

// requireRoundTrip checks that n prints to text that parses to an equal
// tree, and that printing is idempotent.
func requireRoundTrip(t *testing.T, src string, n Node) {
	t.Helper()
	printed := String(n)
	n2, err := Parse(printed)
	require.NoError(t, err, "re-parse of %q (printed from %q)", printed, src)
	require.True(t, Equal(n, n2), "round trip of %q changed the tree: printed %q", src, printed)
	require.Equal(t, printed, String(n2), "printing is not idempotent for %q", src)
}

func TestParseCorpusRoundTrip(t *testing.T) {
	lines := corpus(t)
	require.Greater(t, len(lines), 150)
	for _, src := range lines {
		t.Run(src, func(t *testing.T) {
			n, err := Parse(src)
			require.NoError(t, err)
			requireRoundTrip(t, src, n)
		})
	}
}

// sexpr renders operators fully parenthesized to test precedence.
func sexpr(n Node) string {
	switch n := n.(type) {
	case *Binary:
		return "(" + sexpr(n.X) + " " + n.Op.String() + " " + sexpr(n.Y) + ")"
	case *Unary:
		return "(" + n.Op.String() + " " + sexpr(n.X) + ")"
	case *OuterSet:
		return "(" + n.Set.String() + " " + sexpr(n.X) + ")"
	case *Call:
		var args []string
		for _, a := range n.Args {
			args = append(args, sexpr(a))
		}
		return n.Name.Text + "(" + strings.Join(args, ", ") + ")"
	}
	return String(n)
}

func TestParsePrecedence(t *testing.T) {
	tests := []struct{ src, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"(1 + 2) * 3", "((1 + 2) * 3)"},
		{"1 - 2 - 3", "((1 - 2) - 3)"},
		{"8 / 2 / 2", "((8 / 2) / 2)"},
		{"-a * b", "((- a) * b)"},
		{"-a.b", "(- a.b)"},
		{"- - a", "(- (- a))"},
		{"bitnot a + b", "((bitnot a) + b)"},
		{"a & b + c", "(a & (b + c))"},
		{"a + b & c", "((a + b) & c)"},
		{"a & b bitand c", "((a & b) bitand c)"},
		{"a bitand b = c", "((a bitand b) = c)"},
		{"a << 1 >> 2", "((a << 1) >> 2)"},
		{"a = b and c = d", "((a = b) and (c = d))"},
		{"a like 'x' or b", "((a like 'x') or b)"},
		{"not a = b", "(not (a = b))"},
		{"not a and b", "((not a) and b)"},
		{"not not a", "(not (not a))"},
		{"a or b and c", "(a or (b and c))"},
		{"a and b or c", "((a and b) or c)"},
		{"a xor b and c", "(a xor (b and c))"},
		{"a or b xor c", "(a or (b xor c))"},
		{"a or b or c", "((a or b) or c)"},
		{"a = b = c", "((a = b) = c)"},
		{"a precedes b follows c", "((a precedes b) follows c)"},
		{"If(a, b + 1, -c)", "If(a, (b + 1), (- c))"},
		{"{<A={1}>} Sum(X) + 1", "({<A={1}>} (Sum(X) + 1))"},
		{"({<A={1}>} Sum(X)) + 1", "(({<A={1}>} Sum(X)) + 1)"},
		{"A/* c */-/* d */B", "(A - B)"},
		{"A // c\n- B", "(A - B)"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			n, err := Parse(tc.src)
			require.NoError(t, err)
			require.Equal(t, tc.want, sexpr(n))
			requireRoundTrip(t, tc.src, n)
		})
	}
}

func TestParseLiterals(t *testing.T) {
	tests := []struct {
		src  string
		want Node
	}{
		{"42", &NumberLit{Text: "42", Value: 42}},
		{"1.5", &NumberLit{Text: "1.5", Value: 1.5}},
		{".5", &NumberLit{Text: ".5", Value: 0.5}},
		{"1e3", &NumberLit{Text: "1e3", Value: 1000}},
		{"'It''s'", &StringLit{Value: "It's"}},
		{"''", &StringLit{Value: ""}},
		{"Sales", &FieldRef{Name: Name{Text: "Sales"}}},
		{"[Order Date]", &FieldRef{Name: Name{Text: "Order Date", Quote: '['}}},
		{`"Order ""Date"""`, &FieldRef{Name: Name{Text: `Order "Date"`, Quote: '"'}}},
		{"`a``b`", &FieldRef{Name: Name{Text: "a`b", Quote: '`'}}},
		{"[a]]b]", &FieldRef{Name: Name{Text: "a]b", Quote: '['}}},
		{"Straße_1", &FieldRef{Name: Name{Text: "Straße_1"}}},
		{"$Table", &FieldRef{Name: Name{Text: "$Table"}}},
		{"=x", &FieldRef{Name: Name{Text: "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			n, err := Parse(tc.src)
			require.NoError(t, err)
			require.True(t, Equal(tc.want, n), "got %s", String(n))
		})
	}
}

func TestParsePositions(t *testing.T) {
	src := "Sum([Order Date]) + 'x'"
	n, err := Parse(src)
	require.NoError(t, err)
	b := n.(*Binary)
	c := b.X.(*AggCall)
	require.Equal(t, Pos(0), c.Pos())
	require.Equal(t, Pos(17), c.End())
	f := c.Args[0].(*FieldRef)
	require.Equal(t, "[Order Date]", src[f.Pos():f.End()])
	s := b.Y.(*StringLit)
	require.Equal(t, "'x'", src[s.Pos():s.End()])
	require.Equal(t, Pos(18), b.OpPos)
	require.Equal(t, Pos(len(src)), n.End())
}

func TestFieldRefIndex(t *testing.T) {
	n, err := Parse("a + [b] * a - Sum(c) + b")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b", "c"}, FieldNames(n))
	var idx []int
	Inspect(n, func(n Node) bool {
		if r, ok := n.(*FieldRef); ok {
			idx = append(idx, r.Index)
		}
		return true
	})
	require.Equal(t, []int{0, 1, 0, 2, 1}, idx)
}

func TestParseAggregation(t *testing.T) {
	n, err := Parse("Sum({$<Year={2020}>} DISTINCT TOTAL <Month, [Order Date]> Sales * 2)")
	require.NoError(t, err)
	c := n.(*AggCall)
	require.Equal(t, "Sum", c.Func.Name)
	require.Equal(t, KindAggregation, c.Func.Kind)
	require.NotNil(t, c.Set)
	require.Equal(t, Distinct, c.Distinct)
	require.Equal(t, ScopeTotal, c.Scope)
	require.Len(t, c.ScopeFields, 2)
	require.Equal(t, "Month", c.ScopeFields[0].Text)
	require.Equal(t, Name{NamePos: 44, NameEnd: 56, Text: "Order Date", Quote: '['}, c.ScopeFields[1])
	require.Len(t, c.Args, 1)
	require.False(t, c.IsAggr())

	n, err = Parse("count(ALL <Year> x)")
	require.NoError(t, err)
	c = n.(*AggCall)
	require.Equal(t, "Count", c.Func.Name)
	require.Equal(t, "count", c.Name.Text)
	require.Equal(t, ScopeAll, c.Scope)
	require.Equal(t, DistinctDefault, c.Distinct)

	n, err = Parse("Sum(NODISTINCT x)")
	require.NoError(t, err)
	require.Equal(t, NoDistinct, n.(*AggCall).Distinct)
}

func TestParseAggr(t *testing.T) {
	n, err := Parse("Aggr({1} NODISTINCT Sum(Sales), Customer, (Month, (NUMERIC, DESCENDING), (=Sum(X), asc)), (Y, (Z, (TEXT))))")
	require.Error(t, err) // "asc" is not an ordering
	require.Contains(t, err.Error(), "expected a sort order")

	n, err = Parse("Aggr({1} NODISTINCT Sum(Sales), Customer, (Month, (NUMERIC, DESCENDING), (=Sum(X), ascending)), (Y, (Z, (TEXT))))")
	require.NoError(t, err)
	c := n.(*AggCall)
	require.True(t, c.IsAggr())
	require.Equal(t, NoDistinct, c.Distinct)
	require.Len(t, c.Args, 1)
	require.Len(t, c.Dims, 3)
	require.False(t, c.Dims[0].Structured())
	require.Equal(t, "Customer", c.Dims[0].Field.Text)
	d := c.Dims[1]
	require.True(t, d.Structured())
	require.Equal(t, "Month", d.Field.Text)
	require.Len(t, d.Sort, 2)
	require.Equal(t, "NUMERIC", d.Sort[0].Type)
	require.Equal(t, "DESCENDING", d.Sort[0].Order)
	require.NotNil(t, d.Sort[1].Expr)
	require.Equal(t, "ascending", d.Sort[1].Order)
	nested := c.Dims[2].Sort[0].Nested
	require.NotNil(t, nested)
	require.Equal(t, "Z", nested.Field.Text)
	require.Equal(t, "TEXT", nested.Sort[0].Type)
}

func TestParseCallTotal(t *testing.T) {
	n, err := Parse("Rank(TOTAL Sum(X), 1)")
	require.NoError(t, err)
	c := n.(*Call)
	require.True(t, c.Total)
	require.Equal(t, KindContext, c.Func.Kind)
	require.Len(t, c.Args, 2)

	n, err = Parse("RowNo(TOTAL)")
	require.NoError(t, err)
	require.True(t, n.(*Call).Total)
	require.Empty(t, n.(*Call).Args)
}

func TestParseOuterSet(t *testing.T) {
	n, err := Parse("{<Year={2021}>} Sum(Sales) / Count({<Month={1}>} Customer)")
	require.NoError(t, err)
	o := n.(*OuterSet)
	div := o.X.(*Binary)
	sum := div.X.(*AggCall)
	cnt := div.Y.(*AggCall)
	require.Len(t, sum.Outer, 1)
	require.Same(t, o.Set, sum.Outer[0])
	require.Len(t, cnt.Outer, 1)
	require.NotNil(t, cnt.Set)

	n, err = Parse("Sum(x) + ({<A={1}>} ({<B={2}>} Sum(y)))")
	require.NoError(t, err)
	var outer [][]*SetExpr
	Inspect(n, func(n Node) bool {
		if c, ok := n.(*AggCall); ok {
			outer = append(outer, c.Outer)
		}
		return true
	})
	require.Len(t, outer, 2)
	require.Empty(t, outer[0])
	require.Len(t, outer[1], 2)
	require.Equal(t, "{<A={1}>}", outer[1][0].String())
	require.Equal(t, "{<B={2}>}", outer[1][1].String())
}

func TestParseScriptContext(t *testing.T) {
	script := Options{Context: InScript}
	_, err := ParseWith("Sum(x) + FirstValue(y)", script)
	require.NoError(t, err)
	_, err = ParseWith("Upper(x) & RowNo()", script)
	require.NoError(t, err)

	for src, msg := range map[string]string{
		"FirstValue(y)":          "1:1: function FirstValue cannot be used in chart expressions",
		"Rank(Sum(x))@script":    "1:1: function Rank cannot be used in the load script",
		"Sum({1} x)@script":      "1:5: set expressions cannot be used in the load script",
		"Sum(TOTAL x)@script":    "1:5: TOTAL cannot be used in the load script",
		"Aggr(Sum(x), y)@script": "1:1: function Aggr cannot be used in the load script",
	} {
		opts := Options{}
		if s, ok := strings.CutSuffix(src, "@script"); ok {
			src, opts = s, script
		}
		_, err := ParseWith(src, opts)
		require.Error(t, err, src)
		require.Contains(t, err.(ErrorList).All(), msg, src)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		want []string // "line:col: message" prefixes, in order
	}{
		{"", []string{"1:1: empty expression"}},
		{"=", []string{"1:2: empty expression"}},
		{"   ", []string{"1:4: empty expression"}},
		{"1 +", []string{"1:4: expected an operand (number, string, name, function call or '('), found end of expression"}},
		{"(1", []string{"1:3: expected ')' to close the parenthesis, found end of expression"}},
		{"1 2", []string{"1:3: unexpected number 2 after the end of the expression"}},
		{"'abc", []string{"1:1: string not terminated: missing '"}},
		{"[abc", []string{"1:1: quoted name not terminated: missing ]"}},
		{"a /* x", []string{"1:3: comment not terminated: missing */"}},
		{"a ; b", []string{"1:3: unexpected character ';'"}},
		{"12abc", []string{"1:1: malformed number \"12abc\""}},
		{"1e999", []string{"1:1: number 1e999 is out of range"}},
		{"Foo(1)", []string{"1:1: unknown function Foo"}},
		{"Sum($(v))", []string{"1:5: dollar-sign expansion $(...) must be done before parsing"}},
		{"Sum()", []string{"1:1: function Sum takes 1 argument, got 0"}},
		{"If(1)", []string{"1:1: function If takes 2 to 3 arguments, got 1"}},
		{"RangeSum()", []string{"1:1: function RangeSum takes at least 1 argument, got 0"}},
		{"Sum(a b)", []string{"1:7: unexpected name b in the arguments of Sum; expected ',' or ')'"}},
		{"Upper(TOTAL x)", []string{"1:7: function Upper does not take a TOTAL qualifier"}},
		{"Sum(DISTINCT DISTINCT x)", []string{"1:14: DISTINCT given twice in Sum"}},
		{"Sum(TOTAL ALL x)", []string{"1:11: TOTAL or ALL given twice in Sum"}},
		{"Aggr(TOTAL Sum(x), y)", []string{"1:6: Aggr does not take a TOTAL qualifier"}},
		{"Aggr(Sum(x))", []string{"1:12: Aggr needs at least one dimension after the expression"}},
		{"Aggr(Sum(x), 1)", []string{"1:14: expected an Aggr dimension (a field name), found number 1"}},
		{"Sum(TOTAL <> x)", []string{"1:11: expected"}},
		{"Sum(TOTAL <a b)", []string{"1:14: expected '>' to close the field list, found name b"}},
		{"1 + {<A={1}>} Sum(x)", []string{"1:5: a set expression must follow '(' of an aggregation"}},
		{"Sum({} x)", []string{"1:6: empty set expression"}},
		{"Sum({2} x)", []string{"1:6: invalid set identifier 2"}},
		{"Sum({$0} x)", []string{"1:6: invalid history identifier $0"}},
		{"Sum({<A>} x)", []string{"1:8: expected =, +=, -=, *= or /= after field A in the set modifier, found '>'"}},
		{"Sum({<A={1}} x)", []string{"1:12: expected ',' or '>' in the set modifier, found '}'"}},
		{"Sum({<A+=>} x)", []string{"1:10: missing element set after +="}},
		{"Sum({<A={1,}>} x)", []string{"1:12: expected a value or a search string in the element list, found '}'"}},
		{"Sum({<A={1}>)", []string{"1:13: expected '}' to close the set expression, found ')'"}},
		{"Sum({<={1}>} x)", []string{"1:6: expected a set identifier ($, 1, $N, $_N, a bookmark or a state name) or a modifier <...>, found '<='"}},
		{"Sum({<A=x, ={1}>} x)", []string{"1:12: expected a field name in the set modifier, found '='"}},
		{"Sum({$::} x)", []string{"1:9: expected a bookmark name after '::', found '}'"}},
		{"Sum({<A=P(x>} y)", []string{"1:12: expected ')' to close P(), found '>'"}},
		{"Sum(Sum(x))", []string{"1:5: nested aggregation: Sum inside Sum needs TOTAL or must go through Aggr()"}},
		{"Sum(1 + Avg(x))", []string{"1:9: nested aggregation: Avg inside Sum"}},
		// Several errors are reported at once when recovery is easy.
		{"If(Foo(1), Bar(2), Sum(Sum(x)))", []string{
			"1:4: unknown function Foo",
			"1:12: unknown function Bar",
		}},
		{"RangeSum(1 +, 2 3, (4)", []string{
			"1:13: expected an operand",
			"1:17: unexpected number 3 in the arguments of RangeSum",
			"1:23: expected ')' to close the argument list of RangeSum, found end of expression",
		}},
		{"a +\n  'x\n", []string{"2:3: string not terminated"}},
		{"[] + 1", []string{"1:1: empty name []"}},
		{"Sum({<A={1}>*<``={2}>} x)", []string{"1:15: empty name ``"}},
		{"Sum(x) +\n\t   Max(Sum(y))", []string{"2:9: nested aggregation: Sum inside Max"}},
		{"'é' + ]", []string{"1:7: unexpected character ']'"}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			n, err := Parse(tc.src)
			require.Nil(t, n)
			require.Error(t, err)
			var list ErrorList
			require.ErrorAs(t, err, &list)
			require.Len(t, list, len(tc.want), "errors: %s", list.All())
			for i, w := range tc.want {
				require.True(t, strings.HasPrefix(list[i].Error(), w), "error %d: got %q, want prefix %q", i, list[i].Error(), w)
			}
			require.True(t, strings.HasPrefix(err.Error(), "cannot parse expression: "+list[0].Error()))
		})
	}
}

func TestParseErrorCap(t *testing.T) {
	src := strings.Repeat("Foo(1) + ", 30) + "1"
	_, err := Parse(src)
	var list ErrorList
	require.ErrorAs(t, err, &list)
	require.Len(t, list, MaxErrors)
	require.Contains(t, err.Error(), "(and 9 more errors)")
}

func TestParseDeepNesting(t *testing.T) {
	// Deep but acceptable nesting works...
	src := strings.Repeat("(", 200) + "1" + strings.Repeat(")", 200)
	n, err := Parse(src)
	require.NoError(t, err)
	require.Equal(t, "1", String(n))
	// ...hostile nesting fails cleanly instead of exhausting the stack.
	for _, src := range []string{
		strings.Repeat("(", 100000),
		strings.Repeat("-", 100000) + "1",
		strings.Repeat("Sum({<A=P({", 10000),
		strings.Repeat("If(1,", 100000),
	} {
		_, err := Parse(src)
		require.Error(t, err)
	}
	_, err = Parse(strings.Repeat("-", 1000) + "1")
	require.ErrorContains(t, err, "nested too deeply")
}

func TestLineCol(t *testing.T) {
	src := "ab\ncdé\nf"
	tests := []struct {
		pos       Pos
		line, col int
	}{{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 2, 4}, {8, 3, 1}, {9, 3, 2}, {99, 3, 2}}
	for _, tc := range tests {
		l, c := LineCol(src, tc.pos)
		require.Equal(t, [2]int{tc.line, tc.col}, [2]int{l, c}, "pos %d", tc.pos)
	}
}
