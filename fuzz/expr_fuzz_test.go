package fuzz

import (
	"bufio"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/assocengine/assoc/engine/expr"
)

// maxExprInput bounds fuzz inputs: longer ones only slow the fuzzer down.
const maxExprInput = 10 << 10

// exprSeeds returns the parser corpus of engine/expr plus malformed inputs.
func exprSeeds(f *testing.F) []string {
	f.Helper()
	file, err := os.Open("../engine/expr/testdata/parse.txt")
	if err != nil {
		f.Fatalf("cannot open the expression corpus: %v", err)
	}
	defer file.Close()
	var seeds []string
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) != "" && !strings.HasPrefix(line, "#") {
			seeds = append(seeds, line)
		}
	}
	if err := sc.Err(); err != nil {
		f.Fatalf("cannot read the expression corpus: %v", err)
	}
	return append(seeds,
		"", "=", "(", "Sum(", "Sum({", "Sum({<A={", "'x", "[x", "/*", "1 +", "Foo(1) + Bar(",
		"Sum(Sum(x))", "If(Foo(1), Bar(2), Sum(Sum(x)))", "Aggr(Sum(x), (A, (=", "{<A={1}>}",
		"$(v)", "$(=Sum(x))", "$(v(1,2))", "\xff", "a\x00b",
	)
}

// FuzzExprParse checks that parsing never panics and that a successful
// parse prints to text that parses back to an equal tree, stably.
func FuzzExprParse(f *testing.F) {
	for _, s := range exprSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > maxExprInput {
			t.Skip()
		}
		n, err := expr.Parse(src)
		if err != nil {
			var list expr.ErrorList
			if !errors.As(err, &list) || len(list) == 0 || len(list) > expr.MaxErrors {
				t.Fatalf("Parse(%q) returned a malformed error: %v", src, err)
			}
			if n != nil {
				t.Fatalf("Parse(%q) returned a tree with an error", src)
			}
			return
		}
		printed := expr.String(n)
		n2, err := expr.Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q) ok but its print %q does not parse: %v", src, printed, err)
		}
		if !expr.Equal(n, n2) {
			t.Fatalf("Parse(%q) printed as %q parses to a different tree", src, printed)
		}
		if again := expr.String(n2); again != printed {
			t.Fatalf("printing is not stable for %q: %q then %q", src, printed, again)
		}
		// Evaluation without data must not panic either.
		_ = expr.Eval(n, nil)
	})
}

// FuzzExprExpand checks that dollar-sign expansion never panics or loops,
// even with self-referencing variables.
func FuzzExprExpand(f *testing.F) {
	for _, s := range []string{
		"$(v)", "$(#v)", "$(f(1,2))", "$(=1+1)", "$(include=x.qvs)", "$(v$(i))", "$(", "$(self)",
		"'$(v)'", "$($($(v)))", "$(f(a,(b,c)))", "$(=Concat(x, ')'))",
	} {
		f.Add(s)
	}
	vars := map[string]string{
		"v": "x", "i": "1", "v1": "$(v)", "self": "$(self)", "f": "$1+$2+$0", "n": "3.5",
		"double": "$(self)$(self)",
	}
	env := expr.ExpandEnv{
		Variable: func(name string) (expr.Value, bool) {
			s, ok := vars[name]
			return expr.Str(s), ok
		},
		Evaluate: func(src string) (expr.Value, error) {
			n, err := expr.Parse(src)
			if err != nil {
				return expr.Value{}, err
			}
			return expr.Eval(n, nil), nil
		},
		Include: func(path string, must bool) (string, error) {
			return "include " + path, nil
		},
		MaxLength: 1 << 20,
	}
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > maxExprInput {
			t.Skip()
		}
		out, err := expr.Expand(src, env)
		if err == nil && strings.Contains(out, "$(") {
			t.Fatalf("Expand(%q) succeeded but left a $( in %q", src, out)
		}
	})
}
