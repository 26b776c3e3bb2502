package expr

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPrintHandBuilt(t *testing.T) {
	x := &FieldRef{Name: Name{Text: "x"}}
	sum := &AggCall{Name: Name{Text: "Sum"}, Func: Lookup("Sum"), Args: []Node{x}}
	set := &SetExpr{Term: &SetFactor{Modifier: &Modifier{Assigns: []*Assign{{
		Field: Name{Text: "A"}, Op: AssignReplace, Set: &ElemList{Items: []ElemItem{{Kind: ItemUnquoted, Text: "1"}}},
	}}}}}
	outer := &OuterSet{Set: set, X: sum}
	tests := []struct {
		n    Node
		want string
	}{
		{&FieldRef{Name: Name{Text: "Order Date"}}, "[Order Date]"},
		{&FieldRef{Name: Name{Text: "and"}}, "[and]"},
		{&FieldRef{Name: Name{Text: "a]b"}}, "[a]]b]"},
		{&NumberLit{Value: 1e-7}, "1e-07"},
		{&StringLit{Value: "it's"}, "'it''s'"},
		// An outer set as an operand needs parentheses.
		{&Binary{Op: OpAdd, X: outer, Y: &NumberLit{Value: 1}}, "({<A={1}>} Sum(x)) + 1"},
		{&Binary{Op: OpAdd, X: &NumberLit{Value: 1}, Y: outer}, "1 + ({<A={1}>} Sum(x))"},
		{&Unary{Op: OpNeg, X: outer}, "-({<A={1}>} Sum(x))"},
		// As the first argument of an aggregation it would read as the
		// aggregation's own set.
		{&AggCall{Name: Name{Text: "Sum"}, Func: Lookup("Sum"), Args: []Node{&OuterSet{Set: set, X: x}}}, "Sum(({<A={1}>} x))"},
		{&Call{Name: Name{Text: "If"}, Func: Lookup("If"), Args: []Node{outer, x}}, "If({<A={1}>} Sum(x), x)"},
		{&Unary{Op: OpNot, X: &Binary{Op: OpAnd, X: x, Y: x}}, "not (x and x)"},
		{&Binary{Op: OpSub, X: x, Y: &Binary{Op: OpSub, X: x, Y: x}}, "x - (x - x)"},
		{&Binary{Op: OpEq, X: &Unary{Op: OpNot, X: x}, Y: x}, "(not x) = x"},
		{&Unary{Op: OpNeg, X: &Unary{Op: OpNeg, X: x}}, "--x"},
	}
	for i, tc := range tests {
		got := String(tc.n)
		require.Equal(t, tc.want, got)
		n, err := Parse(got)
		require.NoError(t, err, got)
		if i < 3 {
			// Unquoted names that need quotes come back quoted.
			require.Equal(t, byte('['), n.(*FieldRef).Name.Quote)
			continue
		}
		require.True(t, Equal(tc.n, n), "%s does not re-parse to the same tree", got)
	}
}

func TestPrintElemItems(t *testing.T) {
	items := []ElemItem{
		{Kind: ItemUnquoted, Text: "2020"},
		{Kind: ItemUnquoted, Text: "-1.5"},
		{Kind: ItemUnquoted, Text: "Jan"},
		{Kind: ItemUnquoted, Text: "two words"}, // not representable unquoted
		{Kind: ItemSingle, Text: "it's"},
		{Kind: ItemDouble, Text: `say "hi"`},
		{Kind: ItemBracket, Text: "a]b"},
		{Kind: ItemBacktick, Text: "a`b"},
	}
	set := &SetExpr{Term: &SetFactor{Modifier: &Modifier{Assigns: []*Assign{{
		Field: Name{Text: "F"}, Op: AssignReplace, Set: &ElemList{Items: items},
	}}}}}
	require.Equal(t, "{<F={2020, -1.5, Jan, 'two words', 'it''s', \"say \"\"hi\"\"\", [a]]b], `a``b`}>}", set.String())
}

func TestEqual(t *testing.T) {
	same := [][2]string{
		{"sum(x)", "SUM( x )"},
		{"1.0", "1"},
		{"a+b*c", "a + (b * c)"},
		{"Count(distinct x)", "Count(DISTINCT x)"},
		{"Aggr(Sum(x), (a, (numeric, descending)))", "Aggr(Sum(x), (a, (NUMERIC, DESCENDING)))"},
	}
	for _, p := range same {
		require.True(t, Equal(mustParse(t, p[0]), mustParse(t, p[1])), "%s vs %s", p[0], p[1])
	}
	different := [][2]string{
		{"a", "[a]"},
		{"a", "A"},
		{"'a'", "a"},
		{"1 - 2 - 3", "1 - (2 - 3)"},
		{"Sum(x)", "Sum(TOTAL x)"},
		{"Sum(x)", "Sum(DISTINCT x)"},
		{"Sum(TOTAL <a> x)", "Sum(TOTAL <b> x)"},
		{"Sum({$} x)", "Sum({1} x)"},
		{"Sum({<A={1}>} x)", "Sum({<A={'1'}>} x)"},
		{"Sum({<A={1}>} x)", "Sum({<A+={1}>} x)"},
		{"Sum({<A=P(B)>} x)", "Sum({<A=E(B)>} x)"},
		{"Aggr(Sum(x), a)", "Aggr(Sum(x), (a))"},
		{"Rank(x)", "Rank(TOTAL x)"},
	}
	for _, p := range different {
		require.False(t, Equal(mustParse(t, p[0]), mustParse(t, p[1])), "%s vs %s", p[0], p[1])
	}
	require.True(t, Equal(nil, nil))
	require.False(t, Equal(nil, mustParse(t, "1")))
}
