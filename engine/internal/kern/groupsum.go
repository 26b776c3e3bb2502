package kern

import "math/bits"

// The grouped-sum inner loop of a hypercube with few groups: the rows of a
// 64-row block are split by group into masks (bit j of masks[g]: row j is
// in group g), and each measure adds its 64 values into eight partial sums
// per group (acc[8g+j&7]). The masks are built once per block and shared
// by every measure, so a measure costs eight masked vector additions per
// group that has rows in the block instead of a load-add-store per row.

// MaskGroups returns the most groups for which SumMasked beats a per-row
// loop here (0: never): 16 with AVX-512; 6 with AVX2, whose kernel pays a
// lane-mask lookup per four rows and group (BenchmarkAVX2: 15 / 29 / 68 ns
// a block for 1 / 4 / 12 groups against 42-60 ns for the row loop, as
// inlined or called). The Go twin adds in the kernels' order to give the
// same bits, which makes it slower than the row loop.
func MaskGroups() int { return maskGroups() }

// MaxMaskGroups is the most groups SumMasked takes.
const MaxMaskGroups = 16

// GroupMasks sets masks[g] to the rows j of the block in rows (bit j) with
// slot[j] == g; every slot[j] of a row in rows must be below len(masks).
// slot nil puts every row in group 0.
func GroupMasks(masks []uint64, slot *[64]uint32, rows uint64) {
	if slot == nil {
		clear(masks)
		masks[0] = rows
		return
	}
	if simdGroupMasks(masks, slot, rows) {
		return
	}
	clear(masks)
	for m := rows; m != 0; m &= m - 1 {
		j := bits.TrailingZeros64(m)
		masks[slot[j]] |= 1 << j
	}
}

// SumMasked adds vals[j] to acc[8g+j&7] for every group g and row j in
// masks[g] whose value is a number (NaN is NULL and is skipped), and
// returns the mask of rows whose value is a number. len(acc) must be at
// least 8*len(masks) and len(masks) at most MaxMaskGroups.
func SumMasked(vals *[64]float64, masks []uint64, acc []float64) uint64 {
	_ = acc[8*len(masks)-1]
	if len(masks) > MaxMaskGroups {
		panic("kern: SumMasked: too many groups")
	}
	if nn, ok := simdSumMasked(vals, masks, acc); ok {
		return nn
	}
	return sumMasked(vals, masks, acc)
}

// sumMasked is SumMasked in Go, adding in the order of the AVX-512 kernel
// (row blocks 0, 2, 4, 6 into one partial sum, 1, 3, 5, 7 into another,
// NULL as 0) so both give the same bits.
func sumMasked(vals *[64]float64, masks []uint64, acc []float64) uint64 {
	var nn uint64
	var clean [64]float64
	for j, v := range vals {
		if v == v {
			nn |= 1 << j
			clean[j] = v
		}
	}
	for g, m := range masks {
		if m == 0 {
			continue
		}
		for l := 0; l < 8; l++ {
			a, b := acc[8*g+l], 0.0
			for q := 0; q < 8; q += 2 {
				if j := q*8 + l; m>>j&1 == 1 {
					a += clean[j]
				}
				if j := q*8 + 8 + l; m>>j&1 == 1 {
					b += clean[j]
				}
			}
			acc[8*g+l] = a + b
		}
	}
	return nn
}

// CountMasked adds the number of rows of masks[g] & nn to n[8g] for each
// group.
func CountMasked(masks []uint64, nn uint64, n []int64) {
	for g, m := range masks {
		n[8*g] += int64(bits.OnesCount64(m & nn))
	}
}
