package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/reload"
)

// TestCSVMode generates a small orders file and loads it with both
// engines: the same number of rows, positive times.
func TestCSVMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "orders.csv")
	var out, errOut bytes.Buffer
	args := []string{"--csv", path, "--csv-rows", "5000", "--runs", "2", "--warmup", "0", "--json"}
	require.NoError(t, run(context.Background(), args, &out, &errOut), errOut.String())
	var rep csvReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Equal(t, int64(5000), rep.Engine.Rows)
	require.Equal(t, int64(5000), rep.Duck.Rows)
	require.Len(t, rep.Engine.Runs, 2)
	require.Positive(t, rep.Engine.Median)
	require.Positive(t, rep.Duck.Median)
	require.Positive(t, rep.Ratio)
	require.Positive(t, rep.Engine.FinalBytes)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 5001)
	require.Equal(t, bench.OrdersColumns, lines[0])
	require.Equal(t, int64(len(b)), rep.Bytes)

	_, err = writeOrdersCSV(filepath.Join(t.TempDir(), "x.csv"), 3)
	require.NoError(t, err)
	err = run(context.Background(), []string{"--csv", path, "--csv-rows", "0"}, &out, &errOut)
	require.ErrorContains(t, err, `--csv-rows: "0" is not a row count`)
}

// TestStoreParquetDuckDB: a Parquet file written by the engine's STORE is
// read back by DuckDB (an independent reader) with the same values and
// the column types of reload's rules.
func TestStoreParquetDuckDB(t *testing.T) {
	dir := t.TempDir()
	script := `SET DateFormat='YYYY-MM-DD'; SET TimestampFormat='YYYY-MM-DD hh:mm:ss';
T: LOAD * INLINE [
Id, Amount, Name, Day, Stamp, Mixed
1, 1.5, "a, b", 2024-01-05, 2024-01-05 10:00:00, 1
2, -2.25, , 2024-01-06, 2024-01-05 10:30:15, x
3, 1e20, c, 2024-01-07, 2024-01-06 00:00:00, 3
];
U: LOAD *, If(Id > 1, Id) AS Maybe RESIDENT T;
DROP TABLE T;
STORE U INTO [lib://d/u.parquet] (parquet);`
	_, err := reload.Run(context.Background(), reload.Request{Script: script,
		Connections: map[string]string{"d": dir}, AllowDirs: []string{dir}})
	require.NoError(t, err)
	d, err := openDuck(context.Background(), 1)
	require.NoError(t, err)
	defer d.close()
	path := filepath.Join(dir, "u.parquet")
	rows, err := d.conn.QueryContext(context.Background(),
		"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('"+path+"'))")
	require.NoError(t, err)
	types := map[string]string{}
	for rows.Next() {
		var n, ty string
		require.NoError(t, rows.Scan(&n, &ty))
		types[n] = ty
	}
	require.NoError(t, rows.Close())
	require.Equal(t, map[string]string{"Id": "BIGINT", "Amount": "DOUBLE", "Name": "VARCHAR", "Day": "DATE",
		"Stamp": "TIMESTAMP", "Mixed": "VARCHAR", "Maybe": "BIGINT"}, types)
	var got []string
	rows, err = d.conn.QueryContext(context.Background(),
		"SELECT Id::VARCHAR || '|' || Amount::VARCHAR || '|' || coalesce(Name, '(null)') || '|' || Day::VARCHAR || '|' || Stamp::VARCHAR || '|' || Mixed || '|' || coalesce(Maybe::VARCHAR, '(null)') FROM read_parquet('"+path+"') ORDER BY Id")
	require.NoError(t, err)
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		got = append(got, s)
	}
	require.NoError(t, rows.Close())
	require.Equal(t, []string{
		"1|1.5|a, b|2024-01-05|2024-01-05 10:00:00|1|(null)",
		"2|-2.25||2024-01-06|2024-01-05 10:30:15|x|2",
		"3|1e+20|c|2024-01-07|2024-01-06 00:00:00|3|3",
	}, got)
}
