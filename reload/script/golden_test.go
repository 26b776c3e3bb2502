package script

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// realScripts returns the scripts under testdata/scripts by base name.
func realScripts(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob("testdata/scripts/*.qvs")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := make(map[string]string, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		out[strings.TrimSuffix(filepath.Base(f), ".qvs")] = string(b)
	}
	return out
}

// TestGolden parses every real script, prints it, compares the output with
// its golden file and checks that the output parses back to an equal tree
// and prints the same again.
func TestGolden(t *testing.T) {
	for name, src := range realScripts(t) {
		t.Run(name, func(t *testing.T) {
			s, err := Parse(src)
			require.NoError(t, err)
			got := Format(s)
			golden := filepath.Join("testdata", "golden", name+".golden")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "missing golden file: run go test -run TestGolden -update")
			require.Equal(t, string(want), got)

			again, err := Parse(got)
			require.NoError(t, err, "printed script does not parse:\n%s", got)
			require.True(t, Equal(s, again), "printed script parses to a different tree:\n%s", got)
			require.Equal(t, got, Format(again), "printing is not idempotent")

			checkSpans(t, src, 0, s.Stmts)
			checkReparse(t, s.Stmts)
		})
	}
}

// checkSpans checks that every offset in the tree points at the text it
// claims: StmtInfo.Text is src[Pos:End], Expr.Src starts at Expr.Pos and
// Name.Pos points at the name or its opening quote.
func checkSpans(t *testing.T, src string, base int, v any) {
	t.Helper()
	walk(reflect.ValueOf(v), func(x reflect.Value) {
		switch n := x.Interface().(type) {
		case StmtInfo:
			require.Equal(t, n.Text, src[n.Pos-base:n.End-base], "statement text at %d", n.Pos)
		case Expr:
			require.Equal(t, n.Src, src[n.Pos-base:n.Pos-base+len(n.Src)], "expression at %d", n.Pos)
		case Name:
			at := src[n.Pos-base:]
			if n.Quote == 0 {
				require.True(t, strings.HasPrefix(at, n.Text), "name %q at %d: %q", n.Text, n.Pos, at)
			} else {
				require.Equal(t, n.Quote, at[0], "name %q at %d", n.Text, n.Pos)
			}
		case Inline:
			require.Equal(t, n.Data, src[n.Pos-base:n.Pos-base+len(n.Data)])
		}
	})
}

// walk calls f for every struct value reachable from v.
func walk(v reflect.Value, f func(reflect.Value)) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), f)
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), f)
		}
	case reflect.Struct:
		f(v)
		for i := 0; i < v.NumField(); i++ {
			walk(v.Field(i), f)
		}
	}
}

// checkReparse re-parses every statement from its raw text and offset, as
// the interpreter does after expansion, and expects the very same node
// (offsets included); blocks come back with their opening clause only.
func checkReparse(t *testing.T, stmts []Stmt) {
	t.Helper()
	for _, st := range stmts {
		info := st.Info()
		got, err := ParseStatement(info.Text, info.Pos)
		if _, ok := st.(*Tab); ok {
			require.NoError(t, err)
			require.Nil(t, got, "a tab marker is a comment for ParseStatement")
			continue
		}
		require.NoError(t, err, "statement %q", info.Text)
		require.Equal(t, headerOnly(st), got, "statement %q", info.Text)
		switch b := st.(type) {
		case *If:
			checkReparse(t, b.Then)
			for _, e := range b.ElseIfs {
				checkReparse(t, e.Body)
			}
			if b.Else != nil {
				checkReparse(t, b.Else.Body)
			}
		case *For:
			checkReparse(t, b.Body)
		case *ForEach:
			checkReparse(t, b.Body)
		case *Do:
			checkReparse(t, b.Body)
		case *Sub:
			checkReparse(t, b.Body)
		case *Switch:
			for _, c := range b.Cases {
				checkReparse(t, c.Body)
			}
			if b.Default != nil {
				checkReparse(t, b.Default.Body)
			}
		}
	}
}

// headerOnly returns a copy of a block statement without its body and
// later clauses, as ParseStatement returns it.
func headerOnly(st Stmt) Stmt {
	switch b := st.(type) {
	case *If:
		return &If{StmtInfo: b.StmtInfo, Cond: b.Cond}
	case *For:
		c := *b
		c.Body, c.Next = nil, nil
		return &c
	case *ForEach:
		c := *b
		c.Body, c.Next = nil, nil
		return &c
	case *Do:
		return &Do{StmtInfo: b.StmtInfo, Pre: b.Pre}
	case *Sub:
		c := *b
		c.Body = nil
		return &c
	case *Switch:
		return &Switch{StmtInfo: b.StmtInfo, Expr: b.Expr}
	}
	return st
}
