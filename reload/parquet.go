package reload

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/metadata"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// Parquet files are read with Apache Arrow's Go implementation (pqarrow)
// one row group at a time: a few row groups are decoded ahead on their own
// goroutines while the statement interns the batches of the current one,
// in file order. A string column whose pages are all dictionary-encoded
// is read as an Arrow dictionary, so that each distinct value is looked
// up at most once per batch and rows only map indices. Only the fields the
// statement uses are decoded. The columns of a row group are read on the
// row group's goroutine, not by pqarrow's record reader (whose parallel
// column readers would put a panic on a corrupt file out of reach).

// parquetBatchRows is the number of records of a batch.
const parquetBatchRows = 1 << 16

// checkTypedSpec rejects the format items that mean nothing for a typed
// file (Parquet, Arrow IPC, JSON).
func checkTypedSpec(spec *script.FormatSpec, what string, c *stmtCtx) error {
	if spec == nil {
		return nil
	}
	for _, item := range spec.Items {
		switch item.Kind {
		case script.FmtFileType, script.FmtLabels:
		case script.FmtCharset:
			if item.Value != "utf8" {
				return c.errorf(item.Pos, "%s files are UTF-8, not %s", what, item.Value)
			}
		case script.FmtTable:
			return c.errorf(item.Pos, "\"table is\" (a nested table of a %s file) is %w", what, ErrNotSupported)
		case script.FmtOther:
			if ipcSpellings[lowerFields(item.Value)] && what == "Arrow IPC" {
				continue
			}
			return c.errorf(item.Pos, "format specification item %q is %w for %s files", describeItem(item), ErrNotSupported, what)
		default:
			return c.errorf(item.Pos, "format specification item %q is %w for %s files", describeItem(item), ErrNotSupported, what)
		}
	}
	return nil
}

// describeItem renders a format specification item as it is written.
func describeItem(item script.FormatItem) string {
	q := func(v string) string {
		switch item.Quote {
		case 0:
			return v
		case '[':
			return "[" + v + "]"
		}
		return string(item.Quote) + v + string(item.Quote)
	}
	switch item.Kind {
	case script.FmtCodepage:
		return "codepage is " + item.Value
	case script.FmtLabels:
		return item.Value + " labels"
	case script.FmtDelimiter:
		return "delimiter is " + q(item.Value)
	case script.FmtQuotes:
		if item.Value == "msq" {
			return "msq"
		}
		return "no quotes"
	case script.FmtNoEOF:
		return "no eof"
	case script.FmtHeader, script.FmtRecord:
		kw := "header"
		if item.Kind == script.FmtRecord {
			kw = "record"
		}
		s := kw + " is " + item.Value
		if item.Lines {
			s += " lines"
		}
		return s
	case script.FmtComment:
		return "comment is " + q(item.Value)
	case script.FmtTable:
		return "table is " + q(item.Value)
	case script.FmtURL:
		return "URL is " + q(item.Value)
	case script.FmtUserAgent:
		return "userAgent is " + q(item.Value)
	}
	return item.Value
}

// pqSource reads a Parquet file.
type pqSource struct {
	name  string // for the log: the file's base name
	file  string // for errors: the file as the script names it
	nm    []string
	cols  []arrowCol
	read  []bool // fields the statement uses (nil: all)
	f     *os.File
	rdr   *file.Reader
	props pqarrow.ArrowReadProperties
	dict  map[int]bool // top-level leaf columns read as dictionaries
	sc    *arrow.Schema
	mem   memory.Allocator
	// parent is the reload's context.
	parent context.Context

	started bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	groups  []chan recItem // per row group, its batches in order
	recIdx  []int          // schema column -> record column (-1: not read)
	cur     int            // row group being consumed
	got     int64          // records of the current row group so far
	base    int64
	prev    arrow.Record
}

// recItem is a record batch read ahead, or the error that ended reading.
type recItem struct {
	rec arrow.Record
	err error
}

// openParquet opens a Parquet file.
func (it *interp) openParquet(p, name, desc string, spec *script.FormatSpec, pos int, c *stmtCtx) (src source, err error) {
	if err := checkTypedSpec(spec, "Parquet", c); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, c.errorf(pos, "cannot load %s: %w", name, err)
	}
	s := &pqSource{name: desc, file: name, f: f, parent: it.ctx}
	defer func() {
		if r := recover(); r != nil {
			err = c.errorf(pos, "cannot read %s: not a valid Parquet file (%v)", name, r)
		}
		if err != nil {
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	s.mem = newGuardedAllocator(st.Size())
	rdr, err := file.NewParquetReader(f, file.WithReadProps(parquet.NewReaderProperties(s.mem)))
	if err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	if rdr.MetaData().IsSetEncryptionAlgorithm() {
		return nil, c.errorf(pos, "cannot read %s: encrypted Parquet files are %w", name, ErrNotSupported)
	}
	if err := checkChunks(rdr, st.Size()); err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	// The Arrow schema a writer stored refines the types (time zones,
	// dictionaries, large strings); a corrupt one is ignored, not trusted.
	for _, kv := range rdr.MetaData().KeyValueMetadata() {
		if kv != nil && kv.Key == "ARROW:schema" && kv.Value != nil {
			if err := checkStoredSchema(*kv.Value); err != nil {
				kv.Key = "ARROW:schema (ignored)"
				it.warn(fmt.Sprintf("%s: the Arrow schema stored in the file is ignored (%v); the Parquet types are used", name, err))
			}
		}
	}
	s.rdr = rdr
	s.props = pqarrow.ArrowReadProperties{BatchSize: parquetBatchRows}
	s.dict = dictionaryColumns(rdr)
	fr, err := s.fileReader()
	if err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	fields := make([]arrow.Field, len(fr.Manifest.Fields))
	for i, sf := range fr.Manifest.Fields {
		fields[i] = *sf.Field
	}
	s.sc = arrow.NewSchema(fields, nil)
	s.cols, err = arrowColumns(s.sc, it.locale())
	if err != nil {
		return nil, c.errorf(pos, "cannot load %s: %w", name, err)
	}
	for _, col := range s.cols {
		s.nm = append(s.nm, col.name)
	}
	if d, dup := dupName(s.nm); dup {
		return nil, c.errorf(pos, "cannot load %s: field %s appears twice in the file", name, quoteField(d))
	}
	return s, nil
}

// checkChunks checks that every column chunk lies inside the file: the
// reader allocates a chunk's length before reading it.
func checkChunks(rdr *file.Reader, size int64) error {
	md := rdr.MetaData()
	for g := 0; g < rdr.NumRowGroups(); g++ {
		rg := md.RowGroup(g)
		if rg.NumRows() < 0 {
			return fmt.Errorf("row group %d has a negative number of rows", g+1)
		}
		for c := 0; c < rg.NumColumns(); c++ {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("row group %d: %w", g+1, err)
			}
			start := cc.DataPageOffset()
			if d := cc.DictionaryPageOffset(); cc.HasDictionaryPage() && d > 0 && d < start {
				start = d
			}
			n := cc.TotalCompressedSize()
			if start < 0 || n < 0 || start > size || n > size-start {
				return fmt.Errorf("row group %d, column %d: the column chunk (%d bytes at %d) lies outside the file of %d bytes", g+1, c+1, n, start, size)
			}
		}
	}
	return nil
}

// dictionaryColumns returns the top-level string and binary columns whose
// data pages are dictionary-encoded in every row group.
func dictionaryColumns(rdr *file.Reader) map[int]bool {
	md := rdr.MetaData()
	out := map[int]bool{}
	sch := md.Schema
	for c := 0; c < sch.NumColumns(); c++ {
		col := sch.Column(c)
		if col.PhysicalType() != parquet.Types.ByteArray || col.MaxRepetitionLevel() > 0 || col.ColumnPath().String() != col.Name() {
			continue
		}
		all := rdr.NumRowGroups() > 0
		for g := 0; g < rdr.NumRowGroups() && all; g++ {
			cc, err := md.RowGroup(g).ColumnChunk(c)
			if err != nil {
				all = false
				break
			}
			all = dictionaryEncoded(cc)
		}
		if all {
			out[c] = true
		}
	}
	return out
}

// dictionaryEncoded reports whether the data pages of a column chunk are
// dictionary-encoded: all of them by the page statistics, else (writers
// such as Polars leave them out, and the dictionary page offset too) when
// a dictionary encoding is listed. A chunk that fell back to plain pages
// still reads correctly as a dictionary, only slower.
func dictionaryEncoded(cc *metadata.ColumnChunkMetaData) bool {
	stats := cc.EncodingStats()
	if len(stats) == 0 {
		for _, e := range cc.Encodings() {
			if e == parquet.Encodings.RLEDict || e == parquet.Encodings.PlainDict {
				return true
			}
		}
		return false
	}
	for _, st := range stats {
		// Page types 0 and 3 are DATA_PAGE and DATA_PAGE_V2 (parquet.thrift).
		if st.PageType == 0 || st.PageType == 3 {
			if st.Encoding != parquet.Encodings.RLEDict && st.Encoding != parquet.Encodings.PlainDict {
				return false
			}
		}
	}
	return true
}

// fileReader returns a pqarrow reader whose dictionary columns read as
// Arrow dictionaries (also where the file's Arrow schema says large_utf8).
// The first call, in openParquet, drops from s.dict the columns whose
// Arrow type cannot be read so; the row-group readers call it
// concurrently afterwards and only read s.dict.
func (s *pqSource) fileReader() (*pqarrow.FileReader, error) {
	props := s.props
	for c := range s.dict {
		props.SetReadDict(c, true)
	}
	fr, err := pqarrow.NewFileReader(s.rdr, props, s.mem)
	if err != nil {
		return nil, err
	}
	for i := range fr.Manifest.Fields {
		sf := &fr.Manifest.Fields[i]
		if len(sf.Children) > 0 || !s.dict[sf.ColIndex] {
			continue
		}
		var vt arrow.DataType
		switch sf.Field.Type.ID() {
		case arrow.STRING, arrow.LARGE_STRING:
			vt = arrow.BinaryTypes.String
		case arrow.BINARY, arrow.LARGE_BINARY:
			vt = arrow.BinaryTypes.Binary
		case arrow.DICTIONARY:
			continue
		default:
			if !s.started {
				delete(s.dict, sf.ColIndex)
			}
			continue
		}
		nf := *sf.Field
		nf.Type = &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: vt}
		sf.Field = &nf
	}
	return fr, nil
}

func (s *pqSource) names() []string { return s.nm }
func (s *pqSource) desc() string    { return s.name }

// project implements projector.
func (s *pqSource) project(used []bool) { s.read = used }

func (s *pqSource) close() error {
	if s.started {
		s.cancel()
		s.wg.Wait()
		for _, ch := range s.groups[s.cur:] {
			for it := range ch {
				if it.rec != nil {
					it.rec.Release()
				}
			}
		}
	}
	if s.prev != nil {
		s.prev.Release()
		s.prev = nil
	}
	return s.f.Close()
}

// start launches the row-group readers: at most GOMAXPROCS row groups are
// decoded at a time, started in file order so that the one being
// consumed always runs.
func (s *pqSource) start(ctx context.Context) error {
	s.started = true
	s.ctx, s.cancel = context.WithCancel(ctx)
	n := s.rdr.NumRowGroups()
	s.groups = make([]chan recItem, n)
	for i := range s.groups {
		s.groups[i] = make(chan recItem, 2)
	}
	// The top-level columns to read, and their leaves.
	want := make([]bool, len(s.sc.Fields()))
	for i, c := range s.cols {
		if s.read == nil || s.read[i] {
			want[c.top] = true
		}
	}
	fr, err := s.fileReader()
	if err != nil {
		return err
	}
	var fields []int
	leaves := map[int]bool{}
	s.recIdx = make([]int, len(want))
	for i, sf := range fr.Manifest.Fields {
		s.recIdx[i] = -1
		if !want[i] {
			continue
		}
		s.recIdx[i] = len(fields)
		fields = append(fields, i)
		addLeaves(leaves, sf)
	}
	if len(fields) == 0 && len(fr.Manifest.Fields) > 0 {
		// Nothing to convert, but the records still count.
		fields = append(fields, 0)
		addLeaves(leaves, fr.Manifest.Fields[0])
		s.recIdx[0] = 0
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), n, 4))
	sem := make(chan struct{}, workers)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for g := range n {
			select {
			case sem <- struct{}{}:
			case <-s.ctx.Done():
				for _, ch := range s.groups[g:] {
					close(ch)
				}
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer func() { <-sem }()
				s.readGroup(g, fields, leaves)
			}()
		}
	}()
	return nil
}

// addLeaves adds the leaf columns of a field to set.
func addLeaves(set map[int]bool, sf pqarrow.SchemaField) {
	if len(sf.Children) == 0 {
		set[sf.ColIndex] = true
		return
	}
	for _, ch := range sf.Children {
		addLeaves(set, ch)
	}
}

// readGroup decodes the fields of row group g into its channel, batch by
// batch. It reads the columns itself (not with pqarrow's record reader,
// which decodes on goroutines of its own), so that a panic on a corrupt
// file is recovered here.
func (s *pqSource) readGroup(g int, fields []int, leaves map[int]bool) {
	out := s.groups[g]
	defer close(out)
	send := func(it recItem) bool {
		select {
		case out <- it:
			return true
		case <-s.ctx.Done():
			if it.rec != nil {
				it.rec.Release()
			}
			return false
		}
	}
	defer func() {
		if r := recover(); r != nil {
			send(recItem{err: fmt.Errorf("row group %d: corrupt data (%v)", g+1, r)})
		}
	}()
	fr, err := s.fileReader()
	if err != nil {
		send(recItem{err: err})
		return
	}
	readers := make([]*pqarrow.ColumnReader, len(fields))
	afields := make([]arrow.Field, len(fields))
	for i, fi := range fields {
		rdr, err := fr.GetFieldReader(s.ctx, fi, leaves, []int{g})
		if err != nil {
			send(recItem{err: fmt.Errorf("row group %d: %w", g+1, err)})
			return
		}
		readers[i], afields[i] = rdr, *rdr.Field()
	}
	sc := arrow.NewSchema(afields, nil)
	for {
		if s.ctx.Err() != nil {
			return
		}
		cols := make([]arrow.Array, len(readers))
		release := func() {
			for _, a := range cols {
				if a != nil {
					a.Release()
				}
			}
		}
		n := -1
		for i, rdr := range readers {
			ch, err := rdr.NextBatch(parquetBatchRows)
			if err != nil {
				release()
				send(recItem{err: fmt.Errorf("row group %d: %w", g+1, err)})
				return
			}
			a, err := oneChunk(ch)
			ch.Release()
			if err != nil {
				release()
				send(recItem{err: fmt.Errorf("row group %d: %w", g+1, err)})
				return
			}
			cols[i] = a
			if n < 0 {
				n = a.Len()
			} else if a.Len() != n {
				release()
				send(recItem{err: fmt.Errorf("row group %d: its columns hold different numbers of values", g+1)})
				return
			}
		}
		if n <= 0 {
			release()
			return
		}
		rec := array.NewRecord(sc, cols, int64(n))
		release()
		if !send(recItem{rec: rec}) {
			return
		}
	}
}

// oneChunk returns the values of a chunked array as one array.
func oneChunk(ch *arrow.Chunked) (arrow.Array, error) {
	switch len(ch.Chunks()) {
	case 0:
		return array.MakeArrayOfNull(memory.DefaultAllocator, ch.DataType(), 0), nil
	case 1:
		a := ch.Chunk(0)
		a.Retain()
		return a, nil
	}
	if ch.DataType().ID() == arrow.DICTIONARY {
		return nil, fmt.Errorf("a dictionary column changed its dictionary within a batch")
	}
	return array.Concatenate(ch.Chunks(), memory.DefaultAllocator)
}

func (s *pqSource) next() (batch, error) {
	if s.prev != nil {
		s.prev.Release()
		s.prev = nil
	}
	for {
		if s.cur >= s.rdr.NumRowGroups() {
			return nil, nil
		}
		if !s.started {
			if err := s.start(s.parent); err != nil {
				return nil, fmt.Errorf("cannot read %s: %w", s.file, err)
			}
		}
		item, ok := <-s.groups[s.cur]
		if !ok {
			if want := s.rdr.MetaData().RowGroup(s.cur).NumRows(); s.got != want {
				return nil, fmt.Errorf("cannot read %s: row group %d has %d records, its metadata says %d", s.file, s.cur+1, s.got, want)
			}
			s.cur++
			s.got = 0
			continue
		}
		if item.err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", s.file, item.err)
		}
		rec := item.rec
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		s.prev = rec
		b, err := newArrowBatch(s.cols, s.read, rec, s.recIdx, s.base, s.file)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", s.file, err)
		}
		s.base += rec.NumRows()
		s.got += rec.NumRows()
		return b, nil
	}
}

// projector is a source that can skip the fields a statement does not
// use.
type projector interface {
	project(used []bool)
}

// projectSource tells a columnar source which of its fields the bottom
// level of a statement reads, so that it decodes only those.
func projectSource(src source, lv *level) {
	if ls, ok := src.(*limitSource); ok {
		src = ls.source
	}
	pj, ok := src.(projector)
	if !ok {
		return
	}
	pj.project(lv.usedInputs())
}

// usedInputs returns the input columns the level reads, or nil when it
// may read any (a field reference resolved by name at run time).
func (lv *level) usedInputs() []bool {
	used := make([]bool, len(lv.in))
	all := false
	mark := func(slots []int) {
		for _, c := range slots {
			if c >= 0 && c < len(used) {
				used[c] = true
			}
		}
	}
	check := func(n expr.Node, slots []int) {
		if n == nil {
			return
		}
		expr.Inspect(n, func(x expr.Node) bool {
			if r, ok := x.(*expr.FieldRef); ok && (r.Index < 0 || r.Index >= len(slots)) {
				all = true
			}
			return !all
		})
	}
	for _, itm := range lv.items {
		if itm.col >= 0 && itm.col < len(used) {
			used[itm.col] = true
		}
		mark(itm.slots)
		check(itm.node, itm.slots)
	}
	mark(lv.whereSlots)
	mark(lv.whileSlots)
	check(lv.where, lv.whereSlots)
	check(lv.while, lv.whileSlots)
	if lv.agg != nil {
		for _, k := range lv.agg.keyCols {
			if k >= 0 && k < len(used) {
				used[k] = true
			}
		}
	}
	if all {
		return nil
	}
	return used
}
