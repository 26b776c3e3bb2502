package engine

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/assocengine/assoc/engine/internal/bitset"
	"github.com/stretchr/testify/require"
)

// randomModel builds a small random model: 2–5 tables over a pool of
// fields, so that shared single fields (keys), shared pairs (synthetic
// keys), loops (loosened tables), NULLs and islands all occur.
func randomModel(t testing.TB, rng *rand.Rand) (*Model, string) {
	t.Helper()
	b := NewBuilder(Options{NoSystemTables: rng.IntN(2) == 0})
	pool := []string{"A", "B", "C", "D", "E", "F", "G"}
	ntables := 2 + rng.IntN(4)
	var desc strings.Builder
	for ti := 0; ti < ntables; ti++ {
		nf := 1 + rng.IntN(3)
		perm := rng.Perm(len(pool))[:nf]
		var fields []string
		for _, p := range perm {
			fields = append(fields, pool[p])
		}
		name := fmt.Sprintf("T%d", ti)
		tb, err := b.NewTable(name, fields...)
		require.NoError(t, err)
		rows := rng.IntN(6)
		fmt.Fprintf(&desc, "%s(%s):", name, strings.Join(fields, ","))
		for r := 0; r < rows; r++ {
			vals := make([]any, nf)
			for i := range vals {
				switch x := rng.IntN(10); {
				case x == 0:
					vals[i] = nil
				case x < 6:
					vals[i] = float64(rng.IntN(4))
				default:
					vals[i] = string(rune('a' + rng.IntN(3)))
				}
			}
			require.NoError(t, tb.Append(vals...))
			fmt.Fprintf(&desc, " %v", vals)
		}
		desc.WriteString("\n")
	}
	if rng.IntN(8) == 0 {
		b.Loosen("T0")
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m, desc.String()
}

func TestInferenceDifferential(t *testing.T) {
	models := 3000
	if testing.Short() || raceEnabled {
		models = 400
	}
	rng := rand.New(rand.NewPCG(42, uint64(models)))
	for i := 0; i < models; i++ {
		m, desc := randomModel(t, rng)
		o := newOracle(m)
		s := NewSession(m, SessionOptions{})
		for step := 0; step < 6; step++ {
			op := randomOp(rng, m, s)
			st, err := s.State("")
			require.NoError(t, err)
			checkAgainstOracle(t, m, o, s, st, fmt.Sprintf("model %d step %d op %s\n%s", i, step, op, desc))
		}
	}
}

// randomOp applies a random selection operation and describes it.
func randomOp(rng *rand.Rand, m *Model, s *Session) string {
	var user []*Field
	for _, f := range m.fields {
		if f.Cardinal() > 0 {
			user = append(user, f)
		}
	}
	if len(user) == 0 {
		return "none"
	}
	f := user[rng.IntN(len(user))]
	switch rng.IntN(10) {
	case 0:
		s.ClearAll("", false)
		return "clearall"
	case 1:
		ok, _ := s.Lock("", f.Name)
		return fmt.Sprintf("lock %s %v", f.Name, ok)
	case 2:
		s.Back()
		return "back"
	case 3:
		ok, _ := s.SelectExcluded("", f.Name, false)
		return fmt.Sprintf("selectexcluded %s %v", f.Name, ok)
	case 4:
		ok, _ := s.SelectAll("", f.Name, false)
		return fmt.Sprintf("selectall %s %v", f.Name, ok)
	default:
		var elems []int
		for e := 0; e < f.Cardinal(); e++ {
			if rng.IntN(3) == 0 {
				elems = append(elems, e)
			}
		}
		if len(elems) == 0 {
			elems = []int{rng.IntN(f.Cardinal())}
		}
		before, _ := s.State("")
		ok, err := s.SelectElements("", f.Name, elems, rng.IntN(4) == 0, false)
		if err != nil {
			panic(err)
		}
		after, _ := s.State("")
		if ok && after.sels[f.Index] != nil {
			// A successful selection leaves something of the field possible,
			// unless nothing was left selected (toggle).
			r := s.ResultFor(after)
			if !bitset.Intersects(after.sels[f.Index].set, nonNil(r.fieldVals(f.Index), f)) {
				panic(fmt.Sprintf("selection of %s committed with no possible value", f.Name))
			}
		}
		if !ok && before.version != after.version {
			panic("failed selection changed the state")
		}
		return fmt.Sprintf("select %s %v -> %v", f.Name, elems, ok)
	}
}

func checkAgainstOracle(t *testing.T, m *Model, o *oracle, s *Session, st *State, ctx string) {
	t.Helper()
	sel := map[int]bitset.Set{}
	for f, fs := range st.sels {
		sel[f] = fs.set
	}
	want := o.infer(sel)
	r := s.ResultFor(st)
	for f, fld := range m.fields {
		for id := 0; id < fld.Cardinal(); id++ {
			require.Equal(t, want.vals[f][id+1], r.Possible(f, uint32(id)),
				"possible %s=%s\nselections %s\n%s", fld.Name, fld.Symbols.Text(uint32(id)), describeState(m, st), ctx)
		}
	}
	for pi, pt := range o.tables {
		if m.tables[pt.table].Loose {
			continue
		}
		rows := r.PossibleRows(pt.table)
		for row := 0; row < pt.rows; row++ {
			got := rows == nil || bitset.Set(rows).Test(uint32(row))
			require.Equal(t, want.rows[pi][row], got, "possible row %d of %s\nselections %s\n%s",
				row, m.tables[pt.table].Name, describeState(m, st), ctx)
		}
	}
	// Value states: S/XS/O/X from the possible sets, A from the oracle
	// without the field's own selection.
	for f, fld := range m.fields {
		states := r.FieldStates(f)
		fs := st.sels[f]
		var alt oresult
		if fs != nil {
			without := map[int]bitset.Set{}
			for g, set := range sel {
				if g != f {
					without[g] = set
				}
			}
			alt = o.infer(without)
		}
		var counts StateCounts
		for id := 0; id < fld.Cardinal(); id++ {
			c := id + 1
			var w ValueState
			switch {
			case fs == nil && want.vals[f][c]:
				w = Option
			case fs == nil:
				w = Excluded
			case fs.set.Test(uint32(c)) && want.vals[f][c]:
				w = Selected
				if fs.Locked {
					w = Locked
				}
			case fs.set.Test(uint32(c)):
				w = SelectedExcluded
				if fs.Locked {
					w = LockedExcluded
				}
			case alt.vals[f][c]:
				w = Alternative
			default:
				w = Excluded
			}
			require.Equal(t, w, states[id], "state of %s=%s\nselections %s\n%s",
				fld.Name, fld.Symbols.Text(uint32(id)), describeState(m, st), ctx)
			addCount(&counts, w)
		}
		require.Equal(t, counts, r.Counts(f), "counts of %s\n%s", fld.Name, ctx)
	}
}

func addCount(c *StateCounts, v ValueState) {
	switch v {
	case Locked:
		c.Locked++
	case Selected:
		c.Selected++
	case Option:
		c.Option++
	case Alternative:
		c.Alternative++
	case Excluded:
		c.Excluded++
	case SelectedExcluded:
		c.SelectedExcluded++
	case LockedExcluded:
		c.LockedExcluded++
	}
}

func describeState(m *Model, st *State) string {
	var parts []string
	for _, fs := range st.Selections() {
		f := m.fields[fs.Field]
		var vals []string
		for _, id := range fs.Symbols(nil) {
			vals = append(vals, f.Symbols.Text(id))
		}
		lock := ""
		if fs.Locked {
			lock = " (locked)"
		}
		parts = append(parts, fmt.Sprintf("%s=%v%s", f.Name, vals, lock))
	}
	return strings.Join(parts, "; ")
}
