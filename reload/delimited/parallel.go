package delimited

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"sort"
	"sync"
)

// Parallel parsing.
//
// The data after the labels is cut into chunks of about BatchBytes raw
// bytes. Each chunk starts at a line start (just after a line feed), so it
// decodes on its own whatever the code page, and a worker parses it on the
// speculation that this line start is also a record start: true unless the
// line feed before it is inside a multi-line quoted field (MSQ).
//
// The consumer checks the speculation in order. Parsing chunk i ends at a
// record boundary p at or after the end of the chunk; that is where the
// records of chunk i+1 really begin. If p is the start of chunk i+1, or one
// of the record starts the worker found, its records are used as they are
// (minus those before p). Otherwise the consumer re-parses chunk i+1 from p,
// record by record, until it reaches a record start the worker also found;
// from there both parses see the same bytes in the same state, so the rest of
// the worker's records are spliced in. A wrong guess thus costs the length of
// the quoted field that crossed the boundary, and, in the worst case, a
// sequential parse of the chunk; the records and errors are always exactly
// those of a sequential parse.

// NewParallelReader returns a reader of the first size bytes of ra that
// parses chunks of about opts.BatchBytes on opts.Workers goroutines and
// delivers them in order, one batch per chunk. The workers stop when ctx is
// done or the reader is closed. Input that fits in one batch is parsed
// without goroutines.
func NewParallelReader(ctx context.Context, ra io.ReaderAt, size int64, f Format, opts Options) (*Reader, error) {
	rd, err := newReader(f, opts)
	if err != nil {
		return nil, err
	}
	head := make([]byte, min(3, size))
	if _, err := ra.ReadAt(head, 0); err != nil && err != io.EOF {
		return nil, readErr(rd.source, err)
	}
	cp, bom := sniffBOM(head, f.Codepage)
	dataStart := min(int64(bom)+f.HeaderBytes, size)
	dec := newDecoder(cp)
	rd.useBuffer()
	section := &sizedReader{r: io.NewSectionReader(ra, dataStart, size-dataStart), n: size - dataStart}
	rd.feed = &feeder{r: section, dec: dec, stopZ: !f.NoEOF, source: rd.source}
	if err := rd.readPrefix(); err != nil {
		return nil, err
	}
	if rd.eof {
		return rd, nil // all of it is in the buffer already
	}
	start := dataStart + rd.rawBase + rd.rawLen(rd.buf[:rd.pos])
	unit := 1
	if dec != nil {
		unit = dec.unit()
	}
	pctx, cancel := context.WithCancel(ctx)
	p := &parallel{
		ctx:    pctx,
		cancel: cancel,
		ra:     ra,
		size:   size,
		start:  start,
		chunk:  int64(rd.opts.BatchBytes),
		dec:    dec,
		unit:   int64(unit),
		p:      rd.p,
		width:  rd.width,
		stopZ:  !f.NoEOF,
		source: rd.source,
		line:   rd.lineAt0 + rd.relLine,
		window: rd.opts.Workers + 2,
	}
	p.nchunks = (size - start + p.chunk - 1) / p.chunk
	p.jobs = make(chan *job, p.window)
	for range rd.opts.Workers {
		p.wg.Add(1)
		go p.worker()
	}
	rd.par = p
	rd.batch.buf = rd.buf[:0]
	batchPool.Put(rd.batch)
	rd.batch, rd.buf, rd.feed = nil, nil, nil
	return rd, nil
}

// Open returns a parallel reader of the file at path (see
// NewParallelReader); Close closes the file.
func Open(ctx context.Context, path string, f Format, opts Options) (*Reader, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot open delimited text file: %w", err)
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("cannot open delimited text file: %w", err)
	}
	if opts.Source == "" {
		opts.Source = path
	}
	rd, err := NewParallelReader(ctx, file, st.Size(), f, opts)
	if err != nil {
		file.Close()
		return nil, err
	}
	rd.closer = file
	return rd, nil
}

type parallel struct {
	ctx     context.Context
	cancel  context.CancelFunc
	ra      io.ReaderAt
	size    int64
	start   int64 // raw offset of the first data byte
	chunk   int64 // nominal raw chunk size
	nchunks int64
	dec     decoder
	unit    int64
	p       *parser
	width   int
	stopZ   bool
	source  string

	jobs     chan *job
	wg       sync.WaitGroup
	stopOnce sync.Once
	window   int

	// Consumer state.
	queue    []*job // submitted jobs, in chunk order
	nextIdx  int64  // next chunk to submit
	spare    []*job // recycled jobs
	cur      *job   // job of the batch returned last
	carry    int    // where parsing resumes, relative to the next chunk's start
	line     int64  // absolute line of the next chunk's start
	finished bool
	err      error // delivered after the records before it
	fixups   int   // chunks re-parsed because the speculation was wrong
}

// job is one chunk: the worker's speculative parse and, after the merge,
// the batch handed to the consumer.
type job struct {
	idx  int64
	done chan struct{}
	c    chunk
	spec Batch // the worker's records
	fix  Batch // records re-parsed by the consumer
	end  int   // position after the worker's last record (or of its error)
	perr error // the worker's parse error, a *posError
	err  error // I/O error or recovered panic
}

// chunk is the decoded text of a raw region [rawStart, rawEnd) followed by
// whatever was read after it to finish the region's last record.
type chunk struct {
	rawStart, rawEnd int64
	rawNext          int64  // next raw byte to read
	buf              []byte // decoded text from rawStart
	raw              []byte // scratch for decoding
	pending          int    // undecoded bytes at the start of raw
	own              int    // decoded length of the region
	eof              bool   // buf reaches the end of the input
	stopHere         bool   // the input ends inside the region (Ctrl-Z or end of file)
	nl               int64  // line feeds in buf[:own]
}

func (p *parallel) worker() {
	defer p.wg.Done()
	for j := range p.jobs {
		if err := p.ctx.Err(); err != nil {
			j.err = err
		} else {
			p.work(j)
		}
		close(j.done)
	}
}

// work reads and speculatively parses one chunk.
func (p *parallel) work(j *job) {
	defer func() {
		if r := recover(); r != nil {
			j.err = fmt.Errorf("BUG: delimited: parsing chunk %d of %s panicked: %v\n%s", j.idx, p.source, r, debug.Stack())
		}
	}()
	if testHookWork != nil {
		testHookWork(j.idx)
	}
	c := &j.c
	var err error
	// The chunk owns the lines that start in its nominal range; a chunk
	// inside a long line owns nothing.
	nominal := p.start + j.idx*p.chunk
	next := nominal + p.chunk
	if c.rawStart, err = p.lineStart(nominal, next); err != nil {
		j.err = err
		return
	}
	c.rawEnd = c.rawStart
	if c.rawStart < min(next, p.size) {
		// A line that runs more than twice the maximum record size past the
		// chunk is cut: its record is too large anyway, and the parse of
		// the chunk reports it without reading the rest.
		limit := next + 2*int64(p.p.maxRecord) + 4
		if c.rawEnd, err = p.lineStart(next, limit); err != nil {
			j.err = err
			return
		}
	}
	c.rawNext = c.rawStart
	if err := p.read(c, c.rawEnd-c.rawStart); err != nil {
		j.err = err
		return
	}
	c.own = len(c.buf)
	c.stopHere = c.eof
	c.nl = int64(bytes.Count(c.buf, []byte{'\n'}))

	j.spec.reset(c.buf, p.width, 0)
	pos, line := 0, int64(0)
	for {
		s := p.p.newScan(c.buf, c.eof, &j.spec, p.width, line)
		next, st, err := s.parse(pos, c.own, unbounded)
		j.end = next
		if err != nil {
			j.perr = err
			break
		}
		if st == stDone {
			break
		}
		pos, line = next, s.line
		if err := p.more(c, pos); err != nil {
			if errors.Is(err, ErrRecordTooLarge) {
				j.perr = &posError{pos: pos, line: line, err: ErrRecordTooLarge}
				break
			}
			j.err = err
			return
		}
	}
	j.spec.buf = c.buf
}

// more extends c so that the unfinished record at pos can be parsed,
// reading at least as much again as is pending.
func (p *parallel) more(c *chunk, pos int) error {
	pending := len(c.buf) - pos
	if pending > p.p.maxRecord {
		return ErrRecordTooLarge
	}
	return p.read(c, int64(max(pending, 64<<10)))
}

// read appends to c the decoded form of the next n raw bytes (fewer at the
// end of the input), and stops at Ctrl-Z.
func (p *parallel) read(c *chunk, n int64) error {
	n = min(n, p.size-c.rawNext)
	old := len(c.buf)
	if p.dec == nil {
		c.buf = grow(c.buf, int(n))
		m, err := p.ra.ReadAt(c.buf[old:old+int(n)], c.rawNext)
		if m < int(n) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return readErr(p.source, err)
		}
		c.buf = c.buf[:old+int(n)]
	} else {
		if cap(c.raw) < c.pending+int(n) {
			raw := make([]byte, c.pending+int(n))
			copy(raw, c.raw[:c.pending])
			c.raw = raw
		}
		raw := c.raw[:c.pending+int(n)]
		m, err := p.ra.ReadAt(raw[c.pending:], c.rawNext)
		if m < int(n) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return readErr(p.source, err)
		}
		final := c.rawNext+n >= p.size
		var used int
		c.buf, used = p.dec.decode(c.buf, raw, final)
		c.pending = copy(c.raw, raw[used:])
	}
	c.rawNext += n
	if c.rawNext >= p.size {
		c.eof = true
	}
	if p.stopZ {
		if z := bytes.IndexByte(c.buf[old:], ctrlZ); z >= 0 {
			c.buf = c.buf[:old+z]
			c.eof = true
		}
	}
	return nil
}

// grow makes room for n more bytes after len(b).
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b
	}
	nb := make([]byte, len(b), len(b)+n+(len(b)+n)/8+64<<10)
	copy(nb, b)
	return nb
}

// lineStart returns the first raw offset in [x, limit) that starts a line
// (the data start, or a position just after a line feed), or limit if there
// is none; limit is at most the input size.
func (p *parallel) lineStart(x, limit int64) (int64, error) {
	if x <= p.start {
		return p.start, nil
	}
	limit = min(limit, p.size)
	u := p.unit
	x = p.start + (x-p.start+u-1)/u*u // on the code-unit grid
	if x >= limit {
		return limit, nil
	}
	q := x - u // the unit before x may be the line feed
	probe := make([]byte, 1<<10)
	for q+u <= limit {
		if q > x+int64(len(probe)) && len(probe) < 1<<20 {
			probe = make([]byte, 4*len(probe)) // a long line: read bigger blocks
		}
		n := min(int64(len(probe)), limit-q)
		n -= n % u
		buf := probe[:n]
		if m, err := p.ra.ReadAt(buf, q); int64(m) < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, readErr(p.source, err)
		}
		if u == 1 {
			if i := bytes.IndexByte(buf, '\n'); i >= 0 {
				return q + int64(i) + 1, nil
			}
		} else {
			for i := int64(0); i+u <= n; i += u {
				if p.dec.isNewline(buf[i:]) {
					return q + i + u, nil
				}
			}
		}
		q += n
	}
	return limit, nil
}

// testHookWork, when set by a test, runs at the start of every chunk.
var testHookWork func(idx int64)

// jobPool recycles jobs and their buffers across readers.
var jobPool = sync.Pool{New: func() any { return new(job) }}

// stop cancels the workers, waits for them and recycles the jobs.
func (p *parallel) stop() {
	p.stopOnce.Do(func() {
		p.cancel()
		close(p.jobs)
		p.wg.Wait()
		if p.cur != nil {
			p.recycle(p.cur)
			p.cur = nil
		}
		for _, j := range append(p.queue, p.spare...) {
			jobPool.Put(j)
		}
		p.queue, p.spare = nil, nil
	})
}

// submit queues chunks until the window is full.
func (p *parallel) submit() {
	for len(p.queue) < p.window && p.nextIdx < p.nchunks {
		var j *job
		if n := len(p.spare); n > 0 {
			j, p.spare = p.spare[n-1], p.spare[:n-1]
		} else {
			j = jobPool.Get().(*job)
		}
		j.idx = p.nextIdx
		j.done = make(chan struct{})
		j.c = chunk{buf: j.c.buf[:0], raw: j.c.raw[:0]}
		j.end, j.perr, j.err = 0, nil, nil
		p.nextIdx++
		p.queue = append(p.queue, j)
		p.jobs <- j
	}
}

// recycle keeps the buffers of a consumed job for a later chunk, unless
// they grew for a huge record.
func (p *parallel) recycle(j *job) {
	if len(p.spare) < p.window && cap(j.c.buf) <= 2*int(p.chunk)+1<<20 {
		p.spare = append(p.spare, j)
	}
}

// next is Reader.Next for a parallel reader.
func (p *parallel) next(r *Reader) (*Batch, error) {
	if r.err != nil {
		return nil, r.err
	}
	if p.cur != nil {
		p.recycle(p.cur)
		p.cur = nil
	}
	for {
		if p.err != nil || p.finished {
			r.err = p.err
			if r.err == nil {
				r.err = io.EOF
			}
			p.stop()
			return nil, r.err
		}
		p.submit()
		if len(p.queue) == 0 {
			p.finished = true
			continue
		}
		j := p.queue[0]
		select {
		case <-j.done:
		case <-p.ctx.Done():
			p.err = p.ctx.Err()
			continue
		}
		p.queue = p.queue[1:]
		if j.err != nil {
			p.err = j.err
			continue
		}
		b := p.merge(j)
		if b.Len() > 0 {
			b.first = r.records
			r.records += int64(b.Len())
			p.cur = j
			return b, nil
		}
		p.recycle(j)
	}
}

// merge checks the worker's speculation for chunk j against the carry left
// by the chunk before it and returns the chunk's records.
func (p *parallel) merge(j *job) *Batch {
	c := &j.c
	base := p.line
	p.line += c.nl
	carry := p.carry
	if c.stopHere {
		p.finished = true
	}
	if carry >= c.own {
		// A record of an earlier chunk covers this whole chunk.
		p.carry = carry - c.own
		j.fix.reset(c.buf, p.width, base)
		return &j.fix
	}
	b, end, perr := &j.spec, j.end, j.perr
	if carry > 0 {
		b, end, perr = p.fixup(j, carry)
	}
	b.buf = c.buf
	b.baseLine = base
	p.carry = end - c.own
	if perr != nil {
		p.err = p.resolve(perr, c.buf, base)
	}
	return b
}

func (p *parallel) resolve(err error, buf []byte, base int64) error {
	var pe *posError
	if errors.As(err, &pe) {
		return pe.resolve(p.source, buf, base)
	}
	return err
}

// fixup re-parses chunk j from carry, the true start of its first record,
// until it meets a record start of the worker's parse.
func (p *parallel) fixup(j *job, carry int) (*Batch, int, error) {
	c, spec, f := &j.c, &j.spec, &j.fix
	starts := spec.starts
	ai := sort.Search(len(starts), func(i int) bool { return int(starts[i]) >= carry })
	f.reset(c.buf, p.width, 0)
	if ai < len(starts) && int(starts[ai]) == carry {
		f.appendFrom(spec, ai)
		return f, j.end, j.perr
	}
	p.fixups++
	pos := carry
	line := int64(bytes.Count(c.buf[:carry], []byte{'\n'}))
	for pos < c.own {
		s := p.p.newScan(c.buf, c.eof, f, p.width, line)
		m := f.mark()
		next, st, err := s.parse(pos, c.own, f.Len()+1)
		if err != nil {
			return f, next, err
		}
		if st == stMore {
			if err := p.more(c, next); err != nil {
				if errors.Is(err, ErrRecordTooLarge) {
					return f, next, &posError{pos: next, line: s.line, err: ErrRecordTooLarge}
				}
				return f, next, err
			}
			pos, line = next, s.line
			continue
		}
		if f.Len() > m.lines {
			r := f.starts[m.lines]
			for ai < len(starts) && starts[ai] < r {
				ai++
			}
			if ai < len(starts) && starts[ai] == r {
				f.rollback(m)
				f.appendFrom(spec, ai)
				return f, j.end, j.perr
			}
		}
		pos, line = next, s.line
	}
	return f, pos, nil
}
