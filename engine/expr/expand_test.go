package expr

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// expandEnv builds an ExpandEnv over text variables, evaluating $(=...) with
// Parse and Eval and answering includes from a map.
func expandEnv(vars map[string]Value, files map[string]string) ExpandEnv {
	return ExpandEnv{
		Variable: func(name string) (Value, bool) {
			v, ok := vars[name]
			return v, ok
		},
		Evaluate: func(src string) (Value, error) {
			n, err := Parse(src)
			if err != nil {
				return Value{}, err
			}
			return Eval(n, nil), nil
		},
		Include: func(path string, must bool) (string, error) {
			s, ok := files[path]
			if !ok && must {
				return "", fmt.Errorf("file %s not found", path)
			}
			return s, nil
		},
	}
}

func TestExpand(t *testing.T) {
	vars := map[string]Value{
		"v":       Str("Sales"),
		"vYear":   Str("2021"),
		"MUL":     Str("$1*$2"),
		"ARGS":    Str("$0:$1:$2:$3"),
		"x":       Num(3.5),
		"xText":   Str("3.5"),
		"dual":    Dual(0.25, "25%"),
		"word":    Str("abc"),
		"field1":  Str("Amount"),
		"i":       Str("1"),
		"nested":  Str("$(v)"),
		"deep":    Str("$(nested)+$(nested)"),
		"F":       Str("Sum($1)"),
		"paren":   Str("("),
		"dollar":  Str("$"),
		"Big":     Num(1e22),
		"Tiny":    Num(1.5e-9),
		"third":   Num(1.0 / 3),
		"sp ace":  Str("ok"),
		"Sales":   Str("not a var in quotes"),
		"vPrefix": Str("vYe"),
	}
	files := map[string]string{"common.qvs": "LET a = $(vYear);"}
	env := expandEnv(vars, files)
	tests := []struct{ src, want string }{
		{"Sum(Sales)", "Sum(Sales)"},
		{"Sum($(v))", "Sum(Sales)"},
		{"$(v)$(v)", "SalesSales"},
		{"'$(v)'", "'Sales'"}, // quotes do not protect
		{"Sum({<Year={$(vYear)}>} $(v))", "Sum({<Year={2021}>} Sales)"},
		{"$(unknown)", ""},
		{"a$(unknown)b", "ab"},
		{"$(MUL(3,7))", "3*7"},
		{"$(MUL(3, 7))", "3* 7"},
		{"$(MUL(3))", "3*$2"},    // missing parameter left as is
		{"$(MUL(3,7,9))", "3*7"}, // extra parameters ignored
		{"$(ARGS(a,b))", "2:a:b:$3"},
		{"$(ARGS())", "0:$1:$2:$3"},
		{"$(ARGS((1,2),3))", "2:(1,2):3:$3"},
		{"$(MUL)", "$1*$2"}, // no list: no substitution
		{"$(F(Amount))", "Sum(Amount)"},
		{"$(#x)", "3.5"},
		{"$(#xText)", "3.5"},
		{"$(#dual)", "0.25"},
		{"$(dual)", "25%"},
		{"$(#word)", "0"},
		{"$(#unknown)", "0"},
		{"$(#Big)", "1e+22"},
		{"$(#Tiny)", "1.5e-09"},
		{"$(#third)", "0.3333333333333333"},
		{"$(=1+2)", "3"},
		{"$(=Upper('$(word)'))", "ABC"},
		{"$(=Unknown)", ""},
		{"$(=Upper(')'))", ")"},    // the quote-aware scan keeps ')' inside the string
		{"$(field$(i))", "Amount"}, // inner expansion first
		{"$(nested)", "Sales"},     // the result is expanded again
		{"$(deep)", "Sales+Sales"},
		{"$($(vPrefix)ar)", "2021"},
		{"$(dollar)(v)", "Sales"}, // "$" + "(v)" forms a new expansion
		{"$(paren)", "("},
		{"$( v )", "Sales"},
		{"$(sp ace)", "ok"},
		{"$(include=common.qvs)", "LET a = 2021;"},
		{"$(Include = common.qvs)", "LET a = 2021;"},
		{"$(include=missing.qvs)", ""},
		{"no dollar ( here", "no dollar ( here"},
		{"$ (v)", "$ (v)"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			got, err := Expand(tc.src, env)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestExpandErrors(t *testing.T) {
	vars := map[string]Value{
		"self":  Str("$(self)"),
		"a":     Str("$(b)"),
		"b":     Str("x$(a)"),
		"grow":  Str("$(grow)$(grow)"),
		"open":  Str("$(v"),
		"big":   Str(strings.Repeat("x", 1000)),
		"twice": Str("$(big)$(big)$(big)$(big)"),
	}
	env := expandEnv(vars, nil)
	for _, src := range []string{"$(self)", "$(a)", "$(grow)"} {
		_, err := Expand(src, env)
		require.ErrorIs(t, err, ErrExpansionLimit, src)
		require.ErrorContains(t, err, "more than 1000 expansions", src)
	}

	_, err := Expand(strings.Repeat("$(", 200)+"v"+strings.Repeat(")", 200), env)
	require.ErrorIs(t, err, ErrExpansionLimit)
	require.ErrorContains(t, err, "nested levels")

	small := env
	small.MaxLength = 3000
	_, err = Expand("$(twice)", small)
	require.ErrorIs(t, err, ErrExpansionLimit)
	require.ErrorContains(t, err, "longer than 3000 bytes")

	limited := env
	limited.MaxExpansions = 2
	_, err = Expand("$(big)$(big)$(big)", limited)
	require.ErrorContains(t, err, "more than 2 expansions")

	_, err = Expand("Sum($(v", env)
	require.ErrorContains(t, err, `cannot expand "$(v": missing ')'`)
	_, err = Expand("$(open)", env)
	require.ErrorContains(t, err, "missing ')'")

	_, err = Expand("$(=1 +)", env)
	require.ErrorContains(t, err, "cannot expand $(=1 +): cannot parse expression")
	_, err = Expand("$(must_include=nope.qvs)", env)
	require.ErrorContains(t, err, "file nope.qvs not found")

	// The zero ExpandEnv: variables are empty, = and include are errors.
	got, err := Expand("a$(v)b", ExpandEnv{})
	require.NoError(t, err)
	require.Equal(t, "ab", got)
	_, err = Expand("$(=1)", ExpandEnv{})
	require.ErrorContains(t, err, "expression expansion is not available")
	_, err = Expand("$(include=x)", ExpandEnv{})
	require.ErrorContains(t, err, "include is not available")

	failing := ExpandEnv{Evaluate: func(string) (Value, error) { return Value{}, errors.New("boom") }}
	_, err = Expand("$(=x)", failing)
	require.ErrorContains(t, err, "boom")
}

func TestExpandThenParse(t *testing.T) {
	// The §4.2 example: SET MUL='$1*$2'; LET X=$(MUL(3,7)) gives 21.
	env := expandEnv(map[string]Value{"MUL": Str("$1*$2")}, nil)
	src, err := Expand("$(MUL(3,7))", env)
	require.NoError(t, err)
	require.Equal(t, "3*7", src)
	require.Equal(t, 21.0, Eval(mustParse(t, src), nil).Number())
}
