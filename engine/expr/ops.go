package expr

import (
	"math"
	"unicode"
	"unicode/utf8"

	"github.com/assocengine/assoc/symbols"
)

// ApplyBinary applies a binary operator to two evaluated operands with the
// rules of §4.3 and §4.4. (Eval short-circuits AND and OR; applied here they
// evaluate both sides with the same result.)
func ApplyBinary(op Op, x, y Value) Value {
	switch op {
	case OpAdd, OpSub, OpMul, OpDiv:
		a, ok1 := x.AsNumber()
		b, ok2 := y.AsNumber()
		if !ok1 || !ok2 {
			return Value{}
		}
		switch op {
		case OpAdd:
			return Num(a + b)
		case OpSub:
			return Num(a - b)
		case OpMul:
			return Num(a * b)
		}
		if b == 0 {
			return Value{} // division by zero is NULL [Proposed]
		}
		return Num(a / b)
	case OpConcat:
		// NULL is the empty string here: A & NULL = A (S36). Two NULLs stay NULL.
		switch {
		case x.IsNull() && y.IsNull():
			return Value{}
		case y.IsNull():
			return Str(x.Text())
		case x.IsNull():
			return Str(y.Text())
		}
		return Str(x.Text() + y.Text())
	case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpLike, OpPrecedes, OpFollows:
		if x.IsNull() || y.IsNull() {
			// NULL relop NULL is NULL; against a value only <> is true (S36).
			if x.IsNull() && y.IsNull() {
				return Value{}
			}
			return Bool(op == OpNe)
		}
		var c int
		switch op {
		case OpLike:
			return Bool(WildcardMatch(x.Text(), y.Text()))
		case OpPrecedes, OpFollows:
			c = symbols.CompareText(x.Text(), y.Text())
			if op == OpPrecedes {
				return Bool(c < 0)
			}
			return Bool(c > 0)
		}
		c = Compare(x, y)
		switch op {
		case OpEq:
			return Bool(c == 0)
		case OpNe:
			return Bool(c != 0)
		case OpLt:
			return Bool(c < 0)
		case OpLe:
			return Bool(c <= 0)
		case OpGt:
			return Bool(c > 0)
		}
		return Bool(c >= 0)
	case OpAnd:
		return Bool(x.Truthy() && y.Truthy())
	case OpOr:
		return Bool(x.Truthy() || y.Truthy())
	case OpXor:
		return Bool(x.Truthy() != y.Truthy())
	case OpBitAnd, OpBitOr, OpBitXor, OpShl, OpShr:
		a, ok1 := toInt32(x)
		b, ok2 := toInt32(y)
		if !ok1 || !ok2 {
			return Value{}
		}
		switch op {
		case OpBitAnd:
			return Num(float64(a & b))
		case OpBitOr:
			return Num(float64(a | b))
		case OpBitXor:
			return Num(float64(a ^ b))
		}
		if b < 0 {
			return Value{}
		}
		if op == OpShl {
			return Num(float64(a << uint(b)))
		}
		return Num(float64(a >> uint(b)))
	}
	return Value{}
}

// ApplyUnary applies a prefix operator to an evaluated operand.
func ApplyUnary(op Op, x Value) Value {
	switch op {
	case OpNeg, OpPlus:
		f, ok := x.AsNumber()
		if !ok {
			return Value{}
		}
		if op == OpNeg {
			f = -f
		}
		return Num(f)
	case OpNot:
		return Bool(!x.Truthy())
	case OpBitNot:
		a, ok := toInt32(x)
		if !ok {
			return Value{}
		}
		return Num(float64(^a))
	}
	return Value{}
}

// toInt32 truncates a value's number to a signed 32-bit integer, as the
// bit operators do; values outside the int64 range or without a number
// fail.
func toInt32(v Value) (int32, bool) {
	f, ok := v.AsNumber()
	if !ok {
		return 0, false
	}
	t := math.Trunc(f)
	if t >= 9.2e18 || t <= -9.2e18 {
		return 0, false
	}
	return int32(int64(t)), true
}

// WildcardMatch reports whether s matches pattern as a whole, where '*'
// matches any run of characters and '?' exactly one; letters compare
// case-insensitively. It is the rule of LIKE and WildMatch.
func WildcardMatch(s, pattern string) bool {
	// Iterative matcher with one backtracking point (the last '*').
	si, pi := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(pattern) {
			pc, pn := utf8.DecodeRuneInString(pattern[pi:])
			switch pc {
			case '*':
				starP, starS = pi, si
				pi += pn
				continue
			case '?':
				_, sn := utf8.DecodeRuneInString(s[si:])
				si += sn
				pi += pn
				continue
			default:
				sc, sn := utf8.DecodeRuneInString(s[si:])
				if equalFoldRune(sc, pc) {
					si += sn
					pi += pn
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last '*' swallow one more character.
		_, sn := utf8.DecodeRuneInString(s[starS:])
		starS += sn
		si = starS
		pi = starP + 1
	}
	for pi < len(pattern) && pattern[pi] == '*' {
		pi++
	}
	return pi == len(pattern)
}

// equalFoldRune reports whether a and b are equal under simple case folding.
func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	if a < utf8.RuneSelf && b < utf8.RuneSelf {
		if 'A' <= a && a <= 'Z' {
			a += 'a' - 'A'
		}
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		return a == b
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}
