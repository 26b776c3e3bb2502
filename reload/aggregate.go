package reload

import (
	"math"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/symbols"
)

// aggregator groups the input rows of a LOAD with GROUP BY (or with
// aggregation functions and no GROUP BY: one group of all rows) and
// computes the aggregation calls of its field expressions per group.
type aggregator struct {
	lv       *level
	keyCols  []int // input columns of the GROUP BY fields
	specs    []*aggSpec
	byCall   map[*expr.AggCall]int
	groups   map[string]*group
	order    []*group
	keyBuf   []byte
	keyVals  []expr.Value
	distinct bool
}

// aggSpec is one aggregation call of the field expressions.
type aggSpec struct {
	call     *expr.AggCall
	fn       string // lower-case function name
	slots    []int  // slots of the field expression holding the call
	streams  bool   // computed on the fly; else the values are collected
	distinct bool
}

// group is one group of rows.
type group struct {
	keys []expr.Value
	accs []accum
}

// accum accumulates one aggregation for one group.
type accum struct {
	n, num, text, nulls int64
	sum                 float64
	min, max            float64
	first, last         expr.Value
	has                 bool
	only                expr.Value
	onlyState           uint8 // 0 none, 1 one value, 2 several
	str                 expr.Value
	seen                map[string]struct{}
	args                [][]expr.Value // collected argument values
}

// streaming are the functions computed without keeping the values.
var streaming = map[string]bool{
	"sum": true, "count": true, "avg": true, "only": true, "firstvalue": true, "lastvalue": true,
	"nullcount": true, "numericcount": true, "textcount": true, "missingcount": true,
	"minstring": true, "maxstring": true,
}

func newAggregator(lv *level) (*aggregator, error) {
	a := &aggregator{lv: lv, byCall: map[*expr.AggCall]int{}, groups: map[string]*group{}}
	for _, g := range lv.ld.GroupBy {
		n, err := lv.it.parseExpr(g, lv.c, false)
		if err != nil {
			return nil, err
		}
		ref, ok := n.(*expr.FieldRef)
		if !ok {
			return nil, lv.c.errorf(g.Pos, "GROUP BY takes field names, not the expression %s", clip(g.Src))
		}
		col := lv.resolveRef(ref.Name.Text)
		if col < 0 {
			return nil, lv.c.errorf(g.Pos, "GROUP BY: field %s not found (the source has %s)", quoteField(ref.Name.Text), listNames(lv.in))
		}
		a.keyCols = append(a.keyCols, col)
	}
	isKey := func(col int) bool { return slices.Contains(a.keyCols, col) }
	for _, itm := range lv.items {
		if itm.node == nil {
			if !isKey(itm.col) {
				return nil, lv.c.errorf(itm.pos, "field %s is neither in GROUP BY nor inside an aggregation function", quoteField(itm.name))
			}
			continue
		}
		var err error
		expr.Inspect(itm.node, func(x expr.Node) bool {
			if err != nil {
				return false
			}
			switch x := x.(type) {
			case *expr.AggCall:
				if _, ok := a.byCall[x]; !ok {
					fn := strings.ToLower(x.Func.Name)
					sp := &aggSpec{call: x, fn: fn, slots: itm.slots, distinct: x.Distinct == expr.Distinct}
					sp.streams = streaming[fn] || (fn == "min" || fn == "max") && len(x.Args) == 1
					a.byCall[x] = len(a.specs)
					a.specs = append(a.specs, sp)
				}
				return false
			case *expr.FieldRef:
				if x.Index < 0 || x.Index >= len(itm.slots) || itm.slots[x.Index] < 0 {
					return true
				}
				if !isKey(itm.slots[x.Index]) {
					err = lv.c.errorf(itm.pos+int(x.Name.NamePos), "field %s is neither in GROUP BY nor inside an aggregation function", quoteField(x.Name.Text))
				}
			}
			return true
		})
		if err != nil {
			return nil, err
		}
	}
	if len(lv.gens) > 0 {
		return nil, lv.c.errorf(lv.items[lv.gens[0].item].pos, "SubField with two arguments cannot be used together with aggregation")
	}
	return a, nil
}

// add accumulates the current input row.
func (a *aggregator) add() error {
	env := &a.lv.env
	a.keyBuf = a.keyBuf[:0]
	a.keyVals = a.keyVals[:0]
	for _, col := range a.keyCols {
		v := env.input(col)
		a.keyVals = append(a.keyVals, v)
		a.keyBuf = appendValueKey(a.keyBuf, v)
	}
	g, ok := a.groups[string(a.keyBuf)]
	if !ok {
		g = &group{keys: slices.Clone(a.keyVals), accs: make([]accum, len(a.specs))}
		a.groups[string(a.keyBuf)] = g
		a.order = append(a.order, g)
	}
	for i, sp := range a.specs {
		env.slots = sp.slots
		acc := &g.accs[i]
		if sp.streams {
			v := env.eval(sp.call.Args[0])
			if sp.distinct {
				if acc.seen == nil {
					acc.seen = map[string]struct{}{}
				}
				k := string(appendValueKey(nil, v))
				if _, dup := acc.seen[k]; dup {
					continue
				}
				acc.seen[k] = struct{}{}
			}
			acc.stream(sp.fn, v)
			continue
		}
		if acc.args == nil {
			acc.args = make([][]expr.Value, len(sp.call.Args))
		}
		for j, arg := range sp.call.Args {
			acc.args[j] = append(acc.args[j], env.eval(arg))
		}
	}
	if env.err != nil {
		err := env.err
		env.err = nil
		return a.lv.c.errorf(a.lv.ld.Pos, "%w", err)
	}
	return nil
}

func (acc *accum) stream(fn string, v expr.Value) {
	acc.n++
	if v.IsNull() {
		acc.nulls++
	} else if v.HasNum() {
		acc.num++
	} else {
		acc.text++
	}
	switch fn {
	case "sum", "avg":
		if v.HasNum() {
			acc.sum += v.Number()
		}
	case "min", "max":
		if v.HasNum() {
			f := v.Number()
			if !acc.has {
				acc.min, acc.max, acc.has = f, f, true
			} else {
				acc.min, acc.max = min(acc.min, f), max(acc.max, f)
			}
		}
	case "only":
		if v.IsNull() {
			return
		}
		switch acc.onlyState {
		case 0:
			acc.only, acc.onlyState = v, 1
		case 1:
			if !expr.SameSymbol(acc.only, v) {
				acc.onlyState = 2
			}
		}
	case "firstvalue":
		if !v.IsNull() && !acc.has {
			acc.first, acc.has = v, true
		}
	case "lastvalue":
		if !v.IsNull() {
			acc.last, acc.has = v, true
		}
	case "minstring", "maxstring":
		if v.IsNull() {
			return
		}
		if !acc.has {
			acc.str, acc.has = v, true
			return
		}
		c := symbols.CompareText(v.Text(), acc.str.Text())
		if fn == "minstring" && c < 0 || fn == "maxstring" && c > 0 {
			acc.str = v
		}
	}
}

func (acc *accum) result(fn string) expr.Value {
	switch fn {
	case "sum":
		return expr.Num(acc.sum)
	case "count":
		return expr.Num(float64(acc.n - acc.nulls))
	case "avg":
		if acc.num == 0 {
			return expr.Null()
		}
		return expr.Num(acc.sum / float64(acc.num))
	case "min":
		if !acc.has {
			return expr.Null()
		}
		return expr.Num(acc.min)
	case "max":
		if !acc.has {
			return expr.Null()
		}
		return expr.Num(acc.max)
	case "only":
		if acc.onlyState == 1 {
			return acc.only
		}
		return expr.Null()
	case "firstvalue":
		return acc.first
	case "lastvalue":
		return acc.last
	case "nullcount":
		return expr.Num(float64(acc.nulls))
	case "numericcount":
		return expr.Num(float64(acc.num))
	case "textcount":
		return expr.Num(float64(acc.text))
	case "missingcount":
		return expr.Num(float64(acc.n - acc.num))
	case "minstring", "maxstring":
		if !acc.has {
			return expr.Null()
		}
		return acc.str
	}
	return expr.Null()
}

// field answers a field reference in the output of a group: a GROUP BY
// field's value.
func (a *aggregator) field(g *group, ref *expr.FieldRef) (expr.Value, bool) {
	slots := a.lv.env.slots
	if ref.Index >= 0 && ref.Index < len(slots) {
		col := slots[ref.Index]
		for i, k := range a.keyCols {
			if k == col {
				return g.keys[i], true
			}
		}
	}
	return expr.Value{}, false
}

// result returns an aggregation's value for a group.
func (a *aggregator) result(g *group, call *expr.AggCall) expr.Value {
	i, ok := a.byCall[call]
	if !ok {
		return expr.Null()
	}
	sp := a.specs[i]
	acc := &g.accs[i]
	if sp.streams {
		return acc.result(sp.fn)
	}
	args := acc.args
	if args == nil {
		args = make([][]expr.Value, len(sp.call.Args))
	}
	return reduce(sp.fn, sp.distinct, args)
}

// flush computes the output row of every group, in order of first
// appearance, and pushes it up.
func (a *aggregator) flush() error {
	lv := a.lv
	env := &lv.env
	defer func() { env.grp = nil }()
	for _, g := range a.order {
		if err := lv.it.tick(); err != nil {
			return err
		}
		env.grp = g
		env.b, env.vals = nil, nil
		if lv.top && lv.rowNo != nil {
			env.rowNo = lv.rowNo()
		}
		for i := range lv.items {
			itm := &lv.items[i]
			if itm.node == nil {
				for k, col := range a.keyCols {
					if col == itm.col {
						lv.outBuf[i] = g.keys[k]
						break
					}
				}
				continue
			}
			env.slots = itm.slots
			lv.outBuf[i] = expr.Eval(itm.node, env)
			if env.err != nil {
				err := env.err
				env.err = nil
				return lv.c.errorf(itm.pos, "field %s: %w", quoteField(itm.name), err)
			}
		}
		if err := lv.up.push(lv.outBuf); err != nil {
			return err
		}
		if lv.run.stop {
			break
		}
	}
	return nil
}

// reduce computes an aggregation from the collected argument values of a
// group (args[i] holds argument i of every row).
func reduce(fn string, distinct bool, args [][]expr.Value) expr.Value {
	vals := args[0]
	if distinct {
		vals = distinctValues(vals)
	}
	switch fn {
	case "min", "max":
		nums := expr.NumbersOf(vals)
		rank := 1
		if len(args) > 1 && len(args[1]) > 0 {
			if f, ok := args[1][0].AsNumber(); ok {
				rank = int(f)
			}
		}
		if rank < 1 || rank > len(nums) {
			return expr.Null()
		}
		slices.Sort(nums)
		if fn == "max" {
			return expr.Num(nums[len(nums)-rank])
		}
		return expr.Num(nums[rank-1])
	case "concat":
		return concatValues(vals, args, distinct)
	case "median":
		nums := expr.NumbersOf(vals)
		if len(nums) == 0 {
			return expr.Null()
		}
		return expr.Num(expr.Fractile(nums, 0.5))
	case "fractile", "fractileexc":
		nums := expr.NumbersOf(vals)
		p := math.NaN()
		if len(args) > 1 && len(args[1]) > 0 {
			p, _ = args[1][0].AsNumber()
		}
		if len(nums) == 0 || math.IsNaN(p) {
			return expr.Null()
		}
		if fn == "fractileexc" {
			return expr.NumOrNull(expr.FractileExc(nums, p))
		}
		return expr.NumOrNull(expr.Fractile(nums, p))
	case "stdev", "sterr":
		nums := expr.NumbersOf(vals)
		if len(nums) < 2 {
			return expr.Null()
		}
		sd := math.Sqrt(expr.SampleVariance(nums))
		if fn == "sterr" {
			sd /= math.Sqrt(float64(len(nums)))
		}
		return expr.NumOrNull(sd)
	case "skew":
		nums := expr.NumbersOf(vals)
		n := float64(len(nums))
		if n < 3 {
			return expr.Null()
		}
		m, sd := expr.Mean(nums), math.Sqrt(expr.SampleVariance(nums))
		s := 0.0
		for _, x := range nums {
			s += math.Pow((x-m)/sd, 3)
		}
		return expr.NumOrNull(n / ((n - 1) * (n - 2)) * s)
	case "kurtosis":
		nums := expr.NumbersOf(vals)
		n := float64(len(nums))
		if n < 4 {
			return expr.Null()
		}
		m, sd := expr.Mean(nums), math.Sqrt(expr.SampleVariance(nums))
		s := 0.0
		for _, x := range nums {
			s += math.Pow((x-m)/sd, 4)
		}
		return expr.NumOrNull(n*(n+1)/((n-1)*(n-2)*(n-3))*s - 3*(n-1)*(n-1)/((n-2)*(n-3)))
	case "mode":
		counts := map[string]int{}
		var keys []expr.Value
		for _, v := range vals {
			if v.IsNull() {
				continue
			}
			k := string(appendValueKey(nil, v))
			if counts[k] == 0 {
				keys = append(keys, v)
			}
			counts[k]++
		}
		best, bestN, tie := expr.Null(), 0, false
		for _, v := range keys {
			n := counts[string(appendValueKey(nil, v))]
			switch {
			case n > bestN:
				best, bestN, tie = v, n, false
			case n == bestN:
				tie = true
			}
		}
		if tie {
			return expr.Null()
		}
		return best
	case "firstsortedvalue":
		return firstSorted(args, distinct)
	case "correl", "steyx":
		return expr.PairStat(fn, args)
	}
	// Streaming functions over collected values (not reached in practice).
	var acc accum
	for _, v := range vals {
		acc.stream(fn, v)
	}
	return acc.result(fn)
}

func distinctValues(vals []expr.Value) []expr.Value {
	seen := map[string]bool{}
	var out []expr.Value
	for _, v := range vals {
		k := string(appendValueKey(nil, v))
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

// concatValues joins the texts of the non-NULL values with the delimiter
// (second argument), ordered by the sort weight (third argument) when
// given, else by text, as the chart function does.
func concatValues(vals []expr.Value, args [][]expr.Value, distinct bool) expr.Value {
	delim := ""
	if len(args) > 1 && len(args[1]) > 0 {
		delim = args[1][0].Text()
	}
	type entry struct {
		text string
		w    float64
	}
	var items []entry
	src := args[0]
	if distinct {
		src = vals
	}
	for i, v := range src {
		if v.IsNull() {
			continue
		}
		e := entry{text: v.Text(), w: math.NaN()}
		if len(args) > 2 && i < len(args[2]) && !distinct {
			e.w, _ = args[2][i].AsNumber()
		}
		items = append(items, e)
	}
	if len(items) == 0 {
		return expr.Null()
	}
	weighted := len(args) > 2 && !distinct
	slices.SortStableFunc(items, func(a, b entry) int {
		if weighted {
			switch {
			case a.w < b.w:
				return -1
			case a.w > b.w:
				return 1
			}
			return 0
		}
		return symbols.CompareText(a.text, b.text)
	})
	var sb strings.Builder
	for i, e := range items {
		if i > 0 {
			sb.WriteString(delim)
		}
		sb.WriteString(e.text)
	}
	return expr.Str(sb.String())
}

// firstSorted is FirstSortedValue(value, weight [, rank]): the value of
// the row with the rank-th lowest weight; NULL on a tie.
func firstSorted(args [][]expr.Value, distinct bool) expr.Value {
	if len(args) < 2 {
		return expr.Null()
	}
	rank := 1
	if len(args) > 2 && len(args[2]) > 0 {
		if f, ok := args[2][0].AsNumber(); ok {
			rank = int(f)
		}
	}
	type entry struct {
		v expr.Value
		w float64
	}
	var items []entry
	seen := map[string]bool{}
	for i, v := range args[0] {
		if i >= len(args[1]) || !args[1][i].HasNum() {
			continue
		}
		if distinct {
			k := string(appendValueKey(appendValueKey(nil, v), args[1][i]))
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		items = append(items, entry{v, args[1][i].Number()})
	}
	if rank < 0 {
		rank = len(items) + rank + 1
	}
	if rank < 1 || rank > len(items) {
		return expr.Null()
	}
	slices.SortStableFunc(items, func(a, b entry) int {
		switch {
		case a.w < b.w:
			return -1
		case a.w > b.w:
			return 1
		}
		return 0
	})
	e := items[rank-1]
	if rank > 1 && items[rank-2].w == e.w || rank < len(items) && items[rank].w == e.w {
		return expr.Null()
	}
	return e.v
}
