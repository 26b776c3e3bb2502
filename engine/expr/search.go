package expr

import "strings"

// SearchKind classifies a search string (§2.8): the text of a
// double-quoted, bracketed or backticked element-set item, or a
// Field.Select qMatch.
type SearchKind uint8

const (
	// SearchNormal matches whole values case-insensitively by text (and by
	// number when the string is a number).
	SearchNormal SearchKind = iota + 1
	// SearchWildcard contains * or ?: whole-value, case-insensitive
	// wildcard match.
	SearchWildcard
	// SearchNumeric starts with <, <=, > or >=: one or more "op number"
	// conditions that must all hold.
	SearchNumeric
	// SearchExpression starts with '=': a condition evaluated per value.
	SearchExpression
	// SearchFuzzy starts with '~': values ranked by similarity.
	SearchFuzzy
)

// String names the kind.
func (k SearchKind) String() string {
	switch k {
	case SearchNormal:
		return "normal"
	case SearchWildcard:
		return "wildcard"
	case SearchNumeric:
		return "numeric"
	case SearchExpression:
		return "expression"
	case SearchFuzzy:
		return "fuzzy"
	}
	return "invalid"
}

// ClassifySearch returns the kind of the search string s (leading spaces
// ignored).
func ClassifySearch(s string) SearchKind {
	t := strings.TrimLeft(s, " ")
	switch {
	case strings.HasPrefix(t, "="):
		return SearchExpression
	case strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">"):
		return SearchNumeric
	case strings.HasPrefix(t, "~"):
		return SearchFuzzy
	case strings.ContainsAny(t, "*?"):
		return SearchWildcard
	}
	return SearchNormal
}

// NumericCondition is one "op number" term of a numeric search.
type NumericCondition struct {
	Op    Op     // OpLt, OpLe, OpGt or OpGe
	Bound string // the bound as written (a number, or a date for the caller to interpret)
}

// ParseNumericSearch splits a numeric search such as ">=10<20" or
// ">=1/1/2015<1/1/2016" into its conditions. ok is false when s is not a
// well-formed numeric search. Bounds are returned as text so that callers
// can interpret dates with their number formats.
func ParseNumericSearch(s string) (conds []NumericCondition, ok bool) {
	t := strings.TrimSpace(s)
	for t != "" {
		var c NumericCondition
		switch {
		case strings.HasPrefix(t, "<="):
			c.Op, t = OpLe, t[2:]
		case strings.HasPrefix(t, ">="):
			c.Op, t = OpGe, t[2:]
		case strings.HasPrefix(t, "<"):
			c.Op, t = OpLt, t[1:]
		case strings.HasPrefix(t, ">"):
			c.Op, t = OpGt, t[1:]
		default:
			return nil, false
		}
		end := strings.IndexAny(t, "<>")
		if end < 0 {
			end = len(t)
		}
		c.Bound = strings.TrimSpace(t[:end])
		if c.Bound == "" {
			return nil, false
		}
		t = strings.TrimSpace(t[end:])
		conds = append(conds, c)
	}
	return conds, len(conds) > 0
}
