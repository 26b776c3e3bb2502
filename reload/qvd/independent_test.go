package qvd

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// jsQVD is the output of testdata/independent/read-qvd.mjs.
type jsQVD struct {
	Files []struct {
		File           string
		Table          string
		Records        int
		RecordByteSize int
		Fields         []struct {
			Name      string
			BitOffset int
			BitWidth  int
			Bias      int
			Symbols   []struct {
				Type int
				Num  *string
				Text *string
			}
			Rows []int
		}
	}
}

// TestIndependentReader writes tables with Write and reads them back with
// a QVD reader that shares no code with this package (plain Node.js, see
// testdata/independent/README.md), then compares what it found with the
// tables that were written — not with what Decode finds.
func TestIndependentReader(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: the independent QVD reader (testdata/independent) cannot run")
	}
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(31, 32))
	tables := []*Table{workedExample(), benchTable(20_000, false), benchTable(500, true)}
	for range 25 {
		tables = append(tables, genTable(r))
	}
	qlik, err := ReadFile("testdata/test_qvd_null.qvd", Options{})
	require.NoError(t, err)
	tables = append(tables, qlik)

	args := []string{"testdata/independent/read-qvd.mjs"}
	for i, tb := range tables {
		path := filepath.Join(dir, fmt.Sprintf("t%d.qvd", i))
		require.NoError(t, WriteFile(path, tb, fixedTime))
		args = append(args, path)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Run(), "node: %s", stderr.String())
	var out jsQVD
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out))
	require.Len(t, out.Files, len(tables))

	wide := 0
	for i, tb := range tables {
		want := expectWritten(tb)
		got := out.Files[i]
		require.Equal(t, want.Name, got.Table)
		require.Equal(t, want.Records, got.Records)
		if got.RecordByteSize > 8 {
			wide++
		}
		require.Len(t, got.Fields, len(want.Fields))
		for j, wf := range want.Fields {
			gf := got.Fields[j]
			where := fmt.Sprintf("table %d field %q", i, wf.Name)
			require.Equal(t, wf.Name, gf.Name, where)
			require.Len(t, gf.Symbols, len(wf.Symbols), where)
			texter := newNumberTexter(wf.NumberFormat)
			for k, d := range wf.Symbols {
				s := gf.Symbols[k]
				sw := fmt.Sprintf("%s symbol %d (%#v) as type %d", where, k, d, s.Type)
				if !d.IsNum() {
					require.Equal(t, symText, s.Type, sw)
					require.Equal(t, d.Text, *s.Text, sw)
					continue
				}
				require.NotNil(t, s.Num, sw)
				f, err := strconv.ParseFloat(*s.Num, 64)
				require.NoError(t, err, sw)
				require.Equal(t, math.Float64bits(d.Num), math.Float64bits(f), sw)
				isInt := d.Num == math.Trunc(d.Num) && math.Abs(d.Num) <= math.MaxInt32 && !(d.Num == 0 && math.Signbit(d.Num))
				switch {
				case s.Text == nil: // a bare number: its text must be the default one
					require.Equal(t, texter.text(d.Num), d.Text, sw)
					require.Equal(t, map[bool]int{true: symInt, false: symFloat}[isInt], s.Type, sw)
				default:
					require.Equal(t, d.Text, *s.Text, sw)
					require.Equal(t, map[bool]int{true: symIntText, false: symFloatText}[isInt], s.Type, sw)
					require.NotEqual(t, texter.text(d.Num), d.Text, "%s: a default text is stored bare", sw)
				}
			}
			require.Len(t, gf.Rows, want.Records, where)
			for row, idx := range gf.Rows {
				require.Equal(t, int(wf.Column.Code(row))-1, idx, "%s row %d", where, row)
			}
		}
	}
	require.Positive(t, wide, "records wider than 8 bytes are checked")
}
