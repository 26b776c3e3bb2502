package delimited

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"sync"
)

// Options tunes a Reader; the zero value works.
type Options struct {
	// Source names the input in error messages (Open uses the path).
	Source string
	// BatchRecords caps the records of one batch of a streaming reader
	// (default 65536). Parallel batches hold one chunk each, however many
	// records it has.
	BatchRecords int
	// BatchBytes is the amount of input a batch covers: the buffer size of a
	// streaming reader and the chunk size of a parallel one (default 4 MiB,
	// at most 128 MiB).
	BatchBytes int
	// MaxRecordBytes bounds the length of one record, line breaks included
	// (default 64 MiB, at most 128 MiB). A longer record is an error wrapping
	// ErrRecordTooLarge, so a missing closing quote cannot make the reader
	// buffer a whole file.
	MaxRecordBytes int
	// Workers is the number of parsing goroutines of a parallel reader
	// (default GOMAXPROCS).
	Workers int

	reference bool // parse with the byte-by-byte reference paths (tests)
}

const (
	defaultBatchRecords = 64 << 10
	defaultBatchBytes   = 4 << 20
	defaultMaxRecord    = 64 << 20
	// maxOption bounds MaxRecordBytes and BatchBytes so that every buffer,
	// decoded from raw bytes that may triple in UTF-8, stays below 2 GiB
	// and its offsets fit in the 31 bits of a span.
	maxOption = 128 << 20
)

func (o Options) resolve() (Options, error) {
	if o.BatchRecords < 0 || o.BatchBytes < 0 || o.MaxRecordBytes < 0 || o.Workers < 0 {
		return o, fmt.Errorf("%w: negative option in %+v", ErrFormat, o)
	}
	if o.BatchRecords == 0 {
		o.BatchRecords = defaultBatchRecords
	}
	if o.BatchBytes == 0 {
		o.BatchBytes = defaultBatchBytes
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = defaultMaxRecord
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.MaxRecordBytes > maxOption || o.BatchBytes > maxOption {
		return o, fmt.Errorf("%w: MaxRecordBytes %d and BatchBytes %d must not exceed %d",
			ErrFormat, o.MaxRecordBytes, o.BatchBytes, maxOption)
	}
	return o, nil
}

// Reader splits delimited text into batches of records. Create one with
// NewReader (streaming, one goroutine: the caller's), NewParallelReader or
// Open (chunks parsed on several goroutines, delivered in order). A Reader
// is not safe for concurrent use.
type Reader struct {
	p      *parser
	opts   Options
	names  []string
	width  int
	source string

	// Streaming state: buf[pos:] is input not parsed yet.
	feed     *feeder
	buf      []byte
	pos      int
	eof      bool   // buf holds the end of the input
	needFill bool   // parsing needs more input than buf holds
	lineAt0  int64  // absolute line of buf[0]
	relLine  int64  // line of pos, relative to buf[0]
	trackRaw bool   // keep rawBase up to date (while reading the prefix)
	rawBase  int64  // raw offset of buf[0] from the start of the data
	batch    *Batch // from batchPool, with its buffer

	records int64
	err     error // sticky: io.EOF or the first error

	par    *parallel // nil for a streaming reader
	closer io.Closer
}

// NewReader returns a streaming reader of r: Next parses the next batch on
// the caller's goroutine. The field names are read before NewReader returns.
func NewReader(r io.Reader, f Format, opts Options) (*Reader, error) {
	rd, err := newReader(f, opts)
	if err != nil {
		return nil, err
	}
	rd.useBuffer()
	rd.feed, err = openStream(r, &f, rd.source)
	if err != nil {
		return nil, err
	}
	if err := rd.readPrefix(); err != nil {
		return nil, err
	}
	return rd, nil
}

func newReader(f Format, opts Options) (*Reader, error) {
	o, err := opts.resolve()
	if err != nil {
		return nil, err
	}
	p, err := newParser(&f, o.MaxRecordBytes)
	if err != nil {
		return nil, err
	}
	p.ref = o.reference
	if o.Source == "" {
		o.Source = "input"
	}
	return &Reader{p: p, opts: o, source: o.Source, lineAt0: 1}, nil
}

// Names returns the field names: the labels, or @1, @2, ... with no labels.
// An empty label is named after its position too. Names are not made unique.
func (r *Reader) Names() []string { return r.names }

// Width returns the number of fields of every record (len(Names())).
func (r *Reader) Width() int { return r.width }

// Records returns the number of records delivered so far.
func (r *Reader) Records() int64 { return r.records }

// Next returns the next batch of records, or io.EOF after the last one. The
// batch is valid until the next call to Next or Close. Records parsed before
// an error are delivered first; the error comes with the following call. A
// ParseError carries the line and column of bad input.
func (r *Reader) Next() (*Batch, error) {
	if r.par != nil {
		return r.par.next(r)
	}
	return r.nextStream()
}

// Close stops the reader's goroutines and closes the file opened by Open.
// Batches returned earlier become invalid.
func (r *Reader) Close() error {
	var err error
	if r.par != nil {
		r.par.stop()
	}
	if r.err == nil {
		r.err = errClosed
	}
	r.release()
	if r.closer != nil {
		err = r.closer.Close()
		r.closer = nil
	}
	return err
}

var errClosed = errors.New("delimited: reader is closed")

// batchPool recycles the batches and buffers of streaming readers, so that
// a load script reading many files allocates them once.
var batchPool = sync.Pool{New: func() any { return new(Batch) }}

// release returns the buffers of a finished streaming reader to batchPool.
func (r *Reader) release() {
	if r.err == nil || r.batch == nil {
		return
	}
	r.batch.buf = r.buf[:0]
	batchPool.Put(r.batch)
	r.batch, r.buf = nil, nil
}

// readPrefix skips the header lines and reads the labels (or, with no
// labels, measures the first record) from the start of the input.
//
//	input = { header-line } { skipped-line } [ labels-record ] data ;
func (r *Reader) readPrefix() error {
	r.trackRaw = true
	defer func() { r.trackRaw = false }()
	header := r.p.headerLines
	var tmp Batch
	for {
		// Skip what is left of the header lines.
		for ; header > 0; header-- {
			nl := bytes.IndexByte(r.buf[r.pos:], '\n')
			if nl < 0 {
				if !r.eof {
					break
				}
				if len(r.buf)-r.pos > r.opts.MaxRecordBytes {
					return r.resolve(&posError{pos: r.pos, line: r.relLine, err: ErrRecordTooLarge})
				}
				r.pos, header = len(r.buf), 0
				break
			}
			if nl+1 > r.opts.MaxRecordBytes {
				return r.resolve(&posError{pos: r.pos, line: r.relLine, err: ErrRecordTooLarge})
			}
			r.pos += nl + 1
			r.relLine++
		}
		if header == 0 {
			tmp.reset(r.buf, unbounded, r.lineAt0)
			s := r.p.newScan(r.buf, r.eof, &tmp, unbounded, r.relLine)
			next, st, err := s.parse(r.pos, len(r.buf), 1)
			if err != nil {
				return r.resolve(err)
			}
			if st == stDone && (tmp.Len() > 0 || r.eof) {
				r.setNames(&tmp)
				if tmp.Len() > 0 && r.labels() {
					r.pos, r.relLine = next, s.line
				} else if tmp.Len() > 0 {
					// No labels: the first record is data; only the lines
					// skipped before it are consumed.
					r.pos, r.relLine = int(tmp.starts[0]), int64(tmp.lines[0])
				} else {
					r.pos, r.relLine = next, s.line
				}
				return nil
			}
			r.pos, r.relLine = next, s.line
		}
		if r.eof {
			panic("BUG: delimited: prefix needs input after the end")
		}
		if err := r.refill(); err != nil {
			return err
		}
	}
}

// useBuffer takes a recycled buffer, if there is one.
func (r *Reader) useBuffer() {
	r.batch = batchPool.Get().(*Batch)
	r.buf = r.batch.buf[:0]
}

// labels reports whether the first record holds field names.
func (r *Reader) labels() bool { return r.p.labels != LabelsNone }

// setNames derives the names and the width from the first record in tmp.
func (r *Reader) setNames(tmp *Batch) {
	if tmp.Len() == 0 {
		return
	}
	n := len(tmp.spans)
	r.width = n
	r.names = make([]string, n)
	for c := range n {
		var v []byte
		if r.labels() {
			tmp.width = n
			v = tmp.Field(0, c)
		}
		if len(v) == 0 {
			r.names[c] = "@" + strconv.Itoa(c+1)
		} else {
			r.names[c] = string(v)
		}
	}
}

// rawLen returns the raw length of the decoded text b.
func (r *Reader) rawLen(b []byte) int64 {
	if r.feed.dec == nil {
		return int64(len(b))
	}
	return int64(r.feed.dec.rawLen(b))
}

// resolve turns a posError found in r.buf into a ParseError.
func (r *Reader) resolve(err error) error {
	var pe *posError
	if errors.As(err, &pe) {
		return pe.resolve(r.source, r.buf, r.lineAt0)
	}
	return err
}

func (r *Reader) nextStream() (*Batch, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.needFill {
			if err := r.refill(); err != nil {
				r.err = err
				return nil, err
			}
		}
		if r.batch == nil {
			r.batch = batchPool.Get().(*Batch)
		}
		b := r.batch
		b.reset(r.buf, r.width, r.lineAt0)
		s := r.p.newScan(r.buf, r.eof, b, r.width, r.relLine)
		next, st, err := s.parse(r.pos, len(r.buf), r.opts.BatchRecords)
		r.pos, r.relLine = next, s.line
		switch {
		case err != nil:
			r.err = r.resolve(err)
		case st == stMore || (r.pos >= len(r.buf) && !r.eof):
			r.needFill = true
		case r.pos >= len(r.buf):
			r.err = io.EOF
		}
		if b.Len() > 0 {
			b.first = r.records
			r.records += int64(b.Len())
			return b, nil
		}
		r.release() // only once the reader is done
	}
}

// refill moves the unparsed tail of the buffer to its start and reads more.
func (r *Reader) refill() error {
	tail := len(r.buf) - r.pos
	if tail > r.opts.MaxRecordBytes {
		return r.resolve(&posError{pos: r.pos, line: r.relLine, err: ErrRecordTooLarge})
	}
	if r.trackRaw {
		r.rawBase += r.rawLen(r.buf[:r.pos])
	}
	copy(r.buf, r.buf[r.pos:])
	r.buf = r.buf[:tail]
	r.lineAt0 += r.relLine
	r.pos, r.relLine = 0, 0
	want := min(max(r.opts.BatchBytes, 2*tail), r.opts.MaxRecordBytes+r.opts.BatchBytes)
	var err error
	r.buf, err = r.feed.fill(r.buf, want)
	r.eof = r.feed.eof
	r.needFill = false
	return err
}
