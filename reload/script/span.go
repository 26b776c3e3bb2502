package script

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// stops says where an expression span ends. A span always ends at a ';'
// (outside quotes) and at the end of the text; the fields add more ends,
// all of which count only outside parentheses and braces.
type stops struct {
	comma    bool            // at ','
	rparen   bool            // at an unmatched ')', for lists inside parentheses
	eol      bool            // at a line break
	words    map[string]bool // at these keywords (lower case)
	by       bool            // at GROUP BY and ORDER BY
	callable map[string]bool // keywords in words that do not stop when a '(' follows (function names)
}

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// span scans an expression from the current position up to one of the
// stops and consumes it (without the stop). The expression is not parsed:
// only quotes, parentheses, braces, comments and $(...) expansions are
// tracked.
func (p *parser) span(st *stops) (Expr, error) {
	s := p.src
	i, nl, terr := skipTrivia(s, p.pos)
	if terr != nil {
		return Expr{}, terr
	}
	if nl && st.eol {
		return Expr{Pos: p.base + p.lastEnd}, nil
	}
	start, last := i, i
	var open []int // offsets of the unclosed ( and {
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\n':
			if st.eol && len(open) == 0 {
				goto done
			}
			i++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			i++
		case c == '/' && commentAt(s, i) != noComment:
			if s[i+1] == '/' {
				if k := strings.IndexByte(s[i:], '\n'); k >= 0 {
					i += k
				} else {
					i = len(s)
				}
				continue
			}
			k := strings.Index(s[i+2:], "*/")
			if k < 0 {
				return Expr{}, &synErr{pos: i, msg: "comment not terminated: missing */"}
			}
			i += k + 4
		case closeQuote(c) != 0:
			e, _, ok := scanQuoted(s, i)
			if !ok {
				what := "quoted name"
				if c == '\'' {
					what = "string"
				}
				return Expr{}, &synErr{pos: i, msg: fmt.Sprintf("%s not terminated: missing %c", what, closeQuote(c))}
			}
			i, last = e, e
		case c == '(' || c == '{':
			open = append(open, i)
			i++
			last = i
		case c == ')' || c == '}':
			if len(open) == 0 {
				if c == ')' && st.rparen {
					goto done
				}
				return Expr{}, &synErr{pos: i, msg: fmt.Sprintf("unexpected %q in expression", string(c))}
			}
			o := s[open[len(open)-1]]
			if o == '(' && c != ')' || o == '{' && c != '}' {
				return Expr{}, &synErr{pos: i, msg: fmt.Sprintf("%q does not match %q at %s", string(c), string(o), p.position(open[len(open)-1]))}
			}
			open = open[:len(open)-1]
			i++
			last = i
		case c == ',' && st.comma && len(open) == 0:
			goto done
		case c == ';':
			goto done
		default:
			r, n := rune(c), 1
			if c >= utf8.RuneSelf {
				r, n = utf8.DecodeRuneInString(s[i:])
				if isSpaceRune(r) {
					i += n
					continue
				}
			}
			if !isIdentPart(r) && c != '$' {
				i += n
				last = i
				continue
			}
			j := scanWord(s, i)
			if j == i {
				j = i + n
			}
			if len(open) == 0 && p.stopWord(st, s[i:j], j) {
				goto done
			}
			i, last = j, j
		}
	}
done:
	if len(open) > 0 {
		o := open[len(open)-1]
		return Expr{}, &synErr{pos: o, msg: fmt.Sprintf("unclosed %q in expression", s[o:o+1])}
	}
	if last == start {
		return Expr{Pos: p.base + p.lastEnd}, nil // empty: where the previous token ends
	}
	p.pos, p.lastEnd = last, last
	return Expr{Src: s[start:last], Pos: p.base + start}, nil
}

// stopWord reports whether the word w, which ends at offset end, ends a
// span with the stops st.
func (p *parser) stopWord(st *stops, w string, end int) bool {
	if len(w) > 24 || w[0] >= '0' && w[0] <= '9' {
		return false
	}
	var buf [24]byte
	b := buf[:len(w)]
	for i := 0; i < len(w); i++ {
		c := w[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	if st.words[string(b)] {
		lw := string(b)
		if st.callable[lw] {
			if k, _, _ := skipTrivia(p.src, end); k < len(p.src) && p.src[k] == '(' {
				return false
			}
		}
		return true
	}
	lw := b
	if st.by && (string(lw) == "group" || string(lw) == "order") {
		k, _, _ := skipTrivia(p.src, end)
		e := scanWord(p.src, k)
		return e == k+2 && strings.EqualFold(p.src[k:e], "by")
	}
	return false
}

// spanList parses span {"," span}; the stops of st apply to each item (its
// comma field is forced on).
func (p *parser) spanList(st *stops, what string, allowEmpty bool) ([]Expr, error) {
	item := *st
	item.comma = true
	var out []Expr
	for {
		e, err := p.span(&item)
		if err != nil {
			return nil, err
		}
		if e.Src == "" && !allowEmpty {
			return nil, p.missing(st.eol, what, "an expression")
		}
		out = append(out, e)
		if !p.acceptPunct(',') {
			return out, nil
		}
	}
}

// SplitList splits src, typically an expanded list of FOR EACH items, CASE
// values or CALL arguments, at its top-level commas. The offsets of the
// items are basePos plus their offsets in src. Empty items are errors.
func SplitList(src string, basePos int) ([]Expr, error) {
	p := newParser(src, basePos)
	items, err := p.spanList(&stops{}, "list", false)
	if err == nil {
		if t := p.peek(); t.kind != tEOF {
			err = p.errAt(t, "unexpected "+t.describe()+" in the list")
		}
	}
	if err != nil {
		p.addErr(err)
		return nil, p.errs
	}
	return items, nil
}
