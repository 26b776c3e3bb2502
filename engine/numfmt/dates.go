package numfmt

import (
	"math"
	"strconv"

	"github.com/assocengine/assoc/symbols"

	"github.com/assocengine/assoc/internal/calendar"
)

// Date functions over serial numbers. They are the plain versions of the
// Qlik chart and script functions: the function layer evaluates the
// arguments (using the locale's defaults for omitted ones) and wraps the
// results. A function whose input is not a valid serial (NaN, ±Inf, beyond
// MaxSerial) returns NaN, or a Dual with a NaN number and empty text; the
// function layer turns that into NULL.
//
// Functions returning a period start return the first instant of the
// period; period ends return its last millisecond, as Qlik does.

var nullDual = symbols.Dual{Num: math.NaN()}

// WeekRule is a week numbering rule: the arguments first_week_day,
// broken_weeks and reference_day of Week() and friends.
type WeekRule struct {
	// FirstWeekDay is the first day of the week, 0 = Monday ... 6 = Sunday.
	FirstWeekDay int
	// Broken makes week 1 start on January 1.
	Broken bool
	// ReferenceDay is the day of January that week 1 contains when weeks are
	// unbroken, 1-7; other values mean 4.
	ReferenceDay int
}

// ISOWeeks is the ISO 8601 week rule: Monday first, unbroken, 4 January.
var ISOWeeks = WeekRule{FirstWeekDay: 0, Broken: false, ReferenceDay: 4}

func (r WeekRule) firstDay() int { return int(mod64(int64(r.FirstWeekDay), 7)) }

func (r WeekRule) refDay() int {
	if r.ReferenceDay < 1 || r.ReferenceDay > 7 {
		return 4
	}
	return r.ReferenceDay
}

// dayOf returns the day number of a serial and whether it is valid.
func dayOf(x float64) (int64, bool) {
	if !validSerial(x) {
		return 0, false
	}
	return int64(math.Floor(x)), true
}

// Year returns the year of x.
func Year(x float64) float64 {
	day, ok := dayOf(x)
	if !ok {
		return math.NaN()
	}
	y, _, _ := civil(day)
	return float64(y)
}

// Month returns the month of x as a dual: the number 1-12 and the locale's
// short month name.
func Month(x float64, loc *Locale) symbols.Dual {
	day, ok := dayOf(x)
	if !ok {
		return nullDual
	}
	_, m, _ := civil(day)
	return symbols.Dual{Num: float64(m), Text: loc.MonthNames[m-1]}
}

// Day returns the day of the month of x.
func Day(x float64) float64 {
	day, ok := dayOf(x)
	if !ok {
		return math.NaN()
	}
	_, _, d := civil(day)
	return float64(d)
}

// Hour returns the hour of the time of day of x.
func Hour(x float64) float64 {
	_, us, ok := splitSerial(x)
	if !ok {
		return math.NaN()
	}
	return float64(us / usPerHour)
}

// Minute returns the minute of the time of day of x.
func Minute(x float64) float64 {
	_, us, ok := splitSerial(x)
	if !ok {
		return math.NaN()
	}
	return float64(us / usPerMinute % 60)
}

// Second returns the second of the time of day of x.
func Second(x float64) float64 {
	_, us, ok := splitSerial(x)
	if !ok {
		return math.NaN()
	}
	return float64(us / usPerSecond % 60)
}

// WeekDay returns the weekday of x as a dual: the number of days since the
// first day of the week (firstWeekDay: 0 = Monday ... 6 = Sunday) and the
// locale's short day name.
func WeekDay(x float64, firstWeekDay int, loc *Locale) symbols.Dual {
	day, ok := dayOf(x)
	if !ok {
		return nullDual
	}
	wd := weekday0(day)
	n := mod64(int64(wd-firstWeekDay), 7)
	return symbols.Dual{Num: float64(n), Text: loc.DayNames[wd]}
}

// weekStartDay returns the first day of the week containing day.
func weekStartDay(day int64, firstWeekDay int) int64 {
	return day - mod64(int64(weekday0(day)-firstWeekDay), 7)
}

// weekOf returns the week number and week year of day under r.
func weekOf(day int64, r WeekRule) (week int64, year int64) {
	fwd := r.firstDay()
	ws := weekStartDay(day, fwd)
	if r.Broken {
		y, _, _ := civil(day)
		w1 := weekStartDay(daySerial(y, 1, 1), fwd)
		return (ws-w1)/7 + 1, y
	}
	ref := r.refDay()
	// The week belongs to the year of its day that falls on the reference
	// day's weekday position: week 1 contains January ref.
	wy, _, _ := civil(ws + int64(7-ref))
	w1 := weekStartDay(daySerial(wy, 1, ref), fwd)
	return (ws-w1)/7 + 1, wy
}

// Week returns the week number of x under r.
func Week(x float64, r WeekRule) float64 {
	day, ok := dayOf(x)
	if !ok {
		return math.NaN()
	}
	w, _ := weekOf(day, r)
	return float64(w)
}

// WeekYear returns the year that the week of x belongs to under r (with
// broken weeks, the calendar year).
func WeekYear(x float64, r WeekRule) float64 {
	day, ok := dayOf(x)
	if !ok {
		return math.NaN()
	}
	_, y := weekOf(day, r)
	return float64(y)
}

// DayNumberOfYear returns the day number of x counted from the first day of
// the year that starts in firstMonth (1-12). As in Qlik, days are counted in
// a 366-day year: February always has 29 days, so in a common year every
// day after February is one higher than its distance from the year start.
func DayNumberOfYear(x float64, firstMonth int) float64 {
	return dayNumberIn(x, 12, firstMonth)
}

// DayNumberOfQuarter returns the day number of x counted from the first day
// of its quarter, quarters starting in firstMonth (1-12), in a 366-day year
// as DayNumberOfYear.
func DayNumberOfQuarter(x float64, firstMonth int) float64 {
	return dayNumberIn(x, 3, firstMonth)
}

// leapMonthDays are the month lengths of a leap year.
var leapMonthDays = [12]int{31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// dayNumberIn counts the days from the start of the n-month period holding
// x to x, inclusive, with leap-year month lengths.
func dayNumberIn(x float64, n, firstMonth int) float64 {
	day, ok := dayOf(x)
	if !ok {
		return math.NaN()
	}
	_, _, d := civil(day)
	mi := monthIndex(day)
	start := monthIndex(monthsStartDay(day, n, 0, firstMonth))
	count := d
	for k := start; k < mi; k++ {
		count += leapMonthDays[mod64(k, 12)]
	}
	return float64(count)
}

// MakeDate returns the date y-m-d. It returns NaN when the month is not
// 1-12 or the day does not exist in that month.
func MakeDate(y, m, d float64) float64 {
	if !(math.Abs(y) < 1e7) || m != math.Trunc(m) || d != math.Trunc(d) || y != math.Trunc(y) {
		return math.NaN()
	}
	if m < 1 || m > 12 || d < 1 || d > float64(daysIn(int64(y), int(m))) {
		return math.NaN()
	}
	return float64(daySerial(int64(y), int(m), int(d)))
}

// MakeTime returns the time of day h:m:s as a fraction of a day (s may have
// decimals). Values beyond a day are allowed (MakeTime(25) is 1 day and an
// hour); negative and non-finite parts give NaN.
func MakeTime(h, m, s float64) float64 {
	t := h*3600 + m*60 + s
	if !(t >= 0) || math.IsInf(t, 0) {
		return math.NaN()
	}
	return t / 86400
}

// MakeWeekDate returns the date of weekday d (0 = the rule's first day) of
// week w of week year y under r.
func MakeWeekDate(y, w, d float64, r WeekRule) float64 {
	if !(math.Abs(y) < 1e7) || !(math.Abs(w) < 1e7) || !(math.Abs(d) < 1e7) {
		return math.NaN()
	}
	fwd := r.firstDay()
	yi := int64(y)
	var w1 int64
	if r.Broken {
		w1 = weekStartDay(daySerial(yi, 1, 1), fwd)
	} else {
		w1 = weekStartDay(daySerial(yi, 1, r.refDay()), fwd)
	}
	return float64(w1 + (int64(w)-1)*7 + int64(d))
}

// monthIndex returns the absolute month number y*12 + (m-1) of a day.
func monthIndex(day int64) int64 {
	y, m, _ := civil(day)
	return y*12 + int64(m-1)
}

// dayOfMonthIndex returns the first day of an absolute month number.
func dayOfMonthIndex(mi int64) int64 {
	return daySerial(floorDiv(mi, 12), int(mod64(mi, 12))+1, 1)
}

// monthsStartDay returns the first day of the n-month period containing
// day, periods aligned to firstMonth, shifted by shift periods.
func monthsStartDay(day int64, n int, shift int, firstMonth int) int64 {
	off := int64(clampMonth(firstMonth) - 1)
	mi := monthIndex(day)
	start := floorDiv(mi-off, int64(n))*int64(n) + off + int64(shift)*int64(n)
	return dayOfMonthIndex(start)
}

func clampMonth(m int) int {
	if m < 1 || m > 12 {
		return 1
	}
	return m
}

// periodStart and periodEnd share the argument checks of the start/end
// functions.
func periodStart(x float64, n, shift, firstMonth int) float64 {
	day, ok := dayOf(x)
	if !ok || n < 1 || n > maxPeriodMonths || !validShift(shift) {
		return math.NaN()
	}
	return float64(monthsStartDay(day, n, shift, firstMonth))
}

func periodEnd(x float64, n, shift, firstMonth int) float64 {
	day, ok := dayOf(x)
	if !ok || n < 1 || n > maxPeriodMonths || !validShift(shift) {
		return math.NaN()
	}
	return float64(monthsStartDay(day, n, shift+1, firstMonth)) - msDay
}

// validShift bounds period offsets so that the arithmetic stays exact.
func validShift(shift int) bool { return shift > -1e8 && shift < 1e8 }

// maxPeriodMonths bounds the period length of MonthsStart and friends.
const maxPeriodMonths = 1200

// YearStart returns the first day of the year containing x, years starting
// in firstMonth, shifted by shift years.
func YearStart(x float64, shift, firstMonth int) float64 {
	return periodStart(x, 12, shift, firstMonth)
}

// YearEnd returns the last millisecond of the year containing x.
func YearEnd(x float64, shift, firstMonth int) float64 { return periodEnd(x, 12, shift, firstMonth) }

// QuarterStart returns the first day of the quarter containing x.
func QuarterStart(x float64, shift, firstMonth int) float64 {
	return periodStart(x, 3, shift, firstMonth)
}

// QuarterEnd returns the last millisecond of the quarter containing x.
func QuarterEnd(x float64, shift, firstMonth int) float64 {
	return periodEnd(x, 3, shift, firstMonth)
}

// MonthStart returns the first day of the month containing x, shifted by
// shift months.
func MonthStart(x float64, shift int) float64 { return periodStart(x, 1, shift, 1) }

// MonthEnd returns the last millisecond of the month containing x.
func MonthEnd(x float64, shift int) float64 { return periodEnd(x, 1, shift, 1) }

// MonthsStart returns the first day of the n-month period containing x
// (n = 1, 2, 3, 4 or 6 in Qlik; any n from 1 to 1200 works here).
func MonthsStart(n int, x float64, shift, firstMonth int) float64 {
	return periodStart(x, n, shift, firstMonth)
}

// MonthsEnd returns the last millisecond of the n-month period containing x.
func MonthsEnd(n int, x float64, shift, firstMonth int) float64 {
	return periodEnd(x, n, shift, firstMonth)
}

// WeekStart returns the first day of the week containing x, weeks starting
// on firstWeekDay, shifted by shift weeks.
func WeekStart(x float64, shift, firstWeekDay int) float64 {
	day, ok := dayOf(x)
	if !ok || !validShift(shift) {
		return math.NaN()
	}
	return float64(weekStartDay(day, int(mod64(int64(firstWeekDay), 7))) + 7*int64(shift))
}

// WeekEnd returns the last millisecond of the week containing x.
func WeekEnd(x float64, shift, firstWeekDay int) float64 {
	s := WeekStart(x, shift+1, firstWeekDay)
	return s - msDay
}

// lunarWeekStartDay returns the first day of the lunar week containing day:
// lunar weeks are consecutive 7-day periods from January 1 (plus
// firstWeekDay days).
func lunarWeekStartDay(day int64, firstWeekDay int) (start int64, year int64, week int64) {
	y, _, _ := civil(day)
	origin := daySerial(y, 1, 1) + int64(firstWeekDay)
	if day < origin {
		y--
		origin = daySerial(y, 1, 1) + int64(firstWeekDay)
	}
	week = (day - origin) / 7
	return origin + 7*week, y, week + 1
}

// LunarWeekStart returns the first day of the lunar week containing x:
// lunar weeks are 7-day periods counted from January 1 moved by firstWeekDay
// days (-366 to 366).
func LunarWeekStart(x float64, shift, firstWeekDay int) float64 {
	day, ok := dayOf(x)
	if !ok || !validShift(shift) || firstWeekDay < -366 || firstWeekDay > 366 {
		return math.NaN()
	}
	s, _, _ := lunarWeekStartDay(day, firstWeekDay)
	return float64(s + 7*int64(shift))
}

// LunarWeekEnd returns the last millisecond of the lunar week containing x.
func LunarWeekEnd(x float64, shift, firstWeekDay int) float64 {
	return LunarWeekStart(x, shift+1, firstWeekDay) - msDay
}

// LunarWeekName returns the lunar week of x (shifted by shift weeks) as a
// dual: the text "YYYY/WW" and the week's first day.
func LunarWeekName(x float64, shift, firstWeekDay int) symbols.Dual {
	s := LunarWeekStart(x, shift, firstWeekDay)
	day, ok := dayOf(s)
	if !ok {
		return nullDual
	}
	_, y, w := lunarWeekStartDay(day, firstWeekDay)
	return symbols.Dual{Num: s, Text: yearSlashWeek(y, w)}
}

// DayStart returns the start of the day containing x, days starting at the
// time of day dayStart (a fraction: 0.5 = noon), shifted by shift days.
func DayStart(x float64, shift int, dayStart float64) float64 {
	if !validSerial(x) || !validShift(shift) || math.IsNaN(dayStart) || math.IsInf(dayStart, 0) {
		return math.NaN()
	}
	return math.Floor(x-dayStart) + dayStart + float64(shift)
}

// DayEnd returns the last millisecond of the day containing x.
func DayEnd(x float64, shift int, dayStart float64) float64 {
	return DayStart(x, shift+1, dayStart) - msDay
}

// DayName returns the day containing x as a dual: the date text in the
// locale's DateFormat and the number of DayStart.
func DayName(x float64, shift int, dayStart float64, loc *Locale) symbols.Dual {
	s := DayStart(x, shift, dayStart)
	if math.IsNaN(s) {
		return nullDual
	}
	return symbols.Dual{Num: s, Text: FormatDate(s, "", loc)}
}

// MonthName returns the month containing x (shifted by shift months) as a
// dual: "MMM YYYY" with the locale's month names, and the month's first day.
func MonthName(x float64, shift int, loc *Locale) symbols.Dual {
	s := MonthStart(x, shift)
	day, ok := dayOf(s)
	if !ok {
		return nullDual
	}
	y, m, _ := civil(day)
	return symbols.Dual{Num: s, Text: loc.MonthNames[m-1] + " " + yearText(y)}
}

// MonthsName returns the n-month period containing x as a dual: "MMM-MMM
// YYYY" (first and last month, and the year of the last month) and the
// period's first day.
func MonthsName(n int, x float64, shift, firstMonth int, loc *Locale) symbols.Dual {
	s := MonthsStart(n, x, shift, firstMonth)
	day, ok := dayOf(s)
	if !ok {
		return nullDual
	}
	last := monthIndex(day) + int64(n) - 1
	_, m1, _ := civil(day)
	ly, lm, _ := civil(dayOfMonthIndex(last))
	return symbols.Dual{Num: s, Text: loc.MonthNames[m1-1] + "-" + loc.MonthNames[lm-1] + " " + yearText(ly)}
}

// QuarterName returns the quarter containing x as a dual: "MMM-MMM YYYY"
// (first and last month of the quarter, and the year in which the quarter's
// fiscal year starts) and the quarter's first day.
func QuarterName(x float64, shift, firstMonth int, loc *Locale) symbols.Dual {
	s := QuarterStart(x, shift, firstMonth)
	day, ok := dayOf(s)
	if !ok {
		return nullDual
	}
	_, m1, _ := civil(day)
	_, lm, _ := civil(dayOfMonthIndex(monthIndex(day) + 2))
	fy, _, _ := civil(monthsStartDay(day, 12, 0, firstMonth))
	return symbols.Dual{Num: s, Text: loc.MonthNames[m1-1] + "-" + loc.MonthNames[lm-1] + " " + yearText(fy)}
}

// YearName returns the year containing x as a dual: "YYYY", or "YYYY-YYYY"
// when the year does not start in January, and the year's first day.
func YearName(x float64, shift, firstMonth int) symbols.Dual {
	s := YearStart(x, shift, firstMonth)
	day, ok := dayOf(s)
	if !ok {
		return nullDual
	}
	y, _, _ := civil(day)
	text := yearText(y)
	if clampMonth(firstMonth) != 1 {
		text += "-" + yearText(y+1)
	}
	return symbols.Dual{Num: s, Text: text}
}

// WeekName returns the week containing x (shifted by shift weeks) as a
// dual: "YYYY/WW" with the week year and week number under r, and the
// week's first day.
func WeekName(x float64, shift int, r WeekRule) symbols.Dual {
	s := WeekStart(x, shift, r.firstDay())
	if math.IsNaN(s) {
		return nullDual
	}
	// The name is that of the (shifted) date itself: with broken weeks the
	// week holding 1 January is week 1 of the new year although it starts
	// in December.
	day := int64(math.Floor(x)) + 7*int64(shift)
	w, y := weekOf(day, r)
	return symbols.Dual{Num: s, Text: yearSlashWeek(y, w)}
}

func yearSlashWeek(y, w int64) string {
	var b [24]byte
	out := appendYear(b[:0], y)
	out = append(out, '/')
	return string(calendar.AppendPadded(out, w, 2))
}

func yearText(y int64) string {
	var b [24]byte
	return string(appendYear(b[:0], y))
}

func appendYear(dst []byte, y int64) []byte {
	if y < 0 {
		return strconv.AppendInt(dst, y, 10)
	}
	return calendar.AppendPadded(dst, y, 4)
}

// addMonthsDay moves day by n months. With endRelative, a day on or after
// the 28th keeps its distance to the end of the month; otherwise the day of
// the month is kept and clamped to the target month's length.
func addMonthsDay(day int64, n int64, endRelative bool) int64 {
	y, m, d := civil(day)
	mi := y*12 + int64(m-1) + n
	ty, tm := floorDiv(mi, 12), int(mod64(mi, 12))+1
	last := daysIn(ty, tm)
	td := d
	if endRelative && d >= 28 {
		td = last - (daysIn(y, m) - d)
	}
	td = min(max(td, 1), last)
	return daySerial(ty, tm, td)
}

// AddMonths returns x moved by n months, keeping the time of day. With
// endRelative (mode 1), a date on or after the 28th keeps its distance to
// the end of the month: AddMonths(2003-02-28, 1, true) is 2003-03-31.
func AddMonths(x float64, n int, endRelative bool) float64 {
	day, ok := dayOf(x)
	if !ok || !validShift(n) {
		return math.NaN()
	}
	return float64(addMonthsDay(day, int64(n), endRelative)) + (x - math.Floor(x))
}

// AddYears returns x moved by n years, keeping the time of day; 29 February
// becomes 28 February in a common year.
func AddYears(x float64, n int) float64 {
	if !validShift(n) || n > 1e7 || n < -1e7 {
		return math.NaN()
	}
	return AddMonths(x, 12*n, false)
}

// SetDateYear returns x with its year replaced, keeping month, day (clamped
// to the month's length) and time of day.
func SetDateYear(x float64, year int) float64 {
	day, ok := dayOf(x)
	if !ok || year < -1e7 || year > 1e7 {
		return math.NaN()
	}
	_, m, d := civil(day)
	return setDate(x, int64(year), m, d)
}

// SetDateYearMonth returns x with its year and month replaced.
func SetDateYearMonth(x float64, year, month int) float64 {
	day, ok := dayOf(x)
	if !ok || year < -1e7 || year > 1e7 || month < 1 || month > 12 {
		return math.NaN()
	}
	_, _, d := civil(day)
	return setDate(x, int64(year), month, d)
}

func setDate(x float64, y int64, m, d int) float64 {
	d = min(d, daysIn(y, m))
	return float64(daySerial(y, m, d)) + (x - math.Floor(x))
}

// Age returns the age in whole years at date x of someone born on dob.
func Age(x, dob float64) float64 {
	a, ok1 := dayOf(x)
	b, ok2 := dayOf(dob)
	if !ok1 || !ok2 {
		return math.NaN()
	}
	ay, am, ad := civil(a)
	by, bm, bd := civil(b)
	age := ay - by
	if am < bm || am == bm && ad < bd {
		age--
	}
	return float64(age)
}
