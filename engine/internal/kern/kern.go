// Package kern holds the scan kernels of the inference: membership scans of
// a code column against a code set into a row bitset, projections of a row
// set onto a code set, and frequency counts. Every kernel works on a row
// range [lo, hi) whose lo is a multiple of 64, so parallel callers own whole
// words of the row bitsets, and none of them allocates.
//
// Code sets are bitsets indexed by code (bit 0 is NULL and is never set by
// callers), so a membership test needs no NULL special case.
package kern

import (
	"math"
	"math/bits"
	"sync"

	"github.com/assocengine/assoc/symbols"
)

type codeType interface{ ~uint8 | ~uint16 | ~uint32 }

// Lookup is a code set prepared for membership scans. For codes below
// 65536 it expands the set into a byte table (one byte per code), so a
// uint8 or uint16 code indexes it without bounds checks or shifts, and the
// entries a scan touches stay in L1. Prepare it once per scan, use it from
// any number of goroutines, then Release it.
type Lookup struct {
	set    []uint64
	max    uint32 // the largest code a scanned column holds
	lut    *[lutSize]uint8
	bitmap [32]byte   // codes 0..255 as a bitmap, for the AVX2 uint8 kernel
	bits4k *[512]byte // codes 256..4095: the set as a 4096-bit bitmap
}

// lutSize is the byte table size: 64 Ki codes plus padding, so a dword
// gather at the last code stays inside the table.
const lutSize = 1<<16 + 64

var lutPool = sync.Pool{New: func() any { return new([lutSize]uint8) }}

// NewLookup prepares set (code-indexed) for columns whose codes do not
// exceed maxCode.
func NewLookup(set []uint64, maxCode uint32) *Lookup {
	l := &Lookup{set: set, max: maxCode}
	for i := 0; i < 4 && i < len(set); i++ {
		for b := 0; b < 8; b++ {
			l.bitmap[i*8+b] = byte(set[i] >> (8 * b))
		}
	}
	if maxCode >= 256 && maxCode < 4096 {
		l.bits4k = new([512]byte)
		for i, w := range set[:min(len(set), 64)] {
			for b := 0; b < 8; b++ {
				l.bits4k[i*8+b] = byte(w >> (8 * b))
			}
		}
	}
	if maxCode < 1<<16 {
		l.lut = lutPool.Get().(*[lutSize]uint8)
		n := min(len(set)<<6, int(maxCode)+1)
		for code := 0; code < n; code++ {
			l.lut[code] = uint8(set[code>>6] >> (code & 63) & 1)
		}
		for code := n; code <= int(maxCode); code++ {
			l.lut[code] = 0
		}
		if maxCode < 255 {
			// uint8 columns index the first 256 entries directly.
			clear(l.lut[maxCode+1 : 256])
		}
	}
	return l
}

// Release returns the lookup's table to the pool.
func (l *Lookup) Release() {
	if l.lut != nil {
		lutPool.Put(l.lut)
		l.lut = nil
	}
}

// Member writes, for rows [lo, hi), bit r of out = the set has code(r).
// Bits of the last word beyond hi are cleared.
func (l *Lookup) Member(c *symbols.Column, out []uint64, lo, hi int) {
	switch {
	case c.Encoding() == symbols.U8 && l.lut != nil:
		codes, o := c.U8()[lo:hi], out[lo>>6:]
		done := simdMemberU8(codes, (*[256]uint8)(l.lut[:256]), &l.bitmap, o)
		memberLUT8(codes[done:], (*[256]uint8)(l.lut[:256]), o[done>>6:])
	case c.Encoding() == symbols.U16 && l.lut != nil:
		codes, o := c.U16()[lo:hi], out[lo>>6:]
		done := simdMemberU16(codes, l.lut, o)
		memberLUT16(codes[done:], (*[1 << 16]uint8)(l.lut[:1<<16]), o[done>>6:])
	case c.Encoding() == symbols.U8:
		member(c.U8()[lo:hi], l.set, out[lo>>6:])
	case c.Encoding() == symbols.U16:
		member(c.U16()[lo:hi], l.set, out[lo>>6:])
	case c.Encoding() == symbols.U32:
		codes, o := c.U32()[lo:hi], out[lo>>6:]
		done := simdMemberU32(codes, l.set, o)
		member(codes[done:], l.set, o[done>>6:])
	default:
		l.memberPacked(c, out, lo, hi)
	}
}

// memberLUT8 scans uint8 codes through a 256-entry byte table.
func memberLUT8(codes []uint8, t *[256]uint8, out []uint64) {
	nw := len(codes) >> 6
	out = out[:(len(codes)+63)>>6]
	for w := 0; w < nw; w++ {
		src := (*[64]uint8)(codes[w<<6:])
		var a, b, c, d uint64
		for j := 0; j < 64; j += 4 {
			a |= uint64(t[src[j]]) << j
			b |= uint64(t[src[j+1]]) << (j + 1)
			c |= uint64(t[src[j+2]]) << (j + 2)
			d |= uint64(t[src[j+3]]) << (j + 3)
		}
		out[w] = a | b | c | d
	}
	if rest := codes[nw<<6:]; len(rest) > 0 {
		var a uint64
		for j, v := range rest {
			a |= uint64(t[v]) << j
		}
		out[nw] = a
	}
}

// memberLUT16 scans uint16 codes through a 64 Ki-entry byte table.
func memberLUT16(codes []uint16, t *[1 << 16]uint8, out []uint64) {
	nw := len(codes) >> 6
	out = out[:(len(codes)+63)>>6]
	for w := 0; w < nw; w++ {
		src := (*[64]uint16)(codes[w<<6:])
		var a, b, c, d uint64
		for j := 0; j < 64; j += 4 {
			a |= uint64(t[src[j]]) << j
			b |= uint64(t[src[j+1]]) << (j + 1)
			c |= uint64(t[src[j+2]]) << (j + 2)
			d |= uint64(t[src[j+3]]) << (j + 3)
		}
		out[w] = a | b | c | d
	}
	if rest := codes[nw<<6:]; len(rest) > 0 {
		var a uint64
		for j, v := range rest {
			a |= uint64(t[v]) << j
		}
		out[nw] = a
	}
}

func member[T codeType](codes []T, set, out []uint64) {
	nw := len(codes) >> 6
	out = out[:(len(codes)+63)>>6]
	for w := 0; w < nw; w++ {
		src := codes[w<<6 : w<<6+64]
		var a, b, c, d uint64
		for j := 0; j < 64; j += 4 {
			v0, v1, v2, v3 := src[j], src[j+1], src[j+2], src[j+3]
			a |= (set[v0>>6] >> (v0 & 63) & 1) << j
			b |= (set[v1>>6] >> (v1 & 63) & 1) << (j + 1)
			c |= (set[v2>>6] >> (v2 & 63) & 1) << (j + 2)
			d |= (set[v3>>6] >> (v3 & 63) & 1) << (j + 3)
		}
		out[w] = a | b | c | d
	}
	if rest := codes[nw<<6:]; len(rest) > 0 {
		var a uint64
		for j, v := range rest {
			a |= (set[v>>6] >> (v & 63) & 1) << j
		}
		out[nw] = a
	}
}

func (l *Lookup) memberPacked(c *symbols.Column, out []uint64, lo, hi int) {
	var buf [64]uint32
	words, nb := c.Words(), c.Bits()
	for r := lo; r < hi; r += 64 {
		n := min(64, hi-r)
		if n == 64 {
			symbols.UnpackBlock(&buf, words, nb, r>>6)
		} else {
			symbols.UnpackBits(buf[:n], words, nb, r)
		}
		out[r>>6] = l.word(buf[:n])
	}
}

// word returns the membership bits of up to 64 decoded codes.
func (l *Lookup) word(codes []uint32) uint64 {
	var a, b uint64
	if l.lut != nil && len(codes) == 64 {
		if w, ok := simdWord((*[64]uint32)(codes), l.lut, l.bits4k, l.max); ok {
			return w
		}
		t := (*[1 << 16]uint8)(l.lut[:1<<16])
		for j := 0; j < 64; j += 2 {
			a |= uint64(t[uint16(codes[j])]) << j
			b |= uint64(t[uint16(codes[j+1])]) << (j + 1)
		}
		return a | b
	}
	set := l.set
	for j, v := range codes {
		a |= (set[v>>6] >> (v & 63) & 1) << j
	}
	return a
}

// Filter clears, for rows [lo, hi), every bit of rows whose code is not in
// the set. Zero words are skipped, so it is cheap on sparse row sets.
func (l *Lookup) Filter(c *symbols.Column, rows []uint64, lo, hi int) {
	var buf [64]uint32
	set := l.set
	// Up to sparse rows of a word look their codes up one by one; with a
	// vector kernel for the word, decoding the block is cheaper even for
	// two rows (TPC-H Q6's filters: 13.4 -> 11.0 ms).
	sparse := 8
	if l.lut != nil && simdWordFast(l.max) {
		sparse = 1
	}
	for r := lo; r < hi; r += 64 {
		w := rows[r>>6]
		if w == 0 {
			continue
		}
		n := min(64, hi-r)
		if bits.OnesCount64(w) <= sparse && hi <= math.MaxInt32 {
			var at [8]int32
			var code [8]uint32
			k := 0
			for x := w; x != 0; x &= x - 1 {
				at[k] = int32(r + bits.TrailingZeros64(x))
				k++
			}
			c.Gather(at[:k], code[:])
			for i, v := range code[:k] {
				if set[v>>6]>>(v&63)&1 == 0 {
					w &^= 1 << (at[i] & 63)
				}
			}
			rows[r>>6] = w
			continue
		}
		if n == 64 && c.Encoding() == symbols.Packed {
			symbols.UnpackBlock(&buf, c.Words(), c.Bits(), r>>6)
		} else {
			c.Decode(buf[:n], r)
		}
		rows[r>>6] = w & l.word(buf[:n])
	}
}

// Member is NewLookup + Member + Release for one-off scans.
func Member(c *symbols.Column, set, out []uint64, lo, hi int) {
	l := NewLookup(set, c.MaxCode())
	l.Member(c, out, lo, hi)
	l.Release()
}

// Filter is NewLookup + Filter + Release for one-off scans.
func Filter(c *symbols.Column, set, rows []uint64, lo, hi int) {
	l := NewLookup(set, c.MaxCode())
	l.Filter(c, rows, lo, hi)
	l.Release()
}

// Mark sets mark[code] = 1 for every row in [lo, hi) that is in rows (all
// rows when rows is nil). mark must have MaxCode()+1 entries. Marking bytes
// instead of bits keeps the stores independent of each other; Fold turns
// marks into a code set.
func Mark(c *symbols.Column, rows []uint64, mark []uint8, lo, hi int) {
	if rows == nil {
		switch c.Encoding() {
		case symbols.U8:
			markAll(c.U8()[lo:hi], mark)
		case symbols.U16:
			markAll(c.U16()[lo:hi], mark)
		case symbols.U32:
			markAll(c.U32()[lo:hi], mark)
		default:
			var buf [256]uint32
			for r := lo; r < hi; r += len(buf) {
				n := min(len(buf), hi-r)
				symbols.UnpackBits(buf[:n], c.Words(), c.Bits(), r)
				markAll(buf[:n], mark)
			}
		}
		return
	}
	switch c.Encoding() {
	case symbols.U8:
		markRows(c.U8(), rows, mark, lo, hi)
	case symbols.U16:
		markRows(c.U16(), rows, mark, lo, hi)
	case symbols.U32:
		markRows(c.U32(), rows, mark, lo, hi)
	default:
		var buf [64]uint32
		for r := lo; r < hi; r += 64 {
			w := rows[r>>6]
			if w == 0 {
				continue
			}
			n := min(64, hi-r)
			if bits.OnesCount64(w) <= 8 {
				for ; w != 0; w &= w - 1 {
					mark[c.Code(r+bits.TrailingZeros64(w))] = 1
				}
				continue
			}
			symbols.UnpackBits(buf[:n], c.Words(), c.Bits(), r)
			if w == ^uint64(0) {
				markAll(buf[:n], mark)
				continue
			}
			for ; w != 0; w &= w - 1 {
				mark[buf[bits.TrailingZeros64(w)]] = 1
			}
		}
	}
}

func markAll[T codeType](codes []T, mark []uint8) {
	for _, v := range codes {
		mark[v] = 1
	}
}

func markRows[T codeType](codes []T, rows []uint64, mark []uint8, lo, hi int) {
	for r := lo; r < hi; r += 64 {
		w := rows[r>>6]
		if w == 0 {
			continue
		}
		if w == ^uint64(0) && r+64 <= hi {
			markAll(codes[r:r+64], mark)
			continue
		}
		for ; w != 0; w &= w - 1 {
			mark[codes[r+bits.TrailingZeros64(w)]] = 1
		}
	}
}

// Fold ORs the marks into the code set out (len(out)*64 >= len(mark)).
func Fold(mark []uint8, out []uint64) {
	nw := len(mark) >> 6
	for w := 0; w < nw; w++ {
		m := mark[w<<6 : w<<6+64]
		var a uint64
		for j, v := range m {
			a |= uint64(v&1) << j
		}
		out[w] |= a
	}
	for j, v := range mark[nw<<6:] {
		out[nw] |= uint64(v&1) << j
	}
}

// CountMarked returns how many entries of mark are set.
func CountMarked(mark []uint8) int {
	n := 0
	for _, v := range mark {
		n += int(v & 1)
	}
	return n
}

// Count adds, for every row in [lo, hi) that is in rows (all rows when
// rows is nil), one to counts[code].
func Count(c *symbols.Column, rows []uint64, counts []uint32, lo, hi int) {
	var buf [64]uint32
	for r := lo; r < hi; r += 64 {
		n := min(64, hi-r)
		var w uint64 = ^uint64(0)
		if rows != nil {
			w = rows[r>>6]
			if w == 0 {
				continue
			}
		}
		c.Decode(buf[:n], r)
		if w == ^uint64(0) {
			for _, v := range buf[:n] {
				counts[v]++
			}
			continue
		}
		for ; w != 0; w &= w - 1 {
			counts[buf[bits.TrailingZeros64(w)]]++
		}
	}
}
