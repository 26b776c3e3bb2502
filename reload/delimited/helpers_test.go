package delimited

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// absent stands for a field missing from a short record in test results.
const absent = "<absent>"

// result is everything a reader delivers, in a comparable form.
type result struct {
	Names  []string
	Rows   [][]string
	Lines  []int64
	Ragged []string // "record number:field count"
	Err    string
}

// collect drains r, checking the Batch API on the way.
func collect(tb testing.TB, r *Reader) result {
	tb.Helper()
	res := result{Names: slices.Clone(r.Names())}
	require.Equal(tb, len(r.Names()), r.Width())
	var rec [][]byte
	for {
		b, err := r.Next()
		if err != nil {
			if err != io.EOF {
				res.Err = err.Error()
			}
			_, again := r.Next()
			require.Equal(tb, err, again, "Next must keep returning its final error")
			break
		}
		require.Positive(tb, b.Len(), "batches are never empty")
		require.Equal(tb, r.Width(), b.Width())
		for i := range b.Len() {
			row := make([]string, b.Width())
			rec = b.Record(i, rec[:0])
			for c := range row {
				f := b.Field(i, c)
				if (f == nil) != b.Absent(i, c) || string(f) != string(rec[c]) || (f == nil) != (rec[c] == nil) || len(f) != cap(f) {
					tb.Fatalf("record %d field %d: Field %q, Absent %v, Record %q, cap %d", i, c, f, b.Absent(i, c), rec[c], cap(f))
				}
				if f == nil {
					row[c] = absent
				} else {
					row[c] = string(f)
				}
			}
			res.Rows = append(res.Rows, row)
			res.Lines = append(res.Lines, b.Line(i))
			if n := int64(len(res.Rows)); n != b.RecordNumber(i) {
				tb.Fatalf("record number %d, want %d", b.RecordNumber(i), n)
			}
		}
		for _, g := range b.Ragged() {
			require.NotEqual(tb, b.Width(), g.Fields)
			res.Ragged = append(res.Ragged, fmt.Sprintf("%d:%d", b.RecordNumber(g.Record), g.Fields))
		}
	}
	require.Equal(tb, int64(len(res.Rows)), r.Records())
	require.NoError(tb, r.Close())
	return res
}

// read reads in with a streaming or a parallel reader.
func read(tb testing.TB, in string, f Format, o Options, parallel bool) result {
	tb.Helper()
	var r *Reader
	var err error
	if parallel {
		r, err = NewParallelReader(context.Background(), strings.NewReader(in), int64(len(in)), f, o)
	} else {
		r, err = NewReader(strings.NewReader(in), f, o)
	}
	if err != nil {
		return result{Err: err.Error()}
	}
	return collect(tb, r)
}

// readerConfig is one way of reading the same input.
type readerConfig struct {
	name     string
	opts     Options
	parallel bool
}

// allConfigs exercise the reference paths, buffer refills at every byte and
// parallel chunks down to one byte.
var allConfigs = []readerConfig{
	{"stream/ref", Options{reference: true}, false},
	{"stream/batch=1", Options{BatchBytes: 1, BatchRecords: 1}, false},
	{"stream/batch=3", Options{BatchBytes: 3}, false},
	{"stream/batch=17/records=2", Options{BatchBytes: 17, BatchRecords: 2}, false},
	{"parallel/chunk=1/workers=2", Options{BatchBytes: 1, Workers: 2}, true},
	{"parallel/chunk=2/workers=3", Options{BatchBytes: 2, Workers: 3}, true},
	{"parallel/chunk=5/workers=1", Options{BatchBytes: 5, Workers: 1}, true},
	{"parallel/chunk=16/workers=2", Options{BatchBytes: 16, Workers: 2}, true},
	{"parallel/chunk=64/workers=2/ref", Options{BatchBytes: 64, Workers: 2, reference: true}, true},
}

// bigConfigs are allConfigs for inputs of megabytes.
var bigConfigs = []readerConfig{
	{"stream/ref", Options{reference: true}, false},
	{"stream/batch=4099", Options{BatchBytes: 4099, BatchRecords: 100}, false},
	{"parallel/chunk=4099/workers=2", Options{BatchBytes: 4099, Workers: 2}, true},
	{"parallel/chunk=65536/workers=3", Options{BatchBytes: 65536, Workers: 3}, true},
}

// readAll reads in with the default streaming reader and every config, and
// requires identical results.
func readAll(tb testing.TB, in string, f Format, configs []readerConfig, extra Options) result {
	tb.Helper()
	want := read(tb, in, f, extra, false)
	for _, c := range configs {
		o := c.opts
		o.MaxRecordBytes = extra.MaxRecordBytes
		o.Source = extra.Source
		got := read(tb, in, f, o, c.parallel)
		require.Equal(tb, want, got, "config %s disagrees with the streaming reader on %q", c.name, in)
	}
	return want
}
