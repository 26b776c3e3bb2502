package qix

import (
	"fmt"
	"math"
	"strconv"

	"github.com/assocengine/assoc/symbols"
)

// The encoder appends JSON to a byte slice without reflection. Numbers that
// are not finite go out as the strings "NaN", "Infinity" and "-Infinity",
// as the QIX engine sends them; finite numbers use the shortest text that
// round-trips, in plain notation between 1e-6 and 1e21 (as JavaScript
// prints them) and in exponent notation outside.

// appendFloat appends f as a QIX number.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(dst, `"-Infinity"`...)
	case f == 0:
		return append(dst, '0')
	}
	if a := math.Abs(f); a < 1e-6 || a >= 1e21 {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

// appendString appends s as a quoted JSON string.
func appendString(dst []byte, s string) []byte { return symbols.AppendJSONString(dst, s) }

// appendValue appends a tree value (see jsontree.go) as JSON.
func appendValue(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case bool:
		if x {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case string:
		return appendString(dst, x)
	case jsonNumber:
		return append(dst, x...)
	case rawJSON:
		return append(dst, x...)
	case float64:
		return appendFloat(dst, x)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case uint64:
		return strconv.AppendUint(dst, x, 10)
	case []string:
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, s)
		}
		return append(dst, ']')
	case []int:
		dst = append(dst, '[')
		for i, n := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = strconv.AppendInt(dst, int64(n), 10)
		}
		return append(dst, ']')
	case []any:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, e)
		}
		return append(dst, ']')
	case []*jsonObject:
		dst = append(dst, '[')
		for i, e := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendValue(dst, e)
		}
		return append(dst, ']')
	case *jsonObject:
		if x == nil {
			return append(dst, "null"...)
		}
		dst = append(dst, '{')
		for i, k := range x.keys {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, k)
			dst = append(dst, ':')
			dst = appendValue(dst, x.vals[i])
		}
		return append(dst, '}')
	}
	// Only the types above are ever put in a tree.
	panic(fmt.Sprintf("BUG: appendValue: unsupported type %T", v))
}

// approxSize estimates the encoded size of a tree value, to size buffers:
// exact for pre-encoded parts, a guess for the rest.
func approxSize(v any) int {
	switch x := v.(type) {
	case rawJSON:
		return len(x)
	case string:
		return len(x) + 2
	case []any:
		n := 2
		for _, e := range x {
			n += approxSize(e) + 1
		}
		return n
	case *jsonObject:
		if x == nil {
			return 4
		}
		n := 2
		for i, k := range x.keys {
			n += len(k) + 4 + approxSize(x.vals[i])
		}
		return n
	}
	return 8
}

// encode returns v as JSON text.
func encode(v any) []byte { return appendValue(nil, v) }
