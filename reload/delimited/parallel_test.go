package delimited

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// multiLineCSV returns records whose text fields often span lines, and
// whose inner lines look like records themselves, quotes included, so that
// chunks starting inside them guess wrong.
func multiLineCSV(rng *rand.Rand, records int) string {
	var sb strings.Builder
	sb.WriteString("id,text,n\n")
	pieces := []string{"plain", "a,b", "\"\"q\"\"", "\n", "\n\"\"x\"\",\"\"y\"\"\n", "\n1,2,3\n", "\r\n", " ", "\n\"\"", "\"\"\n"}
	for i := range records {
		sb.WriteString(strings.Repeat("7", 1+rng.IntN(3)))
		sb.WriteByte(',')
		if rng.IntN(3) == 0 {
			sb.WriteString("simple")
		} else {
			sb.WriteByte('"')
			for range rng.IntN(12) {
				sb.WriteString(pieces[rng.IntN(len(pieces))])
			}
			if rng.IntN(50) == 0 {
				// A field longer than several chunks.
				sb.WriteString(strings.Repeat("long line, with \"\"quotes\"\"\n", 200))
			}
			sb.WriteByte('"')
		}
		sb.WriteByte(',')
		sb.WriteString(strings.Repeat("9", rng.IntN(4)))
		if i%5 == 0 {
			sb.WriteByte('\r')
		}
		sb.WriteByte('\n')
	}
	return sb.String()
}

func TestParallelMultiLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	in := multiLineCSV(rng, 4000)
	want := read(t, in, Format{}, Options{reference: true}, false)
	require.Empty(t, want.Err)
	require.Len(t, want.Rows, 4000)
	require.Empty(t, want.Ragged)
	fixups := 0
	for _, chunk := range []int{61, 500, 4096, 65536} {
		for _, workers := range []int{1, 2, 4} {
			r, err := NewParallelReader(context.Background(), strings.NewReader(in), int64(len(in)), Format{}, Options{BatchBytes: chunk, Workers: workers})
			require.NoError(t, err)
			require.NotNil(t, r.par, "the input must not fit in one batch")
			p := r.par
			got := collect(t, r)
			require.Equal(t, want, got, "chunk %d, workers %d", chunk, workers)
			fixups += p.fixups
		}
	}
	require.Positive(t, fixups, "the test must exercise wrong speculations")
}

// TestRandomInputs compares every reader configuration, the reference
// parser and the fast one on random short inputs made of the characters that
// matter, for each quoting mode.
func TestRandomInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []string{"a", "b", ",", "\"", "'", "\n", "\r\n", "\r", " ", "\t", "#", "\x1a", ";;"}
	formats := []Format{
		{}, {Quoting: QuoteStandard}, {Quoting: QuoteNone}, {Trim: true}, {Comment: "#", Labels: LabelsNone},
		{Delimiter: ";;"}, {Spaces: true}, {Quoting: QuoteStandard, Trim: true, Delimiter: "\t"}, {NoEOF: true, HeaderLines: 1},
	}
	n := 3000
	if testing.Short() {
		n = 300
	}
	if v, err := strconv.Atoi(os.Getenv("DELIMITED_RANDOM_INPUTS")); err == nil {
		n = v
	}
	for i := range n {
		var sb strings.Builder
		for range rng.IntN(40) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		f := formats[i%len(formats)]
		readAll(t, sb.String(), f, allConfigs, Options{MaxRecordBytes: 25})
	}
}

func TestParallelErrors(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	body := multiLineCSV(rng, 500)
	for _, c := range []struct {
		name string
		in   string
		err  string
	}{
		{name: "unterminated at the end", in: body + "1,\"never closed\n2,3\n", err: "quoted field is not closed"},
		{name: "too large in the middle", in: body + "1,\"" + strings.Repeat("big\n", 3000) + "\",2\n" + body, err: "record is longer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := readAll(t, c.in, Format{}, bigConfigs, Options{MaxRecordBytes: 10000})
			require.Contains(t, got.Err, c.err)
			require.Len(t, got.Rows, 500)
		})
	}
}

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r    io.ReaderAt
	read atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.read.Add(int64(n))
	return n, err
}

// TestParallelLongLine checks that a line far longer than the maximum
// record size fails like in a sequential parse, without being read whole.
func TestParallelLongLine(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	body := multiLineCSV(rng, 300)
	const max = 10000
	in := body + strings.Repeat("x", 1000*max) + "\n" + body
	want := read(t, in, Format{}, Options{MaxRecordBytes: max}, false)
	require.Contains(t, want.Err, "record is longer")
	ra := &countingReaderAt{r: strings.NewReader(in)}
	r, err := NewParallelReader(context.Background(), ra, int64(len(in)), Format{}, Options{MaxRecordBytes: max, BatchBytes: 4096, Workers: 2})
	require.NoError(t, err)
	require.Equal(t, want, collect(t, r))
	require.Less(t, ra.read.Load(), int64(len(in)/10), "the long line must not be read whole")
}

func TestParallelCtrlZ(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	in := multiLineCSV(rng, 1000) + "\x1a" + multiLineCSV(rng, 1000)
	got := readAll(t, in, Format{}, bigConfigs, Options{})
	require.Empty(t, got.Err)
	require.Len(t, got.Rows, 1000)
	got = readAll(t, in, Format{NoEOF: true}, bigConfigs, Options{})
	require.Len(t, got.Rows, 2001) // the second label line is a record
}

// waitGoroutines waits until at most n goroutines run.
func waitGoroutines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > n {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("goroutines leaked:\n%s", buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(time.Millisecond)
	}
}

func TestParallelStops(t *testing.T) {
	in := string(genCSV(1<<20, 3))
	base := runtime.NumGoroutine()

	t.Run("close early", func(t *testing.T) {
		r, err := NewParallelReader(context.Background(), strings.NewReader(in), int64(len(in)), Format{}, Options{BatchBytes: 4096, Workers: 3})
		require.NoError(t, err)
		_, err = r.Next()
		require.NoError(t, err)
		require.NoError(t, r.Close())
		_, err = r.Next()
		require.ErrorContains(t, err, "closed")
		require.NoError(t, r.Close())
		waitGoroutines(t, base+1)
	})
	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		r, err := NewParallelReader(ctx, strings.NewReader(in), int64(len(in)), Format{}, Options{BatchBytes: 4096, Workers: 2})
		require.NoError(t, err)
		_, err = r.Next()
		require.NoError(t, err)
		cancel()
		for err == nil {
			_, err = r.Next()
		}
		require.ErrorIs(t, err, context.Canceled)
		waitGoroutines(t, base+1)
		require.NoError(t, r.Close())
	})
	t.Run("end of input", func(t *testing.T) {
		r, err := NewParallelReader(context.Background(), strings.NewReader(in), int64(len(in)), Format{}, Options{BatchBytes: 4096, Workers: 2})
		require.NoError(t, err)
		consume(t, r)
		waitGoroutines(t, base+1) // workers end with the input, before Close
		require.NoError(t, r.Close())
	})
	t.Run("worker panic", func(t *testing.T) {
		testHookWork = func(idx int64) {
			if idx == 5 {
				panic("injected")
			}
		}
		defer func() { testHookWork = nil }()
		r, err := NewParallelReader(context.Background(), strings.NewReader(in), int64(len(in)), Format{}, Options{BatchBytes: 4096, Workers: 2})
		require.NoError(t, err)
		batches := 0
		for {
			_, err = r.Next()
			if err != nil {
				break
			}
			batches++
		}
		require.Equal(t, 5, batches)
		require.ErrorContains(t, err, "BUG: delimited: parsing chunk 5 of input panicked: injected")
		require.NoError(t, r.Close())
		waitGoroutines(t, base+1)
	})
}

// failingReaderAt fails reads past a given offset.
type failingReaderAt struct {
	data []byte
	at   int64
}

func (f failingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.at {
		return 0, errors.New("disk on fire")
	}
	return copy(p, f.data[off:]), nil
}

func TestReadErrors(t *testing.T) {
	in := genCSV(1<<18, 4)
	t.Run("stream", func(t *testing.T) {
		r, err := NewReader(io.MultiReader(bytes.NewReader(in[:100000]), errReader{}), Format{}, Options{Source: "s.csv", BatchBytes: 4096})
		require.NoError(t, err)
		got := collect(t, r)
		require.Equal(t, "cannot read delimited text s.csv: disk on fire", got.Err)
		require.NotEmpty(t, got.Rows)
	})
	t.Run("stream at start", func(t *testing.T) {
		_, err := NewReader(errReader{}, Format{}, Options{})
		require.ErrorContains(t, err, "disk on fire")
	})
	t.Run("parallel", func(t *testing.T) {
		r, err := NewParallelReader(context.Background(), failingReaderAt{in, 100000}, int64(len(in)), Format{}, Options{Source: "p.csv", BatchBytes: 4096})
		require.NoError(t, err)
		got := collect(t, r)
		require.Contains(t, got.Err, "cannot read delimited text p.csv: disk on fire")
	})
	t.Run("parallel short file", func(t *testing.T) {
		// The file is shorter than announced.
		r, err := NewParallelReader(context.Background(), bytes.NewReader(in[:50000]), int64(len(in)), Format{}, Options{BatchBytes: 4096})
		require.NoError(t, err)
		got := collect(t, r)
		require.Contains(t, got.Err, "unexpected EOF")
		// Also when the whole file fits in the first buffer.
		_, err = NewParallelReader(context.Background(), strings.NewReader("a,b\n1,2\n"), 100, Format{}, Options{})
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("iotest readers", func(t *testing.T) {
		want := read(t, string(in), Format{}, Options{}, false)
		for _, r := range []io.Reader{oneByteReader{bytes.NewReader(in)}, &dataEOFReader{in}} {
			rd, err := NewReader(r, Format{}, Options{BatchBytes: 1000})
			require.NoError(t, err)
			require.Equal(t, want, collect(t, rd))
		}
	})
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

// dataEOFReader returns its last data together with io.EOF.
type dataEOFReader struct{ data []byte }

func (d *dataEOFReader) Read(p []byte) (int, error) {
	n := copy(p, d.data)
	d.data = d.data[n:]
	if len(d.data) == 0 {
		return n, io.EOF
	}
	return n, nil
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(21, 22))
	in := multiLineCSV(rng, 2000)
	path := filepath.Join(dir, "x.csv")
	require.NoError(t, os.WriteFile(path, []byte(in), 0o644))
	r, err := Open(context.Background(), path, Format{}, Options{BatchBytes: 8192})
	require.NoError(t, err)
	require.Equal(t, read(t, in, Format{}, Options{}, false), collect(t, r))

	_, err = Open(context.Background(), filepath.Join(dir, "missing.csv"), Format{}, Options{})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = Open(context.Background(), path, Format{Codepage: 1}, Options{})
	require.ErrorIs(t, err, ErrFormat)

	// Errors name the file.
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte(in+"1,\"x\n"), 0o644))
	r, err = Open(context.Background(), bad, Format{}, Options{BatchBytes: 8192})
	require.NoError(t, err)
	got := collect(t, r)
	require.Contains(t, got.Err, "cannot split delimited text "+bad+" at line ")
}

// endless yields prefix, then the byte c forever, counting what was read.
type endless struct {
	prefix string
	c      byte
	read   int64
}

func (e *endless) Read(p []byte) (int, error) {
	n := copy(p, e.prefix)
	e.prefix = e.prefix[n:]
	for i := n; i < len(p); i++ {
		p[i] = e.c
	}
	e.read += int64(len(p))
	return len(p), nil
}

// TestBoundedMemory feeds endless records and checks that the reader stops
// with an error after reading about MaxRecordBytes, not the whole input.
func TestBoundedMemory(t *testing.T) {
	const max = 1 << 20
	for _, c := range []struct {
		name   string
		prefix string
		c      byte
	}{
		{"endless line", "a,b\n1,2\n", 'x'},
		{"endless quoted field", "a,b\n1,\"", '\n'},
		{"endless comment", "a,b\n#", 'x'},
		{"endless labels", "", ','},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := &endless{prefix: c.prefix, c: c.c}
			r, err := NewReader(in, Format{Comment: "#"}, Options{MaxRecordBytes: max, BatchBytes: 64 << 10})
			if err == nil {
				for err == nil {
					_, err = r.Next()
				}
			}
			require.ErrorIs(t, err, ErrRecordTooLarge)
			require.Less(t, in.read, int64(4*max))
		})
	}
}
