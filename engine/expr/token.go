package expr

import "strings"

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tEOF     tokKind = iota
	tIllegal         // a lexical error, already reported
	tNumber          // 1, 1.5, .5, 1e3
	tString          // 'text' (Text holds the unescaped value)
	tQName           // "name", [name], `name` (Text unescaped, Quote the opening char)
	tIdent           // unquoted identifier

	// Operators and punctuation.
	tAmp        // &
	tPlus       // +
	tMinus      // -
	tStar       // *
	tSlash      // /
	tEq         // =
	tNe         // <>
	tLt         // <
	tLe         // <=
	tGt         // >
	tGe         // >=
	tShl        // <<
	tShr        // >>
	tPlusEq     // +=
	tMinusEq    // -=
	tStarEq     // *=
	tSlashEq    // /=
	tLParen     // (
	tRParen     // )
	tComma      // ,
	tLBrace     // {
	tRBrace     // }
	tColonColon // ::

	// Keywords (case-insensitive).
	kwAnd
	kwOr
	kwNot
	kwXor
	kwLike
	kwPrecedes
	kwFollows
	kwBitAnd
	kwBitOr
	kwBitXor
	kwBitNot
	kwDistinct
	kwNoDistinct
	kwTotal
	kwAll
)

var tokNames = [...]string{
	tEOF:         "end of expression",
	tIllegal:     "invalid token",
	tNumber:      "number",
	tString:      "string",
	tQName:       "quoted name",
	tIdent:       "name",
	tAmp:         "'&'",
	tPlus:        "'+'",
	tMinus:       "'-'",
	tStar:        "'*'",
	tSlash:       "'/'",
	tEq:          "'='",
	tNe:          "'<>'",
	tLt:          "'<'",
	tLe:          "'<='",
	tGt:          "'>'",
	tGe:          "'>='",
	tShl:         "'<<'",
	tShr:         "'>>'",
	tPlusEq:      "'+='",
	tMinusEq:     "'-='",
	tStarEq:      "'*='",
	tSlashEq:     "'/='",
	tLParen:      "'('",
	tRParen:      "')'",
	tComma:       "','",
	tLBrace:      "'{'",
	tRBrace:      "'}'",
	tColonColon:  "'::'",
	kwAnd:        "AND",
	kwOr:         "OR",
	kwNot:        "NOT",
	kwXor:        "XOR",
	kwLike:       "LIKE",
	kwPrecedes:   "PRECEDES",
	kwFollows:    "FOLLOWS",
	kwBitAnd:     "BITAND",
	kwBitOr:      "BITOR",
	kwBitXor:     "BITXOR",
	kwBitNot:     "BITNOT",
	kwDistinct:   "DISTINCT",
	kwNoDistinct: "NODISTINCT",
	kwTotal:      "TOTAL",
	kwAll:        "ALL",
}

func (k tokKind) String() string {
	if int(k) < len(tokNames) && tokNames[k] != "" {
		return tokNames[k]
	}
	return "token"
}

func (k tokKind) isKeyword() bool { return k >= kwAnd && k <= kwAll }

// keywords maps the lower-case spelling of every keyword to its kind.
var keywords = map[string]tokKind{
	"and":        kwAnd,
	"or":         kwOr,
	"not":        kwNot,
	"xor":        kwXor,
	"like":       kwLike,
	"precedes":   kwPrecedes,
	"follows":    kwFollows,
	"bitand":     kwBitAnd,
	"bitor":      kwBitOr,
	"bitxor":     kwBitXor,
	"bitnot":     kwBitNot,
	"distinct":   kwDistinct,
	"nodistinct": kwNoDistinct,
	"total":      kwTotal,
	"all":        kwAll,
}

// IsKeyword reports whether name (in any case) is a reserved word of the
// expression language and so must be quoted to be used as a field name.
func IsKeyword(name string) bool {
	_, ok := lookupKeyword(name)
	return ok
}

// keywordList is keywords as a slice, for allocation-free lookups.
var keywordList = func() []string {
	out := make([]string, 0, len(keywords))
	for k := range keywords {
		out = append(out, k)
	}
	return out
}()

// lookupKeyword returns the keyword kind of text (any case) without
// allocating.
func lookupKeyword(text string) (tokKind, bool) {
	if len(text) < 2 || len(text) > len("nodistinct") {
		return 0, false
	}
	for _, k := range keywordList {
		if len(k) == len(text) && strings.EqualFold(k, text) {
			return keywords[k], true
		}
	}
	return 0, false
}

// token is one lexical token with its byte span in the source.
type token struct {
	kind  tokKind
	pos   Pos    // first byte
	end   Pos    // one past the last byte
	text  string // raw text; unescaped value for tString and tQName
	quote byte   // opening quote of a tQName: '"', '[' or '`'
}
