package engine

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/assocengine/assoc/engine/internal/kern"
	"github.com/assocengine/assoc/symbols"
)

// Options configure model building and sessions. The zero value works.
type Options struct {
	// Packing chooses column encodings (default symbols.Compact).
	Packing symbols.Policy
	// Logger receives build warnings (synthetic keys, loosened tables).
	// Nil discards them.
	Logger *slog.Logger
	// NoSystemTables leaves out $TableInfo and $FieldInfo.
	NoSystemTables bool
}

func (o Options) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Builder assembles a Model from tables. Fields with the same name share one
// symbol table (Symbols); tables sharing field names associate. Build runs
// Qlik's finalisation: unused symbols are dropped, tables sharing two or
// more fields get a synthetic key, circular references are broken by
// loosening a table, and the system tables are added.
//
// A Builder is not safe for concurrent use.
type Builder struct {
	opts     Options
	fields   []*bField
	fieldIdx map[string]int
	tables   []*bTable
	tableIdx map[string]int
	loosen   []string
}

type bField struct {
	name string
	syms *symbols.Table
	tags []string // extra tags set by the caller
}

type bTable struct {
	name      string
	fields    []int
	cols      []*symbols.Column
	builders  []*symbols.ColumnBuilder // row-wise tables until Build
	rows      int
	loose     bool
	system    bool
	synthetic bool
}

// NewBuilder returns an empty builder.
func NewBuilder(opts Options) *Builder {
	return &Builder{opts: opts, fieldIdx: map[string]int{}, tableIdx: map[string]int{}}
}

func (b *Builder) field(name string) int {
	if i, ok := b.fieldIdx[name]; ok {
		return i
	}
	b.fields = append(b.fields, &bField{name: name, syms: symbols.NewTable()})
	b.fieldIdx[name] = len(b.fields) - 1
	return len(b.fields) - 1
}

// Symbols returns the symbol table of the named field, creating the field if
// needed. Columns passed to AddTable hold codes into these tables.
func (b *Builder) Symbols(field string) *symbols.Table {
	return b.fields[b.field(field)].syms
}

// TagField adds tags (e.g. "$date", "$timestamp") to a field; Build adds
// the structural and type tags itself.
func (b *Builder) TagField(field string, tags ...string) {
	f := b.fields[b.field(field)]
	for _, t := range tags {
		if !slices.Contains(f.tags, t) {
			f.tags = append(f.tags, t)
		}
	}
}

// AddTable adds a table whose columns hold codes into the symbol tables
// returned by Symbols for each field (0 = NULL, c = symbol c-1).
func (b *Builder) AddTable(name string, fields []string, cols []*symbols.Column) error {
	if err := b.checkNew(name, fields); err != nil {
		return err
	}
	if len(cols) != len(fields) {
		return fmt.Errorf("cannot add table %q: %d fields but %d columns: %w", name, len(fields), len(cols), ErrInvalidModel)
	}
	t := &bTable{name: name}
	for i, fn := range fields {
		fi := b.field(fn)
		c := cols[i]
		if c == nil {
			return fmt.Errorf("cannot add table %q: column %q is nil: %w", name, fn, ErrInvalidModel)
		}
		if i == 0 {
			t.rows = c.Len()
		} else if c.Len() != t.rows {
			return fmt.Errorf("cannot add table %q: column %q has %d rows, %q has %d: %w",
				name, fn, c.Len(), fields[0], t.rows, ErrInvalidModel)
		}
		if int(c.MaxCode()) > b.fields[fi].syms.Len() {
			return fmt.Errorf("cannot add table %q: column %q holds codes up to %d but the field has %d symbols: %w",
				name, fn, c.MaxCode(), b.fields[fi].syms.Len(), ErrInvalidModel)
		}
		t.fields = append(t.fields, fi)
		t.cols = append(t.cols, c)
	}
	b.tables = append(b.tables, t)
	b.tableIdx[name] = len(b.tables) - 1
	return nil
}

func (b *Builder) checkNew(name string, fields []string) error {
	if name == "" {
		return fmt.Errorf("cannot add a table without a name: %w", ErrInvalidModel)
	}
	if _, dup := b.tableIdx[name]; dup {
		return fmt.Errorf("cannot add table %q: a table with that name exists: %w", name, ErrInvalidModel)
	}
	if len(fields) == 0 {
		return fmt.Errorf("cannot add table %q: it has no fields: %w", name, ErrInvalidModel)
	}
	seen := map[string]bool{}
	for _, f := range fields {
		if f == "" {
			return fmt.Errorf("cannot add table %q: empty field name: %w", name, ErrInvalidModel)
		}
		if seen[f] {
			return fmt.Errorf("cannot add table %q: field %q appears twice: %w", name, f, ErrInvalidModel)
		}
		seen[f] = true
	}
	return nil
}

// TableBuilder appends rows to a table created by NewTable.
type TableBuilder struct {
	b *Builder
	t *bTable
}

// NewTable starts a table that is filled row by row with Append.
func (b *Builder) NewTable(name string, fields ...string) (*TableBuilder, error) {
	if err := b.checkNew(name, fields); err != nil {
		return nil, err
	}
	t := &bTable{name: name}
	for _, fn := range fields {
		t.fields = append(t.fields, b.field(fn))
		t.builders = append(t.builders, symbols.NewColumnBuilder(0))
	}
	b.tables = append(b.tables, t)
	b.tableIdx[name] = len(b.tables) - 1
	return &TableBuilder{b: b, t: t}, nil
}

// Append adds one row. Each value is nil (NULL), a string (text, not
// interpreted as a number), a float64 or an integer (number), or a
// symbols.Dual.
func (tb *TableBuilder) Append(values ...any) error {
	t := tb.t
	if len(values) != len(t.fields) {
		return fmt.Errorf("cannot append to table %q: %d values for %d fields", t.name, len(values), len(t.fields))
	}
	for i, v := range values {
		syms := tb.b.fields[t.fields[i]].syms
		var code uint32
		switch v := v.(type) {
		case nil:
		case string:
			code = syms.InternText(v) + 1
		case float64:
			if math.IsNaN(v) {
				break
			}
			code = syms.InternNum(v, "") + 1
		case int:
			code = syms.InternNum(float64(v), strconv.Itoa(v)) + 1
		case int64:
			code = syms.InternNum(float64(v), strconv.FormatInt(v, 10)) + 1
		case symbols.Dual:
			code = syms.Intern(v) + 1
		default:
			return fmt.Errorf("cannot append to table %q: field %q: unsupported value type %T", t.name, tb.b.fields[t.fields[i]].name, v)
		}
		t.builders[i].Append(code)
	}
	t.rows++
	return nil
}

// AppendCodes adds one row of codes (0 = NULL, c = symbol c-1).
func (tb *TableBuilder) AppendCodes(codes ...uint32) error {
	t := tb.t
	if len(codes) != len(t.fields) {
		return fmt.Errorf("cannot append to table %q: %d codes for %d fields", t.name, len(codes), len(t.fields))
	}
	for i, c := range codes {
		if int(c) > tb.b.fields[t.fields[i]].syms.Len() {
			return fmt.Errorf("cannot append to table %q: code %d is not a symbol of field %q", t.name, c, tb.b.fields[t.fields[i]].name)
		}
		t.builders[i].Append(c)
	}
	t.rows++
	return nil
}

// Loosen marks a table loosely coupled (Qlik's LOOSEN TABLE): selections do
// not propagate between its fields.
func (b *Builder) Loosen(table string) { b.loosen = append(b.loosen, table) }

// Build finalises the model. The builder must not be used afterwards.
func (b *Builder) Build() (*Model, error) {
	log := b.opts.logger()
	for _, t := range b.tables {
		if t.builders != nil {
			for i, cb := range t.builders {
				t.cols = append(t.cols, cb.Finish(uint32(b.fields[t.fields[i]].syms.Len()), symbols.Bytes))
			}
			t.builders = nil
		}
	}
	for _, name := range b.loosen {
		i, ok := b.tableIdx[name]
		if !ok {
			return nil, fmt.Errorf("cannot loosen table %q: %w", name, ErrTableNotFound)
		}
		b.tables[i].loose = true
	}
	b.compact()
	var warnings []string
	warnings = append(warnings, b.syntheticKeys()...)

	m := &Model{policy: b.opts.Packing, logger: log}
	// Fields that ended up in no table disappear.
	used := make([]bool, len(b.fields))
	for _, t := range b.tables {
		for _, fi := range t.fields {
			used[fi] = true
		}
	}
	newIdx := make([]int, len(b.fields))
	for i, f := range b.fields {
		newIdx[i] = -1
		if !used[i] {
			continue
		}
		newIdx[i] = len(m.fields)
		mf := &Field{Name: f.name, Symbols: f.syms, Tags: slices.Clone(f.tags)}
		mf.Synthetic = strings.HasPrefix(f.name, "$Syn ")
		m.fields = append(m.fields, mf)
	}
	for _, t := range b.tables {
		mt := &Table{Name: t.name, Rows: t.rows, Loose: t.loose, System: t.system, Synthetic: t.synthetic}
		for i, fi := range t.fields {
			mt.Fields = append(mt.Fields, newIdx[fi])
			card := uint32(b.fields[fi].syms.Len())
			mt.Columns = append(mt.Columns, t.cols[i].Repack(card, b.opts.Packing))
		}
		m.tables = append(m.tables, mt)
	}
	m.index()
	warnings = append(warnings, m.breakLoops()...)
	if !b.opts.NoSystemTables {
		m.addSystemTables()
		m.index()
	}
	m.tagFields()
	freezeAll(m.fields)
	m.warnings = warnings
	for _, w := range warnings {
		log.Warn(w)
	}
	m.g = buildGraph(m)
	return m, nil
}

// compact drops symbols no table references and renumbers the rest,
// keeping load order.
func (b *Builder) compact() {
	marks := make([][]uint8, len(b.fields))
	for _, t := range b.tables {
		for i, fi := range t.fields {
			n := b.fields[fi].syms.Len() + 1
			if marks[fi] == nil {
				marks[fi] = make([]uint8, n)
			}
			c := t.cols[i]
			if len(marks[fi]) < int(c.MaxCode())+1 {
				// cannot happen: AddTable checks codes against the field.
				panic("BUG: column codes beyond symbol table")
			}
			kern.Mark(c, nil, marks[fi], 0, c.Len())
		}
	}
	for fi, mk := range marks {
		f := b.fields[fi]
		if mk == nil {
			continue
		}
		n := f.syms.Len()
		unused := 0
		for code := 1; code <= n; code++ {
			if mk[code] == 0 {
				unused++
			}
		}
		if unused == 0 {
			continue
		}
		remap := make([]uint32, n+1)
		nt := symbols.NewTable()
		for code := 1; code <= n; code++ {
			if mk[code] != 0 {
				remap[code] = nt.Intern(f.syms.Dual(uint32(code-1))) + 1
			}
		}
		f.syms = nt
		for _, t := range b.tables {
			for i, tfi := range t.fields {
				if tfi == fi {
					t.cols[i] = t.cols[i].Remap(remap, uint32(nt.Len()), symbols.Bytes)
				}
			}
		}
	}
}

// syntheticKeys replaces every set of two or more fields shared by two
// tables with one $Syn N field and a $Syn N Table of the combinations.
func (b *Builder) syntheticKeys() []string {
	var warnings []string
	n := 0
	for {
		var best []int
		bi := -1
		for i := 0; i < len(b.tables); i++ {
			ti := b.tables[i]
			if ti.loose || ti.system {
				continue
			}
			for j := i + 1; j < len(b.tables); j++ {
				tj := b.tables[j]
				if tj.loose || tj.system {
					continue
				}
				c := intersect(ti.fields, tj.fields)
				if len(c) < 2 {
					continue
				}
				if len(c) > len(best) || (len(c) == len(best) && i == bi && b.fieldListLess(c, best)) {
					best, bi = c, i
				}
			}
		}
		if best == nil {
			return warnings
		}
		n++
		var members []*bTable
		for _, t := range b.tables {
			if !t.loose && !t.system && containsAll(t.fields, best) {
				members = append(members, t)
			}
		}
		// C in the field order of the first member table.
		first := members[0]
		var cset []int
		for _, fi := range first.fields {
			if slices.Contains(best, fi) {
				cset = append(cset, fi)
			}
		}
		warnings = append(warnings, b.makeSynKey(n, cset, members))
	}
}

func (b *Builder) fieldListLess(a, c []int) bool {
	an := make([]string, len(a))
	for i, f := range a {
		an[i] = b.fields[f].name
	}
	cn := make([]string, len(c))
	for i, f := range c {
		cn[i] = b.fields[f].name
	}
	slices.Sort(an)
	slices.Sort(cn)
	return slices.Compare(an, cn) < 0
}

func (b *Builder) makeSynKey(n int, cset []int, members []*bTable) string {
	synName := "$Syn " + strconv.Itoa(n)
	sf := b.field(synName)
	syms := b.fields[sf].syms
	combos := map[string]uint32{}
	var comboCodes [][]uint32 // per component field
	comboCodes = make([][]uint32, len(cset))
	key := make([]byte, 4*len(cset))
	var names []string
	for _, t := range members {
		names = append(names, t.name)
		// decode the component columns
		comp := make([][]uint32, len(cset))
		pos := make([]int, len(cset))
		for k, fi := range cset {
			pos[k] = slices.Index(t.fields, fi)
			comp[k] = make([]uint32, t.rows)
			t.cols[pos[k]].Decode(comp[k], 0)
		}
		syn := make([]uint32, t.rows)
		for r := 0; r < t.rows; r++ {
			allNull := true
			for k := range cset {
				v := comp[k][r]
				if v != 0 {
					allNull = false
				}
				binary.LittleEndian.PutUint32(key[4*k:], v)
			}
			if allNull {
				continue
			}
			code, ok := combos[string(key)]
			if !ok {
				id := len(combos) + 1
				code = syms.InternNum(float64(id), strconv.Itoa(id)) + 1
				combos[string(key)] = code
				for k := range cset {
					comboCodes[k] = append(comboCodes[k], comp[k][r])
				}
			}
			syn[r] = code
		}
		// Replace the component fields by the synthetic field at the
		// position of the first one.
		firstPos := slices.Min(pos)
		var nf []int
		var nc []*symbols.Column
		for i, fi := range t.fields {
			if i == firstPos {
				nf = append(nf, sf)
				nc = append(nc, nil) // filled below
				continue
			}
			if slices.Contains(cset, fi) {
				continue
			}
			nf = append(nf, fi)
			nc = append(nc, t.cols[i])
		}
		for i := range nf {
			if nf[i] == sf {
				nc[i] = symbols.Pack(syn, uint32(max(1, len(combos))), symbols.Bytes)
			}
		}
		t.fields, t.cols = nf, nc
	}
	// Synthetic columns were packed while combos grew; repack for the
	// final cardinality happens in Build. Build the $Syn table.
	st := &bTable{name: synName + " Table", rows: len(combos), synthetic: true}
	synCodes := make([]uint32, len(combos))
	for i := range synCodes {
		synCodes[i] = uint32(i + 1)
	}
	st.fields = append(st.fields, sf)
	st.cols = append(st.cols, symbols.Pack(synCodes, uint32(len(combos)), symbols.Bytes))
	for k, fi := range cset {
		st.fields = append(st.fields, fi)
		st.cols = append(st.cols, symbols.Pack(comboCodes[k], uint32(b.fields[fi].syms.Len()), symbols.Bytes))
	}
	b.tables = append(b.tables, st)
	b.tableIdx[st.name] = len(b.tables) - 1
	b.TagField(synName, "$syn")
	var fnames []string
	for _, fi := range cset {
		b.TagField(b.fields[fi].name, "$keypart")
		fnames = append(fnames, b.fields[fi].name)
	}
	return fmt.Sprintf("synthetic key %s created for fields %s shared by tables %s",
		synName, strings.Join(fnames, ", "), strings.Join(names, ", "))
}

func intersect(a, b []int) []int {
	var out []int
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

func containsAll(set, sub []int) bool {
	for _, x := range sub {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}

// freezeAll freezes the fields' symbol tables (which may render every
// text of a large field to check it) on all cores, largest first.
func freezeAll(fields []*Field) {
	order := slices.Clone(fields)
	slices.SortFunc(order, func(a, b *Field) int { return cmp.Compare(b.Cardinal(), a.Cardinal()) })
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(order)) {
		wg.Go(func() {
			for i := next.Add(1) - 1; i < int64(len(order)); i = next.Add(1) - 1 {
				order[i].Symbols.Freeze()
			}
		})
	}
	wg.Wait()
}
