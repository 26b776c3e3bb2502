package fuzz

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/assocengine/assoc/reload/delimited"
)

// csvOutcome is everything a delimited.Reader delivers.
type csvOutcome struct {
	Names  []string
	Rows   [][]string
	Lines  []int64
	Ragged []delimited.Ragged
	Err    string
}

func drainCSV(t *testing.T, r *delimited.Reader, err error) csvOutcome {
	t.Helper()
	if err != nil {
		return csvOutcome{Err: err.Error()}
	}
	defer r.Close()
	out := csvOutcome{Names: r.Names()}
	for {
		b, err := r.Next()
		if err != nil {
			if err != io.EOF {
				out.Err = err.Error()
			}
			return out
		}
		if b.Len() == 0 {
			t.Fatal("empty batch")
		}
		for _, g := range b.Ragged() {
			out.Ragged = append(out.Ragged, delimited.Ragged{Record: len(out.Rows) + g.Record, Fields: g.Fields})
		}
		for i := range b.Len() {
			row := make([]string, b.Width())
			for c := range row {
				if f := b.Field(i, c); f == nil {
					row[c] = "<absent>"
				} else {
					row[c] = string(f)
				}
			}
			out.Rows = append(out.Rows, row)
			out.Lines = append(out.Lines, b.Line(i))
		}
	}
}

// csvFormat derives a format from the fuzzer's mode byte and the high bits
// of its chunk number.
func csvFormat(mode byte, extra uint16) delimited.Format {
	delims := []string{",", ";", "\t", "||", "", " "}
	f := delimited.Format{
		Delimiter: delims[int(mode)%len(delims)],
		Quoting:   delimited.Quoting((mode >> 3) % 3),
		Trim:      mode&0x20 != 0,
		NoEOF:     mode&0x40 != 0,
	}
	if f.Delimiter == "" {
		f.Spaces = true
	}
	if mode&0x80 != 0 {
		f.Labels = delimited.LabelsNone
		f.Comment = "#"
	}
	f.Codepage = []delimited.Codepage{0, delimited.CodepageUTF16LE, delimited.CodepageANSI, delimited.CodepageUTF16BE}[extra>>8&3]
	f.HeaderLines = int(extra >> 10 & 1)
	return f
}

// FuzzCSVRead checks that no input makes the delimited-text reader panic and
// that streaming and parallel parsing, with any buffer or chunk size, give
// the same records, lines and errors.
func FuzzCSVRead(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a,b\r\n\"x,\"\"y\",2\r\n3\n", "a\n\"multi\nline\",x\n\"open", "\xef\xbb\xbfa;b\n1;2",
		"\xff\xfea\x00,\x00b\x00\n\x001\x00,\x002\x00", "# c\n a , 'b' \n\n1\x1a2", "a||b\n1||2|||3\n", "  a  b\n1\t2\n",
	} {
		f.Add([]byte(s), byte(0), uint16(3))
		f.Add([]byte(s), byte(0x91), uint16(0x513))
	}
	files, _ := filepath.Glob(filepath.Join("..", "reload", "delimited", "testdata", "*.csv"))
	for _, name := range files {
		if data, err := os.ReadFile(name); err == nil && len(data) < 20000 {
			f.Add(data, byte(0), uint16(97))
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, mode byte, chunk uint16) {
		format := csvFormat(mode, chunk)
		limits := delimited.Options{MaxRecordBytes: 200}
		r, err := delimited.NewReader(bytes.NewReader(data), format, limits)
		want := drainCSV(t, r, err)

		small := limits
		small.BatchBytes, small.BatchRecords = max(1+int(chunk%17), len(data)/256), 1+int(chunk%5)
		r, err = delimited.NewReader(bytes.NewReader(data), format, small)
		if got := drainCSV(t, r, err); !reflect.DeepEqual(want, got) {
			t.Fatalf("small buffers differ:\n got %s\nwant %s", show(got), show(want))
		}

		par := limits
		// Chunks of one byte are allowed, but a few hundred per input keep
		// the fuzzer fast.
		par.BatchBytes, par.Workers = max(1+int(chunk%64), len(data)/256), 1+int(chunk%3)
		r, err = delimited.NewParallelReader(context.Background(), bytes.NewReader(data), int64(len(data)), format, par)
		if got := drainCSV(t, r, err); !reflect.DeepEqual(want, got) {
			t.Fatalf("parallel (chunk %d, %d workers) differs:\n got %s\nwant %s", par.BatchBytes, par.Workers, show(got), show(want))
		}
	})
}

func show(o csvOutcome) string { return fmt.Sprintf("%#v", o) }
