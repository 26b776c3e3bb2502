package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
)

// TestSideBySide runs the whole suite on small data: every scenario on both
// engines must give the same numbers.
func TestSideBySide(t *testing.T) {
	var out, errOut bytes.Buffer
	args := []string{"--json", "--rows", "2e4", "--tpch-sf", "0.01", "--flights-rows", "0", "--runs", "2", "--warmup", "1"}
	require.NoError(t, run(context.Background(), args, &out, &errOut), errOut.String())
	var rep report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Contains(t, rep.DuckDB, "v")
	require.Len(t, rep.Data, 2)
	require.Greater(t, rep.Data[0].DuckBytesLoaded, int64(0))
	require.GreaterOrEqual(t, len(rep.Results), 13)
	for _, r := range rep.Results {
		require.True(t, r.Agree, "%s: %v", r.Scenario, r.Problems)
		require.Positive(t, r.Engine.Median, r.Scenario)
		require.Positive(t, r.DuckDB.Median, r.Scenario)
	}
	require.Equal(t, []string{"flights: --flights-rows 0"}, rep.Skipped)
}

func TestFlagErrors(t *testing.T) {
	for args, want := range map[string][]string{
		"--rows: \"x\" is not a row count": {"--rows", "x"},
		"--tpch-sf 200 is out of range":    {"--tpch-sf", "200"},
		"--runs must be ≥ 1":               {"--runs", "0"},
		"--flights-rows: \"-3\"":           {"--flights-rows", "-3"},
		"unexpected argument \"now\"":      {"now"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), want, &out, &errOut)
		require.ErrorContains(t, err, args)
	}
}

func TestKeyTextAndNumber(t *testing.T) {
	day := time.Date(2020, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		v    any
		text string
		num  float64
	}{
		{int64(2020), "2020", 2020},
		{int32(-7), "-7", -7},
		{3.25, "3.25", 3.25},
		{"Product 7", "Product 7", math.NaN()},
		{day, "2020-03-01", math.NaN()},
		{day.Add(90 * time.Minute), "2020-03-01 01:30:00", math.NaN()},
		{big.NewInt(12), "12", 12},
		{duckdb.Decimal{Width: 15, Scale: 2, Value: big.NewInt(1234567)}, "12345.67", 12345.67},
		{nil, "NULL", math.NaN()},
	} {
		require.Equal(t, tt.text, keyText(tt.v))
		f, err := number(tt.v)
		if math.IsNaN(tt.num) && tt.v != nil {
			require.Error(t, err)
			continue
		}
		require.NoError(t, err)
		if math.IsNaN(tt.num) {
			require.True(t, math.IsNaN(f))
		} else {
			require.Equal(t, tt.num, f)
		}
	}
}

func TestDecimals(t *testing.T) {
	require.Equal(t, "0.05", decimalText(5, 2))
	require.Equal(t, "-0.05", decimalText(-5, 2))
	require.Equal(t, "123.40", decimalText(12340, 2))
	require.Equal(t, "42", decimalText(42, 0))
	require.Equal(t, 0.07, decimalValue(7, 2)) // the same double as parsing "0.07"
	require.Equal(t, 90100.99, decimalValue(9010099, 2))
	require.Equal(t, 0.1, decimalFloat(duckdb.Decimal{Scale: 1, Value: big.NewInt(1)}))
}
