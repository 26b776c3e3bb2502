package engine

import (
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/assocengine/assoc/symbols"
)

// Model is an app's immutable data model: fields with their symbol tables,
// tables of packed code columns, and the association forest between them.
// A Model is safe for concurrent use by any number of sessions.
type Model struct {
	fields      []*Field
	fieldByName map[string]*Field
	tables      []*Table
	tableByName map[string]*Table
	warnings    []string
	policy      symbols.Policy
	logger      *slog.Logger

	g graph

	uniq    sync.Map    // [2]int{node, field} -> bool
	rowIdx  sync.Map    // [2]int{node, field} -> []int32
	fmaps   sync.Map    // {root node, field} -> fastDim
	cnums   sync.Map    // field -> []float64 by code; rowNumsKey -> []float64 by row
	results resultCache // inference results shared by sessions (sharedcache.go)
	// rowNumsBytes is the memory held by row-value copies (rownums.go).
	rowNumsBytes atomic.Int64
	// askEntries counts the ask counters in cnums (preagg.go).
	askEntries atomic.Int64
	// bg runs pre-aggregation builds while the engine is idle (background.go).
	bg bgBuilds
}

// Field is one field of the model: a name, a symbol table shared by every
// table holding the field, and the tables it occurs in.
type Field struct {
	// Name is the field's name (case-sensitive).
	Name string
	// Index is the field's position in Model.Fields.
	Index int
	// Symbols holds the field's distinct values in load order.
	Symbols *symbols.Table
	// Tags are Qlik's field tags ($key, $numeric, $text, $system ...).
	Tags []string
	// System is true for $Table, $Field and the other system fields.
	System bool
	// Synthetic is true for $Syn N fields.
	Synthetic bool

	tables []int // indexes of the tables holding the field, in table order
	total  int   // non-NULL occurrences over all tables
}

// Cardinal returns the number of distinct values of the field.
func (f *Field) Cardinal() int { return f.Symbols.Len() }

// TotalCount returns the number of non-NULL occurrences of the field over
// all tables.
func (f *Field) TotalCount() int { return f.total }

// Tables returns the indexes of the tables that hold the field.
func (f *Field) Tables() []int { return f.tables }

// IsKey reports whether the field links two or more tables.
func (f *Field) IsKey() bool { return len(f.tables) > 1 }

// Table is one internal table of the model.
type Table struct {
	// Name is the table's name.
	Name string
	// Index is the table's position in Model.Tables.
	Index int
	// Fields are the indexes of the table's fields, in table order.
	Fields []int
	// Columns hold the codes of each field, parallel to Fields.
	Columns []*symbols.Column
	// Rows is the number of records.
	Rows int
	// Loose is true for a loosely coupled table: its fields do not
	// associate with each other through it.
	Loose bool
	// System is true for the hidden system tables ($TableInfo, $FieldInfo).
	System bool
	// Synthetic is true for $Syn N Table tables.
	Synthetic bool
}

// Column returns the column of field f in t, or nil.
func (t *Table) Column(f int) *symbols.Column {
	for i, fi := range t.Fields {
		if fi == f {
			return t.Columns[i]
		}
	}
	return nil
}

// Fields returns every field of the model, system fields included.
func (m *Model) Fields() []*Field { return m.fields }

// Tables returns every table of the model, system tables included.
func (m *Model) Tables() []*Table { return m.tables }

// Field returns the field named name.
func (m *Model) Field(name string) (*Field, error) {
	f, ok := m.fieldByName[name]
	if !ok {
		return nil, fmt.Errorf("field %q: %w", name, ErrFieldNotFound)
	}
	return f, nil
}

// Table returns the table named name.
func (m *Model) Table(name string) (*Table, error) {
	t, ok := m.tableByName[name]
	if !ok {
		return nil, fmt.Errorf("table %q: %w", name, ErrTableNotFound)
	}
	return t, nil
}

// Warnings returns what the model builder reported: synthetic keys created,
// tables loosened to break circular references.
func (m *Model) Warnings() []string { return m.warnings }

// Stats describes the size of a model, for metrics and capacity planning.
type Stats struct {
	Tables  int
	Fields  int
	Rows    int64 // rows over all user tables
	Symbols int64 // symbols over all fields
	// Bytes is the memory held by symbol tables and columns.
	Bytes       int64
	SymbolBytes int64
	ColumnBytes int64
	PerTable    []TableStats
	// PerField holds each field's share, in the model's field order.
	PerField []FieldStats
}

// FieldStats describes the memory of one field.
type FieldStats struct {
	Name    string
	Symbols int
	// SymbolBytes is the field's symbol table (texts, numbers, index).
	SymbolBytes int64
	// ColumnBytes sums the field's packed columns over its tables.
	ColumnBytes int64
}

// TableStats describes one table.
type TableStats struct {
	Name        string
	Rows        int
	Fields      int
	ColumnBytes int64
	// BytesPerRow is ColumnBytes / Rows.
	BytesPerRow float64
}

// Stats computes the model's size figures.
func (m *Model) Stats() Stats {
	var s Stats
	s.PerField = make([]FieldStats, len(m.fields))
	for i, f := range m.fields {
		s.Fields++
		s.Symbols += int64(f.Cardinal())
		fs := FieldStats{Name: f.Name, Symbols: f.Cardinal(), SymbolBytes: f.Symbols.Bytes()}
		s.SymbolBytes += fs.SymbolBytes
		s.PerField[i] = fs
	}
	for _, t := range m.tables {
		s.Tables++
		ts := TableStats{Name: t.Name, Rows: t.Rows, Fields: len(t.Fields)}
		for i, c := range t.Columns {
			b := c.Bytes()
			ts.ColumnBytes += b
			s.PerField[t.Fields[i]].ColumnBytes += b
		}
		if t.Rows > 0 {
			ts.BytesPerRow = float64(ts.ColumnBytes) / float64(t.Rows)
		}
		if !t.System {
			s.Rows += int64(t.Rows)
		}
		s.ColumnBytes += ts.ColumnBytes
		s.PerTable = append(s.PerTable, ts)
	}
	s.Bytes = s.SymbolBytes + s.ColumnBytes
	return s
}

// KeyInfo describes how two tables connect, for GetTablesAndKeys-style
// listings.
type KeyInfo struct {
	Field  string
	Tables []string
}

// Keys lists every key field with the tables it links.
func (m *Model) Keys() []KeyInfo {
	var out []KeyInfo
	for _, f := range m.fields {
		if len(f.tables) < 2 {
			continue
		}
		k := KeyInfo{Field: f.Name}
		for _, ti := range f.tables {
			k.Tables = append(k.Tables, m.tables[ti].Name)
		}
		out = append(out, k)
	}
	return out
}

func (m *Model) index() {
	m.fieldByName = make(map[string]*Field, len(m.fields))
	for i, f := range m.fields {
		f.Index = i
		m.fieldByName[f.Name] = f
	}
	m.tableByName = make(map[string]*Table, len(m.tables))
	for i, t := range m.tables {
		t.Index = i
		m.tableByName[t.Name] = t
	}
	for _, f := range m.fields {
		f.tables = f.tables[:0]
		f.total = 0
	}
	for ti, t := range m.tables {
		for ci, fi := range t.Fields {
			f := m.fields[fi]
			f.tables = append(f.tables, ti)
			f.total += t.Rows - countNulls(t.Columns[ci])
		}
	}
	for _, f := range m.fields {
		slices.Sort(f.tables)
	}
}

func countNulls(c *symbols.Column) int {
	n := 0
	var buf [1024]uint32
	for lo := 0; lo < c.Len(); lo += len(buf) {
		k := min(len(buf), c.Len()-lo)
		c.Decode(buf[:k], lo)
		for _, v := range buf[:k] {
			if v == 0 {
				n++
			}
		}
	}
	return n
}
