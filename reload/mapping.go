package reload

import (
	"fmt"
	"sort"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
)

// mapping is the lookup structure of a mapping table: its first field is
// the key, its second the value; the first row with a key wins (§5.6).
// Keys with a number match by number, all keys also by text.
type mapping struct {
	byNum  map[float64]expr.Value
	byText map[string]expr.Value
	texts  []string // key texts in load order
	subs   []string // key texts, longest first (MapSubstring)
}

func buildMapping(t *table) *mapping {
	mp := &mapping{byNum: map[float64]expr.Value{}, byText: map[string]expr.Value{}}
	if len(t.cols) < 2 {
		return mp
	}
	kc, vc := t.cols[0], t.cols[1]
	for r := 0; r < t.rows; r++ {
		k := kc.c.get(r)
		if k == 0 {
			continue
		}
		kd := kc.f.syms.Dual(k - 1)
		var v expr.Value
		if c := vc.c.get(r); c != 0 {
			v = expr.FromDual(vc.f.syms.Dual(c - 1))
		}
		if kd.IsNum() {
			n := kd.Num
			if n == 0 {
				n = 0
			}
			if _, ok := mp.byNum[n]; !ok {
				mp.byNum[n] = v
			}
		}
		if _, ok := mp.byText[kd.Text]; !ok {
			mp.byText[kd.Text] = v
			mp.texts = append(mp.texts, kd.Text)
		}
	}
	mp.subs = append([]string(nil), mp.texts...)
	sort.SliceStable(mp.subs, func(i, j int) bool { return len(mp.subs[i]) > len(mp.subs[j]) })
	return mp
}

// lookup returns the mapped value of v.
func (mp *mapping) lookup(v expr.Value) (expr.Value, bool) {
	if v.IsNull() {
		return expr.Value{}, false
	}
	if v.HasNum() {
		n := v.Number()
		if n == 0 {
			n = 0
		}
		if r, ok := mp.byNum[n]; ok {
			return r, true
		}
	}
	r, ok := mp.byText[v.Text()]
	return r, ok
}

// keys returns the key texts in load order.
func (mp *mapping) keys() []string { return mp.texts }

// substring replaces, left to right and without re-scanning replaced
// text, every occurrence of a key (the longest key at a position wins,
// case-sensitive) by its value.
func (mp *mapping) substring(s string) string {
	if len(mp.subs) == 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		hit := false
		for _, k := range mp.subs {
			if k != "" && strings.HasPrefix(s[i:], k) {
				b.WriteString(mp.byText[k].Text())
				i += len(k)
				hit = true
				break
			}
		}
		if !hit {
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String()
}

type mappingCache struct {
	t    *table
	rows int
	mp   *mapping
}

// mappingOf returns the mapping structure of a mapping table.
func (it *interp) mappingOf(t *table) *mapping {
	for i := range it.mapCache {
		mc := &it.mapCache[i]
		if mc.t == t && mc.rows == t.rows {
			return mc.mp
		}
	}
	mp := buildMapping(t)
	for i := range it.mapCache {
		if it.mapCache[i].t == t {
			it.mapCache[i] = mappingCache{t, t.rows, mp}
			return mp
		}
	}
	it.mapCache = append(it.mapCache, mappingCache{t, t.rows, mp})
	return mp
}

// mapper returns the mapping called name.
func (it *interp) mapper(name string) (*mapping, error) {
	t := it.m.mapping(name)
	if t == nil {
		return nil, fmt.Errorf("mapping table %q not found (load it with MAPPING LOAD first)", name)
	}
	return it.mappingOf(t), nil
}
