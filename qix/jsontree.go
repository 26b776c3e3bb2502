package qix

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Generic-object properties are free JSON that must round-trip unknown keys,
// so they are kept as a tree of plain values:
//
//	nil, bool, string, jsonNumber, []any, *jsonObject
//
// plus, in layouts only, the output-only values float64, int, int64 and
// rawJSON (pre-encoded text). Objects keep their key order, so GetProperties
// and GetLayout list keys in the order a client set them.

// jsonNumber is a JSON number kept as its source text, so that numbers in
// properties round-trip exactly.
type jsonNumber string

// rawJSON is pre-encoded JSON text copied verbatim into a response.
type rawJSON []byte

// jsonObject is a JSON object that keeps its key order.
type jsonObject struct {
	keys []string
	vals []any
}

func newObj(capacity int) *jsonObject {
	return &jsonObject{keys: make([]string, 0, capacity), vals: make([]any, 0, capacity)}
}

// Len returns the number of keys.
func (o *jsonObject) Len() int {
	if o == nil {
		return 0
	}
	return len(o.keys)
}

func (o *jsonObject) index(k string) int {
	if o == nil {
		return -1
	}
	for i, key := range o.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// Get returns the value of key k and whether it is present.
func (o *jsonObject) Get(k string) (any, bool) {
	i := o.index(k)
	if i < 0 {
		return nil, false
	}
	return o.vals[i], true
}

// Set sets key k, keeping its position when it already exists.
func (o *jsonObject) Set(k string, v any) *jsonObject {
	if i := o.index(k); i >= 0 {
		o.vals[i] = v
		return o
	}
	o.keys = append(o.keys, k)
	o.vals = append(o.vals, v)
	return o
}

// Delete removes key k.
func (o *jsonObject) Delete(k string) {
	if i := o.index(k); i >= 0 {
		o.keys = append(o.keys[:i], o.keys[i+1:]...)
		o.vals = append(o.vals[:i], o.vals[i+1:]...)
	}
}

// obj returns the object under key k, or nil.
func (o *jsonObject) obj(k string) *jsonObject {
	v, _ := o.Get(k)
	x, _ := v.(*jsonObject)
	return x
}

// str returns the string under key k, or "".
func (o *jsonObject) str(k string) string {
	v, _ := o.Get(k)
	s, _ := v.(string)
	return s
}

// arr returns the array under key k, or nil.
func (o *jsonObject) arr(k string) []any {
	v, _ := o.Get(k)
	a, _ := v.([]any)
	return a
}

// boolean returns the bool under key k, or false.
func (o *jsonObject) boolean(k string) bool {
	v, _ := o.Get(k)
	b, _ := v.(bool)
	return b
}

// integer returns the number under key k as an int, or def when absent or
// not an integral number.
func (o *jsonObject) integer(k string, def int) int {
	v, _ := o.Get(k)
	if n, ok := v.(jsonNumber); ok {
		if i, ok := n.int(); ok {
			return i
		}
	}
	return def
}

// int converts n to an int32-range integer.
func (n jsonNumber) int() (int, bool) {
	if i, err := strconv.ParseInt(string(n), 10, 32); err == nil {
		return int(i), true
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt32 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// float converts n to a float64.
func (n jsonNumber) float() (float64, bool) {
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return f, true
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// clone deep-copies a tree value.
func clone(v any) any {
	switch x := v.(type) {
	case *jsonObject:
		if x == nil {
			return (*jsonObject)(nil)
		}
		n := &jsonObject{keys: append([]string(nil), x.keys...), vals: make([]any, len(x.vals))}
		for i, e := range x.vals {
			n.vals[i] = clone(e)
		}
		return n
	case []any:
		n := make([]any, len(x))
		for i, e := range x {
			n[i] = clone(e)
		}
		return n
	}
	return v
}

// maxDepth bounds the nesting of parsed JSON, so that hostile input cannot
// exhaust the stack.
const maxDepth = 256

// jsonSyntaxError is a JSON syntax error with its position.
type jsonSyntaxError struct {
	Offset    int // byte offset
	Line, Col int // 1-based; Col counts bytes
	Msg       string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s", e.Line, e.Col, e.Msg)
}

// parseJSON parses one JSON value that must fill data (whitespace aside).
func parseJSON(data []byte) (any, error) {
	p := &parser{data: data}
	p.skipWS()
	v := p.value(0)
	if p.err == nil {
		p.skipWS()
		if p.pos < len(p.data) {
			p.fail("unexpected data after the value")
		}
	}
	if p.err != nil {
		return nil, p.err
	}
	return v, nil
}

// parser is a recursive-descent JSON parser (RFC 8259) producing the tree
// types above. Strings must be valid UTF-8.
type parser struct {
	data []byte
	pos  int
	err  *jsonSyntaxError
}

func (p *parser) fail(format string, args ...any) {
	if p.err != nil {
		return
	}
	line, col := 1, 1
	for i := 0; i < p.pos && i < len(p.data); i++ {
		if p.data[i] == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	p.err = &jsonSyntaxError{Offset: p.pos, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipWS() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value := object | array | string | number | "true" | "false" | "null"
func (p *parser) value(depth int) any {
	if depth > maxDepth {
		p.fail("nesting deeper than %d levels", maxDepth)
		return nil
	}
	if p.pos >= len(p.data) {
		p.fail("unexpected end of input")
		return nil
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		return p.string()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case c == 't':
		return p.literal("true", true)
	case c == 'f':
		return p.literal("false", false)
	case c == 'n':
		return p.literal("null", nil)
	default:
		p.fail("unexpected character %q", rune(c))
		return nil
	}
}

func (p *parser) literal(word string, v any) any {
	if len(p.data)-p.pos < len(word) || string(p.data[p.pos:p.pos+len(word)]) != word {
		p.fail("invalid literal, expected %s", word)
		return nil
	}
	p.pos += len(word)
	return v
}

// object := '{' [ string ':' value { ',' string ':' value } ] '}'
func (p *parser) object(depth int) any {
	p.pos++ // '{'
	o := newObj(4)
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return o
	}
	for p.err == nil {
		p.skipWS()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			p.fail("expected a string key")
			return nil
		}
		k := p.string()
		p.skipWS()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			p.fail("expected ':' after key %q", k)
			return nil
		}
		p.pos++
		p.skipWS()
		v := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		o.Set(k, v)
		p.skipWS()
		if p.pos >= len(p.data) {
			p.fail("unterminated object")
			return nil
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return o
		default:
			p.fail("expected ',' or '}' in object")
			return nil
		}
	}
	return nil
}

// array := '[' [ value { ',' value } ] ']'
func (p *parser) array(depth int) any {
	p.pos++ // '['
	a := []any{}
	p.skipWS()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return a
	}
	for p.err == nil {
		p.skipWS()
		v := p.value(depth + 1)
		if p.err != nil {
			return nil
		}
		a = append(a, v)
		p.skipWS()
		if p.pos >= len(p.data) {
			p.fail("unterminated array")
			return nil
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return a
		default:
			p.fail("expected ',' or ']' in array")
			return nil
		}
	}
	return nil
}

// number := [ '-' ] int [ frac ] [ exp ]
func (p *parser) number() any {
	start := p.pos
	d := p.data
	if d[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(d) && d[p.pos] >= '0' && d[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(d) && d[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		p.fail("invalid number")
		return nil
	}
	if p.pos < len(d) && d[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			p.fail("invalid number: no digits after '.'")
			return nil
		}
	}
	if p.pos < len(d) && (d[p.pos] == 'e' || d[p.pos] == 'E') {
		p.pos++
		if p.pos < len(d) && (d[p.pos] == '+' || d[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			p.fail("invalid number: no digits in exponent")
			return nil
		}
	}
	return jsonNumber(d[start:p.pos])
}

// string := '"' { char | escape } '"'
func (p *parser) string() string {
	p.pos++ // '"'
	d := p.data
	start := p.pos
	// Fast path: no escapes, all ASCII or valid UTF-8.
	for p.pos < len(d) {
		c := d[p.pos]
		if c == '"' {
			s := d[start:p.pos]
			if !utf8.Valid(s) {
				p.fail("string is not valid UTF-8")
				return ""
			}
			p.pos++
			return string(s)
		}
		if c == '\\' || c < 0x20 {
			break
		}
		p.pos++
	}
	buf := append([]byte(nil), d[start:p.pos]...)
	for p.pos < len(d) {
		c := d[p.pos]
		switch {
		case c == '"':
			p.pos++
			if !utf8.Valid(buf) {
				p.fail("string is not valid UTF-8")
				return ""
			}
			return string(buf)
		case c < 0x20:
			p.fail("control character in string")
			return ""
		case c == '\\':
			p.pos++
			if p.pos >= len(d) {
				p.fail("unterminated escape")
				return ""
			}
			e := d[p.pos]
			p.pos++
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return ""
				}
				if utf16.IsSurrogate(r) {
					// A high surrogate takes the low one that follows; a
					// lone surrogate becomes U+FFFD, as encoding/json does.
					low := rune(-1)
					if r < 0xdc00 && p.pos+5 < len(d) && d[p.pos] == '\\' && d[p.pos+1] == 'u' {
						save := p.pos
						p.pos += 2
						if low, ok = p.hex4(); !ok {
							return ""
						}
						if low < 0xdc00 || low > 0xdfff {
							p.pos, low = save, -1
						}
					}
					r = utf16.DecodeRune(r, low)
				}
				buf = utf8.AppendRune(buf, r)
			default:
				p.fail("invalid escape \\%c", e)
				return ""
			}
		default:
			buf = append(buf, c)
			p.pos++
		}
	}
	p.fail("unterminated string")
	return ""
}

func (p *parser) hex4() (rune, bool) {
	if len(p.data)-p.pos < 4 {
		p.fail("short \\u escape")
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			p.fail("invalid hex digit in \\u escape")
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	p.pos += 4
	return r, true
}
