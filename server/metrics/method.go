package metrics

import "strings"

// Class is the kind of a QIX method, for the latency histograms.
type Class uint8

// The method classes.
const (
	// ClassOther is every method that is neither a selection nor a layout.
	ClassOther Class = iota
	// ClassSelection changes selections (Select*, Clear*, Lock*, Back...).
	ClassSelection
	// ClassLayout computes a layout or a page of data.
	ClassLayout
)

// selectionMethods are the selection calls that do not start with
// "Select" (those all are).
var selectionMethods = map[string]bool{
	"ToggleSelect": true, "Clear": true, "ClearAll": true, "ClearAllButThis": true, "ClearSelections": true,
	"Lock": true, "Unlock": true, "LockAll": true, "UnlockAll": true, "Back": true, "Forward": true,
	"LowLevelSelect": true, "RangeSelectHyperCubeValues": true, "MultiRangeSelectHyperCubeValues": true,
	"MultiRangeSelectTreeDataValues": true, "AcceptListObjectSearch": true, "SearchSelect": true,
	"ApplyBookmark": true, "EndSelections": true,
}

// layoutMethods compute a layout or data pages.
var layoutMethods = map[string]bool{
	"GetLayout": true, "GetAppLayout": true, "GetListObjectData": true, "GetHyperCubeData": true,
	"GetHyperCubePivotData": true, "GetHyperCubeStackData": true, "GetHyperCubeReducedData": true,
	"GetHyperCubeBinnedData": true, "GetHyperCubeContinuousData": true, "GetHyperCubeTreeData": true,
}

// Classify returns the class of a QIX method name.
func Classify(method string) Class {
	switch {
	case layoutMethods[method]:
		return ClassLayout
	case selectionMethods[method], strings.HasPrefix(method, "Select"):
		return ClassSelection
	}
	return ClassOther
}

// RequestMethod returns the "method" member of a JSON-RPC request frame
// ("" when the frame is not a JSON object with a string method). It reads
// only the top level of the object, skipping the other members without
// decoding them, and does not allocate unless the name has escapes.
//
//	frame  = ws "{" ws [ member { ws "," ws member } ] ws "}"
//	member = string ws ":" ws value
func RequestMethod(frame []byte) string {
	s := scanner{b: frame}
	s.ws()
	if !s.eat('{') {
		return ""
	}
	for {
		s.ws()
		if s.eat('}') {
			return ""
		}
		key, ok := s.str()
		if !ok {
			return ""
		}
		s.ws()
		if !s.eat(':') {
			return ""
		}
		s.ws()
		if key == "method" {
			if s.peek() != '"' {
				return ""
			}
			name, ok := s.str()
			if !ok {
				return ""
			}
			return name
		}
		if !s.skipValue(0) {
			return ""
		}
		s.ws()
		if !s.eat(',') {
			return ""
		}
	}
}

// maxDepth bounds the nesting skipValue follows.
const maxDepth = 512

// scanner reads JSON bytes; it stops (reporting false) at the first thing
// it does not expect.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) eat(c byte) bool {
	if s.peek() == c {
		s.i++
		return true
	}
	return false
}

// ws skips white space: ws = { " " | "\t" | "\n" | "\r" }.
func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// str reads a string: string = '"' { char | escape } '"'. Escapes other
// than \" \\ \/ are kept as written (method names have none).
func (s *scanner) str() (string, bool) {
	if !s.eat('"') {
		return "", false
	}
	start := s.i
	escaped := false
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case '"':
			v := s.b[start:s.i]
			s.i++
			if !escaped {
				return string(v), true
			}
			return unescape(v), true
		case '\\':
			escaped = true
			s.i += 2
		default:
			s.i++
		}
	}
	return "", false
}

func unescape(v []byte) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) && (v[i+1] == '"' || v[i+1] == '\\' || v[i+1] == '/') {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// skipValue skips one value: value = string | object | array | literal,
// where a literal (number, true, false, null) runs to the next delimiter.
func (s *scanner) skipValue(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch s.peek() {
	case '"':
		_, ok := s.str()
		return ok
	case '{', '[':
		close := byte('}')
		if s.b[s.i] == '[' {
			close = ']'
		}
		s.i++
		s.ws()
		if s.eat(close) {
			return true
		}
		for {
			if close == '}' {
				if _, ok := s.str(); !ok {
					return false
				}
				s.ws()
				if !s.eat(':') {
					return false
				}
				s.ws()
			}
			if !s.skipValue(depth + 1) {
				return false
			}
			s.ws()
			if s.eat(close) {
				return true
			}
			if !s.eat(',') {
				return false
			}
			s.ws()
		}
	case 0:
		return false
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return s.i > start
		}
		s.i++
	}
	return s.i > start
}
