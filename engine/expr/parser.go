package expr

import (
	"strconv"
	"strings"
)

// Options configures ParseWith. The zero value parses a chart expression
// against the shared function registry.
type Options struct {
	// Registry resolves function names; nil means DefaultRegistry().
	Registry *Registry
	// Context is where the expression is used: InChart (the default when
	// zero) or InScript. It decides which functions are available and
	// whether set analysis, TOTAL and Aggr are allowed.
	Context Contexts
}

// maxNesting bounds the syntactic nesting (parentheses, braces, prefix
// operators, calls) so that hostile input cannot exhaust the stack.
const maxNesting = 500

// Parse parses a chart expression (an optional leading '=' is stripped),
// resolves its functions against the shared registry and runs the checker
// (Check). On failure it returns an ErrorList of up to MaxErrors positioned
// errors; the tree is then nil.
func Parse(src string) (Node, error) { return ParseWith(src, Options{}) }

// ParseWith is Parse with options.
func ParseWith(src string, opts Options) (Node, error) {
	p := newParser(src, opts)
	n := p.parseTop()
	if len(p.errs.errs) == 0 {
		check(n, &p.errs)
	}
	if len(p.errs.errs) > 0 {
		return nil, p.errs.sorted()
	}
	return n, nil
}

type parser struct {
	src  string
	toks []token
	i    int   // index of the current token
	tok  token // toks[i]
	errs errorSink
	reg  *Registry
	ctx  Contexts

	nesting  int
	scope    int        // token index where the current lexical scope starts
	outer    []*SetExpr // enclosing outer set expressions
	names    map[string]int
	syntaxOK int  // count of errors, to detect the failure of a sub-parse
	suppress bool // after a syntax error, until the next recovery point
}

func newParser(src string, opts Options) *parser {
	p := &parser{src: src, reg: opts.Registry, ctx: opts.Context}
	if p.reg == nil {
		p.reg = defaultRegistry
	}
	if p.ctx == 0 {
		p.ctx = InChart
	}
	p.errs.src = src
	p.toks = lex(src, &p.errs)
	p.tok = p.toks[0]
	return p
}

// next advances to the next token. Once MaxErrors errors are recorded the
// parser sees only EOF, which unwinds every loop.
func (p *parser) next() {
	if p.i < len(p.toks)-1 {
		p.i++
	}
	p.tok = p.toks[p.i]
	if p.errs.full {
		p.i = len(p.toks) - 1
		p.tok = p.toks[p.i]
	}
}

func (p *parser) peek(n int) token {
	if p.i+n < len(p.toks) {
		return p.toks[p.i+n]
	}
	return p.toks[len(p.toks)-1]
}

// errorf records a syntax error. Further syntax errors are dropped until
// the parser resynchronizes at the next argument, since they are usually
// consequences of the first.
func (p *parser) errorf(pos Pos, format string, args ...any) {
	p.syntaxOK++
	if p.suppress {
		return
	}
	p.suppress = true
	p.errs.add(pos, format, args...)
	if p.errs.full {
		p.i = len(p.toks) - 1
		p.tok = p.toks[p.i]
	}
}

// semErrorf records an error that leaves the parser in step with the
// input (unknown function, wrong argument count, misplaced qualifier), so
// parsing goes on normally after it.
func (p *parser) semErrorf(pos Pos, format string, args ...any) {
	p.syntaxOK++
	p.errs.add(pos, format, args...)
	if p.errs.full {
		p.i = len(p.toks) - 1
		p.tok = p.toks[p.i]
	}
}

// describe names the current token for error messages.
func (p *parser) describe(t token) string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNumber:
		return "number " + t.text
	case tString:
		return "string '" + clip(t.text) + "'"
	case tQName:
		return "name " + quoteName(t.text, t.quote)
	case tIdent:
		return "name " + clip(t.text)
	case tIllegal:
		return "invalid text"
	}
	if t.kind.isKeyword() {
		return "keyword " + strings.ToUpper(t.text)
	}
	return t.kind.String()
}

func clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// expect consumes a token of kind k or records an error saying what was
// being parsed.
func (p *parser) expect(k tokKind, while string) (token, bool) {
	t := p.tok
	if t.kind != k {
		if t.kind != tIllegal {
			p.errorf(t.pos, "expected %s %s, found %s", k, while, p.describe(t))
		} else {
			p.syntaxOK++
		}
		return t, false
	}
	p.next()
	return t, true
}

func (p *parser) enter(pos Pos) bool {
	p.nesting++
	if p.nesting > maxNesting {
		p.errorf(pos, "expression nested too deeply (more than %d levels)", maxNesting)
		p.errs.full = true
		p.i = len(p.toks) - 1
		p.tok = p.toks[p.i]
		return false
	}
	return true
}

func (p *parser) leave() { p.nesting-- }

func (p *parser) bad(from Pos) *BadExpr {
	to := p.tok.pos
	if to < from {
		to = from
	}
	return &BadExpr{From: from, To: to}
}

// parseTop parses a whole expression:
//
//	top := [ "=" ] expr EOF
func (p *parser) parseTop() Node {
	if p.tok.kind == tEq {
		p.next()
	}
	if p.tok.kind == tEOF {
		if len(p.errs.errs) == 0 {
			p.errorf(p.tok.pos, "empty expression")
		}
		return &BadExpr{From: p.tok.pos, To: p.tok.pos}
	}
	p.scope = p.i
	n := p.parseExpr()
	if p.tok.kind != tEOF && p.syntaxOK == 0 {
		if p.tok.kind == tIllegal {
			p.syntaxOK++
		} else {
			p.errorf(p.tok.pos, "unexpected %s after the end of the expression", p.describe(p.tok))
		}
	}
	return n
}

// parseExpr parses an expression:
//
//	expr := orExpr
func (p *parser) parseExpr() Node { return p.parseOr() }

// parseOr parses
//
//	orExpr := xorExpr { "or" xorExpr }
func (p *parser) parseOr() Node {
	x := p.parseXor()
	for p.tok.kind == kwOr {
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: OpOr, X: x, Y: p.parseXor()}
	}
	return x
}

// parseXor parses
//
//	xorExpr := andExpr { "xor" andExpr }
func (p *parser) parseXor() Node {
	x := p.parseAnd()
	for p.tok.kind == kwXor {
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: OpXor, X: x, Y: p.parseAnd()}
	}
	return x
}

// parseAnd parses
//
//	andExpr := notExpr { "and" notExpr }
func (p *parser) parseAnd() Node {
	x := p.parseNot()
	for p.tok.kind == kwAnd {
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: OpAnd, X: x, Y: p.parseNot()}
	}
	return x
}

// parseNot parses
//
//	notExpr := "not" notExpr | relExpr
func (p *parser) parseNot() Node {
	if p.tok.kind != kwNot {
		return p.parseRel()
	}
	pos := p.tok.pos
	if !p.enter(pos) {
		return p.bad(pos)
	}
	defer p.leave()
	p.next()
	return &Unary{OpPos: pos, Op: OpNot, X: p.parseNot()}
}

func relOp(k tokKind) (Op, bool) {
	switch k {
	case tEq:
		return OpEq, true
	case tNe:
		return OpNe, true
	case tLt:
		return OpLt, true
	case tLe:
		return OpLe, true
	case tGt:
		return OpGt, true
	case tGe:
		return OpGe, true
	case kwLike:
		return OpLike, true
	case kwPrecedes:
		return OpPrecedes, true
	case kwFollows:
		return OpFollows, true
	}
	return 0, false
}

// parseRel parses a comparison. Chains such as a = b = c are accepted and
// associate to the left.
//
//	relExpr := bitExpr { relop bitExpr }
//	relop   := "=" | "<>" | "<" | "<=" | ">" | ">=" | "like" | "precedes" | "follows"
func (p *parser) parseRel() Node {
	x := p.parseBit()
	for {
		op, ok := relOp(p.tok.kind)
		if !ok {
			return x
		}
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: op, X: x, Y: p.parseBit()}
	}
}

func bitOp(k tokKind) (Op, bool) {
	switch k {
	case kwBitAnd:
		return OpBitAnd, true
	case kwBitOr:
		return OpBitOr, true
	case kwBitXor:
		return OpBitXor, true
	case tShr:
		return OpShr, true
	case tShl:
		return OpShl, true
	}
	return 0, false
}

// parseBit parses
//
//	bitExpr := catExpr { ("bitand" | "bitor" | "bitxor" | ">>" | "<<") catExpr }
func (p *parser) parseBit() Node {
	x := p.parseCat()
	for {
		op, ok := bitOp(p.tok.kind)
		if !ok {
			return x
		}
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: op, X: x, Y: p.parseCat()}
	}
}

// parseCat parses
//
//	catExpr := addExpr { "&" addExpr }
func (p *parser) parseCat() Node {
	x := p.parseAdd()
	for p.tok.kind == tAmp {
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: OpConcat, X: x, Y: p.parseAdd()}
	}
	return x
}

// parseAdd parses
//
//	addExpr := mulExpr { ("+" | "-") mulExpr }
func (p *parser) parseAdd() Node {
	x := p.parseMul()
	for p.tok.kind == tPlus || p.tok.kind == tMinus {
		op := OpAdd
		if p.tok.kind == tMinus {
			op = OpSub
		}
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: op, X: x, Y: p.parseMul()}
	}
	return x
}

// parseMul parses
//
//	mulExpr := unary { ("*" | "/") unary }
func (p *parser) parseMul() Node {
	x := p.parseUnary()
	for p.tok.kind == tStar || p.tok.kind == tSlash {
		op := OpMul
		if p.tok.kind == tSlash {
			op = OpDiv
		}
		pos := p.tok.pos
		p.next()
		x = &Binary{OpPos: pos, Op: op, X: x, Y: p.parseUnary()}
	}
	return x
}

// parseUnary parses
//
//	unary := ("-" | "+" | "bitnot") unary | primary
func (p *parser) parseUnary() Node {
	var op Op
	switch p.tok.kind {
	case tMinus:
		op = OpNeg
	case tPlus:
		op = OpPlus
	case kwBitNot:
		op = OpBitNot
	default:
		return p.parsePrimary()
	}
	pos := p.tok.pos
	if !p.enter(pos) {
		return p.bad(pos)
	}
	defer p.leave()
	p.next()
	return &Unary{OpPos: pos, Op: op, X: p.parseUnary()}
}

// parsePrimary parses
//
//	primary := number | string | fieldRef | call | aggrCall | "(" expr ")" | outerSet expr
//	outerSet := setExpr      (only at the start of a lexical scope)
func (p *parser) parsePrimary() Node {
	t := p.tok
	switch t.kind {
	case tNumber:
		p.next()
		v, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			p.semErrorf(t.pos, "number %s is out of range", t.text)
		}
		return &NumberLit{ValuePos: t.pos, Text: t.text, Value: v}
	case tString:
		p.next()
		return &StringLit{ValuePos: t.pos, ValueEnd: t.end, Value: t.text}
	case tQName:
		p.next()
		return p.fieldRef(p.nameOf(t))
	case tIdent:
		if p.peek(1).kind == tLParen {
			return p.parseCall()
		}
		p.next()
		return p.fieldRef(p.nameOf(t))
	case tLParen:
		if !p.enter(t.pos) {
			return p.bad(t.pos)
		}
		defer p.leave()
		p.next()
		saved := p.scope
		p.scope = p.i
		x := p.parseExpr()
		p.scope = saved
		if _, ok := p.expect(tRParen, "to close the parenthesis"); !ok {
			return x
		}
		return x
	case tLBrace:
		if !p.enter(t.pos) {
			return p.bad(t.pos)
		}
		defer p.leave()
		if p.i != p.scope {
			p.semErrorf(t.pos, "a set expression must follow '(' of an aggregation, or start an expression or a parenthesized group")
		}
		before := p.syntaxOK
		set := p.parseSetExpr()
		if p.syntaxOK != before {
			return p.bad(t.pos)
		}
		p.outer = append(p.outer, set)
		saved := p.scope
		p.scope = p.i
		x := p.parseExpr()
		p.scope = saved
		p.outer = p.outer[:len(p.outer)-1]
		return &OuterSet{Set: set, X: x}
	case tIllegal:
		p.syntaxOK++
		p.next()
		return &BadExpr{From: t.pos, To: t.end}
	}
	p.errorf(t.pos, "expected an operand (number, string, name, function call or '('), found %s", p.describe(t))
	return p.bad(t.pos)
}

func (p *parser) nameOf(t token) Name {
	if t.kind == tQName && t.text == "" {
		p.semErrorf(t.pos, "empty name %s%c: a quoted name needs at least one character", string(t.quote), closeQuote(t.quote))
	}
	return Name{NamePos: t.pos, NameEnd: t.end, Text: t.text, Quote: t.quote}
}

func (p *parser) fieldRef(n Name) *FieldRef {
	if p.names == nil {
		p.names = make(map[string]int)
	}
	idx, ok := p.names[n.Text]
	if !ok {
		idx = len(p.names)
		p.names[n.Text] = idx
	}
	return &FieldRef{Name: n, Index: idx}
}

// parseCall parses a function call; the current token is the name and the
// next one is '('.
//
//	call     := name "(" [ "TOTAL" ] [ expr { "," expr } ] ")"      (TOTAL only for chart functions that allow it)
//	aggrCall := aggName "(" [ setExpr ] { "DISTINCT" | "NODISTINCT" | "TOTAL" [ fieldList ] | "ALL" [ fieldList ] } args ")"
func (p *parser) parseCall() Node {
	nameTok := p.tok
	name := p.nameOf(nameTok)
	if !p.enter(nameTok.pos) {
		return p.bad(nameTok.pos)
	}
	defer p.leave()
	p.next() // name
	lparen := p.tok.pos
	p.next() // (
	f := p.reg.Lookup(name.Text)
	if f == nil {
		if name.Text == "$" {
			p.semErrorf(name.NamePos, "dollar-sign expansion $(...) must be done before parsing (see Expand)")
		} else {
			p.semErrorf(name.NamePos, "unknown function %s", name.Text)
		}
	} else if !f.allowed(p.ctx) {
		where := "chart expressions"
		if p.ctx == InScript {
			where = "the load script"
		}
		p.semErrorf(name.NamePos, "function %s cannot be used in %s", f.Name, where)
	}
	if f != nil && f.Kind == KindAggregation {
		return p.parseAggCall(name, f, lparen)
	}
	c := &Call{Name: name, Func: f, Lparen: lparen}
	before := p.syntaxOK
	if p.tok.kind == kwTotal {
		if f != nil && !f.Total {
			p.semErrorf(p.tok.pos, "function %s does not take a TOTAL qualifier", f.Name)
		}
		c.Total = true
		p.next()
	}
	c.Args = p.parseArgs(name.Text)
	c.Rparen = p.tok.pos
	p.expect(tRParen, "to close the argument list of "+name.Text)
	if f != nil && p.syntaxOK == before {
		p.checkArity(name, f, len(c.Args))
	}
	return c
}

func (p *parser) checkArity(name Name, f *Func, n int) {
	if n >= f.MinArgs && (f.MaxArgs == Variadic || n <= f.MaxArgs) {
		return
	}
	var want string
	switch {
	case f.MaxArgs == Variadic:
		want = "at least " + plural(f.MinArgs, "argument")
	case f.MinArgs == f.MaxArgs:
		want = plural(f.MinArgs, "argument")
	default:
		want = strconv.Itoa(f.MinArgs) + " to " + plural(f.MaxArgs, "argument")
	}
	p.semErrorf(name.NamePos, "function %s takes %s, got %d", f.Name, want, n)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// parseArgs parses a possibly empty argument list up to (not including)
// the closing parenthesis. A malformed argument is skipped up to the next
// ',' or ')' so that later arguments are still checked.
//
//	args := [ expr { "," expr } ]
func (p *parser) parseArgs(fn string) []Node {
	if p.tok.kind == tRParen {
		return nil
	}
	var args []Node
	for {
		args = append(args, p.parseArg(fn))
		if p.tok.kind != tComma {
			return args
		}
		p.next()
	}
}

// parseArg parses one argument in its own lexical scope and resynchronizes
// after a syntax error.
func (p *parser) parseArg(fn string) Node {
	before := p.syntaxOK
	saved := p.scope
	p.scope = p.i
	start := p.tok.pos
	x := p.parseExpr()
	p.scope = saved
	if p.tok.kind != tComma && p.tok.kind != tRParen && p.tok.kind != tEOF && p.syntaxOK == before {
		p.errorf(p.tok.pos, "unexpected %s in the arguments of %s; expected ',' or ')'", p.describe(p.tok), fn)
	}
	if p.syntaxOK != before {
		p.skipToArgEnd()
		p.suppress = false
		return &BadExpr{From: start, To: p.tok.pos}
	}
	return x
}

// skipToArgEnd skips tokens up to the next ',' or ')' at the current
// nesting level (or EOF).
func (p *parser) skipToArgEnd() {
	depth := 0
	for p.tok.kind != tEOF {
		switch p.tok.kind {
		case tLParen, tLBrace:
			depth++
		case tRParen, tRBrace:
			if depth == 0 {
				if p.tok.kind == tRParen {
					return
				}
			} else {
				depth--
			}
		case tComma:
			if depth == 0 {
				return
			}
		}
		p.next()
	}
}

// parseAggCall parses the part of an aggregation call after '('.
//
//	aggrCall  := aggName "(" [ setExpr ] { qualifier } args ")"
//	qualifier := "DISTINCT" | "NODISTINCT" | "TOTAL" [ fieldList ] | "ALL" [ fieldList ]
//	fieldList := "<" name { "," name } ">"
//	aggr      := "Aggr" "(" [ setExpr ] [ "DISTINCT" | "NODISTINCT" ] expr "," aggrDim { "," aggrDim } ")"
func (p *parser) parseAggCall(name Name, f *Func, lparen Pos) Node {
	c := &AggCall{Name: name, Func: f, Lparen: lparen}
	if len(p.outer) > 0 {
		c.Outer = append([]*SetExpr(nil), p.outer...)
	}
	before := p.syntaxOK
	if p.tok.kind == tLBrace {
		if p.ctx == InScript {
			p.semErrorf(p.tok.pos, "set expressions cannot be used in the load script")
		}
		c.Set = p.parseSetExpr()
	}
	isAggr := strings.EqualFold(f.Name, "Aggr")
	for p.syntaxOK == before {
		t := p.tok
		switch t.kind {
		case kwDistinct, kwNoDistinct:
			if c.Distinct != DistinctDefault {
				p.semErrorf(t.pos, "%s given twice in %s", strings.ToUpper(t.text), name.Text)
			}
			c.Distinct = Distinct
			if t.kind == kwNoDistinct {
				c.Distinct = NoDistinct
			}
			p.next()
			continue
		case kwTotal, kwAll:
			switch {
			case isAggr:
				p.semErrorf(t.pos, "Aggr does not take a %s qualifier", strings.ToUpper(t.text))
			case p.ctx == InScript:
				p.semErrorf(t.pos, "%s cannot be used in the load script", strings.ToUpper(t.text))
			case c.Scope != ScopeRow:
				p.semErrorf(t.pos, "TOTAL or ALL given twice in %s", name.Text)
			}
			c.Scope = ScopeTotal
			if t.kind == kwAll {
				c.Scope = ScopeAll
			}
			p.next()
			if p.tok.kind == tLt {
				c.ScopeFields = p.parseFieldList()
			}
			continue
		}
		break
	}
	if isAggr {
		c.Args = []Node{p.parseArg(name.Text)}
		if p.tok.kind != tComma {
			if p.syntaxOK == before {
				p.errorf(p.tok.pos, "Aggr needs at least one dimension after the expression")
			}
		}
		for p.tok.kind == tComma {
			p.next()
			d := p.parseAggrDim()
			if d != nil {
				c.Dims = append(c.Dims, d)
			} else {
				p.skipToArgEnd()
				p.suppress = false
			}
		}
	} else if p.syntaxOK == before {
		c.Args = p.parseArgs(name.Text)
	} else {
		p.skipToArgEnd()
	}
	c.Rparen = p.tok.pos
	p.expect(tRParen, "to close the argument list of "+name.Text)
	if p.syntaxOK == before {
		p.checkArity(name, f, len(c.Args))
	}
	return c
}

// parseFieldList parses the field list of TOTAL or ALL.
//
//	fieldList := "<" name { "," name } ">"
func (p *parser) parseFieldList() []Name {
	p.next() // <
	var out []Name
	for {
		t := p.tok
		if t.kind != tIdent && t.kind != tQName {
			if t.kind != tIllegal {
				p.errorf(t.pos, "expected a field name in the TOTAL <...> list, found %s", p.describe(t))
			}
			p.syntaxOK++
			return out
		}
		out = append(out, p.nameOf(t))
		p.next()
		if p.tok.kind == tComma {
			p.next()
			continue
		}
		p.expect(tGt, "to close the field list")
		return out
	}
}

// parseAggrDim parses one Aggr dimension.
//
//	aggrDim := name | "(" name { "," sortCrit } ")"
func (p *parser) parseAggrDim() *AggrDim {
	t := p.tok
	switch t.kind {
	case tIdent, tQName:
		p.next()
		return &AggrDim{Lparen: NoPos, Rparen: NoPos, Field: p.nameOf(t)}
	case tLParen:
		if !p.enter(t.pos) {
			return nil
		}
		defer p.leave()
		p.next()
		return p.parseStructured(t.pos)
	}
	if t.kind != tIllegal {
		p.errorf(t.pos, "expected an Aggr dimension (a field name), found %s", p.describe(t))
	}
	p.syntaxOK++
	return nil
}

// parseStructured parses a structured parameter after its '('.
//
//	structured := "(" name { "," sortCrit } ")"
func (p *parser) parseStructured(lparen Pos) *AggrDim {
	t := p.tok
	if t.kind != tIdent && t.kind != tQName {
		if t.kind != tIllegal {
			p.errorf(t.pos, "expected a field name in the structured Aggr parameter, found %s", p.describe(t))
		}
		p.syntaxOK++
		return nil
	}
	p.next()
	d := &AggrDim{Lparen: lparen, Field: p.nameOf(t)}
	for p.tok.kind == tComma {
		p.next()
		sc := p.parseSortCrit()
		if sc == nil {
			return nil
		}
		d.Sort = append(d.Sort, sc)
	}
	d.Rparen = p.tok.pos
	if _, ok := p.expect(tRParen, "to close the structured Aggr parameter"); !ok {
		return nil
	}
	return d
}

var sortTypes = map[string]bool{"numeric": true, "text": true, "frequency": true, "load_order": true}

var sortOrders = map[string]bool{
	"ascending": true, "descending": true, "reverse": true, "a2z": true, "z2a": true, "original": true,
}

// parseSortCrit parses one sort criterion of a structured parameter.
//
//	sortCrit := "(" sortType [ "," order ] ")"
//	          | "(" "=" expr [ "," order ] ")"
//	          | "(" name { "," sortCrit } ")"
//	sortType := NUMERIC | TEXT | FREQUENCY | LOAD_ORDER
//	order    := ASCENDING | DESCENDING | REVERSE | A2Z | Z2A | ORIGINAL
func (p *parser) parseSortCrit() *SortCrit {
	lp, ok := p.expect(tLParen, "to start a sort criterion")
	if !ok {
		return nil
	}
	if !p.enter(lp.pos) {
		return nil
	}
	defer p.leave()
	sc := &SortCrit{Lparen: lp.pos}
	t := p.tok
	switch {
	case t.kind == tEq:
		p.next()
		before := p.syntaxOK
		saved := p.scope
		p.scope = p.i
		sc.Expr = p.parseExpr()
		p.scope = saved
		if p.syntaxOK != before {
			return nil
		}
	case t.kind == tIdent && sortTypes[strings.ToLower(t.text)] &&
		(p.peek(1).kind == tRParen || p.peek(1).kind == tComma && p.peek(2).kind == tIdent):
		sc.Type = t.text
		p.next()
	case t.kind == tIdent || t.kind == tQName:
		d := p.parseStructured(lp.pos)
		if d == nil {
			return nil
		}
		sc.Nested = d
		sc.Rparen = d.Rparen
		return sc
	default:
		if t.kind != tIllegal {
			p.errorf(t.pos, "expected a sort type, '=' expression or field name in the sort criterion, found %s", p.describe(t))
		}
		p.syntaxOK++
		return nil
	}
	if p.tok.kind == tComma {
		p.next()
		o := p.tok
		if o.kind != tIdent || !sortOrders[strings.ToLower(o.text)] {
			p.errorf(o.pos, "expected a sort order (ASCENDING, DESCENDING, REVERSE, A2Z, Z2A or ORIGINAL), found %s", p.describe(o))
			return nil
		}
		sc.Order = o.text
		p.next()
	}
	sc.Rparen = p.tok.pos
	if _, ok := p.expect(tRParen, "to close the sort criterion"); !ok {
		return nil
	}
	return sc
}

func closeQuote(open byte) byte {
	if open == '[' {
		return ']'
	}
	return open
}
