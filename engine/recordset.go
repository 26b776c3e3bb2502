package engine

import (
	"sync"

	"github.com/assocengine/assoc/engine/internal/bitset"
)

// recordSet is a set of records per inference node: what an aggregation
// iterates. A Result (a natural set, from a selection state) is one; set
// operators combine record sets into sets that no selection can express.
type recordSet interface {
	// nodeRows returns the rows of node n in the set (nil means all).
	nodeRows(n int) []uint64
}

var _ recordSet = (*Result)(nil)

// emptySet has no records at all (a set modifier selected nothing).
type emptySet struct{ m *Model }

func (e emptySet) nodeRows(n int) []uint64 { return make([]uint64, bitset.Words(e.m.g.nodes[n].rows)) }

// combinedSet applies a set operator to two record sets, per node.
type combinedSet struct {
	m    *Model
	op   uint8 // '+', '-', '*', '/', or '~' for the complement of x
	x, y recordSet
	mu   sync.Mutex
	memo map[int][]uint64
}

func (c *combinedSet) nodeRows(n int) []uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.memo[n]; ok {
		return r
	}
	if c.memo == nil {
		c.memo = map[int][]uint64{}
	}
	total := c.m.g.nodes[n].rows
	full := func(rows []uint64) bitset.Set {
		if rows == nil {
			return bitset.NewFull(total)
		}
		return bitset.Set(rows).Clone()
	}
	a := full(c.x.nodeRows(n))
	switch c.op {
	case '~':
		inv := bitset.NewFull(total)
		inv.AndNot(a)
		a = inv
	default:
		b := full(c.y.nodeRows(n))
		switch c.op {
		case '+':
			a.Or(b)
		case '-':
			a.AndNot(b)
		case '*':
			a.And(b)
		case '/':
			for i := range a {
				a[i] ^= b[i]
			}
		}
	}
	c.memo[n] = a
	return a
}
