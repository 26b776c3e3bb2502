package expr

// maxAggNesting is the deepest allowed chain of aggregations nested through
// TOTAL or Aggr (§4.6: at most 100 levels).
const maxAggNesting = 100

// Check reports the semantic errors of a parsed chart expression: an
// aggregation nested inside another one must have TOTAL (or ALL) or go
// through Aggr (§4.6), and at most 100 aggregation levels may be nested.
// Parse already runs it; Check is for trees built or rewritten by hand.
func Check(n Node) error {
	sink := errorSink{noSrc: true}
	check(n, &sink)
	return sink.errs.Err()
}

func check(n Node, errs *errorSink) {
	c := checker{errs: errs}
	c.node(n, nil, 0)
}

type checker struct {
	errs *errorSink
}

func (c *checker) errorf(pos Pos, format string, args ...any) {
	c.errs.add(pos, format, args...)
}

// node walks n; enclosing is the innermost aggregation whose arguments
// contain n (nil at row level) and depth the aggregation nesting depth.
func (c *checker) node(n Node, enclosing *AggCall, depth int) {
	switch n := n.(type) {
	case *Unary:
		c.node(n.X, enclosing, depth)
	case *Binary:
		c.node(n.X, enclosing, depth)
		c.node(n.Y, enclosing, depth)
	case *OuterSet:
		c.node(n.X, enclosing, depth)
	case *Call:
		for _, a := range n.Args {
			c.node(a, enclosing, depth)
		}
	case *AggCall:
		c.agg(n, enclosing, depth)
	}
}

func (c *checker) agg(n *AggCall, enclosing *AggCall, depth int) {
	if enclosing != nil {
		switch {
		case n.IsAggr():
		case n.Scope != ScopeRow:
		default:
			c.errorf(n.Pos(), "nested aggregation: %s inside %s needs TOTAL or must go through Aggr()",
				n.Name.Text, enclosing.Name.Text)
		}
	}
	depth++
	if depth > maxAggNesting {
		c.errorf(n.Pos(), "aggregations nested more than %d levels deep", maxAggNesting)
		return
	}
	inner := n
	if n.IsAggr() {
		// Aggr's expression is evaluated per combination of its dimensions:
		// it starts a new row-level scope.
		inner = nil
	}
	for _, a := range n.Args {
		c.node(a, inner, depth)
	}
	for _, d := range n.Dims {
		c.dim(d, depth)
	}
}

func (c *checker) dim(d *AggrDim, depth int) {
	for _, s := range d.Sort {
		if s.Expr != nil {
			c.node(s.Expr, nil, depth)
		}
		if s.Nested != nil {
			c.dim(s.Nested, depth)
		}
	}
}
