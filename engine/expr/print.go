package expr

import (
	"strconv"
	"strings"
)

// String renders n as expression text that parses back to an equal tree
// (see Equal). Parentheses are written only where precedence needs them;
// names keep their original quoting and numbers their original spelling.
func String(n Node) string {
	var pr printer
	pr.expr(n, precOuterSet)
	return pr.b.String()
}

// String renders the set expression, braces included.
func (s *SetExpr) String() string {
	var pr printer
	pr.set(s)
	return pr.b.String()
}

// String renders the name with its original quotes (escaping the closing
// quote by doubling it); an unquoted name that is not a valid identifier
// is bracketed.
func (n Name) String() string {
	q := n.Quote
	if q == 0 && !IsIdentifier(n.Text) {
		q = '['
	}
	return quoteName(n.Text, q)
}

// quoteName quotes text with the given opening quote (0: none).
func quoteName(text string, open byte) string {
	var close byte
	switch open {
	case 0:
		return text
	case '[':
		close = ']'
	default:
		close = open
	}
	c := string(close)
	return string(open) + strings.ReplaceAll(text, c, c+c) + c
}

// quoteString renders s as a single-quoted string literal.
func quoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

type printer struct {
	b strings.Builder
}

func (pr *printer) str(s string) { pr.b.WriteString(s) }

// nodePrec returns the binding strength of n's outermost construct.
func nodePrec(n Node) int {
	switch n := n.(type) {
	case *Unary:
		return n.Op.precedence()
	case *Binary:
		return n.Op.precedence()
	case *OuterSet:
		return precOuterSet
	}
	return precPrimary
}

// expr prints n, in parentheses when it binds less tightly than min.
func (pr *printer) expr(n Node, min int) {
	if n == nil {
		pr.str("<nil>")
		return
	}
	if nodePrec(n) < min {
		pr.str("(")
		pr.expr(n, precOuterSet)
		pr.str(")")
		return
	}
	switch n := n.(type) {
	case *NumberLit:
		if n.Text != "" {
			pr.str(n.Text)
		} else {
			pr.str(strconv.FormatFloat(n.Value, 'g', -1, 64))
		}
	case *StringLit:
		pr.str(quoteString(n.Value))
	case *FieldRef:
		pr.str(n.Name.String())
	case *Unary:
		pr.str(n.Op.String())
		if n.Op.IsWord() {
			pr.str(" ")
		}
		pr.expr(n.X, n.Op.precedence())
	case *Binary:
		p := n.Op.precedence()
		pr.expr(n.X, p)
		pr.str(" ")
		pr.str(n.Op.String())
		pr.str(" ")
		pr.expr(n.Y, p+1)
	case *OuterSet:
		pr.set(n.Set)
		pr.str(" ")
		pr.expr(n.X, precOuterSet)
	case *Call:
		pr.str(n.Name.Text)
		pr.str("(")
		if n.Total {
			pr.str("TOTAL")
			if len(n.Args) > 0 {
				pr.str(" ")
			}
		}
		pr.args(n.Args, false)
		pr.str(")")
	case *AggCall:
		pr.agg(n)
	case *BadExpr:
		pr.str("<bad>")
	}
}

func (pr *printer) args(args []Node, guardFirst bool) {
	for i, a := range args {
		if i > 0 {
			pr.str(", ")
		}
		if i == 0 && guardFirst {
			if _, ok := a.(*OuterSet); ok {
				// Sum({s} x) would read the set as the aggregation's own.
				pr.str("(")
				pr.expr(a, precOuterSet)
				pr.str(")")
				continue
			}
		}
		pr.expr(a, precOuterSet)
	}
}

func (pr *printer) agg(n *AggCall) {
	pr.str(n.Name.Text)
	pr.str("(")
	var parts []string
	if n.Set != nil {
		parts = append(parts, n.Set.String())
	}
	switch n.Distinct {
	case Distinct:
		parts = append(parts, "DISTINCT")
	case NoDistinct:
		parts = append(parts, "NODISTINCT")
	}
	if n.Scope != ScopeRow {
		q := "TOTAL"
		if n.Scope == ScopeAll {
			q = "ALL"
		}
		if len(n.ScopeFields) > 0 {
			fs := make([]string, len(n.ScopeFields))
			for i, f := range n.ScopeFields {
				fs[i] = f.String()
			}
			q += " <" + strings.Join(fs, ", ") + ">"
		}
		parts = append(parts, q)
	}
	pr.str(strings.Join(parts, " "))
	if len(parts) > 0 && len(n.Args) > 0 {
		pr.str(" ")
	}
	pr.args(n.Args, len(parts) == 0)
	for _, d := range n.Dims {
		pr.str(", ")
		pr.dim(d)
	}
	pr.str(")")
}

func (pr *printer) dim(d *AggrDim) {
	if !d.Structured() && len(d.Sort) == 0 {
		pr.str(d.Field.String())
		return
	}
	pr.structured(d)
}

// structured prints the (Field, crit...) form.
func (pr *printer) structured(d *AggrDim) {
	pr.str("(")
	pr.str(d.Field.String())
	for _, s := range d.Sort {
		pr.str(", ")
		pr.sortCrit(s)
	}
	pr.str(")")
}

func (pr *printer) sortCrit(s *SortCrit) {
	switch {
	case s.Nested != nil:
		pr.structured(s.Nested)
		return
	case s.Expr != nil:
		pr.str("(=")
		pr.expr(s.Expr, precOuterSet)
	default:
		pr.str("(")
		pr.str(s.Type)
	}
	if s.Order != "" {
		pr.str(", ")
		pr.str(s.Order)
	}
	pr.str(")")
}

// set prints a set expression.
func (pr *printer) set(s *SetExpr) {
	if s == nil {
		pr.str("{}")
		return
	}
	pr.str("{")
	if s.Preserve {
		pr.str("&")
	}
	pr.setTerm(s.Term, 0)
	pr.str("}")
}

func setTermPrec(t SetTerm) int {
	if b, ok := t.(*SetBinary); ok {
		return b.Op.prec()
	}
	return 3
}

func (pr *printer) setTerm(t SetTerm, min int) {
	if t == nil {
		return
	}
	if setTermPrec(t) < min {
		pr.str("(")
		pr.setTerm(t, 0)
		pr.str(")")
		return
	}
	switch t := t.(type) {
	case *SetBinary:
		pr.setTerm(t.X, t.Op.prec())
		pr.str(t.Op.String())
		pr.setTerm(t.Y, t.Op.prec()+1)
	case *SetComplement:
		pr.str("-")
		pr.setTerm(t.X, 3)
	case *SetFactor:
		if t.Ident != nil {
			pr.setIdent(t.Ident)
		}
		if t.Modifier != nil {
			pr.modifier(t.Modifier)
		}
	}
}

func (pr *printer) setIdent(id *SetIdent) {
	switch id.Kind {
	case IdentCurrent:
		pr.str("$")
	case IdentAll:
		pr.str("1")
	case IdentPrev:
		pr.str("$" + strconv.Itoa(id.N))
	case IdentNext:
		pr.str("$_" + strconv.Itoa(id.N))
	default:
		pr.str(id.Name.String())
	}
	if id.HasBookmark() {
		pr.str("::")
		pr.str(id.Bookmark.String())
	}
}

func (pr *printer) modifier(m *Modifier) {
	if len(m.Assigns) == 0 {
		pr.str("<>")
		return
	}
	pr.str("<")
	for i, a := range m.Assigns {
		if i > 0 {
			pr.str(", ")
		}
		pr.str(a.Field.String())
		pr.str(a.Op.String())
		if a.Set != nil {
			pr.elemSet(a.Set, 0)
		}
	}
	pr.str(">")
}

func elemPrec(e ElemSet) int {
	if b, ok := e.(*ElemBinary); ok {
		return b.Op.prec()
	}
	return 3
}

func (pr *printer) elemSet(e ElemSet, min int) {
	if elemPrec(e) < min {
		pr.str("(")
		pr.elemSet(e, 0)
		pr.str(")")
		return
	}
	switch e := e.(type) {
	case *ElemBinary:
		pr.elemSet(e.X, e.Op.prec())
		pr.str(e.Op.String())
		pr.elemSet(e.Y, e.Op.prec()+1)
	case *ElemComplement:
		pr.str("-")
		pr.elemSet(e.X, 3)
	case *ElemList:
		pr.str("{")
		for i, it := range e.Items {
			if i > 0 {
				pr.str(", ")
			}
			pr.item(it)
		}
		pr.str("}")
	case *ElemField:
		pr.str(e.Field.String())
	case *ElemFunc:
		if e.Excluded {
			pr.str("E(")
		} else {
			pr.str("P(")
		}
		if e.Set != nil {
			pr.set(e.Set)
		}
		if e.Field != nil {
			if e.Set != nil {
				pr.str(" ")
			}
			pr.str(e.Field.String())
		}
		pr.str(")")
	}
}

func (pr *printer) item(it ElemItem) {
	switch it.Kind {
	case ItemSingle:
		pr.str(quoteString(it.Text))
	case ItemDouble:
		pr.str(quoteName(it.Text, '"'))
	case ItemBracket:
		pr.str(quoteName(it.Text, '['))
	case ItemBacktick:
		pr.str(quoteName(it.Text, '`'))
	default:
		if isUnquotedItem(it.Text) {
			pr.str(it.Text)
		} else {
			// Not representable unquoted: fall back to an exact literal.
			pr.str(quoteString(it.Text))
		}
	}
}

// isUnquotedItem reports whether s can be written as an unquoted element
// (an optionally negative number or an identifier-like word).
func isUnquotedItem(s string) bool {
	if s == "" {
		return false
	}
	t := strings.TrimPrefix(s, "-")
	if t != "" && (isDigit(t[0]) || t[0] == '.' && len(t) > 1 && isDigit(t[1])) {
		var sink errorSink
		sink.src = t
		toks := lex(t, &sink)
		return len(sink.errs) == 0 && len(toks) == 2 && toks[0].kind == tNumber
	}
	if t != s {
		return false
	}
	return IsIdentifier(s) || IsKeyword(s)
}
