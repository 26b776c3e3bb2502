package script

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestErrors(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []string // "line:col: message" of each error, in order
	}{
		{"unknown statement", "LOD * FROM x;", []string{`1:1: unknown statement starting with "LOD"`}},
		{"no fields", "LOAD FROM x;", []string{`1:6: LOAD: expected a field, found "FROM"`}},
		{"trailing comma", "LOAD a, b, RESIDENT T;", []string{`1:12: LOAD: expected a field, found "RESIDENT"`}},
		{"empty where", "LOAD a FROM x WHERE;", []string{`1:20: LOAD ... WHERE: expected a condition, found ";"`}},
		{"unclosed paren", "LOAD (a FROM x;", []string{`1:6: unclosed "(" in expression`}},
		{"unexpected paren", "LOAD a) FROM x;", []string{`1:7: unexpected ")" in expression`}},
		{"mismatched", "LOAD f(a} FROM x;", []string{`1:9: "}" does not match "(" at 1:7`}},
		{"unterminated string", "LOAD 'abc FROM x;\nSET a = 1;", []string{`1:6: string not terminated: missing '`}},
		{"unterminated name", "DROP TABLE [abc;", []string{`1:12: quoted name not terminated: missing ]`}},
		{"unterminated comment", "SET a = 1; /* never closed", []string{`1:12: comment not terminated: missing */`}},
		{"set without =", "SET x 1;", []string{`1:7: SET x: expected "=", found "1"`}},
		{"drop what", "DROP x;", []string{`1:6: DROP: expected TABLE or FIELD, found "x"`}},
		{"missing file", "LOAD * FROM ;", []string{`1:13: LOAD ... FROM: expected a file name, found ";"`}},
		{"unclosed if", "IF a THEN\nLOAD 1 AUTOGENERATE 1;", []string{`1:1: IF is not closed: missing END IF`}},
		{"next without for", "SET a = 1;\nNEXT i\nSET b = 2;", []string{`2:1: NEXT without a matching FOR`}},
		{"end if without if", "END IF", []string{`1:1: END IF without a matching IF`}},
		{"else without if", "  ELSE", []string{`1:3: ELSE without a matching IF`}},
		{"end what", "END FOR", []string{`1:5: END: expected IF, SUB or SWITCH, found "FOR"`}},
		{"if without then", "IF x\nTRACE a;\nEND IF", []string{`2:8: IF x ...: expected THEN, found ";"`}},
		{"if without condition", "IF THEN\nEND IF", []string{`1:4: IF: expected a condition, found "THEN"`}},
		{"for without to", "FOR i = 1\nNEXT", []string{`1:10: FOR i = 1: expected TO, found end of line`}},
		{"for without end", "FOR i = 1 TO // c\nNEXT", []string{`1:13: FOR ... TO: expected an end value, found end of line`}},
		{"for without =", "FOR i 1 TO 2\nNEXT", []string{`1:7: FOR i: expected "=", found "1"`}},
		{"for each without in", "FOR EACH v 'a'\nNEXT", []string{`1:12: FOR EACH v: expected IN, found 'a'`}},
		{"for each empty item", "FOR EACH v IN 'a', \nNEXT", []string{`1:19: FOR EACH v IN: expected an expression, found end of line`}},
		{"do condition", "DO WHILE\nLOOP", []string{`1:9: DO WHILE: expected a condition, found end of line`}},
		{"call on next line", "CALL\nx;", []string{`1:5: CALL: expected a subroutine name, found end of line`, `2:1: unknown statement starting with "x"`}},
		{"next on same line", "FOR i = 1 TO 2\nNEXT i j", []string{`2:8: unexpected "j" after the statement: a control statement ends at the end of the line or at ";"`}},
		{"block crossing", "FOR i = 1 TO 2\nIF a THEN\nNEXT\nEND IF", []string{
			`2:1: IF is not closed: missing END IF`, `4:1: END IF without a matching IF`}},
		{"unclosed sub", "SUB a\nTRACE x;", []string{`1:1: SUB is not closed: missing END SUB`}},
		{"unclosed do", "DO WHILE a\nTRACE x;", []string{`1:1: DO is not closed: missing LOOP`}},
		{"unclosed switch", "SWITCH a\nCASE 1\nTRACE x;", []string{`1:1: SWITCH is not closed: missing END SWITCH`}},
		{"switch stray", "SWITCH a\nTRACE x;\nCASE 1\nEND SWITCH", []string{`2:1: statement outside CASE or DEFAULT in SWITCH`}},
		{"case after default", "SWITCH a\nDEFAULT\nCASE 1\nEND SWITCH", []string{`3:1: CASE after DEFAULT`}},
		{"elseif after else", "IF a THEN\nELSE\nELSEIF b THEN\nEND IF", []string{`3:1: ELSEIF after ELSE`}},
		{"second else", "IF a THEN\nELSE\nELSE\nEND IF", []string{`3:1: second ELSE in IF`}},
		{"label before set", "Tab:\nSET x = 1;", []string{`2:1: expected LOAD, SELECT or a prefix after the label Tab, found "SET"`}},
		{"left what", "LEFT LOAD * RESIDENT T;", []string{`1:6: LEFT: expected JOIN or KEEP, found "LOAD"`}},
		{"outer keep", "OUTER KEEP LOAD * RESIDENT T;", []string{`1:7: OUTER: expected JOIN, found "KEEP"`}},
		{"bare keep", "KEEP LOAD * RESIDENT T;", []string{`1:1: KEEP must be preceded by INNER, LEFT or RIGHT`}},
		{"crosstable args", "CROSSTABLE LOAD * RESIDENT T;", []string{`1:12: CROSSTABLE: expected "(", found "LOAD"`}},
		{"prefix without load", "NOCONCATENATE DROP TABLE T;", []string{`1:15: prefix: expected LOAD or SELECT, found "DROP"`}},
		{"star alias", "LOAD * AS x FROM y;", []string{`1:8: LOAD: * cannot have an alias`}},
		{"second where", "LOAD a FROM x WHERE b WHERE c;", []string{`1:23: LOAD: second WHERE clause`}},
		{"source after where", "LOAD a WHERE b FROM x;", []string{`1:16: LOAD: FROM must come right after the field list`}},
		{"where after group by", "LOAD a RESIDENT T GROUP BY a WHERE b;", []string{`1:30: LOAD: WHERE must come before GROUP BY and ORDER BY`}},
		{"inline not terminated", "LOAD * INLINE [\na, b\n1, 2", []string{`1:15: INLINE data not terminated: missing ]`}},
		{"inline without data", "LOAD * INLINE a;", []string{`1:15: INLINE: expected "[" or '"', found "a"`}},
		{"missing semicolon", "LOAD a RESIDENT T\nLOAD b RESIDENT T;", []string{`2:1: unexpected "LOAD": expected ";" at the end of the statement`}},
		{"exit what", "EXIT;", []string{`1:5: EXIT: expected SCRIPT, FOR, DO or SUB, found ";"`}},
		{"exit junk", "EXIT SCRIPT now", []string{`1:13: unexpected "now" after EXIT: a control statement ends at the end of the line or at ";"`}},
		{"call without name", "CALL;", []string{`1:5: CALL: expected a subroutine name, found ";"`}},
		{"store list without from", "STORE a, b INTO x;", []string{`1:12: STORE with a field list: expected FROM, found "INTO"`}},
		{"store without into", "STORE T x.qvd;", []string{`1:9: STORE T: expected INTO, found "x.qvd"`}},
		{"force", "FORCE CASE x;", []string{`1:12: FORCE CASE: expected UPPER, LOWER or MIXED, found "x"`}},
		{"section", "SECTION x;", []string{`1:9: SECTION: expected ACCESS or APPLICATION, found "x"`}},
		{"rename without to", "RENAME TABLE a b;", []string{`1:16: RENAME a: expected TO, found "b"`}},
		{"tag without with", "TAG FIELD a b;", []string{`1:13: TAG: expected WITH or USING, found "b"`}},
		{"when without statement", "WHEN a = 1;", []string{`1:11: WHEN a = 1: expected a statement, found ";"`}},
		{"when with a block", "WHEN a IF b THEN\nEND IF", []string{`2:7: WHEN a IF b THEN ...: expected a statement, found end of script`}},
		{"sleep", "SLEEP ;", []string{`1:7: SLEEP: expected a duration in milliseconds, found ";"`}},
		{"sql", "SQL ;", []string{`1:5: SQL: expected a command, found ";"`}},
		{"bad utf8", "SET a = 1;\n\xff", []string{`2:1: invalid UTF-8 byte 0xff`}},
		{"characters not bytes", "LET å = 'äö';\nTRACE x; ÅÄÖ x;", []string{`2:10: unknown statement starting with "ÅÄÖ"`}},
		{"recovery", "LOD a;\nSET a = 1;\nDROP x;\nLOAD * RESIDENT T;", []string{
			`1:1: unknown statement starting with "LOD"`, `3:6: DROP: expected TABLE or FIELD, found "x"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.src)
			require.Error(t, err)
			var list ErrorList
			require.True(t, errors.As(err, &list))
			got := make([]string, len(list))
			for i, e := range list {
				got[i] = e.Error()
			}
			require.Equal(t, c.want, got)
		})
	}
}

// TestErrorRecovery checks that the statements around errors are kept.
func TestErrorRecovery(t *testing.T) {
	s, err := Parse("SET a = 1;\nLOD b;\nSET c = 2;\nFOR i = \n  SET d = 3;\nNEXT\nIF x\n SET e = 4;\nEND IF\nSET f = 5;")
	require.Error(t, err)
	list := err.(ErrorList)
	require.Equal(t, `2:1: unknown statement starting with "LOD"
4:8: FOR i =: expected a start value, found end of line
8:11: IF x ...: expected THEN, found ";"`, list.All())
	var names []string
	var collect func([]Stmt)
	collect = func(stmts []Stmt) {
		for _, st := range stmts {
			switch s := st.(type) {
			case *Set:
				names = append(names, s.Name.Text)
			case *For:
				collect(s.Body)
			case *If:
				collect(s.Then)
			}
		}
	}
	collect(s.Stmts)
	require.Equal(t, []string{"a", "c", "d", "f"}, names)
}

func TestErrorCap(t *testing.T) {
	src := strings.Repeat("LOD x;\n", 25)
	_, err := Parse(src)
	list := err.(ErrorList)
	require.Len(t, list, MaxErrors)
	for i, e := range list {
		require.Equal(t, i+1, e.Line)
		require.Equal(t, 1, e.Col)
	}
	require.Equal(t, `cannot parse script: 1:1: unknown statement starting with "LOD" (and 9 more errors, stopped after 10)`, err.Error())
	require.Equal(t, 10, strings.Count(list.All(), "\n")+1)
	// errors.As reaches each error.
	var one *Error
	require.True(t, errors.As(err, &one))
	require.Equal(t, 1, one.Line)

	_, err = Parse("LOD x;\nLOD y;")
	require.Equal(t, `cannot parse script: 1:1: unknown statement starting with "LOD" (and 1 more errors)`, err.Error())
	require.NoError(t, ErrorList(nil).Err())
	require.Equal(t, "no errors", ErrorList(nil).Error())
}

// TestErrorsAreNotPanics feeds truncated prefixes of real scripts and
// checks that the parser never panics and always returns a tree or errors.
func TestErrorsAreNotPanics(t *testing.T) {
	for name, src := range realScripts(t) {
		for i := 0; i <= len(src); i += 1 + len(src)/200 {
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("%s[:%d] panics: %v", name, i, r)
					}
				}()
				s, err := Parse(src[:i])
				require.NotNil(t, s)
				if err == nil {
					again, err := Parse(Format(s))
					require.NoError(t, err, fmt.Sprintf("%s[:%d]", name, i))
					require.True(t, Equal(s, again), "%s[:%d]", name, i)
				}
			}()
		}
	}
}
