package engine

import (
	"github.com/assocengine/assoc/engine/internal/bitset"
)

// oracle is the deliberately naive reference for inference: it enumerates
// the maximal connected consistent tuples of the natural full outer join of
// the model (semantics §2.2, definition), one component at a time, and
// keeps the tuples in which every selected field holds a selected value.
// It knows nothing of cores, peripheries or semi-joins.
type oracle struct {
	m      *Model
	tables []otable // pseudo-tables: loose tables are split per field
}

type otable struct {
	table  int
	fields []int
	codes  [][]uint32 // [field][row]
	rows   int
}

type oresult struct {
	vals [][]bool // [field][code] possible
	rows [][]bool // [pseudo-table][row]
}

func newOracle(m *Model) *oracle {
	o := &oracle{m: m}
	for ti, t := range m.tables {
		cols := make([][]uint32, len(t.Fields))
		for i, c := range t.Columns {
			cols[i] = make([]uint32, t.Rows)
			c.Decode(cols[i], 0)
		}
		if t.Loose {
			for i, f := range t.Fields {
				o.tables = append(o.tables, otable{table: ti, fields: []int{f}, codes: [][]uint32{cols[i]}, rows: t.Rows})
			}
			continue
		}
		o.tables = append(o.tables, otable{table: ti, fields: t.Fields, codes: cols, rows: t.Rows})
	}
	return o
}

func (t *otable) code(f, row int) (uint32, bool) {
	for i, tf := range t.fields {
		if tf == f {
			return t.codes[i][row], true
		}
	}
	return 0, false
}

// shared returns the fields two pseudo-tables have in common.
func shared(a, b *otable) []int {
	var out []int
	for _, f := range a.fields {
		for _, g := range b.fields {
			if f == g {
				out = append(out, f)
			}
		}
	}
	return out
}

func (o *oracle) infer(sel map[int]bitset.Set) oresult {
	nf := len(o.m.fields)
	res := oresult{vals: make([][]bool, nf), rows: make([][]bool, len(o.tables))}
	for f := range res.vals {
		res.vals[f] = make([]bool, o.m.fields[f].Cardinal()+1)
	}
	for i := range o.tables {
		res.rows[i] = make([]bool, o.tables[i].rows)
	}
	// components of pseudo-tables
	comp := make([]int, len(o.tables))
	for i := range comp {
		comp[i] = -1
	}
	nc := 0
	for i := range o.tables {
		if comp[i] >= 0 {
			continue
		}
		stack := []int{i}
		comp[i] = nc
		for len(stack) > 0 {
			a := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for b := range o.tables {
				if comp[b] < 0 && len(shared(&o.tables[a], &o.tables[b])) > 0 {
					comp[b] = nc
					stack = append(stack, b)
				}
			}
		}
		nc++
	}
	for c := 0; c < nc; c++ {
		var members []int
		phi := map[int]bool{}
		for i := range o.tables {
			if comp[i] == c {
				members = append(members, i)
				for _, f := range o.tables[i].fields {
					if sel[f] != nil {
						phi[f] = true
					}
				}
			}
		}
		if len(phi) == 0 {
			for _, i := range members {
				for r := range res.rows[i] {
					res.rows[i][r] = true
				}
				for fi, f := range o.tables[i].fields {
					for _, code := range o.tables[i].codes[fi] {
						res.vals[f][code] = true
					}
				}
			}
			continue
		}
		o.enumerate(members, func(choice []int) {
			// value of every field in the tuple
			val := map[int]uint32{}
			for k, i := range members {
				if choice[k] < 0 {
					continue
				}
				for fi, f := range o.tables[i].fields {
					if code := o.tables[i].codes[fi][choice[k]]; code != 0 {
						val[f] = code
					}
				}
			}
			for f := range phi {
				v, ok := val[f]
				if !ok || !sel[f].Test(v) {
					return
				}
			}
			for k, i := range members {
				if choice[k] >= 0 {
					res.rows[i][choice[k]] = true
				}
			}
			for f, v := range val {
				res.vals[f][v] = true
			}
		})
	}
	for f := range res.vals {
		res.vals[f][0] = false
	}
	return res
}

// enumerate calls fn with every maximal connected consistent assignment of
// a row (or -1 for absent) to each member table.
func (o *oracle) enumerate(members []int, fn func(choice []int)) {
	choice := make([]int, len(members))
	consistent := func(k, row int) bool {
		a := &o.tables[members[k]]
		for j := 0; j < len(members); j++ {
			if j == k || choice[j] < 0 {
				continue
			}
			b := &o.tables[members[j]]
			for _, f := range shared(a, b) {
				ca, _ := a.code(f, row)
				cb, _ := b.code(f, choice[j])
				if ca == 0 || ca != cb {
					return false
				}
			}
		}
		return true
	}
	adjacentPresent := func(k int) bool {
		for j := range members {
			if j != k && choice[j] >= 0 && len(shared(&o.tables[members[k]], &o.tables[members[j]])) > 0 {
				return true
			}
		}
		return false
	}
	connected := func() bool {
		start := -1
		n := 0
		for k := range members {
			if choice[k] >= 0 {
				n++
				if start < 0 {
					start = k
				}
			}
		}
		if n == 0 {
			return false
		}
		seen := map[int]bool{start: true}
		stack := []int{start}
		for len(stack) > 0 {
			a := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for b := range members {
				if !seen[b] && choice[b] >= 0 && len(shared(&o.tables[members[a]], &o.tables[members[b]])) > 0 {
					seen[b] = true
					stack = append(stack, b)
				}
			}
		}
		return len(seen) == n
	}
	maximal := func() bool {
		for k := range members {
			if choice[k] >= 0 || !adjacentPresent(k) {
				continue
			}
			for row := 0; row < o.tables[members[k]].rows; row++ {
				if consistent(k, row) {
					return false
				}
			}
		}
		return true
	}
	var rec func(k int)
	rec = func(k int) {
		if k == len(members) {
			if connected() && maximal() {
				fn(choice)
			}
			return
		}
		choice[k] = -1
		rec(k + 1)
		for row := 0; row < o.tables[members[k]].rows; row++ {
			if consistent(k, row) {
				choice[k] = row
				rec(k + 1)
			}
		}
		choice[k] = -1
	}
	rec(0)
}
