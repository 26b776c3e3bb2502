package reload

import (
	"fmt"
	"math"
	"path"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// prefixes are the prefixes of a LOAD statement, resolved.
type prefixes struct {
	mapping    bool
	concat     *script.Concatenate
	noConcat   bool
	join       *script.Join
	keep       *script.Keep
	crosstable *script.Crosstable
	generic    bool
	interval   *script.IntervalMatch
	first      *script.First
	sample     *script.Sample
	replace    bool
	skip       string // why the statement does nothing in a full reload
}

func (it *interp) prefixes(ld *script.Load, c *stmtCtx) (prefixes, error) {
	var pf prefixes
	for _, p := range ld.Prefixes {
		switch p := p.(type) {
		case *script.Concatenate:
			pf.concat = p
		case *script.NoConcatenate:
			pf.noConcat = true
		case *script.Join:
			pf.join = p
		case *script.Keep:
			pf.keep = p
		case *script.Mapping:
			pf.mapping = true
		case *script.Crosstable:
			pf.crosstable = p
		case *script.Generic:
			pf.generic = true
		case *script.IntervalMatch:
			pf.interval = p
		case *script.First:
			pf.first = p
		case *script.Sample:
			pf.sample = p
		case *script.Add:
			if p.Only {
				pf.skip = "ADD ONLY runs in partial reloads only"
			}
		case *script.Replace:
			if p.Only {
				pf.skip = "REPLACE ONLY runs in partial reloads only"
			}
			pf.replace = true
		case *script.Buffer:
			it.log.line("BUFFER: loads are not cached, the statement loads its source")
		case *script.Hierarchy:
			return pf, c.errorf(ld.Pos, "the HIERARCHY prefix is %w", ErrNotSupported)
		case *script.Semantic:
			return pf, c.errorf(ld.Pos, "the SEMANTIC prefix is %w", ErrNotSupported)
		default:
			return pf, c.errorf(ld.Pos, "prefix %T is %w", p, ErrNotSupported)
		}
	}
	n := 0
	for _, b := range []bool{pf.mapping, pf.concat != nil, pf.join != nil, pf.keep != nil, pf.generic, pf.interval != nil} {
		if b {
			n++
		}
	}
	if n > 1 {
		return pf, c.errorf(ld.Pos, "MAPPING, CONCATENATE, JOIN, KEEP, GENERIC and INTERVALMATCH cannot be combined in one statement")
	}
	return pf, nil
}

// load runs a LOAD statement with the levels of its preceding-load chain
// (chain[0] is the top, the last one has the source).
func (it *interp) load(chain []preparedLoad) error {
	top := chain[0]
	for _, pl := range chain {
		it.echo(pl.ld, pl.c)
	}
	pf, err := it.prefixes(top.ld, top.c)
	if err != nil {
		return err
	}
	if pf.skip != "" {
		it.log.line(pf.skip + ": statement skipped")
		return nil
	}
	bottom := chain[len(chain)-1]
	if from, ok := bottom.ld.Source.(*script.From); ok && hasWildcard(from.File.Text) {
		files, err := it.files.list(from.File.Text, false)
		if err != nil {
			return bottom.c.errorf(from.File.Pos, "cannot list %s: %w", from.File.Text, err)
		}
		if len(files) == 0 {
			return bottom.c.errorf(from.File.Pos, "no file matches %s", from.File.Text)
		}
		for _, f := range files {
			if err := it.loadOnce(chain, pf, f); err != nil {
				return err
			}
		}
		return nil
	}
	return it.loadOnce(chain, pf, "")
}

// loadOnce runs a LOAD statement once (for one file of a wildcard FROM
// when file is set).
func (it *interp) loadOnce(chain []preparedLoad, pf prefixes, file string) (err error) {
	top, bottom := chain[0], chain[len(chain)-1]
	run := &loadRun{}
	src, err := it.openSource(bottom.ld, bottom.c, file)
	if err != nil {
		return err
	}
	if it.req.RowLimit > 0 {
		src = &limitSource{source: src, left: it.req.RowLimit}
	}
	defer func() {
		if cerr := src.close(); err == nil && cerr != nil {
			err = bottom.c.wrap(cerr)
		}
		it.curTable, it.curFile = nil, ""
	}()
	levels := make([]*level, len(chain))
	in := src.names()
	for i := len(chain) - 1; i >= 0; i-- {
		lv := &level{it: it, ld: chain[i].ld, c: chain[i].c, run: run, top: i == 0}
		if err := lv.compile(in); err != nil {
			return err
		}
		if i != 0 && lv.ld.Distinct {
			lv.distinct, lv.seen = true, map[string]struct{}{}
		}
		if len(lv.ld.OrderBy) > 0 {
			if _, ok := lv.ld.Source.(*script.Resident); !ok {
				return lv.c.errorf(lv.ld.OrderBy[0].Expr.Pos, "ORDER BY can only sort a RESIDENT table")
			}
		}
		levels[i] = lv
		in = lv.out
	}
	for i := 0; i+1 < len(levels); i++ {
		levels[i+1].up = levels[i]
	}
	projectSource(src, levels[len(levels)-1])
	if pf.sample != nil {
		v, err := it.eval(pf.sample.Probability, top.c, false)
		if err != nil {
			return err
		}
		p, ok := v.AsNumber()
		if !ok || p < 0 || p > 1 {
			return top.c.errorf(pf.sample.Probability.Pos, "SAMPLE probability must be a number from 0 to 1, not %s", fmtValue(v))
		}
		lb := levels[len(levels)-1]
		lb.sample = math.Max(p, 1e-300)
		lb.rng = newRandSource(uint64(top.ld.Pos) + 1)
	}
	names := levels[0].out
	if pf.crosstable != nil {
		q := 1
		if pf.crosstable.Qualifiers != nil {
			n, err := it.evalNum(*pf.crosstable.Qualifiers, top.c, "CROSSTABLE qualifier count")
			if err != nil {
				return err
			}
			q = int(n)
		}
		if q < 0 || q >= len(names) {
			return top.c.errorf(top.ld.Pos, "CROSSTABLE with %d qualifier fields needs more than %d fields; the LOAD has %d", q, q, len(names))
		}
		names = append(append(append([]string(nil), names[:q]...), pf.crosstable.Attribute.Text), pf.crosstable.Data.Text)
	}
	it.curFile = file
	if file == "" {
		if f, ok := bottom.ld.Source.(*script.From); ok {
			it.curFile = f.File.Text
		}
	}
	dst, err := it.destination(top, pf, names, src, run)
	if err != nil {
		return err
	}
	var out sink = dst.sink
	if pf.crosstable != nil {
		out = newCrosstableSink(dst.sink, levels[0].out, len(names)-2, it)
	}
	levels[0].up = out
	levels[0].rowNo = dst.rowNo
	if top.ld.Distinct && dst.ts != nil {
		dst.ts.setDistinct()
	}
	if pf.first != nil {
		n, err := it.evalNum(pf.first.Count, top.c, "FIRST count")
		if err != nil {
			return err
		}
		if n < 0 {
			n = 0
		}
		if dst.ts != nil {
			dst.ts.first = int64(n)
			if n == 0 {
				run.stop = true
			}
		}
	}
	it.curTable = dst.t
	lb := levels[len(levels)-1]
	fp := it.newFastPlan(levels, out, dst)
	for first := true; !run.stop; first = false {
		b, err := src.next()
		if err != nil {
			return bottom.c.wrap(err)
		}
		if b == nil {
			break
		}
		if fp != nil {
			if first {
				err = fp.prepare(b)
			}
			if err == nil {
				err = fp.run(b)
			}
		} else {
			err = lb.pushBatch(b)
		}
		if err != nil {
			return bottom.c.wrap(err)
		}
		it.log.transient(fmt.Sprintf("%s << %s Lines fetched", dst.name, groupDigits(dst.count())))
		if err := it.checkLimits(); err != nil {
			return bottom.c.wrap(err)
		}
	}
	if err := lb.finish(); err != nil {
		return bottom.c.wrap(err)
	}
	if ls, ok := src.(*limitSource); ok {
		src = ls.source
	}
	if ts, ok := src.(*textSource); ok {
		if w := ts.raggedWarning(); w != "" {
			it.warn(w)
		}
	}
	it.log.quiet(fmt.Sprintf("%d fields found: %s,", len(names), strings.Join(names, ", ")))
	if err := dst.finalize(); err != nil {
		return top.c.wrap(err)
	}
	it.log.line(fmt.Sprintf("%s << %s %s Lines fetched", dst.name, src.desc(), groupDigits(dst.count())))
	return it.checkLimits()
}

// destination is where a LOAD statement's rows go.
type destination struct {
	sink     sink
	ts       *tableSink // the table sink, if the rows go to one table
	t        *table     // the table written (Peek's default table)
	name     string     // for the log
	rowNo    func() int64
	count    func() int64
	finalize func() error
}

// sourceName is the default table name of a LOAD without a label (§1.3):
// the file's base name (at most 32 characters, extension dropped),
// INLINEnn, AUTOGENERATEnn, or the resident table's name. commit is called
// when a table with that name is created.
func (it *interp) sourceName(ld *script.Load, src source, file string) (name string, commit func()) {
	commit = func() {}
	switch s := ld.Source.(type) {
	case *script.From:
		p := file
		if p == "" {
			p = s.File.Text
		}
		base := path.Base(strings.ReplaceAll(p, `\`, "/"))
		base = strings.TrimSuffix(base, path.Ext(base))
		if r := []rune(base); len(r) > 32 {
			base = string(r[:32])
		}
		return base, commit
	case *script.Inline:
		return fmt.Sprintf("INLINE%02d", it.m.inline+1), func() { it.m.inline++ }
	case *script.Autogenerate:
		return fmt.Sprintf("AUTOGENERATE%02d", it.m.autogen+1), func() { it.m.autogen++ }
	case *script.Resident:
		return src.desc(), commit
	}
	return "Table", commit
}

// finalNames applies ALIAS and QUALIFY to the output field names of a
// statement writing to a table named tname.
func (it *interp) finalNames(names []string, tname string, mapping bool) []string {
	out := make([]string, len(names))
	for i, n := range names {
		if a, ok := it.aliases[n]; ok {
			n = a
		}
		if !mapping && ruleOn(it.qualify, n) {
			n = tname + "." + n
		}
		out[i] = n
	}
	return out
}

func dupName(names []string) (string, bool) {
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			return n, true
		}
		seen[n] = true
	}
	return "", false
}

// destination decides where the rows of a statement go: a new table, an
// existing one (CONCATENATE or automatic concatenation), a mapping table,
// or a temporary table that JOIN, KEEP or INTERVALMATCH combine afterwards.
func (it *interp) destination(top preparedLoad, pf prefixes, names []string, src source, run *loadRun) (*destination, error) {
	ld, c := top.ld, top.c
	label := ""
	if ld.Label != nil {
		label = ld.Label.Text
	}
	tname, commit := it.sourceName(ld, src, it.curFile)
	if label != "" {
		tname, commit = label, func() {}
	}
	if pf.generic {
		return it.genericDest(ld, c, tname, names, run)
	}
	final := it.finalNames(names, tname, pf.mapping)
	if d, dup := dupName(final); dup {
		return nil, c.errorf(ld.Pos, "field %s appears twice in the loaded table", quoteField(d))
	}
	tableDest := func(t *table) *destination {
		ts := it.newTableSink(t, final, run)
		base := int64(t.rows)
		return &destination{sink: ts, ts: ts, t: t, name: t.name, rowNo: ts.rowNo,
			count: func() int64 { return int64(t.rows) - base }, finalize: func() error { return nil }}
	}
	switch {
	case pf.mapping:
		if len(final) < 2 {
			return nil, c.errorf(ld.Pos, "a mapping table needs two fields (key and value), the LOAD has %d", len(final))
		}
		t := it.m.mapping(tname)
		if t == nil {
			t = it.m.newMapping(tname, final)
			it.m.mappings[tname] = t
		}
		return tableDest(t), nil
	case pf.join != nil || pf.keep != nil || pf.interval != nil:
		return it.combineDest(top, pf, tname, commit, final, run)
	}
	if pf.replace {
		if old := it.m.exact(tname); old != nil {
			it.m.dropTable(old)
		}
	}
	var target *table
	switch {
	case pf.concat != nil:
		if pf.concat.Table != nil {
			target = it.m.table(pf.concat.Table.Text)
			if target == nil {
				return nil, c.errorf(pf.concat.Table.Pos, "CONCATENATE (%s): no table of that name", pf.concat.Table.Text)
			}
		} else {
			target = it.lastTable()
			if target == nil {
				return nil, c.errorf(ld.Pos, "CONCATENATE: no table has been loaded yet")
			}
		}
	case !pf.noConcat:
		for _, t := range it.m.tables {
			if t.sameFieldSet(final) {
				target = t
				break
			}
		}
	}
	if target == nil {
		target = it.m.newTable(it.m.uniqueName(tname), final)
		target.source = src.desc()
		commit()
	}
	return tableDest(target), nil
}

// lastTable is the most recently created data table.
func (it *interp) lastTable() *table {
	var best *table
	for _, t := range it.m.tables {
		if best == nil || t.seq > best.seq {
			best = t
		}
	}
	return best
}

// checkLimits enforces Limits.MaxRows and MaxMemory.
func (it *interp) checkLimits() error {
	if err := it.checkCtx(); err != nil {
		return err
	}
	if it.lim.MaxRows > 0 {
		if n := it.m.rows(); n > it.lim.MaxRows {
			return fmt.Errorf("the tables hold %d rows, more than the limit of %d: %w", n, it.lim.MaxRows, ErrLimit)
		}
	}
	if it.lim.MaxMemory > 0 {
		if n := it.m.bytes(); n > it.lim.MaxMemory {
			return fmt.Errorf("the data needs about %d bytes, more than the limit of %d: %w", n, it.lim.MaxMemory, ErrLimit)
		}
	}
	return nil
}

// evalCount evaluates a non-negative integer count.
func (it *interp) evalCount(e script.Expr, c *stmtCtx, what string) (int64, error) {
	v, err := it.eval(e, c, false)
	if err != nil {
		return 0, err
	}
	f, ok := v.AsNumber()
	if !ok || f < 0 || f != math.Trunc(f) || f > 1<<53 {
		return 0, c.errorf(e.Pos, "%s must be a non-negative integer, not %s", what, fmtValue(v))
	}
	return int64(f), nil
}

var _ = expr.Null
