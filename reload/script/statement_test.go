package script

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseStatement(t *testing.T) {
	st, err := ParseStatement("Orders: LOAD a AS b FROM [x.csv] (txt) WHERE a > 1;", 1000)
	require.NoError(t, err)
	ld := st.(*Load)
	require.Equal(t, StmtInfo{Pos: 1000, End: 1050, Text: "Orders: LOAD a AS b FROM [x.csv] (txt) WHERE a > 1"}, ld.StmtInfo)
	require.Equal(t, Name{Text: "Orders", Pos: 1000}, *ld.Label)
	require.Equal(t, Expr{Src: "a", Pos: 1013}, ld.Fields[0].Expr)
	require.Equal(t, Name{Text: "b", Pos: 1018}, *ld.Fields[0].Alias)
	require.Equal(t, Name{Text: "x.csv", Quote: '[', Pos: 1025}, ld.Source.(*From).File)
	require.Equal(t, 1033, ld.Source.(*From).Format.Pos)
	require.Equal(t, 1034, ld.Source.(*From).Format.Items[0].Pos)
	require.Equal(t, Expr{Src: "a > 1", Pos: 1045}, *ld.Where)

	// Text after expansion, without a terminator, with comments around.
	st, err = ParseStatement("  // expanded\n LET x = 1 + 2 // c\n ; ;", 50)
	require.NoError(t, err)
	require.Equal(t, &Let{StmtInfo: StmtInfo{Pos: 65, End: 78, Text: "LET x = 1 + 2"}, Name: Name{Text: "x", Pos: 69}, Value: Expr{Src: "1 + 2", Pos: 73}}, st)

	// Nothing to parse.
	for _, src := range []string{"", " ; ;", "// c", "REM nothing;", "///$tab X\n"} {
		st, err := ParseStatement(src, 0)
		require.NoError(t, err, "%q", src)
		require.Nil(t, st, "%q", src)
	}
}

func TestParseStatementBlocks(t *testing.T) {
	cases := []struct {
		src  string
		want Stmt
	}{
		{"IF a > $(x) THEN", &If{Cond: e("a > $(x)")}},
		{"IF a THEN;", &If{Cond: e("a")}},
		{"FOR i = 1 TO 10 STEP 2", &For{Var: n("i"), From: e("1"), To: e("10"), Step: pe("2")}},
		{"FOR EACH v IN 'a', 'b'", &ForEach{Var: n("v"), Items: es("'a'", "'b'")}},
		{"DO WHILE x < 3", &Do{Pre: &Condition{Kind: CondWhile, Expr: e("x < 3")}}},
		{"SUB s(a, b)", &Sub{Name: n("s"), Params: ns("a", "b")}},
		{"SWITCH x", &Switch{Expr: e("x")}},
		{"CALL s(1, 2);", &Call{Name: n("s"), Args: es("1", "2")}},
		{"EXIT SCRIPT WHEN a", &Exit{Kind: ExitScript, Cond: &Condition{Kind: CondWhen, Expr: e("a")}}},
	}
	for _, c := range cases {
		st, err := ParseStatement(c.src, 0)
		require.NoError(t, err, c.src)
		require.True(t, EqualStmt(c.want, st), "%q: %#v", c.src, st)
	}
	for _, src := range []string{"ELSE", "END IF", "NEXT i", "LOOP", "CASE 1", "DEFAULT", "END SUB", "ELSEIF a THEN", "ENDSWITCH"} {
		_, err := ParseStatement(src, 0)
		require.ErrorContains(t, err, "is only valid inside a block", src)
	}
}

func TestParseStatementErrors(t *testing.T) {
	_, err := ParseStatement("LOAD a FROM;", 100)
	var list ErrorList
	require.True(t, errors.As(err, &list))
	require.Len(t, list, 1)
	require.Equal(t, &Error{Pos: 111, Msg: `LOAD ... FROM: expected a file name, found ";"`}, list[0])
	require.Equal(t, `offset 111: LOAD ... FROM: expected a file name, found ";"`, list[0].Error())
	// The interpreter locates the error in the original script.
	orig := "SET a = 1;\n" + string(make([]byte, 88)) + "\nLOAD a FROM $(v);"
	list.Locate(orig)
	require.Equal(t, `3:12: LOAD ... FROM: expected a file name, found ";"`, list[0].Error())

	_, err = ParseStatement("SET a = 1; SET b = 2;", 0)
	require.ErrorContains(t, err, `offset 11: unexpected "SET" after the end of the statement`)
	_, err = ParseStatement("IF a THEN LET b = 1;", 0)
	require.ErrorContains(t, err, `offset 10: unexpected "LET" after the end of the statement`)

	// An expansion standing for a keyword makes the statement Unexpanded,
	// as in Parse.
	st, err := ParseStatement("LOAD * RESIDENT T $(vWhere);", 7)
	require.NoError(t, err)
	require.Equal(t, &Unexpanded{StmtInfo{Pos: 7, End: 34, Text: "LOAD * RESIDENT T $(vWhere)"}}, st)
}
