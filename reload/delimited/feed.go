package delimited

import (
	"bytes"
	"errors"
	"io"
)

// ctrlZ is the DOS end-of-file character (code point 26).
const ctrlZ = 0x1A

// feeder reads raw input and appends it, decoded to UTF-8, to buffers. It
// stops at the first Ctrl-Z unless `no eof` is in effect.
type feeder struct {
	r      io.Reader
	dec    decoder // nil: UTF-8, passed through
	raw    []byte  // undecoded input: raw[:rawN] is pending
	rawN   int
	stopZ  bool // Ctrl-Z ends the input
	eof    bool // nothing more will be appended
	source string
}

// fill appends decoded input to buf until len(buf) >= want or the input
// ends, growing buf if its capacity is below want.
func (f *feeder) fill(buf []byte, want int) ([]byte, error) {
	if cap(buf) < want {
		nb := make([]byte, len(buf), want)
		copy(nb, buf)
		buf = nb
	}
	empty := 0
	for !f.eof && len(buf) < want {
		old := len(buf)
		var err error
		if f.dec == nil {
			var n int
			n, err = f.r.Read(buf[old:want])
			buf = buf[:old+n]
		} else {
			buf, err = f.readDecode(buf, want)
		}
		if len(buf) == old && err == nil {
			if empty++; empty == 100 {
				return buf, f.readError(io.ErrNoProgress)
			}
		}
		if f.stopZ {
			if z := bytes.IndexByte(buf[old:], ctrlZ); z >= 0 {
				buf = buf[:old+z]
				f.eof = true
			}
		}
		if err == io.EOF {
			f.eof = true
			if f.dec != nil && f.rawN > 0 {
				buf, _ = f.dec.decode(buf, f.raw[:f.rawN], true)
				f.rawN = 0
				if f.stopZ {
					if z := bytes.IndexByte(buf[old:], ctrlZ); z >= 0 {
						buf = buf[:old+z]
					}
				}
			}
		} else if err != nil {
			return buf, f.readError(err)
		}
	}
	return buf, nil
}

// readDecode reads one block of raw input and appends its decoded form.
func (f *feeder) readDecode(buf []byte, want int) ([]byte, error) {
	n := max((want-len(buf))/f.dec.maxExpansion(), 4096)
	if len(f.raw) < f.rawN+n {
		nr := make([]byte, f.rawN+n)
		copy(nr, f.raw[:f.rawN])
		f.raw = nr
	}
	m, err := f.r.Read(f.raw[f.rawN : f.rawN+n])
	f.rawN += m
	buf, used := f.dec.decode(buf, f.raw[:f.rawN], false)
	f.rawN = copy(f.raw, f.raw[used:f.rawN])
	return buf, err
}

func (f *feeder) readError(err error) error { return readErr(f.source, err) }

// readErr wraps an I/O error of the input named source.
func readErr(source string, err error) error { return &readError{source: source, err: err} }

// readError wraps an I/O error of the underlying reader.
type readError struct {
	source string
	err    error
}

func (e *readError) Error() string {
	return "cannot read delimited text " + e.source + ": " + e.err.Error()
}

func (e *readError) Unwrap() error { return e.err }

// sizedReader reads exactly n bytes from r and reports io.ErrUnexpectedEOF
// if r ends before.
type sizedReader struct {
	r io.Reader
	n int64
}

func (s *sizedReader) Read(p []byte) (int, error) {
	if s.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > s.n {
		p = p[:s.n]
	}
	m, err := s.r.Read(p)
	s.n -= int64(m)
	if err == io.EOF && s.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return m, err
}

// openStream sniffs the byte order mark of r, skips headerBytes raw bytes
// and returns a feeder for the rest.
func openStream(r io.Reader, f *Format, source string) (*feeder, error) {
	head := make([]byte, 3)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, readErr(source, err)
	}
	head = head[:n]
	cp, bom := sniffBOM(head, f.Codepage)
	src := io.MultiReader(bytes.NewReader(head[bom:]), r)
	if f.HeaderBytes > 0 {
		if _, err := io.CopyN(io.Discard, src, f.HeaderBytes); err != nil && err != io.EOF {
			return nil, readErr(source, err)
		}
	}
	return &feeder{r: src, dec: newDecoder(cp), stopZ: !f.NoEOF, source: source}, nil
}
