package expr

// SetExpr is a set expression in braces (§4.8.1):
//
//	{$<Year={2020}>}   {1-$}   {BM01}   {[State 1]<Region={'EU'}>}   {&<A={1}>}
type SetExpr struct {
	Lbrace Pos
	Rbrace Pos
	// Preserve is the '&' flag written right after '{' (S28): do not clear
	// the implicit selections when combining inner and outer sets.
	Preserve bool
	Term     SetTerm
}

// Pos returns the position of the opening brace.
func (s *SetExpr) Pos() Pos { return s.Lbrace }

// End returns the offset just past the closing brace.
func (s *SetExpr) End() Pos { return endAfter(s.Rbrace) }

// SetTerm is a node of a set expression: *SetBinary, *SetComplement or
// *SetFactor.
type SetTerm interface {
	Pos() Pos
	setTerm()
}

// SetOp is an operator combining record sets or element sets.
type SetOp uint8

// Set operators (§4.8.4): union, difference, intersection and symmetric
// difference.
const (
	SetUnion     SetOp = iota + 1 // +
	SetDiff                       // -
	SetIntersect                  // *
	SetXor                        // /
)

// String returns the operator character.
func (o SetOp) String() string {
	switch o {
	case SetUnion:
		return "+"
	case SetDiff:
		return "-"
	case SetIntersect:
		return "*"
	case SetXor:
		return "/"
	}
	return "?"
}

// prec returns the binding strength: * and / bind tighter than + and -.
func (o SetOp) prec() int {
	if o == SetIntersect || o == SetXor {
		return 2
	}
	return 1
}

// SetBinary combines two record sets: {$ + BM01}, {1 - $}.
type SetBinary struct {
	OpPos Pos
	Op    SetOp
	X, Y  SetTerm
}

// SetComplement is the unary minus of set analysis: all records except X.
type SetComplement struct {
	OpPos Pos
	X     SetTerm
}

// SetFactor is a set identifier and/or a modifier; at least one is non-nil.
type SetFactor struct {
	Ident    *SetIdent
	Modifier *Modifier
}

// Pos returns the position of the left operand.
func (s *SetBinary) Pos() Pos { return s.X.Pos() }

// Pos returns the position of the minus sign.
func (s *SetComplement) Pos() Pos { return s.OpPos }

// Pos returns the position of the identifier or, without one, the modifier.
func (s *SetFactor) Pos() Pos {
	if s.Ident != nil {
		return s.Ident.IdentPos
	}
	return s.Modifier.Lt
}

func (*SetBinary) setTerm()     {}
func (*SetComplement) setTerm() {}
func (*SetFactor) setTerm()     {}

// IdentKind says which selection state a set identifier denotes (§4.8.2).
type IdentKind uint8

const (
	// IdentCurrent is $: the current selections of the default state.
	IdentCurrent IdentKind = iota + 1
	// IdentAll is 1: all records, ignoring selections.
	IdentAll
	// IdentPrev is $N: the N-th previous selection state (N >= 1).
	IdentPrev
	// IdentNext is $_N: the N-th next selection state (forward history).
	IdentNext
	// IdentNamed is a bookmark id or name, or an alternate state name; with
	// Bookmark set it is State::Bookmark.
	IdentNamed
)

// String returns the identifier form the kind stands for.
func (k IdentKind) String() string {
	switch k {
	case IdentCurrent:
		return "$"
	case IdentAll:
		return "1"
	case IdentPrev:
		return "$N"
	case IdentNext:
		return "$_N"
	case IdentNamed:
		return "name"
	}
	return "invalid"
}

// SetIdent is a set identifier.
type SetIdent struct {
	IdentPos Pos
	Kind     IdentKind
	// N is the history distance of IdentPrev and IdentNext.
	N int
	// Name is the bookmark or state name of IdentNamed (and the left side of
	// State::Bookmark).
	Name Name
	// Bookmark is the right side of State::Bookmark; its Text is empty
	// when the form was not used.
	Bookmark Name
}

// HasBookmark reports whether the identifier has the State::Bookmark form.
func (id *SetIdent) HasBookmark() bool { return id.Bookmark.Text != "" || id.Bookmark.Quote != 0 }

// Modifier is the <assign, assign...> part of a set factor.
type Modifier struct {
	Lt      Pos
	Gt      Pos
	Assigns []*Assign
}

// AssignOp is the operator of a modifier assignment.
type AssignOp uint8

// Assignment operators (§4.8.3).
const (
	AssignReplace   AssignOp = iota + 1 // =
	AssignUnion                         // +=
	AssignDiff                          // -=
	AssignIntersect                     // *=
	AssignXor                           // /=
)

// String returns the operator as written.
func (o AssignOp) String() string {
	switch o {
	case AssignReplace:
		return "="
	case AssignUnion:
		return "+="
	case AssignDiff:
		return "-="
	case AssignIntersect:
		return "*="
	case AssignXor:
		return "/="
	}
	return "?"
}

// Assign is one field assignment of a modifier: Field op ElemSet.
type Assign struct {
	Field Name
	OpPos Pos
	Op    AssignOp
	// Set is the element set; nil for the empty assignment <Field=>, which
	// clears the field's selection.
	Set ElemSet
}

// ElemSet is an element set (a set of values of one field): *ElemList,
// *ElemField, *ElemFunc, *ElemBinary or *ElemComplement.
type ElemSet interface {
	Pos() Pos
	elemSet()
}

// ElemList is a braced list of items: {2020, 'SE', "A*", [B*]}. An empty
// list {} selects nothing.
type ElemList struct {
	Lbrace Pos
	Rbrace Pos
	Items  []ElemItem
}

// ItemKind says how an element-set item was written, which decides whether
// it is a literal value or a search (§4.8.3, §2.8).
type ItemKind uint8

const (
	// ItemUnquoted is a bare number or name: a literal, numbers match
	// numerically and text case-insensitively.
	ItemUnquoted ItemKind = iota + 1
	// ItemSingle is 'text': a literal matched exactly (case-sensitive).
	ItemSingle
	// ItemDouble is "text": a search.
	ItemDouble
	// ItemBracket is [text]: a search.
	ItemBracket
	// ItemBacktick is `text`: a search.
	ItemBacktick
)

// ElemItem is one item of an element list.
type ElemItem struct {
	ItemPos Pos
	Kind    ItemKind
	Text    string // the item without quotes, escapes resolved
}

// IsSearch reports whether the item is a search string rather than a
// literal value.
func (it ElemItem) IsSearch() bool {
	return it.Kind == ItemDouble || it.Kind == ItemBracket || it.Kind == ItemBacktick
}

// ElemField is a field used as an element set: its selected (or, without a
// selection, possible) values, as in <OrderDate = DeliveryDate>.
type ElemField struct {
	Field Name
}

// ElemFunc is P({set} field) or E({set} field): the possible or excluded
// values of a field in the record set of an inner set expression.
type ElemFunc struct {
	NamePos  Pos
	Rparen   Pos
	Excluded bool     // E() rather than P()
	Set      *SetExpr // nil when omitted
	Field    *Name    // nil when omitted: the assigned field
}

// ElemBinary combines two element sets with + - * /.
type ElemBinary struct {
	OpPos Pos
	Op    SetOp
	X, Y  ElemSet
}

// ElemComplement is -X: every value of the field that is not in X.
type ElemComplement struct {
	OpPos Pos
	X     ElemSet
}

// Pos returns the position of the opening brace.
func (e *ElemList) Pos() Pos { return e.Lbrace }

// Pos returns the position of the field name.
func (e *ElemField) Pos() Pos { return e.Field.NamePos }

// Pos returns the position of P or E.
func (e *ElemFunc) Pos() Pos { return e.NamePos }

// Pos returns the position of the left operand.
func (e *ElemBinary) Pos() Pos { return e.X.Pos() }

// Pos returns the position of the minus sign.
func (e *ElemComplement) Pos() Pos { return e.OpPos }

func (*ElemList) elemSet()       {}
func (*ElemField) elemSet()      {}
func (*ElemFunc) elemSet()       {}
func (*ElemBinary) elemSet()     {}
func (*ElemComplement) elemSet() {}
