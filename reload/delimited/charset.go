package delimited

import (
	"bytes"
	"unicode/utf8"
)

//go:generate python3 gen_codepages.py

// decoder converts the raw bytes of a non-UTF-8 input to UTF-8. Decoding is
// stateless at line starts, which is what lets parallel chunks, each starting
// at a line start, decode independently.
type decoder interface {
	// decode appends the UTF-8 form of src to dst. It returns dst and the
	// number of bytes of src consumed: an incomplete code unit or surrogate
	// pair at the end of src is left for the next call unless final is set.
	decode(dst, src []byte, final bool) ([]byte, int)
	// rawLen returns the number of raw bytes that decode to text, which must
	// be the output of decode.
	rawLen(text []byte) int
	// unit returns the size of a code unit in bytes (1 or 2).
	unit() int
	// isNewline reports whether the code unit at the start of b (len(b) >=
	// unit()) is a line feed.
	isNewline(b []byte) bool
	// maxExpansion bounds the UTF-8 bytes produced per raw byte.
	maxExpansion() int
}

// boms lists the byte order marks recognized at the start of the input.
var boms = []struct {
	mark []byte
	cp   Codepage
}{
	{[]byte{0xEF, 0xBB, 0xBF}, CodepageUTF8},
	{[]byte{0xFF, 0xFE}, CodepageUTF16LE},
	{[]byte{0xFE, 0xFF}, CodepageUTF16BE},
}

// sniffBOM returns the code page announced by a byte order mark at the start
// of head and the length of the mark, or (declared, 0) when there is none.
func sniffBOM(head []byte, declared Codepage) (Codepage, int) {
	for _, b := range boms {
		if bytes.HasPrefix(head, b.mark) {
			return b.cp, len(b.mark)
		}
	}
	return declared, 0
}

// newDecoder returns the decoder for cp, or nil for UTF-8, which is passed
// through unchanged (invalid UTF-8 sequences included).
func newDecoder(cp Codepage) decoder {
	switch cp {
	case 0, CodepageUTF8:
		return nil
	case CodepageUTF16LE:
		return utf16Decoder{bigEndian: false}
	case CodepageUTF16BE:
		return utf16Decoder{bigEndian: true}
	}
	t := singleByteTables[cp]
	if t == nil {
		panic("BUG: newDecoder called with an unsupported code page")
	}
	return singleByteDecoder{table: t}
}

// singleByteDecoder decodes a code page that maps every byte to one rune and
// bytes below 0x80 to ASCII.
type singleByteDecoder struct {
	table *[128]rune
}

func (d singleByteDecoder) decode(dst, src []byte, _ bool) ([]byte, int) {
	i := 0
	for i < len(src) {
		// Copy the run of ASCII bytes in one go.
		j := i
		for j < len(src) && src[j] < utf8.RuneSelf {
			j++
		}
		dst = append(dst, src[i:j]...)
		if j == len(src) {
			break
		}
		dst = utf8.AppendRune(dst, d.table[src[j]-0x80])
		i = j + 1
	}
	return dst, len(src)
}

func (singleByteDecoder) rawLen(text []byte) int { return utf8.RuneCount(text) }

func (singleByteDecoder) unit() int { return 1 }

func (singleByteDecoder) isNewline(b []byte) bool { return b[0] == '\n' }

func (singleByteDecoder) maxExpansion() int { return 3 }

// utf16Decoder decodes UTF-16. A unit that is an unpaired surrogate becomes
// U+FFFD, as does an odd final byte.
type utf16Decoder struct {
	bigEndian bool
}

func (d utf16Decoder) u16(b []byte) rune {
	if d.bigEndian {
		return rune(b[0])<<8 | rune(b[1])
	}
	return rune(b[1])<<8 | rune(b[0])
}

func (d utf16Decoder) decode(dst, src []byte, final bool) ([]byte, int) {
	i := 0
	for ; i+1 < len(src); i += 2 {
		u := d.u16(src[i:])
		switch {
		case u < utf8.RuneSelf:
			dst = append(dst, byte(u))
		case u >= 0xD800 && u < 0xDC00:
			if i+3 >= len(src) {
				if !final {
					return dst, i
				}
				dst = utf8.AppendRune(dst, utf8.RuneError)
				continue
			}
			lo := d.u16(src[i+2:])
			if lo < 0xDC00 || lo >= 0xE000 {
				dst = utf8.AppendRune(dst, utf8.RuneError)
				continue
			}
			dst = utf8.AppendRune(dst, 0x10000+(u-0xD800)<<10+(lo-0xDC00))
			i += 2
		case u >= 0xDC00 && u < 0xE000:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		default:
			dst = utf8.AppendRune(dst, u)
		}
	}
	if i < len(src) {
		if !final {
			return dst, i
		}
		dst = utf8.AppendRune(dst, utf8.RuneError)
		i++
	}
	return dst, i
}

func (utf16Decoder) rawLen(text []byte) int {
	n := 0
	for len(text) > 0 {
		r, size := utf8.DecodeRune(text)
		text = text[size:]
		if r >= 0x10000 {
			n += 4
		} else {
			n += 2
		}
	}
	return n
}

func (utf16Decoder) unit() int { return 2 }

func (d utf16Decoder) isNewline(b []byte) bool { return d.u16(b) == '\n' }

func (utf16Decoder) maxExpansion() int { return 2 }
