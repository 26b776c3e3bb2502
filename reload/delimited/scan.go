package delimited

import (
	"encoding/binary"
	"math/bits"
)

// SWAR ("SIMD within a register") helpers: eight bytes are tested at once in
// a uint64. They are pure Go and portable; indexTermRef is the byte-by-byte
// reference they are tested against.

const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
	nlPat  = '\n' * swarLo
)

// zeroBytes sets the high bit of every zero byte of x. Bytes above the first
// zero byte may be flagged wrongly (borrow), so only the lowest set bit of the
// result, and the lowest of an OR of such results, is exact.
func zeroBytes(x uint64) uint64 {
	return (x - swarLo) &^ x & swarHi
}

// exactZeroBytes sets the high bit of exactly the zero bytes of x.
func exactZeroBytes(x uint64) uint64 {
	const lo7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&lo7 + lo7) | x | lo7)
}

// indexTerm returns the index of the first byte of buf at or after i that is
// d or '\n', or -1.
func indexTerm(buf []byte, i int, d byte) int {
	dp := uint64(d) * swarLo
	for ; i+8 <= len(buf); i += 8 {
		w := binary.LittleEndian.Uint64(buf[i:])
		if m := zeroBytes(w^dp) | zeroBytes(w^nlPat); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(buf); i++ {
		if c := buf[i]; c == d || c == '\n' {
			return i
		}
	}
	return -1
}

// indexTermRef is the reference implementation of indexTerm.
func indexTermRef(buf []byte, i int, d byte) int {
	for ; i < len(buf); i++ {
		if c := buf[i]; c == d || c == '\n' {
			return i
		}
	}
	return -1
}
