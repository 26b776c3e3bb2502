package reload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestErrors checks that failing scripts stop with an *Error that says
// what went wrong at the right line and column of the original script,
// and never return a model.
func TestErrors(t *testing.T) {
	tests := []struct {
		name      string
		script    string
		line, col int
		msg       string // substring of Error.Msg
		is        error  // errors.Is target, if any
		limits    Limits
	}{
		{name: "syntax error", script: "T:\nLOAD * FROM;", line: 2, col: 12, msg: "syntax error"},
		{name: "unknown statement", script: "LOAD * INLINE [a\n1];\nFROBNICATE x;", line: 3, col: 1, msg: "unknown statement"},
		{name: "missing file", script: "T: LOAD * FROM [lib://data/nope.csv];", line: 1, col: 16, msg: "not found", is: os.ErrNotExist},
		{name: "path escapes with ..", script: "T: LOAD * FROM [lib://data/../../go.mod];", line: 1, col: 16, msg: "outside the allowed directories", is: ErrAccess},
		{name: "absolute path outside", script: "LOAD * FROM /etc/hosts;", line: 1, col: 13, msg: "outside the allowed directories", is: ErrAccess},
		{name: "unknown connection", script: "LOAD * FROM [lib://nope/x.csv];", line: 1, col: 13, msg: "no connection named", is: ErrAccess},
		{name: "unknown resident table", script: "A: LOAD 1 AS x AUTOGENERATE 1;\nB: LOAD * RESIDENT Nope;", line: 2, col: 20, msg: "RESIDENT Nope: no table"},
		{name: "unknown field", script: "T: LOAD a,\n   b AS c INLINE [\na\n1];", line: 2, col: 4, msg: "field 'b' not found"},
		{name: "unknown field after expansion", script: "SET f = Foo;\nT: LOAD $(f) AS X INLINE [\nA\n1];", line: 2, col: 9, msg: "field 'Foo' not found"},
		{name: "bad expression", script: "LET x = 1 +;", line: 1, col: 12, msg: "invalid expression"},
		{name: "bad expression in LOAD", script: "T: LOAD A, B + * 2 AS C INLINE [\nA, B\n1, 2];", line: 1, col: 16, msg: "invalid expression"},
		{name: "unknown function", script: "LET x = Frob(1);", line: 1, col: 9, msg: "unknown function Frob"},
		{name: "recursive expansion", script: "LET a = '$' & '(a)';\nLET b = '$(a)';", line: 2, col: 10, msg: "expansion limit", is: ErrLimit},
		{name: "endless DO loop", script: "DO WHILE 1 = 1\nLOOP", line: 1, col: 1, msg: "more than 1000 iterations", is: ErrLimit,
			limits: Limits{MaxLoopIterations: 1000}},
		{name: "endless WHILE", script: "T: LOAD IterNo() AS I AUTOGENERATE 1 WHILE 1;", line: 1, col: 44, msg: "WHILE repeated", is: ErrLimit,
			limits: Limits{MaxLoopIterations: 100}},
		{name: "row limit", script: "T: LOAD RecNo() AS R AUTOGENERATE 100000;", line: 1, col: 1, msg: "more than the limit", is: ErrLimit,
			limits: Limits{MaxRows: 1000}},
		{name: "SQL", script: "LIB CONNECT TO data;\nT: SQL SELECT * FROM x;", line: 2, col: 1, msg: "SQL is not supported", is: ErrNotSupported},
		{name: "binary", script: "BINARY lib://data/app.qvf;", line: 1, col: 1, msg: "BINARY is not supported", is: ErrNotSupported},
		{name: "unknown sub", script: "CALL Nope(1);", line: 1, col: 6, msg: "no subroutine"},
		{name: "exit for outside loop", script: "EXIT FOR;", line: 0, col: 0, msg: "EXIT FOR outside a FOR loop"},
		{name: "group by non-grouped field", script: "T: LOAD A, Sum(B) AS S INLINE [\nA, B\n1, 2];", line: 1, col: 9, msg: "neither in GROUP BY"},
		{name: "order by without resident", script: "T: LOAD A INLINE [\nA\n1] ORDER BY A;", line: 3, col: 13, msg: "ORDER BY"},
		{name: "concatenate to unknown", script: "CONCATENATE (Nope) LOAD 1 AS x AUTOGENERATE 1;", line: 1, col: 14, msg: "no table of that name"},
		{name: "applymap unknown map", script: "T: LOAD ApplyMap('M', 1) AS x AUTOGENERATE 1;", line: 1, col: 9, msg: "mapping table \"M\" not found"},
		{name: "xls", script: "LOAD * FROM [lib://data/x.xls] (biff);", line: 1, col: 13, msg: "not supported"},
		{name: "unsupported format item", script: "LOAD * FROM [lib://data/cars1.csv] (txt, filters(Remove(Row, Pos(Top, 1))));", line: 1, col: 42, msg: "not supported", is: ErrNotSupported},
		{name: "duplicate field", script: "T: LOAD A, A INLINE [\nA\n1];", line: 1, col: 12, msg: "loaded twice"},
		{name: "drop unknown table", script: "DROP TABLE Nope;", line: 1, col: 12, msg: "no table of that name"},
		{name: "rename to existing", script: "A: LOAD 1 AS x AUTOGENERATE 1;\nB: LOAD 1 AS y AUTOGENERATE 1;\nRENAME TABLE A TO B;", line: 3, col: 14, msg: "exists"},
		{name: "preceding load without source", script: "T: LOAD A;\nLET x = 1;", line: 2, col: 1, msg: "preceding LOAD"},
		{name: "AUTOGENERATE negative", script: "T: LOAD 1 AS x AUTOGENERATE -1;", line: 1, col: 29, msg: "non-negative"},
		{name: "must_include missing", script: "$(must_include=lib://data/nope.qvs);", line: 1, col: 1, msg: "not found"},
		{name: "error in included file", script: "LET a = 1;\n$(include=lib://data/bad_include.qvs);", line: 2, col: 1, msg: "in lib://data/bad_include.qvs at 2:"},
		{name: "include outside", script: "$(include=/etc/hosts);", line: 1, col: 1, msg: "outside the allowed directories", is: ErrAccess},
		{name: "section access", script: "SECTION ACCESS;", line: 1, col: 1, msg: "not supported", is: ErrNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := testRequest(t, tc.script)
			req.Limits = tc.limits
			res, err := Run(context.Background(), req)
			require.Nil(t, res)
			require.Error(t, err)
			var re *Error
			require.True(t, errors.As(err, &re), "%T: %v", err, err)
			require.Contains(t, re.Msg, tc.msg)
			require.Equal(t, [2]int{tc.line, tc.col}, [2]int{re.Line, re.Col}, "position of %q", re.Msg)
			require.Contains(t, re.Log, "Execution failed")
			if tc.is != nil {
				require.ErrorIs(t, err, tc.is)
			}
		})
	}
}

// TestSymlinkEscape checks that a link inside an allowed directory that
// points outside it is refused.
func TestSymlinkEscape(t *testing.T) {
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secret.csv"), []byte("a\n1\n"), 0o644))
	allowed := t.TempDir()
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(allowed, "link.csv")))
	require.NoError(t, os.Symlink(outside, filepath.Join(allowed, "dir")))
	for _, script := range []string{
		"LOAD * FROM [lib://in/link.csv];",
		"LOAD * FROM [lib://in/dir/secret.csv];",
		"FOR EACH f IN FileList('lib://in/dir/*.csv')\nNEXT f",
		"T: LOAD 1 AS x AUTOGENERATE 1;\nSTORE T INTO [lib://in/dir/out.qvd];",
	} {
		_, err := Run(context.Background(), Request{Script: script, Connections: map[string]string{"in": allowed}, AllowDirs: []string{allowed}})
		require.ErrorIs(t, err, ErrAccess, script)
	}
}

// TestCancel checks that cancelling the context stops an endless loop
// promptly and that the error says so.
func TestCancel(t *testing.T) {
	for _, script := range []string{
		"DO\nLOOP",
		"T: LOAD RecNo() AS R AUTOGENERATE 1e12;",
		"SLEEP 60000;",
	} {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		// The loop limit is raised so that only the cancel can stop it:
		// an empty DO loop reaches the default limit in well under 50 ms.
		res, err := Run(ctx, Request{Script: script, Limits: Limits{MaxLoopIterations: 1 << 62}})
		require.Nil(t, res)
		require.ErrorIs(t, err, context.Canceled, script)
		require.Less(t, time.Since(start), 5*time.Second, script)
	}
	// A deadline from Limits.MaxDuration.
	_, err := Run(context.Background(), Request{Script: "DO\nLOOP", Limits: Limits{MaxDuration: 30 * time.Millisecond}})
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestMemoryLimit checks that Limits.MaxMemory stops a load that grows too
// big.
func TestMemoryLimit(t *testing.T) {
	req := testRequest(t, "T: LOAD RecNo() AS R, 'x' & RecNo() AS S AUTOGENERATE 1000000;")
	req.Limits.MaxMemory = 1 << 20
	_, err := Run(context.Background(), req)
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "bytes, more than the limit")
}
