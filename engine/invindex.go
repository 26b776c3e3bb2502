package engine

import (
	"sync/atomic"

	"github.com/RoaringBitmap/roaring/v2"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// Inverted indexes. A selection that keeps very few rows of a huge table
// (one customer of 10,000 in 100M sales: 10,000 rows) costs a scan of the
// whole key column, while an index from each symbol to its rows answers
// with the rows themselves. A column's index maps every code to a roaring
// bitmap of its rows; it is built from a counting sort of the column the
// second time a selective filter asks for it (a column filtered once pays
// nothing), counts against the query-cache budget of rownums.go, and is
// used only when the selected codes' rows are few (at most 1/invShare of
// the table), which the index itself tells exactly.

const (
	invMinRows = 1 << 20 // smaller tables always scan
	invMaxRows = 1 << 28 // the build's row array stays below 1 GiB
	invShare   = 64      // use the index for at most nrows/invShare rows
)

// invKey names a node's column's index in the model's cache.
type invKey struct{ node, field int }

type invIndex struct {
	rows []*roaring.Bitmap // by code (0: NULL); nil: no rows
	size int64             // bytes counted against the query-cache budget
}

var invBuilt, invUsed atomic.Int64

// invAlways builds indexes on the first ask and for small tables (tests).
var invAlways = false

// indexedRows returns the rows of node n whose field f code is in set from
// the column's inverted index; ok is false when the index does not apply
// and the caller should scan.
func (r *Result) indexedRows(n, f int, col *symbols.Column, set bitset.Set) ([]uint64, bool) {
	m := r.m
	nrows := m.g.nodes[n].rows
	if set == nil || (!invAlways && (nrows < invMinRows || nrows > invMaxRows)) {
		return nil, false
	}
	card := int(col.MaxCode())
	nsel := set.Count()
	// Without the index the rows per code are unknown: a selection of at
	// most 1/invShare of the symbols is the candidate.
	if nsel == 0 || nsel*invShare > card+1 && !invAlways {
		return nil, false
	}
	ix := m.invIndexOf(n, f, col)
	if ix == nil {
		return nil, false
	}
	total := uint64(0)
	for c := set.Next(1); c >= 0 && c <= card; c = set.Next(c + 1) {
		if b := ix.rows[c]; b != nil {
			total += b.GetCardinality()
		}
	}
	if total*invShare > uint64(nrows) && !invAlways {
		return nil, false
	}
	out := make([]uint64, bitset.Words(nrows))
	for c := set.Next(1); c >= 0 && c <= card; c = set.Next(c + 1) {
		b := ix.rows[c]
		if b == nil {
			continue
		}
		it := b.Iterator()
		for it.HasNext() {
			x := it.Next()
			out[x>>6] |= 1 << (x & 63)
		}
	}
	invUsed.Add(1)
	return out, true
}

// invIndexOf returns the cached index of node n's column of field f,
// building it on the second ask; nil when it is not built (yet).
func (m *Model) invIndexOf(n, f int, col *symbols.Column) *invIndex {
	if v, ok := m.cnums.Load(invKey{n, f}); ok {
		return v.(*invIndex)
	}
	if m.asked(invKey{n, f}) < cacheAfter && !invAlways {
		return nil
	}
	nrows := col.Len()
	// Roaring array containers hold 2 bytes a row; the build also needs
	// a 4-byte row array for a moment.
	size := int64(nrows)*2 + int64(col.MaxCode()+1)*48
	if !m.reserveCache(size, invAlways) {
		return nil
	}
	ix := buildInvIndex(col)
	ix.size = size
	if v, loaded := m.cnums.LoadOrStore(invKey{n, f}, ix); loaded {
		m.rowNumsBytes.Add(-size)
		return v.(*invIndex)
	}
	invBuilt.Add(1)
	return ix
}

// buildInvIndex sorts the column's rows by code (counts per worker's
// range, then each worker places its rows, so every code's rows come out
// ascending) and turns each code's rows into a roaring bitmap.
func buildInvIndex(col *symbols.Column) *invIndex {
	n := col.Len()
	card := int(col.MaxCode())
	w := par.Workers()
	share := max((n/w+63)&^63, 64)
	parts := (n + share - 1) / share
	counts := make([][]uint32, parts)
	each := func(fn func(k, lo, hi int)) {
		mustPar(par.For(n, share, func(_, lo, hi int) { fn(lo/share, lo, hi) }))
	}
	each(func(k, lo, hi int) {
		counts[k] = make([]uint32, card+1)
		var buf [64]uint32
		for r := lo; r < hi; r += 64 {
			m := min(64, hi-r)
			col.Decode(buf[:m], r)
			for _, c := range buf[:m] {
				counts[k][c]++
			}
		}
	})
	// start[k][c]: where worker k's first row of code c goes.
	start := make([][]uint32, parts)
	off := make([]uint32, card+2)
	var pos uint32
	for c := 0; c <= card; c++ {
		off[c] = pos
		for k := 0; k < parts; k++ {
			if start[k] == nil {
				start[k] = make([]uint32, card+1)
			}
			start[k][c] = pos
			pos += counts[k][c]
		}
	}
	off[card+1] = pos
	sorted := make([]uint32, n)
	each(func(k, lo, hi int) {
		next := start[k]
		var buf [64]uint32
		for r := lo; r < hi; r += 64 {
			m := min(64, hi-r)
			col.Decode(buf[:m], r)
			for j, c := range buf[:m] {
				sorted[next[c]] = uint32(r + j)
				next[c]++
			}
		}
	})
	ix := &invIndex{rows: make([]*roaring.Bitmap, card+1)}
	mustPar(par.For(card+1, 64, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			if off[c] == off[c+1] {
				continue
			}
			b := roaring.New()
			b.AddMany(sorted[off[c]:off[c+1]])
			b.RunOptimize()
			ix.rows[c] = b
		}
	}))
	return ix
}
