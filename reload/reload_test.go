package reload

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEnigmaCtrl00 runs the enigma.js test app's script, whose third table
// is random (Rand): the deterministic tables are checked exactly, the
// random one by its shape.
func TestEnigmaCtrl00(t *testing.T) {
	src := readFile(t, "testdata/data/enigma-ctrl00.qvs")
	res := mustRun(t, testRequest(t, src))
	m := res.Model
	ch, err := m.Table("Characters")
	require.NoError(t, err)
	require.Equal(t, 26, ch.Rows)
	d, ok := cell(t, m, "Characters", "Alpha", 25)
	require.True(t, ok)
	require.Equal(t, "Z", d.Text)
	ascii, err := m.Table("ASCII")
	require.NoError(t, err)
	require.Equal(t, 95+96, ascii.Rows) // 32..126 and 160..255
	tr, err := m.Table("Transactions")
	require.NoError(t, err)
	require.GreaterOrEqual(t, tr.Rows, 1000)
	f, err := m.Field("Dim1")
	require.NoError(t, err)
	require.LessOrEqual(t, f.Cardinal(), 3)
	require.Equal(t, "This is a field comment", res.FieldComments["Dim1"])
	// Num links the three tables.
	num, err := m.Field("Num")
	require.NoError(t, err)
	require.True(t, num.IsKey())
}

// TestLogAndProgress checks the reload log and the progress events: the
// statement echo, "N fields found", the persistent "<table> << <source> N
// Lines fetched" line as Qlik writes it (compare the corectl golden
// "datacsv << data 1 Lines fetched"), TRACE output and the final summary.
func TestLogAndProgress(t *testing.T) {
	var mu sync.Mutex
	var events []Progress
	req := testRequest(t, "datacsv:\nLOAD * FROM [lib://data/data.csv]\n(txt, utf8, embedded labels, delimiter is ',');\nTRACE done loading;\n")
	req.Progress = func(p Progress) {
		mu.Lock()
		events = append(events, p)
		mu.Unlock()
	}
	res := mustRun(t, req)
	for _, want := range []string{
		"0001 datacsv:",
		"0002 LOAD * FROM [lib://data/data.csv]",
		"3 fields found: a, b, c,",
		"datacsv << data 1 Lines fetched",
		"done loading",
		"0 synthetic key(s)",
		"Finished successfully",
	} {
		require.Contains(t, res.Log, want)
	}
	var persistent, transient []string
	for _, e := range events {
		if e.Persistent {
			persistent = append(persistent, e.Message)
		} else {
			transient = append(transient, e.Message)
		}
	}
	require.Contains(t, persistent, "datacsv << data 1 Lines fetched")
	require.Contains(t, persistent, "done loading")
	require.Contains(t, transient, "datacsv << 1 Lines fetched")
	require.True(t, strings.HasSuffix(strings.TrimSpace(res.Log), "Finished successfully"))
}

// TestVariablesResult checks that the result carries the script's
// variables with their texts and numbers.
func TestVariablesResult(t *testing.T) {
	res := mustRun(t, testRequest(t, "SET a = 10;\nLET b = Sqr(10);\nLET c = 'x' & 1;\nSET d = ;"))
	require.Equal(t, "10", res.Variables["a"].Text)
	require.False(t, res.Variables["a"].HasNum())
	require.Equal(t, "100", res.Variables["b"].Text)
	require.Equal(t, 100.0, res.Variables["b"].Num)
	require.Equal(t, "x1", res.Variables["c"].Text)
	_, ok := res.Variables["d"]
	require.False(t, ok)
	// A script without tables gives an empty model.
	require.NotNil(t, res.Model)
	require.Empty(t, res.Model.Tables())
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

// TestRowLimit checks Request.RowLimit on every kind of source.
func TestRowLimit(t *testing.T) {
	req := testRequest(t, `
A: LOAD RecNo() AS A AUTOGENERATE 100;
B: LOAD * FROM [lib://data/cars1.csv];
C: LOAD A AS C RESIDENT A;
D: LOAD * FROM [lib://data/test_qvd.qvd] (qvd);
`)
	req.RowLimit = 2
	res := mustRun(t, req)
	for _, name := range []string{"A", "B", "C", "D"} {
		tb, err := res.Model.Table(name)
		require.NoError(t, err)
		require.Equal(t, 2, tb.Rows, name)
	}
}

// TestConcurrentRuns checks that reloads of different apps can run at the
// same time (the interpreter keeps no shared mutable state).
func TestConcurrentRuns(t *testing.T) {
	src := readFile(t, "testdata/scripts/load_clauses.qvs")
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = Run(context.Background(), testRequest(t, src))
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
}
