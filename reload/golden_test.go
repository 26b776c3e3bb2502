package reload

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the expected .tables files of testdata/scripts")

// TestScripts runs every testdata/scripts/*.qvs and compares the tables
// it builds (or the error it fails with) with NAME.tables. The format is
// described in testdata/README.md. Data files are read through the
// folder connection lib://data/ (testdata/data); lib://out/ is a fresh
// temporary directory for STORE.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/scripts/*.qvs")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".qvs")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			got := runGolden(t, string(src))
			want := strings.TrimSuffix(file, ".qvs") + ".tables"
			if *update {
				require.NoError(t, os.WriteFile(want, []byte(got), 0o644))
				return
			}
			exp, err := os.ReadFile(want)
			require.NoError(t, err, "missing golden file; run go test -run TestScripts -update and check it by hand")
			require.Equal(t, string(exp), got)
		})
	}
}

// testRequest is the request the golden scripts run with.
func testRequest(t *testing.T, src string) Request {
	t.Helper()
	data, err := filepath.Abs("testdata/data")
	require.NoError(t, err)
	out := t.TempDir()
	return Request{
		Script:      src,
		Connections: map[string]string{"data": data, "out": out},
		AllowDirs:   []string{data, out},
		BaseDir:     data,
		Now:         func() time.Time { return time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC) },
	}
}

func runGolden(t *testing.T, src string) string {
	t.Helper()
	res, err := Run(context.Background(), testRequest(t, src))
	var b strings.Builder
	if err != nil {
		var re *Error
		require.True(t, errors.As(err, &re), "error is not a *reload.Error: %v", err)
		fmt.Fprintf(&b, "error %d:%d: %s\n", re.Line, re.Col, re.Msg)
		return b.String()
	}
	for _, line := range strings.Split(src, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "//# vars:"); ok {
			for _, name := range strings.Split(v, ",") {
				name = strings.TrimSpace(name)
				if vv, ok := res.Variables[name]; ok {
					fmt.Fprintf(&b, "var %s = %s\n", name, formatVar(vv))
				} else {
					fmt.Fprintf(&b, "var %s unset\n", name)
				}
			}
		}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(&b, "warning %s\n", w)
	}
	dumpModel(&b, res.Model)
	return b.String()
}

func formatVar(v Variable) string {
	if v.HasNum() {
		return fmt.Sprintf("%q (%s)", v.Text, symbols.FormatNumber(v.Num))
	}
	return fmt.Sprintf("%q", v.Text)
}

// dumpModel writes the user tables of m: per table its fields and rows
// (all of them up to 40, else the first 20 and the last 5), then per field
// its tags and its first symbols in load order.
func dumpModel(b *strings.Builder, m *engine.Model) {
	fields := m.Fields()
	for _, t := range m.Tables() {
		if t.System {
			continue
		}
		var names []string
		for _, fi := range t.Fields {
			names = append(names, fields[fi].Name)
		}
		flags := ""
		if t.Loose {
			flags = " (loosely coupled)"
		}
		fmt.Fprintf(b, "\ntable %s: %d rows%s\n", t.Name, t.Rows, flags)
		fmt.Fprintf(b, "  %s\n", strings.Join(names, " | "))
		rows := make([]int, 0, t.Rows)
		if t.Rows <= 40 {
			for r := 0; r < t.Rows; r++ {
				rows = append(rows, r)
			}
		} else {
			for r := 0; r < 20; r++ {
				rows = append(rows, r)
			}
			rows = append(rows, -1)
			for r := t.Rows - 5; r < t.Rows; r++ {
				rows = append(rows, r)
			}
		}
		for _, r := range rows {
			if r < 0 {
				fmt.Fprintf(b, "  ...\n")
				continue
			}
			cells := make([]string, len(t.Fields))
			for i, fi := range t.Fields {
				code := t.Columns[i].Code(r)
				if code == 0 {
					cells[i] = "(null)"
					continue
				}
				cells[i] = formatCell(fields[fi].Symbols.Dual(code - 1))
			}
			fmt.Fprintf(b, "  %s\n", strings.Join(cells, " | "))
		}
	}
	b.WriteString("\n")
	for _, f := range fields {
		if f.System {
			continue
		}
		tags := append([]string(nil), f.Tags...)
		sort.Strings(tags)
		n := f.Symbols.Len()
		var syms []string
		for i := 0; i < n && i < 12; i++ {
			syms = append(syms, formatCell(f.Symbols.Dual(uint32(i))))
		}
		if n > 12 {
			syms = append(syms, "...")
		}
		fmt.Fprintf(b, "field %s: %d values [%s] %s\n", f.Name, n, strings.Join(tags, " "), strings.Join(syms, ", "))
	}
}

// formatCell renders a value: a number whose text is its default
// rendering as the text, a dual as text=number, a text that could be
// mistaken for anything else quoted.
func formatCell(d symbols.Dual) string {
	if r := []rune(d.Text); len(r) > 60 {
		d.Text = fmt.Sprintf("%s…(%d chars)", string(r[:48]), len(r))
	}
	if !math.IsNaN(d.Num) {
		if d.Text == symbols.FormatNumber(d.Num) {
			return d.Text
		}
		return fmt.Sprintf("%s=%s", quoteIfNeeded(d.Text, true), symbols.FormatNumber(d.Num))
	}
	return quoteIfNeeded(d.Text, false)
}

func quoteIfNeeded(s string, inDual bool) string {
	_, numErr := fmt.Sscanf(s, "%g", new(float64))
	if s == "" || s == "(null)" || s == "..." || strings.TrimSpace(s) != s || strings.ContainsAny(s, "|=,\"\n\r\t") ||
		(!inDual && numErr == nil) {
		return fmt.Sprintf("%q", s)
	}
	return s
}
