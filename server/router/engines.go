package router

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Engine statuses, as Mira reports them.
const (
	StatusOK        = "OK"
	StatusUnhealthy = "UNHEALTHY"
	StatusNoMetrics = "NO_METRICS"
)

// Limits of the health poll's answers.
const (
	maxHealthBytes  = 1 << 20
	maxMetricsBytes = 4 << 20
)

// engine is the router's view of one engine: what discovery said and
// what the last health poll found.
type engine struct {
	Target

	mu        sync.Mutex
	status    string
	draining  bool // /healthcheck answered 503: the engine is starting or shutting down
	health    json.RawMessage
	metrics   []MetricFamily
	active    int     // active sessions (qix_active_sessions, else health)
	memFree   float64 // MiB
	cpu       float64 // percent
	placed    int     // sessions placed since the last poll
	lastErr   string
	checked   time.Time
	downUntil time.Time // marked down after a failed connection
}

// snapshot is a copy of an engine's state for placement and listings.
type snapshot struct {
	Target
	status   string
	draining bool
	health   json.RawMessage
	metrics  []MetricFamily
	active   int
	memFree  float64
	cpu      float64
	lastErr  string
}

func (e *engine) snapshot(now time.Time) snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	s := snapshot{Target: e.Target, status: e.status, draining: e.draining, health: e.health, metrics: e.metrics,
		active: e.active + e.placed, memFree: e.memFree, cpu: e.cpu, lastErr: e.lastErr}
	if now.Before(e.downUntil) {
		s.status = StatusUnhealthy
	}
	return s
}

// eligible reports whether the engine may get a new session.
func (s snapshot) eligible() bool {
	return s.status == StatusOK && !s.draining && !s.Terminating
}

// healthDoc is the part of /healthcheck the router reads.
type healthDoc struct {
	Mem struct {
		Free float64 `json:"free"`
	} `json:"mem"`
	CPU struct {
		Total float64 `json:"total"`
	} `json:"cpu"`
	Session struct {
		Active int `json:"active"`
	} `json:"session"`
}

// poll checks one engine as Mira does: GET /healthcheck, then GET
// /metrics, both with Accept: application/json. The health call failing
// makes it UNHEALTHY (a 503 with a body means it is draining), the
// metrics call failing NO_METRICS, both succeeding OK.
func (e *engine) poll(ctx context.Context, client *http.Client, now time.Time) string {
	body, code, err := get(ctx, client, "http://"+e.Addr()+"/healthcheck", maxHealthBytes)
	var hd healthDoc
	healthOK := err == nil && code == http.StatusOK
	if err == nil && (code == http.StatusOK || code == http.StatusServiceUnavailable) {
		if jerr := json.Unmarshal(body, &hd); jerr != nil {
			healthOK, err = false, fmt.Errorf("the health JSON is invalid: %w", jerr)
		}
	}
	var fams []MetricFamily
	var merr error
	if healthOK {
		var mbody []byte
		var mcode int
		mbody, mcode, merr = get(ctx, client, "http://"+e.MetricsAddr()+"/metrics", maxMetricsBytes)
		switch {
		case merr != nil:
		case mcode != http.StatusOK:
			merr = fmt.Errorf("/metrics answered HTTP %d", mcode)
		case strings.HasPrefix(strings.TrimLeft(string(mbody), " \t\r\n"), "#"):
			fams, merr = ParseMetrics(string(mbody))
		default:
			merr = json.Unmarshal(mbody, &fams)
		}
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	e.checked = now
	e.placed = 0
	switch {
	case err != nil:
		e.status, e.lastErr = StatusUnhealthy, err.Error()
		e.draining = false
	case code == http.StatusServiceUnavailable:
		e.status, e.draining, e.lastErr = StatusUnhealthy, true, "the engine is not ready: starting or draining (/healthcheck answered 503)"
		e.health = json.RawMessage(body)
	case code != http.StatusOK:
		e.status, e.lastErr = StatusUnhealthy, fmt.Sprintf("/healthcheck answered HTTP %d", code)
		e.draining = false
	default:
		e.health, e.draining = json.RawMessage(body), false
		e.memFree, e.cpu, e.active = hd.Mem.Free, hd.CPU.Total, hd.Session.Active
		if merr != nil {
			e.status, e.lastErr = StatusNoMetrics, merr.Error()
		} else {
			e.status, e.lastErr, e.metrics = StatusOK, "", fams
			if v, ok := Value(fams, "qix_active_sessions"); ok {
				if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f < 1e9 {
					e.active = int(f)
				}
			}
		}
	}
	if e.status == StatusOK {
		e.downUntil = time.Time{}
	}
	if e.draining {
		return "DRAINING"
	}
	return e.status
}

// markDown takes the engine out of placement until the next successful
// poll (or until until), after a connection to it failed.
func (e *engine) markDown(reason string, until time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.downUntil = until
	e.lastErr = reason
}

// placedOne counts a session placed since the last poll, so placements
// between two polls spread out.
func (e *engine) placedOne() {
	e.mu.Lock()
	e.placed++
	e.mu.Unlock()
}

// get fetches a URL with Accept: application/json, reading at most max
// bytes.
func get(ctx context.Context, client *http.Client, url string, max int64) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, 0, err
	}
	if int64(len(body)) > max {
		return nil, 0, fmt.Errorf("%s: the answer is over %d bytes", url, max)
	}
	return body, resp.StatusCode, nil
}
