package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/bits"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/zstd"

	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// ReadOptions configure ReadModel. The zero value works.
type ReadOptions struct {
	// MaxBytes bounds the decompressed size of the snapshot's data, a
	// measure of the memory the model will take (0: no bound). Reading a
	// snapshot that needs more fails with ErrSnapshotTooLarge before the
	// memory is allocated.
	MaxBytes int64
	// Logger becomes the model's logger (nil discards).
	Logger *slog.Logger
}

var (
	decoderOnce sync.Once
	decoder     *zstd.Decoder
	decoderErr  error
)

// zstdDecoder returns the shared decoder; DecodeAll is safe for concurrent
// use and never writes past the capacity it is given.
func zstdDecoder() (*zstd.Decoder, error) {
	decoderOnce.Do(func() {
		decoder, decoderErr = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0),
			zstd.WithDecodeAllCapLimit(true), zstd.WithDecoderMaxMemory(maxSymbolChunkRaw+8),
			zstd.WithDecoderMaxWindow(maxSymbolChunkRaw))
	})
	return decoder, decoderErr
}

// ReadModel reads a model snapshot written by WriteSnapshot. It reads
// exactly the snapshot's bytes from r, so a snapshot can be embedded in a
// larger stream. Chunks are decompressed and decoded on up to par.Workers()
// goroutines while the next ones are read. A truncated or damaged snapshot
// gives an error wrapping ErrSnapshotCorrupt; one from a newer format
// version an error wrapping ErrSnapshotVersion.
func ReadModel(r io.Reader, opts ReadOptions) (*Model, error) {
	dec, err := zstdDecoder()
	if err != nil {
		return nil, fmt.Errorf("cannot read model snapshot: cannot create the zstd decoder: %w", err)
	}
	sr := &snapReader{r: r, dec: dec, maxBytes: opts.MaxBytes}
	m, err := sr.read()
	if err != nil {
		return nil, fmt.Errorf("cannot read model snapshot: %w", err)
	}
	m.logger = opts.Logger
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

// snapReader is the state of one ReadModel call.
type snapReader struct {
	r        io.Reader
	off      int64
	dec      *zstd.Decoder
	maxBytes int64
	used     int64 // decompressed bytes so far, for maxBytes

	s      *snapSchema
	fields []*fieldAcc
	cols   []*colAcc

	errOnce sync.Once
	err     error
	failed  atomic.Bool
}

// fieldAcc collects the decoded symbol chunks of one field.
type fieldAcc struct {
	index   int
	chunks  []*symChunk
	pending atomic.Int64 // chunks not decoded yet, plus one while more may come
	table   *symbols.Table
}

type symChunk struct {
	first, count int
	texts        []string
	nums         []float64 // NaN where no number
}

// colAcc collects the decoded chunks of one column.
type colAcc struct {
	table, col int
	sc         *snapColumn
	rows       int
	chunks     []*colChunk
	pending    atomic.Int64
	column     *symbols.Column
	nulls      int
}

type colChunk struct {
	first, count int
	raw          []byte // little-endian codes or packed words
}

// corruptf describes damage found at byte off of the snapshot.
func corruptf(off int64, format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s: %w", off, fmt.Sprintf(format, args...), ErrSnapshotCorrupt)
}

// fail records the first error of any goroutine.
func (sr *snapReader) fail(err error) {
	sr.errOnce.Do(func() {
		sr.err = err
		sr.failed.Store(true)
	})
}

// readFull reads len(b) bytes; running out is corruption (truncation).
func (sr *snapReader) readFull(b []byte, what string) error {
	n, err := io.ReadFull(sr.r, b)
	sr.off += int64(n)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return corruptf(sr.off, "truncated %s (%d of %d bytes)", what, n, len(b))
		}
		return fmt.Errorf("at byte %d: reading %s: %w", sr.off, what, err)
	}
	return nil
}

// readPayload reads n bytes into a new slice. Large payloads are read in
// steps so that a bad length in a short stream never allocates much more
// than the stream holds.
func (sr *snapReader) readPayload(n int, what string) ([]byte, error) {
	const step = 4 << 20
	if n <= step {
		b := make([]byte, n)
		return b, sr.readFull(b, what)
	}
	b := make([]byte, 0, step)
	for len(b) < n {
		k := min(n-len(b), max(step, len(b)))
		b = slices.Grow(b, k)
		if err := sr.readFull(b[len(b):len(b)+k], what); err != nil {
			return nil, err
		}
		b = b[:len(b)+k]
	}
	return b, nil
}

// charge accounts n decompressed bytes against MaxBytes.
func (sr *snapReader) charge(n int64, what string) error {
	sr.used += n
	if sr.maxBytes > 0 && sr.used > sr.maxBytes {
		return fmt.Errorf("%s takes the snapshot past %d bytes: %w", what, sr.maxBytes, ErrSnapshotTooLarge)
	}
	return nil
}

// decompress decodes one zstd frame of exactly rawLen bytes.
func (sr *snapReader) decompress(payload []byte, rawLen int) ([]byte, error) {
	out, err := sr.dec.DecodeAll(payload, make([]byte, 0, rawLen))
	if err != nil {
		return nil, fmt.Errorf("cannot decompress: %v", err)
	}
	if len(out) != rawLen {
		return nil, fmt.Errorf("decompressed to %d bytes, the header says %d", len(out), rawLen)
	}
	return out, nil
}

func (sr *snapReader) read() (*Model, error) {
	var hdr [snapHeaderSize]byte
	if err := sr.readFull(hdr[:], "header"); err != nil {
		return nil, err
	}
	if string(hdr[:8]) != snapMagic {
		return nil, corruptf(0, "not a model snapshot (magic %q)", hdr[:8])
	}
	// Every version keeps the magic, the version and the header checksum
	// where they are, so damage is told from a newer version.
	if got, want := crc(hdr[:28]), binary.LittleEndian.Uint32(hdr[28:]); got != want {
		return nil, corruptf(28, "header checksum mismatch")
	}
	if v := binary.LittleEndian.Uint16(hdr[8:]); v > SnapshotVersion {
		return nil, fmt.Errorf("format version %d, this build reads up to version %d: %w", v, SnapshotVersion, ErrSnapshotVersion)
	} else if v == 0 {
		return nil, corruptf(8, "format version 0")
	}
	if hdr[10] != 0 || hdr[11] != 0 || binary.LittleEndian.Uint32(hdr[24:]) != 0 {
		return nil, corruptf(10, "reserved header bytes are not zero")
	}
	metaRaw := int(binary.LittleEndian.Uint32(hdr[12:]))
	metaComp := int(binary.LittleEndian.Uint32(hdr[16:]))
	if metaRaw > maxMetaRaw || metaComp > maxCompressed(metaRaw) {
		return nil, corruptf(12, "meta block of %d bytes (%d compressed) exceeds the format's limits", metaRaw, metaComp)
	}
	if err := sr.charge(int64(metaRaw), "the meta block"); err != nil {
		return nil, err
	}
	metaOff := sr.off
	payload, err := sr.readPayload(metaComp, "meta block")
	if err != nil {
		return nil, err
	}
	if crc(payload) != binary.LittleEndian.Uint32(hdr[20:]) {
		return nil, corruptf(metaOff, "meta block checksum mismatch")
	}
	meta, err := sr.decompress(payload, metaRaw)
	if err != nil {
		return nil, corruptf(metaOff, "meta block: %v", err)
	}
	sr.s, err = decodeMeta(meta)
	if err != nil {
		return nil, corruptf(metaOff, "%v", err)
	}
	nchunks, err := sr.readChunks()
	if err != nil {
		return nil, err
	}
	var tr [trailerSize]byte
	if err := sr.readFull(tr[:], "trailer"); err != nil {
		return nil, err
	}
	if string(tr[:8]) != snapTrailerMagic || crc(tr[:12]) != binary.LittleEndian.Uint32(tr[12:]) {
		return nil, corruptf(sr.off-trailerSize, "bad trailer")
	}
	if n := binary.LittleEndian.Uint32(tr[8:]); int(n) != nchunks {
		return nil, corruptf(sr.off-trailerSize, "trailer counts %d chunks, the snapshot has %d", n, nchunks)
	}
	return sr.assemble()
}

// job is a chunk to decode: exactly one of sym and col is set.
type job struct {
	off     int64
	payload []byte
	rawLen  int
	sym     *symChunk
	fa      *fieldAcc
	col     *colChunk
	ca      *colAcc
}

// readChunks reads every chunk in the order the schema implies (each
// field's symbols, then each column's rows, in ascending ranges) and hands
// them to the workers. It returns the number of chunks.
func (sr *snapReader) readChunks() (int, error) {
	s := sr.s
	sr.fields = make([]*fieldAcc, len(s.fields))
	for i := range s.fields {
		sr.fields[i] = &fieldAcc{index: i}
	}
	sr.cols = make([]*colAcc, 0, s.columns)
	for ti := range s.tables {
		for ci := range s.tables[ti].cols {
			sr.cols = append(sr.cols, &colAcc{table: ti, col: ci, sc: &s.tables[ti].cols[ci], rows: s.tables[ti].rows})
		}
	}

	workers := par.Workers()
	jobs := make(chan job, 2*workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if !sr.failed.Load() {
					sr.runJob(j)
				}
			}
		}()
	}
	n, err := sr.dispatch(jobs)
	close(jobs)
	wg.Wait()
	if err != nil {
		return 0, err
	}
	if sr.err != nil {
		return 0, sr.err
	}
	return n, nil
}

// dispatch is readChunks' reading loop, on the caller's goroutine.
func (sr *snapReader) dispatch(jobs chan<- job) (int, error) {
	n := 0
	var hdr [chunkHeaderSize]byte
	next := func(kind byte, ref, total int, what func() string, send func(first, count, rawLen int, off int64, payload []byte) error) error {
		for first := 0; first < total; {
			if sr.failed.Load() {
				return nil
			}
			off := sr.off
			if err := sr.readFull(hdr[:], "chunk header of "+what()); err != nil {
				return err
			}
			if crc(hdr[:28]) != binary.LittleEndian.Uint32(hdr[28:]) {
				return corruptf(off, "chunk %d header checksum mismatch (expected %s)", n, what())
			}
			k, r := hdr[0], binary.LittleEndian.Uint32(hdr[4:])
			f, c := int(binary.LittleEndian.Uint32(hdr[8:])), int(binary.LittleEndian.Uint32(hdr[12:]))
			rawLen, compLen := int(binary.LittleEndian.Uint32(hdr[16:])), int(binary.LittleEndian.Uint32(hdr[20:]))
			switch {
			case hdr[1] != 0 || hdr[2] != 0 || hdr[3] != 0:
				return corruptf(off, "chunk %d: reserved bytes are not zero", n)
			case k != kind || int(r) != ref || f != first:
				return corruptf(off, "chunk %d is kind %d ref %d from %d, expected %s from %d", n, k, r, f, what(), first)
			case c <= 0 || c > total-first:
				return corruptf(off, "chunk %d of %s holds %d items from %d of %d", n, what(), c, first, total)
			case compLen > maxCompressed(rawLen):
				return corruptf(off, "chunk %d of %s: %d compressed bytes for %d raw", n, what(), compLen, rawLen)
			}
			if err := sr.charge(int64(rawLen), what()); err != nil {
				return err
			}
			payload, err := sr.readPayload(compLen, "chunk of "+what())
			if err != nil {
				return err
			}
			if crc(payload) != binary.LittleEndian.Uint32(hdr[24:]) {
				return corruptf(off, "chunk %d of %s: payload checksum mismatch", n, what())
			}
			if err := send(first, c, rawLen, off+chunkHeaderSize, payload); err != nil {
				return corruptf(off, "chunk %d of %s: %v", n, what(), err)
			}
			n++
			first += c
		}
		return nil
	}

	for fi, fa := range sr.fields {
		sf := &sr.s.fields[fi]
		fa.pending.Store(1)
		what := func() string { return fmt.Sprintf("field %q symbols", sf.name) }
		err := next(chunkSymbols, fi, sf.nsymbols, what, func(first, count, rawLen int, off int64, payload []byte) error {
			if count > maxSymbolsPerChunk || rawLen > maxSymbolChunkRaw {
				return fmt.Errorf("%d symbols in %d bytes exceed the format's limits", count, rawLen)
			}
			sc := &symChunk{first: first, count: count}
			fa.chunks = append(fa.chunks, sc)
			fa.pending.Add(1)
			jobs <- job{off: off, payload: payload, rawLen: rawLen, sym: sc, fa: fa}
			return nil
		})
		if err != nil {
			return n, err
		}
		sr.fieldDone(fa)
	}
	for ord, ca := range sr.cols {
		ca.pending.Store(1)
		what := func() string {
			return sr.colName(ca)
		}
		err := next(chunkColumn, ord, ca.rows, what, func(first, count, rawLen int, off int64, payload []byte) error {
			if count > maxRowsPerChunk {
				return fmt.Errorf("%d rows exceed the format's limit of %d per chunk", count, maxRowsPerChunk)
			}
			if ca.sc.enc == symbols.Packed && first%64 != 0 {
				return fmt.Errorf("packed chunk starts at row %d, not a multiple of 64", first)
			}
			if want := chunkRaw(ca.sc.enc, ca.sc.bits, count); rawLen != want {
				return fmt.Errorf("%d raw bytes for %d rows of %s, expected %d", rawLen, count, ca.sc.enc, want)
			}
			cc := &colChunk{first: first, count: count}
			ca.chunks = append(ca.chunks, cc)
			ca.pending.Add(1)
			jobs <- job{off: off, payload: payload, rawLen: rawLen, col: cc, ca: ca}
			return nil
		})
		if err != nil {
			return n, err
		}
		if err := sr.charge(4*int64(ca.rows), "column codes"); err != nil {
			return n, err
		}
		sr.colDone(ca)
	}
	return n, nil
}

// recoverAs turns a panic into the reader's error (deferred).
func (sr *snapReader) recoverAs(format string, args ...any) {
	if r := recover(); r != nil {
		sr.fail(fmt.Errorf("internal error %s: %v\n%s", fmt.Sprintf(format, args...), r, debug.Stack()))
	}
}

// runJob decompresses and decodes one chunk; the worker finishing the last
// chunk of a field or column also builds its symbol table or column.
func (sr *snapReader) runJob(j job) {
	defer sr.recoverAs("decoding the chunk at byte %d", j.off)
	raw, err := sr.decompress(j.payload, j.rawLen)
	if j.sym != nil {
		if err == nil {
			err = j.sym.parse(raw)
		}
		if err != nil {
			sr.fail(corruptf(j.off, "symbols of field %q from %d: %v", sr.s.fields[j.fa.index].name, j.sym.first, err))
			return
		}
		sr.fieldDone(j.fa)
		return
	}
	if err != nil {
		sr.fail(corruptf(j.off, "%s rows from %d: %v", sr.colName(j.ca), j.col.first, err))
		return
	}
	j.col.raw = raw
	sr.colDone(j.ca)
}

// parse decodes the raw form written by appendSymbols for sc.count
// symbols. Every byte must be accounted for.
func (sc *symChunk) parse(raw []byte) error {
	n := sc.count
	nb := (n + 7) / 8
	if len(raw) < nb {
		return fmt.Errorf("%d bytes cannot hold the number bitmap of %d symbols", len(raw), n)
	}
	bitmap, rest := raw[:nb], raw[nb:]
	if n%8 != 0 && bitmap[nb-1]>>(n%8) != 0 {
		return fmt.Errorf("number bitmap has bits past the last symbol")
	}
	numeric := 0
	for _, b := range bitmap {
		numeric += bits.OnesCount8(b)
	}
	if len(rest) < 8*numeric {
		return fmt.Errorf("%d bytes cannot hold %d numbers", len(rest), numeric)
	}
	sc.nums = make([]float64, n)
	for i := range sc.nums {
		if bitmap[i/8]&(1<<(i%8)) == 0 {
			sc.nums[i] = math.NaN()
			continue
		}
		f := math.Float64frombits(binary.LittleEndian.Uint64(rest))
		if math.IsNaN(f) {
			return fmt.Errorf("symbol %d has the number NaN", sc.first+i)
		}
		sc.nums[i] = f
		rest = rest[8:]
	}
	lens := make([]int, n)
	total := 0
	for i := range lens {
		v, k := binary.Uvarint(rest)
		if k <= 0 || v > uint64(len(rest)) {
			return fmt.Errorf("bad text length of symbol %d", sc.first+i)
		}
		rest = rest[k:]
		lens[i] = int(v)
		total += int(v)
		if total > len(rest) {
			return fmt.Errorf("texts run past the chunk at symbol %d", sc.first+i)
		}
	}
	if total != len(rest) {
		return fmt.Errorf("%d bytes left after the texts", len(rest)-total)
	}
	all := string(rest)
	sc.texts = make([]string, n)
	off := 0
	for i, l := range lens {
		sc.texts[i] = all[off : off+l]
		off += l
		if l == 0 && !math.IsNaN(sc.nums[i]) {
			return fmt.Errorf("symbol %d has a number but no text", sc.first+i)
		}
	}
	return nil
}

func (sr *snapReader) colName(ca *colAcc) string {
	return fmt.Sprintf("table %q column %q", sr.s.tables[ca.table].name, sr.s.fields[ca.sc.field].name)
}

// fieldDone counts down a field's pending chunks; the caller that brings
// the count to zero builds the field's symbol table.
func (sr *snapReader) fieldDone(fa *fieldAcc) {
	if fa.pending.Add(-1) != 0 || sr.failed.Load() {
		return
	}
	defer sr.recoverAs("building the symbols of field %q", sr.s.fields[fa.index].name)
	t, err := buildSymbols(fa.chunks)
	if err != nil {
		sr.fail(fmt.Errorf("field %q: %v: %w", sr.s.fields[fa.index].name, err, ErrSnapshotCorrupt))
		return
	}
	fa.table = t
}

// colDone counts down a column's pending chunks; the caller that brings
// the count to zero builds the column.
func (sr *snapReader) colDone(ca *colAcc) {
	if ca.pending.Add(-1) != 0 || sr.failed.Load() {
		return
	}
	defer sr.recoverAs("building %s", sr.colName(ca))
	c, nulls, err := buildColumn(ca)
	if err != nil {
		sr.fail(fmt.Errorf("%s: %v: %w", sr.colName(ca), err, ErrSnapshotCorrupt))
		return
	}
	ca.column, ca.nulls, ca.chunks = c, nulls, nil
}

// buildSymbols interns the symbols of a field in order. A symbol that is
// already in the table (a duplicate number or text) is corruption: its id
// would not be its position.
func buildSymbols(chunks []*symChunk) (*symbols.Table, error) {
	t := symbols.NewTable()
	for _, c := range chunks {
		for i, s := range c.texts {
			want := uint32(c.first + i)
			var id uint32
			if f := c.nums[i]; math.IsNaN(f) {
				id = t.InternText(s)
			} else {
				id = t.InternNum(f, s)
			}
			if id != want {
				return nil, fmt.Errorf("symbol %d duplicates symbol %d", want, id)
			}
		}
	}
	return t, nil
}

// scanCodes returns the largest code of a block and its number of NULLs.
func scanCodes(dst []uint32) (maxCode uint32, nulls int) {
	for _, v := range dst {
		maxCode = max(maxCode, v)
		if v == 0 {
			nulls++
		}
	}
	return maxCode, nulls
}

// codesPool recycles the code buffers columns are unpacked into.
var codesPool sync.Pool // *[]uint32

// buildColumn unpacks a column's chunks into codes, checks every code
// against the column's maximum code, counts the NULLs and packs the codes
// in the stored layout.
func buildColumn(ca *colAcc) (*symbols.Column, int, error) {
	sc := ca.sc
	p, err := sc.policy()
	if err != nil {
		return nil, 0, err
	}
	buf, _ := codesPool.Get().(*[]uint32)
	if buf == nil {
		buf = new([]uint32)
	}
	defer codesPool.Put(buf)
	if cap(*buf) < ca.rows {
		*buf = make([]uint32, ca.rows)
	}
	codes := (*buf)[:ca.rows]
	var words []uint64
	var maxSeen uint32
	nulls := 0
	scan := func(dst []uint32) {
		m, n := scanCodes(dst)
		maxSeen = max(maxSeen, m)
		nulls += n
	}
	for _, ch := range ca.chunks {
		dst := codes[ch.first : ch.first+ch.count]
		raw := ch.raw
		switch sc.enc {
		case symbols.U8:
			raw = raw[:len(dst)]
			for i, v := range raw {
				dst[i] = uint32(v)
			}
			scan(dst)
		case symbols.U16:
			raw = raw[:2*len(dst)]
			for i := range dst {
				dst[i] = uint32(binary.LittleEndian.Uint16(raw[2*i:]))
			}
			scan(dst)
		case symbols.U32:
			raw = raw[:4*len(dst)]
			for i := range dst {
				dst[i] = binary.LittleEndian.Uint32(raw[4*i:])
			}
			scan(dst)
		default:
			nw := len(raw) / 8
			if cap(words) < nw+1 {
				words = make([]uint64, nw+1)
			}
			words = words[:nw+1] // plus the padding word UnpackBits reads
			for i := range words[:nw] {
				words[i] = binary.LittleEndian.Uint64(raw[8*i:])
			}
			words[nw] = 0
			const block = 4096
			for lo := 0; lo < len(dst); lo += block {
				d := dst[lo:min(lo+block, len(dst))]
				symbols.UnpackBits(d, words, sc.bits, lo)
				scan(d)
			}
		}
		ch.raw = nil
	}
	if maxSeen > sc.maxCode {
		return nil, 0, fmt.Errorf("holds code %d but its maximum code is %d", maxSeen, sc.maxCode)
	}
	c := symbols.Pack(codes, sc.maxCode, p)
	if c.Encoding() != sc.enc || c.Bits() != sc.bits {
		return nil, 0, fmt.Errorf("BUG: packing gave %s/%d bits, the snapshot has %s/%d", c.Encoding(), c.Bits(), sc.enc, sc.bits)
	}
	return c, nulls, nil
}

// assemble builds the model from the decoded schema, symbol tables and
// columns: what Builder.Build's indexing computes (field and table
// indexes, the tables of each field, non-NULL counts) comes from the
// chunks, and the association graph is rebuilt. A graph with a cycle is
// corruption: Build never makes one.
func (sr *snapReader) assemble() (*Model, error) {
	s := sr.s
	m := &Model{policy: s.policy, warnings: s.warnings}
	m.fields = make([]*Field, len(s.fields))
	m.fieldByName = make(map[string]*Field, len(s.fields))
	for i := range s.fields {
		sf := &s.fields[i]
		t := sr.fields[i].table
		if t == nil || t.Len() != sf.nsymbols {
			return nil, fmt.Errorf("BUG: field %q was not decoded", sf.name)
		}
		f := &Field{Name: sf.name, Index: i, Symbols: t, Tags: sf.tags,
			System: sf.flags&fieldSystem != 0, Synthetic: sf.flags&fieldSynthetic != 0}
		m.fields[i] = f
		m.fieldByName[f.Name] = f
	}
	m.tables = make([]*Table, len(s.tables))
	m.tableByName = make(map[string]*Table, len(s.tables))
	ord := 0
	for ti := range s.tables {
		st := &s.tables[ti]
		t := &Table{Name: st.name, Index: ti, Rows: st.rows,
			Loose: st.flags&tableLoose != 0, System: st.flags&tableSystem != 0, Synthetic: st.flags&tableSynthetic != 0}
		for ci := range st.cols {
			ca := sr.cols[ord]
			ord++
			if ca.column == nil || ca.column.Len() != st.rows {
				return nil, fmt.Errorf("BUG: column %d of table %q was not decoded", ci, st.name)
			}
			f := m.fields[st.cols[ci].field]
			t.Fields = append(t.Fields, f.Index)
			t.Columns = append(t.Columns, ca.column)
			f.tables = append(f.tables, ti)
			f.total += st.rows - ca.nulls
		}
		m.tables[ti] = t
		m.tableByName[t.Name] = t
	}
	if cyc := m.findCycle(); cyc != nil {
		var names []string
		for _, ti := range cyc {
			names = append(names, m.tables[ti].Name)
		}
		return nil, fmt.Errorf("tables %q form a circular reference: %w", names, ErrSnapshotCorrupt)
	}
	freezeAll(m.fields)
	m.g = buildGraph(m)
	return m, nil
}
