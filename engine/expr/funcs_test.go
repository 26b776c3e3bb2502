package expr

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// parseLiteral reads the expected-value and binding notation of
// testdata/function-examples.tsv: NULL, a number, or a 'text'.
func parseLiteral(t *testing.T, s string) (v Value, decimals int) {
	t.Helper()
	s = strings.TrimSpace(s)
	switch {
	case s == "NULL":
		return Null(), 0
	case strings.HasPrefix(s, "'"):
		require.True(t, strings.HasSuffix(s, "'") && len(s) >= 2, "bad text literal %q", s)
		return Str(strings.ReplaceAll(s[1:len(s)-1], "''", "'")), 0
	}
	f, err := strconv.ParseFloat(s, 64)
	require.NoError(t, err, "bad number %q", s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		decimals = len(s) - i - 1
	}
	return Num(f), decimals
}

func TestFunctionExamples(t *testing.T) {
	f, err := os.Open("testdata/function-examples.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	header := true
	n := 0
	sections := map[string]bool{}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		if header {
			header = false
			continue
		}
		cols := strings.Split(line, "\t")
		require.Len(t, cols, 8, "line %q", line)
		src, section, exprText, bindings, want := cols[0], cols[2], cols[5], cols[6], cols[7]
		sections[strings.ToLower(section)] = true
		n++
		t.Run(src+"/"+exprText+"/"+bindings, func(t *testing.T) {
			env := &testEnv{fields: map[string]Value{}}
			for _, b := range strings.Split(bindings, ";") {
				if strings.TrimSpace(b) == "" {
					continue
				}
				name, lit, ok := strings.Cut(b, "=")
				require.True(t, ok, "bad binding %q", b)
				v, _ := parseLiteral(t, lit)
				env.fields[strings.TrimSpace(name)] = v
			}
			wantV, decimals := parseLiteral(t, want)
			got := Eval(mustParse(t, exprText), env)
			if !wantV.HasNum() {
				requireValue(t, wantV, got)
				return
			}
			f, ok := got.AsNumber()
			require.True(t, ok, "%s = %v, want %v", exprText, got, wantV)
			// Documented results are rounded or truncated to the decimals shown.
			tol := math.Max(1e-12, math.Pow(10, -float64(decimals)))
			require.InDelta(t, wantV.Number(), f, tol, "%s = %v", exprText, got)
		})
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 150)
	require.Greater(t, len(sections), 50)
}

func TestScalarFunctions(t *testing.T) {
	env := &testEnv{fields: map[string]Value{
		"Jan": Dual(1, "Jan"), "Empty": Str(""), "Age": Num(23),
	}}
	runEval(t, env, []evalCase{
		// Conditional.
		{"If(1 > 0, 'y', 'n')", Str("y")},
		{"If('abc', 'y', 'n')", Str("n")},
		{"Alt(N, 'x', 3, 4)", Num(3)},
		{"Alt(N, 'x')", Str("x")},
		{"Alt('12', 0)", Str("12")},
		{"Pick(1, 'a', 'b')", Str("a")},
		{"Pick(3, 'a', 'b')", Null()},
		{"Pick(0, 'a', 'b')", Null()},
		{"Pick(1.5, 'a', 'b')", Null()},
		{"Pick('2', 'a', 'b')", Str("b")},
		{"Match('b', 'a', 'b', 'b')", Num(2)},
		{"Match(N, 'a')", Null()},
		{"Match('a', N, 'a')", Num(2)},
		{"Match(2, 1, 2)", Num(2)},
		{"Match(Jan, 1, 'Jan')", Num(2)},
		{"MixMatch('ABC', 'x', 'abc')", Num(2)},
		{"WildMatch('Sweden', 'sw*')", Num(1)},
		{"WildMatch('Sweden', 's?', 'd*')", Num(0)},
		{"Class(Age, 10)", Dual(20, "20 <= x < 30")},
		{"Class(Age, 5, 'value')", Dual(20, "20 <= value < 25")},
		{"Class(Age, 10, 'x', 5)", Dual(15, "15 <= x < 25")},
		{"Class(-3, 10)", Dual(-10, "-10 <= x < 0")},
		{"Class(0.35, 0.1)", Dual(0.3, "0.3 <= x < 0.4")},
		{"Class(Age, 0)", Null()},
		{"Class(N, 10)", Null()},
		{"Dual('Q1', 1)", Dual(1, "Q1")},
		{"Dual('Q1', 'x')", Str("Q1")},
		{"Dual('Q' & Ceil(5/3), Ceil(5/3))", Dual(2, "Q2")},
		{"Dual(N, 1)", Null()},
		// The IsNum/IsText table of the logical-functions reference.
		{"IsNum(23)", vTrue},
		{"IsText(23)", vFalse},
		{"IsNum('Green')", vFalse},
		{"IsText('Green')", vTrue},
		{"IsNum('33Red')", vFalse},
		{"IsText('33Red')", vTrue},
		{"IsNum('12')", vTrue},
		{"IsNum('12a')", vFalse},
		{"IsNum(Jan)", vTrue},
		{"IsText('12a')", vTrue},
		{"IsText(12)", vFalse},
		{"IsText(Jan)", vFalse},
		{"EmptyIsNull(Empty)", Null()},
		{"EmptyIsNull('a')", Str("a")},
		{"EmptyIsNull(0)", Num(0)},
		{"Null()", Null()},
		{"True()", Dual(-1, "True")},
		{"False()", Dual(0, "False")},
		{"If(True(), 1, 2)", Num(1)},

		// Strings.
		{"Upper('straße')", Str("STRAßE")},
		{"Lower('ÄBC')", Str("äbc")},
		{"Capitalize('élan vital')", Str("Élan Vital")},
		{"Upper(N)", Null()},
		{"Upper(12)", Str("12")},
		{"Len('héllo')", Num(5)},
		{"Len('')", Num(0)},
		{"Len(N)", Null()},
		{"Len(1.50)", Num(3)},
		{"Left('héllo', 2)", Str("hé")},
		{"Left('abc', 0)", Str("")},
		{"Left('abc', -1)", Str("")},
		{"Left('abc', 10)", Str("abc")},
		{"Left('abc', N)", Null()},
		{"Left(12345, 2)", Str("12")},
		{"Right('héllo', 4)", Str("éllo")},
		{"Right('abc', 10)", Str("abc")},
		{"Right('abc', 0)", Str("")},
		{"Mid('héllo', 2, 3)", Str("éll")},
		{"Mid('abc', 0, 2)", Str("a")},
		{"Mid('abc', 5)", Str("")},
		{"Mid('abc', 2, 0)", Str("")},
		{"Mid('abc', -1)", Str("abc")},
		{"Index('abc', 'x')", Num(0)},
		{"Index('aaa', 'aa', 2)", Num(2)},
		{"Index('abcabc', 'c', -1)", Num(6)},
		{"Index('abcabc', 'c', 3)", Num(0)},
		{"Index('héllo', 'l')", Num(3)},
		{"Index('abc', '')", Num(0)},
		{"SubField('abc;cde;efg', ';', 2)", Str("cde")},
		{"SubField(N, ';', 1)", Str("")},
		{"SubField(';', ';', 1)", Str("")},
		{"SubField('\\Users\\ext_jrb\\Documents\\Qlik\\Sense\\Apps;', '\\', -3)", Str("Qlik")},
		{"SubField('a;b', ';', 3)", Null()},
		{"SubField('a;b', ';', -3)", Null()},
		{"SubField('a;b', ';', 0)", Null()},
		{"SubField('a;b', ';')", Str("a")},
		{"SubField('a::b::c', '::', -1)", Str("c")},
		{"SubField('abc', '', 1)", Str("abc")},
		{"Replace('aaa', 'a', 'bb')", Str("bbbbbb")},
		{"Replace('abc', '', 'x')", Str("abc")},
		{"Trim('  a b  ')", Str("a b")},
		{"Trim('\ta\t')", Str("\ta\t")},
		{"Repeat('ab', 3)", Str("ababab")},
		{"Repeat('ab')", Str("ab")},
		{"Repeat('ab', 0)", Str("")},
		{"Repeat('ab', 1e12)", Null()},
		{"Chr(8364)", Str("€")},
		{"Chr(-1)", Null()},
		{"Chr(55296)", Null()},
		{"Ord('€uro')", Num(8364)},
		{"Ord('')", Null()},
		{"KeepChar('a1é2', 'é12')", Str("1é2")},
		{"PurgeChar('a1é2', 'é')", Str("a12")},
		{"TextBetween('<a>', '[', ']')", Null()},
		{"TextBetween('<a', '<', '>')", Null()},
		{"TextBetween('x=1;y=2;', '=', ';', 2)", Str("2")},
		{"TextBetween('x=1;', '=', ';', 0)", Null()},
		{"FindOneOf('abc', 'xyz')", Num(0)},
		{"FindOneOf('héllo', 'lo', 2)", Num(4)},
		{"SubStringCount('aaaa', 'aa')", Num(2)},
		{"SubStringCount('abc', '')", Num(0)},

		// Numbers.
		{"Round(-2.5)", Num(-2)},
		{"Round(0.25, 0.1)", Num(0.3)},
		{"Round(1234.5678, 0.01)", Num(1234.57)},
		{"Round(7, 5, 1)", Num(6)},
		{"Round(1, 0)", Null()},
		{"Floor(0.3, 0.1)", Num(0.3)},
		{"Floor(-2.5)", Num(-3)},
		{"Ceil(0.3, 0.1)", Num(0.3)},
		{"Ceil(-2.5)", Num(-2)},
		{"Ceil('x')", Null()},
		{"Fmod(5, 0)", Null()},
		{"Div(1, 0)", Null()},
		{"Mod(5, 0)", Null()},
		{"Sign('x')", Null()},
		{"Sqrt(16)", Num(4)},
		{"Sqrt(-1)", Null()},
		{"Exp(0)", Num(1)},
		{"Exp(1000)", Null()},
		{"Log(E())", Num(1)},
		{"Log(0)", Null()},
		{"Log10(1000)", Num(3)},
		{"Log10(-1)", Null()},
		{"Pow(2, 10)", Num(1024)},
		{"Pow(-8, 1/3)", Null()},
		{"Pi()", Num(math.Pi)},
		{"Sqr(3)", Num(9)},
		{"ATan2(1, 1)", Num(math.Pi / 4)},
		{"Cos(0)", Num(1)},
		{"BitCount(255)", Num(8)},
		{"BitCount(3.7)", Num(2)},
		{"Even(0)", vTrue},
		{"Odd(-3)", vTrue},
		{"Fact(0)", Num(1)},
		{"Fact(171)", Null()},
		{"Combin(5, 6)", Null()},
		{"Combin(10, 0)", Num(1)},
		{"Permut(5, 5)", Num(120)},

		// Ranges.
		{"RangeSum('2', 3)", Num(5)},
		{"RangeSum(N, 'x')", Num(0)},
		{"RangeAvg(N)", Null()},
		{"RangeMin(3, -1, 'x', N)", Num(-1)},
		{"RangeMax(N, 'x')", Null()},
		{"RangeCount(N, '', 0)", Num(2)},
		{"RangeMissingCount(1, 'a', N)", Num(2)},
		{"RangeNullCount(N, '')", Num(1)},
		{"RangeTextCount('', 'a', 1)", Num(2)},
		{"RangeOnly(N, N)", Null()},
		{"RangeOnly(Jan, 1)", Dual(1, "Jan")},
		{"RangeOnly('a', 'A')", Null()},
		{"RangeMode(1, 'a', 'a', 1, 1)", Num(1)},
		{"RangeMode('x')", Str("x")},
		{"RangeStdev(5)", Null()},
		{"RangeSkew(1, 1, 1)", Null()},
		{"RangeKurtosis(1, 2, 3)", Null()},
		{"RangeFractile(1, 3, 1, 2)", Num(3)},
		{"RangeFractile(0, 3, 1, 2)", Num(1)},
		{"RangeFractile(0.5, 'x')", Null()},
		{"RangeFractile(2, 1, 2)", Null()},
	})
}

func TestFractile(t *testing.T) {
	require.True(t, math.IsNaN(Fractile(nil, 0.5)))
	require.Equal(t, 2.5, Fractile([]float64{4, 1, 3, 2}, 0.5))
	require.Equal(t, 7.0, Fractile([]float64{7}, 0.3))
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	require.NoError(t, r.Register(Func{Name: "Twice", MinArgs: 1, MaxArgs: 1, Kind: KindScalar,
		Eval: func(_ Env, a []Value) Value { return ApplyBinary(OpMul, a[0], Num(2)) }}))
	require.NoError(t, r.Register(Func{Name: "Num#", MinArgs: 1, MaxArgs: 2, Kind: KindScalar,
		Eval: func(_ Env, a []Value) Value { return a[0] }}))
	require.NoError(t, r.Register(Func{Name: "Peek", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InScript}))
	require.NoError(t, r.Register(Func{Name: "MySum", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation}))

	require.ErrorContains(t, r.Register(Func{Name: "twice", MinArgs: 1, MaxArgs: 1, Kind: KindScalar,
		Eval: func(Env, []Value) Value { return Value{} }}), "already registered")
	for _, bad := range []Func{
		{Name: "", Kind: KindScalar},
		{Name: "1x", Kind: KindContext},
		{Name: "Not", Kind: KindContext},
		{Name: "A", MinArgs: 2, MaxArgs: 1, Kind: KindContext},
		{Name: "B", Kind: KindScalar},
		{Name: "C", Kind: KindAggregation, Eval: func(Env, []Value) Value { return Value{} }},
		{Name: "D"},
		{Name: "E2", Kind: KindContext, Where: 8},
	} {
		require.Error(t, r.Register(bad), "%+v", bad)
	}
	require.Equal(t, "Twice", r.Lookup("TWICE").Name)
	require.Nil(t, r.Lookup("Sum"))
	require.Len(t, r.Funcs(), 4)
	require.Equal(t, "MySum", r.Funcs()[0].Name)

	n, err := ParseWith("twice(Num#('21'))", Options{Registry: r})
	require.NoError(t, err)
	require.Equal(t, 42.0, Eval(n, nil).Number())
	n, err = ParseWith("MySum(x) + Peek('x')", Options{Registry: r, Context: InScript})
	require.NoError(t, err)
	require.IsType(t, &AggCall{}, n.(*Binary).X)
	require.IsType(t, &Call{}, n.(*Binary).Y)
	_, err = ParseWith("Peek('x')", Options{Registry: r})
	require.ErrorContains(t, err, "function Peek cannot be used in chart expressions")
	_, err = ParseWith("Sum(x)", Options{Registry: r})
	require.ErrorContains(t, err, "unknown function Sum")
}

func TestDefaultRegistry(t *testing.T) {
	// Every function the task requires is known, with the right kind.
	scalar := strings.Fields(`If Alt Match MixMatch WildMatch Pick Class Dual Upper Lower Capitalize Len
		Left Right Mid Index SubField Replace Trim LTrim RTrim Repeat Chr Ord KeepChar PurgeChar TextBetween
		FindOneOf SubStringCount Round Floor Ceil Fabs Fmod Sign Sqrt Exp Log Log10 Pow Mod Div Even Odd Frac
		RangeSum RangeAvg RangeMin RangeMax RangeCount RangeMissingCount RangeNullCount RangeNumericCount
		RangeTextCount RangeOnly IsNull IsNum IsText Null True False Pi E BitCount`)
	agg := strings.Fields(`Sum Count Avg Min Max Only MinString MaxString Concat Median Fractile Stdev Mode
		FirstSortedValue NullCount MissingCount NumericCount TextCount Aggr`)
	ctx := strings.Fields(`Rank RowNo Above Below Dimensionality GetSelectedCount GetFieldSelections GetPossibleCount`)
	for kind, names := range map[Kind][]string{KindScalar: scalar, KindAggregation: agg, KindContext: ctx} {
		for _, name := range names {
			f := Lookup(strings.ToUpper(name))
			require.NotNil(t, f, name)
			require.Equal(t, kind, f.Kind, name)
			require.Equal(t, name, f.Name)
		}
	}
	require.Same(t, DefaultRegistry().Lookup("sum"), Lookup("SUM"))
	// Not implemented here: formatting belongs to engine/numfmt.
	for _, name := range []string{"Num", "Date", "Text", "Year", "Today"} {
		require.Nil(t, Lookup(name), name)
	}
}

func TestLazyFuncsStrictForm(t *testing.T) {
	// If, Pick and Alt also work over evaluated arguments (Func.Eval), with
	// the same results as the lazy evaluator.
	for _, src := range []string{
		"If(1, 'a', 'b')", "If(0, 'a', 'b')", "If(0, 'a')", "If(Null(), 1, 2)",
		"Pick(2, 'a', 'b')", "Pick(3, 'a', 'b')", "Pick('x', 1)",
		"Alt(Null(), 'x', 2)", "Alt('x', 'y')", "Alt(5)",
	} {
		c := mustParse(t, src).(*Call)
		args := make([]Value, len(c.Args))
		for i, a := range c.Args {
			args[i] = Eval(a, nil)
		}
		require.True(t, c.Func.Eval(NopEnv{}, args).Identical(Eval(c, nil)), src)
	}
}

func TestSubFields(t *testing.T) {
	require.Equal(t, []string{"a", "b", ""}, SubFields("a;b;", ";"))
	require.Equal(t, []string{"abc"}, SubFields("abc", ""))
	require.Equal(t, []string{""}, SubFields("", ","))
}

func TestErrorListUnwrap(t *testing.T) {
	_, err := Parse("Foo(1) + Bar(2)")
	var e *Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, "unknown function Foo", e.Msg)
	require.Equal(t, 1, e.Line)
	require.Equal(t, 1, e.Col)
	require.Nil(t, ErrorList(nil).Err())
	require.Equal(t, "no errors", ErrorList(nil).Error())
	require.Equal(t, "scalar", KindScalar.String())
	require.Equal(t, "context", KindContext.String())
}
