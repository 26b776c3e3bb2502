package numfmt

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file replays documented Qlik examples (testdata/qlik-doc-examples.tsv)
// and observed engine cells (testdata/halyard-hypercube-cells.tsv). The
// examples are written as Qlik function calls; a small evaluator below maps
// each call onto this package's functions the way the chart function layer
// will, taking omitted arguments from the locale.

type docRow struct {
	line               int
	locale, expr, want string
	source             string
}

func readTSV(t *testing.T, path string, cols int) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	var rows [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Split(line, "\t")
		require.Len(t, parts, cols, "line %q of %s", line, path)
		rows = append(rows, parts)
	}
	require.NoError(t, sc.Err())
	return rows
}

// testLocale builds a locale from a spec such as "docs|FirstWeekDay=6".
func testLocale(t *testing.T, spec string) Locale {
	t.Helper()
	items := strings.Split(spec, "|")
	var loc Locale
	switch items[0] {
	case "engine":
		loc = EngineLocale()
	case "us":
		loc = DefaultLocale()
	case "docs":
		loc = EngineLocale()
		loc.DateFormat = "DD/MM/YYYY"
		loc.TimeFormat = "hh:mm:ss"
		loc.TimestampFormat = "DD/MM/YYYY hh:mm:ss"
	default:
		t.Fatalf("unknown locale base %q", items[0])
	}
	vars := map[string]string{}
	for _, it := range items[1:] {
		k, v, ok := strings.Cut(it, "=")
		require.True(t, ok, "locale item %q", it)
		vars[k] = v
	}
	require.NoError(t, loc.Apply(vars))
	return loc
}

// value is what an evaluated call returns.
type value struct {
	num    float64 // NaN when none
	text   string
	serial bool // a date/time number, compared as such
}

func numVal(f float64) value    { return value{num: f} }
func serialVal(f float64) value { return value{num: f, serial: true} }
func textVal(s string) value    { return value{num: math.NaN(), text: s} }

// evaluator parses and evaluates a call expression:
//
//	expr = call | string | number
//	call = name "(" [ expr { "," expr } ] ")"
type evaluator struct {
	s   string
	pos int
	loc *Locale
}

func (e *evaluator) skip() {
	for e.pos < len(e.s) && e.s[e.pos] == ' ' {
		e.pos++
	}
}

func (e *evaluator) expr() (value, error) {
	e.skip()
	if e.pos >= len(e.s) {
		return value{}, fmt.Errorf("unexpected end of %q", e.s)
	}
	c := e.s[e.pos]
	switch {
	case c == '\'':
		end := strings.IndexByte(e.s[e.pos+1:], '\'')
		if end < 0 {
			return value{}, fmt.Errorf("unterminated string in %q", e.s)
		}
		v := textVal(e.s[e.pos+1 : e.pos+1+end])
		e.pos += end + 2
		return v, nil
	case c == '-' || c >= '0' && c <= '9':
		start := e.pos
		e.pos++
		for e.pos < len(e.s) && (e.s[e.pos] >= '0' && e.s[e.pos] <= '9' || e.s[e.pos] == '.') {
			e.pos++
		}
		f, err := strconv.ParseFloat(e.s[start:e.pos], 64)
		return numVal(f), err
	}
	start := e.pos
	for e.pos < len(e.s) && e.s[e.pos] != '(' && e.s[e.pos] != ' ' {
		e.pos++
	}
	name := strings.ToLower(e.s[start:e.pos])
	e.skip()
	if e.pos >= len(e.s) || e.s[e.pos] != '(' {
		return value{}, fmt.Errorf("want ( after %s in %q", name, e.s)
	}
	e.pos++
	var args []value
	for {
		e.skip()
		if e.pos < len(e.s) && e.s[e.pos] == ')' {
			e.pos++
			break
		}
		a, err := e.expr()
		if err != nil {
			return value{}, err
		}
		args = append(args, a)
		e.skip()
		if e.pos < len(e.s) && e.s[e.pos] == ',' {
			e.pos++
		}
	}
	return e.call(name, args)
}

// serialArg converts an argument to a serial as Qlik's date functions do:
// a number stays, a text is interpreted.
func (e *evaluator) serialArg(v value) float64 {
	if !math.IsNaN(v.num) {
		return v.num
	}
	f, _, _ := Interpret(v.text, e.loc)
	return f
}

func (e *evaluator) call(name string, a []value) (value, error) {
	loc := e.loc
	str := func(i int, def string) string {
		if i < len(a) {
			return a[i].text
		}
		return def
	}
	num := func(i int, def float64) float64 {
		if i < len(a) {
			return a[i].num
		}
		return def
	}
	inum := func(i int, def int) int { return int(num(i, float64(def))) }
	x := func(i int) float64 { return e.serialArg(a[i]) }
	rule := func(i int) WeekRule {
		r := loc.WeekRule()
		r.FirstWeekDay = inum(i, r.FirstWeekDay)
		if i+1 < len(a) {
			r.Broken = a[i+1].num != 0
		}
		r.ReferenceDay = inum(i+2, r.ReferenceDay)
		return r
	}
	fm := loc.FirstMonthOfYear
	switch name {
	case "num":
		nf := NumberFormat{Code: str(1, ""), Dec: str(2, loc.DecimalSep), Thou: str(3, loc.ThousandSep)}
		return textVal(nf.Format(a[0].num)), nil
	case "money":
		nf := loc.MoneyCode(str(1, ""))
		nf.Dec, nf.Thou = str(2, nf.Dec), str(3, nf.Thou)
		return textVal(nf.Format(a[0].num)), nil
	case "date":
		return textVal(FormatDate(a[0].num, str(1, ""), loc)), nil
	case "time":
		return textVal(FormatTime(a[0].num, str(1, ""), loc)), nil
	case "timestamp":
		return textVal(FormatTimestamp(a[0].num, str(1, ""), loc)), nil
	case "interval":
		return textVal(FormatInterval(a[0].num, str(1, ""), loc)), nil
	case "num#":
		nf := NumberFormat{Code: str(1, ""), Dec: str(2, loc.DecimalSep), Thou: str(3, loc.ThousandSep)}
		v, _ := nf.Parse(a[0].text)
		return value{num: v, text: a[0].text}, nil
	case "money#":
		nf := loc.MoneyCode(str(1, ""))
		nf.Dec, nf.Thou = str(2, nf.Dec), str(3, nf.Thou)
		v, _ := nf.Parse(a[0].text)
		return value{num: v, text: a[0].text}, nil
	case "date#":
		v, _ := ParseDate(a[0].text, str(1, ""), loc)
		return value{num: v, text: a[0].text}, nil
	case "time#":
		v, _ := ParseTime(a[0].text, str(1, ""), loc)
		return value{num: v, text: a[0].text}, nil
	case "timestamp#":
		v, _ := ParseTimestamp(a[0].text, str(1, ""), loc)
		return value{num: v, text: a[0].text}, nil
	case "interval#":
		v, _ := ParseInterval(a[0].text, str(1, ""), loc)
		return value{num: v, text: a[0].text}, nil
	case "year":
		return numVal(Year(x(0))), nil
	case "day":
		return numVal(Day(x(0))), nil
	case "hour":
		return numVal(Hour(x(0))), nil
	case "minute":
		return numVal(Minute(x(0))), nil
	case "second":
		return numVal(Second(x(0))), nil
	case "month":
		d := Month(x(0), loc)
		return value{num: d.Num, text: d.Text}, nil
	case "weekday":
		d := WeekDay(x(0), inum(1, loc.FirstWeekDay), loc)
		return value{num: d.Num, text: d.Text}, nil
	case "week":
		return numVal(Week(x(0), rule(1))), nil
	case "weekyear":
		return numVal(WeekYear(x(0), rule(1))), nil
	case "weekname":
		d := WeekName(x(0), inum(1, 0), rule(2))
		return value{num: d.Num, text: d.Text}, nil
	case "makedate":
		return serialVal(MakeDate(num(0, 0), num(1, 1), num(2, 1))), nil
	case "maketime":
		return serialVal(MakeTime(num(0, 0), num(1, 0), num(2, 0))), nil
	case "makeweekdate":
		return serialVal(MakeWeekDate(num(0, 0), num(1, 1), num(2, 0), loc.WeekRule())), nil
	case "addmonths":
		return serialVal(AddMonths(x(0), inum(1, 0), inum(2, 0) == 1)), nil
	case "age":
		return numVal(Age(x(0), x(1))), nil
	case "setdateyear":
		return serialVal(SetDateYear(x(0), inum(1, 0))), nil
	case "setdateyearmonth":
		return serialVal(SetDateYearMonth(x(0), inum(1, 0), inum(2, 1))), nil
	case "daystart":
		return serialVal(DayStart(x(0), inum(1, 0), num(2, 0))), nil
	case "dayend":
		return serialVal(DayEnd(x(0), inum(1, 0), num(2, 0))), nil
	case "dayname":
		d := DayName(x(0), inum(1, 0), num(2, 0), loc)
		return value{num: d.Num, text: d.Text, serial: true}, nil
	case "daynumberofyear":
		return numVal(DayNumberOfYear(x(0), inum(1, 1))), nil
	case "daynumberofquarter":
		return numVal(DayNumberOfQuarter(x(0), inum(1, 1))), nil
	case "weekstart":
		return serialVal(WeekStart(x(0), inum(1, 0), inum(2, loc.FirstWeekDay))), nil
	case "weekend":
		return serialVal(WeekEnd(x(0), inum(1, 0), inum(2, loc.FirstWeekDay))), nil
	case "lunarweekstart":
		return serialVal(LunarWeekStart(x(0), inum(1, 0), inum(2, 0))), nil
	case "lunarweekend":
		return serialVal(LunarWeekEnd(x(0), inum(1, 0), inum(2, 0))), nil
	case "lunarweekname":
		d := LunarWeekName(x(0), inum(1, 0), inum(2, 0))
		return value{num: d.Num, text: d.Text}, nil
	case "monthstart":
		return serialVal(MonthStart(x(0), inum(1, 0))), nil
	case "monthend":
		return serialVal(MonthEnd(x(0), inum(1, 0))), nil
	case "monthname":
		d := MonthName(x(0), inum(1, 0), loc)
		return value{num: d.Num, text: d.Text}, nil
	case "monthsstart":
		return serialVal(MonthsStart(inum(0, 1), x(1), inum(2, 0), inum(3, fm))), nil
	case "monthsend":
		return serialVal(MonthsEnd(inum(0, 1), x(1), inum(2, 0), inum(3, fm))), nil
	case "monthsname":
		d := MonthsName(inum(0, 1), x(1), inum(2, 0), inum(3, fm), loc)
		return value{num: d.Num, text: d.Text}, nil
	case "quarterstart":
		return serialVal(QuarterStart(x(0), inum(1, 0), inum(2, fm))), nil
	case "quarterend":
		return serialVal(QuarterEnd(x(0), inum(1, 0), inum(2, fm))), nil
	case "quartername":
		d := QuarterName(x(0), inum(1, 0), inum(2, fm), loc)
		return value{num: d.Num, text: d.Text}, nil
	case "yearstart":
		return serialVal(YearStart(x(0), inum(1, 0), inum(2, fm))), nil
	case "yearend":
		return serialVal(YearEnd(x(0), inum(1, 0), inum(2, fm))), nil
	case "yearname":
		d := YearName(x(0), inum(1, 0), inum(2, fm))
		return value{num: d.Num, text: d.Text}, nil
	}
	return value{}, fmt.Errorf("function %s is not in the test evaluator", name)
}

// checkWant compares a result with a documented one (see testdata/README.md).
func checkWant(t *testing.T, got value, want string, loc *Locale) {
	t.Helper()
	switch {
	case want == "NULL":
		require.True(t, math.IsNaN(got.num), "want NULL, got %v", got.num)
	case strings.HasPrefix(want, "="):
		f, err := strconv.ParseFloat(want[1:], 64)
		require.NoError(t, err)
		require.InDelta(t, f, got.num, 1e-9*math.Max(1, math.Abs(f)))
	case strings.Contains(want, "|"):
		text, n, _ := strings.Cut(want, "|")
		f, err := strconv.ParseFloat(n, 64)
		require.NoError(t, err)
		require.Equal(t, text, got.text)
		require.Equal(t, f, got.num)
	case got.serial:
		w, ok, _ := Interpret(want, loc)
		require.True(t, ok, "documented result %q does not read as a date in the test locale", want)
		if strings.Contains(want, ":") {
			require.Equal(t, math.Round(w*86400), math.Floor(got.num*86400+1e-6),
				"got %s, want %s", FormatTimestamp(got.num, "YYYY-MM-DD hh:mm:ss.fff", loc), want)
		} else {
			require.Equal(t, w, math.Floor(got.num),
				"got %s, want %s", FormatTimestamp(got.num, "YYYY-MM-DD hh:mm:ss.fff", loc), want)
		}
	default:
		require.Equal(t, want, got.text)
	}
}

func TestQlikDocExamples(t *testing.T) {
	rows := readTSV(t, "testdata/qlik-doc-examples.tsv", 4)
	require.Greater(t, len(rows), 400)
	for _, r := range rows {
		t.Run(r[1], func(t *testing.T) {
			loc := testLocale(t, r[0])
			e := evaluator{s: r[1], loc: &loc}
			got, err := e.expr()
			require.NoError(t, err, "source: %s", r[3])
			checkWant(t, got, r[2], &loc)
		})
	}
}

// TestHalyardCells formats the cells of a captured hypercube layout with
// each column's qNumFormat. Typed columns must render their qText from the
// number alone; untyped (U) columns pass their own text through.
func TestHalyardCells(t *testing.T) {
	rows := readTSV(t, "testdata/halyard-hypercube-cells.tsv", 4)
	loc := DefaultLocale()
	for _, r := range rows {
		var spec Spec
		require.NoError(t, json.Unmarshal([]byte(r[1]), &spec))
		num := math.NaN()
		if r[2] != `"NaN"` {
			var err error
			num, err = strconv.ParseFloat(r[2], 64)
			require.NoError(t, err)
		}
		if spec.Type == TypeUnknown {
			require.Equal(t, r[3], spec.Format(num, r[3], true, &loc), "column %s", r[0])
			continue
		}
		require.Equal(t, r[3], spec.Format(num, "(own text)", true, &loc), "column %s, qNum %s", r[0], r[2])
		require.Equal(t, r[3], spec.Format(num, "", false, &loc), "column %s, qNum %s", r[0], r[2])
	}
}

// TestNewAppSetBlock reads the SET block a Qlik Core engine writes into a new
// app and checks that it yields DefaultLocale.
func TestNewAppSetBlock(t *testing.T) {
	data, err := os.ReadFile("testdata/new-app-set-block.qvs")
	require.NoError(t, err)
	vars := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "SET ") {
			continue
		}
		name, val, ok := strings.Cut(strings.TrimSuffix(line[4:], ";"), "=")
		require.True(t, ok, line)
		vars[name] = val // quoted as in the script; NewLocale unquotes
	}
	require.Len(t, vars, 19)
	loc, err := NewLocale(vars)
	require.NoError(t, err)
	require.Equal(t, DefaultLocale(), loc)
}
