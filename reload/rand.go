package reload

// randSource is a small deterministic generator (SplitMix64) for SAMPLE,
// so that a script samples the same records on every reload.
type randSource struct{ s uint64 }

func newRandSource(seed uint64) *randSource { return &randSource{s: seed} }

func (r *randSource) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a number in [0, 1).
func (r *randSource) float() float64 { return float64(r.next()>>11) / (1 << 53) }
