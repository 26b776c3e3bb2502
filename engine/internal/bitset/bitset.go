// Package bitset provides dense bitsets over []uint64 words, used for row
// sets of tables and symbol sets of fields. Operations take and return plain
// slices so callers control allocation.
package bitset

import "math/bits"

// Set is a dense bitset; bit i is word i>>6, bit i&63.
type Set []uint64

// Words returns the number of words needed for n bits.
func Words(n int) int { return (n + 63) >> 6 }

// New returns a zeroed set able to hold n bits.
func New(n int) Set { return make(Set, Words(n)) }

// NewFull returns a set with bits [0, n) set.
func NewFull(n int) Set {
	s := New(n)
	s.SetRange(0, n)
	return s
}

// Test reports whether bit i is set. Bits beyond the set are unset.
func (s Set) Test(i uint32) bool {
	w := int(i >> 6)
	return w < len(s) && s[w]&(1<<(i&63)) != 0
}

// Set sets bit i.
func (s Set) Set(i uint32) { s[i>>6] |= 1 << (i & 63) }

// Clear clears bit i.
func (s Set) Clear(i uint32) { s[i>>6] &^= 1 << (i & 63) }

// Flip toggles bit i.
func (s Set) Flip(i uint32) { s[i>>6] ^= 1 << (i & 63) }

// SetRange sets bits [lo, hi).
func (s Set) SetRange(lo, hi int) {
	for lo < hi && lo&63 != 0 {
		s.Set(uint32(lo))
		lo++
	}
	for ; lo+64 <= hi; lo += 64 {
		s[lo>>6] = ^uint64(0)
	}
	for ; lo < hi; lo++ {
		s.Set(uint32(lo))
	}
}

// Count returns the number of set bits.
func (s Set) Count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// Any reports whether any bit is set.
func (s Set) Any() bool {
	for _, w := range s {
		if w != 0 {
			return true
		}
	}
	return false
}

// Clone returns a copy of s.
func (s Set) Clone() Set { return append(Set(nil), s...) }

// Equal reports whether s and o hold the same bits (trailing zero words
// are ignored).
func (s Set) Equal(o Set) bool {
	n := min(len(s), len(o))
	for i := 0; i < n; i++ {
		if s[i] != o[i] {
			return false
		}
	}
	for _, w := range s[n:] {
		if w != 0 {
			return false
		}
	}
	for _, w := range o[n:] {
		if w != 0 {
			return false
		}
	}
	return true
}

// And sets s = s & o. Words of s beyond o are cleared.
func (s Set) And(o Set) {
	n := min(len(s), len(o))
	o = o[:n]
	for i := range o {
		s[i] &= o[i]
	}
	clear(s[n:])
}

// Or sets s = s | o (o must not be longer than s).
func (s Set) Or(o Set) {
	s = s[:len(o)]
	for i := range o {
		s[i] |= o[i]
	}
}

// AndNot sets s = s &^ o.
func (s Set) AndNot(o Set) {
	n := min(len(s), len(o))
	o = o[:n]
	for i := range o {
		s[i] &^= o[i]
	}
}

// AndCount returns |s & o| without materialising it.
func AndCount(s, o Set) int {
	n := min(len(s), len(o))
	c := 0
	for i := 0; i < n; i++ {
		c += bits.OnesCount64(s[i] & o[i])
	}
	return c
}

// AndNotCount returns |s &^ o|.
func AndNotCount(s, o Set) int {
	c := 0
	for i, w := range s {
		if i < len(o) {
			w &^= o[i]
		}
		c += bits.OnesCount64(w)
	}
	return c
}

// Intersects reports whether s & o is non-empty.
func Intersects(s, o Set) bool {
	n := min(len(s), len(o))
	for i := 0; i < n; i++ {
		if s[i]&o[i] != 0 {
			return true
		}
	}
	return false
}

// Next returns the first set bit at or after i, or -1.
func (s Set) Next(i int) int {
	w := i >> 6
	if w >= len(s) {
		return -1
	}
	word := s[w] >> (uint(i) & 63)
	if word != 0 {
		return i + bits.TrailingZeros64(word)
	}
	for w++; w < len(s); w++ {
		if s[w] != 0 {
			return w<<6 + bits.TrailingZeros64(s[w])
		}
	}
	return -1
}

// AppendBits appends the positions of all set bits to dst.
func (s Set) AppendBits(dst []uint32) []uint32 {
	for wi, w := range s {
		base := uint32(wi << 6)
		for w != 0 {
			dst = append(dst, base+uint32(bits.TrailingZeros64(w)))
			w &= w - 1
		}
	}
	return dst
}
