package qix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/bench"
	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
)

// discard is a Sender that counts frames and bytes.
type discard struct {
	mu            sync.Mutex
	frames, bytes int
	last          []byte
}

func (d *discard) Send(f []byte) error {
	d.mu.Lock()
	d.frames++
	d.bytes += len(f)
	d.last = f
	d.mu.Unlock()
	return nil
}

var (
	starOnce sync.Once
	starData *bench.Star
	starErr  error
)

func star10M(b *testing.B) *bench.Star {
	starOnce.Do(func() {
		starData, starErr = bench.NewStar(bench.StarOptions{FactRows: 10_000_000, Dimensions: true})
	})
	if starErr != nil {
		b.Fatal(starErr)
	}
	return starData
}

// BenchmarkSelectAndLayouts is the loopback target: on the 10M-row
// star schema, one SelectListObjectValues on a Region list object, then
// GetLayout of three list objects (Region, Product, StoreRegion; initial
// fetch 20x1), all through Conn.Handle. Reports the median in ms.
func BenchmarkSelectAndLayouts(b *testing.B) {
	st := star10M(b)
	e, err := qix.NewEngine(qix.Options{Reload: func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		return &qix.ReloadResult{Model: st.Model}, nil
	}})
	require.NoError(b, err)
	defer e.Close()
	s, err := e.NewSession(qix.SessionParams{})
	require.NoError(b, err)
	out := &discard{}
	c := s.Attach(out)
	id := 0
	send := func(handle int, method string, params ...any) []byte {
		id++
		if params == nil {
			params = []any{}
		}
		f, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "handle": handle, "method": method, "params": params})
		c.Handle(f)
		return out.last
	}
	var res struct {
		Result struct {
			QReturn struct{ QHandle int } `json:"qReturn"`
		} `json:"result"`
	}
	require.NoError(b, json.Unmarshal(send(-1, "CreateSessionApp"), &res))
	doc := res.Result.QReturn.QHandle
	send(doc, "DoReload")
	var lists []int
	for _, f := range []string{"Region", "Product", "StoreRegion"} {
		require.NoError(b, json.Unmarshal(send(doc, "CreateSessionObject", map[string]any{
			"qInfo": map[string]any{"qType": "listbox"},
			"qListObjectDef": map[string]any{
				"qDef":              map[string]any{"qFieldDefs": []string{f}},
				"qShowAlternatives": true,
				"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 20}},
			}}), &res))
		lists = append(lists, res.Result.QReturn.QHandle)
	}
	for _, h := range lists {
		send(h, "GetLayout")
	}
	var durations []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		// Cold: no inference, row values or pre-aggregation shared from
		// an earlier iteration (the five Regions would all be cached).
		b.StopTimer()
		st.Model.ClearCaches()
		b.StartTimer()
		t0 := time.Now()
		send(lists[0], "SelectListObjectValues", "/qListObjectDef", []int{i % 5}, false)
		for _, h := range lists {
			send(h, "GetLayout")
		}
		durations = append(durations, time.Since(t0))
		i++
	}
	reportMedian(b, durations)
	if testing.Verbose() {
		fmt.Printf("last layout: %d bytes\n", len(out.last))
	}
}

func reportMedian(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "ms-median")
}

// BenchmarkSelectAndLayoutsEngineOnly does the same work directly on the
// engine (selection, then the three list objects without encoding), to
// show what the QIX layer adds.
func BenchmarkSelectAndLayoutsEngineOnly(b *testing.B) {
	st := star10M(b)
	es := engine.NewSession(st.Model, engine.SessionOptions{})
	var durations []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		// Cold: no inference, row values or pre-aggregation shared from
		// an earlier iteration (the five Regions would all be cached).
		b.StopTimer()
		st.Model.ClearCaches()
		b.StartTimer()
		t0 := time.Now()
		if _, err := es.SelectElements("$", "Region", []int{i % 5}, false, false); err != nil {
			b.Fatal(err)
		}
		for _, f := range []string{"Region", "Product", "StoreRegion"} {
			lo, err := es.ListObject(engine.ListDef{Field: f, ShowAlternatives: true})
			if err != nil {
				b.Fatal(err)
			}
			_ = lo.Page(0, 20)
		}
		durations = append(durations, time.Since(t0))
		i++
	}
	reportMedian(b, durations)
}

// BenchmarkGetListObjectData measures the data-page encoder: 10 000 cells
// (the engine's page limit) of a 1e6-value text field with frequencies.
func BenchmarkGetListObjectData(b *testing.B) {
	bld := engine.NewBuilder(engine.Options{})
	tb, err := bld.NewTable("T", "Name")
	require.NoError(b, err)
	for i := 0; i < 1_000_000; i++ {
		require.NoError(b, tb.Append(fmt.Sprintf("name \"%d\"", i)))
	}
	m, err := bld.Build()
	require.NoError(b, err)
	e, err := qix.NewEngine(qix.Options{Reload: func(context.Context, qix.ReloadRequest) (*qix.ReloadResult, error) {
		return &qix.ReloadResult{Model: m}, nil
	}})
	require.NoError(b, err)
	defer e.Close()
	s, err := e.NewSession(qix.SessionParams{})
	require.NoError(b, err)
	out := &discard{}
	c := s.Attach(out)
	c.Handle([]byte(`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"CreateSessionApp"}`))
	c.Handle([]byte(`{"jsonrpc":"2.0","id":2,"handle":1,"method":"DoReload"}`))
	c.Handle([]byte(`{"jsonrpc":"2.0","id":3,"handle":1,"method":"CreateSessionObject","params":[{"qInfo":{"qType":"lb"},` +
		`"qListObjectDef":{"qDef":{"qFieldDefs":["Name"]},"qFrequencyMode":"V"}}]}`))
	req := []byte(`{"jsonrpc":"2.0","id":4,"handle":2,"method":"GetListObjectData","params":["/qListObjectDef",[{"qTop":500000,"qHeight":10000,"qWidth":1}]]}`)
	c.Handle(req)
	b.SetBytes(int64(len(out.last)))
	b.ReportAllocs()
	for b.Loop() {
		c.Handle(req)
	}
}

// BenchmarkSheetLayout is issue 7's target: on the 10M-row star schema, a
// sheet of 10 objects (three filter panes, six charts, one KPI) through
// Conn.Handle; each iteration selects one Region value and then gets the
// layout of all ten, as a client does after a click. Reports the median.
func BenchmarkSheetLayout(b *testing.B) {
	// cold: nothing cached, as on the app's first use (every chart reads
	// the fact rows). new-selection: the selection was never made (no
	// shared inference), but the charts were shown before, so their
	// pre-aggregations exist: a click on a dashboard in use. warm: the
	// five Regions' inferences are shared from earlier iterations, as
	// when other users made the same selections.
	b.Run("cold", func(b *testing.B) { benchSheetLayout(b, (*engine.Model).ClearCaches) })
	// second-selection: nothing cached, then a first selection and the
	// layouts (untimed), the user's think time (untimed: the background
	// builds that first render queued), then a second selection and the
	// layouts (timed): a dashboard's second click after opening.
	b.Run("second-selection", func(b *testing.B) { benchSheetLayout(b, nil) })
	// first-selection: nothing cached, the sheet rendered with no selection
	// (untimed), the user's think time (untimed: the background builds
	// that render queued), then a selection and the layouts (timed): the
	// first click after opening a sheet.
	b.Run("first-selection", func(b *testing.B) { benchSheetLayout(b, clearAndRender) })
	b.Run("new-selection", func(b *testing.B) { benchSheetLayout(b, (*engine.Model).ClearResults) })
	b.Run("warm", func(b *testing.B) { benchSheetLayout(b, func(*engine.Model) {}) })
}

// clearAndRender marks the first-selection case of benchSheetLayout.
func clearAndRender(*engine.Model) {}

func isClearAndRender(f func(*engine.Model)) bool {
	return reflect.ValueOf(f).Pointer() == reflect.ValueOf(clearAndRender).Pointer()
}

// benchSheetLayout runs the sheet, calling clear on the model (untimed)
// before every iteration; clear nil: a first selection instead (see
// second-selection).
func benchSheetLayout(b *testing.B, clear func(*engine.Model)) {
	st := star10M(b)
	e, err := qix.NewEngine(qix.Options{Reload: func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		return &qix.ReloadResult{Model: st.Model}, nil
	}})
	require.NoError(b, err)
	defer e.Close()
	s, err := e.NewSession(qix.SessionParams{})
	require.NoError(b, err)
	out := &discard{}
	c := s.Attach(out)
	id := 0
	send := func(handle int, method string, params ...any) []byte {
		id++
		if params == nil {
			params = []any{}
		}
		f, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "handle": handle, "method": method, "params": params})
		c.Handle(f)
		return out.last
	}
	var res struct {
		Result struct {
			QReturn struct{ QHandle int } `json:"qReturn"`
		} `json:"result"`
		Error any `json:"error"`
	}
	require.NoError(b, json.Unmarshal(send(-1, "CreateSessionApp"), &res))
	doc := res.Result.QReturn.QHandle
	send(doc, "DoReload")
	create := func(props map[string]any) int {
		require.NoError(b, json.Unmarshal(send(doc, "CreateSessionObject", props), &res))
		require.Nil(b, res.Error)
		return res.Result.QReturn.QHandle
	}
	var objs []int
	for _, f := range []string{"Region", "Product", "Country"} {
		objs = append(objs, create(map[string]any{
			"qInfo": map[string]any{"qType": "listbox"},
			"qListObjectDef": map[string]any{
				"qDef":              map[string]any{"qFieldDefs": []string{f}},
				"qShowAlternatives": true,
				"qInitialDataFetch": []any{map[string]any{"qWidth": 1, "qHeight": 50}},
			}}))
	}
	chart := func(dims []string, measures ...string) map[string]any {
		var ds, ms []any
		for _, d := range dims {
			ds = append(ds, map[string]any{"qDef": map[string]any{"qFieldDefs": []string{d}}})
		}
		for _, m := range measures {
			ms = append(ms, map[string]any{"qDef": map[string]any{"qDef": m}})
		}
		return map[string]any{"qInfo": map[string]any{"qType": "chart"}, "qHyperCubeDef": map[string]any{
			"qDimensions": ds, "qMeasures": ms,
			"qInitialDataFetch": []any{map[string]any{"qWidth": len(ds) + len(ms), "qHeight": 100}}}}
	}
	for _, props := range []map[string]any{
		chart([]string{"Product"}, "Sum(Sales)"),
		chart([]string{"Country"}, "Count(DISTINCT CustomerID)"),
		chart([]string{"Year"}, "Sum(Sales)", "Avg(Sales)"),
		chart([]string{"StoreRegion"}, "Sum(Sales)"),
		chart([]string{"Product", "Country"}, "Sum(Sales)"),
		chart([]string{"Month"}, "Sum(Sales)/Count(Sales)"),
		chart(nil, "Sum(Sales)", "Count(DISTINCT CustomerID)"),
	} {
		objs = append(objs, create(props))
	}
	require.Len(b, objs, 10)
	for _, h := range objs {
		send(h, "GetLayout")
	}
	var durations, builds []time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		switch {
		case clear == nil || isClearAndRender(clear):
			st.Model.ClearCaches()
			if clear == nil {
				send(objs[0], "SelectListObjectValues", "/qListObjectDef", []int{(i + 1) % 5}, false)
			} else {
				send(doc, "ClearAll", false)
			}
			for _, h := range objs {
				send(h, "GetLayout")
			}
			tw := time.Now()
			st.Model.WaitBuilds()
			builds = append(builds, time.Since(tw))
			runtime.GC()
		default:
			clear(st.Model)
		}
		b.StartTimer()
		t0 := time.Now()
		send(objs[0], "SelectListObjectValues", "/qListObjectDef", []int{i % 5}, false)
		for _, h := range objs {
			send(h, "GetLayout")
		}
		durations = append(durations, time.Since(t0))
		i++
	}
	reportMedian(b, durations)
	if len(builds) > 0 {
		// The think time the background builds needed (idle wait included).
		slices.Sort(builds)
		b.ReportMetric(float64(builds[len(builds)/2].Microseconds())/1e3, "build-ms")
	}
}
