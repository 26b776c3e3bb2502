//go:build amd64 && !purego

package kern

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"

	"github.com/assocengine/assoc/symbols"
)

// TestKernelsAVX2 runs the kernel tests with the AVX-512 paths switched
// off, so the AVX2 paths are tested on machines that have both.
func TestKernelsAVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	vbmi, avx512, slow, half := hasVBMI, hasAVX512, slowGather, halfWidthAVX
	hasVBMI, hasAVX512, slowGather, halfWidthAVX = false, false, false, false
	defer func() { hasVBMI, hasAVX512, slowGather, halfWidthAVX = vbmi, avx512, slow, half }()
	require := func(ok bool) {
		if !ok {
			t.Fatal("the AVX2 paths are not selected")
		}
	}
	require(simdWordFast(1000) && MaskGroups() == 6)
	t.Run("scans", checkKernels)
	t.Run("gather", checkGatherF64)
	t.Run("summasked", checkSumMasked)
}

// BenchmarkAVX2 measures the AVX2 paths against the Go twins (AVX-512
// switched off): the membership of decoded 11-bit blocks and GatherF64.
func BenchmarkAVX2(b *testing.B) {
	if !cpu.X86.HasAVX2 {
		b.Skip("no AVX2")
	}
	rng := rand.New(rand.NewPCG(13, 13))
	const n = 1 << 22
	c, _ := column(rng, n, 1461, symbols.Compact)
	set := randomSet(rng, 1461)
	out := make([]uint64, n/64)
	nums := make([]float64, 1<<20)
	var codes [64]uint32
	for j := range codes {
		codes[j] = uint32(rng.IntN(len(nums)))
	}
	var vals [64]float64
	for _, avx2 := range []bool{true, false} {
		name := map[bool]string{true: "avx2", false: "go"}[avx2]
		vbmi, avx512, a2, slow := hasVBMI, hasAVX512, hasAVX2, slowGather
		hasVBMI, hasAVX512, hasAVX2, slowGather = false, false, avx2, false
		b.Run("member-packed11/"+name, func(b *testing.B) {
			lk := NewLookup(set, 1461)
			defer lk.Release()
			for b.Loop() {
				lk.Member(c, out, 0, n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
		b.Run("gatherf64-1Mi/"+name, func(b *testing.B) {
			for b.Loop() {
				GatherF64(nums, &codes, &vals)
			}
		})
		for _, groups := range []int{1, 4, 12} {
			vals, slot, masks, acc := groupSumInput(rng, groups)
			b.Run(fmt.Sprintf("summasked-%d/%s", groups, name), func(b *testing.B) {
				if !avx2 {
					// Without a kernel the engine adds row by row.
					f := make([]float64, 4*groups)
					for b.Loop() {
						rowLoopSum(&vals, &slot, f)
					}
					return
				}
				for b.Loop() {
					SumMasked(&vals, masks, acc)
				}
			})
		}
		hasVBMI, hasAVX512, hasAVX2, slowGather = vbmi, avx512, a2, slow
	}
}

func TestAMDCPU(t *testing.T) {
	f, m := amdCPU()
	t.Logf("AMD family %#x model %#x; kernels %s, %d mask groups", f, m, SIMD(), MaskGroups())
	if f != 0 && f < 0x10 {
		t.Fatalf("AMD family %#x: CPUs with AVX2 are family 0x15 or later", f)
	}
}
