package script

import (
	"strings"
	"testing"
)

// largestScript returns the largest of the real (qlik-oss) scripts under
// testdata/scripts.
func largestScript(b *testing.B) (string, string) {
	var name, src string
	for n, s := range realScripts(b) {
		if !strings.HasPrefix(n, "assoc_") && len(s) > len(src) {
			name, src = n, s
		}
	}
	return name, src
}

func BenchmarkParse(b *testing.B) {
	name, src := largestScript(b)
	b.Run("script="+name, func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := Parse(src); err != nil {
				b.Fatal(err)
			}
		}
	})
	all := realScripts(b)["assoc_all-statements"]
	b.Run("script=assoc_all-statements", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(all)))
		for b.Loop() {
			if _, err := Parse(all); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkFormat(b *testing.B) {
	s, err := Parse(realScripts(b)["assoc_all-statements"])
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = Format(s)
	}
}
