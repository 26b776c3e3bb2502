package router

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Strategy picks the engine of a new session among the eligible ones.
type Strategy uint8

// The placement strategies (the session placement service's
// SESSION_STRATEGY values).
const (
	// LeastLoad takes the engine with the fewest active sessions, then
	// the most free memory, then the least CPU use.
	LeastLoad Strategy = iota
	// RoundRobin takes the engines in turn.
	RoundRobin
	// Weighted picks at random, weighted by the sessions each engine can
	// still take (threshold - active); it needs a threshold.
	Weighted
)

var strategyNames = [...]string{"leastload", "roundrobin", "weighted"}

// String returns the strategy's name.
func (s Strategy) String() string {
	if int(s) < len(strategyNames) {
		return strategyNames[s]
	}
	return fmt.Sprintf("Strategy(%d)", s)
}

// ParseStrategy reads a strategy name: leastload, roundrobin or weighted
// (case and "-" or "_" do not matter).
func ParseStrategy(s string) (Strategy, error) {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(s))
	for i, name := range strategyNames {
		if n == name {
			return Strategy(i), nil
		}
	}
	return 0, fmt.Errorf("unknown placement strategy %q (want leastload, roundrobin or weighted)", s)
}

// candidates returns the engines that may take a new session: healthy,
// not draining or terminating, below the threshold (when there is one),
// and not excluded; sorted by name.
func candidates(all []snapshot, threshold int, exclude map[string]bool) []snapshot {
	var out []snapshot
	for _, s := range all {
		if !s.eligible() || exclude[s.Name] {
			continue
		}
		if threshold > 0 && s.active >= threshold {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b snapshot) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// pick chooses among the candidates (not empty). next is the round-robin
// counter; rnd returns a number in [0, n).
func (s Strategy) pick(cands []snapshot, threshold int, next uint64, rnd func(n int) int) snapshot {
	switch s {
	case RoundRobin:
		return cands[next%uint64(len(cands))]
	case Weighted:
		if threshold > 0 {
			total := 0
			for _, c := range cands {
				total += threshold - c.active
			}
			if total > 0 {
				r := rnd(total)
				for _, c := range cands {
					if r -= threshold - c.active; r < 0 {
						return c
					}
				}
			}
		}
		return cands[rnd(len(cands))]
	}
	return slices.MinFunc(cands, func(a, b snapshot) int {
		if c := cmp.Compare(a.active, b.active); c != 0 {
			return c
		}
		if c := cmp.Compare(b.memFree, a.memFree); c != 0 {
			return c
		}
		if c := cmp.Compare(a.cpu, b.cpu); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
}
