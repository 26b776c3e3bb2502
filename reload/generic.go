package reload

import (
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// genericSink stores the rows of a GENERIC LOAD: the last two fields are
// an attribute and its value; each distinct attribute gets its own table
// <name>.<attribute> holding the key fields and a field named after the
// attribute (§5.9). These tables never concatenate with others.
type genericSink struct {
	it     *interp
	name   string
	keys   []string
	tables map[string]*table
	order  []*table
	rows   int64
}

func (it *interp) genericDest(ld *script.Load, c *stmtCtx, tname string, names []string, run *loadRun) (*destination, error) {
	if len(names) < 2 {
		return nil, c.errorf(ld.Pos, "GENERIC LOAD needs at least an attribute and a value field; the LOAD has %d fields", len(names))
	}
	s := &genericSink{it: it, name: tname, keys: names[:len(names)-2], tables: map[string]*table{}}
	return &destination{sink: s, name: tname, rowNo: func() int64 { return s.rows + 1 },
		count: func() int64 { return s.rows }, finalize: func() error { return nil }}, nil
}

func (s *genericSink) push(vals []expr.Value) error {
	n := len(s.keys)
	attr := vals[n]
	if attr.IsNull() {
		return nil
	}
	a := attr.Text()
	t := s.tables[a]
	if t == nil {
		fields := append(append([]string(nil), s.keys...), a)
		if _, dup := dupName(fields); dup {
			return nil
		}
		t = s.it.m.newTable(s.it.m.uniqueName(s.name+"."+a), fields)
		s.tables[a] = t
		s.order = append(s.order, t)
	}
	for i := 0; i <= n; i++ {
		v := vals[i]
		if i == n {
			v = vals[n+1]
		}
		var code uint32
		if !v.IsNull() {
			code = t.cols[i].f.intern(v.ToDual())
		}
		t.cols[i].c.add(code)
	}
	t.rows++
	s.rows++
	if s.rows&4095 == 0 {
		return s.it.checkLimits()
	}
	return nil
}

func (s *genericSink) finish() error { return nil }
