package kern

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/assocengine/assoc/symbols"
	"github.com/stretchr/testify/require"
)

var edgeLengths = []int{0, 1, 2, 63, 64, 65, 127, 128, 129, 1023, 1024, 1025, 4099}

// column returns a random column of n codes up to maxCode (some NULL) under
// policy p, plus the codes.
func column(rng *rand.Rand, n int, maxCode uint32, p symbols.Policy) (*symbols.Column, []uint32) {
	codes := make([]uint32, n)
	for i := range codes {
		if rng.IntN(10) == 0 {
			continue // NULL
		}
		codes[i] = 1 + uint32(rng.Uint64N(uint64(maxCode)))
	}
	return symbols.Pack(codes, maxCode, p), codes
}

func randomSet(rng *rand.Rand, maxCode uint32) []uint64 {
	set := make([]uint64, (maxCode+64)/64)
	for c := uint32(1); c <= maxCode; c++ {
		if rng.IntN(3) == 0 {
			set[c>>6] |= 1 << (c & 63)
		}
	}
	return set
}

func has(set []uint64, c uint32) bool { return set[c>>6]>>(c&63)&1 == 1 }

func TestKernelsAgainstReference(t *testing.T) { checkKernels(t) }

func checkKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, p := range []symbols.Policy{symbols.Compact, symbols.Bytes} {
		for _, maxCode := range []uint32{1, 3, 5, 50, 200, 255, 300, 4000, 10000, 65535, 70000, 1 << 20} {
			for _, n := range edgeLengths {
				name := fmt.Sprintf("policy=%d/max=%d/n=%d", p, maxCode, n)
				c, codes := column(rng, n, maxCode, p)
				set := randomSet(rng, maxCode)
				words := (n + 63) / 64
				// Member over the whole range and over aligned sub-ranges.
				out := make([]uint64, words)
				for i := range out {
					out[i] = ^uint64(0) // must be overwritten
				}
				lk := NewLookup(set, maxCode)
				for lo := 0; lo < n; lo += 128 {
					lk.Member(c, out, lo, min(lo+128, n))
				}
				for r := 0; r < n; r++ {
					require.Equal(t, has(set, codes[r]), out[r>>6]>>(r&63)&1 == 1, "%s member row %d", name, r)
				}
				if n%64 != 0 {
					require.Zero(t, out[words-1]>>(n%64), "%s: bits beyond n", name)
				}
				// Filter of a random row set.
				rows := make([]uint64, words)
				for r := 0; r < n; r++ {
					if rng.IntN(2) == 0 {
						rows[r>>6] |= 1 << (r & 63)
					}
				}
				want := slices.Clone(rows)
				for r := 0; r < n; r++ {
					if !has(set, codes[r]) {
						want[r>>6] &^= 1 << (r & 63)
					}
				}
				lk.Filter(c, rows, 0, n)
				lk.Release()
				require.Equal(t, want, rows, "%s filter", name)
				// Mark + Fold over the filtered rows and over all rows.
				for _, rs := range [][]uint64{rows, nil} {
					mark := make([]uint8, maxCode+1)
					Mark(c, rs, mark, 0, n)
					got := make([]uint64, (maxCode+64)/64)
					Fold(mark, got)
					exp := make([]uint64, len(got))
					for r := 0; r < n; r++ {
						if rs == nil || rs[r>>6]>>(r&63)&1 == 1 {
							exp[codes[r]>>6] |= 1 << (codes[r] & 63)
						}
					}
					require.Equal(t, exp, got, "%s mark", name)
					// Count
					counts := make([]uint32, maxCode+1)
					Count(c, rs, counts, 0, n)
					expc := make([]uint32, maxCode+1)
					for r := 0; r < n; r++ {
						if rs == nil || rs[r>>6]>>(r&63)&1 == 1 {
							expc[codes[r]]++
						}
					}
					require.Equal(t, expc, counts, "%s count", name)
				}
			}
		}
	}
}

func BenchmarkMember(b *testing.B) {
	const n = 1 << 22
	rng := rand.New(rand.NewPCG(1, 1))
	for _, tc := range []struct {
		name    string
		maxCode uint32
		p       symbols.Policy
	}{
		{"uint8/card=200", 200, symbols.Bytes},
		{"uint16/card=10000", 10000, symbols.Bytes},
		{"uint32/card=1e6", 1_000_000, symbols.Bytes},
		{"packed3/card=5", 5, symbols.Compact},
		{"packed11/card=1461", 1461, symbols.Compact},
		{"packed17/card=1e5", 100_000, symbols.Compact},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := column(rng, n, tc.maxCode, tc.p)
			set := randomSet(rng, tc.maxCode)
			out := make([]uint64, n/64)
			lk := NewLookup(set, tc.maxCode)
			defer lk.Release()
			b.SetBytes(c.Bytes())
			b.ReportAllocs()
			for b.Loop() {
				lk.Member(c, out, 0, n)
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
	}
}

func BenchmarkMark(b *testing.B) {
	const n = 1 << 22
	rng := rand.New(rand.NewPCG(2, 2))
	for _, tc := range []struct {
		name    string
		maxCode uint32
		p       symbols.Policy
	}{
		{"uint16/card=10000", 10000, symbols.Bytes},
		{"packed17/card=1e5", 100_000, symbols.Compact},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := column(rng, n, tc.maxCode, tc.p)
			mark := make([]uint8, tc.maxCode+1)
			b.SetBytes(c.Bytes())
			b.ReportAllocs()
			for b.Loop() {
				Mark(c, nil, mark, 0, n)
			}
		})
	}
}

// BenchmarkMemberDRAM scans a 256 MiB uint8 column, far beyond the caches,
// to compare with the machine's memory bandwidth (issue 6: >= 20 GB/s on
// one core).
func BenchmarkMemberDRAM(b *testing.B) {
	const n = 1 << 28
	raw := make([]uint8, n)
	for i := range raw {
		raw[i] = uint8(i*7+i>>9) % 201
	}
	col := columnFromU8(raw, 200)
	set := randomSet(rand.New(rand.NewPCG(3, 3)), 200)
	out := make([]uint64, n/64)
	lk := NewLookup(set, 200)
	defer lk.Release()
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		lk.Member(col, out, 0, n)
	}
}

func columnFromU8(raw []uint8, maxCode uint32) *symbols.Column {
	b := symbols.NewColumnBuilder(len(raw))
	for _, v := range raw {
		b.Append(uint32(v))
	}
	return b.Finish(maxCode, symbols.Bytes)
}

// BenchmarkMemberParallel scans one column with GOMAXPROCS goroutines, each
// taking a contiguous 64-row-aligned share, as the engine's worker pool
// does (issue 6: uint32 ≥ 6 G rows/s on two cores). The DRAM cases are far
// beyond the caches.
func BenchmarkMemberParallel(b *testing.B) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, tc := range []struct {
		name    string
		n       int
		maxCode uint32
	}{
		{"uint8/card=200/DRAM", 1 << 28, 200},
		{"uint16/card=1e4/DRAM", 1 << 27, 10_000},
		{"uint32/card=1e6", 1 << 22, 1_000_000},
		{"uint32/card=1e6/DRAM", 1 << 26, 1_000_000},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c, _ := column(rng, tc.n, tc.maxCode, symbols.Bytes)
			set := randomSet(rng, tc.maxCode)
			out := make([]uint64, tc.n/64)
			lk := NewLookup(set, tc.maxCode)
			defer lk.Release()
			w := runtime.GOMAXPROCS(0)
			share := (tc.n/w + 63) &^ 63
			b.SetBytes(c.Bytes())
			b.ReportAllocs()
			for b.Loop() {
				var wg sync.WaitGroup
				for lo := 0; lo < tc.n; lo += share {
					hi := min(lo+share, tc.n)
					wg.Add(1)
					go func() {
						defer wg.Done()
						lk.Member(c, out, lo, hi)
					}()
				}
				wg.Wait()
			}
			b.ReportMetric(float64(tc.n)*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
	}
}

func TestSumMaskedAgainstReference(t *testing.T) { checkSumMasked(t) }

func checkSumMasked(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for iter := 0; iter < 2000; iter++ {
		groups := 1 + rng.IntN(MaxMaskGroups)
		var vals [64]float64
		for j := range vals {
			switch rng.IntN(8) {
			case 0:
				vals[j] = math.NaN()
			case 1:
				vals[j] = math.Copysign(0, -1)
			default:
				vals[j] = rng.NormFloat64() * 1e3
			}
		}
		var slot [64]uint32
		idx := make([]uint8, 0, 64)
		for j := range slot {
			slot[j] = uint32(rng.IntN(groups))
			if rng.IntN(4) != 0 || iter%3 == 0 {
				idx = append(idx, uint8(j))
			}
		}
		masks := make([]uint64, groups)
		var rows uint64
		for _, j := range idx {
			rows |= 1 << j
		}
		GroupMasks(masks, &slot, rows)
		for g := range masks {
			var want uint64
			for _, j := range idx {
				if slot[j] == uint32(g) {
					want |= 1 << j
				}
			}
			require.Equal(t, want, masks[g], "iter %d group %d", iter, g)
		}
		init := make([]float64, 8*groups)
		for i := range init {
			init[i] = float64(rng.IntN(100))
		}
		got, want := slices.Clone(init), slices.Clone(init)
		nnGot := SumMasked(&vals, masks, got)
		nnWant := sumMasked(&vals, masks, want)
		require.Equal(t, nnWant, nnGot)
		for i := range got {
			require.Equal(t, math.Float64bits(want[i]), math.Float64bits(got[i]), "iter %d acc %d", iter, i)
		}
		// Against a naive per-group sum (order-independent up to rounding).
		for g := 0; g < groups; g++ {
			naive, sum := 0.0, 0.0
			for _, j := range idx {
				if slot[j] == uint32(g) && vals[j] == vals[j] {
					naive += vals[j]
				}
			}
			for l := 0; l < 8; l++ {
				sum += got[8*g+l] - init[8*g+l]
			}
			require.InDelta(t, naive, sum, 1e-6*(1+math.Abs(naive)))
			n := make([]int64, 8*groups)
			CountMasked(masks, nnGot, n)
			cnt := 0
			for _, j := range idx {
				if slot[j] == uint32(g) && vals[j] == vals[j] {
					cnt++
				}
			}
			require.Equal(t, int64(cnt), n[8*g])
		}
	}
}

func BenchmarkSumMasked(b *testing.B) {
	rng := rand.New(rand.NewPCG(10, 10))
	for _, groups := range []int{1, 4, 12} {
		vals, slot, masks, acc := groupSumInput(rng, groups)
		b.Run(fmt.Sprintf("groups=%d/simd", groups), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				SumMasked(&vals, masks, acc)
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
		b.Run(fmt.Sprintf("groups=%d/go", groups), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sumMasked(&vals, masks, acc)
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
		b.Run(fmt.Sprintf("groups=%d/rowloop", groups), func(b *testing.B) {
			f := make([]float64, 4*groups)
			b.ReportAllocs()
			for b.Loop() {
				rowLoopSum(&vals, &slot, f)
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
	}
}

// groupSumInput returns a block of 64 random values spread over groups
// groups, its group masks and zeroed accumulators.
func groupSumInput(rng *rand.Rand, groups int) (vals [64]float64, slot [64]uint32, masks []uint64, acc []float64) {
	for j := range vals {
		vals[j] = rng.Float64()
		slot[j] = uint32(rng.IntN(groups))
	}
	masks = make([]uint64, groups)
	GroupMasks(masks, &slot, ^uint64(0))
	return vals, slot, masks, make([]float64, 8*groups)
}

// rowLoopSum is the per-row loop the grouped-sum kernel replaces (four
// interleaved lanes per group in f), what the engine runs without it.
func rowLoopSum(vals *[64]float64, slot *[64]uint32, f []float64) {
	for j, v := range vals {
		if v == v {
			f[slot[j]<<2|uint32(j&3)] += v
		}
	}
}

func TestGatherF64(t *testing.T) { checkGatherF64(t) }

func checkGatherF64(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	for _, size := range []int{1, 12, 51, 1000, 1 << 20} {
		nums := make([]float64, size)
		for i := range nums {
			nums[i] = rng.NormFloat64()
		}
		var codes [64]uint32
		for j := range codes {
			codes[j] = uint32(rng.IntN(size))
		}
		codes[0], codes[63] = uint32(size-1), 0
		var out [64]float64
		GatherF64(nums, &codes, &out)
		for j, c := range codes {
			require.Equal(t, nums[c], out[j])
		}
	}
}

func BenchmarkGatherF64(b *testing.B) {
	rng := rand.New(rand.NewPCG(12, 12))
	for _, size := range []int{12, 1 << 20} {
		nums := make([]float64, size)
		const blocks = 1 << 12
		codes := make([][64]uint32, blocks)
		for i := range codes {
			for j := range codes[i] {
				codes[i][j] = uint32(rng.IntN(size))
			}
		}
		var out [64]float64
		b.Run(fmt.Sprintf("table=%d/simd", size), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				GatherF64(nums, &codes[i&(blocks-1)], &out)
				i++
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
		b.Run(fmt.Sprintf("table=%d/go", size), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				for j, c := range &codes[i&(blocks-1)] {
					out[j] = nums[c]
				}
				i++
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds()/1e9, "Grows/s")
		})
	}
}
