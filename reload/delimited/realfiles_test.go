package delimited

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRealFiles reads the files of testdata/ with every kind of reader and
// compares them with encoding/csv, plus facts known about each file.
func TestRealFiles(t *testing.T) {
	cases := []struct {
		file    string
		f       Format
		records int
		names   []string
		first   []string // first record
		check   func(t *testing.T, got result)
	}{
		{
			file: "qlik-sales.csv", f: Format{Delimiter: ";"}, records: 96466,
			names: []string{"%KEY", "Cost", "Customer Number", "Date", "GrossSales", "Invoice Date", "Invoice Number", "Item Desc",
				"Item Number", "Margin", "Order Number", "Promised Delivery Date", "Sales", "Sales Qty", "Sales Rep Number"},
			first: []string{"3428", "-513,15", "10012226", "2012-01-12", "-573,3835", "2012-01-12", "318960", "Cutting Edge Sliced Ham",
				"10696", "-37,29", "115785", "2012-01-12", "-550,44", "-1", "180"},
		},
		{
			file: "qlik-airports.csv", records: 8097,
			names: []string{"rowID", "Airport", "City", "Country", "IATA Code", "ICAO Code", "Latitude", "Longitude", "Altitude (ft)", "TimeZone", "DST", "TZ Database time zone"},
			check: func(t *testing.T, got result) {
				require.Contains(t, got.Rows, []string{"5562", "Robin Hood Doncaster Sheffield Airport", "Doncaster, Sheffield", "United Kingdom",
					"DSA", "EGCN", "53.474722", "-1.004444", "55", "0", "E", "Europe/London"})
			},
		},
		{file: "qlik-cars1.csv", records: 3, names: []string{"Brand", "RegNo", "Year"}, first: []string{"BMW", "YYY123", "2016"}},
		{file: "qlik-timeseries.csv", records: 11, names: []string{"Date", "Time", "Fraction", "Value"}, first: []string{"2018-08-21", "14:10:02", "10", "0.33"}},
		{
			file: "vega-airports.csv", records: 3376,
			names: []string{"iata", "name", "city", "state", "country", "latitude", "longitude"},
			first: []string{"00M", "Thigpen", "Bay Springs", "MS", "USA", "31.95376472", "-89.23450472"},
			check: func(t *testing.T, got result) {
				require.Contains(t, got.Rows, []string{"DBN", "W. H. \"Bud\" Barron", "Dublin", "GA", "USA", "32.56445806", "-82.98525556"})
			},
		},
		{file: "vega-weather.csv", records: 2922, names: []string{"location", "date", "precipitation", "temp_max", "temp_min", "wind", "weather"},
			first: []string{"Seattle", "2012-01-01", "0.0", "12.8", "5.0", "4.7", "drizzle"}},
		{file: "statsmodels-longley.csv", records: 16, names: []string{"Obs", "TOTEMP", "GNPDEFL", "GNP", "UNEMP", "ARMED", "POP", "YEAR"},
			first: []string{"1", "60323", "83", "234289", "2356", "1590", "107608", "1947"}},
		{file: "statsmodels-macrodata.csv", records: 203},
		{file: "statsmodels-grunfeld.csv", records: 220, names: []string{"invest", "value", "capital", "firm", "year"},
			first: []string{"317.6", "3078.5", "2.8", "General Motors", "1935"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			path := filepath.Join("testdata", c.file)
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			got := readAll(t, string(data), c.f, bigConfigs, Options{})
			require.Empty(t, got.Err)
			require.Empty(t, got.Ragged)
			require.Equal(t, c.records, len(got.Rows))
			if c.names != nil {
				require.Equal(t, c.names, got.Names)
			}
			if c.first != nil {
				require.Equal(t, c.first, got.Rows[0])
			}
			if c.check != nil {
				c.check(t, got)
			}
			// No field spans lines: record i is on line i+1.
			require.Equal(t, int64(2), got.Lines[0])
			require.Equal(t, int64(c.records+1), got.Lines[len(got.Lines)-1])

			// encoding/csv agrees (it does not know byte order marks).
			comma := ','
			if c.f.Delimiter != "" {
				comma = rune(c.f.Delimiter[0])
			}
			want, err := csvRows(t, string(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))), comma, false)
			require.NoError(t, err)
			require.Equal(t, want[0], got.Names)
			require.Equal(t, want[1:], got.Rows)

			// The same through Open, with the file's own chunks.
			r, err := Open(context.Background(), path, c.f, Options{BatchBytes: 32 << 10})
			require.NoError(t, err)
			require.Equal(t, got, collect(t, r))
		})
	}
}
