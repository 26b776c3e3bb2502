package script

import (
	"fmt"
	"strings"
)

// stmtKind says how a statement ends.
type stmtKind uint8

const (
	kindRegular stmtKind = iota // ends at ';'
	kindControl                 // ends at ';' or at the end of the line
	kindBlock                   // a control block, which consumed its own end
)

// prefixWords are the LOAD/SELECT prefixes.
var prefixWords = wordSet("concatenate", "noconcatenate", "join", "inner", "outer", "left", "right",
	"keep", "mapping", "crosstable", "generic", "intervalmatch", "hierarchy", "hierarchybelongsto",
	"first", "sample", "add", "replace", "buffer", "semantic")

// statementWords are the keywords that start a statement that may follow a
// WHEN/UNLESS condition or a FIRST/SAMPLE count, so they end those spans.
var statementWords = func() map[string]bool {
	m := wordSet("load", "select", "sql", "set", "let", "drop", "rename", "store", "map", "unmap",
		"qualify", "unqualify", "loosen", "nullasvalue", "nullasnull", "tag", "untag", "comment",
		"alias", "binary", "section", "directory", "lib", "connect", "odbc", "oledb", "custom",
		"disconnect", "trace", "sleep", "execute", "force", "search", "declare", "derive", "exit", "call",
		"when", "unless")
	for w := range prefixWords {
		m[w] = true
	}
	return m
}()

// functionWords are statement words that are also function names: they
// only end a span when no '(' follows.
var functionWords = wordSet("left", "right", "replace")

var (
	stmtStops = &stops{words: statementWords, callable: functionWords}
	eolStops  = &stops{eol: true}
	thenStops = &stops{words: wordSet("then")}
)

// parseStatement parses one statement without its terminator. label is the
// label already read before a WHEN prefix, or nil.
//
//	stmt := [ label ":" ] ( tablestmt | when | declare )
//	      | set | let | assignment | drop | rename | store | ... | control
func (p *parser) parseStatement(label *Name) (Stmt, stmtKind, error) {
	t := p.peek()
	start := t.pos
	if label == nil && p.isLabel() {
		n := p.name(p.next())
		p.next() // ':'
		label = &n
		t = p.peek()
	}
	if t.kind == tIllegal {
		return nil, kindRegular, p.errAt(t, "")
	}
	if label == nil && (t.kind == tWord || t.kind == tQuoted) && p.peek2().isPunct('=') {
		st, err := p.parseLet(start, true)
		return st, kindRegular, err
	}
	var buf [24]byte
	kw := t.keyword(&buf)
	switch {
	case kw == "load" || kw == "select" || kw == "sql" || prefixWords[kw]:
		st, err := p.parseTableStmt(start, label)
		return st, kindRegular, err
	case kw == "when" || kw == "unless":
		return p.parseWhen(start, label)
	case kw == "declare":
		p.next()
		text, _, err := p.raw(false)
		return &Declare{StmtInfo: p.info(start), Label: label, Text: text}, kindRegular, err
	}
	if label != nil {
		return nil, kindRegular, p.errAt(t, fmt.Sprintf("expected LOAD, SELECT or a prefix after the label %s, found %s", label, t.describe()))
	}
	var st Stmt
	var err error
	switch kw {
	case "set":
		st, err = p.parseSet(start)
	case "let":
		st, err = p.parseLet(start, false)
	case "drop":
		st, err = p.parseDrop(start)
	case "rename":
		st, err = p.parseRename(start)
	case "store":
		st, err = p.parseStore(start)
	case "map":
		st, err = p.parseMap(start)
	case "qualify", "unqualify", "unmap", "nullasvalue", "nullasnull":
		st, err = p.parseFieldListStmt(start, kw)
	case "loosen":
		st, err = p.parseLoosen(start)
	case "tag", "untag":
		st, err = p.parseTag(start, kw == "untag")
	case "comment":
		st, err = p.parseComment(start)
	case "alias":
		st, err = p.parseAlias(start)
	case "binary":
		p.next()
		var f Name
		f, err = p.parseFileName("BINARY")
		st = &Binary{StmtInfo: p.info(start), File: f}
	case "section":
		st, err = p.parseSection(start)
	case "directory":
		p.next()
		d := &Directory{}
		if t := p.peek(); !t.isPunct(';') && t.kind != tEOF {
			var f Name
			f, err = p.parseFileName("DIRECTORY")
			d.Path = &f
		}
		d.StmtInfo = p.info(start)
		st = d
	case "lib":
		st, err = p.parseLibConnect(start)
	case "connect", "connect32", "connect64", "odbc", "oledb", "custom":
		st, err = p.parseConnect(start)
	case "disconnect":
		p.next()
		st = &Disconnect{StmtInfo: p.info(start)}
	case "trace":
		p.next()
		var text string
		text, _, err = p.raw(false)
		st = &Trace{StmtInfo: p.info(start), Text: text}
	case "sleep":
		p.next()
		var e Expr
		if e, err = p.span(&stops{}); err == nil && e.Src == "" {
			err = p.expected(p.peek(), "SLEEP", "a duration in milliseconds")
		}
		st = &Sleep{StmtInfo: p.info(start), Duration: e}
	case "execute":
		p.next()
		var text string
		if text, _, err = p.raw(false); err == nil && text == "" {
			err = p.expected(p.peek(), "EXECUTE", "a command")
		}
		st = &Execute{StmtInfo: p.info(start), Command: text}
	case "force":
		st, err = p.parseForce(start)
	case "search":
		st, err = p.parseSearch(start)
	case "derive":
		p.next()
		var text string
		text, _, err = p.raw(false)
		st = &Derive{StmtInfo: p.info(start), Text: text}
	case "exit":
		st, err = p.parseExit(start)
		return st, kindControl, err
	case "call":
		st, err = p.parseCall(start)
		return st, kindControl, err
	case "if":
		return p.parseIf(start), kindBlock, nil
	case "for":
		return p.parseFor(start), kindBlock, nil
	case "do":
		return p.parseDo(start), kindBlock, nil
	case "sub":
		return p.parseSub(start), kindBlock, nil
	case "switch":
		return p.parseSwitch(start), kindBlock, nil
	case "end":
		return nil, kindControl, p.expected(p.peek2(), "END", "IF, SUB or SWITCH")
	default:
		if t.dollar {
			return nil, kindRegular, p.errAt(t, "statement starts with an expansion")
		}
		if t.kind == tEOF {
			return nil, kindRegular, p.errAt(t, "unexpected end of script: expected a statement")
		}
		return nil, kindRegular, p.errAt(t, fmt.Sprintf("unknown statement starting with %s", t.describe()))
	}
	return st, kindRegular, err
}

// parseSet parses a SET statement.
//
//	set := "SET" name "=" text
func (p *parser) parseSet(start int) (Stmt, error) {
	p.next()
	n, err := p.parseVarName("SET")
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct('=', "SET "+n.String()); err != nil {
		return nil, err
	}
	text, at, err := p.raw(false)
	if err != nil {
		return nil, err
	}
	return &Set{StmtInfo: p.info(start), Name: n, Value: Expr{Src: text, Pos: p.base + at}}, nil
}

// parseVarName parses the variable name of an assignment.
func (p *parser) parseVarName(what string) (Name, error) {
	t := p.peek()
	if t.kind != tWord && t.kind != tQuoted {
		return Name{}, p.expected(t, what, "a variable name")
	}
	p.next()
	return p.name(t), nil
}

// parseLet parses a LET statement or a bare assignment.
//
//	let := "LET" name "=" expr
//	assignment := name "=" expr
func (p *parser) parseLet(start int, bare bool) (Stmt, error) {
	what := "assignment"
	if !bare {
		p.next()
		what = "LET"
	}
	n, err := p.parseVarName(what)
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct('=', what+" "+n.String()); err != nil {
		return nil, err
	}
	e, err := p.span(&stops{})
	if err != nil {
		return nil, err
	}
	return &Let{StmtInfo: p.info(start), Name: n, Value: e, Bare: bare}, nil
}

// parseDrop parses a DROP statement.
//
//	drop := "DROP" ( "TABLE" | "TABLES" ) namelist
//	      | "DROP" ( "FIELD" | "FIELDS" ) patternlist [ "FROM" namelist ]
func (p *parser) parseDrop(start int) (Stmt, error) {
	p.next()
	d := &Drop{}
	t := p.next()
	var err error
	switch {
	case t.is("table") || t.is("tables"):
		d.Tables = true
		d.Names, err = p.parseNameList("DROP TABLE")
	case t.is("field") || t.is("fields"):
		if d.Names, err = p.parsePatternList("DROP FIELD"); err == nil && p.accept("from") {
			d.From, err = p.parseNameList("DROP FIELD ... FROM")
		}
	default:
		return nil, p.expected(t, "DROP", "TABLE or FIELD")
	}
	if err != nil {
		return nil, err
	}
	d.StmtInfo = p.info(start)
	return d, nil
}

// parseRename parses a RENAME statement.
//
//	rename := "RENAME" ( "TABLE" | "TABLES" | "FIELD" | "FIELDS" )
//	          ( "USING" name | name "TO" name { "," name "TO" name } )
func (p *parser) parseRename(start int) (Stmt, error) {
	p.next()
	r := &Rename{}
	t := p.next()
	switch {
	case t.is("table") || t.is("tables"):
		r.Tables = true
	case t.is("field") || t.is("fields"):
	default:
		return nil, p.expected(t, "RENAME", "TABLE or FIELD")
	}
	if p.accept("using") {
		n, err := p.parseName("RENAME ... USING")
		if err != nil {
			return nil, err
		}
		r.Using = &n
	} else {
		for {
			from, err := p.parseName("RENAME")
			if err != nil {
				return nil, err
			}
			if err := p.expect("to", "RENAME "+from.String()); err != nil {
				return nil, err
			}
			to, err := p.parseName("RENAME ... TO")
			if err != nil {
				return nil, err
			}
			r.Pairs = append(r.Pairs, RenamePair{From: from, To: to})
			if !p.acceptPunct(',') {
				break
			}
		}
	}
	r.StmtInfo = p.info(start)
	return r, nil
}

// parseStore parses a STORE statement.
//
//	store := "STORE" [ storefield { "," storefield } "FROM" ] name "INTO" file [ format ]
//	storefield := pattern [ "AS" name ]
func (p *parser) parseStore(start int) (Stmt, error) {
	p.next()
	s := &Store{}
	var items []StoreField
	for {
		n, err := p.parsePattern("STORE")
		if err != nil {
			return nil, err
		}
		f := StoreField{Name: n}
		if p.accept("as") {
			a, err := p.parseName("STORE ... AS")
			if err != nil {
				return nil, err
			}
			f.Alias = &a
		}
		items = append(items, f)
		if !p.acceptPunct(',') {
			break
		}
	}
	if p.accept("from") {
		s.Fields = items
		t, err := p.parseName("STORE ... FROM")
		if err != nil {
			return nil, err
		}
		s.Table = t
	} else {
		if len(items) > 1 || items[0].Alias != nil {
			return nil, p.expected(p.peek(), "STORE with a field list", "FROM")
		}
		s.Table = items[0].Name
	}
	if err := p.expect("into", "STORE "+s.Table.String()); err != nil {
		return nil, err
	}
	f, err := p.parseFileName("STORE ... INTO")
	if err != nil {
		return nil, err
	}
	s.File = f
	if s.Format, err = p.parseFormatOpt(); err != nil {
		return nil, err
	}
	s.StmtInfo = p.info(start)
	return s, nil
}

// parseMap parses a MAP statement.
//
//	map := "MAP" patternlist "USING" name
func (p *parser) parseMap(start int) (Stmt, error) {
	p.next()
	fields, err := p.parsePatternList("MAP")
	if err != nil {
		return nil, err
	}
	if err := p.expect("using", "MAP"); err != nil {
		return nil, err
	}
	m, err := p.parseName("MAP ... USING")
	if err != nil {
		return nil, err
	}
	return &Map{StmtInfo: p.info(start), Fields: fields, Using: m}, nil
}

// parseFieldListStmt parses the statements made of a keyword and a field
// list.
//
//	qualify := ( "QUALIFY" | "UNQUALIFY" | "UNMAP" | "NULLASVALUE" | "NULLASNULL" ) patternlist
func (p *parser) parseFieldListStmt(start int, kw string) (Stmt, error) {
	p.next()
	fields, err := p.parsePatternList(strings.ToUpper(kw))
	if err != nil {
		return nil, err
	}
	info := p.info(start)
	switch kw {
	case "qualify":
		return &Qualify{StmtInfo: info, Fields: fields}, nil
	case "unqualify":
		return &Unqualify{StmtInfo: info, Fields: fields}, nil
	case "unmap":
		return &Unmap{StmtInfo: info, Fields: fields}, nil
	case "nullasvalue":
		return &NullAsValue{StmtInfo: info, Fields: fields}, nil
	}
	return &NullAsNull{StmtInfo: info, Fields: fields}, nil
}

// parseLoosen parses a LOOSEN statement.
//
//	loosen := "LOOSEN" ( "TABLE" | "TABLES" ) namelist
func (p *parser) parseLoosen(start int) (Stmt, error) {
	p.next()
	if t := p.next(); !t.is("table") && !t.is("tables") {
		return nil, p.expected(t, "LOOSEN", "TABLE")
	}
	names, err := p.parseNameList("LOOSEN TABLE")
	if err != nil {
		return nil, err
	}
	return &Loosen{StmtInfo: p.info(start), Tables: names}, nil
}

// parseTag parses a TAG or UNTAG statement.
//
//	tag := ( "TAG" | "UNTAG" ) [ "FIELD" | "FIELDS" ] ( "USING" name | patternlist ( "WITH" name | "USING" name ) )
func (p *parser) parseTag(start int, untag bool) (Stmt, error) {
	kw := "TAG"
	if untag {
		kw = "UNTAG"
	}
	p.next()
	if !p.accept("field") {
		p.accept("fields")
	}
	var fields []Name
	var with, using *Name
	if !p.peek().is("using") {
		var err error
		if fields, err = p.parsePatternList(kw); err != nil {
			return nil, err
		}
	}
	t := p.next()
	n, err := p.parseName(kw + " " + strings.ToUpper(t.text))
	switch {
	case t.is("with") && fields != nil:
		with = &n
	case t.is("using"):
		using = &n
	default:
		return nil, p.expected(t, kw, "WITH or USING")
	}
	if err != nil {
		return nil, err
	}
	info := p.info(start)
	if untag {
		return &Untag{StmtInfo: info, Fields: fields, With: with, Using: using}, nil
	}
	return &Tag{StmtInfo: info, Fields: fields, With: with, Using: using}, nil
}

// parseComment parses a COMMENT statement.
//
//	comment := "COMMENT" [ "FIELD" | "FIELDS" | "TABLE" | "TABLES" ] ( "USING" name | patternlist ( "WITH" name | "USING" name ) )
func (p *parser) parseComment(start int) (Stmt, error) {
	p.next()
	c := &Comment{}
	switch t := p.peek(); {
	case t.is("table") || t.is("tables"):
		c.Tables = true
		p.next()
	case t.is("field") || t.is("fields"):
		p.next()
	}
	if !p.peek().is("using") {
		var err error
		if c.Names, err = p.parsePatternList("COMMENT"); err != nil {
			return nil, err
		}
	}
	t := p.next()
	n, err := p.parseName("COMMENT " + strings.ToUpper(t.text))
	switch {
	case t.is("with") && c.Names != nil:
		c.With = &n
	case t.is("using"):
		c.Using = &n
	default:
		return nil, p.expected(t, "COMMENT", "WITH or USING")
	}
	if err != nil {
		return nil, err
	}
	c.StmtInfo = p.info(start)
	return c, nil
}

// parseAlias parses an ALIAS statement.
//
//	alias := "ALIAS" name "AS" name { "," name "AS" name }
func (p *parser) parseAlias(start int) (Stmt, error) {
	p.next()
	a := &Alias{}
	for {
		f, err := p.parseName("ALIAS")
		if err != nil {
			return nil, err
		}
		if err := p.expect("as", "ALIAS "+f.String()); err != nil {
			return nil, err
		}
		n, err := p.parseName("ALIAS ... AS")
		if err != nil {
			return nil, err
		}
		a.Pairs = append(a.Pairs, AliasPair{Field: f, Alias: n})
		if !p.acceptPunct(',') {
			break
		}
	}
	a.StmtInfo = p.info(start)
	return a, nil
}

// parseSection parses a SECTION statement.
//
//	section := "SECTION" ( "ACCESS" | "APPLICATION" )
func (p *parser) parseSection(start int) (Stmt, error) {
	p.next()
	t := p.next()
	if !t.is("access") && !t.is("application") {
		return nil, p.expected(t, "SECTION", "ACCESS or APPLICATION")
	}
	return &Section{StmtInfo: p.info(start), Access: t.is("access")}, nil
}

// parseLibConnect parses LIB CONNECT TO.
//
//	libconnect := "LIB" "CONNECT" "TO" name
func (p *parser) parseLibConnect(start int) (Stmt, error) {
	p.next()
	if err := p.expect("connect", "LIB"); err != nil {
		return nil, err
	}
	if err := p.expect("to", "LIB CONNECT"); err != nil {
		return nil, err
	}
	n, err := p.parseName("LIB CONNECT TO")
	if err != nil {
		return nil, err
	}
	return &LibConnect{StmtInfo: p.info(start), Name: n}, nil
}

// parseConnect parses a database CONNECT statement, kept raw.
//
//	connect := [ "ODBC" | "OLEDB" | "CUSTOM" ] ( "CONNECT" | "CONNECT32" | "CONNECT64" ) text
func (p *parser) parseConnect(start int) (Stmt, error) {
	c := &Connect{}
	if t := p.peek(); !strings.HasPrefix(strings.ToLower(t.text), "connect") {
		c.Provider = strings.ToUpper(t.text)
		p.next()
	}
	t := p.peek()
	switch {
	case t.is("connect"), t.is("connect32"), t.is("connect64"):
	default:
		return nil, p.expected(t, c.Provider, "CONNECT")
	}
	text, _, err := p.raw(false)
	if err != nil {
		return nil, err
	}
	c.Text = text
	c.StmtInfo = p.info(start)
	return c, nil
}

// parseForce parses a FORCE statement.
//
//	force := "FORCE" ( "CAPITAL" | "CASE" ( "UPPER" | "LOWER" | "MIXED" ) )
func (p *parser) parseForce(start int) (Stmt, error) {
	p.next()
	f := &Force{}
	t := p.next()
	switch {
	case t.is("capital"):
		f.Mode = ForceCapital
	case t.is("case"):
		m := p.next()
		switch {
		case m.is("upper"):
			f.Mode = ForceUpper
		case m.is("lower"):
			f.Mode = ForceLower
		case m.is("mixed"):
			f.Mode = ForceMixed
		default:
			return nil, p.expected(m, "FORCE CASE", "UPPER, LOWER or MIXED")
		}
	default:
		return nil, p.expected(t, "FORCE", "CAPITAL or CASE")
	}
	f.StmtInfo = p.info(start)
	return f, nil
}

// parseSearch parses a SEARCH statement.
//
//	search := "SEARCH" ( "INCLUDE" | "EXCLUDE" ) patternlist
func (p *parser) parseSearch(start int) (Stmt, error) {
	p.next()
	t := p.next()
	if !t.is("include") && !t.is("exclude") {
		return nil, p.expected(t, "SEARCH", "INCLUDE or EXCLUDE")
	}
	fields, err := p.parsePatternList("SEARCH")
	if err != nil {
		return nil, err
	}
	return &Search{StmtInfo: p.info(start), Exclude: t.is("exclude"), Fields: fields}, nil
}

// parseCondition parses an optional WHEN/UNLESS (or WHILE/UNTIL) condition
// on the same line.
//
//	condition := ( "WHEN" | "UNLESS" ) expr    (or "WHILE" | "UNTIL" for DO and LOOP)
func (p *parser) parseCondition(what string, loop bool) (*Condition, error) {
	t := p.peek()
	if t.nl {
		return nil, nil
	}
	var k CondKind
	switch {
	case !loop && t.is("when"):
		k = CondWhen
	case !loop && t.is("unless"):
		k = CondUnless
	case loop && t.is("while"):
		k = CondWhile
	case loop && t.is("until"):
		k = CondUntil
	default:
		return nil, nil
	}
	p.next()
	e, err := p.span(eolStops)
	if err != nil {
		return nil, err
	}
	if e.Src == "" {
		return nil, p.missing(true, what+" "+k.String(), "a condition")
	}
	return &Condition{Kind: k, Expr: e}, nil
}

// parseExit parses an EXIT statement.
//
//	exit := "EXIT" ( "SCRIPT" | "FOR" | "DO" | "SUB" ) [ condition ]
func (p *parser) parseExit(start int) (Stmt, error) {
	p.next()
	x := &Exit{}
	t := p.peek()
	switch {
	case t.is("script"):
		x.Kind = ExitScript
	case t.is("for"):
		x.Kind = ExitFor
	case t.is("do"):
		x.Kind = ExitDo
	case t.is("sub"):
		x.Kind = ExitSub
	default:
		return nil, p.expected(t, "EXIT", "SCRIPT, FOR, DO or SUB")
	}
	p.next()
	c, err := p.parseCondition("EXIT "+x.Kind.String(), false)
	if err != nil {
		return nil, err
	}
	x.Cond = c
	x.StmtInfo = p.info(start)
	return x, nil
}

// parseCall parses a CALL statement.
//
//	call := "CALL" name [ "(" [ expr { "," expr } ] ")" ]
func (p *parser) parseCall(start int) (Stmt, error) {
	p.next()
	c := &Call{}
	t := p.peek()
	if t.kind != tWord && t.kind != tQuoted || t.nl {
		return nil, p.missing(true, "CALL", "a subroutine name")
	}
	c.Name = p.name(p.next())
	if t := p.peek(); t.isPunct('(') && !t.nl {
		p.next()
		if !p.acceptPunct(')') {
			args, err := p.spanList(&stops{rparen: true}, "CALL "+c.Name.String(), false)
			if err != nil {
				return nil, err
			}
			c.Args = args
			if err := p.expectPunct(')', "CALL "+c.Name.String()); err != nil {
				return nil, err
			}
		}
	}
	c.StmtInfo = p.info(start)
	return c, nil
}

// parseWhen parses the WHEN/UNLESS prefix form; label is a label read
// before it (it belongs to the LOAD or SELECT that follows).
//
//	when := ( "WHEN" | "UNLESS" ) expr stmt
func (p *parser) parseWhen(start int, label *Name) (Stmt, stmtKind, error) {
	w := &When{}
	kw := p.next()
	w.Cond.Kind = CondWhen
	if kw.is("unless") {
		w.Cond.Kind = CondUnless
	}
	e, err := p.span(stmtStops)
	if err != nil {
		return nil, kindRegular, err
	}
	if e.Src == "" {
		return nil, kindRegular, p.expected(p.peek(), w.Cond.Kind.String(), "a condition")
	}
	w.Cond.Expr = e
	var buf [24]byte
	if t := p.peek(); !t.dollar && !statementWords[t.keyword(&buf)] {
		err := p.expected(t, w.Cond.Kind.String()+" "+brief(e.Src), "a statement")
		// The statement may be hidden in an expansion at the end of the condition.
		err.dollar = e.HasExpansion()
		return nil, kindRegular, err
	}
	inner, kind, err := p.parseStatement(label)
	if err != nil {
		return nil, kind, err
	}
	w.Stmt = inner
	w.StmtInfo = p.info(start)
	return w, kind, nil
}
