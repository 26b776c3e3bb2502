package script

import (
	"fmt"
	"strings"
)

// openBlockAt pushes a block onto the stack of open blocks and returns the
// function that pops it.
func (p *parser) openBlockAt(kind string, pos int) func() {
	p.open = append(p.open, openBlock{kind: kind, pos: pos})
	return func() { p.open = p.open[:len(p.open)-1] }
}

// header finishes the opening clause of a block: it records err (skipping
// the rest of the line) or checks that the clause ends there.
func (p *parser) header(err error, st Stmt) {
	if err == nil {
		err = p.endControl(st)
	}
	if err != nil {
		p.addErr(err)
		p.recover(true)
	}
}

// unclosed reports a block that ends without its closing clause.
func (p *parser) unclosed(start int, what, closing string) {
	p.addErr(&synErr{pos: start, msg: fmt.Sprintf("%s is not closed: missing %s", what, closing)})
}

// clauseEnd consumes a closing clause of one or two keywords ("END IF",
// "ENDIF", "LOOP" ...) and checks that it ends the line.
func (p *parser) clauseEnd(c string) {
	p.next()
	if strings.HasPrefix(c, "end ") {
		p.next()
	}
	if err := p.endControl(nil); err != nil {
		p.addErr(err)
		p.recover(true)
	}
}

// parseIf parses an IF block.
//
//	if := "IF" expr "THEN" stmts { "ELSEIF" expr "THEN" stmts } [ "ELSE" stmts ] ( "END" "IF" | "ENDIF" )
func (p *parser) parseIf(start int) Stmt {
	p.next()
	st := &If{}
	var err error
	st.Cond, err = p.thenCond("IF")
	st.StmtInfo = p.info(start)
	if p.single {
		p.afterThen(err)
		return st
	}
	p.afterThen(err)
	defer p.openBlockAt("if", start)()
	body, c := p.parseStmts()
	st.Then = body
	for {
		switch c {
		case "elseif":
			t := p.next()
			cl := &ElseIf{}
			cl.Cond, err = p.thenCond("ELSEIF")
			cl.StmtInfo = p.info(t.pos)
			if st.Else != nil {
				p.addErr(&synErr{pos: t.pos, msg: "ELSEIF after ELSE"})
			}
			p.afterThen(err)
			cl.Body, c = p.parseStmts()
			if st.Else == nil {
				st.ElseIfs = append(st.ElseIfs, cl)
			}
		case "else":
			t := p.next()
			cl := &Else{StmtInfo: p.info(t.pos)}
			if st.Else != nil {
				p.addErr(&synErr{pos: t.pos, msg: "second ELSE in IF"})
			}
			p.acceptPunct(';')
			cl.Body, c = p.parseStmts()
			if st.Else == nil {
				st.Else = cl
			}
		case "end if", "endif":
			p.clauseEnd(c)
			return st
		default:
			p.unclosed(start, "IF", "END IF")
			return st
		}
	}
}

// thenCond parses the condition of IF or ELSEIF and the THEN after it.
func (p *parser) thenCond(what string) (Expr, error) {
	e, err := p.span(thenStops)
	if err != nil {
		return e, err
	}
	if e.Src == "" {
		return e, p.expected(p.peek(), what, "a condition")
	}
	if t := p.peek(); !t.is("then") {
		return e, p.expected(t, what+" "+brief(e.Src), "THEN")
	}
	p.next()
	return e, nil
}

// afterThen finishes an IF or ELSEIF clause: statements may follow THEN on
// the same line.
func (p *parser) afterThen(err error) {
	if err != nil {
		p.addErr(err)
		p.recover(true)
		return
	}
	p.acceptPunct(';')
}

// parseFor parses a FOR or FOR EACH block.
//
//	for := "FOR" name "=" expr "TO" expr [ "STEP" expr ] stmts "NEXT" [ name ]
//	foreach := "FOR" "EACH" name "IN" expr { "," expr } stmts "NEXT" [ name ]
func (p *parser) parseFor(start int) Stmt {
	p.next()
	var st Stmt
	var body *[]Stmt
	var next **Name
	var err error
	if t := p.peek(); t.is("each") && !p.peek2().isPunct('=') {
		p.next()
		fe := &ForEach{}
		err = p.forEachHeader(fe)
		fe.StmtInfo = p.info(start)
		st, body, next = fe, &fe.Body, &fe.Next
	} else {
		f := &For{}
		err = p.forHeader(f)
		f.StmtInfo = p.info(start)
		st, body, next = f, &f.Body, &f.Next
	}
	p.header(err, st)
	if p.single {
		return st
	}
	defer p.openBlockAt("for", start)()
	var c string
	*body, c = p.parseStmts()
	if c != "next" {
		p.unclosed(start, "FOR", "NEXT")
		return st
	}
	p.next()
	if t := p.peek(); !t.nl && (t.kind == tWord || t.kind == tQuoted) {
		n := p.name(p.next())
		*next = &n
	}
	if err := p.endControl(nil); err != nil {
		p.addErr(err)
		p.recover(true)
	}
	return st
}

func (p *parser) forHeader(f *For) error {
	v, err := p.parseVarName("FOR")
	if err != nil {
		return err
	}
	f.Var = v
	if t := p.peek(); !t.isPunct('=') || t.nl {
		return p.missing(true, "FOR "+v.String(), `"="`)
	}
	p.next()
	from := &stops{eol: true, words: wordSet("to")}
	if f.From, err = p.span(from); err != nil {
		return err
	}
	if f.From.Src == "" {
		return p.missing(true, "FOR "+v.String()+" =", "a start value")
	}
	if t := p.peek(); !t.is("to") || t.nl {
		return p.missing(true, "FOR "+v.String()+" = "+brief(f.From.Src), "TO")
	}
	p.next()
	if f.To, err = p.span(&stops{eol: true, words: wordSet("step")}); err != nil {
		return err
	}
	if f.To.Src == "" {
		return p.missing(true, "FOR ... TO", "an end value")
	}
	if t := p.peek(); t.is("step") && !t.nl {
		p.next()
		s, err := p.span(eolStops)
		if err != nil {
			return err
		}
		if s.Src == "" {
			return p.missing(true, "FOR ... STEP", "a step value")
		}
		f.Step = &s
	}
	return nil
}

func (p *parser) forEachHeader(f *ForEach) error {
	v, err := p.parseVarName("FOR EACH")
	if err != nil {
		return err
	}
	f.Var = v
	if t := p.peek(); !t.is("in") || t.nl {
		return p.missing(true, "FOR EACH "+v.String(), "IN")
	}
	p.next()
	f.Items, err = p.spanList(eolStops, "FOR EACH "+v.String()+" IN", false)
	return err
}

// parseDo parses a DO block.
//
//	do := "DO" [ ( "WHILE" | "UNTIL" ) expr ] stmts "LOOP" [ ( "WHILE" | "UNTIL" ) expr ]
func (p *parser) parseDo(start int) Stmt {
	p.next()
	st := &Do{}
	var err error
	st.Pre, err = p.parseCondition("DO", true)
	st.StmtInfo = p.info(start)
	p.header(err, st)
	if p.single {
		return st
	}
	defer p.openBlockAt("do", start)()
	var c string
	st.Body, c = p.parseStmts()
	if c != "loop" {
		p.unclosed(start, "DO", "LOOP")
		return st
	}
	p.next()
	st.Post, err = p.parseCondition("LOOP", true)
	if err == nil {
		err = p.endControl(nil)
	}
	if err != nil {
		p.addErr(err)
		p.recover(true)
	}
	return st
}

// parseSub parses a SUB block.
//
//	sub := "SUB" name [ "(" [ name { "," name } ] ")" ] stmts ( "END" "SUB" | "ENDSUB" )
func (p *parser) parseSub(start int) Stmt {
	p.next()
	st := &Sub{}
	err := p.subHeader(st)
	st.StmtInfo = p.info(start)
	p.header(err, st)
	if p.single {
		return st
	}
	defer p.openBlockAt("sub", start)()
	var c string
	st.Body, c = p.parseStmts()
	if c != "end sub" && c != "endsub" {
		p.unclosed(start, "SUB", "END SUB")
		return st
	}
	p.clauseEnd(c)
	return st
}

func (p *parser) subHeader(st *Sub) error {
	t := p.peek()
	if t.kind != tWord && t.kind != tQuoted || t.nl {
		return p.missing(true, "SUB", "a subroutine name")
	}
	st.Name = p.name(p.next())
	if t := p.peek(); !t.isPunct('(') || t.nl {
		return nil
	}
	p.next()
	if p.acceptPunct(')') {
		return nil
	}
	params, err := p.parseNameList("SUB " + st.Name.String() + " parameters")
	if err != nil {
		return err
	}
	st.Params = params
	return p.expectPunct(')', "SUB "+st.Name.String()+" parameters")
}

// parseSwitch parses a SWITCH block.
//
//	switch := "SWITCH" expr { "CASE" expr { "," expr } stmts } [ "DEFAULT" stmts ] ( "END" "SWITCH" | "ENDSWITCH" )
func (p *parser) parseSwitch(start int) Stmt {
	p.next()
	st := &Switch{}
	var err error
	st.Expr, err = p.span(eolStops)
	if err == nil && st.Expr.Src == "" {
		err = p.missing(true, "SWITCH", "an expression")
	}
	st.StmtInfo = p.info(start)
	p.header(err, st)
	if p.single {
		return st
	}
	defer p.openBlockAt("switch", start)()
	stray, c := p.parseStmts()
	if len(stray) > 0 {
		p.addErr(&synErr{pos: stray[0].Info().Pos - p.base, msg: "statement outside CASE or DEFAULT in SWITCH"})
	}
	for {
		switch c {
		case "case":
			t := p.next()
			cl := &Case{}
			cl.Values, err = p.spanList(eolStops, "CASE", false)
			cl.StmtInfo = p.info(t.pos)
			if err == nil && st.Default != nil {
				err = &synErr{pos: t.pos, msg: "CASE after DEFAULT"}
			}
			p.header(err, nil)
			cl.Body, c = p.parseStmts()
			if st.Default == nil {
				st.Cases = append(st.Cases, cl)
			}
		case "default":
			t := p.next()
			cl := &Default{StmtInfo: p.info(t.pos)}
			err = nil
			if st.Default != nil {
				err = &synErr{pos: t.pos, msg: "second DEFAULT in SWITCH"}
			}
			p.header(err, nil)
			cl.Body, c = p.parseStmts()
			if st.Default == nil {
				st.Default = cl
			}
		case "end switch", "endswitch":
			p.clauseEnd(c)
			return st
		default:
			p.unclosed(start, "SWITCH", "END SWITCH")
			return st
		}
	}
}
