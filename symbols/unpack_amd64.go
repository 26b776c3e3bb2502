//go:build amd64 && !purego

package symbols

import "golang.org/x/sys/cpu"

// With AVX-512 VBMI a block of 64 codes of width w ≤ 25 unpacks 16 codes
// at a time: 16 codes span exactly 2w bytes, so the same byte permutation
// (VPERMB) moves the 4 bytes holding each code into its dword lane for all
// four groups of a block, a variable shift (VPSRLVD) aligns it and a mask
// keeps w bits. Wider codes use the generated scalar code.
var hasVBMI = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI

// maxVBMIWidth is the widest code the kernel handles: a code plus its bit
// offset in its first byte (at most 7) must fit in a dword.
const maxVBMIWidth = 25

// unpackTables holds, per width, the byte permutation and the shifts.
type unpackTables struct {
	idx   [64]byte
	shift [16]uint32
}

var vbmiTables = func() (t [maxVBMIWidth + 1]unpackTables) {
	for w := 1; w <= maxVBMIWidth; w++ {
		for i := 0; i < 16; i++ {
			bit := i * w
			for k := 0; k < 4; k++ {
				t[w].idx[i*4+k] = byte(bit/8 + k)
			}
			t[w].shift[i] = uint32(bit % 8)
		}
	}
	return t
}()

// unpack64VBMI decodes the 64 codes of width w at src into dst. It reads
// 2w+3 bytes per group of 16 codes with a masked load, so nothing past
// the block's 8w bytes plus 3 is touched.
//
//go:noescape
func unpack64VBMI(dst *[64]uint32, src *uint64, t *unpackTables, w int)

func unpack64(dst *[64]uint32, src []uint64, w int) {
	if hasVBMI && w <= maxVBMIWidth && len(src) > w {
		unpack64VBMI(dst, &src[0], &vbmiTables[w], w)
		return
	}
	unpack64Scalar(dst, src, w)
}
