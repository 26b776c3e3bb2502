package fuzz

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assocengine/assoc/reload"
)

// FuzzReloadInline runs small load scripts and random INLINE data through
// the interpreter: it must never panic (an internal error is a failure),
// always answer with a model or a *reload.Error, and respect its limits.
// No file may be touched: the request allows no directory.
func FuzzReloadInline(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("..", "reload", "testdata", "scripts", "*.qvs"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		if !strings.Contains(string(b), "lib://") {
			f.Add("A, B\n1, x\n2, y", string(b))
		}
	}
	for _, s := range [][2]string{
		{"K, V\n1, a\n1, b\n2, c", "U: LOAD K, Concat(V, ',') AS Vs RESIDENT T GROUP BY K ORDER BY K;"},
		{"Word\nabc\n", "S: LOAD SubField(Word, 'b') AS P, IterNo() AS I RESIDENT T WHILE IterNo() < 3;"},
		{"x\n1\n2\n3", "LET v = Peek('x', -1, 'T'); FOR i = 1 TO $(v)\n  J: LOAD $(i) AS J AUTOGENERATE 1;\nNEXT i"},
		{"a;b\n\"1;2\";3", "M: MAPPING LOAD * RESIDENT T; X: LOAD ApplyMap('M', a, 'none') AS m RESIDENT T;"},
		{"Region, 2022, 2023\nN, 1, 2", "C: CROSSTABLE (Y, V) LOAD * RESIDENT T; LEFT JOIN (C) LOAD * RESIDENT T;"},
		{"A\n", "DO WHILE 1\nLOOP"},
		{"A, B\n1", "SET x = $(x)$(x); LET y = '$(x)';"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, data, script string) {
		if len(data)+len(script) > 1<<14 {
			return
		}
		src := "T:\nLOAD * INLINE [\n" + strings.ReplaceAll(data, "]", "") + "\n];\n" + script
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		res, err := reload.Run(ctx, reload.Request{
			Script: src,
			Limits: reload.Limits{MaxRows: 20000, MaxLoopIterations: 2000, MaxMemory: 64 << 20, MaxDuration: time.Second},
		})
		if err != nil {
			var re *reload.Error
			if !errors.As(err, &re) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if errors.Is(err, reload.ErrInternal) {
				t.Fatalf("internal error: %v", re.Err)
			}
			if res != nil {
				t.Fatal("a failed reload returned a result")
			}
			return
		}
		if res == nil || res.Model == nil {
			t.Fatal("no model and no error")
		}
	})
}
