package numfmt

import (
	"math"
	"time"

	"github.com/assocengine/assoc/internal/calendar"
)

// Serial numbers: a date is the number of days since 1899-12-30 (day 0), and
// the fraction is the time of day (0.5 = noon). Serials carry no time zone:
// they are wall-clock times. All calendar arithmetic is on the proleptic
// Gregorian calendar, so negative serials (dates before 1899-12-30) work.

const (
	// MaxSerial bounds the serial numbers this package treats as dates:
	// beyond ±MaxSerial days (about ±27 million years) date functions return
	// NaN and date formats fall back to the automatic number rendering.
	MaxSerial = 1e10

	unixEpochSerial = 25569 // serial number of 1970-01-01
	usPerSecond     = int64(1_000_000)
	usPerMinute     = 60 * usPerSecond
	usPerHour       = 60 * usPerMinute
	usPerDay        = 24 * usPerHour
	msDay           = 1.0 / 86_400_000 // one millisecond in days
)

// validSerial reports whether x is a finite serial within ±MaxSerial.
func validSerial(x float64) bool { return x >= -MaxSerial && x <= MaxSerial }

// daySerial returns the serial number of y-m-d.
func daySerial(y int64, m, d int) int64 { return calendar.DaysFromCivil(y, m, d) + unixEpochSerial }

// civil returns the calendar date of a day number (serial without fraction).
func civil(day int64) (y int64, m, d int) { return calendar.CivilFromDays(day - unixEpochSerial) }

// isLeap reports whether y is a Gregorian leap year.
func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

// daysIn returns the number of days of month m of year y.
func daysIn(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// weekday0 returns the weekday of a day number, 0 = Monday ... 6 = Sunday.
func weekday0(day int64) int { return int(mod64(day+5, 7)) }

func mod64(a, b int64) int64 {
	r := a % b
	if r < 0 {
		r += b
	}
	return r
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// splitSerial splits x into its day number and its time of day in
// microseconds. The time of day is rounded to the finest power-of-ten
// number of microseconds that the float64 can carry at x's magnitude, so
// that 10:00 stored as 0.41666666666666669 reads back as exactly 10:00.
func splitSerial(x float64) (day, us int64, ok bool) {
	if !validSerial(x) {
		return 0, 0, false
	}
	f := math.Floor(x)
	g := granule(x)
	us = int64(math.Round((x-f)*float64(usPerDay)/float64(g))) * g
	day = int64(f)
	if us >= usPerDay {
		day++
		us -= usPerDay
	}
	return day, us, true
}

// granule returns the rounding step in microseconds for a value of x's
// magnitude: the smallest power of ten above one ulp of x.
func granule(x float64) int64 {
	a := math.Abs(x)
	ulp := (math.Nextafter(a, math.Inf(1)) - a) * float64(usPerDay)
	g := int64(1)
	for float64(g) <= ulp && g < usPerDay {
		g *= 10
	}
	return g
}

// SerialFromTime converts the wall-clock reading of t (in t's own location;
// no zone conversion) to a serial number.
func SerialFromTime(t time.Time) float64 {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	day := daySerial(int64(y), int(m), d)
	us := int64(h)*usPerHour + int64(mi)*usPerMinute + int64(s)*usPerSecond + int64(t.Nanosecond()/1000)
	return float64(day) + float64(us)/float64(usPerDay)
}

// TimeFromSerial converts a serial number to a time.Time with that wall-clock
// reading in time.UTC (used as a zone-less carrier), rounded as splitSerial
// rounds. It reports false for NaN, infinities and serials beyond MaxSerial.
func TimeFromSerial(x float64) (time.Time, bool) {
	day, us, ok := splitSerial(x)
	if !ok {
		return time.Time{}, false
	}
	y, m, d := civil(day)
	t := time.Date(int(y), time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Add(time.Duration(us) * time.Microsecond), true
}

// Today returns the serial number of the date of t (its wall clock, in t's
// location): the chart function Today() given the clock reading to use.
func Today(t time.Time) float64 { return math.Floor(SerialFromTime(t)) }

// Now returns the serial number of t's wall-clock time: the chart function
// Now() given the clock reading to use.
func Now(t time.Time) float64 { return SerialFromTime(t) }
