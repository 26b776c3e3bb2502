package engine

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"runtime/debug"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// Model snapshots
//
// A snapshot is the binary form of a Model, the data section of an app file
// (docs/format.md documents it byte by byte). It is a stream:
//
//	header   32 bytes: magic "ASSOCMDL", version, meta lengths, checksums
//	meta     one zstd frame: the schema (fields, tags, tables, column
//	         layouts, flags, warnings)
//	chunks   per field its symbols, then per table and column its codes,
//	         cut into chunks; each chunk is a 32-byte header with its own
//	         checksums followed by one independent zstd frame
//	trailer  16 bytes: magic "ASSOCEND", chunk count, checksum
//
// Columns are stored in their in-memory layout (packed words or bytes,
// little-endian), so writing is a conversion plus compression and reading a
// decompression plus a re-pack; symbol tables are stored as texts and
// numbers and re-interned, which rebuilds their indexes and pre-escaped
// JSON. Chunks are compressed by all workers and written in order; on open
// they are decompressed by all workers while the next ones stream in.
// Every byte is covered by a CRC-32C, so a truncated or damaged snapshot
// is an error wrapping ErrSnapshotCorrupt, never a panic or a wrong model,
// and a snapshot from a newer format version is an error wrapping
// ErrSnapshotVersion.

// SnapshotVersion is the version of the snapshot format this build writes
// and the newest it reads.
const SnapshotVersion = 1

// Snapshot errors; test them with errors.Is.
var (
	// ErrSnapshotCorrupt: the snapshot is truncated, damaged or not a
	// snapshot at all.
	ErrSnapshotCorrupt = errors.New("corrupt model snapshot")
	// ErrSnapshotVersion: the snapshot was written by a newer version of
	// the format than this build reads.
	ErrSnapshotVersion = errors.New("model snapshot written by a newer version")
	// ErrSnapshotTooLarge: the snapshot needs more memory than
	// ReadOptions.MaxBytes allows.
	ErrSnapshotTooLarge = errors.New("model snapshot too large")
)

// Layout constants of the format (docs/format.md).
const (
	snapMagic        = "ASSOCMDL"
	snapTrailerMagic = "ASSOCEND"
	snapHeaderSize   = 32
	chunkHeaderSize  = 32
	trailerSize      = 16

	chunkSymbols = 1 // a range of one field's symbols
	chunkColumn  = 2 // a range of one column's codes

	// Writers aim at chunks of about targetChunkRaw bytes before
	// compression; readers accept up to the maximums below.
	targetChunkRaw     = 1 << 20
	maxSymbolsPerChunk = 1 << 16
	maxRowsPerChunk    = 1 << 20
	maxColumnChunkRaw  = 4 * maxRowsPerChunk
	maxSymbolChunkRaw  = 64 << 20
	maxMetaRaw         = 64 << 20
	maxSnapshotRows    = math.MaxInt32
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// maxCompressed bounds the size of a zstd frame holding raw bytes.
func maxCompressed(raw int) int { return raw + raw/128 + 1024 }

// SnapshotCompression chooses how hard snapshot chunks are compressed.
type SnapshotCompression uint8

// Compression levels. Packed columns are close to incompressible already,
// so the fastest level loses little; the others trade save time for size.
const (
	// CompressFastest is the default: zstd's fastest level.
	CompressFastest SnapshotCompression = iota
	// CompressDefault is zstd's default level (about zstd -3).
	CompressDefault
	// CompressBetter is zstd's "better" level (about zstd -7).
	CompressBetter
	// CompressBest is zstd's best level (about zstd -11): slow.
	CompressBest
)

func (c SnapshotCompression) level() (zstd.EncoderLevel, error) {
	switch c {
	case CompressFastest:
		return zstd.SpeedFastest, nil
	case CompressDefault:
		return zstd.SpeedDefault, nil
	case CompressBetter:
		return zstd.SpeedBetterCompression, nil
	case CompressBest:
		return zstd.SpeedBestCompression, nil
	}
	return 0, fmt.Errorf("unknown snapshot compression %d", c)
}

// SnapshotOptions configure WriteSnapshot. The zero value works.
type SnapshotOptions struct {
	// Compression is the zstd effort (default CompressFastest).
	Compression SnapshotCompression
}

var (
	encodersMu sync.Mutex
	encoders   = map[SnapshotCompression]*zstd.Encoder{}
)

// encoder returns the shared encoder of a level; EncodeAll is safe for
// concurrent use.
func encoder(c SnapshotCompression) (*zstd.Encoder, error) {
	lvl, err := c.level()
	if err != nil {
		return nil, err
	}
	encodersMu.Lock()
	defer encodersMu.Unlock()
	if e := encoders[c]; e != nil {
		return e, nil
	}
	e, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(lvl), zstd.WithEncoderConcurrency(par.Workers()),
		zstd.WithWindowSize(maxColumnChunkRaw), zstd.WithZeroFrames(true))
	if err != nil {
		return nil, fmt.Errorf("cannot create the zstd encoder: %w", err)
	}
	encoders[c] = e
	return e, nil
}

// WriteTo writes the model's snapshot to w with the default options; it
// implements io.WriterTo.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	return m.WriteSnapshot(w, SnapshotOptions{})
}

// chunkSpec is one chunk to write: symbols [first, first+count) of field
// ref, or rows [first, first+count) of column ref (the ordinal of the
// column over all tables, in table and column order).
type chunkSpec struct {
	kind         byte
	ref          uint32
	first, count int
	syms         *symbols.Table
	col          *symbols.Column
}

// WriteSnapshot writes the model's snapshot to w and returns the number of
// bytes written. Chunks are compressed on up to par.Workers() goroutines
// and written in order, with at most a few chunks in flight.
func (m *Model) WriteSnapshot(w io.Writer, opts SnapshotOptions) (int64, error) {
	return m.writeSnapshot(w, opts, targetChunkRaw)
}

// writeSnapshot is WriteSnapshot with chunks of about target raw bytes
// (tests use small ones to exercise many chunks).
func (m *Model) writeSnapshot(w io.Writer, opts SnapshotOptions, target int) (int64, error) {
	enc, err := encoder(opts.Compression)
	if err != nil {
		return 0, fmt.Errorf("cannot write model snapshot: %w", err)
	}
	meta, err := m.encodeMeta()
	if err != nil {
		return 0, fmt.Errorf("cannot write model snapshot: %w", err)
	}
	specs, err := m.planChunks(target)
	if err != nil {
		return 0, fmt.Errorf("cannot write model snapshot: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}

	metaComp := enc.EncodeAll(meta, make([]byte, 0, maxCompressed(len(meta))))
	var hdr [snapHeaderSize]byte
	copy(hdr[:8], snapMagic)
	binary.LittleEndian.PutUint16(hdr[8:], SnapshotVersion)
	binary.LittleEndian.PutUint32(hdr[12:], uint32(len(meta)))
	binary.LittleEndian.PutUint32(hdr[16:], uint32(len(metaComp)))
	binary.LittleEndian.PutUint32(hdr[20:], crc(metaComp))
	binary.LittleEndian.PutUint32(hdr[28:], crc(hdr[:28]))
	cw.Write(hdr[:])
	cw.Write(metaComp)

	if err := writeChunks(cw, enc, specs); err != nil {
		return cw.n, fmt.Errorf("cannot write model snapshot: %w", err)
	}
	var tr [trailerSize]byte
	copy(tr[:8], snapTrailerMagic)
	binary.LittleEndian.PutUint32(tr[8:], uint32(len(specs)))
	binary.LittleEndian.PutUint32(tr[12:], crc(tr[:12]))
	cw.Write(tr[:])
	if cw.err == nil {
		cw.err = bw.Flush()
	}
	if cw.err != nil {
		return cw.n, fmt.Errorf("cannot write model snapshot: %w", cw.err)
	}
	return cw.n, nil
}

// countWriter counts bytes and keeps the first error, so a sequence of
// writes is checked once.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

// planChunks cuts every symbol table and column into chunks of about
// target raw bytes.
func (m *Model) planChunks(target int) ([]chunkSpec, error) {
	var specs []chunkSpec
	for fi, f := range m.fields {
		t := f.Symbols
		lo, size := 0, 0
		for i := 0; i < t.Len(); i++ {
			s := len(t.Text(uint32(i))) + 2
			if !math.IsNaN(t.Num(uint32(i))) {
				s += 8
			}
			if s > maxSymbolChunkRaw/2 {
				return nil, fmt.Errorf("symbol %d of field %q is %d bytes long, more than snapshots hold (%d)",
					i, f.Name, len(t.Text(uint32(i))), maxSymbolChunkRaw/2)
			}
			if i > lo && (size+s > target || i-lo == maxSymbolsPerChunk) {
				specs = append(specs, chunkSpec{kind: chunkSymbols, ref: uint32(fi), first: lo, count: i - lo, syms: t})
				lo, size = i, 0
			}
			size += s
		}
		if t.Len() > lo {
			specs = append(specs, chunkSpec{kind: chunkSymbols, ref: uint32(fi), first: lo, count: t.Len() - lo, syms: t})
		}
	}
	ord := 0
	for _, t := range m.tables {
		if t.Rows > maxSnapshotRows {
			return nil, fmt.Errorf("table %q has %d rows, more than snapshots hold (%d)", t.Name, t.Rows, maxSnapshotRows)
		}
		for _, c := range t.Columns {
			if c.Len() != t.Rows {
				return nil, fmt.Errorf("BUG: column of table %q has %d rows, the table %d", t.Name, c.Len(), t.Rows)
			}
			per := target * 8 / c.Bits() &^ 63
			per = min(max(per, 64), maxRowsPerChunk)
			for lo := 0; lo < t.Rows; lo += per {
				specs = append(specs, chunkSpec{kind: chunkColumn, ref: uint32(ord), first: lo, count: min(per, t.Rows-lo), col: c})
			}
			ord++
		}
	}
	return specs, nil
}

// chunkOut is a compressed chunk ready to be written.
type chunkOut struct {
	hdr     [chunkHeaderSize]byte
	payload *[]byte // pooled
	err     error
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, targetChunkRaw); return &b }}

// writeChunks compresses the chunks on the workers and writes them in
// order. At most 2×workers chunks are in flight, which bounds the memory.
func writeChunks(cw *countWriter, enc *zstd.Encoder, specs []chunkSpec) error {
	if len(specs) == 0 {
		return nil
	}
	workers := min(par.Workers(), len(specs))
	outs := make([]chan chunkOut, len(specs))
	for i := range outs {
		outs[i] = make(chan chunkOut, 1)
	}
	jobs := make(chan int)
	done := make(chan struct{})
	defer close(done)
	sem := make(chan struct{}, 2*workers)
	go func() {
		defer close(jobs)
		for i := range specs {
			select {
			case sem <- struct{}{}:
			case <-done:
				return
			}
			select {
			case jobs <- i:
			case <-done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			var scratch []byte
			for i := range jobs {
				outs[i] <- compressChunk(enc, &specs[i], &scratch)
			}
		}()
	}
	for i := range specs {
		out := <-outs[i]
		if out.err != nil {
			return out.err
		}
		cw.Write(out.hdr[:])
		cw.Write(*out.payload)
		*out.payload = (*out.payload)[:0]
		bufPool.Put(out.payload)
		<-sem
		if cw.err != nil {
			return cw.err
		}
	}
	return nil
}

// compressChunk serialises and compresses one chunk. A panic becomes an
// error for the writer.
func compressChunk(enc *zstd.Encoder, s *chunkSpec, scratch *[]byte) (out chunkOut) {
	defer func() {
		if r := recover(); r != nil {
			out.err = fmt.Errorf("internal error compressing chunk: %v\n%s", r, debug.Stack())
		}
	}()
	var raw []byte
	if s.kind == chunkSymbols {
		raw = appendSymbols((*scratch)[:0], s.syms, s.first, s.first+s.count)
		*scratch = raw
	} else {
		raw = columnBytes(scratch, s.col, s.first, s.count)
	}
	buf := bufPool.Get().(*[]byte)
	*buf = enc.EncodeAll(raw, (*buf)[:0])
	out.payload = buf
	h := out.hdr[:]
	h[0] = s.kind
	binary.LittleEndian.PutUint32(h[4:], s.ref)
	binary.LittleEndian.PutUint32(h[8:], uint32(s.first))
	binary.LittleEndian.PutUint32(h[12:], uint32(s.count))
	binary.LittleEndian.PutUint32(h[16:], uint32(len(raw)))
	binary.LittleEndian.PutUint32(h[20:], uint32(len(*buf)))
	binary.LittleEndian.PutUint32(h[24:], crc(*buf))
	binary.LittleEndian.PutUint32(h[28:], crc(h[:28]))
	return out
}

// appendSymbols appends the raw form of symbols [lo, hi) of t: a bitmap of
// the symbols that have a number, their numbers (float64 bits), the text
// lengths (uvarints) and the texts.
func appendSymbols(dst []byte, t *symbols.Table, lo, hi int) []byte {
	n := hi - lo
	start := len(dst)
	for range (n + 7) / 8 {
		dst = append(dst, 0)
	}
	for i := lo; i < hi; i++ {
		if !math.IsNaN(t.Num(uint32(i))) {
			dst[start+(i-lo)/8] |= 1 << ((i - lo) % 8)
		}
	}
	for i := lo; i < hi; i++ {
		if f := t.Num(uint32(i)); !math.IsNaN(f) {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(f))
		}
	}
	for i := lo; i < hi; i++ {
		dst = binary.AppendUvarint(dst, uint64(len(t.Text(uint32(i)))))
	}
	for i := lo; i < hi; i++ {
		dst = append(dst, t.Text(uint32(i))...)
	}
	return dst
}

// columnBytes returns the little-endian bytes of rows [first, first+count)
// of c: for a Packed column the words holding those rows (first is a
// multiple of 64, so they start at a word), otherwise the codes. U8
// columns are returned without copying.
func columnBytes(scratch *[]byte, c *symbols.Column, first, count int) []byte {
	grow := func(n int) []byte {
		if cap(*scratch) < n {
			*scratch = make([]byte, n)
		}
		*scratch = (*scratch)[:n]
		return *scratch
	}
	switch c.Encoding() {
	case symbols.U8:
		return c.U8()[first : first+count]
	case symbols.U16:
		src := c.U16()[first : first+count]
		b := grow(2 * len(src))
		for i, v := range src {
			binary.LittleEndian.PutUint16(b[2*i:], v)
		}
		return b
	case symbols.U32:
		src := c.U32()[first : first+count]
		b := grow(4 * len(src))
		for i, v := range src {
			binary.LittleEndian.PutUint32(b[4*i:], v)
		}
		return b
	}
	w := c.Bits()
	lo := first / 64 * w
	hi := packedWords(first+count, w)
	src := c.Words()[lo:hi]
	b := grow(8 * len(src))
	for i, v := range src {
		binary.LittleEndian.PutUint64(b[8*i:], v)
	}
	return b
}

// packedWords returns the words holding the first n codes of width w.
func packedWords(n, w int) int { return (n*w + 63) / 64 }

// chunkRaw returns the raw size of a column chunk of count rows starting
// at first (a multiple of 64 for Packed).
func chunkRaw(enc symbols.Encoding, bits, count int) int {
	switch enc {
	case symbols.U8:
		return count
	case symbols.U16:
		return 2 * count
	case symbols.U32:
		return 4 * count
	}
	return 8 * packedWords(count, bits)
}
