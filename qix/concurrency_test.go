package qix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestConcurrentRequests runs many goroutines against connections of
// several sessions sharing one app: selections, layouts, modal selections,
// object changes, reloads. Every request must get exactly one valid
// response (run with -race).
func TestConcurrentRequests(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "shop.qvf", "Shop", shopScript, true))
	const sessions, connsPerSession, workers, calls = 3, 2, 4, 60
	if testing.Short() {
		t.Skip("long")
	}
	type conn struct {
		c      *qix.Conn
		out    *recorder
		doc    int
		lists  []int
		fields []int
		ids    atomic.Int64
		sent   atomic.Int64
	}
	var conns []*conn
	for i := 0; i < sessions; i++ {
		s, err := e.NewSession(qix.SessionParams{})
		require.NoError(t, err)
		for j := 0; j < connsPerSession; j++ {
			cl := attach(t, s)
			cl.out.take()
			doc := handleOf(t, cl.ok(-1, "OpenDoc", "shop.qvf"))
			cn := &conn{c: cl.conn, out: cl.out, doc: doc}
			for _, f := range []string{"Country", "Product", "Name", "Amount"} {
				cn.lists = append(cn.lists, listbox(t, cl, doc, f, nil))
				cn.fields = append(cn.fields, handleOf(t, cl.ok(doc, "GetField", f)))
			}
			cl.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": fmt.Sprintf("obj-%d-%d", i, j), "qType": "sheet"}})
			cn.ids.Store(1000)
			conns = append(conns, cn)
		}
	}
	var wg sync.WaitGroup
	for ci, cn := range conns {
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, 7))
				for k := 0; k < calls; k++ {
					id := cn.ids.Add(1)
					var method string
					var handle int
					var params []any
					switch op := rng.IntN(12); op {
					case 0, 1:
						handle, method, params = cn.fields[rng.IntN(4)], "Select", []any{[]string{"SE", "DK", "Apple", "*a*", ">2"}[rng.IntN(5)]}
					case 2:
						handle, method, params = cn.lists[rng.IntN(4)], "SelectListObjectValues", []any{"/qListObjectDef", []int{rng.IntN(4)}, rng.IntN(2) == 0}
					case 3, 4, 5:
						handle, method = cn.lists[rng.IntN(4)], "GetLayout"
					case 6:
						handle, method, params = cn.lists[rng.IntN(4)], "GetListObjectData", []any{"/qListObjectDef", []any{map[string]any{"qHeight": 3, "qWidth": 1}}}
					case 7:
						handle, method, params = cn.lists[rng.IntN(4)], "BeginSelections", []any{[]string{"/qListObjectDef"}}
					case 8:
						handle, method, params = cn.lists[rng.IntN(4)], "EndSelections", []any{rng.IntN(2) == 0}
					case 9:
						handle, method = cn.doc, []string{"Back", "Forward", "ClearAll", "GetAppLayout"}[rng.IntN(4)]
					case 10:
						handle, method, params = cn.doc, "GetTablesAndKeys", []any{map[string]any{}, map[string]any{}, 0, rng.IntN(2) == 0, false}
					case 11:
						if rng.IntN(10) == 0 {
							handle, method = cn.doc, "DoReload"
						} else {
							handle, method, params = cn.doc, "GetObject", []any{fmt.Sprintf("obj-%d-%d", rng.IntN(sessions), rng.IntN(connsPerSession))}
						}
					}
					if params == nil {
						params = []any{}
					}
					f, _ := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": id, "handle": handle, "method": method, "params": params})
					cn.sent.Add(1)
					cn.c.Handle(f)
				}
			}(uint64(ci*workers + w))
		}
	}
	wg.Wait()
	for _, cn := range conns {
		answered := map[int64]int{}
		for _, f := range cn.out.take() {
			var r struct {
				ID     *int64 `json:"id"`
				Error  *struct{ Code int }
				Change []int           `json:"change"`
				Result json.RawMessage `json:"result"`
			}
			require.NoError(t, json.Unmarshal(f, &r), "%s", f)
			if r.ID == nil {
				continue // a pushed change
			}
			answered[*r.ID]++
			if r.Error != nil {
				// Only the engine's defined refusals: modal conflicts,
				// handles closed meanwhile, concurrent reloads.
				require.Contains(t, []int{6003, 11000}, r.Error.Code, "%s", f)
			}
		}
		require.Len(t, answered, int(cn.sent.Load()))
		for id, n := range answered {
			require.Equal(t, 1, n, "id %d answered %d times", id, n)
		}
	}
	require.Equal(t, sessions, e.Stats().ActiveSessions)
}
