//go:build amd64 && !purego

package kern

import "golang.org/x/sys/cpu"

// The SIMD kernels, chosen once at start-up. Each has a pure-Go twin in
// kern.go that is always compiled; the purego build tag forces the twins.
var (
	hasVBMI   = cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VBMI && cpu.X86.HasAVX512F
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
	hasAVX2   = cpu.X86.HasAVX2

	// AMD before Zen 3 (family 0x17 and older) runs vpgatherdd/vpgatherdpd
	// as long microcode: there the AVX2 gather kernels lose to the Go twins
	// (Zen 1: 11-bit membership 0.60 vs 0.77 G rows/s, GatherF64 96 vs 84
	// ns a block), so they are used only elsewhere. Zen 1 and Zen+ also
	// split 256-bit operations in two, which moves the grouped sum's break-
	// even from 6 groups to 2 (Zen 1: 66 vs 110 ns for 1 group, 122 vs 107
	// for 4).
	amdFamily, amdModel = amdCPU()
	slowGather          = amdFamily != 0 && amdFamily <= 0x17
	halfWidthAVX        = amdFamily == 0x17 && amdModel < 0x30
)

// cpuid executes CPUID with EAX = leaf, ECX = sub.
//
//go:noescape
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// amdCPU returns the family and model of an AMD CPU, or zeros.
func amdCPU() (family, model uint32) {
	_, b, c, d := cpuid(0, 0)
	if b != 0x68747541 || d != 0x69746e65 || c != 0x444d4163 { // "AuthenticAMD"
		return 0, 0
	}
	a, _, _, _ := cpuid(1, 0)
	family, model = a>>8&0xf, a>>4&0xf
	if family == 0xf {
		family += a >> 20 & 0xff
		model |= a >> 16 & 0xf << 4
	}
	return family, model
}

// avx2Gather reports whether the AVX2 gather kernels are used.
func avx2Gather() bool { return hasAVX2 && !slowGather }

// memberU8VBMI writes, for each 64 codes, a word of membership bits looked
// up in the 256-entry byte table lut (0 or 1 per code). len(codes) must be
// a multiple of 64.
//
//go:noescape
func memberU8VBMI(codes []byte, lut *[256]uint8, out []uint64)

// memberU8AVX2 is memberU8VBMI with AVX2: the table is given as a 32-byte
// bitmap (bit c = code c).
//
//go:noescape
func memberU8AVX2(codes []byte, bitmap *[32]byte, out []uint64)

// memberU16Gather looks 16 codes up at a time with a dword gather from the
// byte table; lut must have 4 readable bytes after index 65535.
//
//go:noescape
func memberU16Gather(codes []uint16, lut *[lutSize]uint8, out []uint64)

// memberU32Gather is memberU16Gather for uint32 codes looked up in a bitset
// (a dword gather of word c>>5, then a variable shift).
//
//go:noescape
func memberU32Gather(codes []uint32, set []uint64, out []uint64)

// wordU32VBMI returns the membership word of 64 codes below 256.
//
//go:noescape
func wordU32VBMI(codes *[64]uint32, lut *[256]uint8) uint64

// wordU32Gather returns the membership word of 64 codes below 65536.
//
//go:noescape
func wordU32Gather(codes *[64]uint32, lut *[lutSize]uint8) uint64

// wordU32Bits4K returns the membership word of 64 codes below 4096 in a
// 4096-bit bitmap.
//
//go:noescape
func wordU32Bits4K(codes *[64]uint32, bitmap *[512]byte) uint64

// gatherF64AVX512 is GatherF64 with AVX-512.
//
//go:noescape
func gatherF64AVX512(nums *float64, codes *[64]uint32, out *[64]float64)

// permF64x16AVX512 is GatherF64 for a table of at most 16 numbers.
//
//go:noescape
func permF64x16AVX512(table *[16]float64, codes *[64]uint32, out *[64]float64)

// gatherF64AVX2 is GatherF64 with AVX2.
//
//go:noescape
func gatherF64AVX2(nums *float64, codes *[64]uint32, out *[64]float64)

// wordU32GatherAVX2 is wordU32Gather with AVX2.
//
//go:noescape
func wordU32GatherAVX2(codes *[64]uint32, lut *[lutSize]uint8) uint64

func simdGatherF64(nums []float64, codes *[64]uint32, out *[64]float64) bool {
	switch {
	case len(nums) == 0:
		return false
	case !hasAVX512 && avx2Gather():
		gatherF64AVX2(&nums[0], codes, out)
	case !hasAVX512:
		return false
	case len(nums) <= 16:
		var t [16]float64
		copy(t[:], nums)
		permF64x16AVX512(&t, codes, out)
	default:
		gatherF64AVX512(&nums[0], codes, out)
	}
	return true
}

// simdWordFast reports whether simdWord has a kernel for codes up to
// maxCode.
func simdWordFast(maxCode uint32) bool {
	return (maxCode < 256 && hasVBMI) || (maxCode < 1<<16 && (hasAVX512 || avx2Gather()))
}

// simdWord returns the membership word of 64 decoded codes whose largest
// is maxCode, and false when no kernel applies.
func simdWord(codes *[64]uint32, lut *[lutSize]uint8, bits4k *[512]byte, maxCode uint32) (uint64, bool) {
	switch {
	case maxCode < 256 && hasVBMI:
		return wordU32VBMI(codes, (*[256]uint8)(lut[:256])), true
	case bits4k != nil && hasVBMI:
		return wordU32Bits4K(codes, bits4k), true
	case hasAVX512:
		return wordU32Gather(codes, lut), true
	case avx2Gather():
		return wordU32GatherAVX2(codes, lut), true
	}
	return 0, false
}

// sumMaskedAVX512 is SumMasked with AVX-512.
//
//go:noescape
func sumMaskedAVX512(vals *[64]float64, masks *uint64, groups int, acc *float64) uint64

func maskGroups() int {
	switch {
	case hasAVX512:
		return MaxMaskGroups
	case hasAVX2 && halfWidthAVX:
		return 2
	case hasAVX2:
		return 6
	}
	return 0
}

// groupMasksAVX512 is GroupMasks with AVX-512 for a row mask.
//
//go:noescape
func groupMasksAVX512(slot *[64]uint32, rows uint64, masks *uint64, groups int)

func simdGroupMasks(masks []uint64, slot *[64]uint32, rows uint64) bool {
	if !hasAVX512 || len(masks) == 0 {
		return false
	}
	groupMasksAVX512(slot, rows, &masks[0], len(masks))
	return true
}

// sumMaskedAVX2 is SumMasked with AVX2 (clean is scratch).
//
//go:noescape
func sumMaskedAVX2(vals *[64]float64, masks *uint64, groups int, acc *float64, clean *[64]float64) uint64

func simdSumMasked(vals *[64]float64, masks []uint64, acc []float64) (uint64, bool) {
	switch {
	case len(masks) == 0:
		return 0, false
	case hasAVX512:
		return sumMaskedAVX512(vals, &masks[0], len(masks), &acc[0]), true
	case hasAVX2:
		var clean [64]float64
		return sumMaskedAVX2(vals, &masks[0], len(masks), &acc[0], &clean), true
	}
	return 0, false
}

func simdMemberU8(codes []uint8, lut *[256]uint8, bitmap *[32]byte, out []uint64) int {
	n := len(codes) &^ 63
	if n == 0 {
		return 0
	}
	switch {
	case hasVBMI:
		memberU8VBMI(codes[:n], lut, out[:n>>6])
	case hasAVX2:
		memberU8AVX2(codes[:n], bitmap, out[:n>>6])
	default:
		return 0
	}
	return n
}

func simdMemberU16(codes []uint16, lut *[lutSize]uint8, out []uint64) int {
	n := len(codes) &^ 63
	if n == 0 || !hasAVX512 {
		return 0
	}
	memberU16Gather(codes[:n], lut, out[:n>>6])
	return n
}

func simdMemberU32(codes []uint32, set []uint64, out []uint64) int {
	n := len(codes) &^ 63
	if n == 0 || !hasAVX512 {
		return 0
	}
	memberU32Gather(codes[:n], set, out[:n>>6])
	return n
}

// SIMD reports the instruction set the kernels use.
func SIMD() string {
	switch {
	case hasVBMI:
		return "avx512vbmi"
	case hasAVX512:
		return "avx512"
	case hasAVX2 && slowGather:
		return "avx2 (no gathers)"
	case hasAVX2:
		return "avx2"
	}
	return "go"
}
