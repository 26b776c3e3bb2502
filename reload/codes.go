package reload

import (
	"math"

	"github.com/assocengine/assoc/symbols"
)

// codes is a growable vector of symbol codes (0 = NULL, c = symbol c-1) in
// the narrowest byte width that holds the largest code appended so far:
// one byte per row while a field has fewer than 255 symbols, two bytes up
// to 65535, four bytes beyond. Tables under construction keep one codes
// per column; it becomes a packed symbols.Column at the end of the script.
type codes struct {
	w   uint8 // 1, 2 or 4
	b8  []uint8
	b16 []uint16
	b32 []uint32
}

func newCodes(capHint int) codes { return codes{w: 1, b8: make([]uint8, 0, capHint)} }

// Len returns the number of codes.
func (c *codes) Len() int {
	switch c.w {
	case 2:
		return len(c.b16)
	case 4:
		return len(c.b32)
	}
	return len(c.b8)
}

// get returns code i.
func (c *codes) get(i int) uint32 {
	switch c.w {
	case 2:
		return uint32(c.b16[i])
	case 4:
		return c.b32[i]
	}
	return uint32(c.b8[i])
}

// widen makes room for codes up to v.
func (c *codes) widen(v uint32) {
	if c.w == 0 {
		c.w = 1
	}
	switch {
	case v > math.MaxUint16 && c.w < 4:
		n := c.Len()
		out := make([]uint32, n, max(2*n, 64))
		for i := range n {
			out[i] = c.get(i)
		}
		c.b32, c.b8, c.b16, c.w = out, nil, nil, 4
	case v > math.MaxUint8 && c.w < 2:
		out := make([]uint16, len(c.b8), max(2*len(c.b8), 64))
		for i, x := range c.b8 {
			out[i] = uint16(x)
		}
		c.b16, c.b8, c.w = out, nil, 2
	}
}

// fits reports whether v can be stored without widening.
func (c *codes) fits(v uint32) bool {
	switch c.w {
	case 4:
		return true
	case 2:
		return v <= math.MaxUint16
	}
	return c.w == 1 && v <= math.MaxUint8
}

// add appends one code.
func (c *codes) add(v uint32) {
	if !c.fits(v) {
		c.widen(v)
	}
	switch c.w {
	case 2:
		c.b16 = append(c.b16, uint16(v))
	case 4:
		c.b32 = append(c.b32, v)
	default:
		c.b8 = append(c.b8, uint8(v))
	}
}

// addN appends n copies of v.
func (c *codes) addN(v uint32, n int) {
	if n <= 0 {
		return
	}
	if !c.fits(v) {
		c.widen(v)
	}
	switch c.w {
	case 2:
		c.b16 = appendRepeat(c.b16, uint16(v), n)
	case 4:
		c.b32 = appendRepeat(c.b32, v, n)
	default:
		c.b8 = appendRepeat(c.b8, uint8(v), n)
	}
}

func appendRepeat[T uint8 | uint16 | uint32](s []T, v T, n int) []T {
	s = grow(s, n)
	for range n {
		s = append(s, v)
	}
	return s
}

func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	ns := make([]T, len(s), len(s)+max(n, len(s)))
	copy(ns, s)
	return ns
}

// set overwrites code i.
func (c *codes) set(i int, v uint32) {
	if !c.fits(v) {
		c.widen(v)
	}
	switch c.w {
	case 2:
		c.b16[i] = uint16(v)
	case 4:
		c.b32[i] = v
	default:
		c.b8[i] = uint8(v)
	}
}

// addSlice appends the codes of vs, which are all at most maxv.
func (c *codes) addSlice(vs []uint32, maxv uint32) {
	if !c.fits(maxv) {
		c.widen(maxv)
	}
	switch c.w {
	case 2:
		c.b16 = grow(c.b16, len(vs))
		for _, v := range vs {
			c.b16 = append(c.b16, uint16(v))
		}
	case 4:
		c.b32 = append(c.b32, vs...)
	default:
		c.b8 = grow(c.b8, len(vs))
		for _, v := range vs {
			c.b8 = append(c.b8, uint8(v))
		}
	}
}

// decode writes codes [from, from+len(dst)) to dst.
func (c *codes) decode(dst []uint32, from int) {
	switch c.w {
	case 2:
		for i, v := range c.b16[from : from+len(dst)] {
			dst[i] = uint32(v)
		}
	case 4:
		copy(dst, c.b32[from:from+len(dst)])
	default:
		for i, v := range c.b8[from : from+len(dst)] {
			dst[i] = uint32(v)
		}
	}
}

// all returns every code as a new []uint32.
func (c *codes) all() []uint32 {
	out := make([]uint32, c.Len())
	c.decode(out, 0)
	return out
}

// gather returns the codes at rows; a negative row gives NULL.
func (c *codes) gather(rows []int32) codes {
	out := codes{w: c.w}
	switch c.w {
	case 2:
		out.b16 = make([]uint16, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.b16[i] = c.b16[r]
			}
		}
	case 4:
		out.b32 = make([]uint32, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.b32[i] = c.b32[r]
			}
		}
	default:
		out.w = 1
		out.b8 = make([]uint8, len(rows))
		for i, r := range rows {
			if r >= 0 {
				out.b8[i] = c.b8[r]
			}
		}
	}
	return out
}

// appendRows appends src's codes at rows (negative: NULL), mapped through
// m when m is not nil (m[code] is the new code; m[0] must be 0).
func (c *codes) appendRows(src *codes, rows []int32, m []uint32) {
	for _, r := range rows {
		var v uint32
		if r >= 0 {
			v = src.get(int(r))
			if m != nil {
				v = m[v]
			}
		}
		c.add(v)
	}
}

// appendAll appends every code of src mapped through m (nil: as is).
func (c *codes) appendAll(src *codes, m []uint32) {
	n := src.Len()
	if m == nil && c.w >= src.w {
		switch {
		case c.w == src.w && c.w == 1:
			c.b8 = append(c.b8, src.b8...)
			return
		case c.w == src.w && c.w == 2:
			c.b16 = append(c.b16, src.b16...)
			return
		case c.w == src.w && c.w == 4:
			c.b32 = append(c.b32, src.b32...)
			return
		}
	}
	var buf [1024]uint32
	for from := 0; from < n; from += len(buf) {
		k := min(len(buf), n-from)
		src.decode(buf[:k], from)
		var mx uint32
		for i, v := range buf[:k] {
			if m != nil {
				v = m[v]
				buf[i] = v
			}
			mx = max(mx, v)
		}
		c.addSlice(buf[:k], mx)
	}
}

// truncate keeps the first n codes.
func (c *codes) truncate(n int) {
	switch c.w {
	case 2:
		c.b16 = c.b16[:n]
	case 4:
		c.b32 = c.b32[:n]
	default:
		c.b8 = c.b8[:n]
	}
}

// bytes returns the memory held.
func (c *codes) bytes() int64 {
	return int64(cap(c.b8)) + 2*int64(cap(c.b16)) + 4*int64(cap(c.b32))
}

// column packs the codes for a field of card symbols.
func (c *codes) column(card int, p symbols.Policy) *symbols.Column {
	if c.w == 4 {
		return symbols.Pack(c.b32, uint32(card), p) // Pack copies
	}
	return symbols.Pack(c.all(), uint32(card), p)
}
