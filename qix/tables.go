package qix

import (
	"math"

	"github.com/assocengine/assoc/engine"
)

// Data-model methods: GetTablesAndKeys, GetTableData, GetFieldDescription.

// maxTableDataRows bounds one GetTableData call.
const maxTableDataRows = 10000

func docGetTablesAndKeys(c *call) error {
	c.obj("qWindowSize")
	c.obj("qNullSize")
	c.integer("qCellHeight")
	synthetic := c.boolean("qSyntheticMode")
	c.boolean("qIncludeSysVars")
	c.boolean("qIncludeProfiling")
	if c.bad() {
		return nil
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	v := mi.view(synthetic)
	tables := make([]any, 0, len(v.tables))
	for _, vt := range v.tables {
		if err := c.ctx.Err(); err != nil {
			return err
		}
		tables = append(tables, tableRecord(vt))
	}
	keys := []any{}
	for _, k := range v.keys() {
		r := newObj(2)
		r.Set("qKeyFields", k.fields)
		r.Set("qTables", k.tables)
		keys = append(keys, r)
	}
	c.out("qtr", tables)
	c.out("qk", keys)
	return nil
}

// tableRecord is the TableRecord of a view table.
func tableRecord(vt *viewTable) *jsonObject {
	vt.stats()
	t := vt.t
	r := newObj(10)
	r.Set("qName", vt.name)
	if t.Loose {
		r.Set("qLoose", true)
	}
	r.Set("qNoOfRows", t.Rows)
	fields := make([]any, 0, len(vt.fields))
	for _, vf := range vt.fields {
		fields = append(fields, fieldInTable(vt, vf))
	}
	r.Set("qFields", fields)
	pos := newObj(2)
	pos.Set("qx", 0)
	pos.Set("qy", 0)
	r.Set("qPos", pos)
	r.Set("qComment", "")
	if t.Synthetic {
		r.Set("qIsSynthetic", true)
	}
	r.Set("qTableTags", []string{})
	return r
}

// fieldInTable is the FieldInTableData of a field of a view table. A field
// is a key (ANY_KEY, as the engine reports keys) when it links tables.
func fieldInTable(vt *viewTable, vf *viewField) *jsonObject {
	f := vf.f
	rows := int64(vt.t.Rows)
	o := newObj(18)
	o.Set("qName", f.Name)
	o.Set("qOriginalFields", []string{})
	o.Set("qPresent", true)
	if vf.nonNulls < rows {
		o.Set("qHasNull", true)
	}
	o.Set("qHasWild", false)
	if int64(vf.distinct) < vf.nonNulls {
		o.Set("qHasDuplicates", true)
	}
	if f.Synthetic {
		o.Set("qIsSynthetic", true)
	}
	density := 0.0
	if rows > 0 {
		density = float64(vf.nonNulls) / float64(rows)
	}
	o.Set("qInformationDensity", density)
	o.Set("qnNonNulls", vf.nonNulls)
	o.Set("qnRows", rows)
	ratio := 0.0
	if f.Cardinal() > 0 {
		ratio = float64(vf.distinct) / float64(f.Cardinal())
	}
	o.Set("qSubsetRatio", ratio)
	o.Set("qnTotalDistinctValues", f.Cardinal())
	o.Set("qnPresentDistinctValues", vf.distinct)
	key := "NOT_KEY"
	if isKey(f) {
		key = "ANY_KEY"
	}
	o.Set("qKeyType", key)
	o.Set("qComment", "")
	o.Set("qTags", tagsOf(f))
	o.Set("qDerivedFields", []any{})
	return o
}

// isKey reports whether a field links tables (in the model, or as part of
// a synthetic key).
func isKey(f *engine.Field) bool {
	return f.IsKey() || hasTag(f, "$key") || hasTag(f, "$keypart") || f.Synthetic
}

func docGetTableData(c *call) error {
	offset := c.integer("qOffset")
	rows := c.integer("qRows")
	synthetic := c.boolean("qSyntheticMode")
	name := c.str("qTableName")
	if c.bad() {
		return nil
	}
	if offset < 0 || rows < 0 {
		return qerr(errInvalidParams, "qOffset and qRows must not be negative")
	}
	if rows > maxTableDataRows {
		return qerr(errPagesTooLarge, "%d rows asked for, at most %d", rows, maxTableDataRows)
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	vt := mi.view(synthetic).byName[name]
	if vt == nil {
		return qerr(errNotFound, "table %q", name)
	}
	end := min(vt.t.Rows, offset+rows)
	data := make([]any, 0, max(end-offset, 0))
	for r := offset; r < end; r++ {
		vals := make([]any, len(vt.fields))
		for i, vf := range vt.fields {
			vals[i] = fieldValue(vf.f, vf.code(r))
		}
		row := newObj(1)
		row.Set("qValue", vals)
		data = append(data, row)
	}
	c.out("qData", data)
	return nil
}

// fieldValue is the FieldValue of a code (0 = NULL, shown as "-").
func fieldValue(f *engine.Field, code uint32) *jsonObject {
	o := newObj(3)
	if code == 0 {
		o.Set("qText", "-")
		o.Set("qIsNumeric", false)
		o.Set("qNumber", 0)
		return o
	}
	id := code - 1
	num := f.Symbols.Num(id)
	o.Set("qText", f.Symbols.Text(id))
	o.Set("qIsNumeric", !math.IsNaN(num))
	if math.IsNaN(num) {
		num = 0
	}
	o.Set("qNumber", num)
	return o
}

func docGetFieldDescription(c *call) error {
	name := c.str("qFieldName")
	if c.bad() {
		return nil
	}
	es, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	f, err := mi.m.Field(name)
	if err != nil {
		return qerr(errNotFound, "field %q", name)
	}
	srcTables, total := mi.view(false).fieldStats(f)
	if f.System {
		total = int64(f.TotalCount())
		srcTables = nil
		for _, ti := range f.Tables() {
			srcTables = append(srcTables, mi.m.Tables()[ti].Name)
		}
	}
	if srcTables == nil {
		srcTables = []string{}
	}
	locked := false
	if st, err := es.State(engine.DefaultState); err == nil {
		if fs := st.Selection(f.Index); fs != nil {
			locked = fs.Locked
		}
	}
	d := newObj(16)
	d.Set("qInternalNumber", f.Index)
	d.Set("qName", f.Name)
	d.Set("qSrcTables", srcTables)
	if f.System {
		d.Set("qIsSystem", true)
		d.Set("qIsHidden", true)
	}
	d.Set("qCardinal", f.Cardinal())
	d.Set("qTotalCount", total)
	if locked {
		d.Set("qIsLocked", true)
	}
	if n := f.Symbols.NumericCount(); n > 0 && n == f.Cardinal() {
		d.Set("qIsNumeric", true)
	}
	d.Set("qComment", "")
	d.Set("qTags", tagsOf(f))
	d.Set("qByteSize", f.Symbols.Bytes())
	c.ret(d)
	return nil
}
