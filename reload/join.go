package reload

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"

	"github.com/assocengine/assoc/reload/script"
)

// combineDest prepares the temporary (JOIN, INTERVALMATCH) or new (KEEP)
// table of a statement whose rows are combined with another table once
// loaded.
func (it *interp) combineDest(top preparedLoad, pf prefixes, tname string, commit func(), final []string, run *loadRun) (*destination, error) {
	ld, c := top.ld, top.c
	var keepTarget *table
	if pf.keep != nil {
		if pf.keep.Table != nil {
			keepTarget = it.m.table(pf.keep.Table.Text)
			if keepTarget == nil {
				return nil, c.errorf(pf.keep.Table.Pos, "%s KEEP (%s): no table of that name", pf.keep.Kind, pf.keep.Table.Text)
			}
		} else if keepTarget = it.lastTable(); keepTarget == nil {
			return nil, c.errorf(ld.Pos, "%s KEEP: no table has been loaded yet", pf.keep.Kind)
		}
	}
	var temp *table
	if pf.keep != nil {
		temp = it.m.newTable(it.m.uniqueName(tname), final)
		commit()
	} else {
		it.m.seq++
		temp = &table{name: tname, idx: map[string]int{}, seq: it.m.seq}
		for _, n := range final {
			temp.addColumn(it.m.field(n))
		}
	}
	ts := it.newTableSink(temp, final, run)
	d := &destination{sink: ts, ts: ts, t: temp, name: temp.name, rowNo: ts.rowNo,
		count: func() int64 { return int64(temp.rows) }}
	target := func(name *string, what string) (*table, error) {
		if name != nil {
			t := it.m.table(*name)
			if t == nil {
				return nil, c.errorf(ld.Pos, "%s (%s): no table of that name", what, *name)
			}
			return t, nil
		}
		t := it.lastTable()
		if t == nil {
			return nil, c.errorf(ld.Pos, "%s: no table has been loaded yet", what)
		}
		return t, nil
	}
	switch {
	case pf.join != nil:
		var tn *string
		if pf.join.Table != nil {
			tn = &pf.join.Table.Text
		}
		kind := pf.join.Kind.String()
		if kind == "" {
			kind = "OUTER"
		}
		t, err := target(tn, kind+" JOIN")
		if err != nil {
			return nil, err
		}
		d.name = t.name
		d.finalize = func() error {
			before := t.rows
			if err := it.join(t, temp, pf.join.Kind); err != nil {
				return err
			}
			it.log.quiet(fmt.Sprintf("%s JOIN into %s: %d rows before, %d after", kind, t.name, before, t.rows))
			for _, col := range temp.cols {
				it.m.forgetIfUnused(col.f.name)
			}
			return nil
		}
		d.count = func() int64 { return int64(temp.rows) }
		return d, nil
	case pf.keep != nil:
		d.finalize = func() error {
			it.keep(keepTarget, temp, pf.keep.Kind.String())
			return nil
		}
		return d, nil
	}
	// INTERVALMATCH
	iv := pf.interval
	if len(final) != 2+len(iv.Keys) {
		return nil, c.errorf(ld.Pos, "INTERVALMATCH (%s) needs a LOAD of the low and high bounds%s, %d fields; the LOAD has %d",
			iv.Field.Text, keysNote(len(iv.Keys)), 2+len(iv.Keys), len(final))
	}
	d.finalize = func() error {
		nt, err := it.intervalMatch(temp, iv.Field.Text, names(iv.Keys), tname, commit)
		if err != nil {
			return c.errorf(ld.Pos, "INTERVALMATCH: %w", err)
		}
		d.name = nt.name
		d.count = func() int64 { return int64(nt.rows) }
		return nil
	}
	return d, nil
}

func names(ns []script.Name) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.Text
	}
	return out
}

func keysNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" and the %d keys", n)
}

// joinIndex finds the rows of a table by the codes of some of its
// columns. NULL never matches.
type joinIndex struct {
	cols   []*column
	single []int32          // one column: first row per code, -1 none
	multi  map[string]int32 // several columns: first row per key
	next   []int32          // next row with the same key, -1 none
	key    []byte
}

func newJoinIndex(t *table, cols []*column) *joinIndex {
	x := &joinIndex{cols: cols, next: make([]int32, t.rows)}
	if len(cols) == 1 {
		x.single = make([]int32, cols[0].f.syms.Len()+1)
		for i := range x.single {
			x.single[i] = -1
		}
	} else {
		x.multi = map[string]int32{}
	}
	last := map[string]int32{}
	var lastSingle []int32
	if x.single != nil {
		lastSingle = make([]int32, len(x.single))
	}
	for r := 0; r < t.rows; r++ {
		x.next[r] = -1
		if x.single != nil {
			code := cols[0].c.get(r)
			if code == 0 {
				continue
			}
			if x.single[code] < 0 {
				x.single[code] = int32(r)
			} else {
				x.next[lastSingle[code]] = int32(r)
			}
			lastSingle[code] = int32(r)
			continue
		}
		k, ok := x.rowKey(cols, r)
		if !ok {
			continue
		}
		if _, seen := x.multi[k]; !seen {
			x.multi[k] = int32(r)
		} else {
			x.next[last[k]] = int32(r)
		}
		last[k] = int32(r)
	}
	return x
}

func (x *joinIndex) rowKey(cols []*column, r int) (string, bool) {
	x.key = x.key[:0]
	for _, c := range cols {
		code := c.c.get(r)
		if code == 0 {
			return "", false
		}
		x.key = binary.LittleEndian.AppendUint32(x.key, code)
	}
	return string(x.key), true
}

// first returns the first row of the indexed table matching row r of a
// table whose key columns are cols (-1: none).
func (x *joinIndex) first(cols []*column, r int) int32 {
	if x.single != nil {
		code := cols[0].c.get(r)
		if code == 0 || int(code) >= len(x.single) {
			return -1
		}
		return x.single[code]
	}
	k, ok := x.rowKey(cols, r)
	if !ok {
		return -1
	}
	if row, ok := x.multi[k]; ok {
		return row
	}
	return -1
}

// commonColumns returns the columns of a and b with the same field.
func commonColumns(a, b *table) (ac, bc []*column) {
	for _, c := range a.cols {
		if d := b.col(c.f.name); d != nil {
			ac = append(ac, c)
			bc = append(bc, d)
		}
	}
	return ac, bc
}

// join replaces the rows of t by its natural join with u over their
// common fields (a Cartesian product when there is none). kind is the
// script's join kind: plain and OUTER keep every row of both, LEFT every
// row of t, RIGHT every row of u, INNER only matches.
func (it *interp) join(t, u *table, kind interface{ String() string }) error {
	k := kind.String()
	keepLeft := k == "" || k == "OUTER" || k == "LEFT"
	keepRight := k == "" || k == "OUTER" || k == "RIGHT"
	tc, uc := commonColumns(t, u)
	var lrows, rrows []int32
	limit := it.lim.MaxRows
	check := func() error {
		if limit > 0 && int64(len(lrows)) > limit {
			return fmt.Errorf("the join of %s gives more than %d rows: %w", t.name, limit, ErrLimit)
		}
		if len(lrows)&0xffff == 0 {
			return it.checkCtx()
		}
		return nil
	}
	if len(tc) == 0 {
		for l := 0; l < t.rows; l++ {
			for r := 0; r < u.rows; r++ {
				lrows, rrows = append(lrows, int32(l)), append(rrows, int32(r))
				if err := check(); err != nil {
					return err
				}
			}
		}
		if t.rows == 0 && keepRight {
			for r := 0; r < u.rows; r++ {
				lrows, rrows = append(lrows, -1), append(rrows, int32(r))
			}
		}
		if u.rows == 0 && keepLeft {
			for l := 0; l < t.rows; l++ {
				lrows, rrows = append(lrows, int32(l)), append(rrows, -1)
			}
		}
	} else {
		x := newJoinIndex(u, uc)
		matched := make([]bool, u.rows)
		for l := 0; l < t.rows; l++ {
			r := x.first(tc, l)
			if r < 0 {
				if keepLeft {
					lrows, rrows = append(lrows, int32(l)), append(rrows, -1)
				}
				continue
			}
			for ; r >= 0; r = x.next[r] {
				matched[r] = true
				lrows, rrows = append(lrows, int32(l)), append(rrows, r)
				if err := check(); err != nil {
					return err
				}
			}
		}
		if keepRight {
			for r := 0; r < u.rows; r++ {
				if !matched[r] {
					lrows, rrows = append(lrows, -1), append(rrows, int32(r))
				}
			}
		}
	}
	var cols []*column
	for _, c := range t.cols {
		nc := &column{f: c.f, c: c.c.gather(lrows)}
		if d := u.col(c.f.name); d != nil {
			// A common field: rows only on the right take its value there.
			for i, l := range lrows {
				if l < 0 {
					nc.c.set(i, d.c.get(int(rrows[i])))
				}
			}
		}
		cols = append(cols, nc)
	}
	for _, d := range u.cols {
		if t.col(d.f.name) != nil {
			continue
		}
		cols = append(cols, &column{f: d.f, c: d.c.gather(rrows)})
	}
	t.cols = cols
	t.rows = len(lrows)
	t.reindex()
	return nil
}

// keep reduces the tables of a KEEP: LEFT keeps in u only the rows
// matching t, RIGHT keeps in t only the rows matching u, INNER does both.
func (it *interp) keep(t, u *table, kind string) {
	tc, uc := commonColumns(t, u)
	if len(tc) == 0 {
		return
	}
	matches := func(a *table, ac []*column, b *table, bc []*column) []bool {
		x := newJoinIndex(b, bc)
		keep := make([]bool, a.rows)
		for r := 0; r < a.rows; r++ {
			keep[r] = x.first(ac, r) >= 0
		}
		return keep
	}
	var keepT, keepU []bool
	if kind == "LEFT" || kind == "INNER" {
		keepU = matches(u, uc, t, tc)
	}
	if kind == "RIGHT" || kind == "INNER" {
		keepT = matches(t, tc, u, uc)
	}
	if keepU != nil {
		filterRows(u, keepU)
	}
	if keepT != nil {
		filterRows(t, keepT)
	}
}

// filterRows keeps the rows of t marked in keep.
func filterRows(t *table, keep []bool) {
	rows := make([]int32, 0, t.rows)
	for r, k := range keep {
		if k {
			rows = append(rows, int32(r))
		}
	}
	if len(rows) == t.rows {
		return
	}
	for _, c := range t.cols {
		c.c = c.c.gather(rows)
	}
	t.rows = len(rows)
}

// intervalMatch builds the table of an INTERVALMATCH: for every value of
// the match field (with the same keys) lying in a closed interval [lo, hi]
// of src, a row (match value, lo, hi, keys). The match values come from
// the first table that holds the match field and the keys.
func (it *interp) intervalMatch(src *table, matchField string, keys []string, tname string, commit func()) (*table, error) {
	var from *table
	for _, t := range it.m.tables {
		if t.col(matchField) == nil {
			continue
		}
		ok := true
		for _, k := range keys {
			if t.col(k) == nil {
				ok = false
			}
		}
		if ok {
			from = t
			break
		}
	}
	if from == nil {
		if len(keys) == 0 {
			return nil, fmt.Errorf("no table holds the field %q", matchField)
		}
		return nil, fmt.Errorf("no table holds the field %q together with the keys %v", matchField, keys)
	}
	mc := from.col(matchField)
	var kc []*column
	for _, k := range keys {
		kc = append(kc, from.col(k))
	}
	// Distinct (value, keys) combinations with a number, sorted by value.
	type point struct {
		x    float64
		code uint32
		keys []uint32
	}
	seen := map[string]bool{}
	var pts []point
	var kb []byte
	for r := 0; r < from.rows; r++ {
		code := mc.c.get(r)
		if code == 0 {
			continue
		}
		d := mc.f.syms.Dual(code - 1)
		if !d.IsNum() {
			continue
		}
		kb = binary.LittleEndian.AppendUint32(kb[:0], code)
		var ks []uint32
		for _, c := range kc {
			v := c.c.get(r)
			ks = append(ks, v)
			kb = binary.LittleEndian.AppendUint32(kb, v)
		}
		if seen[string(kb)] {
			continue
		}
		seen[string(kb)] = true
		pts = append(pts, point{d.Num, code, ks})
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].x < pts[j].x })
	lo, hi := src.cols[0], src.cols[1]
	// The src key columns hold the same fields as kc (same names).
	srcKeys := src.cols[2:]
	out := it.m.newTable(it.m.uniqueName(tname), append([]string{matchField}, src.fieldNames()...))
	commit()
	outMatch := out.cols[0]
	for r := 0; r < src.rows; r++ {
		lc, hc := lo.c.get(r), hi.c.get(r)
		if lc == 0 || hc == 0 {
			continue
		}
		l, h := lo.f.syms.Dual(lc-1), hi.f.syms.Dual(hc-1)
		if !l.IsNum() || !h.IsNum() {
			continue
		}
		i := sort.Search(len(pts), func(i int) bool { return pts[i].x >= l.Num })
		for ; i < len(pts) && pts[i].x <= h.Num; i++ {
			p := pts[i]
			match := true
			for k, c := range srcKeys {
				if c.c.get(r) != p.keys[k] || p.keys[k] == 0 {
					match = false
					break
				}
			}
			if !match {
				continue
			}
			outMatch.c.add(p.code)
			for j, c := range src.cols {
				out.cols[j+1].c.add(c.c.get(r))
			}
			out.rows++
		}
		if err := it.tick(); err != nil {
			return nil, err
		}
	}
	if slices.Contains(keys, matchField) {
		return nil, fmt.Errorf("the match field %q cannot also be a key", matchField)
	}
	return out, nil
}
