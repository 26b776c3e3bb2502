package engine

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/stretchr/testify/require"
)

type localeEnv struct {
	expr.NopEnv
	loc *numfmt.Locale
}

func (e localeEnv) Locale() *numfmt.Locale { return e.loc }

// TestFormattingFunctionsDocExamples runs the documented examples of the
// formatting, interpretation and date functions (engine/numfmt's
// testdata, from the Qlik script reference) through the shared function
// registry, as charts and scripts call them.
func TestFormattingFunctionsDocExamples(t *testing.T) {
	f, err := os.Open("numfmt/testdata/qlik-doc-examples.tsv")
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		r := strings.Split(line, "\t")
		require.Len(t, r, 4)
		loc := docLocale(t, r[0])
		node, err := expr.Parse(r[1])
		require.NoError(t, err, r[1])
		got := expr.Eval(node, localeEnv{loc: &loc})
		want := r[2]
		switch {
		case want == "NULL":
			require.True(t, got.IsNull() || !got.HasNum(), "%s: want NULL, got %v", r[1], got)
		case strings.HasPrefix(want, "="):
			w, err := strconv.ParseFloat(want[1:], 64)
			require.NoError(t, err)
			g, _ := got.AsNumber()
			require.InDelta(t, w, g, 1e-9*math.Max(1, math.Abs(w)), r[1])
		case strings.Contains(want, "|"):
			text, num, _ := strings.Cut(want, "|")
			w, _ := strconv.ParseFloat(num, 64)
			g, _ := got.AsNumber()
			require.Equal(t, text, got.Text(), r[1])
			require.Equal(t, w, g, r[1])
		case got.Text() == want:
		default:
			// date-valued results: compare the serial at the precision written
			w, ok, _ := numfmt.Interpret(want, &loc)
			require.True(t, ok && got.HasNum(), "%s: got %q, want %q", r[1], got.Text(), want)
			g, _ := got.AsNumber()
			if strings.Contains(want, ":") {
				require.Equal(t, math.Round(w*86400), math.Floor(g*86400+1e-6), r[1])
			} else {
				require.Equal(t, w, math.Floor(g), r[1])
			}
		}
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 400)
}

func docLocale(t *testing.T, spec string) numfmt.Locale {
	items := strings.Split(spec, "|")
	var loc numfmt.Locale
	switch items[0] {
	case "engine":
		loc = numfmt.EngineLocale()
	case "us":
		loc = numfmt.DefaultLocale()
	case "docs":
		loc = numfmt.EngineLocale()
		loc.DateFormat = "DD/MM/YYYY"
		loc.TimeFormat = "hh:mm:ss"
		loc.TimestampFormat = "DD/MM/YYYY hh:mm:ss"
	}
	vars := map[string]string{}
	for _, it := range items[1:] {
		k, v, _ := strings.Cut(it, "=")
		vars[k] = v
	}
	require.NoError(t, loc.Apply(vars))
	return loc
}
