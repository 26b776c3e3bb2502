package engine

import (
	"slices"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/symbols"
)

// System field and table names.
const (
	SysTable     = "$Table"
	SysField     = "$Field"
	SysRows      = "$Rows"
	SysFields    = "$Fields"
	SysFieldNo   = "$FieldNo"
	SysTableInfo = "$TableInfo"
	SysFieldInfo = "$FieldInfo"
)

// addSystemTables adds $TableInfo($Table, $Rows, $Fields) and
// $FieldInfo($Table, $Field, $FieldNo), associated with each other through
// $Table and with nothing else.
func (m *Model) addSystemTables() {
	var user []*Table
	for _, t := range m.tables {
		if !t.System {
			user = append(user, t)
		}
	}
	if len(user) == 0 {
		return
	}
	newField := func(name string) (*Field, int) {
		f := &Field{Name: name, Symbols: symbols.NewTable(), System: true}
		m.fields = append(m.fields, f)
		return f, len(m.fields) - 1
	}
	tf, tfi := newField(SysTable)
	rf, rfi := newField(SysRows)
	nf, nfi := newField(SysFields)
	ff, ffi := newField(SysField)
	nof, nofi := newField(SysFieldNo)

	var tcodes, rcodes, ncodes []uint32
	var ftcodes, fcodes, nocodes []uint32
	for _, t := range user {
		tc := tf.Symbols.InternText(t.Name) + 1
		tcodes = append(tcodes, tc)
		rcodes = append(rcodes, rf.Symbols.InternNum(float64(t.Rows), strconv.Itoa(t.Rows))+1)
		ncodes = append(ncodes, nf.Symbols.InternNum(float64(len(t.Fields)), strconv.Itoa(len(t.Fields)))+1)
		for i, fi := range t.Fields {
			ftcodes = append(ftcodes, tc)
			fcodes = append(fcodes, ff.Symbols.InternText(m.fields[fi].Name)+1)
			nocodes = append(nocodes, nof.Symbols.InternNum(float64(i+1), strconv.Itoa(i+1))+1)
		}
	}
	pack := func(codes []uint32, f *Field) *symbols.Column {
		return symbols.Pack(codes, uint32(f.Symbols.Len()), m.policy)
	}
	m.tables = append(m.tables,
		&Table{Name: SysTableInfo, System: true, Rows: len(tcodes),
			Fields:  []int{tfi, rfi, nfi},
			Columns: []*symbols.Column{pack(tcodes, tf), pack(rcodes, rf), pack(ncodes, nf)}},
		&Table{Name: SysFieldInfo, System: true, Rows: len(fcodes),
			Fields:  []int{tfi, ffi, nofi},
			Columns: []*symbols.Column{pack(ftcodes, tf), pack(fcodes, ff), pack(nocodes, nof)}},
	)
}

// tagFields sets Qlik's structural and type tags on every field.
func (m *Model) tagFields() {
	for _, f := range m.fields {
		var tags []string
		add := func(t string) {
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		if f.System {
			add("$system")
		}
		if len(f.tables) > 1 {
			add("$key")
		}
		for _, t := range f.Tags {
			add(t)
		}
		if strings.HasPrefix(f.Name, "$Syn ") {
			add("$syn")
		}
		n := f.Symbols.Len()
		nnum := f.Symbols.NumericCount()
		switch {
		case n > 0 && nnum == n:
			add("$numeric")
			if f.Symbols.IntegerCount() == n {
				add("$integer")
			}
		case nnum == 0:
			if f.Symbols.ASCII() {
				add("$ascii")
			}
			add("$text")
		}
		f.Tags = tags
	}
}
