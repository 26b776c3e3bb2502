package expr

import (
	"strconv"
	"strings"
)

// parseSetExpr parses a set expression; the current token is '{'.
//
//	setExpr := "{" [ "&" ] setSum "}"
func (p *parser) parseSetExpr() *SetExpr {
	s := &SetExpr{Lbrace: p.tok.pos, Rbrace: NoPos}
	if !p.enter(p.tok.pos) {
		return s
	}
	defer p.leave()
	p.next()
	if p.tok.kind == tAmp {
		s.Preserve = true
		p.next()
	}
	if p.tok.kind == tRBrace {
		p.errorf(p.tok.pos, "empty set expression: expected a set identifier ($, 1, a bookmark or a state) or a modifier <...>")
		s.Rbrace = p.tok.pos
		p.next()
		return s
	}
	before := p.syntaxOK
	s.Term = p.parseSetSum()
	if p.syntaxOK != before {
		return s
	}
	s.Rbrace = p.tok.pos
	p.expect(tRBrace, "to close the set expression")
	return s
}

func setOpOf(k tokKind) (SetOp, bool) {
	switch k {
	case tPlus:
		return SetUnion, true
	case tMinus:
		return SetDiff, true
	case tStar:
		return SetIntersect, true
	case tSlash:
		return SetXor, true
	}
	return 0, false
}

// parseSetSum parses
//
//	setSum := setProduct { ("+" | "-") setProduct }
func (p *parser) parseSetSum() SetTerm {
	x := p.parseSetProduct()
	for x != nil {
		op, ok := setOpOf(p.tok.kind)
		if !ok || op.prec() != 1 {
			return x
		}
		pos := p.tok.pos
		p.next()
		y := p.parseSetProduct()
		if y == nil {
			return nil
		}
		x = &SetBinary{OpPos: pos, Op: op, X: x, Y: y}
	}
	return nil
}

// parseSetProduct parses
//
//	setProduct := setUnary { ("*" | "/") setUnary }
func (p *parser) parseSetProduct() SetTerm {
	x := p.parseSetUnary()
	for x != nil {
		op, ok := setOpOf(p.tok.kind)
		if !ok || op.prec() != 2 {
			return x
		}
		pos := p.tok.pos
		p.next()
		y := p.parseSetUnary()
		if y == nil {
			return nil
		}
		x = &SetBinary{OpPos: pos, Op: op, X: x, Y: y}
	}
	return nil
}

// parseSetUnary parses
//
//	setUnary   := "-" setUnary | "(" setSum ")" | setFactor
//	setFactor  := setIdent [ modifier ] | modifier
func (p *parser) parseSetUnary() SetTerm {
	t := p.tok
	switch t.kind {
	case tMinus:
		if !p.enter(t.pos) {
			return nil
		}
		defer p.leave()
		p.next()
		x := p.parseSetUnary()
		if x == nil {
			return nil
		}
		return &SetComplement{OpPos: t.pos, X: x}
	case tLParen:
		if !p.enter(t.pos) {
			return nil
		}
		defer p.leave()
		p.next()
		x := p.parseSetSum()
		if x == nil {
			return nil
		}
		if _, ok := p.expect(tRParen, "to close the parenthesis in the set expression"); !ok {
			return nil
		}
		return x
	}
	f := &SetFactor{}
	if t.kind != tLt && t.kind != tNe {
		f.Ident = p.parseSetIdent()
		if f.Ident == nil {
			return nil
		}
	}
	if p.tok.kind == tLt || p.tok.kind == tNe {
		f.Modifier = p.parseModifier()
		if f.Modifier == nil {
			return nil
		}
	}
	return f
}

// parseSetIdent parses a set identifier.
//
//	setIdent := "$" | "1" | "$" int | "$_" int | name [ "::" name ] | "$" "::" name
func (p *parser) parseSetIdent() *SetIdent {
	t := p.tok
	id := &SetIdent{IdentPos: t.pos}
	switch t.kind {
	case tNumber:
		if t.text != "1" {
			p.errorf(t.pos, "invalid set identifier %s: the only numeric identifier is 1 (all records)", t.text)
			return nil
		}
		id.Kind = IdentAll
		p.next()
		return id
	case tIdent:
		p.next()
		switch {
		case t.text == "$":
			id.Kind = IdentCurrent
		case strings.HasPrefix(t.text, "$_") && allDigits(t.text[2:]):
			id.Kind = IdentNext
			id.N = p.historyN(t, t.text[2:])
		case strings.HasPrefix(t.text, "$") && allDigits(t.text[1:]):
			id.Kind = IdentPrev
			id.N = p.historyN(t, t.text[1:])
		default:
			id.Kind = IdentNamed
			id.Name = p.nameOf(t)
		}
		if id.N < 0 {
			return nil
		}
	case tQName:
		p.next()
		id.Kind = IdentNamed
		id.Name = p.nameOf(t)
	default:
		if t.kind != tIllegal {
			p.errorf(t.pos, "expected a set identifier ($, 1, $N, $_N, a bookmark or a state name) or a modifier <...>, found %s", p.describe(t))
		}
		p.syntaxOK++
		return nil
	}
	if p.tok.kind == tColonColon {
		if id.Kind != IdentNamed && id.Kind != IdentCurrent {
			p.errorf(p.tok.pos, "'::' must follow a state name")
			return nil
		}
		p.next()
		b := p.tok
		if b.kind != tIdent && b.kind != tQName {
			if b.kind != tIllegal {
				p.errorf(b.pos, "expected a bookmark name after '::', found %s", p.describe(b))
			}
			p.syntaxOK++
			return nil
		}
		p.next()
		id.Bookmark = p.nameOf(b)
	}
	return id
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// historyN parses the N of $N / $_N; it returns -1 after an error.
func (p *parser) historyN(t token, digits string) int {
	n, err := strconv.Atoi(digits)
	if err != nil || n < 1 || n > 1<<20 {
		p.semErrorf(t.pos, "invalid history identifier %s: the step must be between 1 and %d", t.text, 1<<20)
		return -1
	}
	return n
}

// parseModifier parses
//
//	modifier := "<" assign { "," assign } ">" | "<>"
func (p *parser) parseModifier() *Modifier {
	m := &Modifier{Lt: p.tok.pos}
	if p.tok.kind == tNe {
		m.Gt = p.tok.pos + 1
		p.next()
		return m
	}
	p.next()
	for {
		a := p.parseAssign()
		if a == nil {
			return nil
		}
		m.Assigns = append(m.Assigns, a)
		if p.tok.kind != tComma {
			break
		}
		p.next()
	}
	m.Gt = p.tok.pos
	if p.tok.kind != tGt {
		if p.tok.kind != tIllegal {
			p.errorf(p.tok.pos, "expected ',' or '>' in the set modifier, found %s", p.describe(p.tok))
		}
		p.syntaxOK++
		return nil
	}
	p.next()
	return m
}

var assignOps = map[tokKind]AssignOp{
	tEq: AssignReplace, tPlusEq: AssignUnion, tMinusEq: AssignDiff, tStarEq: AssignIntersect, tSlashEq: AssignXor,
}

// parseAssign parses
//
//	assign := name ( "=" | "+=" | "-=" | "*=" | "/=" ) [ elemSet ]
func (p *parser) parseAssign() *Assign {
	t := p.tok
	if t.kind != tIdent && t.kind != tQName {
		if t.kind != tIllegal {
			p.errorf(t.pos, "expected a field name in the set modifier, found %s", p.describe(t))
		}
		p.syntaxOK++
		return nil
	}
	p.next()
	a := &Assign{Field: p.nameOf(t), OpPos: p.tok.pos}
	op, ok := assignOps[p.tok.kind]
	if !ok {
		p.errorf(p.tok.pos, "expected =, +=, -=, *= or /= after field %s in the set modifier, found %s", t.text, p.describe(p.tok))
		return nil
	}
	a.Op = op
	p.next()
	if p.tok.kind == tComma || p.tok.kind == tGt {
		if op != AssignReplace {
			p.errorf(p.tok.pos, "missing element set after %s", op)
			return nil
		}
		return a
	}
	a.Set = p.parseElemSum()
	if a.Set == nil {
		return nil
	}
	return a
}

// parseElemSum parses
//
//	elemSet := elemProduct { ("+" | "-") elemProduct }
func (p *parser) parseElemSum() ElemSet {
	x := p.parseElemProduct()
	for x != nil {
		op, ok := setOpOf(p.tok.kind)
		if !ok || op.prec() != 1 {
			return x
		}
		pos := p.tok.pos
		p.next()
		y := p.parseElemProduct()
		if y == nil {
			return nil
		}
		x = &ElemBinary{OpPos: pos, Op: op, X: x, Y: y}
	}
	return nil
}

// parseElemProduct parses
//
//	elemProduct := elemTerm { ("*" | "/") elemTerm }
func (p *parser) parseElemProduct() ElemSet {
	x := p.parseElemTerm()
	for x != nil {
		op, ok := setOpOf(p.tok.kind)
		if !ok || op.prec() != 2 {
			return x
		}
		pos := p.tok.pos
		p.next()
		y := p.parseElemTerm()
		if y == nil {
			return nil
		}
		x = &ElemBinary{OpPos: pos, Op: op, X: x, Y: y}
	}
	return nil
}

// parseElemTerm parses
//
//	elemTerm := "-" elemTerm | "(" elemSet ")" | "{" [ item { "," item } ] "}"
//	          | ("P" | "E") "(" [ setExpr ] [ name ] ")" | name
func (p *parser) parseElemTerm() ElemSet {
	t := p.tok
	switch t.kind {
	case tMinus:
		if !p.enter(t.pos) {
			return nil
		}
		defer p.leave()
		p.next()
		x := p.parseElemTerm()
		if x == nil {
			return nil
		}
		return &ElemComplement{OpPos: t.pos, X: x}
	case tLParen:
		if !p.enter(t.pos) {
			return nil
		}
		defer p.leave()
		p.next()
		x := p.parseElemSum()
		if x == nil {
			return nil
		}
		if _, ok := p.expect(tRParen, "to close the parenthesis in the element set"); !ok {
			return nil
		}
		return x
	case tLBrace:
		return p.parseElemList()
	case tIdent:
		if (strings.EqualFold(t.text, "P") || strings.EqualFold(t.text, "E")) && p.peek(1).kind == tLParen {
			return p.parseElemFunc()
		}
		p.next()
		return &ElemField{Field: p.nameOf(t)}
	case tQName:
		p.next()
		return &ElemField{Field: p.nameOf(t)}
	}
	if t.kind != tIllegal {
		p.errorf(t.pos, "expected an element set ({...}, a field name, P() or E()), found %s", p.describe(t))
	}
	p.syntaxOK++
	return nil
}

// parseElemList parses
//
//	elemList := "{" [ item { "," item } ] "}"
//	item     := [ "-" ] number | name | 'literal' | "search" | [search] | `search`
func (p *parser) parseElemList() ElemSet {
	l := &ElemList{Lbrace: p.tok.pos}
	p.next()
	if p.tok.kind == tRBrace {
		l.Rbrace = p.tok.pos
		p.next()
		return l
	}
	for {
		t := p.tok
		it := ElemItem{ItemPos: t.pos}
		switch {
		case t.kind == tNumber:
			it.Kind, it.Text = ItemUnquoted, t.text
		case t.kind == tMinus && p.peek(1).kind == tNumber && p.peek(1).pos == t.end:
			p.next()
			it.Kind, it.Text = ItemUnquoted, "-"+p.tok.text
		case t.kind == tIdent || t.kind.isKeyword():
			it.Kind, it.Text = ItemUnquoted, t.text
		case t.kind == tString:
			it.Kind, it.Text = ItemSingle, t.text
		case t.kind == tQName:
			it.Text = t.text
			switch t.quote {
			case '"':
				it.Kind = ItemDouble
			case '[':
				it.Kind = ItemBracket
			default:
				it.Kind = ItemBacktick
			}
		default:
			if t.kind != tIllegal {
				p.errorf(t.pos, "expected a value or a search string in the element list, found %s", p.describe(t))
			}
			p.syntaxOK++
			return nil
		}
		p.next()
		l.Items = append(l.Items, it)
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		l.Rbrace = p.tok.pos
		if _, ok := p.expect(tRBrace, "to close the element list"); !ok {
			return nil
		}
		return l
	}
}

// parseElemFunc parses
//
//	elemFunc := ("P" | "E") "(" [ setExpr ] [ name ] ")"
func (p *parser) parseElemFunc() ElemSet {
	t := p.tok
	if !p.enter(t.pos) {
		return nil
	}
	defer p.leave()
	f := &ElemFunc{NamePos: t.pos, Excluded: strings.EqualFold(t.text, "E")}
	p.next() // P / E
	p.next() // (
	if p.tok.kind == tLBrace {
		before := p.syntaxOK
		f.Set = p.parseSetExpr()
		if p.syntaxOK != before {
			return nil
		}
	}
	if p.tok.kind == tIdent || p.tok.kind == tQName {
		n := p.nameOf(p.tok)
		f.Field = &n
		p.next()
	}
	f.Rparen = p.tok.pos
	if _, ok := p.expect(tRParen, "to close "+strings.ToUpper(t.text)+"()"); !ok {
		return nil
	}
	return f
}
