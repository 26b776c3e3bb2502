package expr

import (
	"math"
	"strings"
)

// Equal reports whether two expression trees are structurally equal,
// ignoring positions, FieldRef.Index and AggCall.Outer. Function names
// compare case-insensitively, field and set names exactly (including how
// they were quoted), numbers by value.
func Equal(a, b Node) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case *NumberLit:
		b, ok := b.(*NumberLit)
		return ok && sameFloat(a.Value, b.Value)
	case *StringLit:
		b, ok := b.(*StringLit)
		return ok && a.Value == b.Value
	case *FieldRef:
		b, ok := b.(*FieldRef)
		return ok && sameName(a.Name, b.Name)
	case *Unary:
		b, ok := b.(*Unary)
		return ok && a.Op == b.Op && Equal(a.X, b.X)
	case *Binary:
		b, ok := b.(*Binary)
		return ok && a.Op == b.Op && Equal(a.X, b.X) && Equal(a.Y, b.Y)
	case *OuterSet:
		b, ok := b.(*OuterSet)
		return ok && EqualSet(a.Set, b.Set) && Equal(a.X, b.X)
	case *Call:
		b, ok := b.(*Call)
		return ok && strings.EqualFold(a.Name.Text, b.Name.Text) && a.Func == b.Func &&
			a.Total == b.Total && equalNodes(a.Args, b.Args)
	case *AggCall:
		b, ok := b.(*AggCall)
		if !ok || !strings.EqualFold(a.Name.Text, b.Name.Text) || a.Func != b.Func ||
			a.Distinct != b.Distinct || a.Scope != b.Scope || !EqualSet(a.Set, b.Set) ||
			len(a.ScopeFields) != len(b.ScopeFields) || len(a.Dims) != len(b.Dims) ||
			!equalNodes(a.Args, b.Args) {
			return false
		}
		for i := range a.ScopeFields {
			if !sameName(a.ScopeFields[i], b.ScopeFields[i]) {
				return false
			}
		}
		for i := range a.Dims {
			if !equalDim(a.Dims[i], b.Dims[i]) {
				return false
			}
		}
		return true
	case *BadExpr:
		_, ok := b.(*BadExpr)
		return ok
	}
	return false
}

func sameFloat(x, y float64) bool {
	return x == y || math.IsNaN(x) && math.IsNaN(y)
}

func sameName(a, b Name) bool { return a.Text == b.Text && a.Quote == b.Quote }

func equalNodes(a, b []Node) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func equalDim(a, b *AggrDim) bool {
	if a == nil || b == nil {
		return a == b
	}
	if !sameName(a.Field, b.Field) || a.Structured() != b.Structured() || len(a.Sort) != len(b.Sort) {
		return false
	}
	for i := range a.Sort {
		x, y := a.Sort[i], b.Sort[i]
		if !strings.EqualFold(x.Type, y.Type) || !strings.EqualFold(x.Order, y.Order) ||
			!Equal(x.Expr, y.Expr) || (x.Nested == nil) != (y.Nested == nil) ||
			x.Nested != nil && !equalDim(x.Nested, y.Nested) {
			return false
		}
	}
	return true
}

// EqualSet reports whether two set expressions are structurally equal,
// ignoring positions.
func EqualSet(a, b *SetExpr) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Preserve == b.Preserve && equalSetTerm(a.Term, b.Term)
}

func equalSetTerm(a, b SetTerm) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case *SetBinary:
		b, ok := b.(*SetBinary)
		return ok && a.Op == b.Op && equalSetTerm(a.X, b.X) && equalSetTerm(a.Y, b.Y)
	case *SetComplement:
		b, ok := b.(*SetComplement)
		return ok && equalSetTerm(a.X, b.X)
	case *SetFactor:
		b, ok := b.(*SetFactor)
		return ok && equalIdent(a.Ident, b.Ident) && equalModifier(a.Modifier, b.Modifier)
	}
	return false
}

func equalIdent(a, b *SetIdent) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Kind == b.Kind && a.N == b.N && sameName(a.Name, b.Name) && sameName(a.Bookmark, b.Bookmark)
}

func equalModifier(a, b *Modifier) bool {
	if a == nil || b == nil {
		return a == b
	}
	if len(a.Assigns) != len(b.Assigns) {
		return false
	}
	for i := range a.Assigns {
		x, y := a.Assigns[i], b.Assigns[i]
		if !sameName(x.Field, y.Field) || x.Op != y.Op || !equalElem(x.Set, y.Set) {
			return false
		}
	}
	return true
}

func equalElem(a, b ElemSet) bool {
	switch a := a.(type) {
	case nil:
		return b == nil
	case *ElemList:
		b, ok := b.(*ElemList)
		if !ok || len(a.Items) != len(b.Items) {
			return false
		}
		for i := range a.Items {
			if a.Items[i].Kind != b.Items[i].Kind || a.Items[i].Text != b.Items[i].Text {
				return false
			}
		}
		return true
	case *ElemField:
		b, ok := b.(*ElemField)
		return ok && sameName(a.Field, b.Field)
	case *ElemFunc:
		b, ok := b.(*ElemFunc)
		if !ok || a.Excluded != b.Excluded || !EqualSet(a.Set, b.Set) || (a.Field == nil) != (b.Field == nil) {
			return false
		}
		return a.Field == nil || sameName(*a.Field, *b.Field)
	case *ElemBinary:
		b, ok := b.(*ElemBinary)
		return ok && a.Op == b.Op && equalElem(a.X, b.X) && equalElem(a.Y, b.Y)
	case *ElemComplement:
		b, ok := b.(*ElemComplement)
		return ok && equalElem(a.X, b.X)
	}
	return false
}
