package numfmt

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/internal/calendar"
)

// TestCivilCalendar walks consecutive days and checks that the calendar
// conversion is a bijection that advances one day at a time, and that it
// agrees with the time package.
func TestCivilCalendar(t *testing.T) {
	py, pm, pd := civil(-1_000_001)
	for day := int64(-1_000_000); day <= 3_000_000; day++ {
		y, m, d := civil(day)
		if back := daySerial(y, m, d); back != day {
			t.Fatalf("day %d is %d-%d-%d, which is day %d", day, y, m, d, back)
		}
		switch {
		case d == pd+1 && m == pm && y == py:
		case d == 1 && pd == daysIn(py, pm) && (m == pm+1 && y == py || m == 1 && pm == 12 && y == py+1):
		default:
			t.Fatalf("day %d is %d-%d-%d after %d-%d-%d", day, y, m, d, py, pm, pd)
		}
		py, pm, pd = y, m, d
	}
	for _, tm := range []time.Time{
		time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1600, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		day := calendar.DaysFromCivil(int64(tm.Year()), int(tm.Month()), tm.Day())
		require.Equal(t, tm.Unix()/86400, day, tm)
	}
	require.Equal(t, int64(0), daySerial(1899, 12, 30))
	require.Equal(t, int64(2), daySerial(1900, 1, 1))
	require.Equal(t, int64(35648), daySerial(1997, 8, 6))
	require.Equal(t, 5, weekday0(0)) // 1899-12-30 was a Saturday
}

func TestSerialTimeConversion(t *testing.T) {
	require.Equal(t, 35648.375, SerialFromTime(time.Date(1997, 8, 6, 9, 0, 0, 0, time.UTC)))
	require.Equal(t, -0.5, SerialFromTime(time.Date(1899, 12, 29, 12, 0, 0, 0, time.UTC)))
	// The wall clock of t is used, whatever its zone.
	tokyo := time.FixedZone("JST", 9*3600)
	require.Equal(t, 35648.375, SerialFromTime(time.Date(1997, 8, 6, 9, 0, 0, 0, tokyo)))
	require.Equal(t, 35648.0, Today(time.Date(1997, 8, 6, 23, 59, 59, 0, tokyo)))
	require.Equal(t, 35648.5, Now(time.Date(1997, 8, 6, 12, 0, 0, 0, time.Local)))

	got, ok := TimeFromSerial(35648.375)
	require.True(t, ok)
	require.Equal(t, time.Date(1997, 8, 6, 9, 0, 0, 0, time.UTC), got)

	// Millisecond-precision times survive the round trip from year 1 to 9999.
	for want := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC); want.Year() < 10000; want = want.Add(7919*time.Hour + 1234567*time.Millisecond) {
		back, ok := TimeFromSerial(SerialFromTime(want))
		require.True(t, ok)
		require.True(t, want.Equal(back), "%v came back as %v", want, back)
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 2 * MaxSerial} {
		_, ok := TimeFromSerial(bad)
		require.False(t, ok)
	}
}

// TestWeekISOAgainstTimePackage uses time.ISOWeek as the oracle for the ISO
// rule, for every day of 1990-2040 and a few far dates.
func TestWeekISOAgainstTimePackage(t *testing.T) {
	check := func(tm time.Time) {
		x := SerialFromTime(tm)
		wy, w := tm.ISOWeek()
		require.Equal(t, float64(w), Week(x, ISOWeeks), tm)
		require.Equal(t, float64(wy), WeekYear(x, ISOWeeks), tm)
		// Qlik's default ReferenceDay 0 means 4.
		require.Equal(t, float64(w), Week(x, WeekRule{}), tm)
	}
	for tm := time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC); tm.Year() < 2041; tm = tm.AddDate(0, 0, 1) {
		check(tm)
	}
	for _, y := range []int{1, 100, 1582, 1900, 2100, 4000, 9999} {
		for _, md := range [][2]int{{1, 1}, {1, 4}, {12, 28}, {12, 31}} {
			check(time.Date(y, time.Month(md[0]), md[1], 12, 0, 0, 0, time.UTC))
		}
	}
}

// naiveWeek numbers weeks by walking days from a year's week 1 start.
func naiveWeek(day int64, r WeekRule) (week, year int64) {
	fwd := int(mod64(int64(r.FirstWeekDay), 7))
	start := func(d int64) int64 {
		for weekday0(d) != fwd {
			d--
		}
		return d
	}
	y, _, _ := civil(day)
	if r.Broken {
		s := start(daySerial(y, 1, 1))
		return (start(day)-s)/7 + 1, y
	}
	ref := r.ReferenceDay
	if ref < 1 || ref > 7 {
		ref = 4
	}
	for _, cand := range []int64{y + 1, y, y - 1} {
		s := start(daySerial(cand, 1, ref))
		if day >= s {
			return (day-s)/7 + 1, cand
		}
	}
	panic("unreachable")
}

func TestWeekRulesAgainstNaive(t *testing.T) {
	first := daySerial(2015, 12, 1)
	for fwd := 0; fwd < 7; fwd++ {
		for ref := 0; ref <= 7; ref++ {
			for _, broken := range []bool{false, true} {
				r := WeekRule{FirstWeekDay: fwd, Broken: broken, ReferenceDay: ref}
				for day := first; day < first+3*366; day++ {
					w, y := naiveWeek(day, r)
					require.Equal(t, float64(w), Week(float64(day)+0.7, r), "rule %+v day %d", r, day)
					require.Equal(t, float64(y), WeekYear(float64(day), r), "rule %+v day %d", r, day)
				}
			}
		}
	}
}

func TestWeekDayAndStarts(t *testing.T) {
	loc := EngineLocale()
	x := float64(daySerial(1971, 10, 12)) // a Tuesday
	require.Equal(t, "Tue", WeekDay(x, 0, &loc).Text)
	for fwd, want := range []float64{1, 0, 6, 5, 4, 3, 2} {
		require.Equal(t, want, WeekDay(x, fwd, &loc).Num, "first week day %d", fwd)
		ws := WeekStart(x, 0, fwd)
		require.Equal(t, float64(fwd), float64(weekday0(int64(ws))))
		require.LessOrEqual(t, ws, x)
		require.Greater(t, ws+7, x)
		require.Equal(t, ws+7-msDay, WeekEnd(x, 0, fwd))
	}
	require.Equal(t, float64(daySerial(1971, 10, 4)), WeekStart(x, -1, 0))
}

// TestPeriodsAgainstTimePackage checks period starts and ends with the time
// package's month arithmetic as the oracle.
func TestPeriodsAgainstTimePackage(t *testing.T) {
	for tm := time.Date(1999, 1, 1, 15, 0, 0, 0, time.UTC); tm.Year() < 2003; tm = tm.AddDate(0, 0, 3) {
		x := SerialFromTime(tm)
		for _, n := range []int{1, 2, 3, 4, 6, 12} {
			for fm := 1; fm <= 12; fm++ {
				for _, shift := range []int{-13, -1, 0, 1, 25} {
					// The period start is the latest month start s with
					// s.month ≡ fm (mod n) and s <= tm, then shifted.
					s := time.Date(tm.Year(), tm.Month(), 1, 0, 0, 0, 0, time.UTC)
					for (int(s.Month())-fm+120)%n != 0 {
						s = s.AddDate(0, -1, 0)
					}
					s = s.AddDate(0, n*shift, 0)
					e := s.AddDate(0, n, 0)
					require.Equal(t, SerialFromTime(s), MonthsStart(n, x, shift, fm), "%v n=%d fm=%d shift=%d", tm, n, fm, shift)
					require.Equal(t, SerialFromTime(e)-msDay, MonthsEnd(n, x, shift, fm))
				}
			}
		}
		require.Equal(t, MonthsStart(1, x, 2, 1), MonthStart(x, 2))
		require.Equal(t, MonthsStart(3, x, -1, 4), QuarterStart(x, -1, 4))
		require.Equal(t, MonthsEnd(12, x, 0, 7), YearEnd(x, 0, 7))
		require.Equal(t, MonthsStart(12, x, 1, 1), YearStart(x, 1, 1))
	}
}

func TestAddMonthsAndYears(t *testing.T) {
	d := func(y, m, dd int) float64 { return float64(daySerial(int64(y), m, dd)) }
	tests := []struct {
		x      float64
		n      int
		endRel bool
		want   float64
	}{
		{d(2003, 1, 31), 1, false, d(2003, 2, 28)},
		{d(2004, 1, 31), 1, false, d(2004, 2, 29)},
		{d(2003, 1, 15), -13, false, d(2001, 12, 15)},
		{d(2003, 2, 28), 2, true, d(2003, 4, 30)},
		{d(2003, 1, 30), 1, true, d(2003, 2, 27)},
		{d(2003, 1, 27), 1, true, d(2003, 2, 27)},
		{d(2003, 1, 31) + 0.75, 1, false, d(2003, 2, 28) + 0.75},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, AddMonths(tt.x, tt.n, tt.endRel))
	}
	require.Equal(t, d(2013, 2, 28), AddYears(d(2012, 2, 29), 1))
	require.Equal(t, d(2016, 2, 29)+0.5, AddYears(d(2012, 2, 29)+0.5, 4))
	require.Equal(t, d(2013, 2, 28), SetDateYear(d(2012, 2, 29), 2013))
	require.Equal(t, d(2013, 4, 30), SetDateYearMonth(d(2012, 1, 31), 2013, 4))
	require.True(t, math.IsNaN(SetDateYearMonth(d(2012, 1, 31), 2013, 13)))
}

func TestMakeFunctions(t *testing.T) {
	require.Equal(t, 35648.0, MakeDate(1997, 8, 6))
	for _, bad := range [][3]float64{{1997, 13, 1}, {1997, 2, 29}, {1997, 0, 1}, {1997, 1, 0}, {1997.5, 1, 1}, {math.NaN(), 1, 1}, {1e300, 1, 1}} {
		require.True(t, math.IsNaN(MakeDate(bad[0], bad[1], bad[2])), "%v", bad)
	}
	require.Equal(t, 0.5, MakeTime(12, 0, 0))
	require.InDelta(t, 0.5000057870370371, MakeTime(12, 0, 0.5), 1e-15)
	require.Equal(t, 25.0/24, MakeTime(25, 0, 0))
	require.True(t, math.IsNaN(MakeTime(-1, 0, 0)))
	require.True(t, math.IsNaN(MakeTime(math.Inf(1), 0, 0)))
	us := DefaultLocale()
	require.Equal(t, float64(daySerial(2020, 12, 27)), MakeWeekDate(2021, 1, 0, us.WeekRule()))
}

func TestNamesAndParts(t *testing.T) {
	loc := EngineLocale()
	x := 35648.5625 // 1997-08-06 13:30
	require.Equal(t, 1997.0, Year(x))
	require.Equal(t, "Aug", Month(x, &loc).Text)
	require.Equal(t, 8.0, Month(x, &loc).Num)
	require.Equal(t, 6.0, Day(x))
	require.Equal(t, 13.0, Hour(x))
	require.Equal(t, 30.0, Minute(x))
	require.Equal(t, 0.0, Second(x))
	mn := MonthName(x, 0, &loc)
	require.Equal(t, "Aug 1997", mn.Text)
	require.Equal(t, float64(daySerial(1997, 8, 1)), mn.Num)
	require.Equal(t, "Jul-Sep 1997", QuarterName(x, 0, 1, &loc).Text)
	require.Equal(t, "1997", YearName(x, 0, 1).Text)
	require.Equal(t, "1997-1998", YearName(x, 0, 4).Text)
	require.Equal(t, "1997/32", WeekName(x, 0, ISOWeeks).Text)
	dn := DayName(x, 0, 0, &loc)
	require.Equal(t, "8/6/1997", dn.Text)
	require.Equal(t, 35648.0, dn.Num)
	require.Equal(t, 0.0, Age(x, x))
	require.Equal(t, 27.0, Age(x, float64(daySerial(1970, 8, 6))))
	require.Equal(t, 26.0, Age(x, float64(daySerial(1970, 8, 7))))
	loc.MonthNames[7] = "août"
	require.Equal(t, "août 1997", MonthName(x, 0, &loc).Text)
}

// TestInvalidDatesGiveNaN feeds non-serials to every date function.
func TestInvalidDatesGiveNaN(t *testing.T) {
	loc := EngineLocale()
	for _, x := range []float64{math.NaN(), math.Inf(1), math.Inf(-1), 1e300, -1e300, MaxSerial * 1.5} {
		for name, v := range map[string]float64{
			"Year": Year(x), "Day": Day(x), "Hour": Hour(x), "Minute": Minute(x), "Second": Second(x),
			"Week": Week(x, ISOWeeks), "WeekYear": WeekYear(x, ISOWeeks), "DayNumberOfYear": DayNumberOfYear(x, 1),
			"DayNumberOfQuarter": DayNumberOfQuarter(x, 1), "YearStart": YearStart(x, 0, 1), "YearEnd": YearEnd(x, 0, 1),
			"QuarterStart": QuarterStart(x, 0, 1), "QuarterEnd": QuarterEnd(x, 0, 1), "MonthStart": MonthStart(x, 0),
			"MonthEnd": MonthEnd(x, 0), "MonthsStart": MonthsStart(2, x, 0, 1), "MonthsEnd": MonthsEnd(2, x, 0, 1),
			"WeekStart": WeekStart(x, 0, 0), "WeekEnd": WeekEnd(x, 0, 0), "LunarWeekStart": LunarWeekStart(x, 0, 0),
			"LunarWeekEnd": LunarWeekEnd(x, 0, 0), "DayStart": DayStart(x, 0, 0), "DayEnd": DayEnd(x, 0, 0),
			"AddMonths": AddMonths(x, 1, false), "AddYears": AddYears(x, 1), "SetDateYear": SetDateYear(x, 2000),
			"SetDateYearMonth": SetDateYearMonth(x, 2000, 1), "Age": Age(x, 0), "Age2": Age(0, x),
		} {
			require.True(t, math.IsNaN(v), "%s(%v) = %v", name, x, v)
		}
		for name, d := range map[string]float64{
			"Month": Month(x, &loc).Num, "WeekDay": WeekDay(x, 0, &loc).Num, "MonthName": MonthName(x, 0, &loc).Num,
			"MonthsName": MonthsName(2, x, 0, 1, &loc).Num, "QuarterName": QuarterName(x, 0, 1, &loc).Num,
			"YearName": YearName(x, 0, 1).Num, "WeekName": WeekName(x, 0, ISOWeeks).Num,
			"LunarWeekName": LunarWeekName(x, 0, 0).Num, "DayName": DayName(x, 0, 0, &loc).Num,
		} {
			require.True(t, math.IsNaN(d), "%s(%v) = %v", name, x, d)
		}
	}
	// Absurd offsets and period lengths are NaN too.
	require.True(t, math.IsNaN(MonthStart(35648, 1<<40)))
	require.True(t, math.IsNaN(MonthsStart(0, 35648, 0, 1)))
	require.True(t, math.IsNaN(MonthsEnd(1<<40, 35648, 1e7, 1)))
	require.True(t, math.IsNaN(LunarWeekStart(35648, 0, 1<<50)))
	require.True(t, math.IsNaN(DayStart(35648, 0, math.Inf(1))))
}
