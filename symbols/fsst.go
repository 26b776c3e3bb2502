package symbols

import (
	"cmp"
	"encoding/binary"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
)

// Text compression for large text fields, after FSST (Boncz, Neumann and
// Leis, "FSST: fast random access string compression", VLDB 2020): a
// table of at most 255 symbols of 1 to 8 bytes, learnt from a sample of
// the field's texts, replaces the common substrings of every text by
// one-byte codes; code 255 escapes a byte no symbol covers. Each text
// stays separately decodable, so reading one symbol decodes only its own
// bytes, at a few nanoseconds a code.

const (
	fsstEscape     = 255
	fsstMaxSymbols = 255
	fsstSample     = 32 << 10 // bytes of texts the table is learnt from
	fsstRounds     = 5
)

// fsst is a learnt symbol table.
type fsst struct {
	sym  [fsstMaxSymbols]uint64 // symbol bytes, little-endian, zero-padded
	slen [fsstMaxSymbols]uint8
	n    int
	// The encoder's index: one1[b] is the code of the 1-byte symbol b
	// (or -1); the codes of the longer symbols starting with the two bytes
	// p are long[start[p]:start[p+1]], longest first.
	one1  [256]int16
	start []uint32 // 65537 entries
	long  []uint8
}

var fsstMasks = [9]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff, ^uint64(0)}

// load8 returns up to 8 bytes of s from i, little-endian, zero-padded.
func load8(s []byte, i int) uint64 {
	if len(s)-i >= 8 {
		return binary.LittleEndian.Uint64(s[i:])
	}
	var w uint64
	for k := len(s) - 1; k >= i; k-- {
		w = w<<8 | uint64(s[k])
	}
	return w
}

// index builds the encoder's index from sym and slen.
func (z *fsst) index() {
	for b := range z.one1 {
		z.one1[b] = -1
	}
	if z.start == nil {
		z.start = make([]uint32, 1<<16+1)
	} else {
		clear(z.start)
	}
	var codes []uint8
	for c := range z.n {
		if z.slen[c] == 1 {
			z.one1[uint8(z.sym[c])] = int16(c)
		} else {
			z.start[uint16(z.sym[c])+1]++
			codes = append(codes, uint8(c))
		}
	}
	for p := 1; p < len(z.start); p++ {
		z.start[p] += z.start[p-1]
	}
	// Longest first within a prefix; a stable order keeps ties by code.
	slices.SortStableFunc(codes, func(x, y uint8) int {
		if c := cmp.Compare(uint16(z.sym[x]), uint16(z.sym[y])); c != 0 {
			return c
		}
		return cmp.Compare(z.slen[y], z.slen[x])
	})
	z.long = codes
}

// match returns the code of the longest symbol at s[i:], or -1.
func (z *fsst) match(s []byte, i int) int {
	left := len(s) - i
	if left >= 2 {
		w := load8(s, i)
		p := uint16(w)
		for _, c := range z.long[z.start[p]:z.start[int(p)+1]] {
			l := int(z.slen[c])
			if l <= left && (w^z.sym[c])&fsstMasks[l] == 0 {
				return int(c)
			}
		}
	}
	return int(z.one1[s[i]])
}

// encode appends the compressed form of s to dst.
func (z *fsst) encode(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		if c := z.match(s, i); c >= 0 {
			dst = append(dst, uint8(c))
			i += int(z.slen[c])
		} else {
			dst = append(dst, fsstEscape, s[i])
			i++
		}
	}
	return dst
}

// decode appends the text src encodes to dst.
func (z *fsst) decode(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == fsstEscape {
			i++
			dst = append(dst, src[i])
			continue
		}
		n := len(dst)
		dst = binary.LittleEndian.AppendUint64(dst, z.sym[c])[:n+int(z.slen[c])]
	}
	return dst
}

// decodedLen returns the length of the text src encodes.
func (z *fsst) decodedLen(src []byte) int {
	n := 0
	for i := 0; i < len(src); i++ {
		if src[i] == fsstEscape {
			i++
			n++
			continue
		}
		n += int(z.slen[src[i]])
	}
	return n
}

// learnFSST learns a symbol table from texts (a sample): each round
// encodes the sample with the current table, counts the codes and the
// pairs of consecutive codes, and keeps the 255 symbols and concatenations
// of two that would cover the most bytes.
func learnFSST(texts [][]byte) *fsst {
	z := &fsst{}
	z.index()
	// Pseudo-codes: 0..254 the symbols, 256+b the escaped byte b.
	const codes = 512
	count1 := make([]int32, codes)
	count2 := make([]int32, codes*codes)
	symOf := func(c int) (uint64, int) {
		if c >= 256 {
			return uint64(c - 256), 1
		}
		return z.sym[c], int(z.slen[c])
	}
	type cand struct {
		sym  uint64
		len  int
		gain int64
	}
	for round := range fsstRounds {
		clear(count1)
		clear(count2)
		for _, s := range texts {
			prev := -1
			for i := 0; i < len(s); {
				c := z.match(s, i)
				if c >= 0 {
					i += int(z.slen[c])
				} else {
					c = 256 + int(s[i])
					i++
				}
				count1[c]++
				if prev >= 0 {
					count2[prev*codes+c]++
				}
				prev = c
			}
		}
		gains := map[[2]uint64]int64{}
		add := func(sym uint64, l int, gain int64) {
			k := [2]uint64{sym, uint64(l)}
			gains[k] += gain
		}
		for c := range codes {
			if count1[c] == 0 {
				continue
			}
			sa, la := symOf(c)
			add(sa, la, int64(count1[c])*int64(la))
			if round == fsstRounds-1 {
				continue // the last round only re-ranks
			}
			for d := range codes {
				n := count2[c*codes+d]
				if n == 0 {
					continue
				}
				sb, lb := symOf(d)
				if la+lb > 8 {
					continue
				}
				add(sa|sb<<(8*la), la+lb, int64(n)*int64(la+lb))
			}
		}
		cands := make([]cand, 0, len(gains))
		for k, g := range gains {
			cands = append(cands, cand{k[0], int(k[1]), g})
		}
		slices.SortFunc(cands, func(a, b cand) int {
			if c := cmp.Compare(b.gain, a.gain); c != 0 {
				return c
			}
			if c := cmp.Compare(a.len, b.len); c != 0 {
				return c
			}
			return cmp.Compare(a.sym, b.sym)
		})
		z.n = min(len(cands), fsstMaxSymbols)
		for i, c := range cands[:z.n] {
			z.sym[i], z.slen[i] = c.sym, uint8(c.len)
		}
		z.index()
	}
	return z
}

// Texts of a table are compressed when it has at least minCompressed
// symbols and minCompressedBytes of text, and when the learnt table
// shrinks a sample to at most maxCompressedRatio of its size.
const (
	minCompressed      = 4096
	minCompressedBytes = 1 << 20
	maxCompressedRatio = 0.7
)

// compress replaces the arena by its compressed form when that pays.
func (t *Table) compress() {
	n := t.Len()
	if n < minCompressed || len(t.arena) < minCompressedBytes {
		return
	}
	rng := rand.New(rand.NewPCG(uint64(n), uint64(len(t.arena))))
	var sample [][]byte
	size := 0
	for size < fsstSample {
		id := uint32(rng.IntN(n))
		s := t.arena[t.off[id]:t.off[id+1]]
		sample = append(sample, s)
		size += len(s)
		if len(sample) > 4*n {
			break // mostly empty texts
		}
	}
	z := learnFSST(sample)
	enc := 0
	var buf []byte
	for _, s := range sample {
		buf = z.encode(buf[:0], s)
		enc += len(buf)
	}
	if float64(enc) > maxCompressedRatio*float64(size) {
		return
	}
	// Encode in parallel chunks of ids, then join.
	parts := min(runtime.GOMAXPROCS(0), max(1, n/minCompressed))
	arenas := make([][]byte, parts)
	offs := make([][]uint32, parts)
	alphas := make([][4]uint64, parts)
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := n*p/parts, n*(p+1)/parts
		wg.Go(func() {
			a := make([]byte, 0, int(float64(t.off[hi]-t.off[lo])*float64(enc)/float64(size))+64)
			o := make([]uint32, 0, hi-lo)
			for id := lo; id < hi; id++ {
				s := t.arena[t.off[id]:t.off[id+1]]
				a = z.encode(a, s)
				o = append(o, uint32(len(a)))
				addAlphabet(&alphas[p], s)
			}
			arenas[p], offs[p] = a, o
		})
	}
	wg.Wait()
	total := 0
	for _, a := range arenas {
		total += len(a)
	}
	arena := make([]byte, 0, total)
	off := make([]uint32, 1, n+1)
	for p := range parts {
		base := uint32(len(arena))
		arena = append(arena, arenas[p]...)
		for _, o := range offs[p] {
			off = append(off, base+o)
		}
	}
	t.arena, t.off, t.z = arena, off, z
	t.alpha, t.hasAlpha = [4]uint64{}, true
	for _, a := range alphas {
		for w := range a {
			t.alpha[w] |= a[w]
		}
	}
	t.packOffsets()
}

// packOffsets replaces the 4-byte offsets of a compressed table by one
// offset per zBlock texts and a byte length per text, when every
// compressed text is shorter than 256 bytes: 1.25 bytes a text.
func (t *Table) packOffsets() {
	n := t.Len()
	for id := range n {
		if t.off[id+1]-t.off[id] > 255 {
			return
		}
	}
	t.zbase = make([]uint32, (n+zBlock-1)/zBlock)
	t.zlen = make([]uint8, n)
	for id := range n {
		if id%zBlock == 0 {
			t.zbase[id/zBlock] = t.off[id]
		}
		t.zlen[id] = uint8(t.off[id+1] - t.off[id])
	}
	t.off = nil
}

// zBlock is the number of texts per offset of packed offsets.
const zBlock = 16

// zsrc returns the compressed bytes of symbol id.
func (t *Table) zsrc(id uint32) []byte {
	if t.off != nil {
		return t.arena[t.off[id]:t.off[id+1]]
	}
	lo := t.zbase[id/zBlock]
	for _, l := range t.zlen[id&^(zBlock-1) : id] {
		lo += uint32(l)
	}
	return t.arena[lo : lo+uint32(t.zlen[id])]
}

// decompress stores the texts of a compressed table plainly again.
func (t *Table) decompress() {
	if t.z == nil {
		return
	}
	var arena []byte
	off := make([]uint32, 1, t.n+1)
	for id := range t.n {
		arena = t.z.decode(arena, t.zsrc(uint32(id)))
		off = append(off, uint32(len(arena)))
	}
	t.arena, t.off, t.z, t.zbase, t.zlen, t.hasAlpha = arena, off, nil, nil, nil, false
}
