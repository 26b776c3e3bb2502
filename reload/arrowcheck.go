package reload

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Arrow's Go IPC reader trusts the lengths written in a file: a vector of
// 2^32 schema fields makes it allocate hundreds of gigabytes, which kills
// the process (an allocation that fails is no panic that can be
// recovered). So before a file — or the Arrow schema stored in a Parquet
// file — reaches it, its flatbuffer metadata is walked here: every table
// and vector must lie inside its buffer, message and body lengths inside
// the file, nesting stay shallow and shared subtables few. The walk only
// reads what Arrow would allocate by; the values themselves are checked
// by checkArray once Arrow has built the arrays.

// errCorruptArrow is wrapped by every failed check.
var errCorruptArrow = errors.New("corrupt Arrow metadata")

// fbCheck walks one flatbuffer.
type fbCheck struct {
	b      []byte
	budget int // tables left to visit
}

// fbTable is a table of a flatbuffer: its position and its vtable.
type fbTable struct {
	pos, vt, nfields int
}

func (c *fbCheck) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errCorruptArrow, fmt.Sprintf(format, args...))
}

func (c *fbCheck) u32(p int) (int, error) {
	if p < 0 || p+4 > len(c.b) {
		return 0, c.fail("offset %d outside %d bytes of metadata", p, len(c.b))
	}
	return int(binary.LittleEndian.Uint32(c.b[p:])), nil
}

// ref follows the unsigned offset stored at p.
func (c *fbCheck) ref(p int) (int, error) {
	o, err := c.u32(p)
	if err != nil {
		return 0, err
	}
	q := p + o
	if o < 0 || q >= len(c.b) {
		return 0, c.fail("reference outside the metadata")
	}
	return q, nil
}

// table reads the table at p.
func (c *fbCheck) table(p int) (fbTable, error) {
	c.budget--
	if c.budget < 0 {
		return fbTable{}, c.fail("too many tables")
	}
	if p < 0 || p+4 > len(c.b) {
		return fbTable{}, c.fail("table outside the metadata")
	}
	vt := p - int(int32(binary.LittleEndian.Uint32(c.b[p:])))
	if vt < 0 || vt+4 > len(c.b) {
		return fbTable{}, c.fail("vtable outside the metadata")
	}
	vlen := int(binary.LittleEndian.Uint16(c.b[vt:]))
	tlen := int(binary.LittleEndian.Uint16(c.b[vt+2:]))
	if vlen < 4 || vt+vlen > len(c.b) || p+tlen > len(c.b) {
		return fbTable{}, c.fail("table larger than the metadata")
	}
	return fbTable{pos: p, vt: vt, nfields: (vlen - 4) / 2}, nil
}

// field returns the position of field i of t (ok false: absent).
func (c *fbCheck) field(t fbTable, i, size int) (int, bool, error) {
	if i >= t.nfields {
		return 0, false, nil
	}
	o := int(binary.LittleEndian.Uint16(c.b[t.vt+4+2*i:]))
	if o == 0 {
		return 0, false, nil
	}
	p := t.pos + o
	if p+size > len(c.b) {
		return 0, false, c.fail("field outside the metadata")
	}
	return p, true, nil
}

// sub returns the table field i of t refers to.
func (c *fbCheck) sub(t fbTable, i int) (fbTable, bool, error) {
	p, ok, err := c.field(t, i, 4)
	if !ok || err != nil {
		return fbTable{}, false, err
	}
	q, err := c.ref(p)
	if err != nil {
		return fbTable{}, false, err
	}
	st, err := c.table(q)
	return st, err == nil, err
}

// vector checks the vector field i of t, of elements of elem bytes, and
// returns the position of its first element and its length.
func (c *fbCheck) vector(t fbTable, i, elem int) (start, n int, err error) {
	p, ok, err := c.field(t, i, 4)
	if !ok || err != nil {
		return 0, 0, err
	}
	q, err := c.ref(p)
	if err != nil {
		return 0, 0, err
	}
	n, err = c.u32(q)
	if err != nil {
		return 0, 0, err
	}
	if n < 0 || n > (len(c.b)-q-4)/max(elem, 1) {
		return 0, 0, c.fail("a vector of %d elements does not fit in the metadata", n)
	}
	return q + 4, n, nil
}

// tables checks a vector of tables with check.
func (c *fbCheck) tables(t fbTable, i int, check func(fbTable) error) error {
	start, n, err := c.vector(t, i, 4)
	if err != nil {
		return err
	}
	for k := range n {
		q, err := c.ref(start + 4*k)
		if err != nil {
			return err
		}
		st, err := c.table(q)
		if err != nil {
			return err
		}
		if err := check(st); err != nil {
			return err
		}
	}
	return nil
}

// keyValues checks a vector of KeyValue tables (key, value strings).
func (c *fbCheck) keyValues(t fbTable, i int) error {
	return c.tables(t, i, func(kv fbTable) error {
		if _, _, err := c.vector(kv, 0, 1); err != nil {
			return err
		}
		_, _, err := c.vector(kv, 1, 1)
		return err
	})
}

// schema checks a Schema table: fields, custom_metadata, features.
func (c *fbCheck) schema(t fbTable) error {
	if err := c.tables(t, 1, func(f fbTable) error { return c.fieldTable(f, 1) }); err != nil {
		return err
	}
	if err := c.keyValues(t, 2); err != nil {
		return err
	}
	_, _, err := c.vector(t, 3, 8)
	return err
}

// fieldTable checks a Field table: name, type (a Union's type ids),
// dictionary, children, custom_metadata.
func (c *fbCheck) fieldTable(t fbTable, depth int) error {
	if depth > 64 {
		return c.fail("fields nested more than 64 deep")
	}
	if _, _, err := c.vector(t, 0, 1); err != nil {
		return err
	}
	var typ byte
	if p, ok, err := c.field(t, 2, 1); err != nil {
		return err
	} else if ok {
		typ = c.b[p]
	}
	if tt, ok, err := c.sub(t, 3); err != nil {
		return err
	} else if ok {
		switch typ {
		case 14: // Union: typeIds
			if _, _, err := c.vector(tt, 1, 4); err != nil {
				return err
			}
		case 10: // Timestamp: timezone
			if _, _, err := c.vector(tt, 1, 1); err != nil {
				return err
			}
		}
	}
	if d, ok, err := c.sub(t, 4); err != nil {
		return err
	} else if ok {
		if _, _, err := c.sub(d, 1); err != nil {
			return err
		}
	}
	if err := c.tables(t, 5, func(f fbTable) error { return c.fieldTable(f, depth+1) }); err != nil {
		return err
	}
	return c.keyValues(t, 6)
}

// recordBatch checks a RecordBatch table: nodes, buffers, compression,
// variadic buffer counts.
func (c *fbCheck) recordBatch(t fbTable) error {
	if _, _, err := c.vector(t, 1, 16); err != nil {
		return err
	}
	if _, _, err := c.vector(t, 2, 16); err != nil {
		return err
	}
	if _, _, err := c.sub(t, 3); err != nil {
		return err
	}
	_, _, err := c.vector(t, 4, 8)
	return err
}

// checkMessage checks the flatbuffer of one IPC message and returns its
// header type and body length, which must fit in room bytes.
func checkMessage(b []byte, room int64) (kind byte, body int64, err error) {
	c := &fbCheck{b: b, budget: 1 << 16}
	root, err := c.ref(0)
	if err != nil {
		return 0, 0, err
	}
	m, err := c.table(root)
	if err != nil {
		return 0, 0, err
	}
	if p, ok, err := c.field(m, 1, 1); err != nil {
		return 0, 0, err
	} else if ok {
		kind = b[p]
	}
	if p, ok, err := c.field(m, 3, 8); err != nil {
		return 0, 0, err
	} else if ok {
		body = int64(binary.LittleEndian.Uint64(b[p:]))
	}
	if body < 0 || body > room {
		return 0, 0, c.fail("a message body of %d bytes where %d remain", body, room)
	}
	if err := c.keyValues(m, 4); err != nil {
		return 0, 0, err
	}
	h, ok, err := c.sub(m, 2)
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		return kind, body, nil
	}
	switch kind {
	case 1: // Schema
		err = c.schema(h)
	case 2: // DictionaryBatch: id, data (a RecordBatch), isDelta
		var rb fbTable
		if rb, ok, err = c.sub(h, 1); err == nil && ok {
			err = c.recordBatch(rb)
		}
	case 3: // RecordBatch
		err = c.recordBatch(h)
	default:
		err = c.fail("message type %d (tensors are not tables)", kind)
	}
	return kind, body, err
}

// checkIPCStream walks the messages of an IPC stream of size bytes: each
// one's metadata and body must fit in what remains, and its flatbuffer
// must check.
func checkIPCStream(r io.ReaderAt, size int64) error {
	var pos int64
	var head [8]byte
	for first := true; pos < size; first = false {
		n, _ := r.ReadAt(head[:4], pos)
		if n < 4 {
			return nil // a missing end-of-stream marker is tolerated
		}
		cont := binary.LittleEndian.Uint32(head[:4])
		pos += 4
		msgLen := int64(cont)
		if cont == 0xFFFFFFFF {
			if n, _ := r.ReadAt(head[4:8], pos); n < 4 {
				return fmt.Errorf("%w: a message length is cut off", errCorruptArrow)
			}
			msgLen = int64(binary.LittleEndian.Uint32(head[4:8]))
			pos += 4
		}
		if msgLen == 0 {
			return nil // end of stream
		}
		if msgLen < 0 || msgLen > size-pos || msgLen > math.MaxInt32 {
			return fmt.Errorf("%w: a message of %d bytes where %d remain", errCorruptArrow, msgLen, size-pos)
		}
		meta := make([]byte, msgLen)
		if n, _ := r.ReadAt(meta, pos); int64(n) < msgLen {
			return fmt.Errorf("%w: a message is cut off", errCorruptArrow)
		}
		pos += msgLen
		kind, body, err := checkMessage(meta, size-pos)
		if err != nil {
			return err
		}
		if first && kind != 1 {
			return fmt.Errorf("%w: the stream does not start with a schema", errCorruptArrow)
		}
		pos += body
	}
	return nil
}

// checkIPCFile checks the footer of an IPC file of size bytes, its schema
// and the messages of its blocks.
func checkIPCFile(r io.ReaderAt, size int64) error {
	const magic = 6
	if size < 2*8+4 {
		return fmt.Errorf("%w: the file is too small", errCorruptArrow)
	}
	var tail [4]byte
	if n, _ := r.ReadAt(tail[:], size-magic-4); n < 4 {
		return fmt.Errorf("%w: cannot read the footer length", errCorruptArrow)
	}
	flen := int64(binary.LittleEndian.Uint32(tail[:]))
	if flen <= 0 || flen > size-magic-4-8 {
		return fmt.Errorf("%w: a footer of %d bytes in a file of %d", errCorruptArrow, flen, size)
	}
	foot := make([]byte, flen)
	if n, _ := r.ReadAt(foot, size-magic-4-flen); int64(n) < flen {
		return fmt.Errorf("%w: the footer is cut off", errCorruptArrow)
	}
	c := &fbCheck{b: foot, budget: 1 << 16}
	root, err := c.ref(0)
	if err != nil {
		return err
	}
	ft, err := c.table(root)
	if err != nil {
		return err
	}
	if sc, ok, err := c.sub(ft, 1); err != nil {
		return err
	} else if ok {
		if err := c.schema(sc); err != nil {
			return err
		}
	}
	if err := c.keyValues(ft, 4); err != nil {
		return err
	}
	dataEnd := size - magic - 4 - flen
	for _, vi := range []int{2, 3} {
		start, n, err := c.vector(ft, vi, 24)
		if err != nil {
			return err
		}
		for k := range n {
			p := start + 24*k
			off := int64(binary.LittleEndian.Uint64(foot[p:]))
			metaLen := int64(int32(binary.LittleEndian.Uint32(foot[p+8:])))
			body := int64(binary.LittleEndian.Uint64(foot[p+16:]))
			if off < 0 || metaLen <= 8 || body < 0 || off > dataEnd || metaLen > dataEnd-off || body > dataEnd-off-metaLen {
				return fmt.Errorf("%w: a record batch outside the file", errCorruptArrow)
			}
			meta := make([]byte, metaLen)
			if n, _ := r.ReadAt(meta, off); int64(n) < metaLen {
				return fmt.Errorf("%w: a message is cut off", errCorruptArrow)
			}
			skip := 4
			if binary.LittleEndian.Uint32(meta) == 0xFFFFFFFF {
				skip = 8
			}
			if _, _, err := checkMessage(meta[skip:], body); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkStoredSchema checks the Arrow schema a Parquet writer stored in the
// file's metadata (base64 of an IPC stream holding a schema message).
func checkStoredSchema(s string) error {
	var dec []byte
	var err error
	if len(s)%4 == 0 {
		dec, err = base64.StdEncoding.DecodeString(s)
	}
	if len(dec) == 0 || err != nil {
		dec, err = base64.RawStdEncoding.DecodeString(s)
	}
	if err != nil {
		return fmt.Errorf("%w: %v", errCorruptArrow, err)
	}
	return checkIPCStream(bytesReaderAt(dec), int64(len(dec)))
}

// bytesReaderAt reads a byte slice.
type bytesReaderAt []byte

func (b bytesReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
