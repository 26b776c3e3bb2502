package script

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// gen writes random statements from the grammar, using the awkward
// corners of the lexical structure: quotes with escapes, $(...)
// expansions, comments, line breaks, keywords inside names.
type gen struct{ r *rand.Rand }

func (g gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g gen) name() string {
	return g.pick("a", "Orders", "x.y", "$(v)", "t$(i)_2", "[a b]", "[a]]b]", `"c d"`, `"e""f"`, "`g h`", "[$(=']')]",
		"Året", "from_x", "[from]", "@1", "$Field", "T#1", "%pct")
}

func (g gen) str() string {
	return g.pick("'x'", "'It''s'", "'a;b,c'", "'$(=f('a'))'", "'lib://d/*.csv'", "''", "'/*'", "'//'")
}

func (g gen) expr(depth int) string {
	if depth > 2 {
		return g.pick("1", "x", "$(v)", g.str(), g.name())
	}
	switch g.r.IntN(9) {
	case 0:
		return g.expr(depth+1) + g.pick(" + ", "&", " and ", " or ", "*", " <= ") + g.expr(depth+1)
	case 1:
		return g.pick("f", "If", "Left", "Replace", "Sum", "Date#") + "(" + g.expr(depth+1) + ", " + g.expr(depth+1) + ")"
	case 2:
		return "(" + g.expr(depth+1) + ")"
	case 3:
		return "Sum({<Y={2020}>} " + g.name() + ")"
	case 4:
		return g.expr(depth+1) + " /* c; , ) */ " + g.expr(depth+1)
	case 5:
		return "$(=Max(" + g.name() + "))"
	case 6:
		return g.str()
	case 7:
		return "1.5e3"
	}
	return g.name()
}

func (g gen) list(f func() string) string {
	n := 1 + g.r.IntN(3)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = f()
	}
	return strings.Join(parts, g.pick(", ", ",", " ,\n "))
}

// line is list for statements that end at the end of the line.
func (g gen) line(f func() string) string {
	return strings.ReplaceAll(g.list(f), "\n", "")
}

func (g gen) file() string {
	return g.pick("x.csv", "lib://d/x.csv", `C:\d\x.qvd`, "$(vPath)x_$(i).qvd", "[lib://d/a b.csv]", "'f.txt'", `"q.qvd"`)
}

func (g gen) format() string {
	if g.r.IntN(2) == 0 {
		return ""
	}
	items := g.list(func() string {
		return g.pick("txt", "qvd", "UTF-8", "utf8", "embedded labels", "no labels", "delimiter is ','", `delimiter is '\t'`,
			"delimiter is |", "delimiter is spaces", "msq", "no quotes", "header is 1 lines", "header is $(h)", "record is 80",
			"comment is '#'", "table is [Sheet 1$]", "codepage is 1252", "no eof", "filters(Remove(Row, Pos(Top, 1)))", "$(vFmt)")
	})
	return " (" + items + ")"
}

func (g gen) load() string {
	var b strings.Builder
	if g.r.IntN(3) == 0 {
		b.WriteString(g.name() + ":\n")
	}
	for range g.r.IntN(3) {
		b.WriteString(g.pick("Concatenate", "Concatenate ("+g.name()+")", "NoConcatenate", "Left Join", "Inner Keep ("+g.name()+")",
			"Mapping", "CrossTable("+g.name()+", "+g.name()+", 2)", "Generic", "IntervalMatch("+g.name()+")",
			"Hierarchy(a, b, , '/')", "First "+g.expr(2), "Sample 0.5", "Add Only", "Replace", "Buffer (Incremental)", "Semantic") + "\n")
	}
	if g.r.IntN(6) == 0 {
		b.WriteString("SQL SELECT " + g.list(g.name) + " FROM t WHERE a = 'x;y'")
		return b.String()
	}
	b.WriteString(g.pick("LOAD ", "Load Distinct ", "load\n  "))
	b.WriteString(g.list(func() string {
		if g.r.IntN(5) == 0 {
			return "*"
		}
		f := g.expr(0)
		if g.r.IntN(2) == 0 {
			f += g.pick(" as ", " AS\n ") + g.pick(g.name(), "'alias'")
		}
		return f
	}))
	switch g.r.IntN(7) {
	case 0:
		b.WriteString("\nFROM " + g.file() + g.format())
	case 1:
		b.WriteString(" INLINE [\na, b\n1, 2\n]" + g.format())
	case 2:
		b.WriteString(" Inline \"a\n1\"" + g.format())
	case 3:
		b.WriteString(" RESIDENT " + g.name())
	case 4:
		b.WriteString(" AUTOGENERATE " + g.expr(1))
	case 5:
		b.WriteString(" FROM_FIELD (" + g.name() + ", " + g.name() + ")" + g.format())
	}
	if g.r.IntN(3) == 0 {
		b.WriteString("\nWHERE " + g.expr(0))
	}
	if g.r.IntN(4) == 0 {
		b.WriteString(" while " + g.expr(1))
	}
	if g.r.IntN(4) == 0 {
		b.WriteString("\nGroup By " + g.list(func() string { return g.expr(1) }))
	}
	if g.r.IntN(4) == 0 {
		b.WriteString(" order by " + g.list(func() string { return g.expr(2) + g.pick("", " asc", " DESC") }))
	}
	return b.String()
}

func (g gen) stmt(depth int) string {
	if depth < 2 {
		switch g.r.IntN(14) {
		case 0:
			return "IF " + g.expr(0) + " THEN\n" + g.body(depth) + g.pick("", "ELSEIF "+g.expr(1)+" THEN\n"+g.body(depth)) +
				g.pick("", "ELSE\n"+g.body(depth)) + g.pick("END IF", "EndIf", "end if;")
		case 1:
			return "FOR i = " + g.expr(1) + " TO " + g.expr(1) + g.pick("", " STEP 2", " step -1") + "\n" + g.body(depth) + g.pick("NEXT", "Next i", "next i;")
		case 2:
			return "For Each v in " + g.line(func() string { return g.expr(1) }) + " // items\n" + g.body(depth) + "NEXT v"
		case 3:
			return "DO" + g.pick("", " WHILE "+g.expr(1), " until x") + "\n" + g.body(depth) + "LOOP" + g.pick("", " while y", " UNTIL "+g.expr(1))
		case 4:
			return "SUB " + g.pick("s", "Lib.s") + g.pick("", "(a, b)", "()") + "\n" + g.body(depth) + g.pick("END SUB", "EndSub")
		case 5:
			return "SWITCH " + g.expr(1) + "\nCASE " + g.line(func() string { return g.expr(2) }) + "\n" + g.body(depth) +
				g.pick("", "DEFAULT\n"+g.body(depth)) + "END SWITCH"
		}
	}
	switch g.r.IntN(22) {
	case 0, 1, 2, 3, 4, 5:
		return g.load() + ";"
	case 6:
		return "SET " + g.name() + " = " + g.pick(g.str(), ":-)", "a;", "", "[x] & 'y'") + ";"
	case 7:
		return g.pick("LET ", "") + g.pick("v", "[my v]", "v$(i)") + " = " + g.expr(0) + ";"
	case 8:
		return "DROP " + g.pick("TABLE ", "Fields ") + g.list(g.name) + ";"
	case 9:
		return "STORE " + g.pick("", "*, a as b FROM ") + g.name() + " INTO " + g.file() + g.format() + ";"
	case 10:
		return "RENAME FIELD " + g.name() + " TO " + g.name() + ";"
	case 11:
		kw := g.pick("Qualify ", "Unqualify ", "Map ", "NullAsValue ", "Search Include ")
		out := kw + g.list(func() string { return g.pick("*", "*ID", g.name(), "'a*'") })
		if kw == "Map " {
			out += " USING " + g.name()
		}
		return out + ";"
	case 12:
		return "TAG FIELD " + g.name() + " WITH " + g.str() + ";"
	case 13:
		return "TRACE " + g.pick("a $(v) 'b;c'", "", "x /* y; */ z") + ";"
	case 14:
		return g.pick("WHEN ", "Unless ") + g.expr(1) + " " + g.pick("TRACE x;", "EXIT SCRIPT", g.load()+";")
	case 15:
		return "EXIT " + g.pick("SCRIPT", "FOR", "DO", "SUB") + g.pick("", " WHEN "+g.expr(1), ";")
	case 16:
		return "CALL s" + g.pick("", "()", "("+g.list(func() string { return g.expr(1) })+")")
	case 17:
		return g.pick("$(Include=x.qvs);", "$(v);", "LOAD * RESIDENT T $(w);")
	case 18:
		return "///$tab " + g.pick("Main", "Tab 2")
	case 19:
		return "REM " + g.pick("x", "it's") + ";"
	case 20:
		return g.pick("Binary ", "Directory ") + g.file() + ";"
	}
	return g.pick("Comment Field a With 'x';", "LIB CONNECT TO 'c';", "ODBC CONNECT TO [x;y];", "Sleep 10;", "Force Case Upper;",
		"Section Access;", "Alias a as b;", "Loosen Table a;", "Declare Field Definition Tagged '$date';", "Disconnect;")
}

func (g gen) body(depth int) string {
	var b strings.Builder
	for range g.r.IntN(3) {
		b.WriteString(g.stmt(depth+1) + "\n")
	}
	return b.String()
}

// TestRoundTripGenerated parses random valid scripts and checks the same
// properties as the fuzz target: printing round-trips, is idempotent, and
// every statement re-parses from its text and offset.
func TestRoundTripGenerated(t *testing.T) {
	g := gen{rand.New(rand.NewPCG(7, 11))}
	n := 3000
	if testing.Short() {
		n = 300
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		for range 1 + g.r.IntN(4) {
			st := g.stmt(0)
			sep := g.pick("\n", " ", "\n\n// comment\n")
			if !strings.HasSuffix(st, ";") {
				sep = "\n" // control statements end at the end of the line
			}
			b.WriteString(st + sep)
		}
		src := b.String()
		s, err := Parse(src)
		require.NoError(t, err, "script:\n%s", src)
		out := Format(s)
		again, err := Parse(out)
		require.NoError(t, err, "script:\n%s\nprinted:\n%s", src, out)
		require.True(t, Equal(s, again), "script:\n%s\nprinted:\n%s", src, out)
		require.Equal(t, out, Format(again))
		checkSpans(t, src, 0, s.Stmts)
		checkReparse(t, s.Stmts)
	}
}

// TestMutatedScripts mutates the real scripts and their statements at
// random (inserting quotes, brackets, comments, keywords, bad bytes;
// deleting and overwriting bytes) and checks that the parser never panics
// and that whatever it accepts round-trips, as FuzzScriptParse does.
func TestMutatedScripts(t *testing.T) {
	var seeds []string
	for _, s := range realScripts(t) {
		seeds = append(seeds, s)
		if sc, err := Parse(s); err == nil {
			for _, st := range sc.Stmts {
				seeds = append(seeds, st.Info().Text)
			}
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"(", ")", "[", "]", "'", "\"", "`", "$(", ";", ",", "\n", " ", "//", "/*", "*/", "IF ", "THEN", "END IF",
		"NEXT", "FOR ", "LOAD ", "SUB ", "CASE ", "DO", "LOOP", "WHEN ", "x", "=", ":", "{", "}", "\xff", "é", "REM ", "///$tab ", "://"}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	accepted := 0
	for range n {
		b := []byte(seeds[r.IntN(len(seeds))])
		for range 1 + r.IntN(6) {
			pos := r.IntN(len(b) + 1)
			switch r.IntN(3) {
			case 0:
				b = append(b[:pos], append([]byte(pieces[r.IntN(len(pieces))]), b[pos:]...)...)
			case 1:
				if pos < len(b) {
					b = append(b[:pos], b[pos+r.IntN(min(8, len(b)-pos)+1):]...)
				}
			default:
				if pos < len(b) {
					b[pos] = pieces[r.IntN(len(pieces))][0]
				}
			}
		}
		src := string(b)
		s, err := Parse(src)
		require.NotNil(t, s)
		if err != nil {
			continue
		}
		accepted++
		out := Format(s)
		again, err := Parse(out)
		require.NoError(t, err, "source %q\nprinted %q", src, out)
		require.True(t, Equal(s, again), "source %q\nprinted %q", src, out)
		for _, st := range s.Stmts {
			switch st.(type) {
			case *Tab, *If, *For, *ForEach, *Do, *Sub, *Switch:
				continue
			}
			info := st.Info()
			re, err := ParseStatement(info.Text, info.Pos)
			require.NoError(t, err, "statement %q", info.Text)
			require.True(t, EqualStmt(st, re), "statement %q", info.Text)
			require.Equal(t, *info, *re.Info())
		}
	}
	require.Greater(t, accepted, n/10, "too few mutated scripts parse to test anything")
}
