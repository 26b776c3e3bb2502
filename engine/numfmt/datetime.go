package numfmt

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assocengine/assoc/symbols"

	"github.com/assocengine/assoc/internal/calendar"
)

// Date and time format codes.
//
//	code   = { item }
//	item   = year | month | day | weekday | hour | minute | second | frac
//	       | ampm | "[" { item } "]" | literal
//	year   = "Y"+        YY: two digits; otherwise the full year, zero-padded
//	month  = "M"+        M, MM: number; MMM: MonthNames; MMMM: LongMonthNames
//	day    = "D"+        D, DD
//	weekday= "W"+        W: 0 = Monday; WW: two digits; WWW: DayNames; WWWW: LongDayNames
//	hour   = "h"+        12-hour clock when the code has an AM/PM marker
//	minute = "m"+        lower case only ("M" is the month)
//	second = "s"+
//	frac   = "f"+        one digit per "f", truncated
//	ampm   = "TT" | "tt" AM/PM or am/pm
//
// Letters other than M/m match either case (Qlik accepts "yyyy" and "DD").
// A part in square brackets is optional: formatting leaves it out (observed:
// "YYYY-MM-DD hh:mm:ss[.fff]" shows 31908.234 as "1987-05-11 05:36:57") and
// parsing accepts text with or without it. Everything else is literal.
// Displayed values are truncated, not rounded (documented: 0.99999 with
// "hh-mm" is "23-59"). [Proposed]: W numbers weekdays from Monday = 0
// whatever FirstWeekDay is; a single "T" is a literal.

type dtKind uint8

const (
	dtLit dtKind = iota
	dtYear
	dtMonth
	dtDay
	dtWeekday
	dtHour
	dtMinute
	dtSecond
	dtFrac
	dtAMPM
	dtOpt    // start of an optional part; end = index of its dtOptEnd
	dtOptEnd // end of an optional part
)

type dtTok struct {
	kind  dtKind
	n     int    // letter count; for dtOpt the index of the matching dtOptEnd
	upper bool   // dtAMPM: "TT"
	lit   string // dtLit
}

// dtCode is a compiled date/time format code.
type dtCode struct {
	toks    []dtTok
	has12h  bool // the code has an AM/PM marker
	hasDate bool // the code has a year, month, day or weekday
	hasTime bool // the code has an hour, minute, second or fraction
}

var dtCache codeCache[string, *dtCode]

func compileDateTime(code string) *dtCode {
	return dtCache.get(code, parseDateTimeCode)
}

// parseDateTimeCode lexes a code into tokens and pairs the brackets. An
// unmatched "[" or "]" is a literal.
func parseDateTimeCode(code string) *dtCode {
	c := &dtCode{}
	var open []int // indices of unmatched dtOpt tokens
	litStart := -1
	flush := func(i int) {
		if litStart >= 0 {
			c.toks = append(c.toks, dtTok{kind: dtLit, lit: code[litStart:i]})
			litStart = -1
		}
	}
	run := func(i int, match func(byte) bool) int {
		j := i
		for j < len(code) && match(code[j]) {
			j++
		}
		return j - i
	}
	for i := 0; i < len(code); {
		ch := code[i]
		var t dtTok
		n := 1
		switch ch {
		case 'Y', 'y':
			n = run(i, func(b byte) bool { return b == 'Y' || b == 'y' })
			t = dtTok{kind: dtYear, n: n}
		case 'M':
			n = run(i, func(b byte) bool { return b == 'M' })
			t = dtTok{kind: dtMonth, n: n}
		case 'm':
			n = run(i, func(b byte) bool { return b == 'm' })
			t = dtTok{kind: dtMinute, n: n}
		case 'D', 'd':
			n = run(i, func(b byte) bool { return b == 'D' || b == 'd' })
			t = dtTok{kind: dtDay, n: n}
		case 'W', 'w':
			n = run(i, func(b byte) bool { return b == 'W' || b == 'w' })
			t = dtTok{kind: dtWeekday, n: n}
		case 'h', 'H':
			n = run(i, func(b byte) bool { return b == 'h' || b == 'H' })
			t = dtTok{kind: dtHour, n: n}
		case 's', 'S':
			n = run(i, func(b byte) bool { return b == 's' || b == 'S' })
			t = dtTok{kind: dtSecond, n: n}
		case 'f', 'F':
			n = run(i, func(b byte) bool { return b == 'f' || b == 'F' })
			t = dtTok{kind: dtFrac, n: n}
		case 'T', 't':
			if i+1 < len(code) && (code[i+1] == 'T' || code[i+1] == 't') {
				n = 2
				t = dtTok{kind: dtAMPM, n: 2, upper: ch == 'T'}
			} else {
				t.kind = dtLit
			}
		case '[':
			t = dtTok{kind: dtOpt}
		case ']':
			if len(open) > 0 {
				t = dtTok{kind: dtOptEnd}
			} else {
				t.kind = dtLit
			}
		default:
			t.kind = dtLit
		}
		if t.kind == dtLit {
			if litStart < 0 {
				litStart = i
			}
			_, size := utf8.DecodeRuneInString(code[i:])
			i += size
			continue
		}
		flush(i)
		switch t.kind {
		case dtOpt:
			open = append(open, len(c.toks))
		case dtOptEnd:
			c.toks[open[len(open)-1]].n = len(c.toks)
			open = open[:len(open)-1]
		case dtYear, dtMonth, dtDay, dtWeekday:
			c.hasDate = true
		case dtHour, dtMinute, dtSecond, dtFrac:
			c.hasTime = true
		case dtAMPM:
			c.has12h = true
		}
		c.toks = append(c.toks, t)
		i += n
	}
	flush(len(code))
	// Unclosed brackets become literals.
	for _, k := range open {
		c.toks[k] = dtTok{kind: dtLit, lit: "["}
	}
	return c
}

// looksLikeDateTime reports whether a format code is a date/time code rather
// than a number code [Proposed]. A code without digit placeholders ("0",
// "#") is a date/time code when it has any date or time letter; a code with
// placeholders is one only when it also has a doubled date or time letter
// ("YY", "MM", "DD", "hh", "mm", "ss", "ff", "TT"), so that "Days: 0" and
// "0.0 h" stay number codes while "YYYY-MM-DD" and "D hh:mm" are dates.
func looksLikeDateTime(code string) bool {
	placeholders := strings.ContainsAny(code, "0#")
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !isDateLetter(c) {
			continue
		}
		if !placeholders && c != 'T' && c != 't' && c != 'f' && c != 'F' {
			return true
		}
		if i+1 < len(code) && (code[i+1] == c || c|0x20 != 'm' && code[i+1]|0x20 == c|0x20) {
			return true
		}
	}
	return false
}

func isDateLetter(c byte) bool {
	switch c {
	case 'Y', 'y', 'M', 'm', 'D', 'd', 'h', 'H', 's', 'S', 'W', 'w', 'f', 'F', 'T', 't':
		return true
	}
	return false
}

// FormatDate formats x as the chart function Date(x, code) does; an empty
// code uses the locale's DateFormat.
func FormatDate(x float64, code string, loc *Locale) string {
	if code == "" {
		code = loc.DateFormat
	}
	return formatDateTime(x, code, loc, false)
}

// FormatTime formats x as Time(x, code) does; an empty code uses TimeFormat.
func FormatTime(x float64, code string, loc *Locale) string {
	if code == "" {
		code = loc.TimeFormat
	}
	return formatDateTime(x, code, loc, false)
}

// FormatTimestamp formats x as Timestamp(x, code) does; an empty code uses
// TimestampFormat.
func FormatTimestamp(x float64, code string, loc *Locale) string {
	if code == "" {
		code = loc.TimestampFormat
	}
	return formatDateTime(x, code, loc, false)
}

// FormatInterval formats x (a number of days) as Interval(x, code) does: the
// largest unit in the code takes everything above it, so "hh:mm" shows 33
// hours as "33:00" and "D hh:mm" shows "1 09:00"; a negative interval gets a
// leading "-". An empty code uses IntervalFormat(loc).
func FormatInterval(x float64, code string, loc *Locale) string {
	if code == "" {
		code = IntervalFormat(loc)
	}
	return formatDateTime(x, code, loc, true)
}

// IntervalFormat returns the default interval format of a locale: its
// TimeFormat without the AM/PM marker [Proposed; the documentation only
// says "the time format"].
func IntervalFormat(loc *Locale) string {
	f := loc.TimeFormat
	for _, m := range []string{" TT", " tt", "TT", "tt"} {
		f = strings.Replace(f, m, "", 1)
	}
	return strings.TrimSpace(f)
}

func formatDateTime(x float64, code string, loc *Locale, interval bool) string {
	var buf [64]byte
	return string(AppendDateTime(buf[:0], x, code, loc, interval))
}

// AppendDateTime appends x formatted with a date/time code: as an interval
// when interval is set, else as a calendar date and time of day. NaN,
// infinities, serials beyond MaxSerial and intervals beyond 1e8 days use the
// automatic number rendering.
func AppendDateTime(dst []byte, x float64, code string, loc *Locale, interval bool) []byte {
	if !validSerial(x) {
		return append(dst, symbols.FormatNumber(x)...)
	}
	c := compileDateTime(code)
	if interval {
		if math.Abs(x) > maxIntervalDays {
			return append(dst, symbols.FormatNumber(x)...)
		}
		return c.appendInterval(dst, x, loc)
	}
	return c.appendCalendar(dst, x, loc)
}

// maxIntervalDays bounds the intervals shown with an interval code: their
// microseconds must fit an int64. Longer ones use the automatic rendering.
const maxIntervalDays = 1e8

// calendarParts are the fields a calendar code can show.
type calendarParts struct {
	y              int64
	m, d, wd       int
	hour, min, sec int64
	us             int64 // microseconds within the second
	days           int64 // interval: whole days
}

func (c *dtCode) appendCalendar(dst []byte, x float64, loc *Locale) []byte {
	day, us, _ := splitSerial(x)
	var p calendarParts
	p.y, p.m, p.d = civil(day)
	p.wd = weekday0(day)
	p.hour = us / usPerHour
	p.min = us / usPerMinute % 60
	p.sec = us / usPerSecond % 60
	p.us = us % usPerSecond
	return c.appendParts(dst, &p, loc, false)
}

func (c *dtCode) appendInterval(dst []byte, x float64, loc *Locale) []byte {
	neg := x < 0
	ax := math.Abs(x)
	g := granule(ax)
	total := int64(math.Round(ax*float64(usPerDay)/float64(g))) * g // microseconds
	var present [4]bool                                             // day, hour, minute, second
	for _, t := range c.toks {
		switch t.kind {
		case dtDay:
			present[0] = true
		case dtHour:
			present[1] = true
		case dtMinute:
			present[2] = true
		case dtSecond:
			present[3] = true
		}
	}
	var p calendarParts
	rem := total
	sizes := [4]int64{usPerDay, usPerHour, usPerMinute, usPerSecond}
	vals := [4]*int64{&p.days, &p.hour, &p.min, &p.sec}
	for i, size := range sizes {
		if present[i] {
			*vals[i] = rem / size
			rem %= size
		}
	}
	p.us = rem % usPerSecond
	mark := len(dst)
	if neg {
		dst = append(dst, '-')
	}
	start := len(dst)
	dst = c.appendParts(dst, &p, loc, true)
	if neg && !anyNonZeroDigit(dst[start:]) {
		dst = append(dst[:mark], dst[start:]...)
	}
	return dst
}

func anyNonZeroDigit(b []byte) bool {
	for _, c := range b {
		if c >= '1' && c <= '9' {
			return true
		}
	}
	return false
}

// appendParts writes the tokens, skipping optional parts.
func (c *dtCode) appendParts(dst []byte, p *calendarParts, loc *Locale, interval bool) []byte {
	for i := 0; i < len(c.toks); i++ {
		t := c.toks[i]
		switch t.kind {
		case dtLit:
			dst = append(dst, t.lit...)
		case dtOpt:
			i = t.n // skip to the matching end
		case dtYear:
			if interval {
				continue
			}
			y := p.y
			if t.n == 2 {
				dst = calendar.AppendPadded(dst, mod64(y, 100), 2)
				continue
			}
			if y < 0 {
				dst = append(dst, '-')
				y = -y
			}
			dst = calendar.AppendPadded(dst, y, t.n)
		case dtMonth:
			if interval {
				continue
			}
			switch {
			case t.n <= 2:
				dst = calendar.AppendPadded(dst, int64(p.m), t.n)
			case t.n == 3:
				dst = append(dst, loc.MonthNames[p.m-1]...)
			default:
				dst = append(dst, loc.LongMonthNames[p.m-1]...)
			}
		case dtDay:
			if interval {
				dst = calendar.AppendPadded(dst, p.days, t.n)
			} else {
				dst = calendar.AppendPadded(dst, int64(p.d), min(t.n, 2))
			}
		case dtWeekday:
			if interval {
				continue
			}
			switch {
			case t.n <= 2:
				dst = calendar.AppendPadded(dst, int64(p.wd), t.n)
			case t.n == 3:
				dst = append(dst, loc.DayNames[p.wd]...)
			default:
				dst = append(dst, loc.LongDayNames[p.wd]...)
			}
		case dtHour:
			h := p.hour
			if c.has12h && !interval {
				h %= 12
				if h == 0 {
					h = 12
				}
			}
			dst = calendar.AppendPadded(dst, h, t.n)
		case dtMinute:
			dst = calendar.AppendPadded(dst, p.min, t.n)
		case dtSecond:
			dst = calendar.AppendPadded(dst, p.sec, t.n)
		case dtFrac:
			var fb [8]byte
			fs := strconv.AppendInt(fb[:0], p.us+usPerSecond, 10)[1:] // six digits
			for k := 0; k < t.n; k++ {
				if k < len(fs) {
					dst = append(dst, fs[k])
				} else {
					dst = append(dst, '0')
				}
			}
		case dtAMPM:
			if interval {
				continue
			}
			pm := p.hour >= 12
			switch {
			case pm && t.upper:
				dst = append(dst, "PM"...)
			case pm:
				dst = append(dst, "pm"...)
			case t.upper:
				dst = append(dst, "AM"...)
			default:
				dst = append(dst, "am"...)
			}
		}
	}
	return dst
}
