package qix

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine/numfmt"
)

// tickList renders ticks as "text [start, end]".
func tickList(ticks []any) []string {
	var out []string
	for _, tk := range ticks {
		o := tk.(*jsonObject)
		s, _ := o.Get("qStart")
		e, _ := o.Get("qEnd")
		out = append(out, o.str("qText")+" "+rectNum(s.(float64))+" "+rectNum(e.(float64)))
	}
	return out
}

func TestDateTicks(t *testing.T) {
	loc := numfmt.EngineLocale()
	jan15 := numfmt.MakeDate(2020, 1, 15)
	apr10 := numfmt.MakeDate(2020, 4, 10)
	jan1, feb1, mar1, apr1, may1 := numfmt.MakeDate(2020, 1, 1), numfmt.MakeDate(2020, 2, 1),
		numfmt.MakeDate(2020, 3, 1), numfmt.MakeDate(2020, 4, 1), numfmt.MakeDate(2020, 5, 1)
	jul1, jan2021 := numfmt.MakeDate(2020, 7, 1), numfmt.MakeDate(2021, 1, 1)
	cases := []struct {
		name       string
		start, end float64
		max        int
		want       []string
	}{
		{"months", jan15, apr10, 5, []string{
			"Jan 2020 " + rectNum(jan1) + " " + rectNum(feb1), "Feb 2020 " + rectNum(feb1) + " " + rectNum(mar1),
			"Mar 2020 " + rectNum(mar1) + " " + rectNum(apr1), "Apr 2020 " + rectNum(apr1) + " " + rectNum(may1)}},
		{"quarters", jan15, apr10, 2, []string{
			"Q1 2020 " + rectNum(jan1) + " " + rectNum(apr1), "Q2 2020 " + rectNum(apr1) + " " + rectNum(jul1)}},
		{"years", jan15, apr10, 1, []string{"2020 " + rectNum(jan1) + " " + rectNum(jan2021)}},
		{"days", jan15, jan15 + 2, 5, []string{
			"1/15/2020 " + rectNum(jan15) + " " + rectNum(jan15+1), "1/16/2020 " + rectNum(jan15+1) + " " + rectNum(jan15+2),
			"1/17/2020 " + rectNum(jan15+2) + " " + rectNum(jan15+3)}},
		{"hours", jan15 + 0.25, jan15 + 0.3, 5, []string{
			"06:00 " + rectNum(jan15+0.25) + " " + rectNum(jan15+7.0/24), "07:00 " + rectNum(jan15+7.0/24) + " " + rectNum(jan15+8.0/24)}},
		{"not a number", math.NaN(), 1, 5, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tickList(dateTicks(tc.start, tc.end, tc.max, &loc)))
		})
	}
}

func TestNumberTicks(t *testing.T) {
	loc := numfmt.EngineLocale()
	comma := numfmt.EngineLocale()
	comma.DecimalSep = ","
	cases := []struct {
		name       string
		start, end float64
		max        int
		loc        *numfmt.Locale
		want       []string
	}{
		{"halves", 0, 1, 4, &loc, []string{"0 0 0", "0.5 0.5 0.5", "1 1 1"}},
		{"decimal comma", 0, 1, 4, &comma, []string{"0 0 0", "0,5 0.5 0.5", "1 1 1"}},
		{"tens", -3, 27, 3, &loc, []string{"0 0 0", "10 10 10", "20 20 20"}},
		{"small steps", 0.1, 0.3, 2, &loc, []string{"0.1 0.1 0.1", "0.2 0.2 0.2", "0.3 0.3 0.3"}},
		{"a point", 7, 7, 5, &loc, []string{"7 7 7"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, tickList(numberTicks(tc.start, tc.end, tc.max, tc.loc)))
		})
	}
}
