package engine

import "slices"

// joinTree is the part H of the association forest a chart needs: the
// smallest sub-forest of inference nodes containing a set of wanted nodes,
// rooted per component (semantics §3.2 step 3).
type joinTree struct {
	nodes  []int       // H nodes, parents before children; component by component
	parent map[int]int // node -> parent node (-1 at component roots)
	via    map[int]int // node -> field linking it to its parent
	roots  []int
}

// joinTreeFor builds H for the wanted nodes; root, when it is wanted, roots
// its component.
func (m *Model) joinTreeFor(want []int, root int) *joinTree {
	g := &m.g
	nf := g.nf
	isWant := make(map[int]bool, len(want))
	for _, n := range want {
		isWant[nf+n] = true
	}
	// Steiner tree per component on the precomputed DFS rooting.
	nv := g.nv()
	cnt := make([]int32, nv)
	for i := len(g.order) - 1; i >= 0; i-- {
		v := g.order[i]
		if isWant[int(v)] {
			cnt[v]++
		}
		if p := g.parent[v]; p >= 0 {
			cnt[p] += cnt[v]
		}
	}
	total := make([]int32, g.ncomp)
	for _, v := range g.order {
		if g.parent[v] < 0 {
			total[g.comp[v]] = cnt[v]
		}
	}
	inH := make([]bool, nv)
	for v := 0; v < nv; v++ {
		if total[g.comp[v]] == 0 {
			continue
		}
		if isWant[v] {
			inH[v] = true
			continue
		}
		dirs := 0
		if total[g.comp[v]]-cnt[v] > 0 {
			dirs++
		}
		for _, w := range g.adj[v] {
			if g.parent[w] == int32(v) && cnt[w] > 0 {
				dirs++
			}
		}
		inH[v] = dirs >= 2
	}
	jt := &joinTree{parent: map[int]int{}, via: map[int]int{}}
	// Roots: the requested root first, then the first wanted node of every
	// other component.
	var starts []int
	if isWant[nf+root] {
		starts = append(starts, root)
	}
	for _, n := range want {
		if !slices.Contains(starts, n) {
			starts = append(starts, n)
		}
	}
	seen := map[int]bool{}
	for _, s := range starts {
		if seen[s] {
			continue
		}
		seen[s] = true
		jt.roots = append(jt.roots, s)
		jt.parent[s] = -1
		queue := []int{s}
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			jt.nodes = append(jt.nodes, n)
			for _, f := range g.adj[nf+n] {
				if !inH[f] {
					continue
				}
				for _, w := range g.adj[f] {
					c := int(w) - nf
					if !inH[w] || seen[c] {
						continue
					}
					seen[c] = true
					jt.parent[c] = n
					jt.via[c] = int(f)
					queue = append(queue, c)
				}
			}
		}
	}
	return jt
}

// nodeOf returns the first node of H (in tree order) holding field f, or -1.
func (jt *joinTree) nodeOf(g *graph, f int) int {
	for _, n := range jt.nodes {
		if slices.Contains(g.nodes[n].fields, f) {
			return n
		}
	}
	return -1
}

// pathFromRoot returns the nodes from the component root down to n.
func (jt *joinTree) pathFromRoot(n int) []int {
	var p []int
	for x := n; x >= 0; x = jt.parent[x] {
		p = append(p, x)
	}
	slices.Reverse(p)
	return p
}

// uniqueKey reports whether no two rows of node n share a non-NULL code of
// field f (so a lookup by f finds at most one row). Cached per model.
func (m *Model) uniqueKey(n, f int) bool {
	key := [2]int{n, f}
	if v, ok := m.uniq.Load(key); ok {
		return v.(bool)
	}
	col := m.g.colOf(n, f)
	seen := make([]bool, col.MaxCode()+1)
	unique := true
	var buf [1024]uint32
	for lo := 0; lo < col.Len() && unique; lo += len(buf) {
		k := min(len(buf), col.Len()-lo)
		col.Decode(buf[:k], lo)
		for _, c := range buf[:k] {
			if c == 0 {
				continue
			}
			if seen[c] {
				unique = false
				break
			}
			seen[c] = true
		}
	}
	m.uniq.Store(key, unique)
	return unique
}

// rowIndex returns, for a node whose field f is unique, the row holding
// each code of f (-1 when none). Cached per model.
func (m *Model) rowIndex(n, f int) []int32 {
	key := [2]int{n, f}
	if v, ok := m.rowIdx.Load(key); ok {
		return v.([]int32)
	}
	col := m.g.colOf(n, f)
	idx := make([]int32, col.MaxCode()+1)
	for i := range idx {
		idx[i] = -1
	}
	var buf [1024]uint32
	for lo := 0; lo < col.Len(); lo += len(buf) {
		k := min(len(buf), col.Len()-lo)
		col.Decode(buf[:k], lo)
		for j, c := range buf[:k] {
			if c != 0 {
				idx[c] = int32(lo + j)
			}
		}
	}
	m.rowIdx.Store(key, idx)
	return idx
}
