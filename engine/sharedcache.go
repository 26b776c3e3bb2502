package engine

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Inference results shared between sessions. Many users of one app make
// the same selections (the same filter pane values, the same bookmark), and
// an inference over a large fact table costs milliseconds of scanning, so,
// like the product's engine, the model keeps the latest results by
// selection content for every session to reuse: a session that selects
// what another already selected gets the finished result. A Result is
// immutable apart from its lazily computed parts, which are safe for
// concurrent use.

// sharedResults is how many results a model keeps.
const sharedResults = 16

type sharedEntry struct {
	hash uint64
	st   *State
	once sync.Once
	r    *Result
}

type resultCache struct {
	mu      sync.Mutex
	seed    maphash.Seed
	entries []*sharedEntry // most recently used last
}

var sharedHits atomic.Int64

// contentHash hashes the state's name and selections (fields, locks and
// selected symbols), not its version.
func (c *resultCache) contentHash(st *State) uint64 {
	var h maphash.Hash
	h.SetSeed(c.seed)
	h.WriteString(st.name)
	fields := make([]int, 0, len(st.sels))
	for f := range st.sels {
		fields = append(fields, f)
	}
	slices.Sort(fields)
	var buf [8]byte
	for _, f := range fields {
		fs := st.sels[f]
		binary.LittleEndian.PutUint64(buf[:], uint64(f)<<1)
		if fs.Locked {
			buf[0] |= 1
		}
		h.Write(buf[:])
		for _, w := range fs.set {
			binary.LittleEndian.PutUint64(buf[:], w)
			h.Write(buf[:])
		}
	}
	return h.Sum64()
}

// sharedResult returns the inference for st: a result another session
// computed for the same selections, or a new one that others may reuse.
func (m *Model) sharedResult(st *State) *Result {
	c := &m.results
	c.mu.Lock()
	if c.entries == nil {
		c.seed = maphash.MakeSeed()
	}
	h := c.contentHash(st)
	var e *sharedEntry
	for i := len(c.entries) - 1; i >= 0; i-- {
		x := c.entries[i]
		if x.hash == h && x.st.name == st.name && sameSelections(x.st, st) {
			e = x
			c.entries = append(slices.Delete(c.entries, i, i+1), x)
			sharedHits.Add(1)
			break
		}
	}
	if e == nil {
		e = &sharedEntry{hash: h, st: st}
		c.entries = append(c.entries, e)
		if len(c.entries) > sharedResults {
			c.entries = slices.Delete(c.entries, 0, 1)
		}
	}
	c.mu.Unlock()
	e.once.Do(func() { e.r = m.infer(e.st) })
	return e.r
}

// ClearResults drops the inference results sessions share, and nothing
// else: the next session to make any selection infers it afresh, while
// the charts' pre-aggregations and row values, which depend on the data
// and the charts but not on the selections, stay. Benchmarks use it to
// measure a selection never made before on charts shown before, the
// usual click on a dashboard in use.
func (m *Model) ClearResults() {
	m.results.mu.Lock()
	m.results.entries = nil
	m.results.mu.Unlock()
}

// ClearCaches drops what the model has derived while answering queries:
// the inference results shared by sessions, the per-row copies of numeric
// columns, the pre-aggregations by a selection's key, the columns'
// inverted indexes (with the counts of asks that decide when to build
// one) and the texts of large fields kept for searches (searchTexts).
// Facts about the data itself,
// such as the numbers of a field's symbols or whether a column holds
// NULL, are kept. Answers stay the same; the next queries pay to build the
// caches again. Benchmarks call it so that no timed run reuses an earlier
// run's work, and an embedder may call it to give the memory back.
// Sessions keep their own latest results.
func (m *Model) ClearCaches() {
	m.dropBuilds()
	m.ClearResults()
	m.cnums.Range(func(k, v any) bool {
		switch k := k.(type) {
		case rowNumsKey, askKey, invKey, searchTextsKey:
		case string:
			if !strings.HasPrefix(k, "preagg|") {
				return true
			}
		default:
			return true
		}
		if _, loaded := m.cnums.LoadAndDelete(k); !loaded {
			return true
		}
		switch v := v.(type) {
		case *preAgg:
			m.rowNumsBytes.Add(-v.size)
		case *invIndex:
			m.rowNumsBytes.Add(-v.size)
		case *fieldTexts:
			m.rowNumsBytes.Add(-v.size)
		case []float64:
			m.rowNumsBytes.Add(-int64(len(v)) * 8)
		case *asks:
			m.askEntries.Add(-1)
		}
		return true
	})
}
