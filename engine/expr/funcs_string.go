package expr

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// String functions (§4.10, S43 string_functions). Positions and lengths
// count characters, not bytes, and are 1-based. A NULL text argument gives
// NULL unless noted.
var stringFuncs = []Func{
	{Name: "Upper", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(strings.ToUpper)},
	{Name: "Lower", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(strings.ToLower)},
	{Name: "Capitalize", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(capitalize)},
	{Name: "Len", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnLen},
	{Name: "Left", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnLeft},
	{Name: "Right", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnRight},
	{Name: "Mid", MinArgs: 2, MaxArgs: 3, Kind: KindScalar, Eval: fnMid},
	{Name: "Index", MinArgs: 2, MaxArgs: 3, Kind: KindScalar, Eval: fnIndex},
	{Name: "SubField", MinArgs: 2, MaxArgs: 3, Kind: KindScalar, Eval: fnSubField},
	{Name: "Replace", MinArgs: 3, MaxArgs: 3, Kind: KindScalar, Eval: fnReplace},
	{Name: "Trim", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(func(s string) string { return strings.Trim(s, " ") })},
	{Name: "LTrim", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(func(s string) string { return strings.TrimLeft(s, " ") })},
	{Name: "RTrim", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: text1(func(s string) string { return strings.TrimRight(s, " ") })},
	{Name: "Repeat", MinArgs: 1, MaxArgs: 2, Kind: KindScalar, Eval: fnRepeat},
	{Name: "Chr", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnChr},
	{Name: "Ord", MinArgs: 1, MaxArgs: 1, Kind: KindScalar, Eval: fnOrd},
	{Name: "KeepChar", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnKeepChar},
	{Name: "PurgeChar", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnPurgeChar},
	{Name: "TextBetween", MinArgs: 3, MaxArgs: 4, Kind: KindScalar, Eval: fnTextBetween},
	{Name: "FindOneOf", MinArgs: 2, MaxArgs: 3, Kind: KindScalar, Eval: fnFindOneOf},
	{Name: "SubStringCount", MinArgs: 2, MaxArgs: 2, Kind: KindScalar, Eval: fnSubStringCount},
}

// maxTextLen bounds texts built by Repeat so hostile input cannot exhaust
// memory.
const maxTextLen = 1 << 26

// text1 lifts a string function to a scalar function.
func text1(fn func(string) string) ScalarFunc {
	return func(_ Env, a []Value) Value {
		if a[0].IsNull() {
			return Value{}
		}
		return Str(fn(a[0].Text()))
	}
}

// capitalize upper-cases the first letter of every word and lower-cases
// the rest; words are separated by white space.
func capitalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	start := true
	for _, r := range s {
		if unicode.IsSpace(r) {
			start = true
			b.WriteRune(r)
			continue
		}
		if start {
			b.WriteRune(unicode.ToUpper(r))
			start = false
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// count reads a character count or position argument, truncated toward
// zero and clamped to the int32 range.
func count(v Value) (int, bool) {
	f, ok := v.AsNumber()
	if !ok {
		return 0, false
	}
	f = math.Trunc(f)
	switch {
	case f > math.MaxInt32:
		return math.MaxInt32, true
	case f < math.MinInt32:
		return math.MinInt32, true
	}
	return int(f), true
}

// runeOffset returns the byte offset of the n-th character (0-based) of s,
// or len(s) when s is shorter.
func runeOffset(s string, n int) int {
	if n <= 0 {
		return 0
	}
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	return len(s)
}

func fnLen(_ Env, a []Value) Value {
	if a[0].IsNull() {
		return Value{}
	}
	return Num(float64(utf8.RuneCountInString(a[0].Text())))
}

// fnLeft returns the first n characters.
func fnLeft(_ Env, a []Value) Value {
	n, ok := count(a[1])
	if a[0].IsNull() || !ok {
		return Value{}
	}
	s := a[0].Text()
	return Str(s[:runeOffset(s, n)])
}

// fnRight returns the last n characters.
func fnRight(_ Env, a []Value) Value {
	n, ok := count(a[1])
	if a[0].IsNull() || !ok {
		return Value{}
	}
	s := a[0].Text()
	if n <= 0 {
		return Str("")
	}
	l := utf8.RuneCountInString(s)
	if n >= l {
		return Str(s)
	}
	return Str(s[runeOffset(s, l-n):])
}

// fnMid returns n characters (default: the rest) starting at the 1-based
// position start. Positions before 1 are outside the text: Mid('abc', 0, 2)
// is 'a'.
func fnMid(_ Env, a []Value) Value {
	start, ok := count(a[1])
	if a[0].IsNull() || !ok {
		return Value{}
	}
	s := a[0].Text()
	from := start - 1 // 0-based
	to := math.MaxInt
	if len(a) > 2 {
		n, ok := count(a[2])
		if !ok {
			return Value{}
		}
		if n <= 0 {
			return Str("")
		}
		to = from + n
	}
	if from < 0 {
		from = 0
	}
	if to <= from {
		return Str("")
	}
	i := runeOffset(s, from)
	j := len(s)
	if to != math.MaxInt {
		j = i + runeOffset(s[i:], to-from)
	}
	return Str(s[i:j])
}

// fnIndex returns the 1-based character position of the n-th occurrence of
// sub in s (n < 0 counts from the end), 0 when there is none.
func fnIndex(_ Env, a []Value) Value {
	if a[0].IsNull() || a[1].IsNull() {
		return Value{}
	}
	n := 1
	if len(a) > 2 {
		var ok bool
		if n, ok = count(a[2]); !ok {
			return Value{}
		}
	}
	s, sub := a[0].Text(), a[1].Text()
	if sub == "" || n == 0 {
		return Num(0)
	}
	pos := -1
	if n > 0 {
		from := 0
		for ; n > 0; n-- {
			i := strings.Index(s[from:], sub)
			if i < 0 {
				return Num(0)
			}
			pos = from + i
			_, w := utf8.DecodeRuneInString(s[pos:])
			from = pos + w
		}
	} else {
		end := len(s)
		for ; n < 0; n++ {
			i := strings.LastIndex(s[:end], sub)
			if i < 0 {
				return Num(0)
			}
			pos = i
			end = i + len(sub) - 1
		}
	}
	return Num(float64(utf8.RuneCountInString(s[:pos]) + 1))
}

// SubFields splits s at every occurrence of delim, as SubField does (an
// empty delimiter leaves s whole). The load script uses it for the
// two-argument form, which yields one record per part.
func SubFields(s, delim string) []string {
	if delim == "" {
		return []string{s}
	}
	return strings.Split(s, delim)
}

// fnSubField is SubField(s, delim [, n]): the n-th part (n < 0 counts from
// the end), NULL when there is no such part. A NULL text reads as empty
// (SubField(Null, ';', 1) is the empty text). Without n, outside the load script's
// record generation, the first part is returned [Proposed].
func fnSubField(_ Env, a []Value) Value {
	if a[1].IsNull() {
		return Value{}
	}
	n := 1
	if len(a) > 2 {
		var ok bool
		if n, ok = count(a[2]); !ok || n == 0 {
			return Value{}
		}
	}
	s, delim := a[0].Text(), a[1].Text()
	parts := 1
	if delim != "" {
		parts = strings.Count(s, delim) + 1
	}
	if n < 0 {
		n = parts + n + 1
	}
	if n < 1 || n > parts {
		return Value{}
	}
	if delim == "" {
		return Str(s)
	}
	for i := 1; i < n; i++ {
		_, s, _ = strings.Cut(s, delim)
	}
	part, _, _ := strings.Cut(s, delim)
	return Str(part)
}

// fnReplace replaces every occurrence of from by to.
func fnReplace(_ Env, a []Value) Value {
	if a[0].IsNull() || a[1].IsNull() || a[2].IsNull() {
		return Value{}
	}
	s, from := a[0].Text(), a[1].Text()
	if from == "" {
		return Str(s)
	}
	return Str(strings.ReplaceAll(s, from, a[2].Text()))
}

// fnRepeat repeats s n times (default 1).
func fnRepeat(_ Env, a []Value) Value {
	if a[0].IsNull() {
		return Value{}
	}
	n := 1
	if len(a) > 1 {
		var ok bool
		if n, ok = count(a[1]); !ok {
			return Value{}
		}
	}
	s := a[0].Text()
	if n <= 0 || s == "" {
		return Str("")
	}
	if len(s) > maxTextLen/n {
		return Value{}
	}
	return Str(strings.Repeat(s, n))
}

// fnChr returns the character with the given Unicode code point.
func fnChr(_ Env, a []Value) Value {
	f, ok := a[0].AsNumber()
	if !ok || f < 0 || f > utf8.MaxRune {
		return Value{}
	}
	r := rune(f)
	if !utf8.ValidRune(r) {
		return Value{}
	}
	return Str(string(r))
}

// fnOrd returns the code point of the first character.
func fnOrd(_ Env, a []Value) Value {
	s := a[0].Text()
	if a[0].IsNull() || s == "" {
		return Value{}
	}
	r, _ := utf8.DecodeRuneInString(s)
	return Num(float64(r))
}

func keepOrPurge(a []Value, keep bool) Value {
	if a[0].IsNull() || a[1].IsNull() {
		return Value{}
	}
	s, set := a[0].Text(), a[1].Text()
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if strings.ContainsRune(set, r) == keep {
			b.WriteRune(r)
		}
	}
	return Str(b.String())
}

// fnKeepChar keeps only the characters that appear in the second argument.
func fnKeepChar(_ Env, a []Value) Value { return keepOrPurge(a, true) }

// fnPurgeChar removes the characters that appear in the second argument.
func fnPurgeChar(_ Env, a []Value) Value { return keepOrPurge(a, false) }

// fnTextBetween returns the text between the n-th occurrence of before and
// the next occurrence of after, NULL when either is missing.
func fnTextBetween(_ Env, a []Value) Value {
	if a[0].IsNull() || a[1].IsNull() || a[2].IsNull() {
		return Value{}
	}
	n := 1
	if len(a) > 3 {
		var ok bool
		if n, ok = count(a[3]); !ok || n < 1 {
			return Value{}
		}
	}
	s, before, after := a[0].Text(), a[1].Text(), a[2].Text()
	start := 0
	for ; n > 0; n-- {
		i := strings.Index(s[start:], before)
		if i < 0 {
			return Value{}
		}
		start += i + len(before)
	}
	if after == "" {
		return Str(s[start:])
	}
	j := strings.Index(s[start:], after)
	if j < 0 {
		return Value{}
	}
	return Str(s[start : start+j])
}

// fnFindOneOf returns the 1-based position of the n-th character of s that
// is one of chars, 0 when there is none.
func fnFindOneOf(_ Env, a []Value) Value {
	if a[0].IsNull() || a[1].IsNull() {
		return Value{}
	}
	n := 1
	if len(a) > 2 {
		var ok bool
		if n, ok = count(a[2]); !ok {
			return Value{}
		}
	}
	if n < 1 {
		return Num(0)
	}
	chars := a[1].Text()
	pos := 0
	for _, r := range a[0].Text() {
		pos++
		if strings.ContainsRune(chars, r) {
			n--
			if n == 0 {
				return Num(float64(pos))
			}
		}
	}
	return Num(0)
}

// fnSubStringCount counts the non-overlapping occurrences of sub in s.
func fnSubStringCount(_ Env, a []Value) Value {
	if a[0].IsNull() || a[1].IsNull() {
		return Value{}
	}
	sub := a[1].Text()
	if sub == "" {
		return Num(0)
	}
	return Num(float64(strings.Count(a[0].Text(), sub)))
}
