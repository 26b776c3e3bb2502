package delimited

// span locates one field value. off has spanExtra set when the value lives
// in Batch.extra (it was unescaped) rather than in Batch.buf; off ==
// spanAbsent marks a field missing from a short record.
type span struct {
	off, end uint32
}

const (
	spanExtra  = 1 << 31
	spanAbsent = ^uint32(0)
)

// Ragged describes a record whose number of fields differs from the number
// of field names: extra fields were dropped, missing ones are absent.
type Ragged struct {
	// Record is the index of the record in its batch.
	Record int
	// Fields is the number of fields the record had.
	Fields int
}

// Batch is a run of consecutive records. Field values are byte slices into
// the batch's buffers: nothing is allocated per field, and a Batch returned
// by Reader.Next is valid only until the next call to Next or Close. Copy
// what must outlive it.
type Batch struct {
	buf    []byte   // the decoded input the spans point into
	extra  []byte   // unescaped values
	spans  []span   // Len()*width field spans, record-major
	lines  []uint32 // per record: line of its start, relative to baseLine
	starts []uint32 // per record: offset of its start in buf
	ragged []Ragged
	width  int

	baseLine int64 // absolute 1-based line of buf[0]
	first    int64 // 0-based ordinal of the first record in the input
}

// Len returns the number of records.
func (b *Batch) Len() int { return len(b.lines) }

// Width returns the number of fields of every record: the number of labels
// (or of fields of the first record with no labels).
func (b *Batch) Width() int { return b.width }

// Field returns field col of record rec. The slice aliases the batch's
// buffer and must not be modified; its capacity ends with the value, so
// appending to it copies. It is nil when the record was too short to have
// the field, and empty but non-nil for an empty value.
func (b *Batch) Field(rec, col int) []byte {
	if uint(col) >= uint(b.width) {
		panic("BUG: delimited: field index out of range")
	}
	s := b.spans[rec*b.width+col]
	if s.off&spanExtra == 0 {
		return b.buf[s.off:s.end:s.end]
	}
	if s.off == spanAbsent {
		return nil
	}
	o := s.off &^ spanExtra
	return b.extra[o:s.end:s.end]
}

// Absent reports whether field col of record rec is missing because the
// record had fewer fields than the batch width.
func (b *Batch) Absent(rec, col int) bool {
	return b.spans[rec*b.width+col].off == spanAbsent
}

// Record appends the fields of record rec to dst and returns it.
func (b *Batch) Record(rec int, dst [][]byte) [][]byte {
	for c := range b.width {
		dst = append(dst, b.Field(rec, c))
	}
	return dst
}

// Line returns the 1-based physical line on which record rec starts.
func (b *Batch) Line(rec int) int64 { return b.baseLine + int64(b.lines[rec]) }

// RecordNumber returns the 1-based number of record rec among all data
// records of the input (the RecNo() of the record; labels are not counted).
func (b *Batch) RecordNumber(rec int) int64 { return b.first + int64(rec) + 1 }

// Ragged returns the records of the batch whose field count differs from
// Width, in order. The slice is valid as long as the batch.
func (b *Batch) Ragged() []Ragged { return b.ragged }

// reset empties b for records parsed from buf.
func (b *Batch) reset(buf []byte, width int, baseLine int64) {
	b.buf = buf
	b.extra = b.extra[:0]
	b.spans = b.spans[:0]
	b.lines = b.lines[:0]
	b.starts = b.starts[:0]
	b.ragged = b.ragged[:0]
	b.width = width
	b.baseLine = baseLine
	b.first = 0
}

// mark is a snapshot of a batch's lengths, for rolling back a record.
type mark struct {
	extra, spans, lines, ragged int
}

func (b *Batch) mark() mark {
	return mark{len(b.extra), len(b.spans), len(b.lines), len(b.ragged)}
}

func (b *Batch) rollback(m mark) {
	b.extra = b.extra[:m.extra]
	b.spans = b.spans[:m.spans]
	b.lines = b.lines[:m.lines]
	b.starts = b.starts[:m.lines]
	b.ragged = b.ragged[:m.ragged]
}

// appendFrom appends records [from, src.Len()) of src, which points into the
// same buf as b and uses the same line origin.
func (b *Batch) appendFrom(src *Batch, from int) {
	shift := uint32(len(b.extra))
	b.extra = append(b.extra, src.extra...)
	n0 := b.Len()
	for _, s := range src.spans[from*src.width:] {
		if s.off != spanAbsent && s.off&spanExtra != 0 {
			s.off += shift
			s.end += shift
		}
		b.spans = append(b.spans, s)
	}
	b.lines = append(b.lines, src.lines[from:]...)
	b.starts = append(b.starts, src.starts[from:]...)
	for _, r := range src.ragged {
		if r.Record >= from {
			b.ragged = append(b.ragged, Ragged{Record: r.Record - from + n0, Fields: r.Fields})
		}
	}
}
