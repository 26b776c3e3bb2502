package symbols

import (
	"cmp"
	"math"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Table is the symbol table of one field: its distinct non-NULL values in
// first-load order. A symbol's id is its position (the QIX qElemNumber).
//
// Interning (Intern, InternText, InternNum) is not safe for concurrent use;
// once a table is built, every read method is safe for concurrent use.
type Table struct {
	texts []string
	nums  []float64 // NaN where a symbol has no number

	// JSON-escaped, quoted text of every symbol, back to back; symbol i is
	// jsonBuf[jsonOff[i]:jsonOff[i+1]].
	jsonBuf []byte
	jsonOff []uint32

	byNum  map[uint64]uint32
	byText map[string]uint32

	numCount int // symbols with a number
	intCount int // symbols whose number is an integer
	nonASCII int // symbols whose text has a non-ASCII byte

	numericOnce, textOnce sync.Once
	numericOrd, textOrd   []uint32
	numericRank, textRank []uint32
}

// NewTable returns an empty symbol table.
func NewTable() *Table {
	return &Table{
		jsonOff: []uint32{0},
		byNum:   make(map[uint64]uint32),
		byText:  make(map[string]uint32),
	}
}

// Len returns the number of symbols (the field's cardinality).
func (t *Table) Len() int { return len(t.texts) }

// Intern returns the id of d, adding it if it is new. A value with a number
// is identified by its number (the first text seen is kept); a value without
// one by its exact text.
func (t *Table) Intern(d Dual) uint32 {
	if d.IsNum() {
		return t.InternNum(d.Num, d.Text)
	}
	return t.InternText(d.Text)
}

// InternText returns the id of the pure text value s, adding it if new.
func (t *Table) InternText(s string) uint32 {
	if id, ok := t.byText[s]; ok {
		return id
	}
	id := t.add(math.NaN(), s)
	t.byText[s] = id
	return id
}

// InternNum returns the id of the number f, adding it with text s if new.
// If text is empty the default rendering of f is used.
func (t *Table) InternNum(f float64, text string) uint32 {
	k := numKey(f)
	if id, ok := t.byNum[k]; ok {
		return id
	}
	if text == "" {
		text = FormatNumber(f)
	}
	id := t.add(f, text)
	t.byNum[k] = id
	return id
}

func (t *Table) add(f float64, s string) uint32 {
	if len(t.texts) >= math.MaxUint32-1 {
		panic("BUG: symbol table overflow")
	}
	id := uint32(len(t.texts))
	t.texts = append(t.texts, s)
	t.nums = append(t.nums, f)
	t.jsonBuf = AppendJSONString(t.jsonBuf, s)
	t.jsonOff = append(t.jsonOff, uint32(len(t.jsonBuf)))
	if !math.IsNaN(f) {
		t.numCount++
		if f == math.Trunc(f) {
			t.intCount++
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			t.nonASCII++
			break
		}
	}
	return id
}

// Lookup returns the id of d and whether it is in the table.
func (t *Table) Lookup(d Dual) (uint32, bool) {
	if d.IsNum() {
		return t.LookupNum(d.Num)
	}
	return t.LookupText(d.Text)
}

// LookupText returns the id of the pure text value s.
func (t *Table) LookupText(s string) (uint32, bool) {
	id, ok := t.byText[s]
	return id, ok
}

// LookupNum returns the id of the number f.
func (t *Table) LookupNum(f float64) (uint32, bool) {
	id, ok := t.byNum[numKey(f)]
	return id, ok
}

// Dual returns symbol id as a dual.
func (t *Table) Dual(id uint32) Dual { return Dual{Num: t.nums[id], Text: t.texts[id]} }

// Text returns the text of symbol id.
func (t *Table) Text(id uint32) string { return t.texts[id] }

// Num returns the number of symbol id, NaN if it has none.
func (t *Table) Num(id uint32) float64 { return t.nums[id] }

// Nums returns the numbers of all symbols indexed by id (NaN where none).
// The slice is shared and must not be modified.
func (t *Table) Nums() []float64 { return t.nums }

// AppendJSON appends the quoted, JSON-escaped text of symbol id to dst.
func (t *Table) AppendJSON(dst []byte, id uint32) []byte {
	return append(dst, t.jsonBuf[t.jsonOff[id]:t.jsonOff[id+1]]...)
}

// NumericCount returns how many symbols have a number.
func (t *Table) NumericCount() int { return t.numCount }

// IntegerCount returns how many symbols have an integer number.
func (t *Table) IntegerCount() int { return t.intCount }

// ASCII reports whether every symbol's text is ASCII.
func (t *Table) ASCII() bool { return t.nonASCII == 0 }

// Bytes estimates the memory held by the table.
func (t *Table) Bytes() int64 {
	n := int64(cap(t.texts))*16 + int64(cap(t.nums))*8 + int64(cap(t.jsonBuf)) + int64(cap(t.jsonOff))*4
	for _, s := range t.texts {
		n += int64(len(s))
	}
	n += int64(len(t.byNum))*16 + int64(len(t.byText))*24
	n += int64(cap(t.numericOrd)+cap(t.textOrd)+cap(t.numericRank)+cap(t.textRank)) * 4
	return n
}

// DropIndex releases the interning maps of a table that will not grow any
// more. Lookup then falls back to a linear scan.
func (t *Table) DropIndex() {
	t.byNum, t.byText = nil, nil
}

// EnsureIndex rebuilds the interning maps if DropIndex released them.
func (t *Table) EnsureIndex() {
	if t.byNum != nil {
		return
	}
	t.byNum = make(map[uint64]uint32)
	t.byText = make(map[string]uint32)
	for i := range t.texts {
		if math.IsNaN(t.nums[i]) {
			t.byText[t.texts[i]] = uint32(i)
		} else {
			t.byNum[numKey(t.nums[i])] = uint32(i)
		}
	}
}

// NumericOrder returns the symbol ids sorted by number ascending; symbols
// without a number follow in load order. The slice is shared.
func (t *Table) NumericOrder() []uint32 {
	t.numericOnce.Do(func() {
		ord := identity(len(t.texts))
		slices.SortStableFunc(ord, func(a, b uint32) int {
			na, nb := t.nums[a], t.nums[b]
			aNaN, bNaN := math.IsNaN(na), math.IsNaN(nb)
			switch {
			case aNaN && bNaN:
				return 0
			case aNaN:
				return 1
			case bNaN:
				return -1
			}
			return cmp.Compare(na, nb)
		})
		t.numericOrd = ord
		t.numericRank = rank(ord)
	})
	return t.numericOrd
}

// NumericRank returns, for each symbol id, its position in NumericOrder.
func (t *Table) NumericRank() []uint32 {
	t.NumericOrder()
	return t.numericRank
}

// TextOrder returns the symbol ids sorted by text (see CompareText),
// ties in load order. The slice is shared.
func (t *Table) TextOrder() []uint32 {
	t.textOnce.Do(func() {
		ord := identity(len(t.texts))
		slices.SortStableFunc(ord, func(a, b uint32) int {
			return CompareText(t.texts[a], t.texts[b])
		})
		t.textOrd = ord
		t.textRank = rank(ord)
	})
	return t.textOrd
}

// TextRank returns, for each symbol id, its position in TextOrder.
func (t *Table) TextRank() []uint32 {
	t.TextOrder()
	return t.textRank
}

func identity(n int) []uint32 {
	ord := make([]uint32, n)
	for i := range ord {
		ord[i] = uint32(i)
	}
	return ord
}

func rank(ord []uint32) []uint32 {
	r := make([]uint32, len(ord))
	for pos, id := range ord {
		r[id] = uint32(pos)
	}
	return r
}

// CompareText orders texts the way list boxes sort by text: letters compare
// case-insensitively first, then by case (lower before upper), then bytewise.
func CompareText(a, b string) int {
	if a == b {
		return 0
	}
	// Fast path: ASCII case-insensitive.
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			la, lb := lowerASCII(ca), lowerASCII(cb)
			if la != lb {
				return cmp.Compare(la, lb)
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		fa, fb := unicode.ToLower(ra), unicode.ToLower(rb)
		if fa != fb {
			return cmp.Compare(fa, fb)
		}
		i += na
		j += nb
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	// Equal ignoring case: lower case first.
	for k := 0; k < len(a) && k < len(b); k++ {
		if a[k] != b[k] {
			return -cmp.Compare(a[k], b[k])
		}
	}
	return cmp.Compare(a, b)
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
