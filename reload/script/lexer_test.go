package script

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLexToken(t *testing.T) {
	cases := []struct {
		src    string
		kind   tokKind
		text   string
		val    string
		dollar bool
	}{
		{"LOAD x", tWord, "LOAD", "LOAD", false},
		{"  Date#(x)", tWord, "Date#", "Date#", false},
		{"$Field", tWord, "$Field", "$Field", false},
		{"vName$(i)_x;", tWord, "vName$(i)_x", "vName$(i)_x", true},
		{"$(=Max(a, 'b)'))x y", tWord, "$(=Max(a, 'b)'))x", "$(=Max(a, 'b)'))x", true},
		{"$(unclosed", tWord, "$", "$", false},
		{"123 x", tNumber, "123", "123", false},
		{"1.5e-3,", tNumber, "1.5e-3", "1.5e-3", false},
		{"2019Sales", tWord, "2019Sales", "2019Sales", false},
		{"1$(x)", tWord, "1$(x)", "1$(x)", true},
		{"'It''s'", tString, "'It''s'", "It's", false},
		{"'$(=f('a'))' x", tString, "'$(=f('a'))'", "$(=f('a'))", true},
		{"[a]]b] x", tQuoted, "[a]]b]", "a]b", false},
		{"[$(=x[1])] y", tQuoted, "[$(=x[1])]", "$(=x[1])", true},
		{`"a""b"`, tQuoted, `"a""b"`, `a"b`, false},
		{"`a b`", tQuoted, "`a b`", "a b", false},
		{"Åtta", tWord, "Åtta", "Åtta", false},
		{";", tPunct, ";", ";", false},
		{"€", tPunct, "€", "€", false},
		{"// only a comment", tEOF, "", "", false},
		{"'open", tIllegal, "'open", "", false},
	}
	for _, c := range cases {
		tok := lexToken(c.src, 0)
		require.Equal(t, c.kind, tok.kind, c.src)
		require.Equal(t, c.text, tok.text, c.src)
		require.Equal(t, c.val, tok.val, c.src)
		require.Equal(t, c.dollar, tok.dollar, c.src)
	}
	tok := lexToken("a /* x\n */ b", 1)
	require.True(t, tok.nl)
	require.Equal(t, "b", tok.text)
	tok = lexToken("a // x\n b", 1)
	require.True(t, tok.nl)
	tok = lexToken("a /* x */ b", 1)
	require.False(t, tok.nl)
}

// TestQuoteText checks that quoteText and the lexer are inverses, also for
// texts holding quotes and $(...) expansions.
func TestQuoteText(t *testing.T) {
	pieces := []string{"a", " ", "]", "[", "'", `"`, "`", "$(", ")", "$(x)", "$(=f(']'))", "(", ";", ",", "é", "$"}
	r := rand.New(rand.NewPCG(1, 2))
	texts := []string{"", "plain", "a]b", "It's", `say "hi"`, "$(x]y)", "[$(x)]"}
	for range 2000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		for _, q := range []byte{'\'', '"', '[', '`'} {
			quoted := quoteText(text, q)
			tok := lexToken(quoted, 0)
			if tok.kind == tIllegal || tok.end != len(quoted) {
				// Some texts cannot come out of the lexer (an unbalanced
				// $( that the quotes would close); they need not round-trip.
				if _, val, ok := scanQuoted(quoted, 0); ok && val == text {
					t.Fatalf("quoteText(%q, %c) = %q lexes as %q", text, q, quoted, tok.text)
				}
				continue
			}
			if tok.val != text {
				// The lexer's own output must round-trip.
				back := quoteText(tok.val, q)
				again := lexToken(back, 0)
				require.Equal(t, tok.val, again.val, "quoteText(%q, %c) = %q", tok.val, q, back)
				continue
			}
			require.Equal(t, text, tok.val)
		}
	}
	require.Equal(t, "x", quoteText("x", 0))
}

func TestPositions(t *testing.T) {
	src := "ab\ncdé\n\nx"
	x := NewLineIndex(src)
	cases := []struct{ off, line, col int }{
		{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {5, 2, 3}, {7, 2, 4}, {8, 3, 1}, {9, 4, 1}, {10, 4, 2}, {99, 4, 2}, {-5, 1, 1},
	}
	for _, c := range cases {
		line, col := LineCol(src, c.off)
		require.Equal(t, [2]int{c.line, c.col}, [2]int{line, col}, "LineCol offset %d", c.off)
		p := x.Position(c.off)
		require.Equal(t, [2]int{c.line, c.col}, [2]int{p.Line, p.Col}, "LineIndex offset %d", c.off)
	}
	require.Equal(t, "2:3", x.Position(5).String())
	s := &Script{Src: src}
	require.Equal(t, Position{Offset: 9, Line: 4, Col: 1}, s.Position(9))
}
