package engine

import (
	"encoding/binary"
	"hash/maphash"
	"slices"
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
