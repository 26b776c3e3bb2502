package delimited

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIndexTerm checks the SWAR scan against the byte-by-byte reference at
// edge lengths, every start offset and every position of the terminator,
// with look-alike bytes (delimiter ± 1, 0x80 | delimiter) around it.
func TestIndexTerm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	fillers := []byte{'a', ',' - 1, ',' + 1, 0x80 | ',', 0x80 | '\n', '\n' - 1, 0, 0xff}
	for _, n := range []int{0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1023, 1024, 1025} {
		for trial := range 20 {
			buf := make([]byte, n)
			for i := range buf {
				buf[i] = fillers[rng.IntN(len(fillers))]
			}
			if n > 0 && trial%4 != 0 {
				buf[rng.IntN(n)] = ",\n"[trial%2]
			}
			for from := 0; from <= n; from++ {
				require.Equal(t, indexTermRef(buf, from, ','), indexTerm(buf, from, ','), "n=%d from=%d buf=%x", n, from, buf)
			}
		}
	}
}

// TestScanFields checks the fast field splitter against the reference parser
// on random lines of plain fields of every length around the word size.
func TestScanFields(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for range 2000 {
		var in []byte
		for range 1 + rng.IntN(6) {
			for f := range 1 + rng.IntN(12) {
				if f > 0 {
					in = append(in, ',')
				}
				for range rng.IntN(20) {
					in = append(in, "ab\r\x80"[rng.IntN(4)])
				}
			}
			in = append(in, '\n')
		}
		if rng.IntN(2) == 0 {
			in = in[:len(in)-1]
		}
		want := read(t, string(in), Format{Labels: LabelsNone}, Options{reference: true}, false)
		got := read(t, string(in), Format{Labels: LabelsNone}, Options{}, false)
		require.Equal(t, want, got, "%q", in)
	}
}
