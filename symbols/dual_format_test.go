package symbols

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// formatNumberRef is FormatNumber as first written, with strings: the
// oracle for AppendNumber.
func formatNumberRef(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case f == 0:
		return "0"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	a := math.Abs(f)
	if a >= 1e15 || a < 1e-5 {
		s := strconv.FormatFloat(f, 'e', 13, 64)
		mant, exp, _ := strings.Cut(s, "e")
		if strings.Contains(mant, ".") {
			mant = strings.TrimRight(mant, "0")
			mant = strings.TrimSuffix(mant, ".")
		}
		return mant + "e" + exp
	}
	digits := int(math.Floor(math.Log10(a))) + 1
	dec := max(14-digits, 0)
	s := strconv.FormatFloat(f, 'f', dec, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

func TestAppendNumberMatchesReference(t *testing.T) {
	fixed := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e15, -1e15, 1e15 - 1, 1e-5, 9.99e-6, 1e300, -1e-300,
		math.NaN(), math.Inf(1), math.Inf(-1), 123456.789, 0.1 + 0.2, 1.5e-7, 2e20, -4.25e-9, 99999999999999.99,
		-0.000012345, math.MaxFloat64, math.SmallestNonzeroFloat64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var f float64
		switch r.IntN(4) {
		case 0:
			f = math.Float64frombits(r.Uint64())
		case 1:
			f = float64(r.IntN(10_000_000)) / 100
		case 2:
			f = (r.Float64() - 0.5) * math.Pow(10, float64(r.IntN(40)-20))
		default:
			f = float64(r.Int64N(1<<53) - 1<<52)
		}
		fixed = append(fixed, f)
	}
	buf := []byte("prefix")
	for _, f := range fixed {
		want := formatNumberRef(f)
		if got := FormatNumber(f); got != want {
			t.Fatalf("FormatNumber(%v) = %q, want %q", f, got, want)
		}
		if got := string(AppendNumber(buf, f)); got != "prefix"+want {
			t.Fatalf("AppendNumber(%v) = %q, want %q", f, got, "prefix"+want)
		}
	}
}
