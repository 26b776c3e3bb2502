package engine

import (
	"sync/atomic"

	"github.com/assocengine/assoc/engine/internal/par"
	"github.com/assocengine/assoc/symbols"
)

// Row values of high-cardinality numeric columns. Aggregating a column
// through its symbol table reads the number of every row's symbol: for a
// field with a million distinct amounts that table is megabytes, and the
// reads are random, so the sum waits on the memory for almost every row
// (TPC-H l_extendedprice). For such columns the engine keeps, once asked,
// the numbers row by row, which aggregations then read sequentially.
// The copies are made lazily, per column, from the second chart that
// asks for one (making it is a pass over every row; see askedAgain), and
// in total stay within the query-cache budget (reserveCache).

// rowNumsMinCard is the cardinality from which a column's number table
// no longer fits in a core's L2 cache (1 MiB of float64).
const rowNumsMinCard = 1 << 17

// rowNumsAlways builds row values on a column's first use (tests).
var rowNumsAlways = false

type rowNumsKey struct {
	col   *symbols.Column
	arith bool // numbers as arithmetic reads them (arithNums)
}

// rowNums returns the numbers of col row by row (NaN for NULL and texts),
// or nil when the column is small enough to read through its symbols or
// the cache is full. nums are the numbers by code.
func (m *Model) rowNums(c *chart, col *symbols.Column, nums []float64, arith bool) []float64 {
	if len(nums)-1 < rowNumsMinCard {
		return nil
	}
	key := rowNumsKey{col, arith}
	if v, ok := m.cnums.Load(key); ok {
		return v.([]float64)
	}
	if !rowNumsAlways && !m.askedAgain(key, c) {
		return nil
	}
	n := col.Len()
	size := int64(n) * 8
	if !m.reserveCache(size, false) {
		return nil
	}
	out := make([]float64, n)
	mustPar(par.For(n, 0, func(_, lo, hi int) {
		var buf [64]uint32
		for r := lo; r < hi; r += 64 {
			k := min(64, hi-r)
			decodeBlock(col, r, k, &buf)
			for j, c := range buf[:k] {
				out[r+j] = nums[c]
			}
		}
	}))
	if v, loaded := m.cnums.LoadOrStore(key, out); loaded {
		m.rowNumsBytes.Add(-size)
		return v.([]float64)
	}
	rowNumsBuilt.Add(1)
	return out
}

var rowNumsBuilt atomic.Int64

// minCacheBudget is the query-cache budget of a small model.
const minCacheBudget = 64 << 20

// reserveCache counts size more bytes of query caches (row values,
// inverted indexes, pre-aggregations: rowNumsBytes) if they stay within
// the budget, half the model's own bytes but at least minCacheBudget;
// force reserves them regardless. The caller gives them back with
// rowNumsBytes.Add(-size) when it drops what it built.
func (m *Model) reserveCache(size int64, force bool) bool {
	budget := max(m.Stats().Bytes/2, minCacheBudget)
	for {
		used := m.rowNumsBytes.Load()
		if used+size > budget && !force {
			return false
		}
		if m.rowNumsBytes.CompareAndSwap(used, used+size) {
			return true
		}
	}
}
