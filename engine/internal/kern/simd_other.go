//go:build !amd64 || purego

package kern

func simdMemberU8(codes []uint8, lut *[256]uint8, bitmap *[32]byte, out []uint64) int { return 0 }

func simdMemberU16(codes []uint16, lut *[lutSize]uint8, out []uint64) int { return 0 }

func simdMemberU32(codes []uint32, set []uint64, out []uint64) int { return 0 }

// SIMD reports the instruction set the kernels use.
func SIMD() string { return "go" }

func simdWord(codes *[64]uint32, lut *[lutSize]uint8, bits4k *[512]byte, maxCode uint32) (uint64, bool) {
	return 0, false
}

func simdSumMasked(vals *[64]float64, masks []uint64, acc []float64) (uint64, bool) { return 0, false }

func maskGroups() int { return 0 }

func simdGroupMasks(masks []uint64, slot *[64]uint32, rows uint64) bool { return false }

func simdWordFast(maxCode uint32) bool { return false }

func simdGatherF64(nums []float64, codes *[64]uint32, out *[64]float64) bool { return false }
