package reload

import (
	"encoding/binary"

	"github.com/assocengine/assoc/engine/expr"
)

// tableSink stores rows in a table: values are interned into the fields'
// symbol tables (through MAP ... USING and NULLASVALUE first) and their
// codes appended to the columns. Columns of the table that the statement
// does not load get NULL.
type tableSink struct {
	it    *interp
	t     *table
	run   *loadRun
	cols  []*column  // per output value
	other []*column  // the table's other columns
	maps  []*mapping // per output value: MAP ... USING, or nil
	nav   []bool     // per output value: NULLASVALUE
	first int64      // FIRST n: rows to store, 0 for no limit
	added int64

	distinct bool
	seen     map[string]struct{}
	key      []byte
	codes    []uint32
	keyPos   []int // per column of t: its output value, or -1
}

// newTableSink prepares writing rows with fields names to t, adding the
// fields t lacks.
func (it *interp) newTableSink(t *table, names []string, run *loadRun) *tableSink {
	s := &tableSink{it: it, t: t, run: run}
	used := map[*column]bool{}
	for _, n := range names {
		c := t.col(n)
		if c == nil {
			var f *field
			if t.mapping {
				f = newField(n)
			} else {
				f = it.m.field(n)
			}
			c = t.addColumn(f)
		}
		used[c] = true
		s.cols = append(s.cols, c)
	}
	for _, c := range t.cols {
		if !used[c] {
			s.other = append(s.other, c)
		}
	}
	s.maps = make([]*mapping, len(names))
	s.nav = make([]bool, len(names))
	for i, n := range names {
		if t.mapping {
			continue
		}
		mname := ""
		for _, r := range it.maps {
			if matchPattern(r.pattern, n) {
				mname = r.mapping
			}
		}
		if mname != "" {
			if mt := it.m.mapping(mname); mt != nil {
				s.maps[i] = it.mappingOf(mt)
			}
		}
		s.nav[i] = ruleOn(it.nullAsValue, n)
	}
	s.codes = make([]uint32, len(t.cols))
	return s
}

// setDistinct makes the sink drop rows equal to a row already in the
// table (existing rows included).
func (s *tableSink) setDistinct() {
	s.distinct = true
	s.seen = map[string]struct{}{}
	s.keyPos = make([]int, len(s.t.cols))
	for j, c := range s.t.cols {
		s.keyPos[j] = -1
		for i, oc := range s.cols {
			if oc == c {
				s.keyPos[j] = i
			}
		}
	}
	for r := 0; r < s.t.rows; r++ {
		s.key = s.key[:0]
		for _, c := range s.t.cols {
			s.key = binary.LittleEndian.AppendUint32(s.key, c.c.get(r))
		}
		s.seen[string(s.key)] = struct{}{}
	}
}

// rowNo is RowNo() for the next row.
func (s *tableSink) rowNo() int64 { return int64(s.t.rows) + 1 }

func (s *tableSink) push(vals []expr.Value) error {
	if s.first > 0 && s.added >= s.first {
		s.run.stop = true
		return nil
	}
	for i, v := range vals {
		if mp := s.maps[i]; mp != nil {
			if r, ok := mp.lookup(v); ok {
				v = r
			}
		}
		if v.IsNull() {
			if s.nav[i] {
				nv, _ := s.it.vars.text("NullValue")
				v = expr.Str(nv)
			} else {
				s.codes[i] = 0
				continue
			}
		}
		s.codes[i] = s.cols[i].f.intern(v.ToDual())
	}
	if s.distinct {
		s.key = s.key[:0]
		for _, i := range s.keyPos {
			var code uint32
			if i >= 0 {
				code = s.codes[i]
			}
			s.key = binary.LittleEndian.AppendUint32(s.key, code)
		}
		if _, dup := s.seen[string(s.key)]; dup {
			return nil
		}
		s.seen[string(s.key)] = struct{}{}
	}
	for i, c := range s.cols {
		c.c.add(s.codes[i])
	}
	for _, c := range s.other {
		c.c.add(0)
	}
	s.t.rows++
	s.added++
	if s.first > 0 && s.added >= s.first {
		s.run.stop = true
	}
	if s.added&4095 == 0 {
		return s.it.checkLimits()
	}
	return nil
}

func (s *tableSink) finish() error { return s.it.checkLimits() }

// crosstableSink turns each row into one row per data column: the
// qualifier fields, the data column's name (attribute) and its value.
type crosstableSink struct {
	up    sink
	quals int
	attrs []expr.Value
	buf   []expr.Value
}

func newCrosstableSink(up sink, names []string, quals int, it *interp) *crosstableSink {
	s := &crosstableSink{up: up, quals: quals, buf: make([]expr.Value, quals+2)}
	loc := it.locale()
	for _, n := range names[quals:] {
		s.attrs = append(s.attrs, interpretText(n, loc))
	}
	return s
}

func (s *crosstableSink) push(vals []expr.Value) error {
	copy(s.buf, vals[:s.quals])
	for j, a := range s.attrs {
		s.buf[s.quals] = a
		s.buf[s.quals+1] = vals[s.quals+j]
		if err := s.up.push(s.buf); err != nil {
			return err
		}
	}
	return nil
}

func (s *crosstableSink) finish() error { return s.up.finish() }
