package bench

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/cpu"
)

// Machine describes the computer a benchmark ran on.
type Machine struct {
	// CPU is the processor's model name ("" when the OS does not say).
	CPU string `json:"cpu"`
	// Cores is the number of logical CPUs the process can use.
	Cores int `json:"cores"`
	// GOMAXPROCS is the Go scheduler's thread limit during the run.
	GOMAXPROCS int    `json:"gomaxprocs"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
	Go         string `json:"go"`
	// MemoryBytes is the machine's total RAM (0 when unknown).
	MemoryBytes uint64 `json:"memory_bytes"`
	// SIMD lists the vector extensions the engine's kernels may use
	// (AVX2, AVX-512 F/BW/VL/VPOPCNTDQ/VBMI2/BITALG).
	SIMD []string `json:"simd"`
	// ReadGBps is the sequential memory read bandwidth measured by this run
	// (see MeasureReadBandwidth); 0 when not measured.
	ReadGBps float64 `json:"read_gbps"`
}

// DescribeMachine returns the facts of this machine, without the
// bandwidth measurement.
func DescribeMachine() Machine {
	m := Machine{
		CPU:        cpuModel(),
		Cores:      runtime.NumCPU(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		OS:         runtime.GOOS,
		Arch:       runtime.GOARCH,
		Go:         runtime.Version(),
	}
	m.MemoryBytes = memTotal()
	flags := []struct {
		name string
		on   bool
	}{
		{"AVX2", cpu.X86.HasAVX2},
		{"AVX512F", cpu.X86.HasAVX512F},
		{"AVX512BW", cpu.X86.HasAVX512BW},
		{"AVX512VL", cpu.X86.HasAVX512VL},
		{"AVX512VPOPCNTDQ", cpu.X86.HasAVX512VPOPCNTDQ},
		{"AVX512VBMI2", cpu.X86.HasAVX512VBMI2},
		{"AVX512BITALG", cpu.X86.HasAVX512BITALG},
	}
	for _, f := range flags {
		if f.on {
			m.SIMD = append(m.SIMD, f.name)
		}
	}
	return m
}

// HasAVX512 reports whether the machine has the AVX-512 foundation.
func (m Machine) HasAVX512() bool {
	for _, s := range m.SIMD {
		if s == "AVX512F" {
			return true
		}
	}
	return false
}

// HasAVX2 reports whether the machine has AVX2.
func (m Machine) HasAVX2() bool {
	for _, s := range m.SIMD {
		if s == "AVX2" {
			return true
		}
	}
	return false
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func memTotal() uint64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			f := strings.Fields(rest)
			if len(f) >= 1 {
				kb, err := strconv.ParseUint(f[0], 10, 64)
				if err == nil {
					return kb * 1024
				}
			}
		}
	}
	return 0
}

// LoadAverage returns the 1-, 5- and 15-minute load averages (zeros when
// the OS does not report them). On a shared machine they say how much
// other work ran beside a benchmark.
func LoadAverage() [3]float64 {
	var out [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out
	}
	f := strings.Fields(string(b))
	for i := 0; i < 3 && i < len(f); i++ {
		out[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return out
}

var bandwidthSink uint64

// MeasureReadBandwidth measures sequential memory reads: goroutines sum
// disjoint parts of a buffer of size bytes (which should be well above the
// last-level cache, e.g. 256 MiB), passes times, and it returns the best
// pass in GB/s (10⁹ bytes per second). It is a short probe of what a
// column scan can reach on this machine, not a full STREAM benchmark.
func MeasureReadBandwidth(size, goroutines, passes int) float64 {
	words := max(size/8, 1024)
	goroutines = max(goroutines, 1)
	passes = max(passes, 1)
	buf := make([]uint64, words)
	for i := range buf {
		buf[i] = uint64(i)
	}
	part := (words + goroutines - 1) / goroutines
	best := time.Duration(1<<63 - 1)
	sums := make([]uint64, goroutines)
	for range passes {
		var wg sync.WaitGroup
		t0 := time.Now()
		for g := range goroutines {
			lo := min(g*part, words)
			hi := min(lo+part, words)
			wg.Add(1)
			go func() {
				defer wg.Done()
				sums[g] = sumWords(buf[lo:hi])
			}()
		}
		wg.Wait()
		best = min(best, time.Since(t0))
	}
	for _, s := range sums {
		bandwidthSink += s
	}
	return float64(words*8) / best.Seconds() / 1e9
}

// sumWords adds words with eight independent accumulators, so the loop is
// bound by memory rather than by the addition chain.
func sumWords(w []uint64) uint64 {
	var s0, s1, s2, s3, s4, s5, s6, s7 uint64
	for len(w) >= 8 {
		s0 += w[0]
		s1 += w[1]
		s2 += w[2]
		s3 += w[3]
		s4 += w[4]
		s5 += w[5]
		s6 += w[6]
		s7 += w[7]
		w = w[8:]
	}
	for _, v := range w {
		s0 += v
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}
