package expr

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckNesting(t *testing.T) {
	tests := []struct {
		src  string
		want string // "" = valid, else "line:col: message" prefix of the only error
	}{
		{"Sum(Sales)", ""},
		{"Sum(Sales) / Count(Customer)", ""},
		{"Sum(If(Year = Max(TOTAL Year), Sales))", ""},
		{"Sum(Sales) / Sum(ALL Sales)", ""},
		{"Sum(Sales / Sum(TOTAL Sales))", ""},
		{"Sum(Sales / Sum(TOTAL <Month> Sales))", ""},
		{"Avg(Aggr(Sum(Sales), Customer))", ""},
		{"Avg(TOTAL Aggr(Sum(Sales), Customer))", ""},
		{"Max(Aggr(Sum(Aggr(Count(x), a, b)), a))", ""},
		{"Aggr(Sum(Sales), Customer)", ""},
		{"Aggr(Sum(x), (a, (=Sum(y), DESCENDING)))", ""},
		{"Rank(Sum(Sales))", ""},
		{"RangeSum(Above(Sum(x), 0, 3))", ""},
		{"{<A={1}>} Sum(x) + Count(y)", ""},
		{"Sum(Sum(x))", "1:5: nested aggregation: Sum inside Sum needs TOTAL or must go through Aggr()"},
		{"Sum(x * Avg(y))", "1:9: nested aggregation: Avg inside Sum"},
		{"Count(DISTINCT If(Sum(x) > 0, y))", "1:19: nested aggregation: Sum inside Count"},
		{"Max(TOTAL Sum(x))", "1:11: nested aggregation: Sum inside Max"},
		{"Avg(Aggr(Sum(Min(x)), a))", "1:14: nested aggregation: Min inside Sum"},
		{"Sum(Rank(Sum(x)))", "1:10: nested aggregation: Sum inside Sum"},
		{"Aggr(Sum(x), (a, (=Sum(Sum(y)))))", "1:24: nested aggregation: Sum inside Sum"},
	}
	for _, tc := range tests {
		t.Run(tc.src, func(t *testing.T) {
			n, err := Parse(tc.src)
			if tc.want == "" {
				require.NoError(t, err)
				require.NoError(t, Check(n))
				return
			}
			require.Error(t, err)
			list := err.(ErrorList)
			require.Len(t, list, 1, list.All())
			require.True(t, strings.HasPrefix(list[0].Error(), tc.want), "got %q", list[0].Error())
		})
	}
}

func TestCheckDepth(t *testing.T) {
	// 100 levels of TOTAL nesting are allowed, 101 are not.
	nest := func(n int) string {
		return strings.Repeat("Sum(TOTAL ", n) + "x" + strings.Repeat(")", n)
	}
	_, err := Parse(nest(100))
	require.NoError(t, err)
	_, err = Parse(nest(101))
	require.ErrorContains(t, err, "aggregations nested more than 100 levels deep")
}

func TestCheckHandBuilt(t *testing.T) {
	sum := Lookup("Sum")
	inner := &AggCall{Name: Name{Text: "Sum"}, Func: sum, Args: []Node{&FieldRef{Name: Name{Text: "x"}}}}
	outer := &AggCall{Name: Name{Text: "Sum"}, Func: sum, Args: []Node{inner}}
	err := Check(outer)
	require.ErrorContains(t, err, "nested aggregation")
	require.ErrorContains(t, err, "offset 0:")
	inner.Scope = ScopeTotal
	require.NoError(t, Check(outer))
}
