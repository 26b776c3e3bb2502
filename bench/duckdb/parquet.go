package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// readParquet streams the record batches of a Parquet file to fn.
func readParquet(ctx context.Context, path string, fn func(arrow.Record) error) (*arrow.Schema, error) {
	pf, err := file.OpenParquetFile(path, false)
	if err != nil {
		return nil, fmt.Errorf("cannot open %s: %w", path, err)
	}
	defer pf.Close()
	fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1 << 16}, memory.DefaultAllocator)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	rr, err := fr.GetRecordReader(ctx, nil, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot read the records of %s: %w", path, err)
	}
	defer rr.Release()
	for rr.Next() {
		if err := fn(rr.Record()); err != nil {
			return nil, fmt.Errorf("cannot load %s: %w", path, err)
		}
	}
	if err := rr.Err(); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("cannot read %s: %w", path, err)
	}
	return rr.Schema(), nil
}

// colLoader interns one Parquet column into a field's symbol table and
// collects its codes. Repeated raw values are looked up in a local memo,
// so a value's text is formatted once.
type colLoader struct {
	name  string
	syms  *symbols.Table
	codes *symbols.ColumnBuilder
	ints  map[int64]uint32
	flts  map[float64]uint32
}

func (c *colLoader) num(key int64, f float64, text func() string) uint32 {
	if code, ok := c.ints[key]; ok {
		return code
	}
	code := c.syms.InternNum(f, text()) + 1
	c.ints[key] = code
	return code
}

func (c *colLoader) text(s string) uint32 {
	if id, ok := c.syms.Lookup(symbols.Text(s)); ok {
		return id + 1
	}
	// Arrow's strings alias its buffers: keep a copy.
	return c.syms.InternText(strings.Clone(s)) + 1
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// decimalText renders an unscaled decimal with scale digits.
func decimalText(u int64, scale int32) string {
	s := strconv.FormatInt(u, 10)
	if scale <= 0 {
		return s
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for len(s) <= int(scale) {
		s = "0" + s
	}
	s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	if neg {
		s = "-" + s
	}
	return s
}

// decimalValue is the float64 nearest to u/10^scale (both exact in
// float64 when |u| < 2^53 and scale ≤ 22, so the division rounds once, as
// parsing the decimal text would).
func decimalValue(u int64, scale int32) float64 {
	if scale <= 0 || int(scale) >= len(pow10) {
		f, _ := strconv.ParseFloat(decimalText(u, scale), 64)
		return f
	}
	return float64(u) / pow10[scale]
}

// appendColumn interns the values of one batch column.
func (c *colLoader) appendColumn(col arrow.Array) error {
	n := col.Len()
	for j := range n {
		if col.IsNull(j) {
			c.codes.Append(0)
			continue
		}
		var code uint32
		switch a := col.(type) {
		case *array.String:
			code = c.text(a.Value(j))
		case *array.LargeString:
			code = c.text(a.Value(j))
		case *array.Boolean:
			code = c.text(strconv.FormatBool(a.Value(j)))
		case *array.Int8:
			code = c.intValue(int64(a.Value(j)))
		case *array.Int16:
			code = c.intValue(int64(a.Value(j)))
		case *array.Int32:
			code = c.intValue(int64(a.Value(j)))
		case *array.Int64:
			code = c.intValue(a.Value(j))
		case *array.Uint8:
			code = c.intValue(int64(a.Value(j)))
		case *array.Uint16:
			code = c.intValue(int64(a.Value(j)))
		case *array.Uint32:
			code = c.intValue(int64(a.Value(j)))
		case *array.Float32:
			code = c.floatValue(float64(a.Value(j)))
		case *array.Float64:
			code = c.floatValue(a.Value(j))
		case *array.Decimal128:
			// arrow/go/v17 (the module's Arrow, shared with package reload:
			// two Arrow versions cannot be linked together) reads every
			// Parquet decimal as decimal128.
			sc := a.DataType().(arrow.DecimalType).GetScale()
			v := a.Value(j)
			u := int64(v.LowBits())
			if v.HighBits() != u>>63 { // not a sign extension of the low word
				return fmt.Errorf("column %s: decimal %s does not fit 64 bits", c.name, v.BigInt())
			}
			code = c.num(u, decimalValue(u, sc), func() string { return decimalText(u, sc) })
		case *array.Date32:
			d := int64(a.Value(j))
			code = c.num(d, float64(d)+25569, func() string { return a.Value(j).ToTime().Format("2006-01-02") })
		case *array.Timestamp:
			unit := a.DataType().(*arrow.TimestampType).Unit
			t := a.Value(j).ToTime(unit).UTC()
			key := t.UnixNano()
			code = c.num(key, serial(t), func() string { return t.Format("2006-01-02 15:04:05") })
		default:
			return fmt.Errorf("column %s has type %s, which the loader does not read", c.name, col.DataType())
		}
		c.codes.Append(code)
	}
	return nil
}

func (c *colLoader) intValue(v int64) uint32 {
	return c.num(v, float64(v), func() string { return strconv.FormatInt(v, 10) })
}

func (c *colLoader) floatValue(f float64) uint32 {
	if code, ok := c.flts[f]; ok {
		return code
	}
	code := c.syms.InternNum(f, "") + 1
	c.flts[f] = code
	return code
}

// serial returns t as a serial date-time (days since 1899-12-30).
func serial(t time.Time) float64 { return float64(t.UnixMicro())/864e8 + 25569 }

// loadParquetModel reads a Parquet file into a one-table engine model
// through engine.Builder: each column becomes a field of the same name,
// strings text, integers and decimals numbers, dates and timestamps
// serial numbers with their date text.
func loadParquetModel(ctx context.Context, path, table string) (*engine.Model, int, error) {
	b := engine.NewBuilder(engine.Options{})
	var cols []*colLoader
	rows := 0
	schema, err := readParquet(ctx, path, func(rec arrow.Record) error {
		if cols == nil {
			for _, f := range rec.Schema().Fields() {
				cols = append(cols, &colLoader{name: f.Name, syms: b.Symbols(f.Name),
					codes: symbols.NewColumnBuilder(1 << 20), ints: map[int64]uint32{}, flts: map[float64]uint32{}})
			}
		}
		for i, col := range rec.Columns() {
			if err := cols[i].appendColumn(col); err != nil {
				return err
			}
		}
		rows += int(rec.NumRows())
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	fields := make([]string, len(schema.Fields()))
	packed := make([]*symbols.Column, len(fields))
	for i, f := range schema.Fields() {
		fields[i] = f.Name
		if i < len(cols) {
			packed[i] = cols[i].codes.Finish(uint32(cols[i].syms.Len()), symbols.Compact)
			cols[i].ints, cols[i].flts = nil, nil
		} else {
			packed[i] = symbols.NewColumnBuilder(0).Finish(0, symbols.Compact)
		}
	}
	if err := b.AddTable(table, fields, packed); err != nil {
		return nil, 0, fmt.Errorf("cannot add table %s from %s: %w", table, path, err)
	}
	m, err := b.Build()
	if err != nil {
		return nil, 0, fmt.Errorf("cannot build the model of %s: %w", path, err)
	}
	return m, rows, nil
}

// readFlightsSeed reads flights-3m.parquet (date, delay, distance, origin,
// destination) into a bench.FlightsSeed.
func readFlightsSeed(ctx context.Context, path string) (*bench.FlightsSeed, error) {
	seed := &bench.FlightsSeed{}
	strs := map[string]string{}
	str := func(s string) string {
		if v, ok := strs[s]; ok {
			return v
		}
		v := strings.Clone(s)
		strs[v] = v
		return v
	}
	_, err := readParquet(ctx, path, func(rec arrow.Record) error {
		idx := map[string]int{}
		for i, f := range rec.Schema().Fields() {
			idx[f.Name] = i
		}
		get := func(name string) (arrow.Array, error) {
			i, ok := idx[name]
			if !ok {
				return nil, fmt.Errorf("no column %q", name)
			}
			return rec.Column(i), nil
		}
		n := int(rec.NumRows())
		date, err := get("date")
		if err != nil {
			return err
		}
		ts, ok := date.(*array.Timestamp)
		if !ok {
			return fmt.Errorf("column date has type %s, not a timestamp", date.DataType())
		}
		unit := ts.DataType().(*arrow.TimestampType).Unit
		for j := range n {
			seed.Date = append(seed.Date, ts.Value(j).ToTime(unit).UTC())
		}
		for _, c := range []struct {
			name string
			dst  *[]int32
		}{{"delay", &seed.Delay}, {"distance", &seed.Distance}} {
			a, err := get(c.name)
			if err != nil {
				return err
			}
			for j := range n {
				v, err := intAt(a, j)
				if err != nil {
					return fmt.Errorf("column %s: %w", c.name, err)
				}
				*c.dst = append(*c.dst, int32(v))
			}
		}
		for _, c := range []struct {
			name string
			dst  *[]string
		}{{"origin", &seed.Origin}, {"destination", &seed.Destination}} {
			a, err := get(c.name)
			if err != nil {
				return err
			}
			s, ok := a.(interface{ Value(int) string })
			if !ok {
				return fmt.Errorf("column %s has type %s, not a string", c.name, a.DataType())
			}
			for j := range n {
				if a.IsNull(j) {
					return fmt.Errorf("column %s: NULL in row %d of a batch", c.name, j)
				}
				*c.dst = append(*c.dst, str(s.Value(j)))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return seed, nil
}

func intAt(a arrow.Array, j int) (int64, error) {
	if a.IsNull(j) {
		return 0, errors.New("NULL value")
	}
	switch a := a.(type) {
	case *array.Int64:
		return a.Value(j), nil
	case *array.Int32:
		return int64(a.Value(j)), nil
	case *array.Int16:
		return int64(a.Value(j)), nil
	case *array.Float64:
		if a.Value(j) != math.Trunc(a.Value(j)) {
			return 0, fmt.Errorf("%g is not an integer", a.Value(j))
		}
		return int64(a.Value(j)), nil
	}
	return 0, fmt.Errorf("type %s is not an integer", a.DataType())
}
