package engine

import (
	"encoding/binary"
	"fmt"

	"github.com/assocengine/assoc/symbols"
)

// The meta block of a snapshot is the schema of the model, in a compact
// binary form of uvarints, bytes and length-prefixed strings (grammar in
// docs/format.md):
//
//	meta    = policy:u8 nfields:uv field* ntables:uv table* nwarn:uv str*
//	field   = name:str flags:u8 ntags:uv str* nsymbols:uv
//	table   = name:str flags:u8 rows:uv ncols:uv column*
//	column  = field:uv encoding:u8 bits:u8 maxcode:uv
//	str     = len:uv bytes

// Field and table flag bits in the meta block.
const (
	fieldSystem    = 1 << 0
	fieldSynthetic = 1 << 1
	fieldKnown     = fieldSystem | fieldSynthetic

	tableLoose     = 1 << 0
	tableSystem    = 1 << 1
	tableSynthetic = 1 << 2
	tableKnown     = tableLoose | tableSystem | tableSynthetic
)

// snapSchema is a decoded meta block.
type snapSchema struct {
	policy   symbols.Policy
	fields   []snapField
	tables   []snapTable
	warnings []string
	columns  int // columns over all tables
}

type snapField struct {
	name     string
	flags    byte
	tags     []string
	nsymbols int
}

type snapTable struct {
	name  string
	flags byte
	rows  int
	cols  []snapColumn
}

type snapColumn struct {
	field   int
	enc     symbols.Encoding
	bits    int
	maxCode uint32
}

// encodeMeta returns the meta block of m.
func (m *Model) encodeMeta() ([]byte, error) {
	var b []byte
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = append(b, byte(m.policy))
	b = binary.AppendUvarint(b, uint64(len(m.fields)))
	for _, f := range m.fields {
		str(f.Name)
		var fl byte
		if f.System {
			fl |= fieldSystem
		}
		if f.Synthetic {
			fl |= fieldSynthetic
		}
		b = append(b, fl)
		b = binary.AppendUvarint(b, uint64(len(f.Tags)))
		for _, t := range f.Tags {
			str(t)
		}
		b = binary.AppendUvarint(b, uint64(f.Symbols.Len()))
	}
	b = binary.AppendUvarint(b, uint64(len(m.tables)))
	for _, t := range m.tables {
		str(t.Name)
		var fl byte
		if t.Loose {
			fl |= tableLoose
		}
		if t.System {
			fl |= tableSystem
		}
		if t.Synthetic {
			fl |= tableSynthetic
		}
		b = append(b, fl)
		b = binary.AppendUvarint(b, uint64(t.Rows))
		b = binary.AppendUvarint(b, uint64(len(t.Fields)))
		for i, fi := range t.Fields {
			c := t.Columns[i]
			b = binary.AppendUvarint(b, uint64(fi))
			b = append(b, byte(c.Encoding()), byte(c.Bits()))
			b = binary.AppendUvarint(b, uint64(c.MaxCode()))
		}
	}
	b = binary.AppendUvarint(b, uint64(len(m.warnings)))
	for _, w := range m.warnings {
		str(w)
	}
	if len(b) > maxMetaRaw {
		return nil, fmt.Errorf("the model's schema takes %d bytes, more than snapshots hold (%d)", len(b), maxMetaRaw)
	}
	return b, nil
}

// metaDecoder reads the meta block; the first error sticks and every later
// read returns zero values.
type metaDecoder struct {
	b   []byte
	off int
	err error
}

func (d *metaDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("meta block byte %d: %s", d.off, fmt.Sprintf(format, args...))
	}
}

func (d *metaDecoder) uvarint(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail("bad or truncated %s", what)
		return 0
	}
	d.off += n
	return v
}

func (d *metaDecoder) byte(what string) byte {
	if d.err != nil {
		return 0
	}
	if d.off >= len(d.b) {
		d.fail("truncated %s", what)
		return 0
	}
	d.off++
	return d.b[d.off-1]
}

// count reads a count of items that take at least minSize bytes each, so
// a count can never ask for more items than the block can hold.
func (d *metaDecoder) count(what string, minSize int) int {
	v := d.uvarint(what)
	if d.err != nil {
		return 0
	}
	if v > uint64(len(d.b)-d.off)/uint64(minSize) {
		d.fail("%s %d exceeds what the block holds", what, v)
		return 0
	}
	return int(v)
}

func (d *metaDecoder) str(what string) string {
	n := d.uvarint(what)
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)-d.off) {
		d.fail("%s of %d bytes runs past the block", what, n)
		return ""
	}
	s := string(d.b[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

// decodeMeta parses and checks a meta block against what Builder.Build
// makes: names are non-empty and unique, every table has columns, every
// column names an existing field at most once per table, every field is
// in a table, column layouts are ones symbols.Pack makes, and sizes are
// within the format's limits.
func decodeMeta(b []byte) (*snapSchema, error) {
	d := &metaDecoder{b: b}
	s := &snapSchema{}
	p := d.byte("policy")
	if d.err == nil && p > byte(symbols.Bytes) {
		d.fail("unknown packing policy %d", p)
	}
	s.policy = symbols.Policy(p)

	nf := d.count("field count", 3)
	s.fields = make([]snapField, nf)
	fieldNames := make(map[string]bool, nf)
	for i := range s.fields {
		f := &s.fields[i]
		f.name = d.str("field name")
		f.flags = d.byte("field flags")
		nt := d.count("tag count", 1)
		for range nt {
			f.tags = append(f.tags, d.str("tag"))
		}
		ns := d.uvarint("symbol count")
		if d.err != nil {
			break
		}
		switch {
		case f.name == "":
			d.fail("field %d has no name", i)
		case fieldNames[f.name]:
			d.fail("field %q appears twice", f.name)
		case f.flags&^fieldKnown != 0:
			d.fail("field %q has unknown flags %#x", f.name, f.flags)
		case ns >= 1<<32-1:
			d.fail("field %q has %d symbols, more than a symbol table holds", f.name, ns)
		}
		fieldNames[f.name] = true
		f.nsymbols = int(ns)
	}

	nt := d.count("table count", 4)
	s.tables = make([]snapTable, nt)
	tableNames := make(map[string]bool, nt)
	for i := range s.tables {
		t := &s.tables[i]
		t.name = d.str("table name")
		t.flags = d.byte("table flags")
		rows := d.uvarint("row count")
		nc := d.count("column count", 4)
		if d.err != nil {
			break
		}
		switch {
		case t.name == "":
			d.fail("table %d has no name", i)
		case tableNames[t.name]:
			d.fail("table %q appears twice", t.name)
		case t.flags&^tableKnown != 0:
			d.fail("table %q has unknown flags %#x", t.name, t.flags)
		case rows > maxSnapshotRows:
			d.fail("table %q has %d rows, more than snapshots hold", t.name, rows)
		case nc == 0:
			d.fail("table %q has no fields", t.name)
		}
		tableNames[t.name] = true
		t.rows = int(rows)
		t.cols = make([]snapColumn, nc)
		seen := make(map[int]bool, nc)
		for k := range t.cols {
			c := &t.cols[k]
			fi := d.uvarint("column field")
			enc := d.byte("column encoding")
			bits := d.byte("column bits")
			maxCode := d.uvarint("column maximum code")
			if d.err != nil {
				break
			}
			if fi >= uint64(len(s.fields)) {
				d.fail("table %q column %d refers to field %d of %d", t.name, k, fi, len(s.fields))
				break
			}
			c.field, c.enc, c.bits = int(fi), symbols.Encoding(enc), int(bits)
			f := &s.fields[c.field]
			switch {
			case seen[c.field]:
				d.fail("table %q holds field %q twice", t.name, f.name)
			case maxCode > uint64(f.nsymbols):
				d.fail("table %q column %q has maximum code %d but the field has %d symbols", t.name, f.name, maxCode, f.nsymbols)
			}
			seen[c.field] = true
			c.maxCode = uint32(maxCode)
			if _, err := c.policy(); err != nil && d.err == nil {
				d.fail("table %q column %q: %v", t.name, f.name, err)
			}
		}
		s.columns += len(t.cols)
	}

	nw := d.count("warning count", 1)
	for range nw {
		s.warnings = append(s.warnings, d.str("warning"))
	}
	if d.err == nil && d.off != len(b) {
		d.fail("%d unexpected bytes after the schema", len(b)-d.off)
	}
	if d.err == nil {
		used := make([]bool, len(s.fields))
		for _, t := range s.tables {
			for _, c := range t.cols {
				used[c.field] = true
			}
		}
		for i, u := range used {
			if !u {
				d.fail("field %q is in no table", s.fields[i].name)
				break
			}
		}
	}
	if d.err != nil {
		return nil, d.err
	}
	return s, nil
}

// policy returns the packing policy under which symbols.Pack gives the
// column's stored layout, or an error when no policy does.
func (c *snapColumn) policy() (symbols.Policy, error) {
	nb := symbols.CodeBits(c.maxCode)
	want := nb
	switch c.enc {
	case symbols.U8:
		want = 8
	case symbols.U16:
		want = 16
	case symbols.U32:
		want = 32
	case symbols.Packed:
	default:
		return 0, fmt.Errorf("unknown encoding %d", c.enc)
	}
	if c.bits != want {
		return 0, fmt.Errorf("%s encoding with %d bits for maximum code %d", c.enc, c.bits, c.maxCode)
	}
	for _, p := range []symbols.Policy{symbols.Compact, symbols.Bytes} {
		if p.Choose(nb) == c.enc {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%s encoding cannot hold maximum code %d", c.enc, c.maxCode)
}
