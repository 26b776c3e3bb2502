package expr

import "strings"

// Node is a node of a parsed chart expression. The concrete types are
// *NumberLit, *StringLit, *FieldRef, *Call, *AggCall, *Unary, *Binary,
// *OuterSet and (only in trees returned together with an error) *BadExpr.
type Node interface {
	// Pos is the byte offset of the node's first character.
	Pos() Pos
	// End is the byte offset just past the node's last character.
	End() Pos
	exprNode()
}

// Name is a field, state or bookmark name as written in the source: its
// unescaped text and how it was quoted.
type Name struct {
	NamePos Pos    // first byte, including the opening quote
	NameEnd Pos    // one past the last byte, including the closing quote
	Text    string // the name without quotes, escapes resolved
	Quote   byte   // 0 when unquoted, else '"', '[' or '`'
}

// Pos returns the offset of the name's first byte.
func (n Name) Pos() Pos { return n.NamePos }

// End returns the offset just past the name.
func (n Name) End() Pos { return n.NameEnd }

// Quoted reports whether the name was written in quotes or brackets.
func (n Name) Quoted() bool { return n.Quote != 0 }

// NumberLit is a number literal such as 1, 1.5, .5 or 1e3.
type NumberLit struct {
	ValuePos Pos
	Text     string  // source spelling
	Value    float64 // parsed value
}

// StringLit is a single-quoted string literal; Value has each doubled quote
// resolved to one.
type StringLit struct {
	ValuePos Pos
	ValueEnd Pos
	Value    string
}

// FieldRef is a bare name: a field, or a variable or measure label,
// resolved by the Env at evaluation time.
type FieldRef struct {
	Name Name
	// Index numbers the distinct names referenced by one parsed expression
	// densely from 0 in order of first appearance, so an Env can keep its
	// per-name state in a slice. It is set by Parse (and is -1 otherwise).
	Index int
}

// Call is a call of a non-aggregation function (scalar or context function).
type Call struct {
	Name   Name  // the function name as written (never quoted)
	Func   *Func // resolved function; nil only in trees returned with an error
	Lparen Pos
	Rparen Pos
	// Total is set for chart functions written with a leading TOTAL
	// qualifier, such as Rank(TOTAL Sum(X)) or RowNo(TOTAL).
	Total bool
	Args  []Node
}

// DistinctMode is the DISTINCT / NODISTINCT / ALL qualifier of an
// aggregation.
type DistinctMode uint8

const (
	// DistinctDefault means no qualifier was written.
	DistinctDefault DistinctMode = iota
	// Distinct is the DISTINCT qualifier: duplicate values count once.
	Distinct
	// NoDistinct is the NODISTINCT qualifier (meaningful for Aggr).
	NoDistinct
)

// Scope is the TOTAL / ALL qualifier of an aggregation.
type Scope uint8

const (
	// ScopeRow is the default: the aggregation is restricted to the
	// current row's dimension values.
	ScopeRow Scope = iota
	// ScopeTotal is TOTAL [<fields>]: chart dimensions are disregarded
	// (except the listed ones).
	ScopeTotal
	// ScopeAll is ALL [<fields>]: like TOTAL and also disregarding the
	// selections, i.e. {1} TOTAL.
	ScopeAll
)

// AggCall is a call of an aggregation function, including Aggr().
//
//	Sum({$<Year={2020}>} DISTINCT TOTAL <Month> Sales)
//	Aggr({1} NODISTINCT Sum(Sales), Customer, (Month, (NUMERIC, ASCENDING)))
type AggCall struct {
	Name     Name  // the function name as written
	Func     *Func // resolved function; nil only in trees returned with an error
	Lparen   Pos
	Rparen   Pos
	Set      *SetExpr // inner set expression, or nil
	Distinct DistinctMode
	Scope    Scope
	// ScopeFields are the fields listed in TOTAL <f1, f2> or ALL <f1, f2>.
	ScopeFields []Name
	// Args are the arguments; for Aggr it is the single aggregated expression.
	Args []Node
	// Dims are Aggr's dimensions (nil for every other function).
	Dims []*AggrDim
	// Outer lists the outer set expressions (§4.8.6) whose scope encloses
	// this call, outermost first. It is derived by Parse and ignored by
	// Equal and the printer.
	Outer []*SetExpr
}

// IsAggr reports whether the call is Aggr().
func (c *AggCall) IsAggr() bool { return c.Func != nil && strings.EqualFold(c.Func.Name, "Aggr") }

// AggrDim is one dimension of Aggr: a field, optionally with sort criteria
// in the structured form (Field, (NUMERIC, ASCENDING), ...).
type AggrDim struct {
	Lparen Pos // position of '(' for the structured form, NoPos for a plain field
	Rparen Pos
	Field  Name
	Sort   []*SortCrit
}

// Structured reports whether the dimension was written in parentheses.
func (d *AggrDim) Structured() bool { return d.Lparen != NoPos }

// SortCrit is one sort criterion of a structured Aggr dimension: either a
// sort type such as (NUMERIC, DESCENDING), an expression (=Sum(X), ASCENDING),
// or a nested structured parameter (Field2, (TEXT, A2Z)).
type SortCrit struct {
	Lparen Pos
	Rparen Pos
	// Type is the sort type (NUMERIC, TEXT, FREQUENCY, LOAD_ORDER) as
	// written; empty for the expression and nested forms.
	Type string
	// Expr is the sort expression of the (=expr [, order]) form.
	Expr Node
	// Nested is the nested parameter of the (Field, ...) form.
	Nested *AggrDim
	// Order is the ordering (ASCENDING, DESCENDING, REVERSE, A2Z, Z2A,
	// ORIGINAL) as written, or empty.
	Order string
}

// Unary is a prefix operator applied to X: -X, +X, NOT X, BITNOT X.
type Unary struct {
	OpPos Pos
	Op    Op
	X     Node
}

// Binary is an infix operator applied to X and Y.
type Binary struct {
	OpPos Pos
	Op    Op
	X, Y  Node
}

// OuterSet is an outer set expression followed by the expression it applies
// to: {<Year={2021}>} Sum(Sales)/Count(Customer). X extends to the end of
// the enclosing lexical scope.
type OuterSet struct {
	Set *SetExpr
	X   Node
}

// BadExpr stands for a part of the source that could not be parsed. It only
// appears in trees returned together with an error.
type BadExpr struct {
	From, To Pos
}

// Pos implementations.

// Pos returns the start of the literal.
func (n *NumberLit) Pos() Pos { return n.ValuePos }

// Pos returns the start of the literal.
func (n *StringLit) Pos() Pos { return n.ValuePos }

// Pos returns the start of the name.
func (n *FieldRef) Pos() Pos { return n.Name.NamePos }

// Pos returns the start of the function name.
func (n *Call) Pos() Pos { return n.Name.NamePos }

// Pos returns the start of the function name.
func (n *AggCall) Pos() Pos { return n.Name.NamePos }

// Pos returns the position of the operator.
func (n *Unary) Pos() Pos { return n.OpPos }

// Pos returns the start of the left operand.
func (n *Binary) Pos() Pos { return n.X.Pos() }

// Pos returns the position of the set's opening brace.
func (n *OuterSet) Pos() Pos { return n.Set.Lbrace }

// Pos returns the start of the bad text.
func (n *BadExpr) Pos() Pos { return n.From }

// End implementations.

// End returns the offset just past the literal.
func (n *NumberLit) End() Pos {
	if n.ValuePos == NoPos {
		return NoPos
	}
	return n.ValuePos + Pos(len(n.Text))
}

// End returns the offset just past the closing quote.
func (n *StringLit) End() Pos { return n.ValueEnd }

// End returns the offset just past the name.
func (n *FieldRef) End() Pos { return n.Name.NameEnd }

// End returns the offset just past the closing parenthesis.
func (n *Call) End() Pos { return endAfter(n.Rparen) }

// End returns the offset just past the closing parenthesis.
func (n *AggCall) End() Pos { return endAfter(n.Rparen) }

// End returns the end of the operand.
func (n *Unary) End() Pos { return n.X.End() }

// End returns the end of the right operand.
func (n *Binary) End() Pos { return n.Y.End() }

// End returns the end of the governed expression.
func (n *OuterSet) End() Pos { return n.X.End() }

// End returns the end of the bad text.
func (n *BadExpr) End() Pos { return n.To }

func endAfter(p Pos) Pos {
	if p == NoPos {
		return NoPos
	}
	return p + 1
}

func (*NumberLit) exprNode() {}
func (*StringLit) exprNode() {}
func (*FieldRef) exprNode()  {}
func (*Call) exprNode()      {}
func (*AggCall) exprNode()   {}
func (*Unary) exprNode()     {}
func (*Binary) exprNode()    {}
func (*OuterSet) exprNode()  {}
func (*BadExpr) exprNode()   {}

// Op is an operator of the expression language.
type Op uint8

// Operators, from the loosest-binding family to the tightest (§4.3).
const (
	OpInvalid  Op = iota
	OpOr          // or
	OpXor         // xor
	OpAnd         // and
	OpNot         // not (prefix)
	OpEq          // =
	OpNe          // <>
	OpLt          // <
	OpLe          // <=
	OpGt          // >
	OpGe          // >=
	OpLike        // like
	OpPrecedes    // precedes
	OpFollows     // follows
	OpBitAnd      // bitand
	OpBitOr       // bitor
	OpBitXor      // bitxor
	OpShr         // >>
	OpShl         // <<
	OpConcat      // &
	OpAdd         // +
	OpSub         // -
	OpMul         // *
	OpDiv         // /
	OpNeg         // - (prefix)
	OpPlus        // + (prefix)
	OpBitNot      // bitnot (prefix)
)

var opText = [...]string{
	OpInvalid:  "?",
	OpOr:       "or",
	OpXor:      "xor",
	OpAnd:      "and",
	OpNot:      "not",
	OpEq:       "=",
	OpNe:       "<>",
	OpLt:       "<",
	OpLe:       "<=",
	OpGt:       ">",
	OpGe:       ">=",
	OpLike:     "like",
	OpPrecedes: "precedes",
	OpFollows:  "follows",
	OpBitAnd:   "bitand",
	OpBitOr:    "bitor",
	OpBitXor:   "bitxor",
	OpShr:      ">>",
	OpShl:      "<<",
	OpConcat:   "&",
	OpAdd:      "+",
	OpSub:      "-",
	OpMul:      "*",
	OpDiv:      "/",
	OpNeg:      "-",
	OpPlus:     "+",
	OpBitNot:   "bitnot",
}

// String returns the operator as written in expressions.
func (o Op) String() string {
	if int(o) < len(opText) {
		return opText[o]
	}
	return "?"
}

// Precedence levels, loosest first (§4.3).
const (
	precOuterSet = iota // {set} expr: extends to the end of its scope
	precOr
	precXor
	precAnd
	precNot
	precRel
	precBit
	precConcat
	precAdd
	precMul
	precUnary
	precPrimary
)

// precedence returns the binding strength of o (binary or prefix).
func (o Op) precedence() int {
	switch o {
	case OpOr:
		return precOr
	case OpXor:
		return precXor
	case OpAnd:
		return precAnd
	case OpNot:
		return precNot
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike, OpPrecedes, OpFollows:
		return precRel
	case OpBitAnd, OpBitOr, OpBitXor, OpShr, OpShl:
		return precBit
	case OpConcat:
		return precConcat
	case OpAdd, OpSub:
		return precAdd
	case OpMul, OpDiv:
		return precMul
	case OpNeg, OpPlus, OpBitNot:
		return precUnary
	}
	return precPrimary
}

// IsWord reports whether the operator is spelled as a keyword.
func (o Op) IsWord() bool {
	switch o {
	case OpOr, OpXor, OpAnd, OpNot, OpLike, OpPrecedes, OpFollows, OpBitAnd, OpBitOr, OpBitXor, OpBitNot:
		return true
	}
	return false
}
