package reload

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/decimal256"
	"github.com/apache/arrow/go/v17/arrow/float16"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

// runIn runs a script with the folder connection lib://d/ on dir.
func runIn(t testing.TB, dir, src string, mod ...func(*Request)) (*Result, error) {
	t.Helper()
	req := Request{Script: src, Connections: map[string]string{"d": dir}, AllowDirs: []string{dir},
		Now: func() time.Time { return time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC) }}
	for _, m := range mod {
		m(&req)
	}
	return Run(context.Background(), req)
}

// tableCells returns the rows of a table as formatted cells (see
// formatCell), the field names first.
func tableCells(t testing.TB, m *engine.Model, name string) [][]string {
	t.Helper()
	tb, err := m.Table(name)
	require.NoError(t, err)
	fields := m.Fields()
	var head []string
	for _, fi := range tb.Fields {
		head = append(head, fields[fi].Name)
	}
	out := [][]string{head}
	for r := 0; r < tb.Rows; r++ {
		row := make([]string, len(tb.Fields))
		for i, fi := range tb.Fields {
			code := tb.Columns[i].Code(r)
			if code == 0 {
				row[i] = "(null)"
				continue
			}
			row[i] = formatCell(fields[fi].Symbols.Dual(code - 1))
		}
		out = append(out, row)
	}
	return out
}

// fieldCells returns the cells of one field of a table, without the name.
func fieldCells(t testing.TB, m *engine.Model, table, field string) []string {
	t.Helper()
	cells := tableCells(t, m, table)
	for i, n := range cells[0] {
		if n == field {
			var out []string
			for _, row := range cells[1:] {
				out = append(out, row[i])
			}
			return out
		}
	}
	t.Fatalf("table %s has no field %s (it has %v)", table, field, cells[0])
	return nil
}

// writeParquetFile writes records to a Parquet file with Arrow's writer
// (the Arrow schema stored, as pyarrow and Polars do).
func writeParquetFile(t testing.TB, path string, sc *arrow.Schema, recs []arrow.Record, opts ...parquet.WriterProperty) error {
	t.Helper()
	var buf bytes.Buffer
	props := parquet.NewWriterProperties(append([]parquet.WriterProperty{parquet.WithCompression(compress.Codecs.Snappy)}, opts...)...)
	fw, err := pqarrow.NewFileWriter(sc, &buf, props, pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema()))
	if err != nil {
		return err
	}
	for _, r := range recs {
		if err := fw.Write(r); err != nil {
			return err
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// writeIPCFile writes records to an Arrow IPC file (stream false) or
// stream.
func writeIPCFile(t testing.TB, path string, sc *arrow.Schema, recs []arrow.Record, stream bool, opts ...ipc.Option) {
	t.Helper()
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	opts = append([]ipc.Option{ipc.WithSchema(sc)}, opts...)
	if stream {
		w := ipc.NewWriter(f, opts...)
		for _, r := range recs {
			require.NoError(t, w.Write(r))
		}
		require.NoError(t, w.Close())
	} else {
		w, err := ipc.NewFileWriter(f, opts...)
		require.NoError(t, err)
		for _, r := range recs {
			require.NoError(t, w.Write(r))
		}
		require.NoError(t, w.Close())
	}
	require.NoError(t, f.Close())
}

// oneColumn builds a one-column record of type dt with fill.
func oneColumn(dt arrow.DataType, fill func(b array.Builder)) (*arrow.Schema, arrow.Record) {
	sc := arrow.NewSchema([]arrow.Field{{Name: "v", Type: dt, Nullable: true}}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	fill(rb.Field(0))
	return sc, rb.NewRecord()
}

func mustZone(t *testing.T, name string) bool {
	_, err := time.LoadLocation(name)
	return err == nil
}

// formats sets the date and time formats the tests expect.
const formats = "SET DateFormat='YYYY-MM-DD'; SET TimestampFormat='YYYY-MM-DD hh:mm:ss'; SET TimeFormat='hh:mm:ss';\n"

// TestArrowTypeMapping loads one column of every Arrow type from an IPC
// file and from a Parquet file and checks the values (docs: the type
// table of docs/load-script.md).
func TestArrowTypeMapping(t *testing.T) {
	ts := time.Date(2024, 1, 5, 13, 30, 15, 0, time.UTC) // serial 45296.5626736111
	cases := []struct {
		name      string
		dt        arrow.DataType
		fill      func(b array.Builder)
		want      []string
		noParquet bool // pqarrow cannot write the type
	}{
		{"bool", arrow.FixedWidthTypes.Boolean, func(b array.Builder) {
			b.(*array.BooleanBuilder).AppendValues([]bool{true, false}, nil)
			b.AppendNull()
		}, []string{"-1", "0", "(null)"}, false},
		{"int8", arrow.PrimitiveTypes.Int8, func(b array.Builder) {
			b.(*array.Int8Builder).AppendValues([]int8{-128, 0, 127}, nil)
		}, []string{"-128", "0", "127"}, false},
		{"int16", arrow.PrimitiveTypes.Int16, func(b array.Builder) {
			b.(*array.Int16Builder).AppendValues([]int16{-300, 300}, nil)
		}, []string{"-300", "300"}, false},
		{"int32", arrow.PrimitiveTypes.Int32, func(b array.Builder) {
			b.(*array.Int32Builder).AppendValues([]int32{7, 7, -1}, nil)
			b.AppendNull()
		}, []string{"7", "7", "-1", "(null)"}, false},
		{"int64", arrow.PrimitiveTypes.Int64, func(b array.Builder) {
			b.(*array.Int64Builder).AppendValues([]int64{1 << 40, -5}, nil)
		}, []string{"1099511627776", "-5"}, false},
		{"uint8", arrow.PrimitiveTypes.Uint8, func(b array.Builder) {
			b.(*array.Uint8Builder).AppendValues([]uint8{255}, nil)
		}, []string{"255"}, false},
		{"uint16", arrow.PrimitiveTypes.Uint16, func(b array.Builder) {
			b.(*array.Uint16Builder).AppendValues([]uint16{65535}, nil)
		}, []string{"65535"}, false},
		{"uint32", arrow.PrimitiveTypes.Uint32, func(b array.Builder) {
			b.(*array.Uint32Builder).AppendValues([]uint32{4294967295}, nil)
		}, []string{"4294967295"}, false},
		{"uint64", arrow.PrimitiveTypes.Uint64, func(b array.Builder) {
			b.(*array.Uint64Builder).AppendValues([]uint64{12345}, nil)
		}, []string{"12345"}, false},
		{"float16", arrow.FixedWidthTypes.Float16, func(b array.Builder) {
			b.(*array.Float16Builder).AppendValues([]float16.Num{float16.New(0.5), float16.New(0.1)}, nil)
		}, []string{"0.5", "0.1"}, false},
		{"float32", arrow.PrimitiveTypes.Float32, func(b array.Builder) {
			b.(*array.Float32Builder).AppendValues([]float32{0.1, 1.5, float32(math.NaN()), float32(math.Inf(1))}, nil)
		}, []string{"0.1", "1.5", "(null)", "(null)"}, false},
		{"float64", arrow.PrimitiveTypes.Float64, func(b array.Builder) {
			b.(*array.Float64Builder).AppendValues([]float64{2.5, -0.125, math.NaN()}, nil)
		}, []string{"2.5", "-0.125", "(null)"}, false},
		{"decimal128", &arrow.Decimal128Type{Precision: 10, Scale: 2}, func(b array.Builder) {
			b.(*array.Decimal128Builder).AppendValues([]decimal128.Num{decimal128.FromI64(12345), decimal128.FromI64(-5), decimal128.FromI64(100)}, nil)
		}, []string{"123.45", "-0.05", "1.00=1"}, false},
		{"decimal256", &arrow.Decimal256Type{Precision: 40, Scale: 3}, func(b array.Builder) {
			b.(*array.Decimal256Builder).AppendValues([]decimal256.Num{decimal256.FromI64(1500)}, nil)
		}, []string{"1.500=1.5"}, false},
		{"string", arrow.BinaryTypes.String, func(b array.Builder) {
			b.(*array.StringBuilder).AppendValues([]string{"a", "", "001", "a"}, nil)
			b.AppendNull()
		}, []string{"a", `""`, `"001"`, "a", "(null)"}, false},
		{"large_string", arrow.BinaryTypes.LargeString, func(b array.Builder) {
			b.(*array.LargeStringBuilder).AppendValues([]string{"é", " x "}, nil)
		}, []string{"é", `" x "`}, false},
		{"string_view", arrow.BinaryTypes.StringView, func(b array.Builder) {
			b.(*array.StringViewBuilder).AppendValues([]string{"short", "a much longer string than twelve bytes"}, nil)
		}, []string{"short", "a much longer string than twelve bytes"}, true},
		{"binary", arrow.BinaryTypes.Binary, func(b array.Builder) {
			b.(*array.BinaryBuilder).AppendValues([][]byte{[]byte("abc"), {0xff, 0x00}}, nil)
		}, []string{"abc", "ff00"}, false},
		{"fixed_size_binary", &arrow.FixedSizeBinaryType{ByteWidth: 2}, func(b array.Builder) {
			b.(*array.FixedSizeBinaryBuilder).AppendValues([][]byte{{0xab, 0x01}}, nil)
		}, []string{"ab01"}, false},
		{"date32", arrow.FixedWidthTypes.Date32, func(b array.Builder) {
			b.(*array.Date32Builder).AppendValues([]arrow.Date32{arrow.Date32FromTime(ts), -25569}, nil)
		}, []string{"2024-01-05=45296", "1899-12-30=0"}, false},
		{"date64", arrow.FixedWidthTypes.Date64, func(b array.Builder) {
			b.(*array.Date64Builder).AppendValues([]arrow.Date64{arrow.Date64FromTime(ts)}, nil)
		}, []string{"2024-01-05=45296"}, false},
		{"timestamp_s", &arrow.TimestampType{Unit: arrow.Second}, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.Unix())}, nil)
		}, []string{"2024-01-05 13:30:15=45296.562673611"}, false},
		{"timestamp_ms", &arrow.TimestampType{Unit: arrow.Millisecond}, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixMilli() + 250)}, nil)
		}, []string{"2024-01-05 13:30:15=45296.562676505"}, false},
		{"timestamp_us_utc", &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixMicro()), arrow.Timestamp(-1)}, nil)
		}, []string{"2024-01-05 13:30:15=45296.562673611", "1969-12-31 23:59:59=25569"}, false},
		{"timestamp_ns_offset", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "+02:00"}, func(b array.Builder) {
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixNano())}, nil)
		}, []string{"2024-01-05 15:30:15=45296.646006944"}, false},
		{"time32", arrow.FixedWidthTypes.Time32s, func(b array.Builder) {
			b.(*array.Time32Builder).AppendValues([]arrow.Time32{3600 + 61}, nil)
		}, []string{"01:01:01=0.042372685185185"}, false},
		{"time64", arrow.FixedWidthTypes.Time64us, func(b array.Builder) {
			b.(*array.Time64Builder).AppendValues([]arrow.Time64{43_200_000_000}, nil)
		}, []string{"12:00:00=0.5"}, false},
		{"duration", arrow.FixedWidthTypes.Duration_s, func(b array.Builder) {
			b.(*array.DurationBuilder).AppendValues([]arrow.Duration{90061}, nil)
		}, []string{"25:01:01=1.0423726851852"}, true},
		{"dictionary", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int16, ValueType: arrow.BinaryTypes.String}, func(b array.Builder) {
			db := b.(*array.BinaryDictionaryBuilder)
			for _, s := range []string{"z", "y", "z", "x"} {
				require.NoError(t, db.AppendString(s))
			}
			db.AppendNull()
		}, []string{"z", "y", "z", "x", "(null)"}, false},
		{"dictionary_int", &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.PrimitiveTypes.Int64}, func(b array.Builder) {
			db := b.(*array.Int64DictionaryBuilder)
			for _, v := range []int64{10, 20, 10} {
				require.NoError(t, db.Append(v))
			}
		}, []string{"10", "20", "10"}, false},
		{"list", arrow.ListOf(arrow.PrimitiveTypes.Int32), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Int32Builder).AppendValues([]int32{1, 2}, nil)
			lb.Append(true)
			lb.AppendNull()
		}, []string{`"[1,2]"`, "[]", "(null)"}, false},
		{"null", arrow.Null, func(b array.Builder) {
			b.AppendNulls(2)
		}, []string{"(null)", "(null)"}, false},
	}
	if mustZone(t, "America/New_York") {
		cases = append(cases, struct {
			name      string
			dt        arrow.DataType
			fill      func(b array.Builder)
			want      []string
			noParquet bool
		}{"timestamp_zone", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "America/New_York"}, func(b array.Builder) {
			jul := time.Date(2024, 7, 1, 12, 0, 0, 0, time.UTC)
			b.(*array.TimestampBuilder).AppendValues([]arrow.Timestamp{arrow.Timestamp(ts.UnixMilli()), arrow.Timestamp(jul.UnixMilli())}, nil)
		}, []string{"2024-01-05 08:30:15=45296.354340278", "2024-07-01 08:00:00=45474.333333333"}, false})
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, rec := oneColumn(tc.dt, tc.fill)
			defer rec.Release()
			writeIPCFile(t, filepath.Join(dir, tc.name+".arrow"), sc, []arrow.Record{rec}, false)
			script := formats + "A: LOAD * FROM [lib://d/" + tc.name + ".arrow] (ipc);\n"
			if !tc.noParquet {
				require.NoError(t, writeParquetFile(t, filepath.Join(dir, tc.name+".parquet"), sc, []arrow.Record{rec}))
				script += "P: NOCONCATENATE LOAD v AS p FROM [lib://d/" + tc.name + ".parquet] (parquet);\n"
			}
			// The same values through the record-at-a-time path (an
			// expression) must give the same cells.
			script += "E: NOCONCATENATE LOAD If(1, v) AS e FROM [lib://d/" + tc.name + ".arrow] (ipc);\n"
			res, err := runIn(t, dir, script)
			require.NoError(t, err)
			require.Equal(t, tc.want, fieldCells(t, res.Model, "A", "v"), "IPC")
			if !tc.noParquet {
				require.Equal(t, tc.want, fieldCells(t, res.Model, "P", "p"), "Parquet")
			}
			e := fieldCells(t, res.Model, "E", "e")
			for i, w := range tc.want {
				if w == "(null)" {
					require.Equal(t, "(null)", e[i], "expression path, row %d", i)
					continue
				}
				// The expression path keeps the value (number and text).
				require.Equal(t, w, e[i], "expression path, row %d", i)
			}
		})
	}
}

// TestArrowStructFlattening: the members of a struct column are fields
// named parent.child; a NULL struct makes its members NULL.
func TestArrowStructFlattening(t *testing.T) {
	st := arrow.StructOf(arrow.Field{Name: "first", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "age", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	sc, rec := oneColumn(st, func(b array.Builder) {
		sb := b.(*array.StructBuilder)
		sb.Append(true)
		sb.FieldBuilder(0).(*array.StringBuilder).Append("Alice")
		sb.FieldBuilder(1).(*array.Int32Builder).Append(31)
		sb.AppendNull()
		sb.Append(true)
		sb.FieldBuilder(0).(*array.StringBuilder).AppendNull()
		sb.FieldBuilder(1).(*array.Int32Builder).Append(5)
	})
	defer rec.Release()
	dir := t.TempDir()
	writeIPCFile(t, filepath.Join(dir, "s.arrow"), sc, []arrow.Record{rec}, false)
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "s.parquet"), sc, []arrow.Record{rec}))
	want := [][]string{{"v.first", "v.age"}, {"Alice", "31"}, {"(null)", "(null)"}, {"(null)", "5"}}
	for _, f := range []string{"s.arrow", "s.parquet"} {
		res, err := runIn(t, dir, "A: LOAD * FROM [lib://d/"+f+"];")
		require.NoError(t, err)
		require.Equal(t, want, tableCells(t, res.Model, "A"), f)
	}
}

// orders builds n records of an order table in batches of per rows: an
// id, a repeated text (dictionary-friendly), an amount and a date.
func orders(n, per int) (*arrow.Schema, []arrow.Record) {
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
	}, nil)
	regions := []string{"North", "South", "East", "West", "Central"}
	var recs []arrow.Record
	for from := 0; from < n; from += per {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for i := from; i < min(n, from+per); i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i + 1))
			if i%7 == 6 {
				rb.Field(1).AppendNull()
			} else {
				rb.Field(1).(*array.StringBuilder).Append(regions[(i*3)%len(regions)])
			}
			rb.Field(2).(*array.Float64Builder).Append(float64(i%100) / 4)
			rb.Field(3).(*array.Date32Builder).Append(arrow.Date32(19723 + i%30))
		}
		recs = append(recs, rb.NewRecord())
		rb.Release()
	}
	return sc, recs
}

// TestParquetRowGroups reads a file of many row groups (each with its own
// dictionary): every record once, in order, with RecNo counting over
// the file; FIRST, WHERE and a field subset work on it.
func TestParquetRowGroups(t *testing.T) {
	dir := t.TempDir()
	sc, recs := orders(10_000, 10_000)
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "o.parquet"), sc, recs, parquet.WithMaxRowGroupLength(700)))
	writeIPCFile(t, filepath.Join(dir, "o.arrows"), sc, recs, true)
	r, err := file.OpenParquetFile(filepath.Join(dir, "o.parquet"), false)
	require.NoError(t, err)
	require.Equal(t, 15, r.NumRowGroups())
	cc, err := r.MetaData().RowGroup(3).ColumnChunk(1)
	require.NoError(t, err)
	require.True(t, dictionaryEncoded(cc), "the region column should be dictionary-encoded")
	r.Close()
	res, err := runIn(t, dir, `
A: LOAD *, RecNo() AS rec FROM [lib://d/o.parquet] (parquet);
B: NOCONCATENATE FIRST 1500 LOAD id AS b_id FROM [lib://d/o.parquet] (parquet);
C: NOCONCATENATE LOAD id AS c_id, region AS c_region FROM [lib://d/o.parquet] (parquet) WHERE Mod(id, 1000) = 0;
`)
	require.NoError(t, err)
	res2, err := runIn(t, dir, "S: LOAD * FROM [lib://d/o.arrows];")
	require.NoError(t, err)
	cells := tableCells(t, res.Model, "A")
	require.Equal(t, []string{"id", "region", "amount", "day", "rec"}, cells[0])
	require.Len(t, cells, 10_001)
	for i, row := range cells[1:] {
		require.Equal(t, strconv.Itoa(i+1), row[0])
		require.Equal(t, row[0], row[4], "RecNo")
		if i%7 == 6 {
			require.Equal(t, "(null)", row[1])
		}
	}
	require.Equal(t, []string{"North", "West", "South", "Central", "East"}, firstSymbols(t, res.Model, "region", 5))
	require.Len(t, fieldCells(t, res.Model, "B", "b_id"), 1500)
	require.Equal(t, []string{"1000", "2000", "3000", "4000", "5000", "6000", "7000", "8000", "9000", "10000"}, fieldCells(t, res.Model, "C", "c_id"))
	s := tableCells(t, res2.Model, "S")
	require.Len(t, s, 10_001)
	for i := range s {
		require.Equal(t, cells[i][:4], s[i], "the IPC stream holds the same records")
	}
}

// firstSymbols returns the first n symbols of a field in load order.
func firstSymbols(t testing.TB, m *engine.Model, field string, n int) []string {
	t.Helper()
	f, err := m.Field(field)
	require.NoError(t, err)
	var out []string
	for i := 0; i < n && i < f.Symbols.Len(); i++ {
		out = append(out, f.Symbols.Text(uint32(i)))
	}
	return out
}

// TestColumnarProjection: a statement that uses some fields decodes only
// those, with the same result as reading all.
func TestColumnarProjection(t *testing.T) {
	dir := t.TempDir()
	sc, recs := orders(3000, 1000)
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "o.parquet"), sc, recs, parquet.WithMaxRowGroupLength(1000)))
	res, err := runIn(t, dir, `
A: LOAD * FROM [lib://d/o.parquet] (parquet);
B: NOCONCATENATE LOAD amount AS b_amount, id + 1 AS b_next FROM [lib://d/o.parquet] (parquet) WHERE region = 'East';
C: NOCONCATENATE LOAD Count(id) AS n, region AS c_region FROM [lib://d/o.parquet] (parquet) GROUP BY region;
D: NOCONCATENATE LOAD 1 AS one FROM [lib://d/o.parquet] (parquet);
`)
	require.NoError(t, err)
	a := tableCells(t, res.Model, "A")
	var want [][]string
	for _, row := range a[1:] {
		if row[1] == "East" {
			want = append(want, row)
		}
	}
	b := tableCells(t, res.Model, "B")
	require.Len(t, b, len(want)+1)
	for i, row := range want {
		require.Equal(t, row[2], b[i+1][0])
	}
	require.Len(t, fieldCells(t, res.Model, "C", "n"), 6) // five regions and NULL
	require.Len(t, fieldCells(t, res.Model, "D", "one"), 3000)
}

// TestColumnarErrors: bad files and bad format items fail with a
// positioned error, never a panic or an internal error.
func TestColumnarErrors(t *testing.T) {
	dir := t.TempDir()
	sc, recs := orders(2000, 500)
	good := filepath.Join(dir, "good.parquet")
	require.NoError(t, writeParquetFile(t, good, sc, recs, parquet.WithMaxRowGroupLength(500)))
	data, err := os.ReadFile(good)
	require.NoError(t, err)
	writeIPCFile(t, filepath.Join(dir, "good.arrow"), sc, recs, false)
	ipcData, err := os.ReadFile(filepath.Join(dir, "good.arrow"))
	require.NoError(t, err)
	write := func(name string, b []byte) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	}
	write("empty.parquet", nil)
	write("text.parquet", []byte("id,name\n1,a\n"))
	write("truncated.parquet", data[:len(data)/2])
	mid := append([]byte(nil), data...)
	for i := 200; i < len(mid)/2; i += 97 {
		mid[i] ^= 0x5a
	}
	write("scrambled.parquet", mid)
	write("truncated.arrow", ipcData[:len(ipcData)-40])
	scr := append([]byte(nil), ipcData...)
	for i := 100; i < len(scr)-100; i += 61 {
		scr[i] ^= 0xa5
	}
	write("scrambled.arrow", scr)
	write("empty.arrow", nil)
	cases := []struct {
		script, msg string
	}{
		{"LOAD * FROM [lib://d/empty.parquet] (parquet);", "cannot read lib://d/empty.parquet"},
		{"LOAD * FROM [lib://d/text.parquet] (parquet);", "cannot read lib://d/text.parquet"},
		{"LOAD * FROM [lib://d/truncated.parquet] (parquet);", "cannot read lib://d/truncated.parquet"},
		{"LOAD * FROM [lib://d/scrambled.parquet] (parquet);", "cannot read"},
		{"LOAD * FROM [lib://d/truncated.arrow] (ipc);", "cannot read"},
		{"LOAD * FROM [lib://d/scrambled.arrow] (ipc);", "cannot read"},
		{"LOAD * FROM [lib://d/empty.arrow] (ipc);", "cannot read lib://d/empty.arrow"},
		{"LOAD * FROM [lib://d/missing.parquet] (parquet);", "not found"},
		{"LOAD * FROM [lib://d/good.parquet] (parquet, delimiter is ',');", `format specification item "delimiter is ','" is not supported for Parquet files`},
		{"LOAD * FROM [lib://d/good.parquet] (parquet, header is 2 lines);", `format specification item "header is 2 lines" is not supported for Parquet files`},
		{"LOAD * FROM [lib://d/good.parquet] (parquet, filters(x));", `format specification item "filters(x)" is not supported for Parquet files`},
		{"LOAD * FROM [lib://d/good.parquet] (parquet, table is [a:b]);", `"table is" (a nested table of a Parquet file) is not supported`},
		{"LOAD * FROM [lib://d/good.parquet] (parquet, ansi);", "Parquet files are UTF-8, not ansi"},
		{"LOAD nothere FROM [lib://d/good.parquet] (parquet);", "field 'nothere' not found"},
	}
	for _, tc := range cases {
		t.Run(tc.script, func(t *testing.T) {
			_, err := runIn(t, dir, tc.script)
			require.Error(t, err)
			var re *Error
			require.True(t, errors.As(err, &re), "%T %v", err, err)
			require.False(t, errors.Is(err, ErrInternal), "%v", err)
			require.Equal(t, 1, re.Line)
			require.Contains(t, re.Msg, tc.msg)
		})
	}
}

// TestColumnarLimitsAndAccess: files outside the allowed directories are
// refused; MaxRows stops a load while it streams; cancelling stops it.
func TestColumnarLimitsAndAccess(t *testing.T) {
	dir, other := t.TempDir(), t.TempDir()
	sc, recs := orders(200_000, 50_000)
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "o.parquet"), sc, recs, parquet.WithMaxRowGroupLength(20_000)))
	require.NoError(t, writeParquetFile(t, filepath.Join(other, "x.parquet"), sc, recs[:1]))
	require.NoError(t, os.WriteFile(filepath.Join(other, "x.json"), []byte(`[{"a":1}]`), 0o644))

	_, err := runIn(t, dir, "LOAD * FROM ["+filepath.Join(other, "x.parquet")+"] (parquet);")
	require.ErrorIs(t, err, ErrAccess)
	_, err = runIn(t, dir, "LOAD * FROM ["+filepath.Join(other, "x.json")+"] (json);")
	require.ErrorIs(t, err, ErrAccess)
	_, err = runIn(t, dir, "T: LOAD 1 AS a AUTOGENERATE 1; STORE T INTO ["+filepath.Join(other, "y.parquet")+"] (parquet);")
	require.ErrorIs(t, err, ErrAccess)

	_, err = runIn(t, dir, "LOAD * FROM [lib://d/o.parquet] (parquet);", func(r *Request) { r.Limits.MaxRows = 100_000 })
	require.ErrorIs(t, err, ErrLimit)
	require.Contains(t, err.Error(), "more than the limit of 100000")

	ctx, cancel := context.WithCancel(context.Background())
	req := Request{Script: "LOAD * FROM [lib://d/o.parquet] (parquet);", Connections: map[string]string{"d": dir}, AllowDirs: []string{dir},
		Progress: func(p Progress) {
			if strings.Contains(p.Message, "Lines fetched") {
				cancel()
			}
		}}
	_, err = Run(ctx, req)
	require.ErrorIs(t, err, context.Canceled)

	res, err := runIn(t, dir, "LOAD * FROM [lib://d/o.parquet] (parquet);", func(r *Request) { r.RowLimit = 1234 })
	require.NoError(t, err)
	tb, err := res.Model.Table("o")
	require.NoError(t, err)
	require.Equal(t, 1234, tb.Rows)
}

// TestStoreParquet stores a table of every kind of field and reads it
// back with the Parquet source: the same values, and the column types of
// the rules in parquet_store.go.
func TestStoreParquet(t *testing.T) {
	dir := t.TempDir()
	res, err := runIn(t, dir, `
T: LOAD * INLINE [
Int, Float, Text, Mixed, Day, Stamp, Dual, Empty
1, 1.5, a, 1, 2024-01-05, 2024-01-05 10:00:00, 001, x
2, -2.25, b, x, 2024-01-06, 2024-01-05 10:30:15, 002,
3, 1e20, , 3, 2024-01-07, 2024-01-06 00:00:00, 003,
-4, 0, "c, d", y, 2024-01-08, 2024-01-07 23:59:59, 004,
];
U: LOAD *, If(Int > 2, Int) AS Nulls RESIDENT T;
DROP TABLE T;
STORE U INTO [lib://d/u.parquet] (parquet);
STORE Int, Text AS Renamed FROM U INTO [lib://d/sub.parquet] (parquet, compression is zstd);
STORE U INTO [lib://d/u.parq] (parquet, compression is 'gzip');
`)
	require.NoError(t, err)
	back, err := runIn(t, dir, formats+`
R: LOAD * FROM [lib://d/u.parquet] (parquet);
G: LOAD * FROM [lib://d/u.parq] (parquet);
S: LOAD * FROM [lib://d/sub.parquet] (parquet);
`)
	require.NoError(t, err)
	u, r := tableCells(t, res.Model, "U"), tableCells(t, back.Model, "R")
	require.Len(t, r, 2*len(u)-1, "the gzip copy holds the same rows (and concatenates)")
	r = r[:len(u)]
	require.Equal(t, u[0], r[0])
	require.Len(t, r, len(u))
	for i := 1; i < len(u); i++ {
		for j := range u[i] {
			switch u[0][j] {
			case "Dual":
				// A dual is stored as its number.
				require.Equal(t, strings.TrimLeft(strings.Split(u[i][j], "=")[0], "0"), r[i][j])
			case "Float", "Int":
				// Numbers keep their value, in the default rendering.
				want := u[i][j]
				if k := strings.LastIndexByte(want, '='); k >= 0 {
					want = want[k+1:]
				}
				require.Equal(t, want, r[i][j])
			case "Mixed":
				// Numbers and texts in one field are stored as texts.
				require.Equal(t, strings.Trim(u[i][j], `"`), strings.Trim(r[i][j], `"`))
			default:
				require.Equal(t, u[i][j], r[i][j], "row %d field %s", i, u[0][j])
			}
		}
	}
	require.Equal(t, [][]string{{"Int", "Renamed"}, {"1", "a"}, {"2", "b"}, {"3", `""`}, {"-4", `"c, d"`}}, tableCells(t, back.Model, "S"))

	pf, err := file.OpenParquetFile(filepath.Join(dir, "u.parquet"), false)
	require.NoError(t, err)
	defer pf.Close()
	types := map[string]string{}
	for i := 0; i < pf.MetaData().Schema.NumColumns(); i++ {
		c := pf.MetaData().Schema.Column(i)
		types[c.Name()] = c.PhysicalType().String() + "/" + c.LogicalType().String()
	}
	require.Equal(t, "INT64/Int(bitWidth=64, isSigned=true)", types["Int"])
	require.Equal(t, "DOUBLE/None", types["Float"])
	require.Equal(t, "BYTE_ARRAY/String", types["Text"])
	require.Equal(t, "BYTE_ARRAY/String", types["Mixed"])
	require.Equal(t, "INT32/Date", types["Day"])
	require.Contains(t, types["Stamp"], "INT64/Timestamp")
	require.Equal(t, "INT64/Int(bitWidth=64, isSigned=true)", types["Dual"])
	cc, err := pf.MetaData().RowGroup(0).ColumnChunk(0)
	require.NoError(t, err)
	require.Equal(t, compress.Codecs.Snappy, cc.Compression())

	sub, err := file.OpenParquetFile(filepath.Join(dir, "sub.parquet"), false)
	require.NoError(t, err)
	defer sub.Close()
	cc, err = sub.MetaData().RowGroup(0).ColumnChunk(0)
	require.NoError(t, err)
	require.Equal(t, compress.Codecs.Zstd, cc.Compression())

	_, err = runIn(t, dir, "T: LOAD 1 AS a AUTOGENERATE 1; STORE T INTO [lib://d/z.parquet] (parquet, compression is lzo);")
	require.ErrorContains(t, err, `Parquet compression "lzo" is not supported`)
	_, err = runIn(t, dir, "T: LOAD 1 AS a AUTOGENERATE 1; STORE T INTO [lib://d/z.parquet] (parquet, embedded labels);")
	require.ErrorContains(t, err, `format specification item "embedded labels" is not supported for Parquet files`)

	// An empty table stores a file with its columns and no rows.
	res, err = runIn(t, dir, "T: LOAD 1 AS a AUTOGENERATE 0; STORE T INTO [lib://d/e.parquet]; E: NOCONCATENATE LOAD * FROM [lib://d/e.parquet];")
	require.NoError(t, err)
	require.Equal(t, [][]string{{"a"}}, tableCells(t, res.Model, "E"))
}

// TestIPCVariants reads IPC streams and files, compressed, with
// dictionary deltas.
func TestIPCVariants(t *testing.T) {
	dir := t.TempDir()
	dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	sc := arrow.NewSchema([]arrow.Field{{Name: "k", Type: dt, Nullable: true}, {Name: "n", Type: arrow.PrimitiveTypes.Int32}}, nil)
	var recs []arrow.Record
	words := [][]string{{"a", "b"}, {"b", "c"}, {"d", "a"}}
	for i, ws := range words {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for j, w := range ws {
			require.NoError(t, rb.Field(0).(*array.BinaryDictionaryBuilder).AppendString(w))
			rb.Field(1).(*array.Int32Builder).Append(int32(10*i + j))
		}
		recs = append(recs, rb.NewRecord())
		rb.Release()
	}
	// A file holds one dictionary per field: one record of all rows.
	one, err := concatRecord(sc, recs)
	require.NoError(t, err)
	writeIPCFile(t, filepath.Join(dir, "deltas.arrows"), sc, recs, true, ipc.WithDictionaryDeltas(true))
	writeIPCFile(t, filepath.Join(dir, "lz4.arrow"), sc, []arrow.Record{one}, false, ipc.WithLZ4())
	writeIPCFile(t, filepath.Join(dir, "zstd.feather"), sc, []arrow.Record{one}, false, ipc.WithZstd())
	writeIPCFile(t, filepath.Join(dir, "plain.data"), sc, recs, true)
	res, err := runIn(t, dir, `
A: LOAD * FROM [lib://d/deltas.arrows];
B: LOAD * FROM [lib://d/lz4.arrow];
C: LOAD * FROM [lib://d/zstd.feather];
D: LOAD * FROM [lib://d/plain.data] (arrow);
`)
	require.NoError(t, err)
	want := [][]string{{"k", "n"}, {"a", "0"}, {"b", "1"}, {"b", "10"}, {"c", "11"}, {"d", "20"}, {"a", "21"}}
	var all [][]string
	all = append(all, want...)
	for range 3 {
		all = append(all, want[1:]...)
	}
	require.Equal(t, all, tableCells(t, res.Model, "A"), "identical field sets concatenate")
}

// TestParquetFromPolarsShape reads a file shaped like Polars writes them
// (large_utf8 in the stored Arrow schema, no dictionary page offsets) as
// dictionaries.
func TestParquetLargeStringDictionary(t *testing.T) {
	dir := t.TempDir()
	sc := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.BinaryTypes.LargeString, Nullable: true}}, nil)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	for i := range 5000 {
		if i%11 == 0 {
			rb.Field(0).AppendNull()
			continue
		}
		rb.Field(0).(*array.LargeStringBuilder).Append([]string{"BOS", "JFK", "SFO"}[i%3])
	}
	rec := rb.NewRecord()
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "l.parquet"), sc, []arrow.Record{rec}, parquet.WithMaxRowGroupLength(1000)))
	f, err := os.Open(filepath.Join(dir, "l.parquet"))
	require.NoError(t, err)
	defer f.Close()
	r, err := file.NewParquetReader(f)
	require.NoError(t, err)
	require.True(t, dictionaryColumns(r)[0])
	res, err := runIn(t, dir, "L: LOAD * FROM [lib://d/l.parquet] (parquet);")
	require.NoError(t, err)
	got := fieldCells(t, res.Model, "L", "s")
	require.Len(t, got, 5000)
	for i, v := range got {
		if i%11 == 0 {
			require.Equal(t, "(null)", v)
		} else {
			require.Equal(t, []string{"BOS", "JFK", "SFO"}[i%3], v)
		}
	}
}

// concatRecord concatenates records into one (dictionaries unified).
func concatRecord(sc *arrow.Schema, recs []arrow.Record) (arrow.Record, error) {
	cols := make([]arrow.Array, sc.NumFields())
	for i := range cols {
		var parts []arrow.Array
		for _, r := range recs {
			parts = append(parts, r.Column(i))
		}
		a, err := array.Concatenate(parts, memory.DefaultAllocator)
		if err != nil {
			return nil, err
		}
		cols[i] = a
	}
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return array.NewRecord(sc, cols, n), nil
}
