package expr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// setOf parses an aggregation and returns its set expression.
func setOf(t *testing.T, src string) *SetExpr {
	t.Helper()
	n := mustParse(t, src)
	c, ok := n.(*AggCall)
	require.True(t, ok, "%s is not an aggregation", src)
	require.NotNil(t, c.Set)
	return c.Set
}

func TestSetIdentifiers(t *testing.T) {
	tests := []struct {
		src  string
		want SetIdent
	}{
		{"Sum({$} x)", SetIdent{Kind: IdentCurrent}},
		{"Sum({1} x)", SetIdent{Kind: IdentAll}},
		{"Sum({$1} x)", SetIdent{Kind: IdentPrev, N: 1}},
		{"Sum({$12} x)", SetIdent{Kind: IdentPrev, N: 12}},
		{"Sum({$_3} x)", SetIdent{Kind: IdentNext, N: 3}},
		{"Sum({BM01} x)", SetIdent{Kind: IdentNamed, Name: Name{Text: "BM01"}}},
		{"Sum({[Q1 Review]} x)", SetIdent{Kind: IdentNamed, Name: Name{Text: "Q1 Review", Quote: '['}}},
		{`Sum({"State 1"} x)`, SetIdent{Kind: IdentNamed, Name: Name{Text: "State 1", Quote: '"'}}},
		{"Sum({Alt::BM01} x)", SetIdent{Kind: IdentNamed, Name: Name{Text: "Alt"}, Bookmark: Name{Text: "BM01"}}},
		{"Sum({$::[My BM]} x)", SetIdent{Kind: IdentCurrent, Bookmark: Name{Text: "My BM", Quote: '['}}},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			f := setOf(t, tc.src).Term.(*SetFactor)
			require.Nil(t, f.Modifier)
			got := *f.Ident
			got.IdentPos = 0
			got.Name.NamePos, got.Name.NameEnd = 0, 0
			got.Bookmark.NamePos, got.Bookmark.NameEnd = 0, 0
			require.Equal(t, tc.want, got)
			require.Equal(t, tc.want.Bookmark.Text != "", got.HasBookmark())
		})
	}
}

func TestSetOperators(t *testing.T) {
	s := setOf(t, "Sum({1-$+BM01*-BM02/(A+B)} x)")
	// ((1 - $) + (BM01 * (-BM02) / (A + B))) with * and / binding tighter.
	sum := s.Term.(*SetBinary)
	require.Equal(t, SetUnion, sum.Op)
	diff := sum.X.(*SetBinary)
	require.Equal(t, SetDiff, diff.Op)
	require.Equal(t, IdentAll, diff.X.(*SetFactor).Ident.Kind)
	require.Equal(t, IdentCurrent, diff.Y.(*SetFactor).Ident.Kind)
	xor := sum.Y.(*SetBinary)
	require.Equal(t, SetXor, xor.Op)
	inter := xor.X.(*SetBinary)
	require.Equal(t, SetIntersect, inter.Op)
	require.IsType(t, &SetComplement{}, inter.Y)
	require.Equal(t, SetUnion, xor.Y.(*SetBinary).Op)
	require.Equal(t, "{1-$+BM01*-BM02/(A+B)}", s.String())
}

func TestSetModifiers(t *testing.T) {
	s := setOf(t, `Sum({$<Year={2020, '2021', "20*", [19*], `+"`x`"+`, -1, Jan}, Month=, Q+={1}, R-={2}, S*={3}, T/={4}, U={}, [Order Date]=DeliveryDate>} x)`)
	f := s.Term.(*SetFactor)
	require.Equal(t, IdentCurrent, f.Ident.Kind)
	m := f.Modifier
	require.Len(t, m.Assigns, 8)

	year := m.Assigns[0]
	require.Equal(t, "Year", year.Field.Text)
	require.Equal(t, AssignReplace, year.Op)
	items := year.Set.(*ElemList).Items
	kinds := []ItemKind{ItemUnquoted, ItemSingle, ItemDouble, ItemBracket, ItemBacktick, ItemUnquoted, ItemUnquoted}
	texts := []string{"2020", "2021", "20*", "19*", "x", "-1", "Jan"}
	require.Len(t, items, len(kinds))
	for i, it := range items {
		require.Equal(t, kinds[i], it.Kind, i)
		require.Equal(t, texts[i], it.Text, i)
	}
	require.False(t, items[0].IsSearch())
	require.False(t, items[1].IsSearch())
	require.True(t, items[2].IsSearch())
	require.True(t, items[3].IsSearch())
	require.True(t, items[4].IsSearch())

	require.Nil(t, m.Assigns[1].Set) // Month=
	ops := []AssignOp{AssignUnion, AssignDiff, AssignIntersect, AssignXor}
	for i, op := range ops {
		require.Equal(t, op, m.Assigns[2+i].Op)
	}
	require.Empty(t, m.Assigns[6].Set.(*ElemList).Items) // U={}
	od := m.Assigns[7]
	require.Equal(t, Name{NamePos: od.Field.NamePos, NameEnd: od.Field.NameEnd, Text: "Order Date", Quote: '['}, od.Field)
	require.Equal(t, "DeliveryDate", od.Set.(*ElemField).Field.Text)
}

func TestElementSetOperators(t *testing.T) {
	s := setOf(t, "Sum({<Y={1997, \"20*\"}-{2000}*-Z+P({1<A={'x'}>} B)+E()>} x)")
	e := s.Term.(*SetFactor).Modifier.Assigns[0].Set
	// ({..} - ({2000} * -Z)) + P(...) + E()
	top := e.(*ElemBinary)
	require.Equal(t, SetUnion, top.Op)
	require.IsType(t, &ElemFunc{}, top.Y)
	ef := top.Y.(*ElemFunc)
	require.True(t, ef.Excluded)
	require.Nil(t, ef.Set)
	require.Nil(t, ef.Field)
	left := top.X.(*ElemBinary)
	require.Equal(t, SetUnion, left.Op)
	p := left.Y.(*ElemFunc)
	require.False(t, p.Excluded)
	require.Equal(t, "{1<A={'x'}>}", p.Set.String())
	require.Equal(t, "B", p.Field.Text)
	diff := left.X.(*ElemBinary)
	require.Equal(t, SetDiff, diff.Op)
	inter := diff.Y.(*ElemBinary)
	require.Equal(t, SetIntersect, inter.Op)
	require.IsType(t, &ElemComplement{}, inter.Y)
}

func TestSetPreserveAndEmptyModifier(t *testing.T) {
	s := setOf(t, "Sum({&<A={1}>} x)")
	require.True(t, s.Preserve)
	s = setOf(t, "Sum({$<>} x)")
	require.NotNil(t, s.Term.(*SetFactor).Modifier)
	require.Empty(t, s.Term.(*SetFactor).Modifier.Assigns)
}

func TestSetPositions(t *testing.T) {
	src := "Sum({$<Year={2020}>} Sales)"
	s := setOf(t, src)
	require.Equal(t, "{$<Year={2020}>}", src[s.Pos():s.End()])
	a := s.Term.(*SetFactor).Modifier.Assigns[0]
	require.Equal(t, "Year", src[a.Field.Pos():a.Field.End()])
	it := a.Set.(*ElemList).Items[0]
	require.Equal(t, Pos(13), it.ItemPos)
}

func TestClassifySearch(t *testing.T) {
	tests := map[string]SearchKind{
		"=Sum(X)>10": SearchExpression,
		" =x":        SearchExpression,
		">=10<20":    SearchNumeric,
		"<5":         SearchNumeric,
		"~Sweeden":   SearchFuzzy,
		"A*":         SearchWildcard,
		"*^z*":       SearchWildcard,
		"S?":         SearchWildcard,
		"Sweden":     SearchNormal,
		"12":         SearchNormal,
	}
	for s, want := range tests {
		require.Equal(t, want, ClassifySearch(s), s)
	}
	require.Equal(t, "wildcard", SearchWildcard.String())
}

func TestParseNumericSearch(t *testing.T) {
	conds, ok := ParseNumericSearch(">=1/1/2015<1/1/2016")
	require.True(t, ok)
	require.Equal(t, []NumericCondition{{OpGe, "1/1/2015"}, {OpLt, "1/1/2016"}}, conds)
	conds, ok = ParseNumericSearch(" > 5 <= 20 ")
	require.True(t, ok)
	require.Equal(t, []NumericCondition{{OpGt, "5"}, {OpLe, "20"}}, conds)
	for _, bad := range []string{"", "5", ">", ">=5<", "=5"} {
		_, ok := ParseNumericSearch(bad)
		require.False(t, ok, bad)
	}
}
