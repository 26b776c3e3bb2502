package engine

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/assocengine/assoc/symbols"
)

// graph is the association forest used by the inference. Its vertices are
// fields [0, nf) and inference nodes [nf, nf+nn). A normal table is one
// node; a loosely coupled table is one node per field, so it never links
// two of its fields.
type graph struct {
	nf         int
	nodes      []inode
	fieldNodes [][]int32 // field -> node ids
	tableNodes [][]int32 // table -> node ids
	adj        [][]int32 // vertex -> neighbours
	parent     []int32   // vertex -> parent vertex in its component's DFS tree, -1 at roots
	order      []int32   // DFS pre-order over all vertices; components are contiguous
	comp       []int32   // vertex -> component
	ncomp      int
}

type inode struct {
	table  int
	fields []int
	cols   []*symbols.Column
	rows   int
}

func (g *graph) nv() int { return g.nf + len(g.nodes) }

// colOf returns the column of field f in node n.
func (g *graph) colOf(n int, f int) *symbols.Column {
	nd := &g.nodes[n]
	for i, fi := range nd.fields {
		if fi == f {
			return nd.cols[i]
		}
	}
	panic("BUG: field not in inference node")
}

func buildGraph(m *Model) graph {
	g := graph{nf: len(m.fields)}
	g.fieldNodes = make([][]int32, len(m.fields))
	g.tableNodes = make([][]int32, len(m.tables))
	for ti, t := range m.tables {
		if t.Loose {
			for i, fi := range t.Fields {
				g.addNode(ti, []int{fi}, []*symbols.Column{t.Columns[i]}, t.Rows)
			}
			continue
		}
		g.addNode(ti, t.Fields, t.Columns, t.Rows)
	}
	nv := g.nv()
	g.adj = make([][]int32, nv)
	for n, nd := range g.nodes {
		v := int32(g.nf + n)
		for _, f := range nd.fields {
			g.adj[v] = append(g.adj[v], int32(f))
			g.adj[f] = append(g.adj[f], v)
		}
	}
	g.parent = make([]int32, nv)
	g.comp = make([]int32, nv)
	for i := range g.parent {
		g.parent[i] = -2 // unvisited
	}
	stack := []int32{}
	for root := 0; root < nv; root++ {
		if g.parent[root] != -2 {
			continue
		}
		g.parent[root] = -1
		stack = append(stack[:0], int32(root))
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			g.order = append(g.order, v)
			g.comp[v] = int32(g.ncomp)
			for i := len(g.adj[v]) - 1; i >= 0; i-- {
				w := g.adj[v][i]
				if g.parent[w] == -2 {
					g.parent[w] = v
					stack = append(stack, w)
				}
			}
		}
		g.ncomp++
	}
	return g
}

func (g *graph) addNode(table int, fields []int, cols []*symbols.Column, rows int) {
	n := int32(len(g.nodes))
	g.nodes = append(g.nodes, inode{table: table, fields: fields, cols: cols, rows: rows})
	g.tableNodes[table] = append(g.tableNodes[table], n)
	for _, f := range fields {
		g.fieldNodes[f] = append(g.fieldNodes[f], n)
	}
}

// breakLoops loosens tables until the association graph is a forest: while
// a cycle exists, the table with the most rows on the first cycle found
// (ties: the one created last) becomes loosely coupled.
func (m *Model) breakLoops() []string {
	var warnings []string
	for {
		cyc := m.findCycle()
		if cyc == nil {
			return warnings
		}
		best := -1
		for _, ti := range cyc {
			if best < 0 || m.tables[ti].Rows > m.tables[best].Rows ||
				(m.tables[ti].Rows == m.tables[best].Rows && ti > best) {
				best = ti
			}
		}
		m.tables[best].Loose = true
		var names []string
		for _, ti := range cyc {
			names = append(names, strconv.Quote(m.tables[ti].Name))
		}
		warnings = append(warnings, fmt.Sprintf(
			"circular reference between tables %v: table %q is now loosely coupled", names, m.tables[best].Name))
	}
}

// findCycle returns the tables on one cycle of the table–field graph, or
// nil when the graph is a forest. Only key fields and non-loose tables can
// be on a cycle.
func (m *Model) findCycle() []int {
	nf := len(m.fields)
	nt := len(m.tables)
	// vertices: fields [0,nf), tables [nf, nf+nt)
	adj := make([][]int, nf+nt)
	for ti, t := range m.tables {
		if t.Loose {
			continue
		}
		for _, fi := range t.Fields {
			if len(m.fields[fi].tables) < 2 {
				continue
			}
			adj[nf+ti] = append(adj[nf+ti], fi)
			adj[fi] = append(adj[fi], nf+ti)
		}
	}
	state := make([]int8, nf+nt) // 0 new, 1 on stack, 2 done
	parent := make([]int, nf+nt)
	var cycle []int
	var dfs func(v, from int) bool
	dfs = func(v, from int) bool {
		state[v] = 1
		for _, w := range adj[v] {
			if w == from {
				continue
			}
			if state[w] == 1 {
				// back edge v -> w: the cycle is w ... v
				for x := v; ; x = parent[x] {
					if x >= nf {
						cycle = append(cycle, x-nf)
					}
					if x == w {
						break
					}
				}
				return true
			}
			if state[w] == 0 {
				parent[w] = v
				if dfs(w, v) {
					return true
				}
			}
		}
		state[v] = 2
		return false
	}
	for ti := 0; ti < nt; ti++ {
		if state[nf+ti] == 0 && dfs(nf+ti, -1) {
			slices.Sort(cycle)
			return cycle
		}
	}
	return nil
}
