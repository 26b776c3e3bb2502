package numfmt

import (
	"sync"
	"sync/atomic"
)

// codeCache memoizes compiled format codes, like a sync.Map specialised to
// comparable keys without boxing (so lookups do not allocate).
//
// Readers look in an immutable map published through an atomic pointer, so
// concurrent loads and cell formatting never contend on a lock. A new code
// goes into a mutex-guarded dirty map; once the dirty entries have been hit
// as often as there are of them, read and dirty are merged into a new
// published map. The cost of a copy is thus paid only for codes that are
// used repeatedly. Format codes come from scripts and chart expressions, so
// the set is small in practice; each map is bounded by maxCached entries (a
// full one starts afresh) so that an expression producing endless distinct
// codes can neither grow memory nor cause copying without bound.
type codeCache[K comparable, V any] struct {
	read   atomic.Pointer[map[K]V]
	mu     sync.Mutex
	dirty  map[K]V
	misses int
}

const maxCached = 1024

func (c *codeCache[K, V]) get(k K, compile func(K) V) V {
	if r := c.read.Load(); r != nil {
		if v, ok := (*r)[k]; ok {
			return v
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if r := c.read.Load(); r != nil {
		if v, ok := (*r)[k]; ok {
			return v
		}
	}
	if v, ok := c.dirty[k]; ok {
		c.misses++
		if c.misses >= len(c.dirty) {
			c.promote()
		}
		return v
	}
	v := compile(k)
	if c.dirty == nil || len(c.dirty) >= maxCached {
		c.dirty = make(map[K]V)
		c.misses = 0
	}
	c.dirty[k] = v
	return v
}

// promote publishes read ∪ dirty as the new read map. c.mu is held.
func (c *codeCache[K, V]) promote() {
	var next map[K]V
	old := c.read.Load()
	if old != nil && len(*old)+len(c.dirty) <= maxCached {
		next = make(map[K]V, len(*old)+len(c.dirty))
		for k, v := range *old {
			next[k] = v
		}
	} else {
		next = make(map[K]V, len(c.dirty))
	}
	for k, v := range c.dirty {
		next[k] = v
	}
	c.read.Store(&next)
	c.dirty = nil
	c.misses = 0
}

// len returns the number of cached codes.
func (c *codeCache[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.dirty)
	if r := c.read.Load(); r != nil {
		n += len(*r)
	}
	return n
}
