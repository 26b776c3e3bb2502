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
	"math/bits"

	"github.com/assocengine/assoc/symbols"
)

type codeType interface{ ~uint8 | ~uint16 | ~uint32 }

// Member writes, for rows [lo, hi), bit r of out = set has code(r).
// Bits of the last word beyond hi are cleared.
func Member(c *symbols.Column, set, out []uint64, lo, hi int) {
	switch c.Encoding() {
	case symbols.U8:
		memberU8(c.U8()[lo:hi], set, out[lo>>6:])
	case symbols.U16:
		member(c.U16()[lo:hi], set, out[lo>>6:])
	case symbols.U32:
		member(c.U32()[lo:hi], set, out[lo>>6:])
	default:
		memberPacked(c, set, out, lo, hi)
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

// memberU8 uses a 256-entry byte table: no bounds checks, no shifts by
// variable amounts in the set lookup.
func memberU8(codes []uint8, set, out []uint64) {
	var lut [256]uint8
	for code := 0; code < 256 && code>>6 < len(set); code++ {
		lut[code] = uint8(set[code>>6] >> (code & 63) & 1)
	}
	nw := len(codes) >> 6
	out = out[:(len(codes)+63)>>6]
	for w := 0; w < nw; w++ {
		src := codes[w<<6 : w<<6+64]
		var a, b, c, d uint64
		for j := 0; j < 64; j += 4 {
			a |= uint64(lut[src[j]]) << j
			b |= uint64(lut[src[j+1]]) << (j + 1)
			c |= uint64(lut[src[j+2]]) << (j + 2)
			d |= uint64(lut[src[j+3]]) << (j + 3)
		}
		out[w] = a | b | c | d
	}
	if rest := codes[nw<<6:]; len(rest) > 0 {
		var a uint64
		for j, v := range rest {
			a |= uint64(lut[v]) << j
		}
		out[nw] = a
	}
}

func memberPacked(c *symbols.Column, set, out []uint64, lo, hi int) {
	var buf [64]uint32
	words, nb := c.Words(), c.Bits()
	for r := lo; r < hi; r += 64 {
		n := min(64, hi-r)
		symbols.UnpackBits(buf[:n], words, nb, r)
		var a uint64
		for j, v := range buf[:n] {
			a |= (set[v>>6] >> (v & 63) & 1) << j
		}
		out[r>>6] = a
	}
}

// Filter clears, for rows [lo, hi), every bit of rows whose code is not in
// set. Zero words are skipped, so it is cheap on sparse row sets.
func Filter(c *symbols.Column, set, rows []uint64, lo, hi int) {
	var buf [64]uint32
	for r := lo; r < hi; r += 64 {
		w := rows[r>>6]
		if w == 0 {
			continue
		}
		n := min(64, hi-r)
		if bits.OnesCount64(w) <= 8 {
			for x := w; x != 0; x &= x - 1 {
				j := bits.TrailingZeros64(x)
				v := c.Code(r + j)
				if set[v>>6]>>(v&63)&1 == 0 {
					w &^= 1 << j
				}
			}
			rows[r>>6] = w
			continue
		}
		c.Decode(buf[:n], r)
		var a uint64
		for j, v := range buf[:n] {
			a |= (set[v>>6] >> (v & 63) & 1) << j
		}
		rows[r>>6] = w & a
	}
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
