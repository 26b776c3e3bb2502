package qix

import (
	"math"
	"sync"
	"unicode/utf8"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// modelInfo is an immutable data model plus facts about it that layouts and
// data-model methods need and that are computed once, on first use.
type modelInfo struct {
	m      *engine.Model
	fields []fieldFacts

	viewOnce [2]sync.Once
	views    [2]*modelView // [0] source view, [1] internal (synthetic) view
}

// fieldFacts are per-field statics over all symbols.
type fieldFacts struct {
	once     sync.Once
	glyphs   int     // longest text in characters (qApprMaxGlyphCount)
	min, max float64 // numeric range, NaN when no symbol has a number
}

// facts returns the statics of field f.
func (mi *modelInfo) facts(f *engine.Field) *fieldFacts {
	ff := &mi.fields[f.Index]
	ff.once.Do(func() {
		ff.min, ff.max = math.NaN(), math.NaN()
		syms := f.Symbols
		for id := 0; id < syms.Len(); id++ {
			if n := utf8.RuneCountInString(syms.Text(uint32(id))); n > ff.glyphs {
				ff.glyphs = n
			}
			v := syms.Num(uint32(id))
			if math.IsNaN(v) {
				continue
			}
			if math.IsNaN(ff.min) || v < ff.min {
				ff.min = v
			}
			if math.IsNaN(ff.max) || v > ff.max {
				ff.max = v
			}
		}
	})
	return ff
}

// modelView is the data model as GetTablesAndKeys shows it. The source view
// (qSyntheticMode false) hides synthetic keys: every table lists its
// original fields and the $Syn tables are left out. The internal view shows
// the model as it is. System tables are in neither.
type modelView struct {
	mi     *modelInfo
	tables []*viewTable
	byName map[string]*viewTable

	statsOnce sync.Once
	// srcTables and totals per field index: the tables listing the field
	// and its largest non-NULL count in one of them.
	srcTables [][]string
	totals    []int64
}

// viewTable is a table of a view.
type viewTable struct {
	name   string
	t      *engine.Table
	fields []*viewField

	statsOnce sync.Once
}

// viewField is a field of a view table: a column of the table, or a
// component of the table's synthetic key reached through the $Syn table.
type viewField struct {
	f   *engine.Field
	col *symbols.Column // the table's column (of the $Syn field for a component)
	syn *synKey         // nil for a direct column

	// statistics over the table (set by viewTable.stats)
	nonNulls int64
	distinct int
}

// synKey maps the codes of a $Syn field to the component codes.
type synKey struct {
	comp []uint32 // component code per $Syn code (index 0 = NULL)
}

// code returns the field's code in row r (0 = NULL).
func (vf *viewField) code(r int) uint32 {
	c := vf.col.Code(r)
	if vf.syn == nil || c == 0 {
		return c
	}
	return vf.syn.comp[c]
}

// decode writes the codes of rows [from, from+len(dst)) into dst.
func (vf *viewField) decode(dst []uint32, from int) {
	vf.col.Decode(dst, from)
	if vf.syn != nil {
		for i, c := range dst {
			dst[i] = vf.syn.comp[c]
		}
	}
}

// view returns the source (synthetic=false) or internal view.
func (mi *modelInfo) view(synthetic bool) *modelView {
	i := 0
	if synthetic {
		i = 1
	}
	mi.viewOnce[i].Do(func() { mi.views[i] = buildView(mi, synthetic) })
	return mi.views[i]
}

func buildView(mi *modelInfo, synthetic bool) *modelView {
	m := mi.m
	v := &modelView{mi: mi, byName: map[string]*viewTable{}}
	fields := m.Fields()
	for _, t := range m.Tables() {
		if t.System || (t.Synthetic && !synthetic) {
			continue
		}
		vt := &viewTable{name: t.Name, t: t}
		for ci, fi := range t.Fields {
			f := fields[fi]
			col := t.Columns[ci]
			if !synthetic && f.Synthetic {
				if comps := synComponents(m, f, col); comps != nil {
					vt.fields = append(vt.fields, comps...)
					continue
				}
			}
			vt.fields = append(vt.fields, &viewField{f: f, col: col})
		}
		v.tables = append(v.tables, vt)
		v.byName[vt.name] = vt
	}
	return v
}

// synComponents returns the component fields of synthetic key f as seen
// from a table whose column of f is col, or nil if the $Syn table is
// missing.
func synComponents(m *engine.Model, f *engine.Field, col *symbols.Column) []*viewField {
	st, err := m.Table(f.Name + " Table")
	if err != nil {
		return nil
	}
	synCol := st.Column(f.Index)
	if synCol == nil {
		return nil
	}
	synCodes := make([]uint32, st.Rows)
	synCol.Decode(synCodes, 0)
	var out []*viewField
	comp := make([]uint32, st.Rows)
	for ci, fi := range st.Fields {
		if fi == f.Index {
			continue
		}
		st.Columns[ci].Decode(comp, 0)
		k := &synKey{comp: make([]uint32, f.Cardinal()+1)}
		for r, sc := range synCodes {
			if int(sc) < len(k.comp) {
				k.comp[sc] = comp[r]
			}
		}
		out = append(out, &viewField{f: m.Fields()[fi], col: col, syn: k})
	}
	return out
}

// stats fills nonNulls and distinct of every field of the table.
func (vt *viewTable) stats() {
	vt.statsOnce.Do(func() {
		const chunk = 1 << 14
		buf := make([]uint32, chunk)
		for _, vf := range vt.fields {
			seen := make([]bool, vf.f.Cardinal()+1)
			var nn int64
			distinct := 0
			for lo := 0; lo < vt.t.Rows; lo += chunk {
				n := min(chunk, vt.t.Rows-lo)
				vf.decode(buf[:n], lo)
				for _, c := range buf[:n] {
					if c == 0 {
						continue
					}
					nn++
					if int(c) < len(seen) && !seen[c] {
						seen[c] = true
						distinct++
					}
				}
			}
			vf.nonNulls, vf.distinct = nn, distinct
		}
	})
}

// fieldStats returns, for field f, the view tables listing it and its
// total count: the largest non-NULL count in one of them (the real engine
// reports 5 for a key field of two 5-row tables).
func (v *modelView) fieldStats(f *engine.Field) ([]string, int64) {
	v.statsOnce.Do(func() {
		n := len(v.mi.m.Fields())
		v.srcTables = make([][]string, n)
		v.totals = make([]int64, n)
		for _, vt := range v.tables {
			vt.stats()
			for _, vf := range vt.fields {
				v.srcTables[vf.f.Index] = append(v.srcTables[vf.f.Index], vt.name)
				v.totals[vf.f.Index] = max(v.totals[vf.f.Index], vf.nonNulls)
			}
		}
	})
	return v.srcTables[f.Index], v.totals[f.Index]
}

// keys returns, per key of the view, its fields and the tables it links:
// in the source view a synthetic key is one record of its component fields.
func (v *modelView) keys() []sourceKey {
	var out []sourceKey
	// Group by the set of tables sharing each field.
	type entry struct {
		fields []string
		tables []string
	}
	byTables := map[string]*entry{}
	var order []string
	for _, f := range v.mi.m.Fields() {
		if f.System {
			continue
		}
		var tables []string
		for _, vt := range v.tables {
			for _, vf := range vt.fields {
				if vf.f == f {
					tables = append(tables, vt.name)
					break
				}
			}
		}
		if len(tables) < 2 {
			continue
		}
		key := ""
		for _, t := range tables {
			key += t + "\x00"
		}
		// In the source view, fields reached through one synthetic key
		// form one key record.
		if !v.isSynComponent(f) {
			key += "\x01" + f.Name
		}
		e, ok := byTables[key]
		if !ok {
			e = &entry{tables: tables}
			byTables[key] = e
			order = append(order, key)
		}
		e.fields = append(e.fields, f.Name)
	}
	for _, k := range order {
		e := byTables[k]
		out = append(out, sourceKey{fields: e.fields, tables: e.tables})
	}
	return out
}

// isSynComponent reports whether f reaches some table of the view through
// a synthetic key.
func (v *modelView) isSynComponent(f *engine.Field) bool {
	for _, vt := range v.tables {
		for _, vf := range vt.fields {
			if vf.f == f && vf.syn != nil {
				return true
			}
		}
	}
	return false
}

// sourceKey is one SourceKeyRecord.
type sourceKey struct {
	fields []string
	tables []string
}
