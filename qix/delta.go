package qix

import (
	"bytes"
	"strconv"
	"strings"
	"sync"
)

// Delta mode (protocol §3.6): a request with "delta":true asks for its outs
// as RFC 6902 JSON patches against what this connection last received for
// the same handle, method and out key. The first answer is one "add" of the
// whole value at "/", an unchanged value is the empty patch. Only the
// methods that return layouts, properties and data pages answer in delta
// form; the others answer plainly, which clients accept.

// deltaMethods answer in delta form when asked to.
var deltaMethods = map[string]bool{
	"GetLayout": true, "GetProperties": true, "GetEffectiveProperties": true, "GetAppLayout": true,
	"GetFullPropertyTree": true, "GetListObjectData": true, "GetHyperCubeData": true,
	"GetHyperCubeReducedData": true, "GetHyperCubePivotData": true, "GetHyperCubeStackData": true,
	"GetAppProperties": true,
}

type deltaKey struct {
	handle      int
	method, out string
}

// deltaCache keeps, per connection, the last value sent for every
// (handle, method, out key), encoded.
type deltaCache struct {
	mu   sync.Mutex
	last map[deltaKey][]byte
}

// forgetHandles drops the cached values of closed handles.
func (d *deltaCache) forgetHandles(hs []int) {
	if len(hs) == 0 {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for k := range d.last {
		for _, h := range hs {
			if k.handle == h {
				delete(d.last, k)
			}
		}
	}
}

// patch turns res into its delta form for handle and method.
func (d *deltaCache) patch(handle int, method string, res *jsonObject) *jsonObject {
	out := newObj(res.Len())
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last == nil {
		d.last = map[deltaKey][]byte{}
	}
	for i, k := range res.keys {
		enc := encode(res.vals[i])
		key := deltaKey{handle, method, k}
		prev, seen := d.last[key]
		d.last[key] = enc
		switch {
		case !seen:
			out.Set(k, []any{patchOp("add", "/", rawJSON(enc))})
		case bytes.Equal(prev, enc):
			out.Set(k, []any{})
		default:
			a, errA := parseJSON(prev)
			b, errB := parseJSON(enc)
			if errA != nil || errB != nil {
				out.Set(k, []any{patchOp("replace", "/", rawJSON(enc))})
				continue
			}
			var ops []any
			diffJSON("", a, b, &ops)
			if ops == nil {
				ops = []any{}
			}
			out.Set(k, ops)
		}
	}
	return out
}

func patchOp(op, path string, value any) *jsonObject {
	o := newObj(3)
	o.Set("op", op)
	o.Set("path", path)
	if op != "remove" {
		o.Set("value", value)
	}
	return o
}

// diffJSON appends the operations that turn a into b at path.
func diffJSON(path string, a, b any, ops *[]any) {
	root := path
	if root == "" {
		root = "/"
	}
	switch x := a.(type) {
	case *jsonObject:
		y, ok := b.(*jsonObject)
		if !ok {
			*ops = append(*ops, patchOp("replace", root, b))
			return
		}
		for _, k := range x.keys {
			if _, ok := y.Get(k); !ok {
				*ops = append(*ops, patchOp("remove", path+"/"+escapePointer(k), nil))
			}
		}
		for i, k := range y.keys {
			p := path + "/" + escapePointer(k)
			old, ok := x.Get(k)
			if !ok {
				*ops = append(*ops, patchOp("add", p, y.vals[i]))
				continue
			}
			diffJSON(p, old, y.vals[i], ops)
		}
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			*ops = append(*ops, patchOp("replace", root, b))
			return
		}
		for i := range y {
			diffJSON(path+"/"+strconv.Itoa(i), x[i], y[i], ops)
		}
	default:
		if !sameScalar(a, b) {
			*ops = append(*ops, patchOp("replace", root, b))
		}
	}
}

func sameScalar(a, b any) bool {
	switch x := a.(type) {
	case jsonNumber:
		y, ok := b.(jsonNumber)
		return ok && strings.EqualFold(string(x), string(y))
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	}
	return false
}

// appendDeltaResult appends a response frame whose outs are patches.
func appendDeltaResult(dst []byte, id any, res *jsonObject, change, closes []int) []byte {
	dst = append(dst, `{"jsonrpc":"2.0","id":`...)
	dst = appendValue(dst, id)
	dst = append(dst, `,"delta":true,"result":`...)
	dst = appendValue(dst, res)
	dst = appendHandleLists(dst, change, closes)
	return append(dst, '}')
}
