package serverbench

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/server"
)

// AppID is the id under which ServerLoad serves the model.
const AppID = "star"

// DefaultFields are the list objects of the cycle: Region (in Customers),
// whose values are selected, then Product and StoreRegion (in Sales).
var DefaultFields = []string{"Region", "Product", "StoreRegion"}

// Defaults of ServerLoadOptions.
const (
	DefaultPageRows = 20
	DefaultTimeout  = 30 * time.Second
)

// ServerLoadOptions say how many clients run and for how long. Clients
// and one of Cycles or Duration must be set; the other fields have
// defaults.
type ServerLoadOptions struct {
	// Clients is the number of concurrent clients, each with its own
	// WebSocket and session.
	Clients int
	// Cycles is the number of timed cycles each client runs (0: no limit,
	// Duration ends the run).
	Cycles int
	// Duration ends the timed cycles this long after they started (0: no
	// limit, Cycles ends the run). A cycle under way when it passes is
	// finished and counted.
	Duration time.Duration
	// Warmup untimed cycles run on each client after its setup, before
	// the timed cycles of all clients start together.
	Warmup int
	// ColdCaches clears the model's caches (engine.Model.ClearCaches:
	// the inference results sessions share, row values, pre-aggregations)
	// before every timed cycle, untimed, so that a cycle never reuses an
	// earlier cycle's inference. Meant for one client: with several, each
	// clears the others' caches at random points.
	ColdCaches bool
	// Fields are the fields of the list objects; the first one's values
	// are selected. It needs at least two values. Nil means DefaultFields.
	Fields []string
	// PageRows is the height of each list object's qInitialDataFetch
	// (0 means DefaultPageRows).
	PageRows int
	// Timeout bounds the wait for one response, and the connection
	// handshake; a client that passes it stops with an error (0 means
	// DefaultTimeout).
	Timeout time.Duration
	// Server configures the server (its zero value is what `assoc serve`
	// runs with by default, without authentication or license).
	Server server.Options
}

func (o *ServerLoadOptions) defaults() {
	if o.Fields == nil {
		o.Fields = DefaultFields
	}
	if o.PageRows == 0 {
		o.PageRows = DefaultPageRows
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
}

// maxClients bounds ServerLoadOptions.Clients (every client holds two
// sockets of this process).
const maxClients = 10_000

func (o *ServerLoadOptions) validate() error {
	switch {
	case o.Clients < 1 || o.Clients > maxClients:
		return fmt.Errorf("cannot run %d clients: between 1 and %d are supported", o.Clients, maxClients)
	case o.Cycles < 0:
		return fmt.Errorf("cannot run %d cycles per client: the count must not be negative", o.Cycles)
	case o.Duration < 0:
		return fmt.Errorf("cannot run the clients for %s: the duration must not be negative", o.Duration)
	case o.Cycles == 0 && o.Duration == 0:
		return errors.New("cannot run the clients without an end: set Cycles or Duration")
	case o.Warmup < 0:
		return fmt.Errorf("cannot run %d warm-up cycles: the count must not be negative", o.Warmup)
	case len(o.Fields) == 0:
		return errors.New("cannot run the clients without list objects: Fields is empty")
	case o.PageRows < 1 || o.PageRows > 10_000:
		return fmt.Errorf("cannot fetch %d rows per list object: between 1 and 10000 are supported", o.PageRows)
	case o.Timeout < 0:
		return fmt.Errorf("cannot wait %s for a response: the timeout must not be negative", o.Timeout)
	}
	for i, f := range o.Fields {
		if f == "" {
			return fmt.Errorf("cannot create list object %d: its field name is empty", i)
		}
	}
	return nil
}

// ServerLoadResult is what the clients measured. Latencies are wall-clock
// times of whole cycles (the selection and the layouts) as the clients saw
// them; cycles that failed are counted in Errors and not in the latencies.
type ServerLoadResult struct {
	// Clients is the number of clients that started; Failed of them
	// stopped early (setup or transport error).
	Clients int `json:"clients"`
	Failed  int `json:"failed_clients"`
	// Cycles is the number of timed cycles that succeeded.
	Cycles int `json:"cycles"`
	// Errors counts failed cycles and failed client setups; FirstError is
	// the first of them.
	Errors     int    `json:"errors"`
	FirstError string `json:"first_error,omitempty"`
	// Setup is the time to connect every client, open the app and create
	// the list objects (with the warm-up cycles).
	Setup time.Duration `json:"setup_ns"`
	// Elapsed is the time from the start of the timed cycles until the
	// last client finished.
	Elapsed time.Duration `json:"elapsed_ns"`
	// CyclesPerSecond is Cycles / Elapsed over all clients.
	CyclesPerSecond float64 `json:"cycles_per_second"`
	// Min, Median, P90, P99 and Max are cycle latencies (nearest-rank
	// percentiles; the median of an even count is the mean of the two
	// middle ones).
	Min    time.Duration `json:"min_ns"`
	Median time.Duration `json:"median_ns"`
	P90    time.Duration `json:"p90_ns"`
	P99    time.Duration `json:"p99_ns"`
	Max    time.Duration `json:"max_ns"`
	// SelectMedian is the median of the selection calls alone, and
	// LayoutMedian that of a cycle's GetLayout calls together (medians of
	// their own, so they need not add up to Median). The engine infers the
	// new states lazily, so most of the work shows in the layouts.
	SelectMedian time.Duration `json:"select_median_ns"`
	LayoutMedian time.Duration `json:"layout_median_ns"`
	// Pushed counts frames without an id (notifications other than
	// OnConnected, pushed change and close lists) seen during the run.
	Pushed int64 `json:"pushed_frames"`
	// PageRows is the number of list-object rows in one cycle's layouts
	// (the three data pages together).
	PageRows int `json:"page_rows"`
	// ResponseBytes is the size of one cycle's four responses.
	ResponseBytes int `json:"response_bytes"`
}

// ServerLoad serves m as the app AppID from a new engine and server on
// 127.0.0.1, runs opts.Clients clients against it (see the package
// documentation for what a client does) and returns their measurements.
// Failed cycles and clients are counted in the result; an error is
// returned when the options are invalid, the server cannot start, no
// client got through its setup, or ctx ends.
func ServerLoad(ctx context.Context, m *engine.Model, opts ServerLoadOptions) (*ServerLoadResult, error) {
	if m == nil {
		return nil, errors.New("cannot run the server benchmark: no model")
	}
	opts.defaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	ts, err := startServer(m, opts.Server)
	if err != nil {
		return nil, err
	}
	defer ts.stop()
	url := "ws://" + ts.addr

	run := &loadRun{opts: &opts, model: m, start: make(chan struct{})}
	t0 := time.Now()
	// Setup: every client connects, opens the app, creates its lists and
	// warms up, then waits at the start line.
	var setup, done sync.WaitGroup
	clients := make([]*clientRun, opts.Clients)
	for i := range clients {
		cr := &clientRun{run: run, index: i}
		clients[i] = cr
		setup.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			cr.main(ctx, url, &setup)
		}()
	}
	setup.Wait()
	setupTime := time.Since(t0)
	ready := 0
	for _, cr := range clients {
		if cr.ready {
			ready++
		}
	}
	if ready == 0 || ctx.Err() != nil {
		close(run.start)
		done.Wait()
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("server benchmark interrupted during the setup of its clients: %w", err)
		}
		return nil, fmt.Errorf("cannot run the server benchmark: no client got through its setup: %s", run.firstError())
	}
	startTime := time.Now()
	if opts.Duration > 0 {
		run.deadline = startTime.Add(opts.Duration)
	}
	close(run.start)
	done.Wait()
	elapsed := time.Since(startTime)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("server benchmark interrupted: %w", err)
	}

	res := &ServerLoadResult{Clients: opts.Clients, Setup: setupTime, Elapsed: elapsed,
		Errors: int(run.errors.Load()), FirstError: run.firstError(), Pushed: run.pushed.Load()}
	var cycles, selects, layouts []time.Duration
	for _, cr := range clients {
		if cr.failed {
			res.Failed++
		}
		cycles = append(cycles, cr.cycles...)
		selects = append(selects, cr.selects...)
		layouts = append(layouts, cr.layouts...)
		if res.PageRows == 0 {
			res.PageRows, res.ResponseBytes = cr.pageRows, cr.responseBytes
		}
	}
	res.Cycles = len(cycles)
	if elapsed > 0 {
		res.CyclesPerSecond = float64(res.Cycles) / elapsed.Seconds()
	}
	if len(cycles) > 0 {
		slices.Sort(cycles)
		slices.Sort(selects)
		slices.Sort(layouts)
		res.Min, res.Max = cycles[0], cycles[len(cycles)-1]
		res.Median = median(cycles)
		res.P90 = percentile(cycles, 0.90)
		res.P99 = percentile(cycles, 0.99)
		res.SelectMedian = median(selects)
		res.LayoutMedian = median(layouts)
	}
	return res, nil
}

// MedianMS returns the median cycle in milliseconds.
func (r *ServerLoadResult) MedianMS() float64 { return ms(r.Median) }

// P99MS returns the 99th percentile cycle in milliseconds.
func (r *ServerLoadResult) P99MS() float64 { return ms(r.P99) }

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// median returns the middle of sorted durations (the mean of the two
// middle ones for an even count), as bench.Summarise does.
func median(s []time.Duration) time.Duration {
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[n/2]
}

// percentile returns the nearest-rank p-quantile (0 < p ≤ 1) of sorted
// durations: the smallest value with at least p of them at or below it.
func percentile(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	k := int(math.Ceil(p*float64(len(s)))) - 1
	return s[min(max(k, 0), len(s)-1)]
}

// loadRun is what the clients of one ServerLoad share.
type loadRun struct {
	opts     *ServerLoadOptions
	model    *engine.Model
	start    chan struct{} // closed when the timed cycles begin
	deadline time.Time     // set before start is closed (zero: none)

	errors atomic.Int64
	pushed atomic.Int64
	mu     sync.Mutex
	first  error
}

// fail counts an error and keeps the first one.
func (r *loadRun) fail(err error) {
	r.errors.Add(1)
	r.mu.Lock()
	if r.first == nil {
		r.first = err
	}
	r.mu.Unlock()
}

func (r *loadRun) firstError() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.first == nil {
		return ""
	}
	return r.first.Error()
}

// clientRun is one client's part of a run: its measurements and how it
// ended.
type clientRun struct {
	run   *loadRun
	index int
	ready bool // got through setup
	// failed: stopped early (setup or transport error)
	failed                   bool
	cycles, selects, layouts []time.Duration
	pageRows, responseBytes  int
}

// main runs one client: setup, then (after the start line) the timed
// cycles. setup.Done is called exactly once, whatever happens.
func (cr *clientRun) main(ctx context.Context, url string, setup *sync.WaitGroup) {
	o := cr.run.opts
	setupDone := false
	markSetup := func() {
		if !setupDone {
			setupDone = true
			setup.Done()
		}
	}
	var c *client
	defer func() {
		if p := recover(); p != nil {
			cr.failed = true
			cr.run.fail(fmt.Errorf("client %d: BUG: panic: %v\n%s", cr.index, p, debug.Stack()))
		}
		if c != nil {
			c.close()
		}
		markSetup()
	}()
	c, err := dial(ctx, url, cr.index, o)
	if err == nil {
		err = c.setup()
	}
	for i := 0; err == nil && i < o.Warmup; i++ {
		_, err = c.cycle()
		if err != nil {
			err = fmt.Errorf("warm-up cycle %d: %w", i+1, err)
		}
	}
	if err != nil {
		cr.failed = true
		cr.run.fail(fmt.Errorf("client %d: %w", cr.index, err))
		return
	}
	cr.ready = true
	markSetup()
	<-cr.run.start
	c.pushed = 0 // count the frames pushed during the timed cycles only
	for n := 0; o.Cycles == 0 || n < o.Cycles; n++ {
		if ctx.Err() != nil || (!cr.run.deadline.IsZero() && !time.Now().Before(cr.run.deadline)) {
			break
		}
		if o.ColdCaches {
			cr.run.model.ClearCaches()
		}
		t, err := c.cycle()
		if err != nil {
			cr.run.fail(fmt.Errorf("client %d, cycle %d: %w", cr.index, n+1, err))
			if c.broken {
				cr.failed = true
				break
			}
			continue
		}
		cr.cycles = append(cr.cycles, t.total)
		cr.selects = append(cr.selects, t.selection)
		cr.layouts = append(cr.layouts, t.layouts)
		cr.pageRows, cr.responseBytes = t.pageRows, t.bytes
	}
	cr.run.pushed.Add(c.pushed)
}

// testServer is the engine and server ServerLoad runs against.
type testServer struct {
	eng    *qix.Engine
	srv    *server.Server
	addr   string
	served chan error
}

// startServer serves m as the app AppID on a loopback port.
func startServer(m *engine.Model, so server.Options) (*testServer, error) {
	store := qix.NewMemoryStore()
	if err := store.Save(&qix.AppSnapshot{ID: AppID, Title: AppID, Model: m, LastReload: time.Now()}); err != nil {
		return nil, fmt.Errorf("cannot store the benchmark app: %w", err)
	}
	eng, err := qix.NewEngine(qix.Options{Store: store})
	if err != nil {
		return nil, fmt.Errorf("cannot start the engine of the server benchmark: %w", err)
	}
	srv, err := server.New(engineAdapter{eng}, so)
	if err != nil {
		_ = eng.Close()
		return nil, fmt.Errorf("cannot start the server of the server benchmark: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = eng.Close()
		return nil, fmt.Errorf("cannot listen on a loopback port for the server benchmark: %w", err)
	}
	ts := &testServer{eng: eng, srv: srv, addr: ln.Addr().String(), served: make(chan error, 1)}
	go func() { ts.served <- srv.Serve(ln) }()
	return ts, nil
}

// stop shuts the server down (waiting at most 10 s for its connections)
// and closes the engine.
func (ts *testServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = ts.srv.Shutdown(ctx)
	<-ts.served
	_ = ts.eng.Close()
}

// engineAdapter makes a *qix.Engine a server.Engine (the server declares
// its own small interfaces; qix returns concrete types).
type engineAdapter struct{ e *qix.Engine }

var _ server.Engine = engineAdapter{}

// NewSession starts an engine session.
func (a engineAdapter) NewSession(p server.SessionParams) (server.Session, error) {
	s, err := a.e.NewSession(qix.SessionParams{AppID: p.AppID, User: p.User, UserDirectory: p.UserDirectory})
	if err != nil {
		return nil, err
	}
	return sessionAdapter{s}, nil
}

// Stats returns the engine's figures.
func (a engineAdapter) Stats() server.EngineStats {
	st := a.e.Stats()
	return server.EngineStats{ActiveSessions: st.ActiveSessions, TotalSessions: st.TotalSessions,
		ActiveDocs: st.ActiveDocs, LoadedDocs: st.LoadedDocs, Calls: st.Calls, Selections: st.Selections}
}

// sessionAdapter makes a *qix.Session a server.Session.
type sessionAdapter struct{ s *qix.Session }

// Attach binds a connection; a *qix.Conn is a server.Conn.
func (a sessionAdapter) Attach(out server.Sender) server.Conn { return a.s.Attach(out) }

// Close frees the session.
func (a sessionAdapter) Close() { a.s.Close() }
