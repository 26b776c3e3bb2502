package reload

import (
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/stretchr/testify/require"
)

var genColumnar = flag.Bool("gen-columnar", false, "rewrite testdata/data/orders.{parquet,arrow,arrows}")

// TestGenerateColumnarData writes the Parquet and Arrow IPC files the
// golden scripts read (testdata/data/orders.*): 60 orders in three row
// groups (record batches), with NULLs, a dictionary column, decimals,
// booleans, dates and UTC timestamps. Run with -gen-columnar; the files
// are committed.
func TestGenerateColumnarData(t *testing.T) {
	if !*genColumnar {
		t.Skip("run with -gen-columnar to rewrite the files")
	}
	region := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int8, ValueType: arrow.BinaryTypes.String}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "OrderId", Type: arrow.PrimitiveTypes.Int32},
		{Name: "Region", Type: region, Nullable: true},
		{Name: "Amount", Type: &arrow.Decimal128Type{Precision: 9, Scale: 2}, Nullable: true},
		{Name: "Shipped", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "OrderDate", Type: arrow.FixedWidthTypes.Date32},
		{Name: "Created", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
		{Name: "Note", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "Discount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	regions := []string{"North", "South", "East", "West"}
	notes := []string{"", "gift", "rush", "fragile, handle with care"}
	base := time.Date(2024, 1, 1, 8, 0, 0, 0, time.UTC)
	var recs []arrow.Record
	for g := range 3 {
		rb := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for k := range 20 {
			i := g*20 + k
			rb.Field(0).(*array.Int32Builder).Append(int32(1001 + i))
			if i%9 == 4 {
				rb.Field(1).AppendNull()
			} else {
				require.NoError(t, rb.Field(1).(*array.BinaryDictionaryBuilder).AppendString(regions[(i*7)%4]))
			}
			if i%11 == 10 {
				rb.Field(2).AppendNull()
			} else {
				rb.Field(2).(*array.Decimal128Builder).Append(decimal128.FromI64(int64(1999 + i*i*37%9000)))
			}
			switch i % 5 {
			case 0:
				rb.Field(3).AppendNull()
			default:
				rb.Field(3).(*array.BooleanBuilder).Append(i%3 != 0)
			}
			day := base.AddDate(0, 0, i%17)
			rb.Field(4).(*array.Date32Builder).Append(arrow.Date32FromTime(day))
			at := day.Add(time.Duration(i*37) * time.Minute)
			rb.Field(5).(*array.TimestampBuilder).Append(arrow.Timestamp(at.UnixMilli()))
			if i%6 == 5 {
				rb.Field(6).AppendNull()
			} else {
				rb.Field(6).(*array.StringBuilder).Append(notes[i%4])
			}
			if i%8 == 7 {
				rb.Field(7).AppendNull()
			} else {
				rb.Field(7).(*array.Float64Builder).Append(float64(i%4) * 0.05)
			}
		}
		recs = append(recs, rb.NewRecord())
		rb.Release()
	}
	dir := filepath.Join("testdata", "data")
	require.NoError(t, writeParquetFile(t, filepath.Join(dir, "orders.parquet"), sc, recs, parquet.WithMaxRowGroupLength(20)))
	one, err := concatRecord(sc, recs)
	require.NoError(t, err)
	writeIPCFile(t, filepath.Join(dir, "orders.arrow"), sc, []arrow.Record{one}, false)
	writeIPCFile(t, filepath.Join(dir, "orders.arrows"), sc, recs, true)
}
