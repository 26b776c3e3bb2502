package expr

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ExpandEnv supplies what dollar-sign expansion needs. Its zero value
// expands every variable to the empty string and rejects $(=...) and
// $(include=...).
type ExpandEnv struct {
	// Variable returns a variable's value: its text is inserted by $(v)
	// and its number (or its text read as a number) by $(#v). ok is false
	// for an unknown variable. An Env for charts evaluates variables whose
	// definition starts with '=' before returning them.
	Variable func(name string) (v Value, ok bool)
	// Evaluate evaluates the expression of $(=expr) (already expanded, '='
	// removed) once, without row context, and returns its value.
	Evaluate func(expr string) (Value, error)
	// Include returns the content of the file named by $(include=file)
	// (must is false) or $(must_include=file) (must is true). For
	// include, a missing file should give "" and no error.
	Include func(path string, must bool) (string, error)
	// MaxExpansions bounds the number of expansions (0 means 1000, §4.2).
	MaxExpansions int
	// MaxLength bounds the length of the expanded text (0 means 64 MiB).
	MaxLength int
}

// ErrExpansionLimit is wrapped by the error Expand returns when the
// expansion count, nesting depth or result length limit is reached.
var ErrExpansionLimit = errors.New("dollar-sign expansion limit reached")

const (
	defaultMaxExpansions = 1000
	defaultMaxLength     = 64 << 20
	maxExpandDepth       = 100
)

// Expand performs dollar-sign expansion (§4.2) on src: $(v), $(#v),
// $(v(a,b)) with $1..$n and $0, $(=expr) and $(include=file). Nested
// expansions are expanded first; the text produced by an expansion is
// expanded again, left to right, until no "$(" remains. Quotes do not
// protect text from expansion. Unknown variables expand to "". Expansion
// stops with an error wrapping ErrExpansionLimit after MaxExpansions
// expansions or 100 levels of nesting.
func Expand(src string, env ExpandEnv) (string, error) {
	if !strings.Contains(src, "$(") {
		return src, nil
	}
	x := expander{env: env, max: env.MaxExpansions, maxLen: env.MaxLength}
	if x.max <= 0 {
		x.max = defaultMaxExpansions
	}
	if x.maxLen <= 0 {
		x.maxLen = defaultMaxLength
	}
	return x.expand(src, 0)
}

type expander struct {
	env    ExpandEnv
	max    int
	maxLen int
	count  int
}

// expand expands every $(...) of src, left to right. The text still to be
// scanned is kept as a stack of segments (the next one on top) so that the
// text an expansion produces is scanned before the rest without copying the
// rest; segments are joined only when a $( ... ) straddles two of them.
func (x *expander) expand(src string, depth int) (string, error) {
	if depth > maxExpandDepth {
		return "", fmt.Errorf("cannot expand %q: %w (more than %d nested levels)", clip(src), ErrExpansionLimit, maxExpandDepth)
	}
	var out []byte
	segs := []string{src}
	pending := len(src) // bytes in segs
	pop := func() string {
		s := segs[len(segs)-1]
		segs = segs[:len(segs)-1]
		pending -= len(s)
		return s
	}
	push := func(s string) {
		if s != "" {
			segs = append(segs, s)
			pending += len(s)
		}
	}
	for len(segs) > 0 {
		s := pop()
		if len(out) > 0 && out[len(out)-1] == '$' && strings.HasPrefix(s, "(") {
			// "$" already written + "(..." just produced: that is a "$(" too.
			out = out[:len(out)-1]
			s = "$" + s
		}
		i := strings.Index(s, "$(")
		if i < 0 {
			out = append(out, s...)
			continue
		}
		out = append(out, s[:i]...)
		s = s[i:]
		end := matchParen(s, 1)
		if end < 0 {
			if len(segs) > 0 {
				push(s + pop()) // the closing ')' may be in the next segment
				continue
			}
			return "", fmt.Errorf("cannot expand %q: missing ')' to close the dollar-sign expansion", clip(s))
		}
		body := s[2:end]
		if strings.Contains(body, "$(") {
			var err error
			if body, err = x.expand(body, depth+1); err != nil {
				return "", err
			}
		}
		x.count++
		if x.count > x.max {
			return "", fmt.Errorf("cannot expand $(%s): %w (more than %d expansions; is a variable defined in terms of itself?)",
				clip(body), ErrExpansionLimit, x.max)
		}
		repl, err := x.directive(body)
		if err != nil {
			return "", err
		}
		// The replacement is scanned next: its own $( are expanded in turn.
		push(s[end+1:])
		push(repl)
		if len(out)+pending > x.maxLen {
			return "", fmt.Errorf("cannot expand $(%s): %w (result longer than %d bytes)", clip(body), ErrExpansionLimit, x.maxLen)
		}
	}
	return string(out), nil
}

// matchParen returns the index of the ')' closing the '(' at s[open],
// skipping parentheses inside single-quoted strings; if the quotes do not
// balance it retries without quote awareness. It returns -1 when there is
// no closing parenthesis.
func matchParen(s string, open int) int {
	if i := scanParen(s, open, true); i >= 0 {
		return i
	}
	return scanParen(s, open, false)
}

func scanParen(s string, open int, quotes bool) int {
	depth := 0
	inQuote := false
	for i := open; i < len(s); i++ {
		c := s[i]
		if inQuote {
			if c == '\'' {
				inQuote = false
			}
			continue
		}
		switch c {
		case '\'':
			if quotes {
				inQuote = true
			}
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

// directive evaluates the (already expanded) body of one $( ).
func (x *expander) directive(body string) (string, error) {
	t := strings.TrimSpace(body)
	switch {
	case strings.HasPrefix(t, "="):
		if x.env.Evaluate == nil {
			return "", fmt.Errorf("cannot expand $(%s): expression expansion is not available here", clip(body))
		}
		v, err := x.env.Evaluate(t[1:])
		if err != nil {
			return "", fmt.Errorf("cannot expand $(%s): %w", clip(body), err)
		}
		return v.Text(), nil
	case strings.HasPrefix(t, "#"):
		v, ok := x.variable(strings.TrimSpace(t[1:]))
		if !ok {
			return "0", nil
		}
		f, ok := v.AsNumber()
		if !ok {
			return "0", nil
		}
		return formatPlainNumber(f), nil
	}
	if path, must, ok := includeDirective(t); ok {
		if x.env.Include == nil {
			return "", fmt.Errorf("cannot expand $(%s): include is not available here", clip(body))
		}
		content, err := x.env.Include(path, must)
		if err != nil {
			return "", fmt.Errorf("cannot expand $(%s): %w", clip(body), err)
		}
		return content, nil
	}
	name, args, hasArgs := splitCall(t)
	v, ok := x.variable(name)
	if !ok {
		return "", nil
	}
	text := v.Text()
	if hasArgs {
		text = substituteParams(text, args)
	}
	return text, nil
}

func (x *expander) variable(name string) (Value, bool) {
	if x.env.Variable == nil || name == "" {
		return Value{}, false
	}
	return x.env.Variable(name)
}

// includeDirective recognizes include=path and must_include=path (keyword
// in any case, spaces around '=' allowed).
func includeDirective(t string) (path string, must, ok bool) {
	lower := strings.ToLower(t)
	for _, kw := range [...]string{"must_include", "include"} {
		if !strings.HasPrefix(lower, kw) {
			continue
		}
		rest := strings.TrimLeft(t[len(kw):], " \t")
		if !strings.HasPrefix(rest, "=") {
			return "", false, false
		}
		return strings.TrimSpace(rest[1:]), kw == "must_include", true
	}
	return "", false, false
}

// splitCall splits name(a,b) into the name and its arguments. Arguments are
// separated by commas outside parentheses; quotes do not protect commas
// (as in Qlik). Without a trailing parenthesized list hasArgs is false.
func splitCall(t string) (name string, args []string, hasArgs bool) {
	open := strings.IndexByte(t, '(')
	if open < 0 || !strings.HasSuffix(t, ")") {
		return t, nil, false
	}
	name = strings.TrimSpace(t[:open])
	inner := t[open+1 : len(t)-1]
	if strings.TrimSpace(inner) == "" {
		return name, nil, true
	}
	depth, start := 0, 0
	for i := 0; i < len(inner); i++ {
		switch inner[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				args = append(args, inner[start:i])
				start = i + 1
			}
		}
	}
	return name, append(args, inner[start:]), true
}

// substituteParams replaces $1..$n by the arguments and $0 by their count.
// A $n without an actual argument is left as is.
func substituteParams(text string, args []string) string {
	if !strings.Contains(text, "$") {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '$' || i+1 >= len(text) || !isDigit(text[i+1]) {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(text) && isDigit(text[j]) {
			j++
		}
		n, err := strconv.Atoi(text[i+1 : j])
		switch {
		case err != nil || n > len(args):
			b.WriteString(text[i:j])
		case n == 0:
			b.WriteString(strconv.Itoa(len(args)))
		default:
			b.WriteString(args[n-1])
		}
		i = j - 1
	}
	return b.String()
}

// formatPlainNumber renders f with '.' as decimal separator, no grouping
// and full precision, for $(#v).
func formatPlainNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	a := math.Abs(f)
	if a >= 1e21 || a < 1e-6 {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
