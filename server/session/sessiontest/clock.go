// Package sessiontest provides a manual clock for tests of code that
// schedules session TTLs, in the manner of net/http/httptest.
package sessiontest

import (
	"sort"
	"sync"
	"time"

	"github.com/assocengine/assoc/server/session"
)

// Clock is a session.Clock whose time only moves when Advance is called.
// Timers that come due run synchronously inside Advance, in due order.
type Clock struct {
	mu     sync.Mutex
	now    time.Duration // since the clock's start
	seq    int
	timers []*timer
}

var _ session.Clock = (*Clock)(nil)

type timer struct {
	c       *Clock
	due     time.Duration
	seq     int
	f       func()
	stopped bool
	fired   bool
}

// AfterFunc schedules f to run once the clock has advanced by d.
func (c *Clock) AfterFunc(d time.Duration, f func()) session.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &timer{c: c, due: c.now + d, seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return t
}

// Stop cancels the timer; it reports false when the timer already fired or
// was stopped.
func (t *timer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.fired || t.stopped {
		return false
	}
	t.stopped = true
	return true
}

// Advance moves the clock forward by d and runs every timer that comes due,
// earliest first.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	target := c.now + d
	for {
		sort.Slice(c.timers, func(i, j int) bool {
			if c.timers[i].due != c.timers[j].due {
				return c.timers[i].due < c.timers[j].due
			}
			return c.timers[i].seq < c.timers[j].seq
		})
		var next *timer
		keep := c.timers[:0]
		for _, t := range c.timers {
			switch {
			case t.stopped || t.fired:
			case next == nil && t.due <= target:
				next = t
			default:
				keep = append(keep, t)
			}
		}
		c.timers = keep
		if next == nil {
			break
		}
		next.fired = true
		c.now = next.due
		c.mu.Unlock()
		next.f()
		c.mu.Lock()
	}
	c.now = target
	c.mu.Unlock()
}

// Pending returns the number of timers that are scheduled and not stopped.
func (c *Clock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, t := range c.timers {
		if !t.stopped && !t.fired {
			n++
		}
	}
	return n
}
