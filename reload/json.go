package reload

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
	"github.com/assocengine/assoc/symbols"
)

// JSON files hold records as a top-level array of objects or as objects
// one after the other (NDJSON: usually one per line). Following the
// product [Fact, Qlik Cloud "Working with JSON files"], the members of a
// nested object become fields of their own named parent.child; the fields
// are the union of the (flattened) keys of all records in first-seen
// order, and a record without a key has NULL there. Where the product
// makes an array a key to a sub-table loaded with "table is", this engine
// keeps the array's compact JSON text as a text value [Proposed] ("table
// is" is not supported). Strings are texts (never number-interpreted),
// numbers are numbers in their default rendering, true and false are -1
// and 0 (Qlik's truth values), null is NULL.
//
// The file is read twice, streaming: a first pass checks the syntax and
// collects the field names, a second one (one batch ahead on its own
// goroutine) turns the records into columns of values. Errors give the
// line and column in the file.

const (
	jsonBatchRows  = 1 << 14
	jsonBatchBytes = 8 << 20 // a batch ends once its texts hold this much
	jsonMaxDepth   = 512
	jsonMaxFields  = 10000
)

// jsonNode is one key path of the records: the field it is when it holds
// values, and the keys below it when it holds objects.
type jsonNode struct {
	name  string
	field int // index in the field list, -1 before a value is seen
	kids  map[string]*jsonNode
	// order holds the keys below in first-seen order: records usually
	// repeat their members in the same order, so the k-th member of an
	// object is first compared with the k-th key seen.
	order    []*jsonNode
	key      string
	hasValue bool // a value other than null or an object was seen
}

func (n *jsonNode) kid(key, name string) *jsonNode {
	if k, ok := n.kids[key]; ok {
		return k
	}
	if n.kids == nil {
		n.kids = map[string]*jsonNode{}
	}
	k := &jsonNode{name: name, field: -1, key: key}
	n.kids[key] = k
	n.order = append(n.order, k)
	return k
}

// jsonError is a syntax error at a position of the file.
type jsonError struct {
	line, col int64
	msg       string
}

func (e *jsonError) Error() string { return fmt.Sprintf("line %d:%d: %s", e.line, e.col, e.msg) }

// jsonScanner reads a JSON file through a window that slides over it.
type jsonScanner struct {
	r        io.Reader
	buf      []byte
	pos, end int   // unread bytes are buf[pos:end]
	off      int64 // file offset of buf[0]
	eof      bool
	rerr     error
	line     int64 // current line (1-based)
	lineOff  int64 // file offset where the current line starts
	ctx      context.Context
	ticks    int
}

func newJSONScanner(ctx context.Context, r io.Reader) *jsonScanner {
	return &jsonScanner{r: r, buf: make([]byte, 1<<16), line: 1, ctx: ctx}
}

// fill makes at least n bytes available from pos unless the file ends
// first; it reports whether they are.
func (s *jsonScanner) fill(n int) bool {
	for s.end-s.pos < n && !s.eof {
		if s.pos > 0 {
			copy(s.buf, s.buf[s.pos:s.end])
			s.end -= s.pos
			s.off += int64(s.pos)
			s.pos = 0
		}
		if s.end == len(s.buf) {
			nb := make([]byte, 2*len(s.buf))
			copy(nb, s.buf[:s.end])
			s.buf = nb
		}
		k, err := s.r.Read(s.buf[s.end:])
		s.end += k
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.rerr = err
			}
		}
	}
	return s.end-s.pos >= n
}

// errAt returns a syntax error at byte pos+i of the window.
func (s *jsonScanner) errAt(i int, format string, args ...any) error {
	if s.rerr != nil {
		return s.rerr
	}
	at := s.off + int64(s.pos+i)
	return &jsonError{line: s.line, col: at - s.lineOff + 1, msg: fmt.Sprintf(format, args...)}
}

// ws skips blanks and returns the next byte (0 at the end of the file).
func (s *jsonScanner) ws() byte {
	for {
		if s.pos == s.end && !s.fill(1) {
			return 0
		}
		c := s.buf[s.pos]
		switch c {
		case ' ', '\t', '\r':
			s.pos++
		case '\n':
			s.pos++
			s.line++
			s.lineOff = s.off + int64(s.pos)
		default:
			return c
		}
	}
}

// describe names the byte at pos+i for messages.
func (s *jsonScanner) describe(i int) string {
	if !s.fill(i + 1) {
		return "the end of the file"
	}
	c := s.buf[s.pos+i]
	if c >= 0x20 && c < 0x7f {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// jsonParser parses records: in the first pass it collects the key paths
// (b == nil), in the second it stores values in b.
type jsonParser struct {
	s      *jsonScanner
	root   *jsonNode
	fields []*jsonNode
	b      *jsonBatch
	key    []byte // decoded key
	numTok []byte // the last number's text (valid until the window moves)
	tmp    []byte
	depth  int
}

// records parses the whole file (first pass) or the next records up to a
// batch (second pass); top tells whether the file is one array.
//
//	file := ws ( "[" ws [ object { ws "," ws object } ] ws "]" | { object ws } ) ws EOF
func (p *jsonParser) header() (array bool, err error) {
	s := p.s
	if s.fill(3) && s.buf[s.pos] == 0xEF && s.buf[s.pos+1] == 0xBB && s.buf[s.pos+2] == 0xBF {
		s.pos += 3
		s.lineOff = 3
	}
	switch c := s.ws(); c {
	case '[':
		s.pos++
		return true, nil
	case '{', 0:
		return false, nil
	}
	return false, s.errAt(0, "a JSON file of records starts with '[' or '{', not %s", s.describe(0))
}

// nextRecord parses one record; ok is false at the end of the records.
//
//	in an array:  [ "," ] ws object   (the comma before all but the first)
//	otherwise:    ws object
func (p *jsonParser) nextRecord(array bool, first bool) (ok bool, err error) {
	s := p.s
	c := s.ws()
	if array {
		if c == ']' {
			s.pos++
			if c := s.ws(); c != 0 {
				return false, s.errAt(0, "unexpected %s after the top-level array", s.describe(0))
			}
			return false, s.rerr
		}
		if c == 0 {
			return false, s.errAt(0, "the top-level array is not closed (missing ']')")
		}
		if !first {
			if c != ',' {
				return false, s.errAt(0, "expected ',' or ']' after a record, found %s", s.describe(0))
			}
			s.pos++
			c = s.ws()
		}
		if c == 0 {
			return false, s.errAt(0, "the top-level array is not closed (missing ']')")
		}
	} else if c == 0 {
		return false, s.rerr
	}
	if c != '{' {
		return false, s.errAt(0, "a record must be a JSON object, found %s", s.describe(0))
	}
	if p.b != nil {
		p.b.startRow()
	}
	if err := p.object(p.root, ""); err != nil {
		return false, err
	}
	s.ticks++
	if s.ticks&1023 == 0 && s.ctx != nil {
		if err := s.ctx.Err(); err != nil {
			return false, err
		}
	}
	return true, nil
}

// object parses an object whose members are fields below node n.
//
//	object := "{" ws [ member { ws "," ws member } ] ws "}"
//	member := string ws ":" ws value
func (p *jsonParser) object(n *jsonNode, prefix string) error {
	s := p.s
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > jsonMaxDepth {
		return s.errAt(0, "objects and arrays nested more than %d deep", jsonMaxDepth)
	}
	s.pos++ // '{'
	c := s.ws()
	if c == '}' {
		s.pos++
		return nil
	}
	for m := 0; ; m++ {
		if c != '"' {
			return s.errAt(0, "expected a member name in quotes, found %s", s.describe(0))
		}
		if err := p.keyString(); err != nil {
			return err
		}
		if c = s.ws(); c != ':' {
			return s.errAt(0, "expected ':' after the member name %q, found %s", p.key, s.describe(0))
		}
		s.pos++
		c = s.ws()
		var kid *jsonNode
		if m < len(n.order) && n.order[m].key == string(p.key) {
			kid = n.order[m]
		} else {
			kid = n.kids[string(p.key)]
		}
		if p.b == nil {
			if kid == nil {
				name := string(p.key)
				if prefix != "" {
					name = prefix + "." + name
				}
				kid = n.kid(string(p.key), name)
			}
		} else {
			if kid == nil {
				return s.errAt(0, "the file changed while it was read")
			}
		}
		if c == '{' {
			if err := p.object(kid, kid.name); err != nil {
				return err
			}
		} else {
			if err := p.value(kid); err != nil {
				return err
			}
		}
		switch c = s.ws(); c {
		case ',':
			s.pos++
			c = s.ws()
		case '}':
			s.pos++
			return nil
		default:
			return s.errAt(0, "expected ',' or '}' after a member, found %s", s.describe(0))
		}
	}
}

// value parses a value that is not an object into field n.
//
//	value := array | string | number | "true" | "false" | "null"
func (p *jsonParser) value(n *jsonNode) error {
	s := p.s
	if p.b == nil {
		if n.field < 0 {
			if len(p.fields) >= jsonMaxFields {
				return s.errAt(0, "more than %d different field names", jsonMaxFields)
			}
			n.field = len(p.fields)
			p.fields = append(p.fields, n)
		}
	}
	c := s.ws()
	switch {
	case c == '"':
		if p.b == nil {
			n.hasValue = true
			return p.skipString()
		}
		start := len(p.b.arena)
		if err := p.decodeString(); err != nil {
			return err
		}
		if n.field >= 0 {
			p.b.setText(n.field, start)
		}
		return nil
	case c == '[':
		if p.b == nil {
			n.hasValue = true
			return p.compact(false)
		}
		start := len(p.b.arena)
		if err := p.compact(true); err != nil {
			return err
		}
		if n.field >= 0 {
			p.b.setText(n.field, start)
		}
		return nil
	case c == '-' || c >= '0' && c <= '9':
		x, text, err := p.number()
		if err != nil {
			return err
		}
		if p.b == nil {
			n.hasValue = true
			return nil
		}
		if n.field < 0 {
			return nil
		}
		if text {
			start := len(p.b.arena)
			p.b.arena = append(p.b.arena, p.numTok...)
			p.b.setText(n.field, start)
			return nil
		}
		p.b.setNum(n.field, x)
		return nil
	case c == 't', c == 'f', c == 'n':
		word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
		if !s.fill(len(word)) || string(s.buf[s.pos:s.pos+len(word)]) != word {
			return s.errAt(0, "expected a value, found %s", s.describe(0))
		}
		s.pos += len(word)
		if p.b == nil {
			if c != 'n' {
				n.hasValue = true
			}
			return nil
		}
		if n.field < 0 {
			return nil
		}
		switch c {
		case 't':
			p.b.setNum(n.field, -1)
		case 'f':
			p.b.setNum(n.field, 0)
		default:
			p.b.setNull(n.field)
		}
		return nil
	}
	return s.errAt(0, "expected a value, found %s", s.describe(0))
}

// number parses a number, leaving its text in p.numTok; text is true
// when it is out of the range of a float64.
//
//	number := [ "-" ] ( "0" | digit1-9 { digit } ) [ "." digit { digit } ] [ ( "e" | "E" ) [ "+" | "-" ] digit { digit } ]
func (p *jsonParser) number() (float64, bool, error) {
	s := p.s
	i := 0
	at := func() byte {
		if s.pos+i == s.end && !s.fill(i+1) {
			return 0
		}
		return s.buf[s.pos+i]
	}
	digits := func() int {
		n := 0
		for c := at(); c >= '0' && c <= '9'; c = at() {
			i++
			n++
		}
		return n
	}
	if at() == '-' {
		i++
	}
	if at() == '0' {
		i++
	} else if digits() == 0 {
		return 0, false, s.errAt(i, "invalid number: expected a digit, found %s", s.describe(i))
	}
	if at() == '.' {
		i++
		if digits() == 0 {
			return 0, false, s.errAt(i, "invalid number: expected a digit after '.', found %s", s.describe(i))
		}
	}
	if c := at(); c == 'e' || c == 'E' {
		i++
		if c := at(); c == '+' || c == '-' {
			i++
		}
		if digits() == 0 {
			return 0, false, s.errAt(i, "invalid number: expected a digit in the exponent, found %s", s.describe(i))
		}
	}
	p.numTok = s.buf[s.pos : s.pos+i]
	s.pos += i
	x, err := strconv.ParseFloat(bytesView(p.numTok), 64)
	if err != nil || x-x != 0 {
		return 0, true, nil
	}
	return x, false, nil
}

// keyString decodes a member name into p.key.
func (p *jsonParser) keyString() error {
	p.key = p.key[:0]
	return p.str(func(b []byte) { p.key = append(p.key, b...) })
}

// decodeString decodes a string value into the batch's texts.
func (p *jsonParser) decodeString() error {
	return p.str(func(b []byte) { p.b.arena = append(p.b.arena, b...) })
}

// skipString checks a string without keeping it.
func (p *jsonParser) skipString() error { return p.str(func([]byte) {}) }

// str parses a string, passing its decoded pieces to emit.
//
//	string := '"' { char | "\" ( '"' | "\" | "/" | "b" | "f" | "n" | "r" | "t" | "u" hex hex hex hex ) } '"'
func (p *jsonParser) str(emit func([]byte)) error {
	s := p.s
	s.pos++ // '"'
	for {
		// A run of plain characters.
		i := 0
		for {
			if s.pos+i == s.end {
				if i > 0 {
					emit(s.buf[s.pos : s.pos+i])
					s.pos += i
					i = 0
				}
				if !s.fill(1) {
					return s.errAt(0, "the string is not closed (missing '\"')")
				}
			}
			c := s.buf[s.pos+i]
			if c == '"' || c == '\\' || c < 0x20 {
				break
			}
			i++
		}
		emit(s.buf[s.pos : s.pos+i])
		s.pos += i
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			return nil
		case c < 0x20:
			return s.errAt(0, "a control character (0x%02x) in a string must be escaped", c)
		}
		// An escape.
		if !s.fill(2) {
			return s.errAt(0, "the string is not closed (missing '\"')")
		}
		var one byte
		switch e := s.buf[s.pos+1]; e {
		case '"', '\\', '/':
			one = e
		case 'b':
			one = '\b'
		case 'f':
			one = '\f'
		case 'n':
			one = '\n'
		case 'r':
			one = '\r'
		case 't':
			one = '\t'
		case 'u':
			r, n, err := p.unicodeEscape()
			if err != nil {
				return err
			}
			var rb [utf8.UTFMax]byte
			emit(rb[:utf8.EncodeRune(rb[:], r)])
			s.pos += n
			continue
		default:
			return s.errAt(1, "invalid escape \\%c in a string", e)
		}
		emit([]byte{one})
		s.pos += 2
	}
}

// unicodeEscape decodes \uXXXX (and a following low surrogate) at pos and
// returns the rune and the bytes it takes.
func (p *jsonParser) unicodeEscape() (rune, int, error) {
	s := p.s
	hex4 := func(i int) (rune, bool) {
		if !s.fill(i + 4) {
			return 0, false
		}
		v, err := strconv.ParseUint(string(s.buf[s.pos+i:s.pos+i+4]), 16, 32)
		return rune(v), err == nil
	}
	r, ok := hex4(2)
	if !ok {
		return 0, 0, s.errAt(0, "invalid \\u escape: four hexadecimal digits must follow")
	}
	if utf16.IsSurrogate(r) {
		if s.fill(12) && s.buf[s.pos+6] == '\\' && s.buf[s.pos+7] == 'u' {
			if r2, ok := hex4(8); ok {
				if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
					return d, 12, nil
				}
			}
		}
		return utf8.RuneError, 6, nil
	}
	return r, 6, nil
}

// compact parses an array (keep: appending its compact text to the
// batch's texts) — whitespace dropped, strings and numbers as written.
//
//	array := "[" ws [ value { ws "," ws value } ] ws "]"    (values may be objects)
func (p *jsonParser) compact(keep bool) error {
	s := p.s
	out := func(b ...byte) {
		if keep {
			p.b.arena = append(p.b.arena, b...)
		}
	}
	var walk func() error
	walk = func() error {
		c := s.ws()
		switch {
		case c == '[' || c == '{':
			p.depth++
			defer func() { p.depth-- }()
			if p.depth > jsonMaxDepth {
				return s.errAt(0, "objects and arrays nested more than %d deep", jsonMaxDepth)
			}
			closer := byte(']')
			if c == '{' {
				closer = '}'
			}
			s.pos++
			out(c)
			if s.ws() == closer {
				s.pos++
				out(closer)
				return nil
			}
			for {
				if c == '{' {
					if s.ws() != '"' {
						return s.errAt(0, "expected a member name in quotes, found %s", s.describe(0))
					}
					if err := p.compactString(keep); err != nil {
						return err
					}
					if s.ws() != ':' {
						return s.errAt(0, "expected ':' after a member name, found %s", s.describe(0))
					}
					s.pos++
					out(':')
				}
				if err := walk(); err != nil {
					return err
				}
				switch d := s.ws(); d {
				case ',':
					s.pos++
					out(',')
				case closer:
					s.pos++
					out(closer)
					return nil
				default:
					return s.errAt(0, "expected ',' or '%c', found %s", closer, s.describe(0))
				}
			}
		case c == '"':
			return p.compactString(keep)
		case c == '-' || c >= '0' && c <= '9':
			if _, _, err := p.number(); err != nil {
				return err
			}
			out(p.numTok...)
			return nil
		case c == 't' || c == 'f' || c == 'n':
			word := map[byte]string{'t': "true", 'f': "false", 'n': "null"}[c]
			if !s.fill(len(word)) || string(s.buf[s.pos:s.pos+len(word)]) != word {
				return s.errAt(0, "expected a value, found %s", s.describe(0))
			}
			s.pos += len(word)
			out([]byte(word)...)
			return nil
		}
		return s.errAt(0, "expected a value, found %s", s.describe(0))
	}
	return walk()
}

// compactString parses a string inside an array and (keep) appends it to
// the batch's texts in canonical form: decoded, then escaped only where
// JSON requires it.
func (p *jsonParser) compactString(keep bool) error {
	if !keep {
		return p.skipString()
	}
	p.tmp = p.tmp[:0]
	if err := p.str(func(b []byte) { p.tmp = append(p.tmp, b...) }); err != nil {
		return err
	}
	p.b.arena = symbols.AppendJSONString(p.b.arena, bytesView(p.tmp))
	return nil
}

// jsonBatch is a run of records as columns: per field and record a kind,
// a number and a text (a span of arena).
type jsonBatch struct {
	n     int
	base  int64
	kinds [][]uint8 // jsonNull, jsonNum, jsonText
	nums  [][]float64
	spans [][]uint64 // start<<32 | end in arena
	arena []byte
}

const (
	jsonNull uint8 = iota
	jsonNum
	jsonText
)

func newJSONBatch(nf int, base int64) *jsonBatch {
	b := &jsonBatch{base: base, kinds: make([][]uint8, nf), nums: make([][]float64, nf), spans: make([][]uint64, nf)}
	for i := range nf {
		b.kinds[i] = make([]uint8, 0, 1024)
		b.nums[i] = make([]float64, 0, 1024)
		b.spans[i] = make([]uint64, 0, 1024)
	}
	return b
}

// startRow adds a record of NULLs.
func (b *jsonBatch) startRow() {
	b.n++
	for i := range b.kinds {
		b.kinds[i] = append(b.kinds[i], jsonNull)
		b.nums[i] = append(b.nums[i], 0)
		b.spans[i] = append(b.spans[i], 0)
	}
}

func (b *jsonBatch) setNull(f int) { b.kinds[f][b.n-1] = jsonNull }

func (b *jsonBatch) setNum(f int, x float64) {
	b.kinds[f][b.n-1] = jsonNum
	b.nums[f][b.n-1] = x
}

// setText makes arena[start:] the text of field f.
func (b *jsonBatch) setText(f, start int) {
	b.kinds[f][b.n-1] = jsonText
	b.spans[f][b.n-1] = uint64(start)<<32 | uint64(len(b.arena))
}

func (b *jsonBatch) text(f, r int) string {
	sp := b.spans[f][r]
	return bytesView(b.arena[sp>>32 : uint32(sp)])
}

func (b *jsonBatch) len() int          { return b.n }
func (b *jsonBatch) recNo(r int) int64 { return b.base + int64(r) + 1 }

func (b *jsonBatch) value(r, col int) expr.Value {
	switch b.kinds[col][r] {
	case jsonNum:
		return expr.FromDual(symbols.Number(b.nums[col][r]))
	case jsonText:
		return expr.Str(b.text(col, r))
	}
	return expr.Null()
}

// internColumn implements colBatch.
func (b *jsonBatch) internColumn(col int, f *field, sel []int32, st *colState, dst []uint32) ([]uint32, uint32, error) {
	dst = resize(dst, len(sel))
	syms := f.syms
	kinds, nums := b.kinds[col], b.nums[col]
	var mx uint32
	prevNum, havePrevNum, prevNumCode := 0.0, false, uint32(0)
	prevText, prevTextCode := "", uint32(0)
	for i, r := range sel {
		var c uint32
		switch kinds[r] {
		case jsonNum:
			x := nums[r]
			if !havePrevNum || x != prevNum {
				prevNum, havePrevNum, prevNumCode = x, true, syms.InternNum(x, "")+1
			}
			c = prevNumCode
		case jsonText:
			s := b.text(col, int(r))
			if prevTextCode == 0 || s != prevText {
				prevText, prevTextCode = s, syms.InternText(s)+1
			}
			c = prevTextCode
		}
		dst[i] = c
		mx = max(mx, c)
	}
	return dst, mx, nil
}

// jsonSource reads a JSON file.
type jsonSource struct {
	name   string // for the log: the file's base name
	file   string // for errors: the file as the script names it
	path   string
	nm     []string
	fields []*jsonNode
	root   *jsonNode
	array  bool
	parent context.Context

	started bool
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	out     chan jsonItem
	done    bool
}

type jsonItem struct {
	b   *jsonBatch
	err error
}

// openJSON reads the field names of a JSON file (checking its syntax).
func (it *interp) openJSON(p, name, desc string, spec *script.FormatSpec, pos int, c *stmtCtx) (source, error) {
	if err := checkTypedSpec(spec, "JSON", c); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, c.errorf(pos, "cannot load %s: %w", name, err)
	}
	defer f.Close()
	ps := &jsonParser{s: newJSONScanner(it.ctx, f), root: &jsonNode{field: -1}}
	array, err := ps.header()
	for first := true; err == nil; first = false {
		var ok bool
		ok, err = ps.nextRecord(array, first)
		if !ok {
			break
		}
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, c.wrap(it.checkCtx())
		}
		return nil, c.errorf(pos, "cannot read %s: %w", name, err)
	}
	s := &jsonSource{name: desc, file: name, path: p, root: ps.root, array: array, parent: it.ctx}
	// A path that only ever held null and also holds objects is no field.
	for _, n := range ps.fields {
		if !n.hasValue && len(n.kids) > 0 {
			n.field = -1
			continue
		}
		n.field = len(s.fields)
		s.fields = append(s.fields, n)
		s.nm = append(s.nm, n.name)
	}
	if len(s.fields) == 0 {
		return nil, c.errorf(pos, "cannot load %s: the file holds no JSON object with a member", name)
	}
	if d, dup := dupName(s.nm); dup {
		return nil, c.errorf(pos, "cannot load %s: field %s appears twice (a member name with a '.' and a nested object)", name, quoteField(d))
	}
	return s, nil
}

func (s *jsonSource) names() []string { return s.nm }
func (s *jsonSource) desc() string    { return s.name }

func (s *jsonSource) close() error {
	if s.started {
		s.cancel()
		s.wg.Wait()
		for range s.out {
		}
	}
	return nil
}

// start launches the goroutine that parses the records one batch ahead.
func (s *jsonSource) start() {
	s.started = true
	s.ctx, s.cancel = context.WithCancel(s.parent)
	s.out = make(chan jsonItem, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(s.out)
		send := func(it jsonItem) bool {
			select {
			case s.out <- it:
				return true
			case <-s.ctx.Done():
				return false
			}
		}
		defer func() {
			if r := recover(); r != nil {
				send(jsonItem{err: fmt.Errorf("%w: BUG: panic while reading JSON: %v", ErrInternal, r)})
			}
		}()
		f, err := os.Open(s.path)
		if err != nil {
			send(jsonItem{err: err})
			return
		}
		defer f.Close()
		ps := &jsonParser{s: newJSONScanner(s.ctx, f), root: s.root}
		array, err := ps.header()
		if err != nil {
			send(jsonItem{err: err})
			return
		}
		var base int64
		first := true
		for {
			ps.b = newJSONBatch(len(s.fields), base)
			for ps.b.n < jsonBatchRows && len(ps.b.arena) < jsonBatchBytes {
				ok, err := ps.nextRecord(array, first)
				if err != nil {
					send(jsonItem{err: err})
					return
				}
				if !ok {
					if ps.b.n > 0 {
						send(jsonItem{b: ps.b})
					}
					return
				}
				first = false
			}
			base += int64(ps.b.n)
			if !send(jsonItem{b: ps.b}) {
				return
			}
		}
	}()
}

func (s *jsonSource) next() (batch, error) {
	if s.done {
		return nil, nil
	}
	if !s.started {
		s.start()
	}
	item, ok := <-s.out
	if !ok {
		s.done = true
		return nil, nil
	}
	if item.err != nil {
		if errors.Is(item.err, ErrInternal) {
			return nil, item.err
		}
		return nil, fmt.Errorf("cannot read %s: %w", s.file, item.err)
	}
	return item.b, nil
}
