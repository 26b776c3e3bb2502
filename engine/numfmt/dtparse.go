package numfmt

import (
	"math"
	"strings"
)

// ParseDate reads text as the interpretation function Date#(text, code)
// does; an empty code uses the locale's DateFormat. It reports false when
// text is not a date in that format.
//
// Parsing is lenient the way Qlik's is: numeric fields accept one or two
// digits whatever their letter count, a four-digit year field also accepts
// two digits (documented: '8/7/97' with M/D/YYYY is 1997-08-07), month and
// weekday names match either list case-insensitively, blanks in the code
// match any run of blanks, and optional "[...]" parts may be absent.
// [Proposed]: two-digit years 00-29 are 2000-2029 and 30-99 are 1930-1999;
// an AM/PM marker may be left out (24-hour clock); a code with date fields
// but no year, month or day uses 1899, January and the 1st for the missing
// ones; the date of a time-only code is day 0.
func ParseDate(text, code string, loc *Locale) (float64, bool) {
	if code == "" {
		code = loc.DateFormat
	}
	return parseDateTime(text, code, loc, false)
}

// ParseTime reads text as Time#(text, code) does; an empty code uses the
// locale's TimeFormat.
func ParseTime(text, code string, loc *Locale) (float64, bool) {
	if code == "" {
		code = loc.TimeFormat
	}
	return parseDateTime(text, code, loc, false)
}

// ParseTimestamp reads text as Timestamp#(text, code) does; an empty code
// uses the locale's TimestampFormat and then also accepts ISO 8601
// (YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.fff]] with an optional Z or ±hh[:mm]
// offset, which is converted to UTC).
func ParseTimestamp(text, code string, loc *Locale) (float64, bool) {
	if code != "" {
		return parseDateTime(text, code, loc, false)
	}
	if v, ok := parseDateTime(text, loc.TimestampFormat, loc, false); ok {
		return v, true
	}
	v, _, ok := parseISO(text)
	return v, ok
}

// ParseInterval reads text as Interval#(text, code) does; an empty code
// uses IntervalFormat(loc). The leading unit of the code may exceed its
// usual range ("33:00" with "hh:mm" is 1.375 days) and a leading "-" makes
// the interval negative.
func ParseInterval(text, code string, loc *Locale) (float64, bool) {
	if code == "" {
		code = IntervalFormat(loc)
	}
	return parseDateTime(text, code, loc, true)
}

// dtState holds the fields read so far.
type dtState struct {
	y                int64
	m, d             int
	hasY, hasM, hasD bool
	days             int64
	hour, min, sec   int64
	us               int64
	ampm             int8 // 0 none, 1 AM, 2 PM
}

type dtParser struct {
	c        *dtCode
	text     string
	loc      *Locale
	interval bool
	st       dtState
	budget   int // match steps left; bounds backtracking
}

func parseDateTime(text, code string, loc *Locale, interval bool) (float64, bool) {
	t := trimBlanks(text)
	neg := false
	if interval && t != "" && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = trimBlanks(t[1:])
	}
	if t == "" || code == "" {
		return math.NaN(), false
	}
	p := dtParser{c: compileDateTime(code), text: t, loc: loc, interval: interval, budget: 20000}
	if !p.match(0, 0) {
		return math.NaN(), false
	}
	v := p.value()
	if neg {
		v = -v
	}
	return v, true
}

// match reports whether tokens ti... match text si... completely, leaving
// the fields in p.st. It backtracks over field widths and optional parts.
func (p *dtParser) match(ti, si int) bool {
	if p.budget--; p.budget < 0 {
		return false
	}
	toks := p.c.toks
	if ti == len(toks) {
		return si == len(p.text) && p.valid()
	}
	t := toks[ti]
	switch t.kind {
	case dtOptEnd:
		return p.match(ti+1, si)
	case dtOpt:
		saved := p.st
		if p.match(ti+1, si) {
			return true
		}
		p.st = saved
		return p.match(t.n+1, si)
	case dtLit:
		j, ok := matchLiteral(p.text, si, t.lit)
		return ok && p.match(ti+1, j)
	case dtAMPM:
		rest := p.text[si:]
		for _, m := range [...]struct {
			s string
			v int8
		}{{"AM", 1}, {"PM", 2}, {"A.M.", 1}, {"P.M.", 2}} {
			if len(rest) >= len(m.s) && strings.EqualFold(rest[:len(m.s)], m.s) {
				saved := p.st
				p.st.ampm = m.v
				if p.match(ti+1, si+len(m.s)) {
					return true
				}
				p.st = saved
			}
		}
		return p.match(ti+1, si) // the marker may be left out
	case dtMonth:
		if t.n >= 3 {
			return p.matchName(ti, si, p.loc.LongMonthNames[:], p.loc.MonthNames[:], true)
		}
	case dtWeekday:
		if t.n >= 3 {
			return p.matchName(ti, si, p.loc.LongDayNames[:], p.loc.DayNames[:], false)
		}
	}
	return p.matchNumber(ti, si, t)
}

// matchName matches a month or weekday name from either list.
func (p *dtParser) matchName(ti, si int, long, short []string, month bool) bool {
	rest := p.text[si:]
	for _, names := range [2][]string{long, short} {
		idx, n := nameIndex(rest, names)
		if idx < 0 {
			continue
		}
		saved := p.st
		if month {
			p.st.m, p.st.hasM = idx+1, true
		}
		if p.match(ti+1, si+n) {
			return true
		}
		p.st = saved
	}
	return false
}

// matchNumber matches a numeric field, trying the widest width first.
func (p *dtParser) matchNumber(ti, si int, t dtTok) bool {
	lo, hi := 1, 2
	switch {
	case t.kind == dtFrac:
		hi = 9
	case p.interval && (t.kind == dtDay || t.kind == dtHour || t.kind == dtMinute || t.kind == dtSecond):
		hi = 9
	case t.kind == dtYear:
		lo, hi = 2, 4
	case t.kind == dtWeekday && t.n == 1:
		hi = 1
	}
	avail := 0
	for si+avail < len(p.text) && avail < hi && p.text[si+avail] >= '0' && p.text[si+avail] <= '9' {
		avail++
	}
	for w := avail; w >= lo; w-- {
		if t.kind == dtYear && w == 3 {
			continue
		}
		var v int64
		for _, c := range []byte(p.text[si : si+w]) {
			v = v*10 + int64(c-'0')
		}
		saved := p.st
		p.set(t, v, w)
		if p.match(ti+1, si+w) {
			return true
		}
		p.st = saved
	}
	return false
}

// set stores a numeric field of width w.
func (p *dtParser) set(t dtTok, v int64, w int) {
	st := &p.st
	switch t.kind {
	case dtYear:
		if w <= 2 {
			if v < 30 {
				v += 2000
			} else {
				v += 1900
			}
		}
		st.y, st.hasY = v, true
	case dtMonth:
		st.m, st.hasM = int(v), true
	case dtDay:
		if p.interval {
			st.days = v
		} else {
			st.d, st.hasD = int(v), true
		}
	case dtHour:
		st.hour = v
	case dtMinute:
		st.min = v
	case dtSecond:
		st.sec = v
	case dtFrac:
		for ; w < 6; w++ {
			v *= 10
		}
		for ; w > 6; w-- {
			v /= 10
		}
		st.us = v
	}
}

// valid checks the ranges of the fields read.
func (p *dtParser) valid() bool {
	st := &p.st
	if p.interval {
		return true
	}
	if st.hasM && (st.m < 1 || st.m > 12) {
		return false
	}
	if st.hasD {
		y, m := st.y, st.m
		if !st.hasY {
			y = 2000 // a leap year: 29 February is a valid day without a year
		}
		if !st.hasM {
			m = 1
		}
		if st.d < 1 || st.d > daysIn(y, m) {
			return false
		}
	}
	switch st.ampm {
	case 0:
		if st.hour > 23 {
			return false
		}
	default:
		if st.hour < 1 || st.hour > 12 {
			return false
		}
	}
	return st.min <= 59 && st.sec <= 59
}

// value converts the fields to a serial number (or a number of days for an
// interval).
func (p *dtParser) value() float64 {
	st := &p.st
	if p.interval {
		// Fields have at most 9 digits, so only the days could overflow.
		us := st.hour*usPerHour + st.min*usPerMinute + st.sec*usPerSecond + st.us
		return float64(st.days) + float64(us)/float64(usPerDay)
	}
	h := st.hour
	switch st.ampm {
	case 1:
		if h == 12 {
			h = 0
		}
	case 2:
		if h < 12 {
			h += 12
		}
	}
	us := h*usPerHour + st.min*usPerMinute + st.sec*usPerSecond + st.us
	var day int64
	if st.hasY || st.hasM || st.hasD {
		y, m, d := int64(1899), 1, 1
		if st.hasY {
			y = st.y
		}
		if st.hasM {
			m = st.m
		}
		if st.hasD {
			d = st.d
		}
		day = daySerial(y, m, d)
	}
	return float64(day) + float64(us)/float64(usPerDay)
}

// matchLiteral matches a literal of a code at text[si:]: a blank matches any
// run of blanks (including none), ASCII letters match either case, other
// characters match exactly.
func matchLiteral(text string, si int, lit string) (int, bool) {
	for k := 0; k < len(lit); k++ {
		c := lit[k]
		if c == ' ' {
			for si < len(text) && (text[si] == ' ' || text[si] == '\t') {
				si++
			}
			continue
		}
		if si >= len(text) {
			return si, false
		}
		if text[si] != c && !(isASCIILetter(c) && text[si]|0x20 == c|0x20) {
			return si, false
		}
		si++
	}
	return si, true
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// parseISO reads an ISO 8601 date or timestamp:
//
//	iso    = date [ ( "T" | " " ) time [ zone ] ]
//	date   = digit4 "-" digit2 "-" digit2
//	time   = digit2 ":" digit2 [ ":" digit2 [ ( "." | "," ) digit { digit } ] ]
//	zone   = "Z" | ( "+" | "-" ) digit2 [ [ ":" ] digit2 ]
//
// A zone offset is applied so that the result is UTC. hasTime reports
// whether a time part was present.
func parseISO(s string) (v float64, hasTime, ok bool) {
	s = trimBlanks(s)
	num := func(i, n int) (int64, bool) {
		if i+n > len(s) {
			return 0, false
		}
		var v int64
		for k := i; k < i+n; k++ {
			if s[k] < '0' || s[k] > '9' {
				return 0, false
			}
			v = v*10 + int64(s[k]-'0')
		}
		return v, true
	}
	fail := func() (float64, bool, bool) { return math.NaN(), false, false }
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return fail()
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 2)
	d, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 || d > int64(daysIn(y, int(mo))) {
		return fail()
	}
	day := daySerial(y, int(mo), int(d))
	if len(s) == 10 {
		return float64(day), false, true
	}
	if s[10] != 'T' && s[10] != 't' && s[10] != ' ' {
		return fail()
	}
	i := 11
	h, okh := num(i, 2)
	if !okh || i+2 >= len(s) || s[i+2] != ':' {
		return fail()
	}
	mi, okm := num(i+3, 2)
	if !okm || h > 24 || mi > 59 {
		return fail()
	}
	i += 5
	var sec, us int64
	if i < len(s) && s[i] == ':' {
		var oks bool
		if sec, oks = num(i+1, 2); !oks || sec > 59 {
			return fail()
		}
		i += 3
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
			w := 0
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				if w < 6 {
					us = us*10 + int64(s[i]-'0')
					w++
				}
				i++
			}
			if w == 0 {
				return fail()
			}
			for ; w < 6; w++ {
				us *= 10
			}
		}
	}
	total := h*usPerHour + mi*usPerMinute + sec*usPerSecond + us
	if i < len(s) {
		switch s[i] {
		case 'Z', 'z':
			i++
		case '+', '-':
			sign := int64(1)
			if s[i] == '-' {
				sign = -1
			}
			oh, ok := num(i+1, 2)
			if !ok {
				return fail()
			}
			i += 3
			var om int64
			if i < len(s) && s[i] == ':' {
				i++
			}
			if i < len(s) {
				if om, ok = num(i, 2); !ok {
					return fail()
				}
				i += 2
			}
			total -= sign * (oh*usPerHour + om*usPerMinute)
		}
		if i != len(s) {
			return fail()
		}
	}
	return float64(day) + float64(total)/float64(usPerDay), true, true
}
