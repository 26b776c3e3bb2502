package reload

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// field is one field of the data model under construction: a name and the
// symbol table shared by every table holding the field, interned as rows
// arrive (first-load order). Mapping tables have private fields that are
// not registered in the model.
type field struct {
	name string
	syms *symbols.Table
}

func newField(name string) *field { return &field{name: name, syms: symbols.NewTable()} }

// intern returns the code of v in f (0 for NULL).
func (f *field) intern(d symbols.Dual) uint32 { return f.syms.Intern(d) + 1 }

// column is one field of one table: the codes of its rows.
type column struct {
	f *field
	c codes
}

// table is an internal table being built by the script.
type table struct {
	name    string
	cols    []*column
	idx     map[string]int // field name -> position in cols
	rows    int
	seq     int  // creation order
	mapping bool // a mapping table (own namespace, dropped at the end)
	source  string
}

func (t *table) col(name string) *column {
	if i, ok := t.idx[name]; ok {
		return t.cols[i]
	}
	return nil
}

func (t *table) fieldNames() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.f.name
	}
	return out
}

// addColumn appends a column for f, NULL in every existing row.
func (t *table) addColumn(f *field) *column {
	c := &column{f: f, c: newCodes(t.rows)}
	c.c.addN(0, t.rows)
	t.idx[f.name] = len(t.cols)
	t.cols = append(t.cols, c)
	return c
}

// reindex rebuilds idx after cols changed.
func (t *table) reindex() {
	t.idx = make(map[string]int, len(t.cols))
	for i, c := range t.cols {
		t.idx[c.f.name] = i
	}
}

// bytes estimates the memory of the table's codes.
func (t *table) bytes() int64 {
	var n int64
	for _, c := range t.cols {
		n += c.c.bytes()
	}
	return n
}

// sameFieldSet reports whether t has exactly the fields names (in any order).
func (t *table) sameFieldSet(names []string) bool {
	if len(names) != len(t.cols) {
		return false
	}
	for _, n := range names {
		if _, ok := t.idx[n]; !ok {
			return false
		}
	}
	return true
}

// model is the data of a running script: the fields, the tables in
// creation order and the mapping tables.
type model struct {
	// b is the builder of the final model. Fields use its symbol tables
	// from the start, so that nothing is copied at the end; a field whose
	// builder table is taken (a name reused after a drop or a rename) gets
	// a private table, merged at the end.
	b        *engine.Builder
	owned    map[*symbols.Table]bool
	fields   map[string]*field
	fieldSeq []string // field names in order of creation (for the final model)
	tables   []*table // data tables, in creation order
	mappings map[string]*table
	seq      int
	inline   int // INLINE tables named so far
	autogen  int // AUTOGENERATE tables named so far
}

func newModel(b *engine.Builder) *model {
	return &model{b: b, owned: map[*symbols.Table]bool{}, fields: map[string]*field{}, mappings: map[string]*table{}}
}

// field returns the field called name, creating it if needed.
func (m *model) field(name string) *field {
	if f, ok := m.fields[name]; ok {
		return f
	}
	f := &field{name: name}
	if bs := m.b.Symbols(name); bs.Len() == 0 && !m.owned[bs] {
		f.syms = bs
		m.owned[bs] = true
	} else {
		f.syms = symbols.NewTable()
	}
	m.fields[name] = f
	m.fieldSeq = append(m.fieldSeq, name)
	return f
}

// table returns the data table called name: an exact match, else the only
// case-insensitive match.
func (m *model) table(name string) *table {
	var fold *table
	nfold := 0
	for _, t := range m.tables {
		if t.name == name {
			return t
		}
		if strings.EqualFold(t.name, name) {
			fold = t
			nfold++
		}
	}
	if nfold == 1 {
		return fold
	}
	return nil
}

// mapping returns the mapping table called name (exact, else
// case-insensitive).
func (m *model) mapping(name string) *table {
	if t, ok := m.mappings[name]; ok {
		return t
	}
	for n, t := range m.mappings {
		if strings.EqualFold(n, name) {
			return t
		}
	}
	return nil
}

// uniqueName returns name, or name-1, name-2 ... when a table of that name
// exists (§1.3).
func (m *model) uniqueName(name string) string {
	if m.exact(name) == nil {
		return name
	}
	for i := 1; ; i++ {
		n := name + "-" + strconv.Itoa(i)
		if m.exact(n) == nil {
			return n
		}
	}
}

func (m *model) exact(name string) *table {
	for _, t := range m.tables {
		if t.name == name {
			return t
		}
	}
	return nil
}

// newTable creates a data table with the given fields (each created in
// the model if needed). Names must be unique (see uniqueName).
func (m *model) newTable(name string, fields []string) *table {
	m.seq++
	t := &table{name: name, idx: map[string]int{}, seq: m.seq}
	for _, fn := range fields {
		t.addColumn(m.field(fn))
	}
	m.tables = append(m.tables, t)
	return t
}

// newMapping creates a mapping table with private fields.
func (m *model) newMapping(name string, fields []string) *table {
	m.seq++
	t := &table{name: name, idx: map[string]int{}, seq: m.seq, mapping: true}
	for _, fn := range fields {
		if _, dup := t.idx[fn]; dup {
			continue
		}
		t.addColumn(newField(fn))
	}
	return t
}

// dropTable removes t and forgets the fields no other table holds.
func (m *model) dropTable(t *table) {
	for i, x := range m.tables {
		if x == t {
			m.tables = append(m.tables[:i], m.tables[i+1:]...)
			break
		}
	}
	for _, c := range t.cols {
		m.forgetIfUnused(c.f.name)
	}
}

// forgetIfUnused removes the field name from the model when no table
// holds it any more.
func (m *model) forgetIfUnused(name string) {
	for _, t := range m.tables {
		if _, ok := t.idx[name]; ok {
			return
		}
	}
	if _, ok := m.fields[name]; !ok {
		return
	}
	delete(m.fields, name)
	for i, n := range m.fieldSeq {
		if n == name {
			m.fieldSeq = append(m.fieldSeq[:i], m.fieldSeq[i+1:]...)
			break
		}
	}
}

// rows returns the total number of rows of the data tables.
func (m *model) rows() int64 {
	var n int64
	for _, t := range m.tables {
		n += int64(t.rows)
	}
	return n
}

// symbolCost is the estimated memory of one symbol: its text header,
// number, JSON rendering, interning map entry and a short text.
const symbolCost = 64

// bytes estimates the memory held by tables and symbol tables. It is
// cheap (no symbol is visited), for the MaxMemory check during loads.
func (m *model) bytes() int64 {
	var n int64
	for _, t := range m.tables {
		n += t.bytes()
	}
	for _, t := range m.mappings {
		n += t.bytes()
		for _, c := range t.cols {
			n += int64(c.f.syms.Len()) * symbolCost
		}
	}
	for _, f := range m.fields {
		n += int64(f.syms.Len()) * symbolCost
	}
	return n
}

// remapColumn moves column c of a table to field to: every code is
// re-interned into to's symbol table.
func remapColumn(c *column, to *field) {
	if c.f == to {
		return
	}
	from := c.f.syms
	m := make([]uint32, from.Len()+1)
	used := make([]bool, from.Len()+1)
	n := c.c.Len()
	for i := range n {
		used[c.c.get(i)] = true
	}
	for code := 1; code <= from.Len(); code++ {
		if used[code] {
			m[code] = to.intern(from.Dual(uint32(code - 1)))
		}
	}
	nc := newCodes(n)
	nc.appendAll(&c.c, m)
	c.c = nc
	c.f = to
}

// describe names a table for messages.
func (t *table) describe() string {
	if t.mapping {
		return fmt.Sprintf("mapping table %q", t.name)
	}
	return fmt.Sprintf("table %q", t.name)
}
