package bench

import (
	"fmt"
	"slices"
	"time"
)

// Timing summarises the timed runs of one scenario on one engine.
type Timing struct {
	// Runs is the number of timed runs (after the warm-up).
	Runs int `json:"runs"`
	// Median, Min and Max are wall-clock times of one run.
	Median time.Duration `json:"median_ns"`
	Min    time.Duration `json:"min_ns"`
	Max    time.Duration `json:"max_ns"`
}

// MedianMS returns the median in milliseconds.
func (t Timing) MedianMS() float64 { return float64(t.Median) / 1e6 }

// Plan says how often to run a scenario.
type Plan struct {
	// Warmup untimed runs come first, then up to Runs timed runs.
	Warmup, Runs int
	// Budget stops the timed runs early once they took this long in
	// total and at least MinRuns ran (0 means no budget), so a slow
	// scenario does not hold up a whole suite.
	Budget  time.Duration
	MinRuns int
}

// Measure runs prepare (untimed) and then run (timed) as the plan says and
// summarises the timed runs. It stops at the first error, which says which
// run failed.
func Measure(p Plan, prepare, run func() error) (Timing, error) {
	if p.Runs < 1 {
		return Timing{}, fmt.Errorf("cannot measure %d runs: at least one is needed", p.Runs)
	}
	minRuns := min(max(p.MinRuns, 1), p.Runs)
	ds := make([]time.Duration, 0, p.Runs)
	var spent time.Duration
	for i := 0; i < p.Warmup+p.Runs; i++ {
		if prepare != nil {
			if err := prepare(); err != nil {
				return Timing{}, fmt.Errorf("cannot prepare run %d: %w", i+1, err)
			}
		}
		t0 := time.Now()
		err := run()
		d := time.Since(t0)
		if err != nil {
			return Timing{}, fmt.Errorf("run %d failed: %w", i+1, err)
		}
		if i < p.Warmup {
			continue
		}
		ds = append(ds, d)
		spent += d
		if p.Budget > 0 && spent >= p.Budget && len(ds) >= minRuns {
			break
		}
	}
	return Summarise(ds), nil
}

// Summarise computes the median, minimum and maximum of durations (the
// median of an even count is the mean of the two middle ones).
func Summarise(ds []time.Duration) Timing {
	if len(ds) == 0 {
		return Timing{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Timing{Runs: n, Median: med, Min: s[0], Max: s[n-1]}
}
