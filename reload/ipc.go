package reload

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/ipc"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/assocengine/assoc/reload/script"
)

// Arrow IPC files (the random-access format, also Feather v2, starting
// with "ARROW1") and streams are read with Arrow's ipc package, one record
// batch ahead on a goroutine of their own. The spellings (ipc), (arrow)
// and (feather) and the extensions .arrow, .arrows, .feather and .ipc
// select the format; the product has no IPC reader, so these are this
// engine's own [Proposed].

// ipcSpellings are the format-specification items that select Arrow IPC.
var ipcSpellings = map[string]bool{"ipc": true, "arrow": true, "feather": true}

func lowerFields(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ipcMagic starts an Arrow IPC file (not a stream).
var ipcMagic = []byte("ARROW1")

// ipcSource reads an Arrow IPC file or stream.
type ipcSource struct {
	name   string // for the log: the file's base name
	file   string // for errors: the file as the script names it
	nm     []string
	cols   []arrowCol
	read   []bool
	f      *os.File
	sc     *arrow.Schema
	parent context.Context
	// readNext returns the next record batch (io.EOF at the end); the
	// reading goroutine calls it.
	readNext func() (arrow.Record, error)
	started  bool
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	out      chan recItem
	base     int64
	prev     arrow.Record
	done     bool
	closeFn  func()
}

// openIPC opens an Arrow IPC file or stream.
func (it *interp) openIPC(p, name, desc string, spec *script.FormatSpec, pos int, c *stmtCtx) (src source, err error) {
	if err := checkTypedSpec(spec, "Arrow IPC", c); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, c.errorf(pos, "cannot load %s: %w", name, err)
	}
	s := &ipcSource{name: desc, file: name, f: f, parent: it.ctx}
	defer func() {
		if r := recover(); r != nil {
			err = c.errorf(pos, "cannot read %s: not a valid Arrow IPC file (%v)", name, r)
		}
		if err != nil {
			s.release()
			f.Close()
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	mem := newGuardedAllocator(st.Size())
	head := make([]byte, len(ipcMagic))
	n, _ := io.ReadFull(f, head)
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	isFile := n == len(ipcMagic) && bytes.Equal(head, ipcMagic)
	check := checkIPCStream
	if isFile {
		check = checkIPCFile
	}
	if err := check(f, st.Size()); err != nil {
		return nil, c.errorf(pos, "cannot read %s: not a valid Arrow IPC file: %w", name, err)
	}
	if isFile {
		fr, err := ipc.NewFileReader(f, ipc.WithAllocator(mem))
		if err != nil {
			return nil, c.errorf(pos, "cannot read %s: %w", name, err)
		}
		s.closeFn = func() { fr.Close() }
		s.sc = fr.Schema()
		i := 0
		s.readNext = func() (arrow.Record, error) {
			if i >= fr.NumRecords() {
				return nil, io.EOF
			}
			i++
			return fr.RecordAt(i - 1)
		}
	} else {
		rd, err := ipc.NewReader(bufio.NewReaderSize(f, 1<<16), ipc.WithAllocator(mem))
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errors.New("the file is empty")
			}
			return nil, c.errorf(pos, "cannot read %s: not an Arrow IPC file or stream: %w", name, err)
		}
		s.closeFn = rd.Release
		s.sc = rd.Schema()
		s.readNext = func() (arrow.Record, error) {
			if !rd.Next() {
				if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
					return nil, err
				}
				return nil, io.EOF
			}
			rec := rd.Record()
			rec.Retain()
			return rec, nil
		}
	}
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

func (s *ipcSource) names() []string     { return s.nm }
func (s *ipcSource) desc() string        { return s.name }
func (s *ipcSource) project(used []bool) { s.read = used }

func (s *ipcSource) release() {
	if s.closeFn != nil {
		func() {
			defer func() { recover() }()
			s.closeFn()
		}()
		s.closeFn = nil
	}
}

func (s *ipcSource) close() error {
	if s.started {
		s.cancel()
		s.wg.Wait()
		for it := range s.out {
			if it.rec != nil {
				it.rec.Release()
			}
		}
	}
	if s.prev != nil {
		s.prev.Release()
		s.prev = nil
	}
	s.release()
	return s.f.Close()
}

// start launches the goroutine that reads one record ahead.
func (s *ipcSource) start() {
	s.started = true
	s.ctx, s.cancel = context.WithCancel(s.parent)
	s.out = make(chan recItem, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.out)
		send := func(it recItem) bool {
			select {
			case s.out <- it:
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
				send(recItem{err: fmt.Errorf("corrupt data (%v)", r)})
			}
		}()
		for {
			rec, err := s.readNext()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				send(recItem{err: err})
				return
			}
			if !send(recItem{rec: rec}) {
				return
			}
		}
	}()
}

func (s *ipcSource) next() (batch, error) {
	if s.prev != nil {
		s.prev.Release()
		s.prev = nil
	}
	if s.done {
		return nil, nil
	}
	if !s.started {
		s.start()
	}
	for {
		item, ok := <-s.out
		if !ok {
			s.done = true
			return nil, nil
		}
		if item.err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", s.file, item.err)
		}
		rec := item.rec
		if !rec.Schema().Equal(s.sc) {
			rec.Release()
			return nil, fmt.Errorf("cannot read %s: a record batch does not match the file's schema", s.file)
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		s.prev = rec
		b, err := newArrowBatch(s.cols, s.read, rec, nil, s.base, s.file)
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", s.file, err)
		}
		s.base += rec.NumRows()
		return b, nil
	}
}

// guardedAllocator is Arrow's Go allocator with a bound on one
// allocation, so that a corrupt length in a file fails (with a panic the
// reader recovers) instead of exhausting memory.
type guardedAllocator struct {
	mem   memory.Allocator
	limit int
}

// newGuardedAllocator bounds allocations for a file of size bytes:
// decompressed buffers may be much larger than the file, but not without
// bound.
func newGuardedAllocator(size int64) *guardedAllocator {
	limit := max(64<<20, min(size, 1<<36)*64)
	return &guardedAllocator{mem: memory.DefaultAllocator, limit: int(min(int64(limit), 1<<40))}
}

func (g *guardedAllocator) check(size int) {
	if size < 0 || size > g.limit {
		panic(fmt.Sprintf("a buffer of %d bytes is larger than the file can hold", size))
	}
}

// Allocate implements memory.Allocator.
func (g *guardedAllocator) Allocate(size int) []byte { g.check(size); return g.mem.Allocate(size) }

// Reallocate implements memory.Allocator.
func (g *guardedAllocator) Reallocate(size int, b []byte) []byte {
	g.check(size)
	return g.mem.Reallocate(size, b)
}

// Free implements memory.Allocator.
func (g *guardedAllocator) Free(b []byte) { g.mem.Free(b) }
