package expr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLexer(t *testing.T) {
	type tok struct {
		kind tokKind
		text string
	}
	tests := []struct {
		src  string
		want []tok
	}{
		{"1 1.5 .5 1e3 2E-2 3e+1", []tok{{tNumber, "1"}, {tNumber, "1.5"}, {tNumber, ".5"}, {tNumber, "1e3"}, {tNumber, "2E-2"}, {tNumber, "3e+1"}}},
		{"'a''b' ''", []tok{{tString, "a'b"}, {tString, ""}}},
		{`"a""b" [c]]d] ` + "`e``f`", []tok{{tQName, `a"b`}, {tQName, "c]d"}, {tQName, "e`f"}}},
		{"abc A_1 $ $1 $_2 #x %k @1 a.b Ünïcödé x\u0301", []tok{
			{tIdent, "abc"}, {tIdent, "A_1"}, {tIdent, "$"}, {tIdent, "$1"}, {tIdent, "$_2"}, {tIdent, "#x"},
			{tIdent, "%k"}, {tIdent, "@1"}, {tIdent, "a.b"}, {tIdent, "Ünïcödé"}, {tIdent, "x\u0301"},
		}},
		{"& + - * / = <> < <= > >= << >> += -= *= /= ( ) , { } ::", []tok{
			{tAmp, "&"}, {tPlus, "+"}, {tMinus, "-"}, {tStar, "*"}, {tSlash, "/"}, {tEq, "="}, {tNe, "<>"},
			{tLt, "<"}, {tLe, "<="}, {tGt, ">"}, {tGe, ">="}, {tShl, "<<"}, {tShr, ">>"}, {tPlusEq, "+="},
			{tMinusEq, "-="}, {tStarEq, "*="}, {tSlashEq, "/="}, {tLParen, "("}, {tRParen, ")"}, {tComma, ","},
			{tLBrace, "{"}, {tRBrace, "}"}, {tColonColon, "::"},
		}},
		{"AND or Not xor LIKE precedes Follows bitand BitOr BITXOR bitnot Distinct nodistinct total all",
			[]tok{{kwAnd, "AND"}, {kwOr, "or"}, {kwNot, "Not"}, {kwXor, "xor"}, {kwLike, "LIKE"}, {kwPrecedes, "precedes"},
				{kwFollows, "Follows"}, {kwBitAnd, "bitand"}, {kwBitOr, "BitOr"}, {kwBitXor, "BITXOR"}, {kwBitNot, "bitnot"},
				{kwDistinct, "Distinct"}, {kwNoDistinct, "nodistinct"}, {kwTotal, "total"}, {kwAll, "all"}}},
		{"andx totals", []tok{{tIdent, "andx"}, {tIdent, "totals"}}},
		{"a // c\nb /* x\ny */ c", []tok{{tIdent, "a"}, {tIdent, "b"}, {tIdent, "c"}}},
		{"a\u00a0b", []tok{{tIdent, "a"}, {tIdent, "b"}}},
		{"1.x", []tok{{tNumber, "1"}, {tIdent, ".x"}}},
		{"{$<A={1}>}", []tok{{tLBrace, "{"}, {tIdent, "$"}, {tLt, "<"}, {tIdent, "A"}, {tEq, "="}, {tLBrace, "{"},
			{tNumber, "1"}, {tRBrace, "}"}, {tGt, ">"}, {tRBrace, "}"}}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			sink := errorSink{src: tc.src}
			toks := lex(tc.src, &sink)
			require.Empty(t, sink.errs)
			require.Equal(t, tEOF, toks[len(toks)-1].kind)
			var got []tok
			for _, k := range toks[:len(toks)-1] {
				got = append(got, tok{k.kind, k.text})
				if k.kind != tString && k.kind != tQName {
					require.Equal(t, k.text, tc.src[k.pos:k.end])
				}
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestLexerQuotes(t *testing.T) {
	sink := errorSink{}
	toks := lex(`[x] "y" `+"`z`", &sink)
	require.Equal(t, []byte{'[', '"', '`'}, []byte{toks[0].quote, toks[1].quote, toks[2].quote})
}

func TestLexerErrors(t *testing.T) {
	tests := map[string]string{
		"'abc":      "1:1: string not terminated: missing '",
		"\"abc":     "1:1: quoted name not terminated: missing \"",
		"`abc":      "1:1: quoted name not terminated: missing `",
		"a /* b":    "1:3: comment not terminated: missing */",
		"a ? b":     "1:3: unexpected character '?'",
		"a : b":     "1:3: unexpected character ':'",
		"x\n\xff":   "2:1: invalid UTF-8 byte 0xff",
		"2021Q1":    "1:1: malformed number \"2021Q1\" (names cannot start with a digit; quote them)",
		"€":         "1:1: unexpected character '€'",
		"a ^ b":     "1:3: unexpected character '^'",
		"a ! b ~ c": "1:3: unexpected character '!'",
	}
	for src, want := range tests {
		sink := errorSink{src: src}
		lex(src, &sink)
		require.NotEmpty(t, sink.errs, src)
		require.Equal(t, want, sink.errs[0].Error(), src)
	}
}

func TestIdentifierHelpers(t *testing.T) {
	for _, s := range []string{"a", "Sales", "$Field", "a.b", "Ünï", "_1", ".x"} {
		require.True(t, IsIdentifier(s), s)
	}
	for _, s := range []string{"", "1a", ".5", "a b", "and", "TOTAL", "a-b", "€"} {
		require.False(t, IsIdentifier(s), s)
	}
	require.True(t, IsKeyword("NoDistinct"))
	require.False(t, IsKeyword("Sum"))
}
