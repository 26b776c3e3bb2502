package symbols

import (
	"math"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/internal/calendar"
)

// A textRule renders a symbol's text from its number. A frozen table whose
// texts are (almost) all the rule's rendering of their numbers stores no
// texts at all: ids, dates and timestamps of a large field then cost their
// 8-byte number instead of a text, an offset and the number.
type textRule uint8

const (
	ruleNone      textRule = iota
	ruleNumber             // FormatNumber
	ruleISODate            // YYYY-MM-DD
	ruleISOMinute          // YYYY-MM-DD hh:mm
	ruleISOSecond          // YYYY-MM-DD hh:mm:ss
	ruleUSDate             // M/D/YYYY (the engine's default DateFormat)
	ruleUSTime             // M/D/YYYY h:mm:ss TT (its default TimestampFormat, whole seconds)
	ruleFixed1             // 1 to 4 decimals, always written (a decimal column's digits: 12.50)
	ruleFixed2
	ruleFixed3
	ruleFixed4
	ruleCount
)

// appendText appends the rendering of f to dst; ok is false when the rule
// cannot render f (it then never matches a stored text).
func (r textRule) appendText(dst []byte, f float64) (_ []byte, ok bool) {
	switch r {
	case ruleNumber:
		return AppendNumber(dst, f), true
	case ruleFixed1, ruleFixed2, ruleFixed3, ruleFixed4:
		if !(math.Abs(f) < 1e15) {
			return dst, false
		}
		k := int(r-ruleFixed1) + 1
		if b, ok := appendScaled(dst, f, k, 1<<53); ok {
			return b, true
		}
		return strconv.AppendFloat(dst, f, 'f', k, 64), true
	}
	// A serial date-time: days since 1899-12-30, the fraction the time of
	// day, taken to the millisecond.
	if !(f > -2e6 && f < 3e6) {
		return dst, false
	}
	const msDay = 86_400_000
	ms := int64(math.Round(f * msDay))
	day := floorDiv(ms, msDay)
	ms -= day * msDay
	y, m, d := calendar.CivilFromDays(day - calendar.UnixEpochSerial)
	if y < 0 || y > 9999 {
		return dst, false
	}
	hh, mm, ss := ms/3_600_000, ms/60_000%60, ms/1000%60
	switch r {
	case ruleISODate, ruleISOMinute, ruleISOSecond:
		dst = calendar.AppendPadded(dst, y, 4)
		dst = append(dst, '-')
		dst = calendar.AppendPadded(dst, int64(m), 2)
		dst = append(dst, '-')
		dst = calendar.AppendPadded(dst, int64(d), 2)
		if r == ruleISODate {
			return dst, true
		}
		dst = append(dst, ' ')
		dst = calendar.AppendPadded(dst, hh, 2)
		dst = append(dst, ':')
		dst = calendar.AppendPadded(dst, mm, 2)
		if r == ruleISOMinute {
			return dst, true
		}
		dst = append(dst, ':')
		return calendar.AppendPadded(dst, ss, 2), true
	case ruleUSDate, ruleUSTime:
		dst = strconv.AppendInt(dst, int64(m), 10)
		dst = append(dst, '/')
		dst = strconv.AppendInt(dst, int64(d), 10)
		dst = append(dst, '/')
		dst = calendar.AppendPadded(dst, y, 4)
		if r == ruleUSDate {
			return dst, true
		}
		if ms%1000 != 0 {
			return dst, false
		}
		h12 := hh % 12
		if h12 == 0 {
			h12 = 12
		}
		dst = append(dst, ' ')
		dst = strconv.AppendInt(dst, h12, 10)
		dst = append(dst, ':')
		dst = calendar.AppendPadded(dst, mm, 2)
		dst = append(dst, ':')
		dst = calendar.AppendPadded(dst, ss, 2)
		if hh < 12 {
			return append(dst, " AM"...), true
		}
		return append(dst, " PM"...), true
	}
	return dst, false
}

// alphabet returns the bytes the rule's renderings may hold.
func (r textRule) alphabet() [4]uint64 {
	chars := "0123456789-"
	switch r {
	case ruleNumber:
		chars += ".e+Inf"
	case ruleISODate, ruleISOMinute, ruleISOSecond:
		chars += " :"
	case ruleUSDate, ruleUSTime:
		chars += "/ :AMP"
	default:
		chars += "."
	}
	var set [4]uint64
	addAlphabet(&set, []byte(chars))
	return set
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// Implied texts are tried for tables of at least minImplied symbols (below
// that the saving is small and every text read would render); at most one
// symbol in maxExceptionShare may have another text (kept in a map).
const (
	minImplied        = 4096
	maxExceptionShare = 32
)

// chooseRule returns the rule that renders the texts of t's symbols, or
// ruleNone, and the symbols it does not render. It tries each rule on the
// first numbers, then checks all.
func (t *Table) chooseRule() (textRule, []uint32) {
	n := t.Len()
	if n < minImplied || t.numCount < n-n/maxExceptionShare {
		return ruleNone, nil
	}
	var buf [64]byte
	matches := func(r textRule, id uint32) bool {
		f := t.Num(uint32(id))
		if f != f {
			return false
		}
		b, ok := r.appendText(buf[:0], f)
		return ok && string(b) == t.Text(id)
	}
	for r := ruleNumber; r < ruleCount; r++ {
		sample, hit := 0, 0
		for id := 0; id < n && sample < 16; id++ {
			if !t.hasNum(uint32(id)) {
				continue
			}
			sample++
			if matches(r, uint32(id)) {
				hit++
			}
		}
		if hit < sample*3/4 || sample == 0 {
			continue
		}
		var misses []uint32
		for id := range n {
			if !matches(r, uint32(id)) {
				if misses = append(misses, uint32(id)); len(misses) > n/maxExceptionShare {
					break
				}
			}
		}
		if len(misses) <= n/maxExceptionShare {
			return r, misses
		}
	}
	return ruleNone, nil
}

// imply drops the stored texts of t in favour of rule r, keeping the texts
// of misses (the symbols r does not render) as exceptions.
func (t *Table) imply(r textRule, misses []uint32) {
	exc := make(map[uint32]string, len(misses))
	for _, id := range misses {
		exc[id] = strings.Clone(t.Text(id))
	}
	if len(exc) > 0 {
		t.exc = exc
	}
	t.rule = r
	t.arena, t.off = nil, nil
	t.alpha, t.hasAlpha = r.alphabet(), true
	for _, s := range exc {
		addAlphabet(&t.alpha, []byte(s))
	}
}

// impliedText returns the text of symbol id of an implied table.
func (t *Table) impliedText(id uint32) string {
	if int(id) >= t.n {
		panic("symbols: id out of range")
	}
	if t.exc != nil {
		if s, ok := t.exc[id]; ok {
			return s
		}
	}
	var buf [64]byte
	return string(t.appendImplied(buf[:0], id))
}

// appendImplied appends the text of symbol id of an implied table.
func (t *Table) appendImplied(dst []byte, id uint32) []byte {
	if t.rule == ruleNumber && t.ints != nil && t.scale == 0 && t.exc == nil {
		return strconv.AppendInt(dst, int64(t.ints[id]), 10) // every symbol has an int
	}
	if t.exc != nil {
		if s, ok := t.exc[id]; ok {
			return append(dst, s...)
		}
	}
	dst, _ = t.rule.appendText(dst, t.Num(id))
	return dst
}

// materialize stores the texts of an implied or compressed table plainly
// again, before the table changes.
func (t *Table) materialize() {
	if t.z != nil {
		t.decompress()
		return
	}
	if t.rule == ruleNone {
		return
	}
	var arena []byte
	off := make([]uint32, 1, t.n+1)
	for id := range t.n {
		arena = t.appendImplied(arena, uint32(id))
		off = append(off, uint32(len(arena)))
	}
	t.arena, t.off, t.rule, t.exc, t.hasAlpha = arena, off, ruleNone, nil, false
}
