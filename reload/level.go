package reload

import (
	"encoding/binary"
	"math"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// sink receives the output rows of a LOAD level: the level above it in a
// preceding-load chain, or the table the statement writes to.
type sink interface {
	// push takes one row of values, in the order of the level's output
	// fields. vals is only valid during the call.
	push(vals []expr.Value) error
	// finish is called once after the last row.
	finish() error
}

// loadRun is the state shared by the levels of one statement.
type loadRun struct {
	stop bool // a FIRST limit was reached: stop reading
}

// item is one output field of a level.
type item struct {
	name  string
	node  expr.Node // nil for a plain copy of input column col
	col   int       // input column of a plain field reference, else -1
	slots []int     // FieldRef.Index -> input column (-1: not a field)
	pos   int       // offset of the field expression, for errors
}

// level is one LOAD of a preceding-load chain: it turns its input rows
// (source records or the rows of the level below) into output rows.
type level struct {
	it    *interp
	ld    *script.Load
	c     *stmtCtx
	run   *loadRun
	in    []string
	inIdx map[string]int
	items []item
	out   []string
	top   bool

	where, while           expr.Node
	whereSlots, whileSlots []int
	wherePos, whilePos     int

	agg  *aggregator
	gens []*genCall

	distinct bool // DISTINCT on a lower level (the top level's table does it)
	seen     map[string]struct{}
	keyBuf   []byte

	usesPrev bool
	prev     []expr.Value
	hasPrev  bool

	up     sink
	env    rowEnv
	outBuf []expr.Value
	inBuf  []expr.Value
	recNo  int64 // input rows seen (levels above the bottom)

	sample float64 // SAMPLE probability (bottom level), 0: none
	rng    *randSource

	rowNo func() int64 // RowNo() of the top level
}

// genCall is a two-argument SubField in a field expression: the record is
// repeated once per part (§4.10).
type genCall struct {
	call  *expr.Call
	item  int
	parts []expr.Value
}

// resolveRef finds an input column by name: exact, then the only
// case-insensitive match, then @n for the n-th column.
func (lv *level) resolveRef(name string) int {
	if i, ok := lv.inIdx[name]; ok {
		return i
	}
	found := -1
	for i, n := range lv.in {
		if strings.EqualFold(n, name) {
			if found >= 0 {
				found = -2
				break
			}
			found = i
		}
	}
	if found >= 0 {
		return found
	}
	if len(name) > 1 && name[0] == '@' {
		n := 0
		for _, ch := range name[1:] {
			if ch < '0' || ch > '9' {
				return -1
			}
			n = n*10 + int(ch-'0')
			if n > 1<<20 {
				return -1
			}
		}
		if n >= 1 && n <= len(lv.in) {
			return n - 1
		}
	}
	return -1
}

// fieldArgFuncs take a field name as their first argument, written as a
// string or as a bare name; the bare name is not a reference to the input.
var fieldArgFuncs = map[string]bool{
	"peek": true, "exists": true, "fieldvalue": true, "fieldvaluecount": true, "lookup": true,
	"fieldnumber": true, "noofrows": true, "fieldvaluelist": true, "nooffields": true, "fieldname": false,
}

// slotsFor resolves the field references of n against the level's input.
// A name that is not an input field is left to the variables; a name that
// is neither is an error ("field not found").
func (lv *level) slotsFor(n expr.Node, base int) ([]int, error) {
	names := expr.FieldNames(n)
	slots := make([]int, len(names))
	for i := range slots {
		slots[i] = -1
	}
	var err error
	skip := map[*expr.FieldRef]bool{}
	expr.Inspect(n, func(x expr.Node) bool {
		switch x := x.(type) {
		case *expr.Call:
			if x.Func != nil && fieldArgFuncs[strings.ToLower(x.Func.Name)] && len(x.Args) > 0 {
				if r, ok := x.Args[0].(*expr.FieldRef); ok {
					skip[r] = true
				}
			}
			if x.Func != nil && strings.EqualFold(x.Func.Name, "lookup") && len(x.Args) > 1 {
				if r, ok := x.Args[1].(*expr.FieldRef); ok {
					skip[r] = true
				}
			}
		case *expr.FieldRef:
			if x.Index < 0 || x.Index >= len(slots) {
				return true
			}
			col := lv.resolveRef(x.Name.Text)
			if col >= 0 {
				slots[x.Index] = col
				return true
			}
			if skip[x] {
				return true
			}
			if _, ok := lv.it.vars.get(x.Name.Text); ok {
				return true
			}
			if err == nil {
				err = lv.c.errorf(base+int(x.Name.NamePos), "field %s not found (the source has %s)", quoteField(x.Name.Text), listNames(lv.in))
			}
		}
		return true
	})
	// A name skipped in one place may be a real reference elsewhere: only
	// names resolved nowhere and used only as field-name arguments pass.
	return slots, err
}

func quoteField(n string) string { return "'" + n + "'" }

func listNames(names []string) string {
	if len(names) == 0 {
		return "no fields"
	}
	if len(names) > 12 {
		return "fields " + strings.Join(names[:12], ", ") + ", ..."
	}
	return "fields " + strings.Join(names, ", ")
}

// compile prepares a level for input fields in.
func (lv *level) compile(in []string) error {
	lv.in = in
	lv.inIdx = make(map[string]int, len(in))
	for i, n := range in {
		if _, dup := lv.inIdx[n]; !dup {
			lv.inIdx[n] = i
		}
	}
	ld := lv.ld
	seen := map[string]bool{}
	addItem := func(itm item) error {
		if seen[itm.name] {
			return lv.c.errorf(itm.pos, "field %s is loaded twice by this LOAD (give one of them another name with AS)", quoteField(itm.name))
		}
		seen[itm.name] = true
		lv.items = append(lv.items, itm)
		lv.out = append(lv.out, itm.name)
		return nil
	}
	for _, f := range ld.Fields {
		if f.Star {
			for i, n := range in {
				if err := addItem(item{name: n, col: i, pos: f.Expr.Pos}); err != nil {
					return err
				}
			}
			continue
		}
		itm := item{col: -1, pos: f.Expr.Pos}
		n, err := lv.parseField(f.Expr)
		if err != nil {
			return err
		}
		itm.name = strings.TrimSpace(f.Expr.Src)
		if f.Alias != nil {
			itm.name = f.Alias.Text
		} else if r, ok := n.(*expr.FieldRef); ok {
			itm.name = r.Name.Text
		}
		if itm.name == "" {
			return lv.c.errorf(f.Expr.Pos, "empty field name")
		}
		if r, ok := n.(*expr.FieldRef); ok {
			if col := lv.resolveRef(r.Name.Text); col >= 0 {
				itm.col = col
				if err := addItem(itm); err != nil {
					return err
				}
				continue
			}
		}
		itm.node = n
		if itm.slots, err = lv.slotsFor(n, f.Expr.Pos); err != nil {
			return err
		}
		if err := addItem(itm); err != nil {
			return err
		}
	}
	if ld.Where != nil {
		n, err := lv.it.parseExpr(*ld.Where, lv.c, false)
		if err != nil {
			return err
		}
		lv.where, lv.wherePos = n, ld.Where.Pos
		if lv.whereSlots, err = lv.slotsFor(n, ld.Where.Pos); err != nil {
			return err
		}
		if hasAgg(n) {
			return lv.c.errorf(ld.Where.Pos, "aggregation functions cannot be used in WHERE")
		}
	}
	if ld.While != nil {
		n, err := lv.it.parseExpr(*ld.While, lv.c, false)
		if err != nil {
			return err
		}
		lv.while, lv.whilePos = n, ld.While.Pos
		if lv.whileSlots, err = lv.slotsFor(n, ld.While.Pos); err != nil {
			return err
		}
		if hasAgg(n) {
			return lv.c.errorf(ld.While.Pos, "aggregation functions cannot be used in WHILE")
		}
	}
	aggregating := len(ld.GroupBy) > 0
	for _, itm := range lv.items {
		if itm.node != nil && hasAgg(itm.node) {
			aggregating = true
		}
	}
	if aggregating {
		agg, err := newAggregator(lv)
		if err != nil {
			return err
		}
		lv.agg = agg
	}
	for _, itm := range lv.items {
		if itm.node != nil && usesPrevious(itm.node) {
			lv.usesPrev = true
		}
	}
	if lv.where != nil && usesPrevious(lv.where) || lv.while != nil && usesPrevious(lv.while) {
		lv.usesPrev = true
	}
	lv.outBuf = make([]expr.Value, len(lv.items))
	lv.env = rowEnv{it: lv.it, lv: lv}
	return nil
}

// parseField parses a field expression. An expression holding a
// two-argument SubField gets a private tree whose SubField calls are
// record generators.
func (lv *level) parseField(e script.Expr) (expr.Node, error) {
	if !strings.Contains(strings.ToLower(e.Src), "subfield") {
		return lv.it.parseExpr(e, lv.c, false)
	}
	n, err := expr.ParseWith(e.Src, expr.Options{Context: expr.InScript})
	if err != nil {
		// Report through the common path for the positioned message.
		return lv.it.parseExpr(e, lv.c, false)
	}
	expr.Inspect(n, func(x expr.Node) bool {
		switch x := x.(type) {
		case *expr.AggCall:
			return false
		case *expr.Call:
			if x.Func != nil && strings.EqualFold(x.Func.Name, "SubField") && len(x.Args) == 2 {
				lv.gens = append(lv.gens, &genCall{call: x, item: len(lv.items)})
				x.Func = subFieldGen
			}
		}
		return true
	})
	return n, nil
}

// subFieldGen replaces two-argument SubField calls in field expressions:
// the environment answers it with the current part.
var subFieldGen = &expr.Func{Name: "SubField", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext}

func hasAgg(n expr.Node) bool {
	found := false
	expr.Inspect(n, func(x expr.Node) bool {
		if _, ok := x.(*expr.AggCall); ok {
			found = true
		}
		return !found
	})
	return found
}

func usesPrevious(n expr.Node) bool {
	found := false
	expr.Inspect(n, func(x expr.Node) bool {
		if c, ok := x.(*expr.Call); ok && c.Func != nil && strings.EqualFold(c.Func.Name, "Previous") {
			found = true
		}
		return !found
	})
	return found
}

// input returns input column col of the current row.
func (e *rowEnv) input(col int) expr.Value {
	if e.b != nil {
		return e.b.value(e.r, col)
	}
	if col < len(e.vals) {
		return e.vals[col]
	}
	return expr.Null()
}

// evalCond evaluates a WHERE or WHILE condition.
func (lv *level) evalCond(n expr.Node, slots []int, pos int) (bool, error) {
	lv.env.slots = slots
	v := expr.Eval(n, &lv.env)
	if lv.env.err != nil {
		err := lv.env.err
		lv.env.err = nil
		return false, lv.c.errorf(pos, "%w", err)
	}
	return v.Truthy(), nil
}

// pushBatch runs the bottom level over a batch of source records.
func (lv *level) pushBatch(b batch) error {
	n := b.len()
	for r := 0; r < n; r++ {
		if lv.run.stop {
			return nil
		}
		if err := lv.it.tick(); err != nil {
			return err
		}
		if lv.sample > 0 && lv.rng.float() >= lv.sample {
			continue
		}
		lv.env.b, lv.env.r, lv.env.vals = b, r, nil
		lv.env.recNo = b.recNo(r)
		if err := lv.process(); err != nil {
			return err
		}
	}
	return nil
}

// push implements sink for the level below.
func (lv *level) push(vals []expr.Value) error {
	if lv.run.stop {
		return nil
	}
	lv.recNo++
	lv.env.b, lv.env.vals = nil, vals
	lv.env.recNo = lv.recNo
	return lv.process()
}

// process runs the current input row through WHERE, WHILE, the field
// expressions (or the aggregation) and pushes the results up.
func (lv *level) process() error {
	if lv.where != nil {
		ok, err := lv.evalCond(lv.where, lv.whereSlots, lv.wherePos)
		if err != nil || !ok {
			return err
		}
	}
	for iter := 1; ; iter++ {
		lv.env.iter = iter
		if lv.while != nil {
			if iter > lv.it.lim.MaxLoopIterations {
				return lv.c.errorf(lv.whilePos, "WHILE repeated one record more than %d times: %w", lv.it.lim.MaxLoopIterations, ErrLimit)
			}
			ok, err := lv.evalCond(lv.while, lv.whileSlots, lv.whilePos)
			if err != nil {
				return err
			}
			if !ok {
				break
			}
		}
		var err error
		if lv.agg != nil {
			err = lv.agg.add()
		} else {
			err = lv.emit()
		}
		if err != nil {
			return err
		}
		if lv.while == nil || lv.run.stop {
			break
		}
	}
	if lv.usesPrev {
		if lv.prev == nil {
			lv.prev = make([]expr.Value, len(lv.in))
		}
		for i := range lv.in {
			lv.prev[i] = lv.env.input(i)
		}
		lv.hasPrev = true
	}
	return nil
}

// emit computes the output fields of the current row and pushes them.
func (lv *level) emit() error {
	if len(lv.gens) == 0 {
		return lv.emitOne()
	}
	for _, g := range lv.gens {
		lv.env.slots = lv.items[g.item].slots
		s := expr.Eval(g.call.Args[0], &lv.env)
		d := expr.Eval(g.call.Args[1], &lv.env)
		g.parts = g.parts[:0]
		if s.IsNull() {
			g.parts = append(g.parts, expr.Null())
			continue
		}
		for _, p := range expr.SubFields(s.Text(), d.Text()) {
			g.parts = append(g.parts, expr.Str(p))
		}
	}
	idx := make([]int, len(lv.gens))
	for {
		for i, g := range lv.gens {
			if lv.env.gen == nil {
				lv.env.gen = map[*expr.Call]expr.Value{}
			}
			lv.env.gen[g.call] = g.parts[idx[i]]
		}
		if err := lv.emitOne(); err != nil {
			return err
		}
		k := len(idx) - 1
		for k >= 0 {
			idx[k]++
			if idx[k] < len(lv.gens[k].parts) {
				break
			}
			idx[k] = 0
			k--
		}
		if k < 0 {
			return nil
		}
	}
}

func (lv *level) emitOne() error {
	if lv.top && lv.rowNo != nil {
		lv.env.rowNo = lv.rowNo()
	}
	for i := range lv.items {
		itm := &lv.items[i]
		if itm.node == nil {
			lv.outBuf[i] = lv.env.input(itm.col)
			continue
		}
		lv.env.slots = itm.slots
		lv.outBuf[i] = expr.Eval(itm.node, &lv.env)
		if lv.env.err != nil {
			err := lv.env.err
			lv.env.err = nil
			return lv.c.errorf(itm.pos, "field %s: %w", quoteField(itm.name), err)
		}
	}
	if lv.distinct {
		lv.keyBuf = appendRowKey(lv.keyBuf[:0], lv.outBuf)
		if _, ok := lv.seen[string(lv.keyBuf)]; ok {
			return nil
		}
		lv.seen[string(lv.keyBuf)] = struct{}{}
	}
	return lv.up.push(lv.outBuf)
}

// finish flushes the aggregation groups and finishes the level above.
func (lv *level) finish() error {
	if lv.agg != nil {
		if err := lv.agg.flush(); err != nil {
			return err
		}
	}
	return lv.up.finish()
}

// appendRowKey appends a key identifying a row of values as symbols do
// (numbers by value, texts by text, NULL apart).
func appendRowKey(dst []byte, vals []expr.Value) []byte {
	for _, v := range vals {
		dst = appendValueKey(dst, v)
	}
	return dst
}

func appendValueKey(dst []byte, v expr.Value) []byte {
	switch {
	case v.IsNull():
		return append(dst, 0)
	case v.HasNum():
		f := v.Number()
		if f == 0 {
			f = 0
		}
		return binary.LittleEndian.AppendUint64(append(dst, 1), math.Float64bits(f))
	}
	dst = append(dst, 2)
	t := v.Text()
	dst = append(dst, byte(len(t)), byte(len(t)>>8), byte(len(t)>>16), byte(len(t)>>24))
	return append(dst, t...)
}
