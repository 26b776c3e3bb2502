package script

import (
	"fmt"
	"strings"
)

var (
	sourceWords = wordSet("from", "from_field", "resident", "inline", "autogenerate", "extension")
	clauseWords = wordSet("from", "from_field", "resident", "inline", "autogenerate", "extension",
		"where", "while")
	fieldWords = wordSet("as", "from", "from_field", "resident", "inline", "autogenerate", "extension",
		"where", "while")
	orderWords = wordSet("from", "from_field", "resident", "inline", "autogenerate", "extension",
		"where", "while", "asc", "desc")

	fieldStops  = &stops{comma: true, words: fieldWords, by: true}
	clauseStops = &stops{words: clauseWords, by: true}
	groupStops  = &stops{comma: true, words: clauseWords, by: true}
	orderStops  = &stops{comma: true, words: orderWords, by: true}
)

// parseTableStmt parses a LOAD or SELECT with its prefixes.
//
//	tablestmt := { prefix } ( load | sql )
//	prefix := "CONCATENATE" [ "(" name ")" ] | "NOCONCATENATE"
//	        | [ "INNER" | "OUTER" | "LEFT" | "RIGHT" ] "JOIN" [ "(" name ")" ]
//	        | ( "INNER" | "LEFT" | "RIGHT" ) "KEEP" [ "(" name ")" ]
//	        | "MAPPING" | "GENERIC" | "SEMANTIC"
//	        | "CROSSTABLE" "(" name "," name [ "," expr ] ")"
//	        | "INTERVALMATCH" "(" name { "," name } ")"
//	        | ( "HIERARCHY" | "HIERARCHYBELONGSTO" ) "(" [ expr ] { "," [ expr ] } ")"
//	        | "FIRST" expr | "SAMPLE" expr
//	        | ( "ADD" | "REPLACE" ) [ "ONLY" ] | "BUFFER" [ "(" text ")" ]
func (p *parser) parseTableStmt(start int, label *Name) (Stmt, error) {
	var prefixes []Prefix
	for {
		t := p.peek()
		var buf [24]byte
		kw := t.keyword(&buf)
		var pr Prefix
		var err error
		switch kw {
		case "load":
			return p.parseLoad(start, label, prefixes)
		case "select":
			return p.parseSQL(start, label, prefixes, false)
		case "sql":
			p.next()
			return p.parseSQL(start, label, prefixes, true)
		case "concatenate":
			p.next()
			c := &Concatenate{}
			c.Table, err = p.optTable("CONCATENATE")
			pr = c
		case "noconcatenate":
			p.next()
			pr = &NoConcatenate{}
		case "join":
			p.next()
			j := &Join{}
			j.Table, err = p.optTable("JOIN")
			pr = j
		case "inner", "outer", "left", "right":
			p.next()
			kind := map[string]JoinKind{"inner": JoinInner, "outer": JoinOuter, "left": JoinLeft, "right": JoinRight}[kw]
			what := strings.ToUpper(kw)
			switch t2 := p.next(); {
			case t2.is("join"):
				j := &Join{Kind: kind}
				j.Table, err = p.optTable(what + " JOIN")
				pr = j
			case t2.is("keep") && kind != JoinOuter:
				k := &Keep{Kind: kind}
				k.Table, err = p.optTable(what + " KEEP")
				pr = k
			default:
				want := "JOIN or KEEP"
				if kind == JoinOuter {
					want = "JOIN"
				}
				return nil, p.expected(t2, what, want)
			}
		case "keep":
			return nil, p.errAt(t, "KEEP must be preceded by INNER, LEFT or RIGHT")
		case "mapping":
			p.next()
			pr = &Mapping{}
		case "generic":
			p.next()
			pr = &Generic{}
		case "semantic":
			p.next()
			pr = &Semantic{}
		case "crosstable":
			pr, err = p.parseCrosstable()
		case "intervalmatch":
			pr, err = p.parseIntervalMatch()
		case "hierarchy", "hierarchybelongsto":
			p.next()
			h := &Hierarchy{BelongsTo: kw == "hierarchybelongsto"}
			what := strings.ToUpper(kw)
			if err = p.expectPunct('(', what); err == nil {
				if h.Args, err = p.spanList(&stops{rparen: true}, what, true); err == nil {
					err = p.expectPunct(')', what)
				}
			}
			pr = h
		case "first", "sample":
			p.next()
			var e Expr
			if e, err = p.span(stmtStops); err == nil && e.Src == "" {
				err = p.expected(p.peek(), strings.ToUpper(kw), "a number")
			}
			if kw == "first" {
				pr = &First{Count: e}
			} else {
				pr = &Sample{Probability: e}
			}
		case "add":
			p.next()
			pr = &Add{Only: p.accept("only")}
		case "replace":
			p.next()
			pr = &Replace{Only: p.accept("only")}
		case "buffer":
			p.next()
			b := &Buffer{}
			if p.acceptPunct('(') {
				var e Expr
				if e, err = p.span(&stops{rparen: true}); err == nil {
					b.Options = e.Src
					err = p.expectPunct(')', "BUFFER")
				}
			}
			pr = b
		default:
			what := "prefix"
			if len(prefixes) == 0 && label != nil {
				what = "label " + label.String()
			}
			return nil, p.expected(t, what, "LOAD or SELECT")
		}
		if err != nil {
			return nil, err
		}
		prefixes = append(prefixes, pr)
	}
}

// optTable parses the optional "(table)" after CONCATENATE, JOIN and KEEP.
func (p *parser) optTable(what string) (*Name, error) {
	if !p.acceptPunct('(') {
		return nil, nil
	}
	n, err := p.parseName(what)
	if err != nil {
		return nil, err
	}
	if err := p.expectPunct(')', what+" ("+n.String()); err != nil {
		return nil, err
	}
	return &n, nil
}

// parseCrosstable parses the CROSSTABLE prefix.
func (p *parser) parseCrosstable() (Prefix, error) {
	p.next()
	c := &Crosstable{}
	if err := p.expectPunct('(', "CROSSTABLE"); err != nil {
		return nil, err
	}
	var err error
	if c.Attribute, err = p.parseName("CROSSTABLE attribute field"); err != nil {
		return nil, err
	}
	if err := p.expectPunct(',', "CROSSTABLE"); err != nil {
		return nil, err
	}
	if c.Data, err = p.parseName("CROSSTABLE data field"); err != nil {
		return nil, err
	}
	if p.acceptPunct(',') {
		e, err := p.span(&stops{rparen: true})
		if err != nil {
			return nil, err
		}
		if e.Src == "" {
			return nil, p.expected(p.peek(), "CROSSTABLE", "the number of qualifier fields")
		}
		c.Qualifiers = &e
	}
	return c, p.expectPunct(')', "CROSSTABLE")
}

// parseIntervalMatch parses the INTERVALMATCH prefix.
func (p *parser) parseIntervalMatch() (Prefix, error) {
	p.next()
	if err := p.expectPunct('(', "INTERVALMATCH"); err != nil {
		return nil, err
	}
	names, err := p.parseNameList("INTERVALMATCH")
	if err != nil {
		return nil, err
	}
	return &IntervalMatch{Field: names[0], Keys: names[1:]}, p.expectPunct(')', "INTERVALMATCH")
}

// parseSQL parses a SQL statement; the SQL keyword, if any, is consumed.
//
//	sql := ( "SQL" text | "SELECT" text )
func (p *parser) parseSQL(start int, label *Name, prefixes []Prefix, keyword bool) (Stmt, error) {
	text, _, err := p.raw(false)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, p.expected(p.peek(), "SQL", "a command")
	}
	return &SQL{StmtInfo: p.info(start), Label: label, Prefixes: prefixes, Keyword: keyword, Command: text}, nil
}

// parseLoad parses a LOAD statement.
//
//	load := "LOAD" [ "DISTINCT" ] field { "," field } [ source ]
//	        { "WHERE" expr | "WHILE" expr } [ "GROUP" "BY" expr { "," expr } ]
//	        [ "ORDER" "BY" expr [ "ASC" | "DESC" ] { "," expr [ "ASC" | "DESC" ] } ]
//	field := "*" | expr [ "AS" name ]
func (p *parser) parseLoad(start int, label *Name, prefixes []Prefix) (Stmt, error) {
	p.next()
	ld := &Load{Label: label, Prefixes: prefixes}
	if t := p.peek(); t.is("distinct") && !p.peek2().isPunct(',') {
		p.next()
		ld.Distinct = true
	}
	for {
		e, err := p.span(fieldStops)
		if err != nil {
			return nil, err
		}
		if e.Src == "" {
			return nil, p.expected(p.peek(), "LOAD", "a field")
		}
		f := Field{Expr: e, Star: e.Src == "*"}
		if t := p.peek(); t.is("as") {
			if f.Star {
				return nil, p.errAt(t, "LOAD: * cannot have an alias")
			}
			p.next()
			a, err := p.parseName("LOAD " + brief(e.Src) + " AS")
			if err != nil {
				return nil, err
			}
			f.Alias = &a
		}
		ld.Fields = append(ld.Fields, f)
		if !p.acceptPunct(',') {
			break
		}
	}
	var err error
	if ld.Source, err = p.parseSource(); err != nil {
		return nil, err
	}
	var buf [24]byte
	for {
		t := p.peek()
		switch {
		case t.is("where") || t.is("while"):
			kw := strings.ToUpper(t.text)
			if t.is("where") && ld.Where != nil || t.is("while") && ld.While != nil {
				return nil, p.errAt(t, "LOAD: second "+kw+" clause")
			}
			if ld.GroupBy != nil || ld.OrderBy != nil {
				return nil, p.errAt(t, "LOAD: "+kw+" must come before GROUP BY and ORDER BY")
			}
			p.next()
			e, err := p.span(clauseStops)
			if err != nil {
				return nil, err
			}
			if e.Src == "" {
				return nil, p.expected(p.peek(), "LOAD ... "+kw, "a condition")
			}
			if t.is("where") {
				ld.Where = &e
			} else {
				ld.While = &e
			}
		case t.is("group") && p.peek2().is("by"):
			if ld.GroupBy != nil || ld.OrderBy != nil {
				return nil, p.errAt(t, "LOAD: GROUP BY must come once, before ORDER BY")
			}
			p.next()
			p.next()
			if ld.GroupBy, err = p.spanList(groupStops, "LOAD ... GROUP BY", false); err != nil {
				return nil, err
			}
		case t.is("order") && p.peek2().is("by"):
			if ld.OrderBy != nil {
				return nil, p.errAt(t, "LOAD: second ORDER BY clause")
			}
			p.next()
			p.next()
			for {
				e, err := p.span(orderStops)
				if err != nil {
					return nil, err
				}
				if e.Src == "" {
					return nil, p.expected(p.peek(), "LOAD ... ORDER BY", "a field")
				}
				it := OrderItem{Expr: e}
				if p.accept("asc") {
					it.Dir = SortAsc
				} else if p.accept("desc") {
					it.Dir = SortDesc
				}
				ld.OrderBy = append(ld.OrderBy, it)
				if !p.acceptPunct(',') {
					break
				}
			}
		case sourceWords[t.keyword(&buf)]:
			return nil, p.errAt(t, fmt.Sprintf("LOAD: %s must come right after the field list", strings.ToUpper(t.text)))
		default:
			ld.StmtInfo = p.info(start)
			return ld, nil
		}
	}
}

// parseSource parses the optional source clause of a LOAD.
//
//	source := "FROM" file [ format ] | "FROM_FIELD" "(" name "," name ")" [ format ]
//	        | "INLINE" ( "[" data "]" | `"` data `"` ) [ format ]
//	        | "RESIDENT" name | "AUTOGENERATE" expr | "EXTENSION" expr
func (p *parser) parseSource() (Source, error) {
	t := p.peek()
	var err error
	switch {
	case t.is("from"):
		p.next()
		f := &From{}
		if f.File, err = p.parseFileName("LOAD ... FROM"); err != nil {
			return nil, err
		}
		f.Format, err = p.parseFormatOpt()
		return f, err
	case t.is("from_field"):
		p.next()
		f := &FromField{}
		if err := p.expectPunct('(', "FROM_FIELD"); err != nil {
			return nil, err
		}
		if f.Table, err = p.parseName("FROM_FIELD table"); err != nil {
			return nil, err
		}
		if err := p.expectPunct(',', "FROM_FIELD"); err != nil {
			return nil, err
		}
		if f.Field, err = p.parseName("FROM_FIELD field"); err != nil {
			return nil, err
		}
		if err := p.expectPunct(')', "FROM_FIELD"); err != nil {
			return nil, err
		}
		f.Format, err = p.parseFormatOpt()
		return f, err
	case t.is("inline"):
		p.next()
		return p.parseInline()
	case t.is("resident"):
		p.next()
		n, err := p.parseName("RESIDENT")
		if err != nil {
			return nil, err
		}
		return &Resident{Table: n}, nil
	case t.is("autogenerate"), t.is("extension"):
		p.next()
		e, err := p.span(clauseStops)
		if err != nil {
			return nil, err
		}
		if e.Src == "" {
			return nil, p.expected(p.peek(), strings.ToUpper(t.text), "an expression")
		}
		if t.is("extension") {
			return &Extension{Call: e}, nil
		}
		return &Autogenerate{Count: e}, nil
	}
	return nil, nil
}

// parseInline parses the data of INLINE: everything between '[' and the
// next ']' or between '"' and the next '"', verbatim.
func (p *parser) parseInline() (Source, error) {
	s := p.src
	i, _, serr := skipTrivia(s, p.pos)
	if serr != nil {
		return nil, serr
	}
	if i >= len(s) || s[i] != '[' && s[i] != '"' {
		return nil, p.expected(p.peek(), "INLINE", `"[" or '"'`)
	}
	q := s[i]
	k := strings.IndexByte(s[i+1:], closeQuote(q))
	if k < 0 {
		return nil, &synErr{pos: i, msg: fmt.Sprintf("INLINE data not terminated: missing %c", closeQuote(q))}
	}
	in := &Inline{Data: s[i+1 : i+1+k], Quote: q, Pos: p.base + i + 1}
	p.pos = i + k + 2
	p.lastEnd = p.pos
	var err error
	in.Format, err = p.parseFormatOpt()
	return in, err
}

// parseFormatOpt parses a format specification if one follows.
//
//	format := "(" [ item { "," item } ] ")"
func (p *parser) parseFormatOpt() (*FormatSpec, error) {
	t := p.peek()
	if !t.isPunct('(') {
		return nil, nil
	}
	p.next()
	fs := &FormatSpec{Pos: p.base + t.pos, Items: []FormatItem{}}
	if p.acceptPunct(')') {
		return fs, nil
	}
	for {
		e, err := p.span(&stops{comma: true, rparen: true})
		if err != nil {
			return nil, err
		}
		if e.Src == "" {
			return nil, p.expected(p.peek(), "format specification", "an item")
		}
		fs.Items = append(fs.Items, formatItem(e))
		if p.acceptPunct(',') {
			continue
		}
		return fs, p.expectPunct(')', "format specification")
	}
}

// formatItem classifies one format specification item. Items that match
// no known form are kept verbatim as FmtOther.
func formatItem(e Expr) FormatItem {
	src := e.Src
	it := FormatItem{Kind: FmtOther, Value: src, Pos: e.Pos}
	low := strings.ToLower(strings.Join(strings.Fields(src), " "))
	switch {
	case fileTypes[low]:
		it.Kind, it.Value = FmtFileType, low
		return it
	case charsets[low] != "":
		it.Kind, it.Value = FmtCharset, charsets[low]
		return it
	}
	switch low {
	case "embedded labels", "explicit labels", "no labels":
		it.Kind, it.Value = FmtLabels, strings.Fields(low)[0]
		return it
	case "msq":
		it.Kind, it.Value = FmtQuotes, "msq"
		return it
	case "no quotes":
		it.Kind, it.Value = FmtQuotes, "none"
		return it
	case "no eof":
		it.Kind, it.Value = FmtNoEOF, ""
		return it
	}
	t0 := lexToken(src, 0)
	t1 := lexToken(src, t0.end)
	if t0.kind != tWord || !t1.is("is") {
		return it
	}
	v := lexToken(src, t1.end)
	if v.kind == tEOF || v.kind == tIllegal {
		return it
	}
	after := lexToken(src, v.end)
	switch kw := strings.ToLower(t0.text); kw {
	case "delimiter", "comment", "table", "url", "useragent":
		kind := map[string]FormatKind{"delimiter": FmtDelimiter, "comment": FmtComment, "table": FmtTable,
			"url": FmtURL, "useragent": FmtUserAgent}[kw]
		if (v.kind == tString || v.kind == tQuoted) && after.kind == tEOF {
			return FormatItem{Kind: kind, Value: v.val, Quote: v.quote, Pos: e.Pos}
		}
		return FormatItem{Kind: kind, Value: src[v.pos:], Pos: e.Pos}
	case "codepage", "header", "record":
		if v.kind != tNumber && !(v.kind == tWord && v.dollar) {
			return it
		}
		kind := map[string]FormatKind{"codepage": FmtCodepage, "header": FmtHeader, "record": FmtRecord}[kw]
		out := FormatItem{Kind: kind, Value: v.text, Pos: e.Pos}
		if kind != FmtCodepage && (after.is("lines") || after.is("line")) {
			out.Lines = true
			after = lexToken(src, after.end)
		}
		if after.kind != tEOF {
			return it
		}
		return out
	}
	return it
}
