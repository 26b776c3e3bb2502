package reload

import (
	"fmt"
	"math"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/symbols"
)

// finish builds the model from the tables left at the end of the script
// (§5.11): mapping tables are dropped (they never reach the builder), the
// LOOSEN TABLE and TAG statements are applied, and engine.Builder makes
// the synthetic keys, loosens tables to break loops and adds the system
// tables. The builder's warnings go to the log.
func (it *interp) finish() (*engine.Model, error) {
	b := it.m.b
	done := map[*field]bool{}
	for _, t := range it.m.tables {
		if err := it.checkCtx(); err != nil {
			return nil, err
		}
		names := make([]string, len(t.cols))
		cols := make([]*symbols.Column, len(t.cols))
		jobs := make([]func() error, 0, len(t.cols))
		cells := 0
		for i, c := range t.cols {
			names[i] = c.f.name
			if !done[c.f] {
				it.adoptField(c.f)
				done[c.f] = true
			}
			// Packed as the builder will keep it, so that it does not
			// unpack and pack every column again; the columns of a table
			// are packed in parallel (this step was serial, a quarter of a
			// 12M-row CSV load on two cores).
			card, pol := c.f.syms.Len(), modelOptions(it.req).Packing
			jobs = append(jobs, func() error {
				cols[i] = c.c.column(card, pol)
				c.c = codes{}
				return nil
			})
			cells += c.c.Len()
		}
		if err := runJobs(jobs, cells); err != nil {
			return nil, err
		}
		if err := b.AddTable(t.name, names, cols); err != nil {
			return nil, fmt.Errorf("cannot build the data model: %w", err)
		}
	}
	loc := it.locale()
	for _, name := range it.m.fieldSeq {
		if f := it.m.fields[name]; f != nil {
			if tag := dateTag(f.syms, loc); tag != "" {
				b.TagField(name, tag)
			}
		}
	}
	for f, tags := range it.tags {
		if _, ok := it.m.fields[f]; ok && len(tags) > 0 {
			b.TagField(f, tags...)
		}
	}
	for _, name := range it.loosen {
		if t := it.m.table(name); t != nil {
			b.Loosen(t.name)
		}
	}
	m, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("cannot build the data model: %w", err)
	}
	syn, loose := 0, 0
	for _, w := range m.Warnings() {
		switch {
		case strings.HasPrefix(w, "synthetic key"):
			syn++
		case strings.Contains(w, "loos"):
			loose++
		}
		it.warn(w)
	}
	st := m.Stats()
	it.log.line(fmt.Sprintf("%d synthetic key(s)", syn))
	if loose > 0 {
		it.log.line(fmt.Sprintf("%d table(s) loosely coupled to break circular references", loose))
	}
	it.log.quiet(fmt.Sprintf("%d tables, %d fields, %s rows, %s symbols, about %s bytes",
		st.Tables, st.Fields, groupDigits(st.Rows), groupDigits(st.Symbols), groupDigits(st.Bytes)))
	return m, nil
}

// adoptField makes the builder's symbol table of f's name hold f's
// symbols: nothing to do when f already uses it; else the symbols are
// copied (an empty builder table) or interned and the columns of f
// remapped (a builder table left with other symbols by a dropped or
// renamed field).
func (it *interp) adoptField(f *field) {
	bs := it.m.b.Symbols(f.name)
	if bs == f.syms {
		return
	}
	if bs.Len() == 0 {
		copyFieldSymbols(bs, f.syms)
		f.syms = bs
		return
	}
	remap := make([]uint32, f.syms.Len()+1)
	for i := 0; i < f.syms.Len(); i++ {
		remap[i+1] = bs.Intern(f.syms.Dual(uint32(i))) + 1
	}
	for _, t := range it.m.tables {
		if i, ok := t.idx[f.name]; ok && t.cols[i].f == f {
			nc := newCodes(t.rows)
			nc.appendAll(&t.cols[i].c, remap)
			t.cols[i].c = nc
		}
	}
	f.syms = bs
}

// copyFieldSymbols interns the symbols of src into the builder's empty
// table dst in order, so that codes keep their meaning.
func copyFieldSymbols(dst, src *symbols.Table) {
	if dst.Len() != 0 {
		panic("BUG: builder field already has symbols")
	}
	for i := 0; i < src.Len(); i++ {
		if id := dst.Intern(src.Dual(uint32(i))); id != uint32(i) {
			panic(fmt.Sprintf("BUG: symbol %d of a field re-interned as %d", i, id))
		}
	}
}

// dateTag returns "$date" or "$timestamp" for a field whose values are all
// numbers written as dates (or timestamps) in the script's formats or ISO
// 8601, judged on up to 64 of them, else "".
func dateTag(syms *symbols.Table, loc *numfmt.Locale) string {
	n := syms.Len()
	if n == 0 || syms.NumericCount() != n {
		return ""
	}
	check := func(i int) numfmt.Kind {
		d := syms.Dual(uint32(i))
		x, ok, kind := numfmt.Interpret(d.Text, loc)
		switch {
		case !ok:
			return numfmt.KindText
		case kind == numfmt.KindDate && x == math.Floor(d.Num):
			return kind
		case kind == numfmt.KindTimestamp && math.Abs(x-d.Num) < 1.0/86400:
			return kind
		}
		return numfmt.KindText
	}
	stamp := false
	for i := 0; i < n; i++ {
		if i == 32 && n > 64 {
			i = n - 32
		}
		switch check(i) {
		case numfmt.KindDate:
		case numfmt.KindTimestamp:
			stamp = true
		default:
			return ""
		}
	}
	if stamp {
		return "$timestamp"
	}
	return "$date"
}
