package expr

import (
	"math"
	"testing"

	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

// testEnv is a row with fields and variables; aggregations are looked up by
// their printed form, context calls answered by ctx.
type testEnv struct {
	fields map[string]Value
	vars   map[string]Value
	aggs   map[string]Value
	ctx    func(c *Call, dst []Value) []Value
}

func (e *testEnv) Field(r *FieldRef) (Value, bool) {
	v, ok := e.fields[r.Name.Text]
	return v, ok
}

func (e *testEnv) Variable(name string) (Value, bool) {
	v, ok := e.vars[name]
	return v, ok
}

func (e *testEnv) Aggregate(c *AggCall) Value { return e.aggs[String(c)] }

type testCtxEnv struct{ *testEnv }

func (e testCtxEnv) CallContext(c *Call, dst []Value) []Value { return e.ctx(c, dst) }

var (
	_ Env        = (*testEnv)(nil)
	_ ContextEnv = testCtxEnv{}
)

func mustParse(t testing.TB, src string) Node {
	t.Helper()
	n, err := Parse(src)
	require.NoError(t, err, src)
	return n
}

// evalCase is an expression and its expected value, compared with
// requireValue: same kind, same text, and numbers equal within 1e-12
// relative.
type evalCase struct {
	src  string
	want Value
}

func requireValue(t *testing.T, want, got Value, msgAndArgs ...any) {
	t.Helper()
	require.Equal(t, want.kind, got.kind, append([]any{"kind of %v vs %v", want, got}, msgAndArgs...)...)
	if want.HasText() {
		require.Equal(t, want.text, got.text, msgAndArgs...)
	}
	if want.HasNum() {
		require.InDelta(t, want.num, got.num, 1e-12*math.Max(1, math.Abs(want.num)), msgAndArgs...)
	}
}

func runEval(t *testing.T, env Env, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.src, func(t *testing.T) {
			got := Eval(mustParse(t, tc.src), env)
			requireValue(t, tc.want, got, "%s = %v", tc.src, got)
		})
	}
}

var (
	vTrue  = Num(-1)
	vFalse = Num(0)
)

func TestEvalOperators(t *testing.T) {
	runEval(t, nil, []evalCase{
		{"1 + 2 * 3", Num(7)},
		{"(1 + 2) * 3", Num(9)},
		{"7 - 10", Num(-3)},
		{"7 / 2", Num(3.5)},
		{"-3 - -3", Num(0)},
		{"+'5'", Num(5)},
		{"'5' + 1", Num(6)},
		{"' 2.5 ' * 2", Num(5)},
		{"'abc' + 1", Null()},
		{"1 / 0", Null()},
		{"0 / 0", Null()},
		{"1e308 * 10", Null()},
		{"'a' & 'b' & 1", Str("ab1")},
		{"1 & 2", Str("12")},
		{"0.1 + 0.2 & ''", Str("0.3")},
		{"1 = 1", vTrue},
		{"1 = 2", vFalse},
		{"'1' = 1", vTrue},
		{"'1.0' = '1'", vTrue},
		{"'abc' = 'abc'", vTrue},
		{"'abc' = 'ABC'", vFalse},
		{"'abc' <> 'ABC'", vTrue},
		{"'a' < 'B'", vTrue},
		{"'B' < 'a'", vFalse},
		{"2 < 10", vTrue},
		{"'2' < '10'", vTrue},
		{"'2x' < '10x'", vFalse},
		{"3 >= 3", vTrue},
		{"3 <= 2", vFalse},
		{"3 > 2", vTrue},
		{"'2' precedes '10'", vFalse},
		{"'10' precedes '2'", vTrue},
		{"' 1 ' precedes ' 2 '", vTrue},
		{"'b' follows 'a'", vTrue},
		{"'abc' like 'a*'", vTrue},
		{"'ABC' like 'a?c'", vTrue},
		{"'abc' like 'a?'", vFalse},
		{"'Köln' like 'KÖ*'", vTrue},
		{"1 and 1", vTrue},
		{"1 and 0", vFalse},
		{"0 or 2", vTrue},
		{"0 or 0", vFalse},
		{"1 xor 1", vFalse},
		{"1 xor 0", vTrue},
		{"not 0", vTrue},
		{"not 5", vFalse},
		{"not 'abc'", vTrue},
		{"'abc' or 0", vFalse},
		{"bitnot 17", Num(-18)},
		{"17 bitand 7", Num(1)},
		{"17 bitor 7", Num(23)},
		{"17 bitxor 7", Num(22)},
		{"8 >> 2", Num(2)},
		{"8 << 2", Num(32)},
		{"-8 >> 1", Num(-4)},
		{"1 << 31", Num(math.MinInt32)},
		{"4294967297 bitand 3", Num(1)},
		{"17.9 bitand 7", Num(1)},
		{"1 << -1", Null()},
		{"'x' bitand 1", Null()},
		{"bitnot 'x'", Null()},
		{"-'x'", Null()},
	})
}

func TestEvalNullRules(t *testing.T) {
	// S36 (§4.4): A is a value, N is NULL.
	env := &testEnv{fields: map[string]Value{"A": Num(2), "Z": Num(0), "T": Str("t")}}
	runEval(t, env, []evalCase{
		{"N", Null()},
		{"A + N", Null()},
		{"A - N", Null()},
		{"A * N", Null()},
		{"A / N", Null()},
		{"N / A", Null()},
		{"Z / N", Null()},
		{"Z * N", Null()},
		{"-N", Null()},
		{"A & N", Str("2")},
		{"N & A", Str("2")},
		{"T & N", Str("t")},
		{"N & N", Null()},
		{"N = N", Null()},
		{"N <> N", Null()},
		{"N < N", Null()},
		{"A <> N", vTrue},
		{"N <> A", vTrue},
		{"A = N", vFalse},
		{"A < N", vFalse},
		{"A <= N", vFalse},
		{"A > N", vFalse},
		{"A >= N", vFalse},
		{"N like '*'", vFalse},
		{"If(N, 1, 2)", Num(2)},
		{"If(1, N, A)", Null()},
		{"If(1, A, N)", Num(2)},
		{"If(0, A)", Null()},
		{"IsNull(N)", vTrue},
		{"IsNull(A)", vFalse},
		{"IsNull('')", vFalse},
		{"IsNum(N)", vFalse},
		{"IsText(N)", vFalse},
		{"N and 1", vFalse},
		{"N or 1", vTrue},
		{"not N", vTrue},
		{"N bitand 1", Null()},
		{"Log(-5)", Null()},
		{"Round('A', 0)", Null()},
		{"Chr(N)", Null()},
		{"Sin(N)", Null()},
		{"ASin(2)", Null()},
	})
}

func TestEvalResolution(t *testing.T) {
	env := &testEnv{
		fields: map[string]Value{"Sales": Num(10), "Name": Str("Ann"), "Order Date": Dual(45000, "2023-03-15")},
		vars:   map[string]Value{"vRate": Num(0.5), "Sales": Num(999), "vName": Str("x")},
		aggs:   map[string]Value{"Sum(Sales)": Num(100), "Sum({1} Sales)": Num(150), "Aggr(Sum(Sales), Name)": Num(7)},
	}
	runEval(t, env, []evalCase{
		{"Sales * vRate", Num(5)},
		{"[Order Date] + 1", Num(45001)},
		{"[Order Date] & ''", Str("2023-03-15")},
		{"vName & Name", Str("xAnn")},
		{"Unknown", Null()},
		{"Sum(Sales) / Sum({1} Sales)", Num(100.0 / 150)},
		{"{<A={1}>} Sum(Sales) * 2", Num(200)},
		{"Aggr(Sum(Sales), Name)", Num(7)},
		{"Sum(x)", Null()},
	})
}

func TestEvalContext(t *testing.T) {
	var calls []string
	env := testCtxEnv{&testEnv{ctx: func(c *Call, dst []Value) []Value {
		calls = append(calls, String(c))
		switch c.Func.Name {
		case "Above":
			return append(dst, Num(1), Num(2), Num(3))
		case "RowNo":
			return append(dst, Num(4))
		}
		return dst
	}}}
	runEval(t, env, []evalCase{
		{"RowNo() * 2", Num(8)},
		{"RangeSum(Above(x, 0, 3), 10)", Num(16)},
		{"RangeCount(Above(x, 0, 3), RowNo())", Num(4)},
		{"Above(x, 0, 3)", Null()},   // a range outside a range function
		{"Dimensionality()", Null()}, // no result
	})
	require.Contains(t, calls, "Above(x, 0, 3)")
	// Without a ContextEnv, context functions are NULL.
	require.True(t, Eval(mustParse(t, "RowNo()"), nil).IsNull())
}

func TestEvalLazy(t *testing.T) {
	evaluated := map[string]int{}
	env := &countingEnv{seen: evaluated}
	for _, src := range []string{
		"If(1, a, b)", "If(0, c, d)", "Pick(2, e, f, g)", "Alt(1, h)", "Alt('x', i, j)",
		"0 and k", "1 or l",
	} {
		Eval(mustParse(t, src), env)
	}
	require.Equal(t, map[string]int{"a": 1, "d": 1, "f": 1, "i": 1}, evaluated)
}

type countingEnv struct{ seen map[string]int }

func (e *countingEnv) Field(r *FieldRef) (Value, bool) {
	e.seen[r.Name.Text]++
	return Num(1), true
}
func (e *countingEnv) Variable(string) (Value, bool) { return Value{}, false }
func (e *countingEnv) Aggregate(*AggCall) Value      { return Value{} }

func TestValue(t *testing.T) {
	require.True(t, Value{}.IsNull())
	require.True(t, Null().IsNull())
	require.True(t, Num(math.NaN()).IsNull())
	require.True(t, Num(math.Inf(1)).IsNull())
	require.Equal(t, "1.5", Num(1.5).Text())
	require.Equal(t, "0.33333333333333", Num(1.0/3).Text())
	require.Equal(t, "-1", Bool(true).Text())
	require.Equal(t, "0", Bool(false).Text())
	require.Equal(t, "", Null().Text())

	d := Dual(1, "Jan")
	require.True(t, d.HasNum())
	require.True(t, d.HasText())
	require.Equal(t, "Jan", d.Text())
	require.Equal(t, 1.0, d.Number())
	require.True(t, Dual(math.NaN(), "x").Identical(Str("x")))

	s := Str("12")
	require.False(t, s.HasNum())
	require.True(t, math.IsNaN(s.Number()))
	f, ok := s.AsNumber()
	require.True(t, ok)
	require.Equal(t, 12.0, f)

	for in, want := range map[string]float64{"1": 1, " -2.5 ": -2.5, "+.5": 0.5, "1e3": 1000, "5.": 5, "1E-2": 0.01} {
		got, ok := ParseNumber(in)
		require.True(t, ok, in)
		require.Equal(t, want, got, in)
	}
	for _, in := range []string{"", " ", "-", ".", "1e", "1e+", "abc", "1,5", "1 2", "0x10", "Inf", "NaN", "1e999"} {
		_, ok := ParseNumber(in)
		require.False(t, ok, in)
	}

	require.True(t, Num(1).Truthy())
	require.True(t, Num(-1).Truthy())
	require.False(t, Num(0).Truthy())
	require.False(t, Str("x").Truthy())
	require.True(t, Str("2").Truthy())
	require.False(t, Null().Truthy())

	require.Equal(t, "NULL", Null().String())
	require.Equal(t, "'a''b'", Str("a'b").String())
	require.Equal(t, "dual(1, 'Jan')", d.String())
}

func TestValueDualConversion(t *testing.T) {
	require.True(t, FromDual(symbols.Number(2)).Identical(Dual(2, "2")))
	require.True(t, FromDual(symbols.Text("a")).Identical(Str("a")))
	require.True(t, FromDual(symbols.NumText(1, "Jan")).Identical(Dual(1, "Jan")))
	require.Equal(t, symbols.Dual{Num: 2, Text: "2"}, Num(2).ToDual())
	require.Equal(t, symbols.Dual{Num: 1, Text: "Jan"}, Dual(1, "Jan").ToDual())
	td := Str("a").ToDual()
	require.False(t, td.IsNum())
	require.Equal(t, "a", td.Text)
	require.False(t, Null().ToDual().IsNum())
}

func TestCompare(t *testing.T) {
	tests := []struct {
		a, b Value
		want int
	}{
		{Num(1), Num(2), -1},
		{Num(2), Str("10"), -1},
		{Str("2"), Str("10"), -1},
		{Str("b"), Str("A"), 1},
		{Str("a"), Str("A"), -1}, // lower case first among equal letters
		{Dual(1, "Jan"), Dual(2, "Feb"), -1},
		{Dual(1, "Jan"), Num(1), 0},
		{Dual(1, "Jan"), Str("Jan"), 0},
		{Null(), Num(1), -1},
		{Null(), Null(), 0},
		{Num(1), Null(), 1},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, Compare(tc.a, tc.b), "%v vs %v", tc.a, tc.b)
		require.Equal(t, -tc.want, Compare(tc.b, tc.a), "%v vs %v", tc.b, tc.a)
	}
}

func TestWildcardMatch(t *testing.T) {
	tests := []struct {
		s, p string
		want bool
	}{
		{"", "", true},
		{"", "*", true},
		{"a", "", false},
		{"abc", "abc", true},
		{"ABC", "abc", true},
		{"abc", "a*", true},
		{"abc", "*c", true},
		{"abc", "*b*", true},
		{"abc", "a?c", true},
		{"ac", "a?c", false},
		{"abcbc", "a*bc", true},
		{"abcbd", "a*bc", false},
		{"January", "ja*", true},
		{"fex", "fe?", true},
		{"février", "FÉ*", true},
		{"日本語", "日?語", true},
		{"aaa", "a*a*a*a", false},
		{"mississippi", "m*iss*ppi", true},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, WildcardMatch(tc.s, tc.p), "%q like %q", tc.s, tc.p)
	}
}

func TestApplyMatchesEval(t *testing.T) {
	// The exported operator helpers are the evaluator's semantics.
	vals := []Value{Null(), Num(0), Num(2), Num(-1.5), Str("2"), Str("x"), Dual(1, "Jan"), Str("")}
	ops := []Op{OpAdd, OpSub, OpMul, OpDiv, OpConcat, OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike,
		OpPrecedes, OpFollows, OpAnd, OpOr, OpXor, OpBitAnd, OpBitOr, OpBitXor, OpShl, OpShr}
	for _, op := range ops {
		for _, x := range vals {
			for _, y := range vals {
				env := &testEnv{fields: map[string]Value{"x": x, "y": y}}
				n := &Binary{Op: op, X: &FieldRef{Name: Name{Text: "x"}}, Y: &FieldRef{Name: Name{Text: "y"}}}
				got := Eval(n, env)
				require.True(t, got.Identical(ApplyBinary(op, x, y)), "%v %v %v", x, op, y)
			}
		}
	}
}
