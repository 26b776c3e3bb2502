package delimited

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// encodeUTF16 encodes s (valid UTF-8) as UTF-16 with an optional BOM.
func encodeUTF16(s string, bigEndian, bom bool) string {
	units := utf16.Encode([]rune(s))
	if bom {
		units = append([]uint16{0xFEFF}, units...)
	}
	b := make([]byte, 0, 2*len(units))
	for _, u := range units {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	return string(b)
}

func TestCharsets(t *testing.T) {
	text := "name,sym\r\n€uro,\"a,\n𝄞\"\r\nåäö,日本\r\n"
	want := [][]string{{"€uro", "a,\n𝄞"}, {"åäö", "日本"}}
	cases := []struct {
		name string
		in   string
		cp   Codepage
		rows [][]string
	}{
		{name: "utf-16le bom", in: encodeUTF16(text, false, true), rows: want},
		{name: "utf-16be bom", in: encodeUTF16(text, true, true), rows: want},
		{name: "utf-16le declared", in: encodeUTF16(text, false, false), cp: CodepageUTF16LE, rows: want},
		{name: "utf-16be declared", in: encodeUTF16(text, true, false), cp: CodepageUTF16BE, rows: want},
		{name: "bom wins over declared code page", in: encodeUTF16(text, false, true), cp: CodepageANSI, rows: want},
		{name: "utf-8 bom wins over utf-16", in: "\xef\xbb\xbf" + text, cp: CodepageUTF16LE, rows: want},
		{name: "utf-8 declared", in: text, cp: CodepageUTF8, rows: want},
		{name: "ansi", in: "name,sym\n\x80uro,\xe5\xe4\xf6\x81\n", cp: CodepageANSI, rows: [][]string{{"€uro", "åäö\u0081"}}},
		{name: "latin-1", in: "name,sym\n\x80,\xe9\n", cp: CodepageLatin1, rows: [][]string{{"\u0080", "é"}}},
		{name: "oem 437", in: "name,sym\n\x82t\x82,\xb0\n", cp: CodepageOEM, rows: [][]string{{"été", "░"}}},
		{name: "oem 850", in: "name,sym\n\x82,\xd4\n", cp: 850, rows: [][]string{{"é", "È"}}},
		{name: "mac", in: "name,sym\n\x8e,\xa5\n", cp: CodepageMac, rows: [][]string{{"é", "•"}}},
		{name: "cyrillic 1251", in: "name,sym\n\xcf\xf0\xe8\xe2\xe5\xf2,x\n", cp: 1251, rows: [][]string{{"Привет", "x"}}},
		{name: "undefined byte", in: "name,sym\n\x81,x\n", cp: 1250, rows: [][]string{{"\ufffd", "x"}}},
		{name: "utf-16 lone surrogates", in: encodeUTF16("name,sym\n", false, true) + "\x00\xd8,\x00" + "\x00\xdcx\x00\n\x00", rows: [][]string{{"\ufffd", "\ufffdx"}}},
		{name: "utf-16 odd final byte", in: encodeUTF16("name,sym\nx,y", false, true) + "z", rows: [][]string{{"x", "y\ufffd"}}},
		{name: "utf-16 ctrl-z", in: encodeUTF16("name,sym\nx,y\n\x1aq,r\n", false, true), rows: [][]string{{"x", "y"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := readAll(t, c.in, Format{Codepage: c.cp}, allConfigs, Options{})
			require.Empty(t, got.Err)
			require.Equal(t, []string{"name", "sym"}, got.Names)
			require.Equal(t, c.rows, got.Rows)
		})
	}
}

func TestCodepageTables(t *testing.T) {
	for cp, table := range singleByteTables {
		require.True(t, cp.Supported())
		for i, r := range table {
			require.True(t, utf8.ValidRune(r), "code page %d byte %#x", cp, i+0x80)
		}
	}
	require.True(t, Codepage(0).Supported())
	require.False(t, Codepage(932).Supported())
	// Spot checks against the published tables.
	require.Equal(t, '€', singleByteTables[1252][0x80-0x80])
	require.Equal(t, 'ÿ', singleByteTables[1252][0xff-0x80])
	require.Equal(t, 'Ç', singleByteTables[437][0x80-0x80])
	require.Equal(t, 'Ä', singleByteTables[10000][0x80-0x80])
	require.Equal(t, '€', singleByteTables[28605][0xa4-0x80])
}

// TestDecoders checks that decoding in pieces equals decoding at once and
// that rawLen inverts decode, for random input.
func TestDecoders(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for _, cp := range []Codepage{CodepageUTF16LE, CodepageUTF16BE, CodepageANSI, CodepageOEM, CodepageMac, 1251} {
		dec := newDecoder(cp)
		for range 200 {
			raw := make([]byte, rng.IntN(64))
			for i := range raw {
				raw[i] = byte(rng.IntN(256))
				if rng.IntN(4) == 0 {
					raw[i] = 0xD8 + byte(rng.IntN(8)) // surrogates
				}
			}
			whole, used := dec.decode(nil, raw, true)
			require.Equal(t, len(raw), used)
			require.True(t, utf8.Valid(whole))
			if len(raw)%dec.unit() == 0 {
				require.Equal(t, len(raw), dec.rawLen(whole), "code page %d, %x", cp, raw)
			}
			var piece []byte
			pending := []byte{}
			for i := 0; i < len(raw); {
				n := min(1+rng.IntN(5), len(raw)-i)
				pending = append(pending, raw[i:i+n]...)
				i += n
				var u int
				piece, u = dec.decode(piece, pending, i == len(raw))
				pending = append([]byte{}, pending[u:]...)
			}
			require.Equal(t, string(whole), string(piece), "code page %d, %x", cp, raw)
		}
	}
}

func TestSniffBOM(t *testing.T) {
	for _, c := range []struct {
		head string
		cp   Codepage
		n    int
	}{
		{"\xef\xbb\xbfa", CodepageUTF8, 3}, {"\xff\xfea", CodepageUTF16LE, 2}, {"\xfe\xffa", CodepageUTF16BE, 2},
		{"\xef\xbb", 1252, 0}, {"abc", 1252, 0}, {"", 1252, 0},
	} {
		cp, n := sniffBOM([]byte(c.head), 1252)
		require.Equal(t, c.cp, cp, "%q", c.head)
		require.Equal(t, c.n, n, "%q", c.head)
	}
}

// TestUTF16Parallel reads a multi-megabyte UTF-16 file with multi-line fields
// in small parallel chunks.
func TestUTF16Parallel(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("id,text\n")
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		sb.WriteString(strings.Repeat("x", rng.IntN(5)))
		sb.WriteString(",")
		switch rng.IntN(4) {
		case 0:
			sb.WriteString("\"𝄞 multi\nline, \"\"quoted\"\"\n𝄞\"")
		case 1:
			sb.WriteString("日本語")
		default:
			sb.WriteString("plain")
		}
		if i%7 == 0 {
			sb.WriteString("\r")
		}
		sb.WriteString("\n")
	}
	for _, be := range []bool{false, true} {
		in := encodeUTF16(sb.String(), be, true)
		want := read(t, sb.String(), Format{}, Options{}, false)
		got := readAll(t, in, Format{}, bigConfigs, Options{})
		require.Equal(t, want, got)
		require.Len(t, got.Rows, 3000)
	}
}
