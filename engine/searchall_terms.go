package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Interactive search terms.
//
// A term is one word (or quoted phrase) typed in a search box. How it
// matches depends only on its characters (semantics §2.8 and Qlik's "The
// Search String"):
//
//   - normal: the term, compared case-insensitively, must start a word of
//     the value ("sw" matches "Sweden" and "New Swindon", not "Answer"). A
//     word is a run of letters and digits; a term that starts with another
//     character (such as "-1" or "$") may match anywhere. A term in double
//     quotes is a phrase: the quotes go and its spaces stay.
//   - wildcard (it contains * or ?): the whole value must match, case
//     insensitively; * is any run, ? one character and ^ the start of a
//     word.
//   - numeric (it starts with <, >, <= or >=): every comparison must hold
//     for the value's number; values without a number never match.
//   - fuzzy (~text) and expression (=expr) searches are understood by
//     field searches (SearchField); a multi-field search takes them as
//     plain text.
//
// Matches are ranked by MatchKind: the whole value, a whole word, the start
// of a word.

// MatchKind ranks how a value matches a term; larger is better.
type MatchKind uint8

// Match kinds.
const (
	MatchNone   MatchKind = iota // no match
	MatchPrefix                  // the term starts a word of the value
	MatchWord                    // the term is a whole word (or run of words) of the value
	MatchExact                   // the term is the whole value; every wildcard and numeric match
)

var matchKindNames = [...]string{"none", "prefix", "word", "exact"}

// String returns "none", "prefix", "word" or "exact".
func (k MatchKind) String() string {
	if int(k) < len(matchKindNames) {
		return matchKindNames[k]
	}
	return "?"
}

// TextRange is a part of a value's text that a term matched, for
// highlighting: a byte offset and length in the UTF-8 text and the index of
// the term.
type TextRange struct {
	Pos, Len int
	Term     int
}

// Term is one compiled search term. The zero Term matches nothing.
type Term struct {
	// Text is the term as given.
	Text string
	// Kind is how the term matches: SearchNormal, SearchWildcard,
	// SearchNumeric, SearchFuzzy or SearchExpression.
	Kind SearchKind

	// normal: the folded literal, as bytes when ascii, else as runes.
	lit      string
	runes    []rune
	ascii    bool
	litStart bool // the literal starts with a word rune: it must start a word
	litEnd   bool // the literal ends with a word rune

	num Search // numeric

	segs [][]patItem // wildcard: the pattern split at '*'

	fuzzy string // fuzzy: the text after '~'
}

// patItem is one element of a wildcard segment.
type patItem struct {
	kind uint8 // patLit, patAny or patWord
	r    rune  // folded rune of a literal
}

const (
	patLit  = iota // one character, case-insensitive
	patAny         // '?': any one character
	patWord        // '^': the start of a word (zero width)
)

// CompileTerm compiles one search term; parse reads the operands of numeric
// searches (nil: plain decimal numbers).
func CompileTerm(s string, parse NumberParser) Term {
	if parse == nil {
		parse = defaultNumberParser
	}
	t := Term{Text: s, Kind: SearchNormal}
	x := strings.TrimSpace(s)
	if len(x) >= 2 && x[0] == '"' && x[len(x)-1] == '"' {
		t.setLiteral(x[1 : len(x)-1])
		return t
	}
	switch {
	case x == "":
		return t
	case x[0] == '=':
		t.Kind = SearchExpression
		return t
	case x[0] == '~':
		t.Kind, t.fuzzy = SearchFuzzy, x[1:]
		return t
	case x[0] == '<' || x[0] == '>':
		if q := ParseSearch(x, parse); q.Kind == SearchNumeric {
			t.Kind, t.num = SearchNumeric, q
			return t
		}
	}
	if strings.ContainsAny(x, "*?") {
		t.Kind = SearchWildcard
		for _, seg := range strings.Split(x, "*") {
			var items []patItem
			for _, r := range seg {
				switch r {
				case '?':
					items = append(items, patItem{kind: patAny})
				case '^':
					items = append(items, patItem{kind: patWord})
				default:
					items = append(items, patItem{kind: patLit, r: unicode.ToLower(r)})
				}
			}
			t.segs = append(t.segs, items)
		}
		return t
	}
	t.setLiteral(x)
	return t
}

// literalTerm compiles s as plain text, whatever its characters.
func literalTerm(s string) Term {
	t := Term{Text: s, Kind: SearchNormal}
	x := strings.TrimSpace(s)
	if len(x) >= 2 && x[0] == '"' && x[len(x)-1] == '"' {
		x = x[1 : len(x)-1]
	}
	t.setLiteral(x)
	return t
}

func (t *Term) setLiteral(x string) {
	t.Kind = SearchNormal
	if x == "" {
		return
	}
	t.ascii = true
	for i := 0; i < len(x); i++ {
		if x[i] >= utf8.RuneSelf {
			t.ascii = false
			break
		}
	}
	if t.ascii {
		b := []byte(x)
		for i, c := range b {
			b[i] = foldByte(c)
		}
		t.lit = string(b)
	} else {
		for _, r := range x {
			t.runes = append(t.runes, unicode.ToLower(r))
		}
		t.lit = string(t.runes)
	}
	first, _ := utf8.DecodeRuneInString(x)
	last, _ := utf8.DecodeLastRuneInString(x)
	t.litStart, t.litEnd = isWordRune(first), isWordRune(last)
}

// mayMatch reports whether the term may match a text made of the bytes in
// alpha (bit b of word b/64): false when a character it needs, in either
// case, is not there. Non-ASCII characters are not checked (their case
// folding spans several bytes).
func (t *Term) mayMatch(alpha *[4]uint64) bool {
	has := func(r rune) bool {
		if r >= utf8.RuneSelf {
			return true
		}
		c := byte(r)
		lo, up := c, c
		if 'a' <= c && c <= 'z' {
			up = c - 'a' + 'A'
		} else if 'A' <= c && c <= 'Z' {
			lo = c - 'A' + 'a'
		}
		return alpha[lo>>6]&(1<<(lo&63)) != 0 || alpha[up>>6]&(1<<(up&63)) != 0
	}
	switch t.Kind {
	case SearchNormal:
		for _, r := range t.lit {
			if !has(r) {
				return false
			}
		}
	case SearchWildcard:
		for _, seg := range t.segs {
			for _, it := range seg {
				if it.kind == patLit && !has(it.r) {
					return false
				}
			}
		}
	}
	return true
}

// Empty reports whether the term can match nothing (a blank term).
func (t *Term) Empty() bool {
	switch t.Kind {
	case SearchNormal:
		return t.lit == ""
	case SearchFuzzy:
		return strings.TrimSpace(t.fuzzy) == ""
	}
	return false
}

// Match returns how the value (num, text) matches the term. Fuzzy and
// expression terms never match here: SearchField ranks and evaluates them.
func (t *Term) Match(num float64, text string) MatchKind {
	switch t.Kind {
	case SearchNormal:
		return t.matchNormal(text)
	case SearchWildcard:
		if t.matchWildcard(text, nil) {
			return MatchExact
		}
	case SearchNumeric:
		if t.num.Match(num, text) {
			return MatchExact
		}
	}
	return MatchNone
}

// Ranges appends to dst the parts of text the term matched, tagged with
// term index idx: every occurrence for a normal term, the literal parts of
// the pattern for a wildcard term, the whole text for a numeric term.
func (t *Term) Ranges(dst []TextRange, idx int, num float64, text string) []TextRange {
	switch t.Kind {
	case SearchNormal:
		for from := 0; ; {
			pos, end := t.findNormal(text, from)
			if pos < 0 {
				return dst
			}
			dst = append(dst, TextRange{Pos: pos, Len: end - pos, Term: idx})
			from = end
		}
	case SearchWildcard:
		var rs []TextRange
		if t.matchWildcard(text, &rs) {
			for _, r := range rs {
				r.Term = idx
				dst = append(dst, r)
			}
		}
	case SearchNumeric:
		if text != "" && t.num.Match(num, text) {
			dst = append(dst, TextRange{Pos: 0, Len: len(text), Term: idx})
		}
	}
	return dst
}

func foldByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// wordBefore reports whether the character ending at byte i of text is a
// word character.
func wordBefore(text string, i int) bool {
	if i <= 0 {
		return false
	}
	if c := text[i-1]; c < utf8.RuneSelf {
		return isWordByte(c)
	}
	r, _ := utf8.DecodeLastRuneInString(text[:i])
	return isWordRune(r)
}

// wordAt reports whether the character starting at byte i of text is a
// word character.
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return isWordByte(c)
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return isWordRune(r)
}

// findNormal returns the first occurrence of the literal at or after byte
// from that starts a word (or anywhere when the literal does not start
// with a word character); pos is -1 when there is none.
func (t *Term) findNormal(text string, from int) (pos, end int) {
	if t.lit == "" {
		return -1, -1
	}
	if t.ascii {
		lit := t.lit
		c0 := lit[0]
		for i := from; i+len(lit) <= len(text); i++ {
			if foldByte(text[i]) != c0 {
				continue
			}
			if t.litStart && wordBefore(text, i) {
				continue
			}
			j := 1
			for j < len(lit) && foldByte(text[i+j]) == lit[j] {
				j++
			}
			if j == len(lit) {
				return i, i + len(lit)
			}
		}
		return -1, -1
	}
	for i := from; i < len(text); {
		_, size := utf8.DecodeRuneInString(text[i:])
		if !t.litStart || !wordBefore(text, i) {
			if end, ok := foldedPrefix(text, i, t.runes); ok {
				return i, end
			}
		}
		i += size
	}
	return -1, -1
}

// foldedPrefix reports whether the folded runes occur in text at byte i,
// and where the occurrence ends.
func foldedPrefix(text string, i int, runes []rune) (int, bool) {
	for _, want := range runes {
		if i >= len(text) {
			return 0, false
		}
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		if unicode.ToLower(r) != want {
			return 0, false
		}
		i += size
	}
	return i, true
}

func (t *Term) matchNormal(text string) MatchKind {
	best := MatchNone
	for from := 0; ; {
		pos, end := t.findNormal(text, from)
		if pos < 0 {
			return best
		}
		switch {
		case pos == 0 && end == len(text):
			return MatchExact
		case !t.litEnd || !wordAt(text, end):
			best = MatchWord
		default:
			best = max(best, MatchPrefix)
		}
		if best == MatchWord {
			return best // only the first occurrence can be exact
		}
		from = pos + 1
		for from < len(text) && !utf8.RuneStart(text[from]) {
			from++
		}
	}
}

// matchWildcard matches the whole text against the pattern. When rs is not
// nil it receives the ranges the pattern's segments matched. Segments
// between stars have a fixed length, so the leftmost placement of each
// middle segment is the one that leaves most room to the rest.
func (t *Term) matchWildcard(text string, rs *[]TextRange) bool {
	segs := t.segs
	add := func(pos, end int) {
		if rs != nil && end > pos {
			*rs = append(*rs, TextRange{Pos: pos, Len: end - pos})
		}
	}
	if len(segs) == 1 {
		end, ok := matchSeg(text, 0, segs[0])
		if !ok || end != len(text) {
			return false
		}
		add(0, end)
		return true
	}
	end, ok := matchSeg(text, 0, segs[0])
	if !ok {
		return false
	}
	add(0, end)
	pos := end
	for _, seg := range segs[1 : len(segs)-1] {
		if len(seg) == 0 {
			continue
		}
		found := false
		// A segment starting with an ASCII letter can only start on that
		// byte (bytes of multi-byte characters never equal it).
		var c0 byte
		if seg[0].kind == patLit && seg[0].r < utf8.RuneSelf {
			c0 = byte(seg[0].r)
		}
		for p := pos; p <= len(text); {
			if c0 != 0 {
				for p < len(text) && foldByte(text[p]) != c0 {
					p++
				}
				if p == len(text) {
					break
				}
			}
			if e, ok := matchSeg(text, p, seg); ok {
				add(p, e)
				pos, found = e, true
				break
			}
			if p == len(text) {
				break
			}
			_, size := utf8.DecodeRuneInString(text[p:])
			p += size
		}
		if !found {
			return false
		}
	}
	last := segs[len(segs)-1]
	n := 0 // characters the last segment consumes
	for _, it := range last {
		if it.kind != patWord {
			n++
		}
	}
	start := len(text)
	for ; n > 0; n-- {
		if start <= pos {
			return false
		}
		_, size := utf8.DecodeLastRuneInString(text[:start])
		start -= size
	}
	if start < pos {
		return false
	}
	e, ok := matchSeg(text, start, last)
	if !ok || e != len(text) {
		return false
	}
	add(start, e)
	return true
}

// matchSeg matches a star-free segment at byte i and returns its end.
func matchSeg(text string, i int, seg []patItem) (int, bool) {
	for _, it := range seg {
		if it.kind == patWord {
			if wordBefore(text, i) {
				return 0, false
			}
			continue
		}
		if i >= len(text) {
			return 0, false
		}
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
			r = unicode.ToLower(r)
		} else {
			r = rune(foldByte(byte(r)))
		}
		if it.kind == patLit && r != it.r {
			return 0, false
		}
		i += size
	}
	return i, true
}

// SplitSearch splits a search-box string into terms, as list-object
// searches read it: a string that starts with =, <, >, ~ or holds a
// wildcard is one term; otherwise words separated by spaces are terms (any
// of which may match) and a double-quoted run is one term.
func SplitSearch(s string) []string {
	x := strings.TrimSpace(s)
	if x == "" {
		return nil
	}
	if strings.ContainsAny(x[:1], "=<>~") || strings.ContainsAny(x, "*?") {
		return []string{x}
	}
	var out []string
	for i := 0; i < len(x); {
		r, size := utf8.DecodeRuneInString(x[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case r == '"':
			end := strings.IndexByte(x[i+1:], '"')
			if end < 0 {
				out = append(out, x[i:])
				return out
			}
			out = append(out, x[i:i+end+2])
			i += end + 2
		default:
			j := i
			for j < len(x) {
				r, size := utf8.DecodeRuneInString(x[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += size
			}
			out = append(out, x[i:j])
			i = j
		}
	}
	return out
}

// MergeRanges sorts ranges by position and merges overlapping or touching
// ones (the merged range keeps the first range's term), for highlights
// that do not care which term matched.
func MergeRanges(rs []TextRange) []TextRange {
	if len(rs) < 2 {
		return rs
	}
	for i := 1; i < len(rs); i++ { // insertion sort: a handful of ranges
		for j := i; j > 0 && rs[j].Pos < rs[j-1].Pos; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	out := rs[:1]
	for _, r := range rs[1:] {
		last := &out[len(out)-1]
		if r.Pos <= last.Pos+last.Len {
			last.Len = max(last.Len, r.Pos+r.Len-last.Pos)
			continue
		}
		out = append(out, r)
	}
	return out
}
