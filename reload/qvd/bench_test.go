package qvd

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"

	"github.com/assocengine/assoc/symbols"
)

// benchTable builds a sales-like table of n rows and six fields:
//
//	OrderID   n distinct ints (0x01)           ⌈log2 n⌉ bits
//	Customer  50,000 texts (0x04)              16 bits
//	Date      3,650 dual dates (0x05)          12 bits
//	Amount    100,000 floats (0x02)            17 bits
//	Qty       100 ints                          7 bits
//	Flag      "Y"/"N" with 10% NULL             2 bits, Bias -2
//
// With n = 5M a record has 77 bits (10 bytes). narrow drops OrderID and
// Customer, so the record fits 8 bytes (38 bits, 5 bytes).
func benchTable(n int, narrow bool) *Table {
	r := rand.New(rand.NewPCG(1, 2))
	t := &Table{Name: "Sales", Records: n}
	add := func(name string, syms []symbols.Dual, code func(i int) uint32) {
		codes := make([]uint32, n)
		for i := range codes {
			codes[i] = code(i)
		}
		t.Fields = append(t.Fields, &Field{Name: name, Symbols: syms, Column: symbols.Pack(codes, uint32(len(syms)), symbols.Compact)})
	}
	if !narrow {
		ids := make([]symbols.Dual, n)
		for i := range ids {
			ids[i] = symbols.Number(float64(i + 1))
		}
		add("OrderID", ids, func(i int) uint32 { return uint32(i + 1) })
		cust := make([]symbols.Dual, 50000)
		for i := range cust {
			cust[i] = symbols.Text(fmt.Sprintf("C%06d", i))
		}
		add("Customer", cust, func(int) uint32 { return uint32(r.IntN(len(cust)) + 1) })
	}
	dates := make([]symbols.Dual, 3650)
	for i := range dates {
		dates[i] = symbols.NumText(float64(43831+i), "D"+strconv.Itoa(43831+i))
	}
	add("Date", dates, func(i int) uint32 { return uint32(i*len(dates)/n + 1) })
	amounts := make([]symbols.Dual, 100000)
	for i := range amounts {
		amounts[i] = symbols.Number(float64(i)*0.37 + 0.01)
	}
	add("Amount", amounts, func(int) uint32 { return uint32(r.IntN(len(amounts)) + 1) })
	qty := make([]symbols.Dual, 100)
	for i := range qty {
		qty[i] = symbols.Number(float64(i + 1))
	}
	add("Qty", qty, func(int) uint32 { return uint32(r.IntN(len(qty)) + 1) })
	flags := []symbols.Dual{symbols.Text("Y"), symbols.Text("N")}
	add("Flag", flags, func(int) uint32 {
		if r.IntN(10) == 0 {
			return 0
		}
		return uint32(r.IntN(2) + 1)
	})
	return t
}

var benchFiles sync.Map // key string → []byte

func benchFile(b *testing.B, n int, narrow bool) []byte {
	key := fmt.Sprint(n, narrow)
	if v, ok := benchFiles.Load(key); ok {
		return v.([]byte)
	}
	var buf bytes.Buffer
	if err := Write(&buf, benchTable(n, narrow), WriteOptions{}); err != nil {
		b.Fatal(err)
	}
	benchFiles.Store(key, buf.Bytes())
	return buf.Bytes()
}

// BenchmarkDecode reports MB/s of QVD file decoded into symbols and packed
// columns.
func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		rows   int
		narrow bool
		par    int
	}{
		{5_000_000, false, 0}, {5_000_000, false, 1},
		{5_000_000, true, 0}, {5_000_000, true, 1},
	} {
		name := fmt.Sprintf("rows=%d/fields=%d/par=%d", bc.rows, map[bool]int{false: 6, true: 4}[bc.narrow], bc.par)
		b.Run(name, func(b *testing.B) {
			data := benchFile(b, bc.rows, bc.narrow)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(data, Options{Parallelism: bc.par}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeCodes measures the index kernel alone on one field.
func BenchmarkDecodeCodes(b *testing.B) {
	const n = 1 << 20
	for _, bc := range []struct{ rbs, off, width, bias int }{
		{4, 3, 17, 0}, {10, 52, 12, 0}, {10, 70, 2, -2},
	} {
		b.Run(fmt.Sprintf("rbs=%d/width=%d/bias=%d", bc.rbs, bc.width, bc.bias), func(b *testing.B) {
			index := make([]byte, n*bc.rbs)
			r := rand.New(rand.NewPCG(3, 4))
			for i := range index {
				index[i] = byte(r.Uint32())
			}
			dst := make([]uint32, n)
			b.SetBytes(int64(len(index)))
			b.ReportAllocs()
			for b.Loop() {
				decodeCodes(dst, index, bc.rbs, bc.off, bc.width, int64(bc.bias), 1<<bc.width)
			}
		})
	}
}

// BenchmarkWrite reports MB/s of QVD file written.
func BenchmarkWrite(b *testing.B) {
	t := benchTable(1_000_000, false)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, t, WriteOptions{}); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
	}
}
