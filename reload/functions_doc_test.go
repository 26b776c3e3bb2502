package reload

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine/expr"
)

var updateFuncDocs = flag.Bool("update-docs", false, "rewrite docs/functions.md")

// TestFunctionsDoc keeps docs/functions.md, the catalogue of the
// expression functions, in step with the registry (which this package's
// import of the engine fills completely): run
// go test ./reload -run TestFunctionsDoc -update-docs after adding one.
func TestFunctionsDoc(t *testing.T) {
	want := functionsDoc()
	const file = "../docs/functions.md"
	if *updateFuncDocs {
		require.NoError(t, os.WriteFile(file, []byte(want), 0o644))
	}
	got, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, want, string(got), "docs/functions.md is stale: run go test ./reload -run TestFunctionsDoc -update-docs")
}

func functionsDoc() string {
	var b strings.Builder
	fs := expr.DefaultRegistry().Funcs()
	b.WriteString(`# Expression functions

The functions of the expression language, shared by chart expressions and
load scripts (one registry, ` + "`expr.DefaultRegistry()`" + `). Names are
case-insensitive. *Where* says whether a function works in charts, in load
scripts or both; *args* gives the accepted argument counts (Aggr's
dimensions not counted). Generated from the registry by
` + "`go test ./reload -run TestFunctionsDoc -update-docs`" + `; a test fails when
it is stale.

`)
	for _, kind := range []expr.Kind{expr.KindAggregation, expr.KindScalar, expr.KindContext} {
		title := map[expr.Kind]string{
			expr.KindAggregation: "Aggregations",
			expr.KindScalar:      "Scalar functions",
			expr.KindContext:     "Context functions (chart, app or script state)",
		}[kind]
		n := 0
		for _, f := range fs {
			if f.Kind == kind {
				n++
			}
		}
		fmt.Fprintf(&b, "## %s (%d)\n\n| function | args | where |\n|---|---|---|\n", title, n)
		for _, f := range fs {
			if f.Kind != kind {
				continue
			}
			args := fmt.Sprint(f.MinArgs)
			switch {
			case f.MaxArgs == expr.Variadic:
				args += "+"
			case f.MaxArgs != f.MinArgs:
				args += fmt.Sprintf("–%d", f.MaxArgs)
			}
			where := "chart, script"
			switch f.Where {
			case expr.InChart:
				where = "chart"
			case expr.InScript:
				where = "script"
			}
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.Name, args, where)
		}
		b.WriteString("\n")
	}
	return b.String()
}
