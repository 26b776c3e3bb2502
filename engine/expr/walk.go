package expr

// Inspect traverses the expression tree rooted at n in depth-first order,
// calling f for every expression node (including the expressions of Aggr
// sort criteria). When f returns false the node's children are skipped.
// Set expressions are not expression nodes and are not visited.
func Inspect(n Node, f func(Node) bool) {
	if n == nil || !f(n) {
		return
	}
	switch n := n.(type) {
	case *Unary:
		Inspect(n.X, f)
	case *Binary:
		Inspect(n.X, f)
		Inspect(n.Y, f)
	case *OuterSet:
		Inspect(n.X, f)
	case *Call:
		for _, a := range n.Args {
			Inspect(a, f)
		}
	case *AggCall:
		for _, a := range n.Args {
			Inspect(a, f)
		}
		for _, d := range n.Dims {
			inspectDim(d, f)
		}
	}
}

func inspectDim(d *AggrDim, f func(Node) bool) {
	for _, s := range d.Sort {
		if s.Expr != nil {
			Inspect(s.Expr, f)
		}
		if s.Nested != nil {
			inspectDim(s.Nested, f)
		}
	}
}

// FieldNames returns the distinct names referenced by FieldRef nodes of n,
// indexed by FieldRef.Index as assigned by Parse.
func FieldNames(n Node) []string {
	var names []string
	Inspect(n, func(n Node) bool {
		if r, ok := n.(*FieldRef); ok && r.Index >= 0 {
			for len(names) <= r.Index {
				names = append(names, "")
			}
			names[r.Index] = r.Name.Text
		}
		return true
	})
	return names
}
