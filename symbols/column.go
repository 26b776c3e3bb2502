package symbols

import (
	"fmt"
	"math"
	"math/bits"
)

// Encoding is the physical layout of a Column.
type Encoding uint8

// Column encodings, from the most compact to the widest.
const (
	// Packed stores each code in Bits() bits, back to back in 64-bit words.
	// A block of 64 rows starting at a multiple of 64 occupies exactly
	// Bits() words, so blocks decode independently.
	Packed Encoding = iota
	// U8, U16 and U32 store one code per byte, 2 bytes or 4 bytes.
	U8
	U16
	U32
)

// String names the encoding.
func (e Encoding) String() string {
	switch e {
	case Packed:
		return "packed"
	case U8:
		return "uint8"
	case U16:
		return "uint16"
	case U32:
		return "uint32"
	}
	return fmt.Sprintf("Encoding(%d)", uint8(e))
}

// Policy chooses a column's encoding from the number of bits its codes need.
type Policy uint8

const (
	// Compact bit-packs a column when that saves at least a quarter of the
	// memory of the narrowest byte width, and uses the byte width
	// otherwise: 1–6 bits packed, 7–8 uint8, 9–12 packed, 13–16 uint16,
	// 17–24 packed, 25–32 uint32. It is the default.
	Compact Policy = iota
	// Bytes always uses a byte width (uint8, uint16 or uint32): the fastest
	// scans, more memory.
	Bytes
)

// Choose returns the encoding the policy picks for codes of nbits bits.
func (p Policy) Choose(nbits int) Encoding {
	switch {
	case nbits <= 6:
		if p == Bytes {
			return U8
		}
		return Packed
	case nbits <= 8:
		return U8
	case nbits <= 12:
		if p == Bytes {
			return U16
		}
		return Packed
	case nbits <= 16:
		return U16
	case nbits <= 24:
		if p == Bytes {
			return U32
		}
		return Packed
	default:
		return U32
	}
}

// CodeBits returns the bits needed for codes up to maxCode (at least 1).
func CodeBits(maxCode uint32) int {
	if maxCode == 0 {
		return 1
	}
	return bits.Len32(maxCode)
}

// Column is an immutable vector of codes of one field in one table: 0 is
// NULL, c > 0 is symbol c-1 of the field's symbol table.
type Column struct {
	enc     Encoding
	nbits   uint8
	n       int
	maxCode uint32
	u8      []uint8
	u16     []uint16
	u32     []uint32
	words   []uint64 // Packed: ceil(n*bits/64) words plus one padding word
}

// Len returns the number of rows.
func (c *Column) Len() int { return c.n }

// Encoding returns the column's physical layout.
func (c *Column) Encoding() Encoding { return c.enc }

// Bits returns the number of bits per code of a Packed column, and 8, 16 or
// 32 for the byte encodings.
func (c *Column) Bits() int { return int(c.nbits) }

// MaxCode returns the largest code the column may hold (the field's
// cardinality when it was packed).
func (c *Column) MaxCode() uint32 { return c.maxCode }

// U8 returns the codes of a U8 column (nil otherwise). Shared; do not modify.
func (c *Column) U8() []uint8 { return c.u8 }

// U16 returns the codes of a U16 column (nil otherwise).
func (c *Column) U16() []uint16 { return c.u16 }

// U32 returns the codes of a U32 column (nil otherwise).
func (c *Column) U32() []uint32 { return c.u32 }

// Words returns the bit-packed words of a Packed column (nil otherwise),
// including one trailing padding word.
func (c *Column) Words() []uint64 { return c.words }

// Bytes returns the memory held by the column's codes.
func (c *Column) Bytes() int64 {
	return int64(cap(c.u8)) + 2*int64(cap(c.u16)) + 4*int64(cap(c.u32)) + 8*int64(cap(c.words))
}

// Code returns the code of row i.
func (c *Column) Code(i int) uint32 {
	switch c.enc {
	case U8:
		return uint32(c.u8[i])
	case U16:
		return uint32(c.u16[i])
	case U32:
		return c.u32[i]
	}
	return unpackOne(c.words, uint(c.nbits), uint(i))
}

func unpackOne(words []uint64, w, i uint) uint32 {
	bit := i * w
	k, off := bit>>6, bit&63
	v := words[k]>>off | words[k+1]<<(64-off)
	return uint32(v & (1<<w - 1))
}

// Gather writes the codes of rows rows[i] into dst[i] (len(dst) >=
// len(rows)). It is Code in a loop without a dependency from one row to
// the next, so scattered rows' cache misses overlap.
func (c *Column) Gather(rows []int32, dst []uint32) {
	dst = dst[:len(rows)]
	switch c.enc {
	case U8:
		for i, r := range rows {
			dst[i] = uint32(c.u8[r])
		}
	case U16:
		for i, r := range rows {
			dst[i] = uint32(c.u16[r])
		}
	case U32:
		for i, r := range rows {
			dst[i] = c.u32[r]
		}
	default:
		w, words := uint(c.nbits), c.words
		mask := uint64(1)<<w - 1
		for i, r := range rows {
			bit := uint(r) * w
			k, off := bit>>6, bit&63
			dst[i] = uint32((words[k]>>off | words[k+1]<<(64-off)) & mask)
		}
	}
}

// Decode writes the codes of rows [from, from+len(dst)) into dst.
func (c *Column) Decode(dst []uint32, from int) {
	if len(dst) == 0 {
		return
	}
	_ = c.Code(from + len(dst) - 1) // bounds
	switch c.enc {
	case U8:
		src := c.u8[from : from+len(dst)]
		for i, v := range src {
			dst[i] = uint32(v)
		}
	case U16:
		src := c.u16[from : from+len(dst)]
		for i, v := range src {
			dst[i] = uint32(v)
		}
	case U32:
		copy(dst, c.u32[from:])
	default:
		UnpackBits(dst, c.words, int(c.nbits), from)
	}
}

//go:generate go run ./internal/genunpack

// UnpackBlock decodes the 64 codes of block blk (rows 64*blk to 64*blk+63)
// of a bit-packed column of width w with a decoder specialised for w.
func UnpackBlock(dst *[64]uint32, words []uint64, w, blk int) {
	unpack64(dst, words[blk*w:], w)
}

// UnpackBits decodes len(dst) codes of width w starting at code index from
// out of bit-packed words (which must carry one padding word at the end).
func UnpackBits(dst []uint32, words []uint64, w int, from int) {
	for from&63 == 0 && len(dst) >= 64 {
		unpack64((*[64]uint32)(dst), words[(from>>6)*w:], w)
		dst = dst[64:]
		from += 64
	}
	if len(dst) == 0 {
		return
	}
	uw := uint(w)
	mask := uint64(1)<<uw - 1
	bit := uint(from) * uw
	for i := range dst {
		k, off := bit>>6, bit&63
		dst[i] = uint32((words[k]>>off | words[k+1]<<(64-off)) & mask)
		bit += uw
	}
}

// Pack builds a column from codes, none of which may exceed maxCode, with
// the encoding p chooses for maxCode.
func Pack(codes []uint32, maxCode uint32, p Policy) *Column {
	nb := CodeBits(maxCode)
	enc := p.Choose(nb)
	c := &Column{enc: enc, n: len(codes), maxCode: maxCode}
	switch enc {
	case U8:
		c.nbits = 8
		c.u8 = make([]uint8, len(codes))
		for i, v := range codes {
			c.u8[i] = uint8(v)
		}
	case U16:
		c.nbits = 16
		c.u16 = make([]uint16, len(codes))
		for i, v := range codes {
			c.u16[i] = uint16(v)
		}
	case U32:
		c.nbits = 32
		c.u32 = append([]uint32(nil), codes...)
	default:
		c.nbits = uint8(nb)
		c.words = packWords(codes, nb)
	}
	return c
}

func packWords(codes []uint32, w int) []uint64 {
	uw := uint(w)
	words := make([]uint64, (len(codes)*w+63)/64+1)
	bit := uint(0)
	for _, v := range codes {
		k, off := bit>>6, bit&63
		words[k] |= uint64(v) << off
		if off+uw > 64 {
			words[k+1] |= uint64(v) >> (64 - off)
		}
		bit += uw
	}
	return words
}

// Repack returns c re-encoded for a new maximum code (for example after the
// field's symbol table shrank or grew) under policy p.
func (c *Column) Repack(maxCode uint32, p Policy) *Column {
	if c.maxCode == maxCode && p.Choose(CodeBits(maxCode)) == c.enc {
		return c
	}
	buf := make([]uint32, c.n)
	c.Decode(buf, 0)
	return Pack(buf, maxCode, p)
}

// Remap returns a new column whose code v is replaced by m[v] (m[0] must
// stay 0 for NULL to stay NULL), packed for maxCode under policy p.
func (c *Column) Remap(m []uint32, maxCode uint32, p Policy) *Column {
	buf := make([]uint32, c.n)
	c.Decode(buf, 0)
	for i, v := range buf {
		buf[i] = m[v]
	}
	return Pack(buf, maxCode, p)
}

// ColumnBuilder accumulates codes and widens its storage as larger codes
// arrive (uint8, then uint16, then uint32), so a column being loaded costs
// no more than its byte width.
type ColumnBuilder struct {
	u8      []uint8
	u16     []uint16
	u32     []uint32
	width   int // 1, 2 or 4
	maxCode uint32
	n       int
}

// NewColumnBuilder returns a builder with room for capHint codes.
func NewColumnBuilder(capHint int) *ColumnBuilder {
	return &ColumnBuilder{u8: make([]uint8, 0, capHint), width: 1}
}

// Len returns the number of codes appended.
func (b *ColumnBuilder) Len() int { return b.n }

// Append adds one code.
func (b *ColumnBuilder) Append(code uint32) {
	if code > b.maxCode {
		b.maxCode = code
		b.widen(code)
	}
	switch b.width {
	case 1:
		b.u8 = append(b.u8, uint8(code))
	case 2:
		b.u16 = append(b.u16, uint16(code))
	default:
		b.u32 = append(b.u32, code)
	}
	b.n++
}

// AppendNulls adds n NULL codes.
func (b *ColumnBuilder) AppendNulls(n int) {
	for range n {
		b.Append(0)
	}
}

// Code returns the code of row i.
func (b *ColumnBuilder) Code(i int) uint32 {
	switch b.width {
	case 1:
		return uint32(b.u8[i])
	case 2:
		return uint32(b.u16[i])
	}
	return b.u32[i]
}

// Set overwrites the code of row i.
func (b *ColumnBuilder) Set(i int, code uint32) {
	if code > b.maxCode {
		b.maxCode = code
		b.widen(code)
	}
	switch b.width {
	case 1:
		b.u8[i] = uint8(code)
	case 2:
		b.u16[i] = uint16(code)
	default:
		b.u32[i] = code
	}
}

func (b *ColumnBuilder) widen(code uint32) {
	switch {
	case code > math.MaxUint16 && b.width < 4:
		b.u32 = make([]uint32, b.n, max(b.n*2, 16))
		for i := 0; i < b.n; i++ {
			b.u32[i] = b.Code(i)
		}
		b.u8, b.u16, b.width = nil, nil, 4
	case code > math.MaxUint8 && b.width < 2:
		b.u16 = make([]uint16, b.n, max(b.n*2, 16))
		for i, v := range b.u8 {
			b.u16[i] = uint16(v)
		}
		b.u8, b.width = nil, 2
	}
}

// Codes returns all codes as uint32 (a copy).
func (b *ColumnBuilder) Codes() []uint32 {
	out := make([]uint32, b.n)
	for i := range out {
		out[i] = b.Code(i)
	}
	return out
}

// Finish packs the codes for maxCode (which must be at least every code
// appended) under policy p. The builder must not be used afterwards.
func (b *ColumnBuilder) Finish(maxCode uint32, p Policy) *Column {
	if maxCode < b.maxCode {
		panic("BUG: ColumnBuilder.Finish: maxCode below appended codes")
	}
	enc := p.Choose(CodeBits(maxCode))
	switch {
	case enc == U8 && b.width == 1:
		return &Column{enc: U8, nbits: 8, n: b.n, maxCode: maxCode, u8: trimmed(b.u8)}
	case enc == U16 && b.width == 2:
		return &Column{enc: U16, nbits: 16, n: b.n, maxCode: maxCode, u16: trimmed(b.u16)}
	case enc == U32 && b.width == 4:
		return &Column{enc: U32, nbits: 32, n: b.n, maxCode: maxCode, u32: trimmed(b.u32)}
	}
	return Pack(b.Codes(), maxCode, p)
}

// trimmed returns s, or a copy without its spare capacity when that is
// more than 1/16 of it (a builder that grew by appending).
func trimmed[T uint8 | uint16 | uint32](s []T) []T {
	if cap(s)-len(s) > len(s)/16 {
		t := make([]T, len(s))
		copy(t, s)
		return t
	}
	return s
}

// ColumnFromCodes is a convenience for tests and small tables: Pack with the
// largest code found.
func ColumnFromCodes(codes []uint32, p Policy) *Column {
	var m uint32
	for _, v := range codes {
		m = max(m, v)
	}
	return Pack(codes, m, p)
}
