package reload

import (
	"fmt"
	"strings"
	"time"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// regular runs a regular (non-control) statement that is already expanded.
func (it *interp) regular(st script.Stmt, c *stmtCtx) error {
	switch s := st.(type) {
	case *script.Load:
		return it.load([]preparedLoad{{s, c}})
	case *script.When:
		return it.execWhen(s, c)
	}
	it.echo(st, c)
	var err error
	switch s := st.(type) {
	case *script.Set:
		text, ok := setText(s.Value.Src)
		if ok {
			it.vars.setText(s.Name.Text, text)
		} else {
			it.vars.remove(s.Name.Text)
		}
		it.localeWarnings(c)
	case *script.Let:
		if strings.TrimSpace(s.Value.Src) == "" {
			it.vars.remove(s.Name.Text)
			return nil
		}
		v, err := it.eval(s.Value, c, false)
		if err != nil {
			return err
		}
		it.vars.set(s.Name.Text, v)
		it.localeWarnings(c)
	case *script.SQL:
		return c.errorf(s.Pos, "SQL is %w: no database connector is available (only files, INLINE, RESIDENT and AUTOGENERATE can be loaded)", ErrNotSupported)
	case *script.Drop:
		err = it.execDrop(s, c)
	case *script.Rename:
		err = it.execRename(s, c)
	case *script.Store:
		err = it.execStore(s, c)
	case *script.Qualify:
		for _, n := range s.Fields {
			it.qualify = append(it.qualify, qualifyRule{pattern: n.Text, on: true})
		}
	case *script.Unqualify:
		for _, n := range s.Fields {
			it.qualify = append(it.qualify, qualifyRule{pattern: n.Text, on: false})
		}
	case *script.Map:
		if it.m.mapping(s.Using.Text) == nil {
			return c.errorf(s.Using.Pos, "MAP ... USING %s: no mapping table of that name", s.Using.Text)
		}
		for _, n := range s.Fields {
			it.maps = append(it.maps, mapRule{pattern: n.Text, mapping: s.Using.Text})
		}
	case *script.Unmap:
		for _, n := range s.Fields {
			it.maps = append(it.maps, mapRule{pattern: n.Text})
		}
	case *script.Loosen:
		for _, n := range s.Tables {
			if it.m.table(n.Text) == nil {
				return c.errorf(n.Pos, "LOOSEN TABLE %s: no table of that name", n.Text)
			}
			it.loosen = append(it.loosen, it.m.table(n.Text).name)
		}
	case *script.NullAsValue:
		for _, n := range s.Fields {
			it.nullAsValue = append(it.nullAsValue, qualifyRule{pattern: n.Text, on: true})
		}
	case *script.NullAsNull:
		for _, n := range s.Fields {
			it.nullAsValue = append(it.nullAsValue, qualifyRule{pattern: n.Text, on: false})
		}
	case *script.Tag:
		err = it.execTag(s.Fields, s.With, s.Using, false, c)
	case *script.Untag:
		err = it.execTag(s.Fields, s.With, s.Using, true, c)
	case *script.Comment:
		err = it.execComment(s, c)
	case *script.Alias:
		for _, p := range s.Pairs {
			it.aliases[p.Field.Text] = p.Alias.Text
		}
	case *script.Binary:
		return c.errorf(s.Pos, "BINARY is %w: apps cannot be loaded from other apps", ErrNotSupported)
	case *script.Section:
		if s.Access {
			return c.errorf(s.Pos, "SECTION ACCESS is %w: this engine does no data reduction", ErrNotSupported)
		}
	case *script.Directory:
		if s.Path == nil {
			it.files.setDir("")
		} else {
			err = it.files.setDirChecked(s.Path.Text)
			if err != nil {
				return c.errorf(s.Path.Pos, "DIRECTORY %s: %w", s.Path.Text, err)
			}
		}
	case *script.LibConnect:
		if _, ok := it.files.connection(s.Name.Text); !ok {
			return c.errorf(s.Name.Pos, "LIB CONNECT TO %s: no folder connection of that name (database connections are %w)", s.Name.Text, ErrNotSupported)
		}
		it.log.line(fmt.Sprintf("Connected to %s", s.Name.Text))
	case *script.Connect:
		return c.errorf(s.Pos, "%s CONNECT is %w: no database connector is available", s.Provider, ErrNotSupported)
	case *script.Disconnect:
	case *script.Trace:
		msg := strings.TrimSpace(s.Text)
		it.log.line(msg)
	case *script.Sleep:
		err = it.execSleep(s, c)
	case *script.Execute:
		return c.errorf(s.Pos, "EXECUTE is %w: running programs from a script is disabled", ErrNotSupported)
	case *script.Force:
		return c.errorf(s.Pos, "FORCE is %w", ErrNotSupported)
	case *script.Search:
		it.log.line("SEARCH INCLUDE/EXCLUDE has no effect: every field is searchable")
	case *script.Declare:
		return c.errorf(s.Pos, "DECLARE is %w", ErrNotSupported)
	case *script.Derive:
		return c.errorf(s.Pos, "DERIVE is %w", ErrNotSupported)
	case *script.Tab:
	default:
		return c.errorf(st.Info().Pos, "%s is %w here", describeStmt(st), ErrNotSupported)
	}
	return c.wrap(err)
}

// localeWarnings reports script variables that the number
// interpretation cannot use (once per change).
func (it *interp) localeWarnings(c *stmtCtx) {
	if it.vars.locOK {
		return
	}
	_, problems := it.vars.locale()
	for _, p := range problems {
		line, col, _ := c.src.resolve(c.at(c.pos))
		it.warn(fmt.Sprintf("%d:%d: %s", line, col, p))
	}
}

func (it *interp) execWhen(s *script.When, c *stmtCtx) error {
	ok, err := it.cond(s.Cond.Expr, c, false)
	if err != nil {
		return err
	}
	if s.Cond.Kind == script.CondUnless {
		ok = !ok
	}
	if !ok {
		return nil
	}
	switch in := s.Stmt.(type) {
	case *script.Exit:
		return it.execExit(in, c)
	case *script.Call:
		return it.execCall(in, c)
	case *script.Load:
		if in.Source == nil {
			return c.errorf(in.Pos, "a LOAD after WHEN or UNLESS needs a source")
		}
	}
	return it.regular(s.Stmt, c)
}

func (it *interp) execSleep(s *script.Sleep, c *stmtCtx) error {
	ms, err := it.evalNum(s.Duration, c, "SLEEP duration")
	if err != nil {
		return err
	}
	if ms <= 0 {
		return nil
	}
	d := time.Duration(ms * float64(time.Millisecond))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-it.ctx.Done():
		return it.checkCtx()
	}
}

func (it *interp) execDrop(s *script.Drop, c *stmtCtx) error {
	if s.Tables {
		for _, n := range s.Names {
			if t := it.m.table(n.Text); t != nil {
				it.m.dropTable(t)
				continue
			}
			if t := it.m.mapping(n.Text); t != nil {
				delete(it.m.mappings, t.name)
				continue
			}
			return c.errorf(n.Pos, "DROP TABLE %s: no table of that name", n.Text)
		}
		return nil
	}
	var from []*table
	for _, n := range s.From {
		t := it.m.table(n.Text)
		if t == nil {
			return c.errorf(n.Pos, "DROP FIELD ... FROM %s: no table of that name", n.Text)
		}
		from = append(from, t)
	}
	if from == nil {
		from = append([]*table(nil), it.m.tables...)
	}
	for _, n := range s.Names {
		found := false
		for _, t := range from {
			var keep []*column
			for _, col := range t.cols {
				if matchPattern(n.Text, col.f.name) {
					found = true
					continue
				}
				keep = append(keep, col)
			}
			if len(keep) == len(t.cols) {
				continue
			}
			dropped := t.cols
			t.cols = keep
			t.reindex()
			for _, col := range dropped {
				it.m.forgetIfUnused(col.f.name)
			}
			if len(t.cols) == 0 {
				it.m.dropTable(t)
			}
		}
		if !found {
			return c.errorf(n.Pos, "DROP FIELD %s: no field of that name%s", n.Text, fromTables(s.From))
		}
	}
	return nil
}

func fromTables(ns []script.Name) string {
	if len(ns) == 0 {
		return ""
	}
	var parts []string
	for _, n := range ns {
		parts = append(parts, n.Text)
	}
	return " in " + strings.Join(parts, ", ")
}

func (it *interp) execRename(s *script.Rename, c *stmtCtx) error {
	pairs := s.Pairs
	if s.Using != nil {
		mt := it.m.mapping(s.Using.Text)
		if mt == nil {
			return c.errorf(s.Using.Pos, "RENAME ... USING %s: no mapping table of that name", s.Using.Text)
		}
		mp := it.mappingOf(mt)
		var names []string
		if s.Tables {
			for _, t := range it.m.tables {
				names = append(names, t.name)
			}
		} else {
			names = append(names, it.m.fieldSeq...)
		}
		pairs = nil
		for _, n := range names {
			if to, ok := mp.lookup(expr.Str(n)); ok && to.Text() != n {
				pairs = append(pairs, script.RenamePair{From: script.Name{Text: n, Pos: s.Using.Pos},
					To: script.Name{Text: to.Text(), Pos: s.Using.Pos}})
			}
		}
	}
	for _, p := range pairs {
		var err error
		if s.Tables {
			err = it.renameTable(p.From.Text, p.To.Text)
		} else {
			err = it.renameField(p.From.Text, p.To.Text, s.Using != nil)
		}
		if err != nil {
			return c.errorf(p.From.Pos, "RENAME %s %s TO %s: %w", map[bool]string{true: "TABLE", false: "FIELD"}[s.Tables], p.From.Text, p.To.Text, err)
		}
	}
	return nil
}

func (it *interp) renameTable(from, to string) error {
	t := it.m.table(from)
	if t == nil {
		if mt := it.m.mapping(from); mt != nil {
			if it.m.mapping(to) != nil {
				return fmt.Errorf("a mapping table named %q exists", to)
			}
			delete(it.m.mappings, mt.name)
			mt.name = to
			it.m.mappings[to] = mt
			return nil
		}
		return fmt.Errorf("no table named %q", from)
	}
	if x := it.m.exact(to); x != nil && x != t {
		return fmt.Errorf("a table named %q exists", to)
	}
	t.name = to
	return nil
}

// renameField renames field from to to in every table. When to is already
// a field, the columns join it (their values are re-interned into its
// symbol table); a table holding both is an error.
func (it *interp) renameField(from, to string, lenient bool) error {
	f := it.m.fields[from]
	if f == nil {
		if lenient {
			return nil
		}
		return fmt.Errorf("no field named %q", from)
	}
	if from == to {
		return nil
	}
	target := it.m.fields[to]
	for _, t := range it.m.tables {
		if _, ok := t.idx[from]; !ok {
			continue
		}
		if _, ok := t.idx[to]; ok {
			return fmt.Errorf("table %q already has a field named %q", t.name, to)
		}
	}
	if target == nil {
		f.name = to
		delete(it.m.fields, from)
		it.m.fields[to] = f
		for i, n := range it.m.fieldSeq {
			if n == from {
				it.m.fieldSeq[i] = to
			}
		}
		for _, t := range it.m.tables {
			if _, ok := t.idx[from]; ok {
				t.reindex()
			}
		}
		return nil
	}
	for _, t := range it.m.tables {
		if i, ok := t.idx[from]; ok {
			remapColumn(t.cols[i], target)
			t.reindex()
		}
	}
	it.m.forgetIfUnused(from)
	return nil
}

func (it *interp) execTag(fields []script.Name, with, using *script.Name, untag bool, c *stmtCtx) error {
	type pair struct{ field, tag string }
	var pairs []pair
	if using != nil {
		mt := it.m.mapping(using.Text)
		if mt == nil {
			return c.errorf(using.Pos, "TAG ... USING %s: no mapping table of that name", using.Text)
		}
		mp := it.mappingOf(mt)
		for _, fn := range it.m.fieldSeq {
			if fields != nil && !matchAny(fields, fn) {
				continue
			}
			if tag, ok := mp.lookup(expr.Str(fn)); ok {
				pairs = append(pairs, pair{fn, tag.Text()})
			}
		}
	} else {
		for _, n := range fields {
			for _, fn := range it.m.fieldSeq {
				if matchPattern(n.Text, fn) {
					pairs = append(pairs, pair{fn, with.Text})
				}
			}
		}
	}
	for _, p := range pairs {
		tags := it.tags[p.field]
		if untag {
			var keep []string
			for _, t := range tags {
				if t != p.tag {
					keep = append(keep, t)
				}
			}
			it.tags[p.field] = keep
			continue
		}
		if !containsStr(tags, p.tag) {
			it.tags[p.field] = append(tags, p.tag)
		}
	}
	return nil
}

func (it *interp) execComment(s *script.Comment, c *stmtCtx) error {
	set := func(name, text string) {
		if s.Tables {
			if it.tableComments == nil {
				it.tableComments = map[string]string{}
			}
			it.tableComments[name] = text
			return
		}
		if it.fieldComments == nil {
			it.fieldComments = map[string]string{}
		}
		it.fieldComments[name] = text
	}
	if s.Using != nil {
		mt := it.m.mapping(s.Using.Text)
		if mt == nil {
			return c.errorf(s.Using.Pos, "COMMENT ... USING %s: no mapping table of that name", s.Using.Text)
		}
		mp := it.mappingOf(mt)
		for _, k := range mp.keys() {
			v, _ := mp.lookup(expr.Str(k))
			set(k, v.Text())
		}
		return nil
	}
	for _, n := range s.Names {
		set(n.Text, s.With.Text)
	}
	return nil
}

// qualifyRule is one name of a QUALIFY/UNQUALIFY (or NULLASVALUE/
// NULLASNULL) statement; the last rule matching a name decides.
type qualifyRule struct {
	pattern string
	on      bool
}

func ruleOn(rules []qualifyRule, name string) bool {
	on := false
	for _, r := range rules {
		if matchPattern(r.pattern, name) {
			on = r.on
		}
	}
	return on
}

// mapRule is one field of a MAP ... USING (mapping "" for UNMAP).
type mapRule struct {
	pattern string
	mapping string
}

// matchPattern matches a field or table name against a name of a
// statement's list: an exact match, or, when the pattern holds * or ?, a
// case-insensitive wildcard match.
func matchPattern(pattern, name string) bool {
	if pattern == name {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") {
		return false
	}
	return expr.WildcardMatch(name, pattern)
}

func matchAny(ns []script.Name, name string) bool {
	for _, n := range ns {
		if matchPattern(n.Text, name) {
			return true
		}
	}
	return false
}

func containsStr(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
