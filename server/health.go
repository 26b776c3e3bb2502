package server

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// saturatedCPU is the CPU use, in percent of the machine, from which
// /healthcheck reports the engine as saturated.
const saturatedCPU = 90

// Health is the body of GET /healthcheck, in Qlik Core's HealthcheckStatus
// shape (what Mira and the session placement service read). Memory is in
// MiB; cpu.total is the process's CPU use in percent of all cores over the
// last second or more, and saturated is true while that is 90 or more.
// The engine keeps no calculation cache figures yet, so cache is all zero,
// and in_memory_docs lists the same apps as loaded_docs.
type Health struct {
	Version   string        `json:"version"`
	Started   string        `json:"started"`
	Mem       HealthMem     `json:"mem"`
	CPU       HealthCPU     `json:"cpu"`
	Session   HealthSession `json:"session"`
	Apps      HealthApps    `json:"apps"`
	Users     HealthUsers   `json:"users"`
	Cache     HealthCache   `json:"cache"`
	Saturated bool          `json:"saturated"`
}

// HealthMem is the memory part of Health, in MiB: Committed is what the
// process holds from the OS, Allocated the live heap, Free what the
// machine (or the container's memory limit) still has available.
type HealthMem struct {
	Committed float64 `json:"committed"`
	Allocated float64 `json:"allocated"`
	Free      float64 `json:"free"`
}

// HealthCPU is the CPU part of Health.
type HealthCPU struct {
	Total float64 `json:"total"`
}

// HealthSession counts engine sessions: live now and created since start.
type HealthSession struct {
	Active int   `json:"active"`
	Total  int64 `json:"total"`
}

// HealthApps lists the apps: ActiveDocs have a session, LoadedDocs and
// InMemoryDocs are in memory; Calls and Selections count QIX calls and
// selections since start.
type HealthApps struct {
	ActiveDocs   []string `json:"active_docs"`
	LoadedDocs   []string `json:"loaded_docs"`
	InMemoryDocs []string `json:"in_memory_docs"`
	Calls        int64    `json:"calls"`
	Selections   int64    `json:"selections"`
}

// HealthUsers counts authenticated users (0 without authentication).
type HealthUsers struct {
	Active int `json:"active"`
	Total  int `json:"total"`
}

// HealthCache is the calculation cache part of Health.
type HealthCache struct {
	Hits       int64 `json:"hits"`
	Lookups    int64 `json:"lookups"`
	Added      int64 `json:"added"`
	Replaced   int64 `json:"replaced"`
	BytesAdded int64 `json:"bytes_added"`
}

// healthStatus returns the /health status code and word.
func (s *Server) healthStatus() (int, string) {
	switch s.state.Load() {
	case stateReady:
		return fasthttp.StatusOK, "ok"
	case stateDraining:
		return fasthttp.StatusServiceUnavailable, "draining"
	default:
		return fasthttp.StatusServiceUnavailable, "starting"
	}
}

// serveHealth answers GET /health: 200 when ready, 503 while starting or
// draining.
func (s *Server) serveHealth(ctx *fasthttp.RequestCtx) {
	if !getOrHead(ctx) {
		return
	}
	code, word := s.healthStatus()
	ctx.SetStatusCode(code)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	fmt.Fprintf(ctx, "{\"status\":%q}\n", word)
}

// serveHealthcheck answers GET /healthcheck with the Health JSON; the
// status code follows /health.
func (s *Server) serveHealthcheck(ctx *fasthttp.RequestCtx) {
	if !getOrHead(ctx) {
		return
	}
	h, err := s.Health()
	if err != nil {
		s.log.Error("healthcheck failed", "err", err)
		httpError(ctx, fasthttp.StatusInternalServerError, err.Error())
		return
	}
	body, err := json.Marshal(h)
	if err != nil {
		httpError(ctx, fasthttp.StatusInternalServerError, fmt.Sprintf("cannot encode healthcheck: %v", err))
		return
	}
	code, _ := s.healthStatus()
	ctx.SetStatusCode(code)
	ctx.SetContentType("application/json")
	ctx.Response.Header.Set("Cache-Control", "no-store")
	ctx.SetBody(body)
}

// Health gathers the /healthcheck figures.
func (s *Server) Health() (h Health, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("BUG: engine stats panicked: %v", p)
		}
	}()
	es := s.engine.Stats()
	ss := s.sessions.Stats()
	cpu := s.cpu.sample(time.Now())
	h = Health{
		Version: s.opts.Version,
		Started: s.started.UTC().Format("20060102T150405.000Z"),
		Mem:     memoryFigures(),
		CPU:     HealthCPU{Total: round2(cpu)},
		Session: HealthSession{Active: es.ActiveSessions, Total: es.TotalSessions},
		Apps: HealthApps{
			ActiveDocs:   nonNil(es.ActiveDocs),
			LoadedDocs:   nonNil(es.LoadedDocs),
			InMemoryDocs: nonNil(es.LoadedDocs),
			Calls:        es.Calls,
			Selections:   es.Selections,
		},
		Users:     HealthUsers{Active: ss.ActiveUsers, Total: ss.TotalUsers},
		Saturated: cpu >= saturatedCPU,
	}
	return h, nil
}

func getOrHead(ctx *fasthttp.RequestCtx) bool {
	if ctx.IsGet() || ctx.IsHead() {
		return true
	}
	ctx.Response.Header.Set("Allow", "GET, HEAD")
	httpError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: use GET", ctx.Method()))
	return false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

const mib = 1 << 20

// memorySamples are the runtime/metrics read for HealthMem.
var memorySamples = []string{
	"/memory/classes/total:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/objects:bytes",
}

// memoryFigures reads the process's memory use and what is left to it.
func memoryFigures() HealthMem {
	samples := make([]metrics.Sample, len(memorySamples))
	for i, name := range memorySamples {
		samples[i].Name = name
	}
	metrics.Read(samples)
	value := func(i int) uint64 {
		if samples[i].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return samples[i].Value.Uint64()
	}
	committed := value(0) - min(value(1), value(0))
	free, ok := availableMemory()
	if limit := debug.SetMemoryLimit(-1); limit != math.MaxInt64 && limit > 0 {
		left := uint64(0)
		if uint64(limit) > committed {
			left = uint64(limit) - committed
		}
		if !ok || left < free {
			free, ok = left, true
		}
	}
	return HealthMem{
		Committed: round2(float64(committed) / mib),
		Allocated: round2(float64(value(2)) / mib),
		Free:      round2(float64(free) / mib),
	}
}

// cpuSampler turns the process's CPU time into a percentage of all cores,
// measured over at least a second between samples.
type cpuSampler struct {
	mu       sync.Mutex
	lastWall time.Time
	lastCPU  time.Duration
	percent  float64
}

func (c *cpuSampler) init(now time.Time) {
	c.lastWall = now
	c.lastCPU, _ = processCPU()
}

func (c *cpuSampler) sample(now time.Time) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := now.Sub(c.lastWall)
	if wall < time.Second {
		return c.percent
	}
	used, ok := processCPU()
	if !ok {
		return 0
	}
	c.percent = 100 * float64(used-c.lastCPU) / (float64(wall) * float64(runtime.NumCPU()))
	c.percent = max(0, min(100, c.percent))
	c.lastWall, c.lastCPU = now, used
	return c.percent
}
