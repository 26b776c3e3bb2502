package symbols

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var fsstWords = strings.Fields("the quick brown fox jumps over lazy dogs carefully final deposits " +
	"sleep furiously among ironic packages regular accounts boost blithely special requests " +
	"nag slyly pending theodolites haggle Ünïcödé 東京 naïve café")

// sentence returns words of fsstWords joined by spaces, sometimes with
// a number, punctuation or a control byte.
func sentence(rng *rand.Rand) string {
	var b strings.Builder
	for w := range 2 + rng.IntN(8) {
		if w > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fsstWords[rng.IntN(len(fsstWords))])
		switch rng.IntN(20) {
		case 0:
			fmt.Fprintf(&b, " %d", rng.IntN(100000))
		case 1:
			b.WriteString(". ")
		case 2:
			b.WriteByte(byte(rng.IntN(256)))
		}
	}
	return b.String()
}

func TestFSSTRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var sample [][]byte
	for range 2000 {
		sample = append(sample, []byte(sentence(rng)))
	}
	z := learnFSST(sample)
	require.Positive(t, z.n)
	texts := append([][]byte{nil, {}, {0}, {255}, {255, 255, 0, 1}, bytes.Repeat([]byte("x"), 300)}, sample...)
	for range 2000 {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		texts = append(texts, b, []byte(sentence(rng)+sentence(rng)+sentence(rng)))
	}
	in, out := 0, 0
	for _, s := range texts {
		enc := z.encode(nil, s)
		require.Equal(t, string(s), string(z.decode([]byte("pre"), enc))[3:])
		require.Equal(t, len(s), z.decodedLen(enc))
		in += len(s)
		out += len(enc)
	}
	t.Logf("%d symbols, %d -> %d bytes", z.n, in, out)
}

func TestFreezeCompressesTexts(t *testing.T) {
	// With a text of more than 255 compressed bytes the offsets stay
	// 4-byte; without, they are packed.
	for _, long := range []bool{false, true} {
		t.Run(fmt.Sprint("long=", long), func(t *testing.T) { testFreezeCompresses(t, long) })
	}
}

func testFreezeCompresses(t *testing.T, long bool) {
	rng := rand.New(rand.NewPCG(8, 8))
	tab := NewTable()
	var want []Dual
	seen := map[string]bool{}
	for len(want) < 60000 {
		var d Dual
		switch {
		case len(want)%1000 == 5:
			d = Number(float64(len(want))) // a few numbers among the texts
		case len(want) == 1:
			d = Text("") // an empty text
		case len(want) == 2 && long:
			b := make([]byte, 300)
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			d = Text(string(b))
		default:
			d = Text(sentence(rng))
		}
		if seen[d.Text] {
			continue
		}
		seen[d.Text] = true
		require.Equal(t, uint32(len(want)), tab.Intern(d))
		want = append(want, d)
	}
	plain := int64(len(tab.arena))
	tab.Freeze()
	require.NotNil(t, tab.z)
	require.Equal(t, long, tab.off != nil, "offsets packed")
	require.Less(t, float64(len(tab.arena)), 0.6*float64(plain), "compressed %d of %d bytes", len(tab.arena), plain)
	t.Logf("%d texts: %d -> %d bytes", len(want), plain, len(tab.arena))
	requireFrozenReads(t, tab, want)
}

func TestFreezeKeepsIncompressibleTexts(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tab := NewTable()
	for tab.Len() < 40000 {
		b := make([]byte, 32)
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		tab.InternText(string(b))
	}
	tab.Freeze()
	require.Nil(t, tab.z)
}

func FuzzFSST(f *testing.F) {
	f.Add([]byte("hello world\x00hello there\x00world of hellos"), []byte("hello wor"))
	f.Add([]byte{255, 255, 0, 255}, []byte{255})
	f.Fuzz(func(t *testing.T, corpus, text []byte) {
		z := learnFSST(bytes.Split(corpus, []byte{0}))
		for _, s := range append(bytes.Split(corpus, []byte{0}), text) {
			enc := z.encode(nil, s)
			if got := z.decode(nil, enc); !bytes.Equal(got, s) {
				t.Fatalf("decode(encode(%q)) = %q", s, got)
			}
		}
	})
}
