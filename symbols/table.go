package symbols

import (
	"cmp"
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
	"unsafe"
)

// Table is the symbol table of one field: its distinct non-NULL values in
// first-load order. A symbol's id is its position (the QIX qElemNumber).
//
// The texts live back to back in one arena, numbers in a slice that stays
// nil while no symbol has one, and interning uses an open-addressing index
// of ids, so a symbol costs its text plus about 10 bytes (8 more with a
// number) instead of a string header, an allocation and map entries. Once
// the table is frozen the index is dropped until a lookup needs it, and a
// large field whose texts are the renderings of its numbers (ids, amounts,
// dates, timestamps) keeps only the numbers (see Freeze). The JSON form of
// a text is the text in quotes; the rare texts that need escaping keep
// their escaped form pre-computed.
//
// Interning (Intern, InternText, InternNum) is not safe for concurrent use;
// once a table is built, every read method is safe for concurrent use.
type Table struct {
	n     int // symbols
	arena []byte
	off   []uint32  // text i is arena[off[i]:off[i+1]]; nil when rule is set
	nums  []float64 // NaN where a symbol has no number; nil: none has one
	// rule, when set (by Freeze), renders every text from its number but
	// those in exc: arena and off are then nil.
	rule textRule
	exc  map[uint32]string
	// ints, when set (by Freeze), holds the numbers instead of nums (ints.go).
	ints  []int32
	scale uint8 // the numbers are ints[id] / 10^scale
	// z, when set (by Freeze), is the symbol table the texts in arena are
	// compressed with (fsst.go).
	z *fsst
	// alpha, with hasAlpha, holds every byte that occurs in a text of an
	// implied or compressed table (Alphabet), so searches can skip it.
	alpha    [4]uint64
	hasAlpha bool
	zbase    []uint32 // with z and off nil: the offset of every zBlock-th text
	zlen     []uint8  // and the compressed length of each (zsrc)
	// The JSON form of a symbol is its text in quotes, except for the
	// symbols flagged in esc, whose escaped form escJSON holds.
	esc     []uint64
	escJSON map[uint32]string

	index []uint32 // open addressing: id+1, 0 empty; len a power of two
	seed  maphash.Seed
	// stale is set when AppendNew added symbols without indexing them;
	// the first lookup rebuilds the index (under indexMu, as lookups may
	// run concurrently once the table is built).
	stale   atomic.Bool
	indexMu sync.Mutex
	// numHi is at least the largest number in the table, so InternNum of
	// a greater number (ascending ids, sorted keys) knows it is new and
	// appends it without touching the index (which goes stale), skipping
	// the cache misses of a probe. The first index rebuild this causes
	// (a lookup, or a number that is not greater) turns it off for good
	// (noAsc), so a column that alternates cannot rebuild over and over.
	numHi    float64
	ascStale bool
	noAsc    bool

	numCount int // symbols with a number
	intCount int // symbols whose number is an integer
	nonASCII int // symbols whose text has a non-ASCII byte

	numericOnce, textOnce sync.Once
	numericOrd, textOrd   []uint32
	numericRank, textRank []uint32
	nanOnce               sync.Once
	nanNums               []float64
}

// maxArena bounds the text bytes of one table (offsets are 32-bit).
const maxArena = math.MaxUint32

// NewTable returns an empty symbol table.
func NewTable() *Table {
	return &Table{off: []uint32{0}, seed: maphash.MakeSeed(), numHi: math.Inf(-1)}
}

// Len returns the number of symbols (the field's cardinality).
func (t *Table) Len() int { return t.n }

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
	h := t.hashText(s)
	slot, id, ok := t.findText(h, s)
	if ok {
		return id
	}
	id = t.add(math.NaN(), s)
	t.insert(slot, id)
	return id
}

// InternNum returns the id of the number f, adding it with text s if new.
// If text is empty the default rendering of f is used.
func (t *Table) InternNum(f float64, text string) uint32 {
	if f > t.numHi && !t.noAsc {
		if text == "" {
			text = FormatNumber(f)
		}
		id := t.add(f, text)
		t.ascStale = true
		if !t.stale.Load() {
			t.stale.Store(true)
		}
		return id
	}
	k := numKey(f)
	slot, id, ok := t.findNum(k)
	if ok {
		return id
	}
	if text == "" {
		text = FormatNumber(f)
	}
	id = t.add(f, text)
	t.insert(slot, id)
	return id
}

func (t *Table) hashText(s string) uint64 { return maphash.String(t.seed, s) }

func hashNum(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

// AppendNew adds d, which the caller knows is not in the table (the
// symbols of one field of a QVD file are distinct, and a field's table
// that was empty gets them in order), without looking it up: its id is
// the table's length before the call. The index is rebuilt when a lookup
// or an interning first needs it, so a load that only appends never
// builds it. Appending a value that is in the table already is a caller's
// error: the table then holds it twice (lookups find one of them).
func (t *Table) AppendNew(d Dual) uint32 {
	f := math.NaN()
	text := d.Text
	if d.IsNum() {
		f = d.Num
		if text == "" {
			text = FormatNumber(f)
		}
	}
	id := t.add(f, text)
	if !t.stale.Load() {
		t.stale.Store(true)
	}
	return id
}

// ensureIndex rebuilds the index after AppendNew.
func (t *Table) ensureIndex() {
	if !t.stale.Load() {
		return
	}
	t.indexMu.Lock()
	defer t.indexMu.Unlock()
	if t.stale.Load() {
		if t.ascStale {
			t.ascStale, t.noAsc = false, true
		}
		size := 16
		for t.Len()*4 > size*3 {
			size *= 2
		}
		t.rehash(size)
		t.stale.Store(false)
	}
}

// findText probes for the text s with hash h: its id, or the empty slot
// where it belongs.
func (t *Table) findText(h uint64, s string) (slot int, id uint32, ok bool) {
	t.ensureIndex()
	if len(t.index) == 0 {
		return -1, 0, false
	}
	mask := len(t.index) - 1
	for i := int(h) & mask; ; i = (i + 1) & mask {
		e := t.index[i]
		if e == 0 {
			return i, 0, false
		}
		id := e - 1
		if !t.hasNum(id) && t.textIs(id, s) {
			return i, id, true
		}
	}
}

// findNum probes for the number with key k.
func (t *Table) findNum(k uint64) (slot int, id uint32, ok bool) {
	t.ensureIndex()
	if len(t.index) == 0 {
		return -1, 0, false
	}
	mask := len(t.index) - 1
	for i := int(hashNum(k)) & mask; ; i = (i + 1) & mask {
		e := t.index[i]
		if e == 0 {
			return i, 0, false
		}
		id := e - 1
		if t.hasNum(id) && numKey(t.Num(id)) == k {
			return i, id, true
		}
	}
}

// textIs reports whether the text of symbol id is s, without allocating.
func (t *Table) textIs(id uint32, s string) bool {
	if t.rule == ruleNone && t.z == nil {
		return t.Text(id) == s
	}
	var buf [128]byte
	return string(t.AppendText(buf[:0], id)) == s
}

func (t *Table) hasNum(id uint32) bool {
	if t.ints != nil {
		return t.ints[id] != noInt
	}
	return t.nums != nil && t.nums[id] == t.nums[id]
}

// insert records id at slot (from a failed find), growing the index when
// it is three quarters full.
func (t *Table) insert(slot int, id uint32) {
	if slot < 0 || (t.Len())*4 > len(t.index)*3 {
		t.rehash(max(16, len(t.index)*2))
		return
	}
	t.index[slot] = id + 1
}

// rehash rebuilds the index with size slots over every symbol.
func (t *Table) rehash(size int) {
	t.index = make([]uint32, size)
	mask := size - 1
	var buf []byte
	for id := 0; id < t.Len(); id++ {
		var h uint64
		if t.hasNum(uint32(id)) {
			h = hashNum(numKey(t.Num(uint32(id))))
		} else {
			h = t.hashText(t.TextScratch(uint32(id), &buf))
		}
		i := int(h) & mask
		for t.index[i] != 0 {
			i = (i + 1) & mask
		}
		t.index[i] = uint32(id) + 1
	}
}

func (t *Table) add(f float64, s string) uint32 {
	n := t.Len()
	if n >= math.MaxUint32-1 {
		panic("BUG: symbol table overflow")
	}
	if len(t.arena)+len(s) > maxArena {
		panic("symbols: more than 4 GiB of text in one field")
	}
	id := uint32(n)
	t.materialize()
	t.unpackInts()
	t.n++
	t.arena = append(t.arena, s...)
	t.off = append(t.off, uint32(len(t.arena)))
	if f == f {
		if t.nums == nil {
			t.nums = make([]float64, n, max(n+1, 8))
			for i := range t.nums {
				t.nums[i] = math.NaN()
			}
		}
		t.numCount++
		if f > t.numHi {
			t.numHi = f
		}
		if f == math.Trunc(f) {
			t.intCount++
		}
	}
	if t.nums != nil {
		t.nums = append(t.nums, f)
	}
	if id%64 == 0 {
		t.esc = append(t.esc, 0)
	}
	if needsEscape(s) {
		t.esc[id/64] |= 1 << (id % 64)
		if t.escJSON == nil {
			t.escJSON = map[uint32]string{}
		}
		t.escJSON[id] = string(AppendJSONString(nil, s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			t.nonASCII++
			break
		}
	}
	return id
}

// needsEscape reports whether the JSON form of s is more than s in
// quotes: a control character, a quote or backslash, invalid UTF-8, or
// U+2028/U+2029 (which AppendJSONString escapes for JavaScript).
func needsEscape(s string) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return true
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if ascii {
		return false
	}
	return !utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")
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
	_, id, ok := t.findText(t.hashText(s), s)
	return id, ok
}

// LookupNum returns the id of the number f.
func (t *Table) LookupNum(f float64) (uint32, bool) {
	_, id, ok := t.findNum(numKey(f))
	return id, ok
}

// Dual returns symbol id as a dual.
func (t *Table) Dual(id uint32) Dual { return Dual{Num: t.Num(id), Text: t.Text(id)} }

// Text returns the text of symbol id. A stored text shares the table's
// memory; a rendered or compressed one (see Freeze) is a new string, which
// AppendText and TextScratch avoid.
func (t *Table) Text(id uint32) string {
	if t.rule != ruleNone {
		return t.impliedText(id)
	}
	if t.z != nil {
		var buf [64]byte
		return string(t.z.decode(buf[:0], t.zsrc(id)))
	}
	lo, hi := t.off[id], t.off[id+1]
	if lo == hi {
		return ""
	}
	return unsafe.String(&t.arena[lo], int(hi-lo))
}

// Num returns the number of symbol id, NaN if it has none.
func (t *Table) Num(id uint32) float64 {
	if t.ints != nil {
		if v := t.ints[id]; v != noInt {
			return t.intNum(v)
		}
		return math.NaN()
	}
	if t.nums == nil {
		if int(id) >= t.Len() {
			panic("symbols: id out of range")
		}
		return math.NaN()
	}
	return t.nums[id]
}

// Nums returns the numbers of all symbols indexed by id (NaN where none).
// The slice is shared and must not be modified. A table that stores its
// numbers otherwise (none, or as int32) makes and keeps the slice on the
// first call: AppendNums copies without keeping anything.
func (t *Table) Nums() []float64 {
	if t.nums != nil {
		return t.nums
	}
	t.nanOnce.Do(func() {
		t.nanNums = t.AppendNums(make([]float64, 0, t.Len()))
	})
	return t.nanNums
}

// AppendJSON appends the quoted, JSON-escaped text of symbol id to dst.
func (t *Table) AppendJSON(dst []byte, id uint32) []byte {
	if t.esc[id/64]&(1<<(id%64)) != 0 {
		return append(dst, t.escJSON[id]...)
	}
	dst = append(dst, '"')
	dst = t.AppendText(dst, id)
	return append(dst, '"')
}

// Alphabet returns the set of bytes (bit b of word b/64) that occur in the
// table's texts, for tables whose texts are slow to read (rendered or
// compressed); ok is false for the others. A search term with a byte
// outside it, in either case, matches no text of the table.
func (t *Table) Alphabet() (set [4]uint64, ok bool) { return t.alpha, t.hasAlpha }

// addAlphabet adds the bytes of s to alpha.
func addAlphabet(alpha *[4]uint64, s []byte) {
	for _, c := range s {
		alpha[c>>6] |= 1 << (c & 63)
	}
}

// TextScratch returns the text of symbol id as Text does, but renders a
// text the table does not store into *buf (grown as needed) instead of a
// new string: for loops over every symbol. The string is only valid until
// the next call with buf.
func (t *Table) TextScratch(id uint32, buf *[]byte) string {
	if t.rule == ruleNone && t.z == nil {
		return t.Text(id)
	}
	*buf = t.AppendText((*buf)[:0], id)
	return unsafe.String(unsafe.SliceData(*buf), len(*buf))
}

// AppendText appends the text of symbol id to dst; unlike Text it does not
// allocate when the table renders its texts from numbers.
func (t *Table) AppendText(dst []byte, id uint32) []byte {
	if t.rule != ruleNone {
		return t.appendImplied(dst, id)
	}
	if t.z != nil {
		return t.z.decode(dst, t.zsrc(id))
	}
	return append(dst, t.arena[t.off[id]:t.off[id+1]]...)
}

// NumericCount returns how many symbols have a number.
func (t *Table) NumericCount() int { return t.numCount }

// IntegerCount returns how many symbols have an integer number.
func (t *Table) IntegerCount() int { return t.intCount }

// ASCII reports whether every symbol's text is ASCII.
func (t *Table) ASCII() bool { return t.nonASCII == 0 }

// Bytes estimates the memory held by the table.
func (t *Table) Bytes() int64 {
	n := int64(cap(t.arena)) + int64(cap(t.off))*4 + int64(cap(t.nums))*8 + int64(cap(t.ints))*4 + int64(cap(t.esc))*8 + int64(cap(t.index))*4
	n += int64(cap(t.numericOrd)+cap(t.textOrd)+cap(t.numericRank)+cap(t.textRank)) * 4
	n += int64(cap(t.nanNums)) * 8
	for _, j := range t.escJSON {
		n += int64(len(j)) + 48
	}
	for _, j := range t.exc {
		n += int64(len(j)) + 48
	}
	if t.z != nil {
		n += int64(unsafe.Sizeof(*t.z)) + int64(cap(t.z.start))*4 + int64(cap(t.z.long))
		n += int64(cap(t.zbase))*4 + int64(cap(t.zlen))
	}
	return n
}

// Freeze compacts the table once no symbol will be added (the builder calls
// it): it trims the buffers to their length and drops the interning index
// (the first lookup rebuilds it). A table of 4096 symbols or more then
// keeps its texts in the smallest of three forms: none, when they are the
// renderings of its numbers (FormatNumber, 1 to 4 fixed decimals, or an
// ISO or US date or timestamp), rendered when read (implied.go);
// compressed, when they are at least 1 MiB and a learnt symbol table
// shrinks them to 70 % or less, decoded when read (fsst.go); or plain. Its
// numbers, when all are int32 integers or amounts of up to 4 decimals that
// scale to int32, become int32 (ints.go). Interning
// afterwards still works: the texts and numbers are stored plainly first.
func (t *Table) Freeze() {
	t.indexMu.Lock()
	if t.index != nil {
		t.index = nil
		t.stale.Store(true)
	}
	t.indexMu.Unlock()
	if t.nums != nil && cap(t.nums)-len(t.nums) > len(t.nums)/8 {
		t.nums = append([]float64(nil), t.nums...)
	}
	if t.rule == ruleNone {
		if r, misses := t.chooseRule(); r != ruleNone {
			t.imply(r, misses)
		}
	}
	if t.rule == ruleNone {
		if t.z == nil {
			t.compress()
		}
		if cap(t.arena)-len(t.arena) > len(t.arena)/8 {
			t.arena = append([]byte(nil), t.arena...)
		}
		if t.off != nil && cap(t.off)-len(t.off) > len(t.off)/8 {
			t.off = append([]uint32(nil), t.off...)
		}
	}
	t.packInts()
}

// NumericOrder returns the symbol ids sorted by number ascending; symbols
// without a number follow in load order. The slice is shared.
func (t *Table) NumericOrder() []uint32 {
	t.numericOnce.Do(func() {
		ord := identity(t.Len())
		slices.SortStableFunc(ord, func(a, b uint32) int {
			na, nb := t.Num(a), t.Num(b)
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
		ord := identity(t.Len())
		text := t.Text
		if t.rule != ruleNone || t.z != nil {
			// Render every text once rather than twice per comparison.
			texts := make([]string, t.Len())
			for id := range texts {
				texts[id] = t.Text(uint32(id))
			}
			text = func(id uint32) string { return texts[id] }
		}
		slices.SortStableFunc(ord, func(a, b uint32) int {
			return CompareText(text(a), text(b))
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
