package symbols

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUnpackKernels compares the block decoder (SIMD where the CPU has it)
// with the scalar one and with plain bit arithmetic at every width, on the
// last block of a slice so reads past it would show.
func TestUnpackKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for w := 1; w <= 32; w++ {
		for round := 0; round < 20; round++ {
			blocks := 1 + rng.IntN(3)
			words := make([]uint64, blocks*w+1) // one padding word, as columns have
			for i := range words[:blocks*w] {
				words[i] = rng.Uint64()
			}
			for blk := 0; blk < blocks; blk++ {
				var got, scalar [64]uint32
				UnpackBlock(&got, words, w, blk)
				unpack64Scalar(&scalar, words[blk*w:], w)
				for i := 0; i < 64; i++ {
					bit := uint(blk*64*w + i*w)
					k, off := bit>>6, bit&63
					v := words[k] >> off
					if off+uint(w) > 64 {
						v |= words[k+1] << (64 - off)
					}
					want := uint32(v & (1<<uint(w) - 1))
					require.Equal(t, want, got[i], "w=%d block %d code %d", w, blk, i)
					require.Equal(t, want, scalar[i], "scalar w=%d block %d code %d", w, blk, i)
				}
			}
		}
	}
}

func BenchmarkUnpackBlock(b *testing.B) {
	for _, w := range []int{3, 6, 11, 17, 25, 30} {
		words := make([]uint64, 1024*w+1)
		rng := rand.New(rand.NewPCG(1, uint64(w)))
		for i := range words {
			words[i] = rng.Uint64()
		}
		var dst [64]uint32
		b.Run(fmt.Sprintf("w=%d", w), func(b *testing.B) {
			b.SetBytes(64 * 4 * 1024)
			b.ReportAllocs()
			for b.Loop() {
				for blk := 0; blk < 1024; blk++ {
					UnpackBlock(&dst, words, w, blk)
				}
			}
		})
		b.Run(fmt.Sprintf("scalar/w=%d", w), func(b *testing.B) {
			b.SetBytes(64 * 4 * 1024)
			b.ReportAllocs()
			for b.Loop() {
				for blk := 0; blk < 1024; blk++ {
					unpack64Scalar(&dst, words[blk*w:], w)
				}
			}
		})
	}
}

func TestGatherMatchesCode(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	for _, maxCode := range []uint32{1, 7, 200, 255, 256, 4000, 65535, 65536, 1 << 20, 1<<32 - 1} {
		for _, p := range []Policy{Compact, Bytes} {
			n := 1 + rng.IntN(3000)
			codes := make([]uint32, n)
			for i := range codes {
				codes[i] = uint32(rng.Uint64N(uint64(maxCode) + 1))
			}
			c := Pack(codes, maxCode, p)
			rows := make([]int32, rng.IntN(200))
			for i := range rows {
				rows[i] = int32(rng.IntN(n))
			}
			rows = append(rows, 0, int32(n-1))
			got := make([]uint32, len(rows)+3)
			c.Gather(rows, got)
			for i, r := range rows {
				require.Equal(t, codes[r], got[i], "max %d policy %d row %d", maxCode, p, r)
			}
		}
	}
}
