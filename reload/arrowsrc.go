package reload

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/float16"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/symbols"
)

// Columnar sources: Parquet and Arrow IPC files both arrive as Arrow
// record batches, and both go through the code of this file. Every source
// field is a column of the record (a struct column is flattened into one
// field per leaf, named parent.child as Qlik names the members of nested
// data), and every column has a conv that turns its values into Qlik
// values [Proposed, documented in docs/load-script.md]:
//
//   - booleans are -1 (true) and 0 (false), Qlik's truth values;
//   - integers, floats and decimals are numbers; NaN and ±Inf are NULL;
//     float32 values keep their shortest decimal form (0.1, not
//     0.100000001490116); a decimal keeps its exact digits as text;
//   - strings are texts, never number-interpreted (the source is typed);
//     binary values are texts when they are valid UTF-8, else lower-case
//     hex; fixed-size binary values (UUIDs, hashes) are hex;
//   - date32/date64 are dates and timestamps (all units) are timestamps:
//     a serial number (days since 1899-12-30) shown with the script's
//     DateFormat or TimestampFormat; a timestamp with a time zone is
//     shown as the wall-clock time of that zone, one without as stored;
//     time32/time64 are times (TimeFormat), durations intervals;
//   - dictionary-encoded columns map their indices: each dictionary entry
//     is interned once, the first time a record uses it (so symbols keep
//     first-load order), and rows only look up an index;
//   - lists, maps, unions and other nested values are their JSON text.
//
// The batch path (fastPlan) fills a copied field a whole column at a time
// with internColumn; expressions, WHERE and the record-at-a-time path read
// single values with value.

// colBatch is a batch whose fields are interned a whole column at a time
// (typed columnar sources: Parquet, Arrow IPC, JSON).
type colBatch interface {
	batch
	// internColumn writes to dst (resized) the codes in f of field col
	// for the selected records and returns them with the largest one. st
	// is the per-output-field state kept from batch to batch.
	internColumn(col int, f *field, sel []int32, st *colState, dst []uint32) ([]uint32, uint32, error)
}

// colState is what one output field remembers between batches of a
// columnar source.
type colState struct {
	buf []uint32
	// dict is the dictionary dictCodes maps (index -> code, 0 not yet
	// interned); a batch with another dictionary starts a new map.
	dict      arrow.ArrayData
	dictCodes []uint32
	nums      []float64
	valid     []bool
}

// convKind says how the values of an Arrow type become Qlik values.
type convKind uint8

const (
	cvNull      convKind = iota // the null type: every value is NULL
	cvBool                      // -1 / 0
	cvInt                       // int8 … int64, uint8 … uint64
	cvFloat                     // float16, float32, float64
	cvDecimal                   // decimal128, decimal256: number, exact text
	cvString                    // utf8, large_utf8, utf8_view
	cvBinary                    // binary, large_binary, binary_view: UTF-8 text or hex
	cvFixedBin                  // fixed_size_binary: hex
	cvDate                      // date32, date64 (whole days)
	cvTimestamp                 // timestamp, date64 with a time of day
	cvTime                      // time32, time64
	cvDuration                  // duration: an interval
	cvDict                      // dictionary: see elem
	cvOther                     // lists, maps, unions, intervals …: JSON text
)

// conv converts the values of one column.
type conv struct {
	kind   convKind
	perDay float64        // units per day (timestamps, times, durations)
	zone   *time.Location // timestamps: the wall clock to show; nil as stored
	scale  int32          // decimals
	f32    bool           // float32: keep the shortest float32 text
	f16    bool
	elem   *conv // dictionary values
	loc    *numfmt.Locale
}

// arrowCol is one field of a columnar source: column top of the records,
// or a leaf below it through struct children path.
type arrowCol struct {
	name string
	top  int
	path []int
	cv   *conv
}

// newConv returns the conversion of the Arrow type dt.
func newConv(dt arrow.DataType, loc *numfmt.Locale) (*conv, error) {
	cv := &conv{loc: loc}
	switch t := dt.(type) {
	case *arrow.NullType:
		cv.kind = cvNull
	case *arrow.BooleanType:
		cv.kind = cvBool
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		cv.kind = cvInt
	case *arrow.Float16Type:
		cv.kind, cv.f16 = cvFloat, true
	case *arrow.Float32Type:
		cv.kind, cv.f32 = cvFloat, true
	case *arrow.Float64Type:
		cv.kind = cvFloat
	case *arrow.Decimal128Type:
		cv.kind, cv.scale = cvDecimal, t.Scale
	case *arrow.Decimal256Type:
		cv.kind, cv.scale = cvDecimal, t.Scale
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		cv.kind = cvString
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		cv.kind = cvBinary
	case *arrow.FixedSizeBinaryType:
		cv.kind = cvFixedBin
	case *arrow.Date32Type:
		cv.kind = cvDate
	case *arrow.Date64Type:
		cv.kind, cv.perDay = cvDate, 86_400_000
	case *arrow.TimestampType:
		cv.kind, cv.perDay = cvTimestamp, unitsPerDay(t.Unit)
		if t.TimeZone != "" {
			z, err := t.GetZone()
			if err != nil {
				return nil, fmt.Errorf("unknown time zone %q", t.TimeZone)
			}
			if z != time.UTC {
				cv.zone = z
			}
		}
	case *arrow.Time32Type:
		cv.kind, cv.perDay = cvTime, unitsPerDay(t.Unit)
	case *arrow.Time64Type:
		cv.kind, cv.perDay = cvTime, unitsPerDay(t.Unit)
	case *arrow.DurationType:
		cv.kind, cv.perDay = cvDuration, unitsPerDay(t.Unit)
	case *arrow.DictionaryType:
		if !arrow.IsInteger(t.IndexType.ID()) {
			return nil, fmt.Errorf("dictionary with %s indices", t.IndexType)
		}
		elem, err := newConv(t.ValueType, loc)
		if err != nil {
			return nil, err
		}
		if elem.kind == cvDict {
			return nil, fmt.Errorf("nested dictionaries")
		}
		cv.kind, cv.elem = cvDict, elem
	case arrow.ExtensionType:
		return newConv(t.StorageType(), loc)
	default:
		cv.kind = cvOther
	}
	return cv, nil
}

func unitsPerDay(u arrow.TimeUnit) float64 {
	switch u {
	case arrow.Second:
		return 86_400
	case arrow.Millisecond:
		return 86_400e3
	case arrow.Microsecond:
		return 86_400e6
	}
	return 86_400e9
}

// arrowColumns lists the fields of a schema: one per top-level column,
// struct columns flattened into parent.child leaves.
func arrowColumns(sc *arrow.Schema, loc *numfmt.Locale) ([]arrowCol, error) {
	var cols []arrowCol
	var walk func(name string, dt arrow.DataType, top int, path []int) error
	walk = func(name string, dt arrow.DataType, top int, path []int) error {
		if st, ok := dt.(*arrow.StructType); ok && st.NumFields() > 0 {
			for i, f := range st.Fields() {
				if err := walk(name+"."+f.Name, f.Type, top, append(append([]int(nil), path...), i)); err != nil {
					return err
				}
			}
			return nil
		}
		cv, err := newConv(dt, loc)
		if err != nil {
			return fmt.Errorf("field %s: %s is %w", quoteField(name), err, ErrNotSupported)
		}
		cols = append(cols, arrowCol{name: name, top: top, path: path, cv: cv})
		return nil
	}
	for i, f := range sc.Fields() {
		if err := walk(f.Name, f.Type, i, nil); err != nil {
			return nil, err
		}
	}
	return cols, nil
}

// arrowBatch is one record batch of a columnar source.
type arrowBatch struct {
	cols []arrowCol
	arrs []arrow.Array   // per field: its values (nil: not read)
	anc  [][]arrow.Array // per field: struct ancestors that have NULLs
	base int64           // records before this batch
	n    int
	name string // the source, for errors
}

// newArrowBatch takes the leaves of rec's columns; read tells which
// fields are wanted (nil: all) and recIdx where each schema column is in
// rec (nil: at its own index). The arrays are checked first, so that a
// corrupt file cannot make a later access go out of bounds.
func newArrowBatch(cols []arrowCol, read []bool, rec arrow.Record, recIdx []int, base int64, name string) (b *arrowBatch, err error) {
	defer func() {
		// Arrow builds some arrays (dictionaries) on first use and
		// panics when their buffers do not match their lengths.
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("corrupt data (%v)", r)
		}
	}()
	b = &arrowBatch{cols: cols, arrs: make([]arrow.Array, len(cols)), anc: make([][]arrow.Array, len(cols)),
		base: base, n: int(rec.NumRows()), name: name}
	checked := map[int]bool{}
	for i, c := range cols {
		if read != nil && !read[i] {
			continue
		}
		k := c.top
		if recIdx != nil {
			k = recIdx[k]
		}
		if k < 0 || k >= int(rec.NumCols()) {
			return nil, fmt.Errorf("a record batch has %d columns, the schema more", rec.NumCols())
		}
		a := rec.Column(k)
		if a.Len() != b.n {
			return nil, fmt.Errorf("column %d has %d values in a batch of %d records", c.top+1, a.Len(), b.n)
		}
		if !checked[c.top] {
			if err := checkArray(a, 0); err != nil {
				return nil, fmt.Errorf("field %s: %w", quoteField(c.name), err)
			}
			checked[c.top] = true
		}
		for _, k := range c.path {
			st, ok := a.(*array.Struct)
			if !ok || k >= st.NumField() {
				return nil, fmt.Errorf("field %s: the data does not match the schema", quoteField(c.name))
			}
			if st.NullN() > 0 {
				b.anc[i] = append(b.anc[i], st)
			}
			a = st.Field(k)
		}
		if a.Len() != b.n {
			return nil, fmt.Errorf("field %s has %d values in a batch of %d records", quoteField(c.name), a.Len(), b.n)
		}
		b.arrs[i] = a
	}
	return b, nil
}

func (b *arrowBatch) len() int          { return b.n }
func (b *arrowBatch) recNo(r int) int64 { return b.base + int64(r) + 1 }

func (b *arrowBatch) null(col, r int) bool {
	if b.arrs[col].IsNull(r) {
		return true
	}
	for _, a := range b.anc[col] {
		if a.IsNull(r) {
			return true
		}
	}
	return false
}

func (b *arrowBatch) value(r, col int) expr.Value {
	a := b.arrs[col]
	if a == nil || b.null(col, r) {
		return expr.Null()
	}
	return b.cols[col].cv.value(a, r)
}

// value converts value i of a (not NULL) for the record-at-a-time path.
// Texts are copied: the batch's memory is reused once it is consumed.
func (cv *conv) value(a arrow.Array, i int) expr.Value {
	switch cv.kind {
	case cvNull:
		return expr.Null()
	case cvString, cvBinary, cvFixedBin, cvOther:
		s, ok := cv.text(a, i)
		if !ok {
			return expr.Null()
		}
		return expr.Str(strings.Clone(s))
	case cvDict:
		d := a.(*array.Dictionary)
		j := d.GetValueIndex(i)
		da := d.Dictionary()
		if da.IsNull(j) {
			return expr.Null()
		}
		return cv.elem.value(da, j)
	}
	x, ok := cv.num(a, i)
	if !ok {
		return expr.Null()
	}
	if s := cv.numText(a, i, x); s != "" {
		return expr.Dual(x, s)
	}
	return expr.FromDual(symbols.Number(x))
}

// num returns the number of value i (a number kind), false for NaN and
// infinities.
func (cv *conv) num(a arrow.Array, i int) (float64, bool) {
	var x float64
	switch a := a.(type) {
	case *array.Boolean:
		if a.Value(i) {
			return -1, true
		}
		return 0, true
	case *array.Int8:
		x = float64(a.Value(i))
	case *array.Int16:
		x = float64(a.Value(i))
	case *array.Int32:
		x = float64(a.Value(i))
	case *array.Int64:
		x = float64(a.Value(i))
	case *array.Uint8:
		x = float64(a.Value(i))
	case *array.Uint16:
		x = float64(a.Value(i))
	case *array.Uint32:
		x = float64(a.Value(i))
	case *array.Uint64:
		x = float64(a.Value(i))
	case *array.Float16:
		x = shortFloat16(a.Value(i))
	case *array.Float32:
		x = shortFloat(float64(a.Value(i)), 32)
	case *array.Float64:
		x = a.Value(i)
	case *array.Decimal128:
		x = a.Value(i).ToFloat64(cv.scale)
	case *array.Decimal256:
		x = a.Value(i).ToFloat64(cv.scale)
	case *array.Date32:
		x = float64(a.Value(i)) + unixEpochSerial
	case *array.Date64:
		x = cv.serial(int64(a.Value(i)))
	case *array.Timestamp:
		x = cv.serial(int64(a.Value(i)))
	case *array.Time32:
		x = float64(a.Value(i)) / cv.perDay
	case *array.Time64:
		x = float64(a.Value(i)) / cv.perDay
	case *array.Duration:
		x = float64(a.Value(i)) / cv.perDay
	default:
		return 0, false
	}
	if x-x != 0 {
		return 0, false
	}
	return x, true
}

// unixEpochSerial is the serial number of 1970-01-01.
const unixEpochSerial = 25569

// serial turns a count of units since 1970-01-01 00:00 UTC into a serial
// number, in the column's time zone when it has one.
func (cv *conv) serial(v int64) float64 {
	per := int64(cv.perDay)
	days, rem := v/per, v%per
	if rem < 0 {
		days, rem = days-1, rem+per
	}
	if cv.zone != nil {
		sec := days*86400 + int64(float64(rem)/cv.perDay*86400)
		_, off := time.Unix(sec, 0).In(cv.zone).Zone()
		rem += int64(off) * per / 86400
		for rem >= per {
			days, rem = days+1, rem-per
		}
		for rem < 0 {
			days, rem = days-1, rem+per
		}
	}
	return float64(days+unixEpochSerial) + float64(rem)/cv.perDay
}

// shortFloat returns the float64 nearest to the shortest decimal form of
// x as a float of bits bits.
func shortFloat(x float64, bits int) float64 {
	if x-x != 0 || x == math.Trunc(x) && math.Abs(x) < 1<<24 {
		return x
	}
	y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', -1, bits), 64)
	if err != nil {
		return x
	}
	return y
}

// shortFloat16 returns the float64 nearest to the shortest decimal form
// of a half-precision float.
func shortFloat16(v float16.Num) float64 {
	x := float64(v.Float32())
	if x-x != 0 || x == math.Trunc(x) {
		return x
	}
	for p := 1; p < 6; p++ {
		y, err := strconv.ParseFloat(strconv.FormatFloat(x, 'g', p, 64), 64)
		if err == nil && float16.New(float32(y)) == v {
			return y
		}
	}
	return x
}

// numText returns the text of a number value when it is not the number's
// default rendering: formatted dates and times, a decimal's digits.
func (cv *conv) numText(a arrow.Array, i int, x float64) string {
	switch cv.kind {
	case cvDecimal:
		switch a := a.(type) {
		case *array.Decimal128:
			return a.Value(i).ToString(cv.scale)
		case *array.Decimal256:
			return a.Value(i).ToString(cv.scale)
		}
	case cvDate, cvTimestamp, cvTime, cvDuration:
		return cv.format(x)
	}
	return ""
}

// format renders a date, time, timestamp or interval serial.
func (cv *conv) format(x float64) string {
	switch cv.kind {
	case cvDate:
		if x == math.Trunc(x) {
			return numfmt.FormatDate(x, cv.loc.DateFormat, cv.loc)
		}
		return numfmt.FormatTimestamp(x, cv.loc.TimestampFormat, cv.loc)
	case cvTimestamp:
		return numfmt.FormatTimestamp(x, cv.loc.TimestampFormat, cv.loc)
	case cvTime:
		return numfmt.FormatTime(x, cv.loc.TimeFormat, cv.loc)
	case cvDuration:
		return numfmt.FormatInterval(x, "", cv.loc)
	}
	return symbols.FormatNumber(x)
}

// formatted reports whether numbers of this kind get a text of their own.
func (cv *conv) formatted() bool {
	switch cv.kind {
	case cvDecimal, cvDate, cvTimestamp, cvTime, cvDuration:
		return true
	}
	return false
}

// text returns the text of value i of a text kind. The text may share
// the array's memory.
func (cv *conv) text(a arrow.Array, i int) (string, bool) {
	switch a := a.(type) {
	case *array.String:
		return a.Value(i), true
	case *array.LargeString:
		return a.Value(i), true
	case *array.StringView:
		return a.Value(i), true
	case *array.Binary:
		return binaryText(a.Value(i)), true
	case *array.LargeBinary:
		return binaryText(a.Value(i)), true
	case *array.BinaryView:
		return binaryText(a.Value(i)), true
	case *array.FixedSizeBinary:
		return hex.EncodeToString(a.Value(i)), true
	}
	v := a.GetOneForMarshal(i)
	if s, ok := v.(string); ok {
		return s, true
	}
	js, err := json.Marshal(v)
	if err != nil {
		return a.ValueStr(i), true
	}
	return string(js), true
}

// binaryText is a binary value as text: itself when it is valid UTF-8,
// else its bytes in hex.
func binaryText(b []byte) string {
	if utf8.Valid(b) {
		return bytesView(b)
	}
	return hex.EncodeToString(b)
}

// internColumn implements colBatch.
func (b *arrowBatch) internColumn(col int, f *field, sel []int32, st *colState, dst []uint32) (out []uint32, mx uint32, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot read %s: field %s: corrupt or unexpected data (%v)", b.name, quoteField(b.cols[col].name), r)
		}
	}()
	dst = resize(dst, len(sel))
	a := b.arrs[col]
	if a == nil {
		clear(dst)
		return dst, 0, nil
	}
	cv := b.cols[col].cv
	syms := f.syms
	mx = cv.intern(a, sel, syms, st, dst)
	if len(b.anc[col]) > 0 {
		mx = 0
		for i, r := range sel {
			for _, p := range b.anc[col] {
				if p.IsNull(int(r)) {
					dst[i] = 0
				}
			}
			mx = max(mx, dst[i])
		}
	}
	return dst, mx, nil
}

func resize(s []uint32, n int) []uint32 {
	if cap(s) < n {
		return make([]uint32, n)
	}
	return s[:n]
}

// intern writes the codes of the selected values of a to dst and returns
// the largest.
func (cv *conv) intern(a arrow.Array, sel []int32, syms *symbols.Table, st *colState, dst []uint32) uint32 {
	switch cv.kind {
	case cvNull:
		clear(dst)
		return 0
	case cvString:
		return internStrings(a, sel, syms, dst)
	case cvDict:
		return cv.internDict(a.(*array.Dictionary), sel, syms, st, dst)
	case cvBinary, cvFixedBin, cvOther:
		var mx uint32
		prev, prevCode := "", uint32(0)
		for i, r := range sel {
			if a.IsNull(int(r)) {
				dst[i] = 0
				continue
			}
			s, _ := cv.text(a, int(r))
			if prevCode == 0 || s != prev {
				prev, prevCode = s, syms.InternText(s)+1
			}
			dst[i] = prevCode
			mx = max(mx, prevCode)
		}
		return mx
	}
	nums, valid := cv.nums(a, st)
	var mx uint32
	havePrev, prevX, prevCode := false, 0.0, uint32(0)
	fmtd := cv.formatted()
	for i, r := range sel {
		if !valid[r] {
			dst[i] = 0
			continue
		}
		x := nums[r]
		if !havePrev || x != prevX {
			var id uint32
			if fmtd {
				var ok bool
				if id, ok = syms.LookupNum(x); !ok {
					id = syms.InternNum(x, cv.numText(a, int(r), x))
				}
			} else {
				id = syms.InternNum(x, "")
			}
			havePrev, prevX, prevCode = true, x, id+1
		}
		dst[i] = prevCode
		mx = max(mx, prevCode)
	}
	return mx
}

// internOne interns value i of a and returns its code (0: NULL).
func (cv *conv) internOne(a arrow.Array, i int, syms *symbols.Table) uint32 {
	if a.IsNull(i) {
		return 0
	}
	switch cv.kind {
	case cvNull:
		return 0
	case cvString, cvBinary, cvFixedBin, cvOther:
		s, _ := cv.text(a, i)
		return syms.InternText(s) + 1
	case cvDict:
		panic("BUG: internOne on a dictionary")
	}
	x, ok := cv.num(a, i)
	if !ok {
		return 0
	}
	if cv.formatted() {
		if id, ok := syms.LookupNum(x); ok {
			return id + 1
		}
		return syms.InternNum(x, cv.numText(a, i, x)) + 1
	}
	return syms.InternNum(x, "") + 1
}

// nums converts every value of a number kind to st.nums (valid false for
// NULL, NaN and infinities).
func (cv *conv) nums(a arrow.Array, st *colState) ([]float64, []bool) {
	n := a.Len()
	if cap(st.nums) < n {
		st.nums, st.valid = make([]float64, n), make([]bool, n)
	}
	nums, valid := st.nums[:n], st.valid[:n]
	switch a := a.(type) {
	case *array.Int8:
		convInts(a.Int8Values(), nums)
	case *array.Int16:
		convInts(a.Int16Values(), nums)
	case *array.Int32:
		convInts(a.Int32Values(), nums)
	case *array.Int64:
		convInts(a.Int64Values(), nums)
	case *array.Uint8:
		convInts(a.Uint8Values(), nums)
	case *array.Uint16:
		convInts(a.Uint16Values(), nums)
	case *array.Uint32:
		convInts(a.Uint32Values(), nums)
	case *array.Uint64:
		convInts(a.Uint64Values(), nums)
	case *array.Float64:
		copy(nums, a.Float64Values())
	case *array.Float32:
		for i, v := range a.Float32Values() {
			nums[i] = shortFloat(float64(v), 32)
		}
	case *array.Float16:
		for i, v := range a.Values() {
			nums[i] = shortFloat16(v)
		}
	case *array.Date32:
		for i, v := range a.Date32Values() {
			nums[i] = float64(v) + unixEpochSerial
		}
	case *array.Date64:
		for i, v := range a.Date64Values() {
			nums[i] = cv.serial(int64(v))
		}
	case *array.Timestamp:
		cv.serials(a.TimestampValues(), nums)
	case *array.Time32:
		for i, v := range a.Time32Values() {
			nums[i] = float64(v) / cv.perDay
		}
	case *array.Time64:
		for i, v := range a.Time64Values() {
			nums[i] = float64(v) / cv.perDay
		}
	case *array.Duration:
		for i, v := range a.DurationValues() {
			nums[i] = float64(v) / cv.perDay
		}
	default:
		for i := range n {
			if !a.IsNull(i) {
				nums[i], valid[i] = cv.num(a, i)
			} else {
				valid[i] = false
			}
		}
		return nums, valid
	}
	if a.NullN() == 0 {
		for i := range valid {
			valid[i] = true
		}
	} else {
		for i := range valid {
			valid[i] = a.IsValid(i)
		}
	}
	for i, x := range nums {
		if x-x != 0 {
			valid[i] = false
		}
	}
	return nums, valid
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

func convInts[T integer](vs []T, dst []float64) {
	for i, v := range vs {
		dst[i] = float64(v)
	}
}

// serials converts timestamps; runs of values in the same hour of a
// zone's offset share one zone lookup.
func (cv *conv) serials(vs []arrow.Timestamp, dst []float64) {
	if cv.zone == nil {
		for i, v := range vs {
			dst[i] = cv.serial(int64(v))
		}
		return
	}
	per := int64(cv.perDay)
	perSec := per / 86400
	if perSec == 0 {
		perSec = 1
	}
	var lo, hi int64 = 1, 0 // the validity range of off, in units
	var off int64
	for i, v := range vs {
		t := int64(v)
		if t < lo || t >= hi {
			sec := t / perSec
			if t%perSec < 0 {
				sec--
			}
			tm := time.Unix(sec, 0).In(cv.zone)
			_, o := tm.Zone()
			off = int64(o)
			start, end := tm.ZoneBounds()
			lo, hi = math.MinInt64, math.MaxInt64
			if !start.IsZero() && start.Unix() > math.MinInt64/perSec {
				lo = start.Unix() * perSec
			}
			if !end.IsZero() && end.Unix() < math.MaxInt64/perSec {
				hi = end.Unix() * perSec
			}
		}
		w := t + off*perSec
		days, rem := w/per, w%per
		if rem < 0 {
			days, rem = days-1, rem+per
		}
		dst[i] = float64(days+unixEpochSerial) + float64(rem)/cv.perDay
	}
}

// internStrings interns the selected values of a string array.
func internStrings(a arrow.Array, sel []int32, syms *symbols.Table, dst []uint32) uint32 {
	var mx uint32
	prev, prevCode := "", uint32(0)
	put := func(i int, s string) {
		if prevCode == 0 || s != prev {
			prev, prevCode = s, syms.InternText(s)+1
		}
		dst[i] = prevCode
		mx = max(mx, prevCode)
	}
	nulls := a.NullN() > 0
	switch a := a.(type) {
	case *array.String:
		for i, r := range sel {
			if nulls && a.IsNull(int(r)) {
				dst[i] = 0
				continue
			}
			put(i, a.Value(int(r)))
		}
	case *array.LargeString:
		for i, r := range sel {
			if nulls && a.IsNull(int(r)) {
				dst[i] = 0
				continue
			}
			put(i, a.Value(int(r)))
		}
	case *array.StringView:
		for i, r := range sel {
			if nulls && a.IsNull(int(r)) {
				dst[i] = 0
				continue
			}
			put(i, a.Value(int(r)))
		}
	default:
		panic(fmt.Sprintf("BUG: internStrings on %T", a))
	}
	return mx
}

// internDict interns the selected values of a dictionary array: each
// dictionary entry once, the first time it is used.
func (cv *conv) internDict(d *array.Dictionary, sel []int32, syms *symbols.Table, st *colState, dst []uint32) uint32 {
	dict := d.Dictionary()
	if st.dict != dict.Data() {
		st.dict = dict.Data()
		st.dictCodes = make([]uint32, dict.Len())
	}
	codes := st.dictCodes
	code := func(j int) uint32 {
		c := codes[j]
		if c == 0 {
			c = cv.elem.internOne(dict, j, syms)
			codes[j] = c
		}
		return c
	}
	var mx uint32
	nulls := d.NullN() > 0
	if ix, ok := d.Indices().(*array.Int32); ok {
		vs := ix.Int32Values()
		for i, r := range sel {
			if nulls && d.IsNull(int(r)) {
				dst[i] = 0
				continue
			}
			c := code(int(vs[r]))
			dst[i] = c
			mx = max(mx, c)
		}
		return mx
	}
	for i, r := range sel {
		if nulls && d.IsNull(int(r)) {
			dst[i] = 0
			continue
		}
		c := code(d.GetValueIndex(int(r)))
		dst[i] = c
		mx = max(mx, c)
	}
	return mx
}

// checkArray checks that the buffers of a hold what its accessors will
// read: offsets inside the data, dictionary indices inside the
// dictionary, views inside their buffers, validity bitmaps long enough.
// Files are not trusted.
func checkArray(a arrow.Array, depth int) error {
	if depth > 64 {
		return fmt.Errorf("nesting deeper than 64 levels")
	}
	d := a.Data()
	n, off := d.Len(), d.Offset()
	if n < 0 || off < 0 {
		return fmt.Errorf("negative length or offset")
	}
	bufs := d.Buffers()
	if len(bufs) > 0 && bufs[0] != nil && bufs[0].Len()*8 < off+n {
		return fmt.Errorf("validity bitmap of %d bytes for %d values", bufs[0].Len(), off+n)
	}
	switch a := a.(type) {
	case *array.Boolean:
		if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len()*8 < off+n {
			return fmt.Errorf("boolean values too short")
		}
	case *array.FixedSizeBinary:
		w := a.DataType().(*arrow.FixedSizeBinaryType).ByteWidth
		if w < 0 || len(bufs) < 2 || (n > 0 && (bufs[1] == nil || bufs[1].Len() < (off+n)*w)) {
			return fmt.Errorf("fixed-size binary values too short")
		}
	case *array.String:
		return checkOffsets(a.ValueOffsets(), len(stringBytes(a)))
	case *array.LargeString:
		return checkOffsets(a.ValueOffsets(), len(largeStringBytes(a)))
	case *array.Binary:
		return checkOffsets(a.ValueOffsets(), binaryLen(a.Data()))
	case *array.LargeBinary:
		return checkOffsets(a.ValueOffsets(), binaryLen(a.Data()))
	case *array.StringView:
		return checkViews(a, a.Data())
	case *array.BinaryView:
		return checkViews(a, a.Data())
	case *array.Dictionary:
		if err := checkArray(a.Dictionary(), depth+1); err != nil {
			return err
		}
		m := a.Dictionary().Len()
		for i := range a.Len() {
			if a.IsNull(i) {
				continue
			}
			if j := a.GetValueIndex(i); j < 0 || j >= m {
				return fmt.Errorf("dictionary index %d outside a dictionary of %d values", j, m)
			}
		}
	case *array.Struct:
		for i := range a.NumField() {
			if a.Field(i).Len() < n {
				return fmt.Errorf("struct member shorter than the struct")
			}
			if err := checkArray(a.Field(i), depth+1); err != nil {
				return err
			}
		}
	case *array.List:
		if err := checkOffsets(a.Offsets(), a.ListValues().Len()); err != nil {
			return err
		}
		return checkArray(a.ListValues(), depth+1)
	case *array.LargeList:
		if err := checkOffsets(a.Offsets(), a.ListValues().Len()); err != nil {
			return err
		}
		return checkArray(a.ListValues(), depth+1)
	case *array.Map:
		if err := checkOffsets(a.Offsets(), a.ListValues().Len()); err != nil {
			return err
		}
		return checkArray(a.ListValues(), depth+1)
	case *array.FixedSizeList:
		w := int(a.DataType().(*arrow.FixedSizeListType).Len())
		if w < 0 || a.ListValues().Len() < (off+n)*w {
			return fmt.Errorf("fixed-size list values too short")
		}
		return checkArray(a.ListValues(), depth+1)
	}
	return nil
}

type offset interface{ ~int32 | ~int64 }

func checkOffsets[T offset](offs []T, size int) error {
	for i, o := range offs {
		if o < 0 || int64(o) > int64(size) || i > 0 && o < offs[i-1] {
			return fmt.Errorf("value offset %d out of order or outside %d bytes of data", o, size)
		}
	}
	return nil
}

func stringBytes(a *array.String) string {
	if bufs := a.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		return bytesView(bufs[2].Bytes())
	}
	return ""
}

func largeStringBytes(a *array.LargeString) string {
	if bufs := a.Data().Buffers(); len(bufs) > 2 && bufs[2] != nil {
		return bytesView(bufs[2].Bytes())
	}
	return ""
}

func binaryLen(d arrow.ArrayData) int {
	if bufs := d.Buffers(); len(bufs) > 2 && bufs[2] != nil {
		return bufs[2].Len()
	}
	return 0
}

type viewArray interface {
	arrow.Array
	ValueHeader(int) *arrow.ViewHeader
}

func checkViews(a viewArray, d arrow.ArrayData) error {
	bufs := d.Buffers()
	if len(bufs) < 2 || bufs[1] == nil || bufs[1].Len() < (d.Offset()+d.Len())*arrow.ViewHeaderSizeBytes {
		return fmt.Errorf("view buffer too short")
	}
	data := bufs[2:]
	for i := range a.Len() {
		if a.IsNull(i) {
			continue
		}
		h := a.ValueHeader(i)
		if h.Len() < 0 {
			return fmt.Errorf("negative view length")
		}
		if h.IsInline() {
			continue
		}
		k, o := int(h.BufferIndex()), int(h.BufferOffset())
		if k < 0 || k >= len(data) || data[k] == nil || o < 0 || o+h.Len() > data[k].Len() {
			return fmt.Errorf("view outside its data buffer")
		}
	}
	return nil
}
