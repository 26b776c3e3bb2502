package reload

import (
	"fmt"
	"hash/maphash"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// The batch path. A plain statement — one LOAD level writing to one table,
// no WHILE, GROUP BY, DISTINCT, Previous, record-generating SubField, MAP
// USING or NULLASVALUE — runs a whole batch of records at a time: WHERE
// (if any) gives the selected records, then every output field is filled
// for the batch. A field that copies a source field is interned column by
// column (text cells through their own small state, symbol codes of QVD
// files and resident tables through a code map); fields computed by
// expressions are evaluated record by record. The columns are independent,
// so the batch is split over GOMAXPROCS goroutines, one column at a time.

// batchSafe reports whether n can be evaluated for a batch of records
// before they are stored: it must not read the table being built or the
// previous record (Peek, RowNo, Exists, Previous ...).
func batchSafe(n expr.Node) bool {
	safe := true
	expr.Inspect(n, func(x expr.Node) bool {
		switch x := x.(type) {
		case *expr.AggCall:
			safe = false
		case *expr.Call:
			if x.Func != nil && x.Func.Kind == expr.KindContext {
				switch strings.ToLower(x.Func.Name) {
				case "recno", "applymap", "mapsubstring", "filename", "filebasename", "fileextension",
					"filedir", "filepath":
				default:
					safe = false
				}
			}
		}
		return safe
	})
	return safe
}

// fastCol is the state of one output field on the batch path.
type fastCol struct {
	itm *item
	out *column
	txt *textIntern // text source: interning state
	rm  []uint32    // symbol source: source code -> output code (0: not mapped yet)
	// same is set when a resident field is copied to the same field: the
	// codes are copied as they are.
	same bool
	pre  bool // every source symbol was interned up front (optimized QVD load)
	// cs is the interning state of a field copied from a columnar source
	// (Parquet, Arrow IPC, JSON).
	cs *colState
	// buf holds one batch of codes on their way to the column.
	buf []uint32
}

// scratch returns fc's code buffer with n elements.
func (fc *fastCol) scratch(n int) []uint32 {
	if cap(fc.buf) < n {
		fc.buf = make([]uint32, n)
	}
	return fc.buf[:n]
}

// fastPlan runs a statement batch by batch.
type fastPlan struct {
	it    *interp
	lv    *level
	ts    *tableSink
	cols  []*fastCol
	exprs []*fastCol // output fields computed by expressions
	sel   []int32
	env   rowEnv
	// serial is set when a field written by the statement is also read
	// from the source (a resident table), so columns cannot be filled
	// concurrently.
	serial bool
}

// newFastPlan returns the batch plan of a statement, or nil when it needs
// the record-at-a-time path.
func (it *interp) newFastPlan(levels []*level, out sink, dst *destination) *fastPlan {
	if len(levels) != 1 || dst.ts == nil || out != sink(dst.ts) {
		return nil
	}
	lv := levels[0]
	ts := dst.ts
	if lv.while != nil || lv.agg != nil || len(lv.gens) > 0 || lv.usesPrev || lv.ld.Distinct || ts.distinct {
		return nil
	}
	if lv.where != nil && !batchSafe(lv.where) {
		return nil
	}
	for i := range ts.maps {
		if ts.maps[i] != nil || ts.nav[i] {
			return nil
		}
	}
	fp := &fastPlan{it: it, lv: lv, ts: ts}
	for i := range lv.items {
		itm := &lv.items[i]
		if itm.node != nil && !batchSafe(itm.node) {
			return nil
		}
		fc := &fastCol{itm: itm, out: ts.cols[i]}
		fp.cols = append(fp.cols, fc)
		if itm.node != nil {
			fp.exprs = append(fp.exprs, fc)
		}
	}
	fp.env = rowEnv{it: it, lv: lv}
	return fp
}

// textIntern interns the text cells of one source field into one output
// field: NullInterpret, then the automatic interpretation (§5.4), with as
// few map operations per cell as possible:
//
//   - a plain number is parsed and interned by value (one lookup);
//   - when the field had no symbols before the statement, every text
//     symbol in it was put there by this very interpretation, so a text
//     already loaded is found by its text (one lookup);
//   - texts that interpret as something else than a plain number (dates,
//     money, times) are interpreted once and then found in a per-statement
//     cache (when the field had symbols before, every non-number goes
//     through the cache);
//
// and the path that served the previous cell is tried first. The symbol
// table copies the text of a new symbol itself; the keys of the
// per-statement cache are copied into shared chunks rather than allocated
// one by one.
type textIntern struct {
	recent   *recentCache
	f        *field
	loc      *numfmt.Locale
	nullText string
	hasNull  bool
	direct   bool
	cache    map[string]uint32
	last     uint8 // the path that served the previous cell
	arena    []byte
}

const (
	pathNumber = iota
	pathText
	pathCache
)

func newTextIntern(f *field, loc *numfmt.Locale, nullText string, hasNull bool) *textIntern {
	return &textIntern{f: f, loc: loc, nullText: nullText, hasNull: hasNull, direct: f.syms.Len() == 0,
		cache: map[string]uint32{}, recent: newRecentCache()}
}

// recentCache is a small direct-mapped cache of texts recently interned
// by one textIntern: most cells of a field repeat a few values, and a hit
// here costs a hash of the cell and one comparison. Keys are the symbols'
// own texts, so filling it allocates nothing.
type recentCache struct {
	seed    maphash.Seed
	keys    [recentSize]string
	codes   [recentSize]uint32
	hits    int
	lookups int
	off     bool
}

const recentSize = 16384

func newRecentCache() *recentCache { return &recentCache{seed: maphash.MakeSeed()} }

func (rc *recentCache) slot(s string) int {
	return int(maphash.String(rc.seed, s) & (recentSize - 1))
}

// codeOf wraps code with the recent cache. The cache turns itself off
// when fewer than one lookup in eight hits (a field of mostly distinct
// values).
func (ti *textIntern) codeOf(cell []byte) uint32 {
	rc := ti.recent
	if rc.off || cell == nil {
		return ti.code(cell)
	}
	s := bytesView(cell)
	i := rc.slot(s)
	if c := rc.codes[i]; c != 0 && rc.keys[i] == s {
		rc.hits++
		return c
	}
	rc.lookups++
	if rc.lookups&(1<<14-1) == 0 {
		if rc.hits < rc.lookups/8 {
			rc.off = true
		}
		rc.hits, rc.lookups = 0, 0
	}
	c := ti.code(cell)
	if c != 0 {
		// Only a symbol whose own text is this cell may be remembered:
		// then the cell is known to intern to it.
		if t := ti.f.syms.Text(c - 1); t == s {
			rc.keys[i], rc.codes[i] = t, c
		}
	}
	return c
}

// bytesView returns a string sharing b's bytes, for lookups that do not
// keep it.
func bytesView(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// keep returns a lasting copy of s, carved from a shared chunk.
func (ti *textIntern) keep(s string) string {
	n := len(s)
	if n == 0 {
		return ""
	}
	if n > 1024 {
		return strings.Clone(s)
	}
	if cap(ti.arena)-len(ti.arena) < n {
		ti.arena = make([]byte, 0, 64<<10)
	}
	off := len(ti.arena)
	ti.arena = append(ti.arena, s...)
	return unsafe.String(&ti.arena[off], n)
}

// internNum interns a number with its text. The symbol table copies the
// text of a new symbol into its own arena, so the cell's bytes can be
// passed as they are.
func (ti *textIntern) internNum(num float64, s string) uint32 {
	return ti.f.syms.InternNum(num, s) + 1
}

// code returns the code of one cell (nil: absent, NULL).
func (ti *textIntern) code(cell []byte) uint32 {
	if cell == nil {
		return 0
	}
	s := bytesView(cell)
	if ti.hasNull && s == ti.nullText {
		return 0
	}
	syms := ti.f.syms
	switch ti.last {
	case pathText:
		if id, ok := syms.LookupText(s); ok {
			return id + 1
		}
	case pathCache:
		if c, ok := ti.cache[s]; ok {
			return c
		}
	}
	if num, ok := numfmt.InterpretNumber(s, ti.loc); ok {
		ti.last = pathNumber
		return ti.internNum(num, s)
	}
	if ti.direct && ti.last != pathText {
		if id, ok := syms.LookupText(s); ok {
			ti.last = pathText
			return id + 1
		}
	}
	if ti.last != pathCache {
		if c, ok := ti.cache[s]; ok {
			ti.last = pathCache
			return c
		}
	}
	num, ok, _ := numfmt.Interpret(s, ti.loc)
	if !ok {
		ti.last = pathText
		if !ti.direct {
			// A text symbol of this field may come from another load:
			// cache the decision for this statement.
			ti.last = pathCache
			code := syms.InternText(s) + 1
			ti.cache[ti.keep(s)] = code
			return code
		}
		return syms.InternText(s) + 1
	}
	ti.last = pathCache
	code := ti.internNum(num, s)
	ti.cache[ti.keep(s)] = code
	return code
}

// prepare sets up the per-field states for the first batch of a source.
func (fp *fastPlan) prepare(b batch) error {
	it := fp.it
	nt, hasNull := it.vars.text("NullInterpret")
	loc := it.locale()
	sb, isSym := b.(symBatch)
	_, isText := b.(*textBatch)
	_, isCol := b.(colBatch)
	if isSym {
		read := map[*field]bool{}
		for col := range fp.lv.in {
			if f := sb.field(col); f != nil {
				read[f] = true
			}
		}
		for _, fc := range fp.cols {
			if read[fc.out.f] && (fc.itm.node != nil || sb.field(fc.itm.col) != fc.out.f) {
				fp.serial = true
			}
		}
	}
	var pre []func() error
	cells := 0
	for _, fc := range fp.cols {
		if fc.itm.node != nil {
			continue
		}
		fc := fc
		switch {
		case isText:
			fc.txt = newTextIntern(fc.out.f, loc, nt, hasNull)
		case isCol:
			fc.cs = &colState{}
		case isSym:
			col := fc.itm.col
			if src := sb.field(col); src != nil && src == fc.out.f {
				fc.same = true
				continue
			}
			n := sb.symCount(col)
			fc.rm = make([]uint32, n+1)
			if fp.lv.where == nil && fp.ts.first == 0 && sb.field(col) == nil {
				// Optimized QVD load: the symbols keep the file's order.
				fc.pre = true
				pre = append(pre, func() error {
					// A QVD field's symbols are distinct, so into a field
					// that has none yet they are appended without a lookup
					// each (its index is built if something looks it up).
					syms := fc.out.f.syms
					fresh := syms.Len() == 0
					for c := 1; c <= n; c++ {
						if c&0xffff == 0 {
							if err := it.ctx.Err(); err != nil {
								return err
							}
						}
						if fresh {
							fc.rm[c] = syms.AppendNew(sb.dual(col, uint32(c))) + 1
						} else {
							fc.rm[c] = fc.out.f.intern(sb.dual(col, uint32(c)))
						}
					}
					return nil
				})
				cells += n
			}
		}
	}
	if fp.serial {
		cells = 0
	}
	return runJobs(pre, cells)
}

// run processes one batch.
func (fp *fastPlan) run(b batch) error {
	n := b.len()
	fp.sel = fp.sel[:0]
	lv := fp.lv
	env := &fp.env
	for r := 0; r < n; r++ {
		if lv.sample > 0 && lv.rng.float() >= lv.sample {
			continue
		}
		if lv.where != nil {
			env.b, env.r, env.vals = b, r, nil
			env.recNo = b.recNo(r)
			env.slots = lv.whereSlots
			v := expr.Eval(lv.where, env)
			if env.err != nil {
				err := env.err
				env.err = nil
				return lv.c.errorf(lv.wherePos, "%w", err)
			}
			if !v.Truthy() {
				continue
			}
		}
		fp.sel = append(fp.sel, int32(r))
	}
	if fp.ts.first > 0 {
		if left := fp.ts.first - fp.ts.added; int64(len(fp.sel)) >= left {
			fp.sel = fp.sel[:left]
			lv.run.stop = true
		}
	}
	sel := fp.sel
	if len(sel) == 0 {
		return nil
	}
	jobs := make([]func() error, 0, len(fp.cols))
	for _, fc := range fp.cols {
		if fc.itm.node == nil {
			fc := fc
			if fc.cs != nil {
				jobs = append(jobs, func() error {
					codes, mx, err := b.(colBatch).internColumn(fc.itm.col, fc.out.f, sel, fc.cs, fc.cs.buf)
					if err != nil {
						return err
					}
					fc.cs.buf = codes
					fc.out.c.addSlice(codes, mx)
					return nil
				})
				continue
			}
			jobs = append(jobs, func() error { fp.copyColumn(fc, b, sel); return nil })
		}
	}
	if len(fp.exprs) > 0 {
		jobs = append(jobs, func() error { return fp.evalExprs(b, sel) })
	}
	cells := len(sel) * len(fp.cols)
	if fp.serial {
		cells = 0
	}
	if err := runJobs(jobs, cells); err != nil {
		return err
	}
	for _, c := range fp.ts.other {
		c.c.addN(0, len(sel))
	}
	fp.ts.t.rows += len(sel)
	fp.ts.added += int64(len(sel))
	return nil
}

// copyColumn appends the codes of a copied source field for the selected
// records.
func (fp *fastPlan) copyColumn(fc *fastCol, b batch, sel []int32) {
	out := &fc.out.c
	col := fc.itm.col
	switch {
	case fc.txt != nil:
		tb := b.(*textBatch)
		buf := fc.scratch(len(sel))
		var mx uint32
		for i, r := range sel {
			c := fc.txt.codeOf(tb.b.Field(int(r), col))
			buf[i] = c
			mx = max(mx, c)
		}
		out.addSlice(buf, mx)
	case fc.same:
		sb := b.(symBatch)
		for _, r := range sel {
			out.add(sb.code(int(r), col))
		}
	case fc.pre && len(sel) == b.len() && isQVD(b):
		// Optimized QVD load: every symbol is mapped already; decode the
		// batch's codes at once.
		buf := fc.scratch(len(sel))
		b.(*qvdBatch).decode(col, buf)
		var mx uint32
		for i, c := range buf {
			m := fc.rm[c]
			buf[i] = m
			mx = max(mx, m)
		}
		out.addSlice(buf, mx)
	case fc.rm != nil:
		sb := b.(symBatch)
		f := fc.out.f
		for _, r := range sel {
			c := sb.code(int(r), col)
			if c == 0 {
				out.add(0)
				continue
			}
			m := fc.rm[c]
			if m == 0 {
				m = f.intern(sb.dual(col, c))
				fc.rm[c] = m
			}
			out.add(m)
		}
	default:
		f := fc.out.f
		for _, r := range sel {
			v := b.value(int(r), col)
			if v.IsNull() {
				out.add(0)
				continue
			}
			out.add(f.intern(v.ToDual()))
		}
	}
}

// evalExprs computes the fields given by expressions for the selected
// records.
func (fp *fastPlan) evalExprs(b batch, sel []int32) error {
	env := &fp.env
	lv := fp.lv
	for _, r := range sel {
		env.b, env.r, env.vals = b, int(r), nil
		env.recNo = b.recNo(int(r))
		for _, fc := range fp.exprs {
			env.slots = fc.itm.slots
			v := expr.Eval(fc.itm.node, env)
			if env.err != nil {
				err := env.err
				env.err = nil
				return lv.c.errorf(fc.itm.pos, "field %s: %w", quoteField(fc.itm.name), err)
			}
			var code uint32
			if !v.IsNull() {
				code = fc.out.f.intern(v.ToDual())
			}
			fc.out.c.add(code)
		}
		if err := fp.it.tick(); err != nil {
			return err
		}
	}
	return nil
}

// parallelCells is the batch size (records times fields) from which the
// fields of a batch are filled on several goroutines.
const parallelCells = 1 << 14

// runJobs runs independent jobs, on several goroutines when there are
// enough cells to make it worth it. A panic in a job becomes an error.
func runJobs(jobs []func() error, cells int) error {
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	if workers <= 1 || cells < parallelCells {
		for _, j := range jobs {
			if err := j(); err != nil {
				return err
			}
		}
		return nil
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make([]error, len(jobs))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				errs[i] = safeRun(jobs[i])
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func safeRun(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: BUG: panic while loading: %v\n%s", ErrInternal, r, debug.Stack())
		}
	}()
	return f()
}

func isQVD(b batch) bool {
	_, ok := b.(*qvdBatch)
	return ok
}
