package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// parseDecimal reads a plain decimal number with the given separators.
//
//	number  = blank* [ "+" | "-" ] digits [ dec { digit } ] [ exponent ] blank*
//	        | blank* [ "+" | "-" ] dec digit { digit } [ exponent ] blank*
//	digits  = digit { digit } { sep digit digit digit }
//	exponent= ( "e" | "E" ) [ "+" | "-" ] digit { digit }
//
// sep is thou; when lenient it is also a blank or a no-break space, and the
// first group may be longer than three digits. Blanks are ' ' and '\t'.
// The common case (at most 19 significant digits and a decimal exponent
// within ±22) converts without strconv and without allocating.
func parseDecimal(s, dec, thou string, lenient bool) (float64, bool) {
	if thou == dec {
		thou = ""
	}
	i, n := 0, len(s)
	for i < n && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for n > i && (s[n-1] == ' ' || s[n-1] == '\t') {
		n--
	}
	neg := false
	if i < n && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var (
		mant  uint64 // the first 19 digits (leading zeros included)
		exp   int    // value = mant × 10^exp
		nsig  int    // digits accumulated in mant
		trunc bool   // a non-zero digit did not fit in mant
		seps  bool   // a separator was seen
		any   bool   // a digit was seen
	)
	for {
		runStart := i
		for i < n && s[i]-'0' < 10 {
			if nsig < 19 {
				mant = mant*10 + uint64(s[i]-'0')
				nsig++
			} else {
				exp++
				trunc = trunc || s[i] != '0'
			}
			i++
		}
		run := i - runStart
		if run == 0 || i >= n {
			if seps && run != 3 {
				return math.NaN(), false
			}
			any = any || run > 0
			break
		}
		any = true
		sl := sepLen(s[i:n], dec, thou, lenient)
		if sl == 0 {
			if seps && run != 3 {
				return math.NaN(), false
			}
			break
		}
		if seps && run != 3 || !seps && !lenient && run > 3 {
			return math.NaN(), false
		}
		seps = true
		i += sl
		if i >= n || s[i]-'0' >= 10 {
			return math.NaN(), false
		}
	}
	if i < n && dec != "" && (s[i] == dec[0] && len(dec) == 1 || len(dec) > 1 && strings.HasPrefix(s[i:n], dec)) {
		i += len(dec)
		for i < n && s[i]-'0' < 10 {
			if nsig < 19 {
				mant = mant*10 + uint64(s[i]-'0')
				nsig++
				exp--
			} else {
				trunc = trunc || s[i] != '0'
			}
			any = true
			i++
		}
	}
	if !any {
		return math.NaN(), false
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		eneg := false
		if i < n && (s[i] == '+' || s[i] == '-') {
			eneg = s[i] == '-'
			i++
		}
		if i >= n || s[i] < '0' || s[i] > '9' {
			return math.NaN(), false
		}
		e := 0
		for i < n && s[i] >= '0' && s[i] <= '9' {
			if e < 100000 {
				e = e*10 + int(s[i]-'0')
			}
			i++
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i != n {
		return math.NaN(), false
	}
	if f, ok := fastFloat(mant, exp, trunc); ok {
		if neg {
			f = -f
		}
		return f, true
	}
	return slowDecimal(s, dec, thou, lenient)
}

// sepLen returns the length of a digit group separator at the start of s,
// or 0.
func sepLen(s, dec, thou string, lenient bool) int {
	if thou != "" && strings.HasPrefix(s, thou) {
		return len(thou)
	}
	if lenient && dec != " " {
		if s[0] == ' ' {
			return 1
		}
		if strings.HasPrefix(s, "\u00a0") {
			return len("\u00a0")
		}
	}
	return 0
}

var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// fastFloat converts mant × 10^exp exactly when both factors are exact
// float64 values, so that the single multiplication or division rounds
// correctly.
func fastFloat(mant uint64, exp int, trunc bool) (float64, bool) {
	if mant == 0 && !trunc {
		return 0, true
	}
	if trunc || mant > 1<<53 {
		return 0, false
	}
	f := float64(mant)
	switch {
	case exp == 0:
		return f, true
	case exp > 0 && exp <= 22:
		return f * pow10[exp], true
	case exp < 0 && exp >= -22:
		return f / pow10[-exp], true
	}
	return 0, false
}

// slowDecimal converts a number that parseDecimal has validated by
// rewriting it in Go syntax for strconv.ParseFloat. Overflow is not a
// number.
func slowDecimal(s, dec, thou string, lenient bool) (float64, bool) {
	var buf [64]byte
	b := buf[:0]
	s = trimBlanks(s)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= '0' && c <= '9' || c == '+' || c == '-' || c == 'e' || c == 'E':
			b = append(b, c)
			i++
		case dec != "" && strings.HasPrefix(s[i:], dec):
			b = append(b, '.')
			i += len(dec)
		default:
			l := sepLen(s[i:], dec, thou, lenient)
			if l == 0 {
				l = 1
			}
			i += l
		}
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(f, 0) {
		return math.NaN(), false
	}
	return f, true
}

// trimBlanks removes leading and trailing spaces and tabs.
func trimBlanks(s string) string {
	i, n := 0, len(s)
	for i < n && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for n > i && (s[n-1] == ' ' || s[n-1] == '\t') {
		n--
	}
	return s[i:n]
}
