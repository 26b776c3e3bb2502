package engine

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/assocengine/assoc/symbols"
)

// SearchKind classifies a search string (semantics §2.8).
type SearchKind uint8

// Search kinds.
const (
	SearchNormal     SearchKind = iota // case-insensitive whole-value match (and numeric equality)
	SearchWildcard                     // * ? ^ wildcards, case-insensitive
	SearchNumeric                      // >, >=, <, <= terms, all must hold
	SearchFuzzy                        // ~text: best similarity
	SearchExpression                   // =expr: evaluated per value
)

// Search is a parsed search string.
type Search struct {
	Kind  SearchKind
	Text  string // the search text without its marker
	terms []numTerm
}

type numTerm struct {
	op  string
	val float64
}

// NumberParser turns a search operand into a number (dates included). The
// default accepts plain decimal numbers; sessions can install one that
// follows the app's number formats.
type NumberParser func(s string) (float64, bool)

func defaultNumberParser(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

// ParseSearch classifies s.
func ParseSearch(s string, parse NumberParser) Search {
	if parse == nil {
		parse = defaultNumberParser
	}
	t := strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(t, "="):
		return Search{Kind: SearchExpression, Text: t[1:]}
	case strings.HasPrefix(t, "~"):
		return Search{Kind: SearchFuzzy, Text: t[1:]}
	case strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">"):
		if terms, ok := parseNumTerms(t, parse); ok {
			return Search{Kind: SearchNumeric, Text: t, terms: terms}
		}
	}
	if strings.ContainsAny(s, "*?") {
		return Search{Kind: SearchWildcard, Text: s}
	}
	return Search{Kind: SearchNormal, Text: s}
}

func parseNumTerms(s string, parse NumberParser) ([]numTerm, bool) {
	var terms []numTerm
	for len(s) > 0 {
		op := ""
		switch {
		case strings.HasPrefix(s, ">="), strings.HasPrefix(s, "<="):
			op = s[:2]
		case strings.HasPrefix(s, ">"), strings.HasPrefix(s, "<"):
			op = s[:1]
		default:
			return nil, false
		}
		s = s[len(op):]
		end := strings.IndexAny(s, "<>")
		if end < 0 {
			end = len(s)
		}
		v, ok := parse(strings.TrimSpace(s[:end]))
		if !ok {
			return nil, false
		}
		terms = append(terms, numTerm{op, v})
		s = s[end:]
	}
	return terms, len(terms) > 0
}

// Match reports whether the symbol (num, text) matches a non-expression,
// non-fuzzy search.
func (q *Search) Match(num float64, text string) bool {
	switch q.Kind {
	case SearchNumeric:
		if math.IsNaN(num) {
			return false
		}
		for _, t := range q.terms {
			switch t.op {
			case ">":
				if !(num > t.val) {
					return false
				}
			case ">=":
				if !(num >= t.val) {
					return false
				}
			case "<":
				if !(num < t.val) {
					return false
				}
			case "<=":
				if !(num <= t.val) {
					return false
				}
			}
		}
		return true
	case SearchWildcard:
		return WildcardMatch(q.Text, text)
	case SearchNormal:
		if strings.EqualFold(q.Text, text) {
			return true
		}
		if !math.IsNaN(num) {
			if f, err := strconv.ParseFloat(strings.TrimSpace(q.Text), 64); err == nil && f == num {
				return true
			}
		}
		return false
	}
	return false
}

// WildcardMatch matches text against a Qlik wildcard pattern: '*' any run,
// '?' one character, '^' the start of a word; case-insensitive, whole value.
func WildcardMatch(pattern, text string) bool {
	p := []rune(strings.ToLower(pattern))
	t := []rune(strings.ToLower(text))
	// prev[j]: p[:i] matches t[:j]
	prev := make([]bool, len(t)+1)
	cur := make([]bool, len(t)+1)
	prev[0] = true
	for i := range p {
		for j := 0; j <= len(t); j++ {
			switch p[i] {
			case '*':
				cur[j] = prev[j] || (j > 0 && cur[j-1])
			case '^':
				cur[j] = prev[j] && (j == 0 || !isWordRune(t[j-1]))
			case '?':
				cur[j] = j > 0 && prev[j-1]
			default:
				cur[j] = j > 0 && prev[j-1] && t[j-1] == p[i]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(t)]
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// fuzzyScore is a similarity in [0,1] between a search and a value: the
// share of the search's character bigrams found in the value, so that
// near-misses rank above unrelated values.
func fuzzyScore(q, v string) float64 {
	q, v = strings.ToLower(q), strings.ToLower(v)
	if q == v {
		return 1
	}
	if utf8.RuneCountInString(q) < 2 {
		if strings.Contains(v, q) {
			return 0.5
		}
		return 0
	}
	qb := bigrams(q)
	vb := bigrams(v)
	hit := 0
	for b, n := range qb {
		hit += min(n, vb[b])
	}
	total := 0
	for _, n := range qb {
		total += n
	}
	for _, n := range vb {
		total += n
	}
	return 2 * float64(hit) / float64(total)
}

func bigrams(s string) map[[2]rune]int {
	r := []rune(s)
	m := map[[2]rune]int{}
	for i := 0; i+1 < len(r); i++ {
		m[[2]rune{r[i], r[i+1]}]++
	}
	return m
}

// matchSymbols returns the code set of the symbols of t matching q, among
// the candidate symbols (nil = all).
func matchSymbols(t *symbols.Table, q Search, candidate func(id uint32) bool) []uint32 {
	var out []uint32
	var buf []byte
	if q.Kind == SearchFuzzy {
		best := 0.0
		for id := 0; id < t.Len(); id++ {
			if candidate != nil && !candidate(uint32(id)) {
				continue
			}
			s := fuzzyScore(q.Text, t.TextScratch(uint32(id), &buf))
			switch {
			case s > best:
				best = s
				out = append(out[:0], uint32(id))
			case s == best && s > 0:
				out = append(out, uint32(id))
			}
		}
		return out
	}
	for id := 0; id < t.Len(); id++ {
		if candidate != nil && !candidate(uint32(id)) {
			continue
		}
		text := ""
		if q.Kind != SearchNumeric { // a numeric search reads no text
			text = t.TextScratch(uint32(id), &buf)
		}
		if q.Match(t.Num(uint32(id)), text) {
			out = append(out, uint32(id))
		}
	}
	return out
}
