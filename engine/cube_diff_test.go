package engine

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

// possibleTuples enumerates the possible tuples of the whole model, one
// component at a time, as rows per oracle pseudo-table (-1 absent).
func (o *oracle) possibleTuples(sel map[int]bitset.Set) [][]int {
	var out [][]int
	comp := o.components()
	for c := 0; ; c++ {
		var members []int
		for i, ci := range comp {
			if ci == c {
				members = append(members, i)
			}
		}
		if len(members) == 0 {
			break
		}
		phi := map[int]bool{}
		for _, i := range members {
			for _, f := range o.tables[i].fields {
				if sel[f] != nil {
					phi[f] = true
				}
			}
		}
		o.enumerate(members, func(choice []int) {
			val := map[int]uint32{}
			for k, i := range members {
				if choice[k] < 0 {
					continue
				}
				for fi, f := range o.tables[i].fields {
					if code := o.tables[i].codes[fi][choice[k]]; code != 0 {
						val[f] = code
					}
				}
			}
			for f := range phi {
				if v, ok := val[f]; !ok || !sel[f].Test(v) {
					return
				}
			}
			t := make([]int, len(o.tables))
			for i := range t {
				t[i] = -1
			}
			for k, i := range members {
				t[i] = choice[k]
			}
			out = append(out, t)
		})
	}
	return out
}

func (o *oracle) components() []int {
	comp := make([]int, len(o.tables))
	for i := range comp {
		comp[i] = -1
	}
	nc := 0
	for i := range o.tables {
		if comp[i] >= 0 {
			continue
		}
		stack := []int{i}
		comp[i] = nc
		for len(stack) > 0 {
			a := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for b := range o.tables {
				if comp[b] < 0 && len(shared(&o.tables[a], &o.tables[b])) > 0 {
					comp[b] = nc
					stack = append(stack, b)
				}
			}
		}
		nc++
	}
	return comp
}

// hOf returns the pseudo-tables of H: the wanted ones plus every table
// whose removal disconnects two wanted ones.
func (o *oracle) hOf(wanted map[int]bool) map[int]bool {
	h := map[int]bool{}
	for w := range wanted {
		h[w] = true
	}
	for x := range o.tables {
		if wanted[x] {
			continue
		}
		// components of the graph without x
		comp := map[int]int{}
		nc := 0
		for i := range o.tables {
			if i == x {
				continue
			}
			if _, ok := comp[i]; ok {
				continue
			}
			stack := []int{i}
			comp[i] = nc
			for len(stack) > 0 {
				a := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				for b := range o.tables {
					if b == x {
						continue
					}
					if _, ok := comp[b]; !ok && len(shared(&o.tables[a], &o.tables[b])) > 0 {
						comp[b] = nc
						stack = append(stack, b)
					}
				}
			}
			nc++
		}
		seen := map[int]bool{}
		for w := range wanted {
			seen[comp[w]] = true
		}
		if len(seen) > 1 {
			// x separates wanted tables only if they were connected with x
			all := o.components()
			cw := map[int]bool{}
			for w := range wanted {
				cw[all[w]] = true
			}
			if len(cw) == 1 {
				h[x] = true
			}
		}
	}
	return h
}

type oracleMeasure struct {
	fn       string
	field    int
	distinct bool
}

func (m oracleMeasure) expr(model *Model) string {
	d := ""
	if m.distinct {
		d = "DISTINCT "
	}
	return fmt.Sprintf("%s(%s[%s])", m.fn, d, model.fields[m.field].Name)
}

// cubeOracle computes rows "dim|dim" -> measure text naively.
func cubeOracle(o *oracle, sel map[int]bitset.Set, dims []int, meas oracleMeasure) map[string]string {
	m := o.m
	holds := func(t, f int) bool { return slices.Contains(o.tables[t].fields, f) }
	wanted := map[int]bool{}
	for t := range o.tables {
		for _, f := range append(slices.Clone(dims), meas.field) {
			if holds(t, f) {
				wanted[t] = true
			}
		}
	}
	h := o.hOf(wanted)
	value := func(tp []int, f int) uint32 {
		for t, r := range tp {
			if r >= 0 && h[t] && holds(t, f) {
				if c, _ := o.tables[t].code(f, r); c != 0 {
					return c
				}
			}
		}
		return 0
	}
	type rec struct{ key, rec string }
	rows := map[string]bool{}
	vals := map[string][]uint32{}
	seenRec := map[rec]bool{}
	for _, tp := range o.possibleTuples(sel) {
		inH := false
		for t, r := range tp {
			if r >= 0 && h[t] {
				inH = true
			}
		}
		if !inH {
			continue
		}
		var parts []string
		for _, f := range dims {
			c := value(tp, f)
			if c == 0 {
				parts = append(parts, "-")
			} else {
				parts = append(parts, m.fields[f].Symbols.Text(c-1))
			}
		}
		key := strings.Join(parts, "|")
		rows[key] = true
		var rk []string
		present := false
		for t, r := range tp {
			if h[t] && holds(t, meas.field) {
				rk = append(rk, fmt.Sprint(r))
				if r >= 0 {
					present = true
				}
			}
		}
		if !present || seenRec[rec{key, strings.Join(rk, ",")}] {
			continue
		}
		seenRec[rec{key, strings.Join(rk, ",")}] = true
		vals[key] = append(vals[key], value(tp, meas.field))
	}
	out := map[string]string{}
	f := m.fields[meas.field]
	for key := range rows {
		codes := vals[key]
		if meas.distinct {
			uniq := map[uint32]bool{}
			var d []uint32
			for _, c := range codes {
				if c != 0 && !uniq[c] {
					uniq[c] = true
					d = append(d, c)
				}
			}
			codes = d
		}
		var nums []float64
		nonNull := 0
		for _, c := range codes {
			if c == 0 {
				continue
			}
			nonNull++
			if n := f.Symbols.Num(c - 1); !math.IsNaN(n) {
				nums = append(nums, n)
			}
		}
		switch meas.fn {
		case "Sum":
			s := 0.0
			for _, n := range nums {
				s += n
			}
			out[key] = symbols.FormatNumber(s)
		case "Count":
			out[key] = fmt.Sprint(nonNull)
		case "Avg":
			if len(nums) == 0 {
				out[key] = "-"
			} else {
				s := 0.0
				for _, n := range nums {
					s += n
				}
				out[key] = symbols.FormatNumber(s / float64(len(nums)))
			}
		case "Min", "Max":
			if len(nums) == 0 {
				out[key] = "-"
				break
			}
			sort.Float64s(nums)
			if meas.fn == "Min" {
				out[key] = symbols.FormatNumber(nums[0])
			} else {
				out[key] = symbols.FormatNumber(nums[len(nums)-1])
			}
		case "Only":
			var only uint32
			ok := true
			for _, c := range codes {
				if c == 0 {
					continue
				}
				if only == 0 {
					only = c
				} else if only != c {
					ok = false
				}
			}
			if !ok || only == 0 {
				out[key] = "-"
			} else {
				out[key] = f.Symbols.Text(only - 1)
			}
		}
	}
	return out
}

func cubeMap(c *Cube) map[string]string {
	out := map[string]string{}
	for _, line := range cubeText(c) {
		i := strings.LastIndexByte(line, '|')
		v := line[i+1:]
		if v == "" {
			v = "-"
		}
		out[line[:i]] = v
	}
	return out
}

// cubeDiffModels is how many random models TestCubeDifferential checks.
func cubeDiffModels() int {
	if testing.Short() || raceEnabled {
		return 200
	}
	return 1500
}

func TestCubeDifferential(t *testing.T) {
	models := cubeDiffModels()
	rng := rand.New(rand.NewPCG(99, uint64(models)))
	fns := []string{"Sum", "Count", "Avg", "Min", "Max", "Only"}
	checked := 0
	for i := 0; i < models; i++ {
		m, desc := randomModel(t, rng)
		var user []int
		for _, f := range m.fields {
			if !f.System && f.Cardinal() > 0 {
				user = append(user, f.Index)
			}
		}
		if len(user) == 0 {
			continue
		}
		o := newOracle(m)
		s := NewSession(m, SessionOptions{})
		for step := 0; step < 3; step++ {
			op := randomOp(rng, m, s)
			st, _ := s.State("")
			sel := map[int]bitset.Set{}
			for f, fs := range st.sels {
				sel[f] = fs.set
			}
			ndims := 1 + rng.IntN(2)
			var dims []int
			for len(dims) < ndims && len(dims) < len(user) {
				f := user[rng.IntN(len(user))]
				if !slices.Contains(dims, f) {
					dims = append(dims, f)
				}
			}
			meas := oracleMeasure{fn: fns[rng.IntN(len(fns))], field: user[rng.IntN(len(user))]}
			if meas.fn == "Count" && rng.IntN(2) == 0 {
				meas.distinct = true
			}
			// Only connected charts (one component) have a defined row set.
			comps := map[int32]bool{}
			for _, f := range append(slices.Clone(dims), meas.field) {
				comps[m.g.comp[f]] = true
			}
			if len(comps) > 1 {
				continue
			}
			def := &CubeDef{Measures: []CubeMeasure{{Expr: meas.expr(m)}}}
			for _, f := range dims {
				def.Dims = append(def.Dims, CubeDim{Field: m.fields[f].Name})
			}
			want := cubeOracle(o, sel, dims, meas)
			ctx := fmt.Sprintf("model %d step %d op %s\ncube %v by %v\nselections %s\n%s",
				i, step, op, def.Measures[0].Expr, def.Dims, describeState(m, st), desc)
			for _, noFast := range []bool{true, false} {
				c, err := s.newChart("", nil, 0)
				require.NoError(t, err)
				c.noFast = noFast
				cb, err := c.cube(def)
				require.NoError(t, err, ctx)
				require.NoError(t, cb.Errors[0], ctx)
				require.Equal(t, want, cubeMap(cb), "noFast=%v\n%s", noFast, ctx)
			}
			checked++
		}
	}
	require.Greater(t, checked, models/2)
}
