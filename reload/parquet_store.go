package reload

import (
	"bufio"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/reload/script"
)

// STORE … INTO file.parquet (parquet) writes one flat Parquet file with
// Arrow's writer [Proposed: the product's own type rules are not
// documented]. Each field becomes one optional column, typed by the
// values the table holds in it:
//
//   - every value a date ($date by the same test as the QVD writer's):
//     DATE; every value a date or timestamp ($timestamp): TIMESTAMP in
//     microseconds without time zone (the wall-clock time);
//   - every value a number: INT64 when all are integers of at most 2^53,
//     else DOUBLE — a dual keeps its number, not its text (001 is stored
//     as 1);
//   - otherwise STRING with every value's text (numbers included).
//
// NULL is a Parquet null. Columns are dictionary-encoded where it pays and
// compressed with Snappy unless "compression is" names another codec
// (uncompressed, snappy, gzip, zstd, brotli). Row groups hold up to 1M
// rows. The file is written under a temporary name and renamed into place.

const (
	storeBatchRows   = 1 << 16
	storeRowGroupLen = 1 << 20
)

// parquetCodec returns the codec of a STORE format specification.
func parquetCodec(spec *script.FormatSpec, c *stmtCtx) (compress.Compression, error) {
	codec := compress.Codecs.Snappy
	if spec == nil {
		return codec, nil
	}
	for _, item := range spec.Items {
		switch item.Kind {
		case script.FmtFileType:
			continue
		case script.FmtOther:
			low := lowerFields(item.Value)
			if v, ok := strings.CutPrefix(low, "compression is "); ok {
				switch strings.Trim(strings.TrimSpace(v), `'"[]`) {
				case "none", "uncompressed":
					codec = compress.Codecs.Uncompressed
				case "snappy":
					codec = compress.Codecs.Snappy
				case "gzip":
					codec = compress.Codecs.Gzip
				case "zstd":
					codec = compress.Codecs.Zstd
				case "brotli":
					codec = compress.Codecs.Brotli
				default:
					return codec, c.errorf(item.Pos, "STORE: Parquet compression %q is %w (uncompressed, snappy, gzip, zstd, brotli)", v, ErrNotSupported)
				}
				continue
			}
		}
		return codec, c.errorf(item.Pos, "STORE: format specification item %q is %w for Parquet files", describeItem(item), ErrNotSupported)
	}
	return codec, nil
}

// pqOutKind is the Parquet type of a stored field.
type pqOutKind uint8

const (
	pqOutString pqOutKind = iota
	pqOutInt
	pqOutFloat
	pqOutDate
	pqOutTimestamp
)

// parquetKind decides the column type of a stored field from the values
// its rows use.
func parquetKind(col *column, rows int, loc *numfmt.Locale) pqOutKind {
	syms := col.f.syms
	used := make([]bool, syms.Len()+1)
	for r := range rows {
		used[col.c.get(r)] = true
	}
	allNum, allInt := true, true
	for id := 1; id <= syms.Len(); id++ {
		if !used[id] {
			continue
		}
		x := syms.Num(uint32(id - 1))
		if x != x {
			allNum = false
			break
		}
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			allInt = false
		}
	}
	if !allNum {
		return pqOutString
	}
	switch dateTag(syms, loc) {
	case "$date":
		if allInt {
			return pqOutDate
		}
		return pqOutTimestamp
	case "$timestamp":
		return pqOutTimestamp
	}
	if allInt {
		return pqOutInt
	}
	return pqOutFloat
}

// writeParquet writes rows of cols to a Parquet file at p.
func writeParquet(p string, rows int, cols []*column, names []string, loc *numfmt.Locale, codec compress.Compression, check func() error) (err error) {
	kinds := make([]pqOutKind, len(cols))
	fields := make([]arrow.Field, len(cols))
	for i, col := range cols {
		kinds[i] = parquetKind(col, rows, loc)
		var dt arrow.DataType
		switch kinds[i] {
		case pqOutInt:
			dt = arrow.PrimitiveTypes.Int64
		case pqOutFloat:
			dt = arrow.PrimitiveTypes.Float64
		case pqOutDate:
			dt = arrow.FixedWidthTypes.Date32
		case pqOutTimestamp:
			dt = &arrow.TimestampType{Unit: arrow.Microsecond}
		default:
			dt = arrow.BinaryTypes.String
		}
		fields[i] = arrow.Field{Name: names[i], Type: dt, Nullable: true}
	}
	sc := arrow.NewSchema(fields, nil)
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	props := parquet.NewWriterProperties(
		parquet.WithCompression(codec),
		parquet.WithDictionaryDefault(true),
		parquet.WithMaxRowGroupLength(storeRowGroupLen),
		parquet.WithCreatedBy("assoc"),
	)
	fw, err := pqarrow.NewFileWriter(sc, w, props, pqarrow.DefaultWriterProps())
	if err != nil {
		return err
	}
	mem := memory.DefaultAllocator
	builders := make([]array.Builder, len(cols))
	for i := range cols {
		builders[i] = array.NewBuilder(mem, fields[i].Type)
	}
	for from := 0; from < rows || from == 0 && rows == 0; from += storeBatchRows {
		to := min(rows, from+storeBatchRows)
		if err := check(); err != nil {
			return err
		}
		arrs := make([]arrow.Array, len(cols))
		for i, col := range cols {
			appendColumn(builders[i], kinds[i], col, from, to)
			arrs[i] = builders[i].NewArray()
		}
		rec := array.NewRecord(sc, arrs, int64(to-from))
		for _, a := range arrs {
			a.Release()
		}
		if to > from {
			err = fw.WriteBuffered(rec)
		}
		rec.Release()
		if err != nil {
			return err
		}
		if rows == 0 {
			break
		}
	}
	if err := fw.Close(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// appendColumn appends rows [from, to) of col to b.
func appendColumn(b array.Builder, kind pqOutKind, col *column, from, to int) {
	syms := col.f.syms
	b.Reserve(to - from)
	for r := from; r < to; r++ {
		code := col.c.get(r)
		if code == 0 {
			b.AppendNull()
			continue
		}
		id := code - 1
		switch kind {
		case pqOutInt:
			b.(*array.Int64Builder).Append(int64(syms.Num(id)))
		case pqOutFloat:
			b.(*array.Float64Builder).Append(syms.Num(id))
		case pqOutDate:
			b.(*array.Date32Builder).Append(arrow.Date32(int32(syms.Num(id) - unixEpochSerial)))
		case pqOutTimestamp:
			us := math.Round((syms.Num(id) - unixEpochSerial) * 86_400e6)
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(int64(us)))
		default:
			b.(*array.StringBuilder).Append(syms.Text(id))
		}
	}
}

// storeParquet runs STORE … INTO … (parquet).
func (it *interp) storeParquet(s *script.Store, c *stmtCtx, p string, rows int, cols []*column, names []string) error {
	codec, err := parquetCodec(s.Format, c)
	if err != nil {
		return err
	}
	if err := writeParquet(p, rows, cols, names, it.locale(), codec, it.checkCtx); err != nil {
		return c.errorf(s.File.Pos, "STORE INTO %s: %w", s.File.Text, err)
	}
	return nil
}
