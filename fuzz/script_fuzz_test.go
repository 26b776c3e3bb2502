package fuzz

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/assocengine/assoc/reload/script"
)

// FuzzScriptParse checks that the load-script parser never panics, that a
// script it accepts prints (Format) to text that parses back to an equal
// tree and prints the same again, and that every top-level statement
// re-parses from its raw text and offset to the same node, as the
// interpreter re-parses statements after dollar-sign expansion.
func FuzzScriptParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "reload", "script", "testdata", "scripts", "*.qvs"))
	if err != nil {
		f.Fatal(err)
	}
	if len(files) == 0 {
		f.Fatal("no seed scripts found under reload/script/testdata/scripts")
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b))
		// Each statement alone too: small inputs mutate into new valid
		// statements far more often than whole scripts do.
		if s, err := script.Parse(string(b)); err == nil {
			for _, st := range s.Stmts {
				f.Add(st.Info().Text)
			}
		}
	}
	for _, s := range []string{
		"LOAD * FROM [$(v)] ($(fmt)); $(include=x.qvs);",
		"IF a THEN LET b = 1; ELSE LET b = 2; END IF",
		"FOR EACH v IN 'a', f(1, 2)\nNEXT v",
		"SET x = 'a;b' // c\n;LET y = [x]]y] & \"q\"\"r\" & `s`;",
		"T: WHEN Left(a, 1) = 'x' CONCATENATE (T) LOAD @1 AS a INLINE \"x\ny\" (txt, delimiter is '\\t', header is 1 lines);",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := script.Parse(src)
		if s == nil {
			t.Fatalf("Parse returned a nil script (error %v)", err)
		}
		if err != nil {
			if _, ok := err.(script.ErrorList); !ok {
				t.Fatalf("Parse error is %T, not an ErrorList", err)
			}
			return
		}
		out := script.Format(s)
		again, err := script.Parse(out)
		if err != nil {
			t.Fatalf("printed script does not parse: %v\nsource:\n%q\nprinted:\n%q", err, src, out)
		}
		if !script.Equal(s, again) {
			t.Fatalf("printed script parses to a different tree\nsource:\n%q\nprinted:\n%q", src, out)
		}
		if out2 := script.Format(again); out2 != out {
			t.Fatalf("Format is not idempotent\nfirst:\n%q\nsecond:\n%q", out, out2)
		}
		for _, st := range s.Stmts {
			switch st.(type) {
			case *script.Tab, *script.If, *script.For, *script.ForEach, *script.Do, *script.Sub, *script.Switch:
				continue
			}
			info := st.Info()
			re, err := script.ParseStatement(info.Text, info.Pos)
			if err != nil {
				t.Fatalf("statement %q does not re-parse: %v", info.Text, err)
			}
			if !script.EqualStmt(st, re) || *re.Info() != *info {
				t.Fatalf("statement %q re-parses differently", info.Text)
			}
		}
	})
}
