package engine

import "unsafe"

// Texts of slow fields, for searches. A frozen symbol table renders (ids,
// amounts, dates) or decodes (compressed texts) a text each time it is
// read, so a search over a field of a million such symbols pays that for
// every symbol. The first search that reads every text of such a field
// keeps them rendered in the query caches (within reserveCache's budget;
// ClearCaches drops them): a search box searches again at every keystroke.

// minSearchTexts is the cardinality from which a slow field's texts are
// kept for searches (below it rendering them is a few milliseconds).
const minSearchTexts = 1 << 16

type searchTextsKey struct{ field int }

// fieldTexts are the texts of a field's symbols, back to back.
type fieldTexts struct {
	arena []byte
	off   []uint32
	size  int64
}

// text returns the text of symbol id (sharing the arena).
func (ft *fieldTexts) text(id uint32) string {
	lo, hi := ft.off[id], ft.off[id+1]
	if lo == hi {
		return ""
	}
	return unsafe.String(&ft.arena[lo], int(hi-lo))
}

// searchTexts returns the texts of f for a search that reads them all, or
// nil when reading them from the symbol table is as fast (a field that
// stores them, or a small one). m may be nil (no cache).
func (m *Model) searchTexts(f *Field) *fieldTexts {
	if m == nil || f.Cardinal() < minSearchTexts {
		return nil
	}
	if _, slow := f.Symbols.Alphabet(); !slow {
		return nil
	}
	key := searchTextsKey{f.Index}
	if v, ok := m.cnums.Load(key); ok {
		return v.(*fieldTexts)
	}
	n := f.Cardinal()
	var arena []byte
	off := make([]uint32, 1, n+1)
	for id := range uint32(n) {
		arena = f.Symbols.AppendText(arena, id)
		off = append(off, uint32(len(arena)))
	}
	ft := &fieldTexts{arena: arena, off: off, size: int64(cap(arena)) + int64(cap(off))*4}
	if !m.reserveCache(ft.size, false) {
		return ft // used by this search only
	}
	if v, loaded := m.cnums.LoadOrStore(key, ft); loaded {
		m.rowNumsBytes.Add(-ft.size)
		return v.(*fieldTexts)
	}
	return ft
}
