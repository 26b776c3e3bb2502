package delimited

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// genCSV returns about size bytes of a sales-like CSV with a header line:
// integers, decimals, dates, short texts, and a text column of which one
// value in eight is quoted (with a delimiter inside, one in 64 with a doubled
// quote).
func genCSV(size int, seed uint64) []byte { return genCSVQuoted(size, seed, false) }

// genCSVQuoted is genCSV; with quoteAll every text value is quoted, as many
// exporters write them.
func genCSVQuoted(size int, seed uint64, quoteAll bool) []byte {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	products := []string{"Widget", "Gadget", "Sprocket", "Cutting Edge Sliced Ham", "Washington Cranberry Juice", "Bolt", "Nut", "Gear"}
	regions := []string{"North", "South", "East", "West", "Central"}
	b := make([]byte, 0, size+256)
	b = append(b, "OrderID,Date,Customer,Product,Region,Qty,Price,Amount,Discount\n"...)
	for id := 1; len(b) < size; id++ {
		b = strconv.AppendInt(b, int64(id), 10)
		b = append(b, ',')
		b = append(b, "2024-"...)
		b = append(b, byte('0'+rng.IntN(2)), byte('1'+rng.IntN(9)), '-', byte('0'+rng.IntN(3)), byte('1'+rng.IntN(9)), ',')
		if quoteAll {
			b = append(b, '"')
		}
		b = append(b, "Customer "...)
		b = strconv.AppendInt(b, int64(rng.IntN(50000)), 10)
		if quoteAll {
			b = append(b, '"')
		}
		b = append(b, ',')
		p := products[rng.IntN(len(products))]
		switch rng.IntN(64) {
		case 0:
			b = append(b, `"`+p+` ""deluxe"", boxed"`...)
		case 1, 2, 3, 4, 5, 6, 7:
			b = append(b, `"`+p+`, boxed"`...)
		default:
			if quoteAll {
				b = append(b, `"`+p+`"`...)
			} else {
				b = append(b, p...)
			}
		}
		b = append(b, ',')
		if quoteAll {
			b = append(b, `"`+regions[rng.IntN(len(regions))]+`"`...)
		} else {
			b = append(b, regions[rng.IntN(len(regions))]...)
		}
		b = append(b, ',')
		qty := 1 + rng.IntN(100)
		b = strconv.AppendInt(b, int64(qty), 10)
		b = append(b, ',')
		price := float64(rng.IntN(100000)) / 100
		b = strconv.AppendFloat(b, price, 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, price*float64(qty), 'f', 2, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, rng.Float64()/4, 'f', 4, 64)
		b = append(b, '\n')
	}
	return b
}

var (
	benchOnce, quotedOnce sync.Once
	benchData, quotedData []byte
)

// benchCSV is the 100 MB benchmark file.
func benchCSV() []byte {
	benchOnce.Do(func() { benchData = genCSV(100<<20, 1) })
	return benchData
}

// benchQuotedCSV is the 100 MB benchmark file with every text quoted.
func benchQuotedCSV() []byte {
	quotedOnce.Do(func() { quotedData = genCSVQuoted(100<<20, 1, true) })
	return quotedData
}

// consume touches every field like a loader would and returns the number of
// records and the total value length.
func consume(tb testing.TB, r *Reader) (records, total int) {
	for {
		b, err := r.Next()
		if err == io.EOF {
			return records, total
		}
		if err != nil {
			tb.Fatal(err)
		}
		for rec := range b.Len() {
			for col := range b.Width() {
				total += len(b.Field(rec, col))
			}
		}
		records += b.Len()
	}
}

// BenchmarkRead reads a generated 100 MB CSV (about 1.2 million records of
// nine mixed numeric and text fields) and touches every field, streaming on
// one goroutine and in parallel with one and two workers.
func BenchmarkRead(b *testing.B) {
	for _, d := range []struct {
		name string
		data func() []byte
	}{{"mixed", benchCSV}, {"quoted", benchQuotedCSV}} {
		data := d.data()
		wantRecords := bytes.Count(data, []byte{'\n'}) - 1
		run := func(b *testing.B, open func() (*Reader, error)) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := open()
				if err != nil {
					b.Fatal(err)
				}
				n, _ := consume(b, r)
				if n != wantRecords {
					b.Fatalf("got %d records, want %d", n, wantRecords)
				}
				r.Close()
			}
		}
		b.Run("data="+d.name+"/mode=stream", func(b *testing.B) {
			run(b, func() (*Reader, error) { return NewReader(bytes.NewReader(data), Format{}, Options{}) })
		})
		for _, w := range []int{1, 2} {
			b.Run("data="+d.name+"/mode=parallel/workers="+strconv.Itoa(w), func(b *testing.B) {
				run(b, func() (*Reader, error) {
					return NewParallelReader(context.Background(), bytes.NewReader(data), int64(len(data)), Format{}, Options{Workers: w})
				})
			})
		}
	}
}

// BenchmarkIndexTerm measures the SWAR field-end scan against the
// byte-by-byte reference on fields of several lengths.
func BenchmarkIndexTerm(b *testing.B) {
	for _, n := range []int{4, 16, 64, 1024} {
		buf := bytes.Repeat([]byte{'x'}, n)
		buf = append(buf, ',')
		b.Run("len="+strconv.Itoa(n)+"/impl=swar", func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if indexTerm(buf, 0, ',') != n {
					b.Fatal("wrong index")
				}
			}
		})
		b.Run("len="+strconv.Itoa(n)+"/impl=ref", func(b *testing.B) {
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				if indexTermRef(buf, 0, ',') != n {
					b.Fatal("wrong index")
				}
			}
		})
	}
}
