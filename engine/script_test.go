package engine

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

// TestScripts runs the selection scenarios in testdata/*.test. Each file
// loads a model from inline tables, applies selection commands and checks
// value states; the format is documented in testdata/README.md.
func TestScripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.test")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runScript(t, file) })
	}
}

type scriptRunner struct {
	t     *testing.T
	file  string
	line  int
	b     *Builder
	m     *Model
	s     *Session
	loose []string
}

func runScript(t *testing.T, file string) {
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	sr := &scriptRunner{t: t, file: file, b: NewBuilder(Options{})}
	sc := bufio.NewScanner(f)
	var tb *TableBuilder
	for sc.Scan() {
		sr.line++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if tb != nil {
			if line == "end" {
				tb = nil
				continue
			}
			var vals []any
			for _, v := range strings.Split(line, ",") {
				vals = append(vals, parseCell(strings.TrimSpace(v)))
			}
			require.NoError(t, tb.Append(vals...), sr.where())
			continue
		}
		fields := strings.Fields(line)
		if fields[0] == "table" {
			require.Nil(t, sr.m, "%s: tables must come before commands", sr.where())
			require.True(t, sc.Scan(), sr.where())
			sr.line++
			var names []string
			for _, n := range strings.Split(sc.Text(), ",") {
				names = append(names, strings.TrimSpace(n))
			}
			tb, err = sr.b.NewTable(fields[1], names...)
			require.NoError(t, err, sr.where())
			continue
		}
		if fields[0] == "loosen" {
			sr.b.Loosen(fields[1])
			continue
		}
		sr.command(line)
	}
	require.NoError(t, sc.Err())
}

func parseCell(s string) any {
	if s == "NULL" {
		return nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return symbols.NumText(f, s)
	}
	return s
}

func (sr *scriptRunner) where() string { return fmt.Sprintf("%s:%d", sr.file, sr.line) }

func (sr *scriptRunner) command(line string) {
	t := sr.t
	if sr.m == nil {
		m, err := sr.b.Build()
		require.NoError(t, err, sr.where())
		sr.m = m
		sr.s = NewSession(m, SessionOptions{})
	}
	want := ""
	if i := strings.Index(line, "->"); i >= 0 {
		want = strings.TrimSpace(line[i+2:])
		line = strings.TrimSpace(line[:i])
	}
	wantErr := false
	if strings.HasPrefix(line, "error ") {
		wantErr = true
		line = strings.TrimPrefix(line, "error ")
	}
	state := ""
	if strings.HasPrefix(line, "@") {
		sp := strings.IndexByte(line, ' ')
		state, line = line[1:sp], strings.TrimSpace(line[sp+1:])
	}
	args := strings.Fields(line)
	cmd, args := args[0], args[1:]
	arg := func(i int) string {
		require.Greater(t, len(args), i, "%s: missing argument", sr.where())
		return args[i]
	}
	s := sr.s
	var ok bool
	var err error
	switch cmd {
	case "select", "toggle":
		var vals []FieldValue
		for _, v := range args[1:] {
			if f, perr := strconv.ParseFloat(v, 64); perr == nil {
				vals = append(vals, FieldValue{IsNumeric: true, Number: f})
			} else {
				vals = append(vals, FieldValue{Text: v})
			}
		}
		ok, err = s.SelectValues(state, arg(0), vals, cmd == "toggle", false)
	case "search":
		ok, err = s.Select(state, arg(0), strings.Join(args[1:], " "), false, false)
	case "elems":
		var elems []int
		for _, v := range args[1:] {
			n, perr := strconv.Atoi(v)
			require.NoError(t, perr, sr.where())
			elems = append(elems, n)
		}
		ok, err = s.SelectElements(state, arg(0), elems, false, false)
	case "selectall":
		ok, err = s.SelectAll(state, arg(0), false)
	case "selectpossible":
		ok, err = s.SelectPossible(state, arg(0), false)
	case "selectexcluded":
		ok, err = s.SelectExcluded(state, arg(0), false)
	case "selectalternative":
		ok, err = s.SelectAlternative(state, arg(0), false)
	case "clear":
		ok, err = s.Clear(state, arg(0))
	case "clearallbutthis":
		ok, err = s.ClearAllButThis(state, arg(0), false)
	case "clearall":
		ok, err = true, s.ClearAll(state, len(args) > 0 && args[0] == "locked")
	case "lock":
		ok, err = s.Lock(state, arg(0))
	case "unlock":
		ok, err = s.Unlock(state, arg(0))
	case "lockall":
		ok, err = true, s.LockAll(state)
	case "unlockall":
		ok, err = true, s.UnlockAll(state)
	case "back":
		ok = s.Back()
	case "forward":
		ok = s.Forward()
	case "addstate":
		ok, err = true, s.AddState(arg(0))
	case "backcount":
		require.Equal(t, arg(0), strconv.Itoa(s.BackCount()), sr.where())
		return
	case "forwardcount":
		require.Equal(t, arg(0), strconv.Itoa(s.ForwardCount()), sr.where())
		return
	case "warning":
		require.True(t, slices.ContainsFunc(sr.m.Warnings(), func(w string) bool {
			return strings.Contains(w, strings.Join(args, " "))
		}), "%s: no warning containing %q in %q", sr.where(), strings.Join(args, " "), sr.m.Warnings())
		return
	case "fields":
		var names []string
		for _, f := range sr.m.Fields() {
			names = append(names, f.Name)
		}
		require.Equal(t, args, names, sr.where())
		return
	case "tablefields":
		name, list, _ := strings.Cut(strings.TrimPrefix(line, "tablefields "), ":")
		tbl, terr := sr.m.Table(name)
		require.NoError(t, terr, sr.where())
		var names, want []string
		for _, fi := range tbl.Fields {
			names = append(names, sr.m.Fields()[fi].Name)
		}
		for _, n := range strings.Split(list, ",") {
			want = append(want, strings.TrimSpace(n))
		}
		require.Equal(t, want, names, "%s: fields of table %s", sr.where(), name)
		return
	case "loose":
		tbl, terr := sr.m.Table(arg(0))
		require.NoError(t, terr, sr.where())
		require.True(t, tbl.Loose, "%s: table %s should be loosely coupled", sr.where(), arg(0))
		return
	case "states":
		sr.checkStates(state, strings.TrimSuffix(arg(0), ":"), args[1:])
		return
	case "counts":
		sr.checkCounts(state, strings.TrimSuffix(arg(0), ":"), args[1:])
		return
	default:
		t.Fatalf("%s: unknown command %q", sr.where(), cmd)
	}
	if wantErr {
		require.Error(t, err, sr.where())
		return
	}
	require.NoError(t, err, sr.where())
	if want != "" {
		require.Equal(t, want, strconv.FormatBool(ok), "%s: result of %s", sr.where(), line)
	} else {
		require.True(t, ok, "%s: %s returned false", sr.where(), line)
	}
}

// checkStates compares every value of a field: "value=STATE ...".
func (sr *scriptRunner) checkStates(state, field string, specs []string) {
	t := sr.t
	r, err := sr.s.Result(state)
	require.NoError(t, err, sr.where())
	f, err := sr.m.Field(field)
	require.NoError(t, err, sr.where())
	got := map[string]string{}
	for id, v := range r.FieldStates(f.Index) {
		got[f.Symbols.Text(uint32(id))] = v.String()
	}
	want := map[string]string{}
	for _, sp := range specs {
		k, v, ok := strings.Cut(sp, "=")
		require.True(t, ok, "%s: bad state spec %q", sr.where(), sp)
		want[k] = v
	}
	require.Equal(t, want, got, "%s: states of %s", sr.where(), field)
}

func (sr *scriptRunner) checkCounts(state, field string, specs []string) {
	t := sr.t
	r, err := sr.s.Result(state)
	require.NoError(t, err, sr.where())
	f, err := sr.m.Field(field)
	require.NoError(t, err, sr.where())
	var want StateCounts
	for _, sp := range specs {
		k, v, ok := strings.Cut(sp, "=")
		require.True(t, ok, sr.where())
		n, err := strconv.Atoi(v)
		require.NoError(t, err, sr.where())
		st, ok := ParseValueState(k)
		require.True(t, ok, "%s: unknown state %q", sr.where(), k)
		for range n {
			addCount(&want, st)
		}
	}
	require.Equal(t, want, r.Counts(f.Index), "%s: counts of %s", sr.where(), field)
}
