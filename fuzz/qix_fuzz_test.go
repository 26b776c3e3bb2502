package fuzz

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
)

// frameSink is a Sender that keeps the frames.
type frameSink struct {
	mu     sync.Mutex
	frames [][]byte
}

func (s *frameSink) Send(f []byte) error {
	s.mu.Lock()
	s.frames = append(s.frames, append([]byte(nil), f...))
	s.mu.Unlock()
	return nil
}

var (
	qixOnce   sync.Once
	qixEngine *qix.Engine
	qixErr    error
)

// qixTestEngine is an engine whose reloader loads a small fixed model.
func qixTestEngine() (*qix.Engine, error) {
	qixOnce.Do(func() {
		b := engine.NewBuilder(engine.Options{})
		t, err := b.NewTable("T", "Country", "Product", "Amount")
		if err != nil {
			qixErr = err
			return
		}
		for _, r := range [][]any{{"SE", "Apple", 2.5}, {"DK", "Banana", 3}, {"SE", "Cherry", nil}, {nil, "Apple", 1}} {
			if qixErr = t.Append(r...); qixErr != nil {
				return
			}
		}
		m, err := b.Build()
		if err != nil {
			qixErr = err
			return
		}
		qixEngine, qixErr = qix.NewEngine(qix.Options{Reload: func(context.Context, qix.ReloadRequest) (*qix.ReloadResult, error) {
			return &qix.ReloadResult{Model: m}, nil
		}})
	})
	return qixEngine, qixErr
}

// qixSeeds are request frames from the qix tests' recorded traffic.
func qixSeeds(f *testing.F) {
	for _, s := range []string{
		`{"jsonrpc":"2.0","id":1,"handle":-1,"method":"GetActiveDoc","params":[]}`,
		`{"jsonrpc":"2.0","id":2,"handle":1,"method":"GetLayout","params":[]}`,
		`{"jsonrpc":"2.0","id":3,"handle":2,"method":"GetLayout","params":[]}`,
		`{"jsonrpc":"2.0","id":4,"handle":2,"method":"SelectListObjectValues","params":["/qListObjectDef",[0,1],true]}`,
		`{"jsonrpc":"2.0","id":5,"handle":2,"method":"GetListObjectData","params":{"qPath":"/qListObjectDef","qPages":[{"qTop":0,"qHeight":5,"qWidth":1}]}}`,
		`{"jsonrpc":"2.0","id":6,"handle":3,"method":"Select","params":["S*"]}`,
		`{"jsonrpc":"2.0","id":7,"handle":1,"method":"CreateSessionObject","params":[{"qInfo":{"qType":"x"},"qSelectionObjectDef":{},"a":[{"qListObjectDef":{"qDef":{"qFieldDefs":["Product"]},"qInitialDataFetch":[{"qWidth":1,"qHeight":9}]}}]}]}`,
		`{"jsonrpc":"2.0","id":8,"handle":2,"method":"BeginSelections","params":[["/qListObjectDef"]]}` + "\n" +
			`{"jsonrpc":"2.0","id":9,"handle":2,"method":"SelectListObjectAll","params":["/qListObjectDef"]}` + "\n" +
			`{"jsonrpc":"2.0","id":10,"handle":2,"method":"EndSelections","params":[false]}`,
		`{"jsonrpc":"2.0","id":11,"handle":1,"method":"GetTablesAndKeys","params":[{},{},0,true,false]}`,
		`{"jsonrpc":"2.0","id":12,"handle":1,"method":"GetTableData","params":[0,10,false,"T"]}`,
		`{"jsonrpc":"2.0","id":13,"handle":2,"method":"SetProperties","params":[{"qInfo":{"qType":"y"},"qHyperCubeDef":{"qDimensions":[{}]},"qListObjectDef":{"qFrequencyMode":2,"qDef":{"qFieldDefs":["Amount"],"qSortCriterias":[{"qSortByFrequency":-1}]}}}]}`,
		`{"jsonrpc":"2.0","id":14,"handle":2,"method":"GetProperties","params":[]}`,
		`{"jsonrpc":"2.0","id":15,"handle":1,"method":"DoReload","params":[0,false,false]}`,
		`{"jsonrpc":"2.0","id":16,"handle":1,"method":"CreateConnection","params":[{"qName":"x","qType":"folder","qConnectionString":"/tmp"}]}`,
		`{"jsonrpc":"2.0","id":17,"handle":2,"method":"ApplyPatches","params":[[{"qOp":"add","qPath":"/a/b/-","qValue":"[1,{\"x\":2}]"},{"qOp":"replace","qPath":"/qListObjectDef/qDef/qFieldDefs/0","qValue":"\"Product\""}],true]}`,
		`{"jsonrpc":"2.0","id":18,"handle":2,"method":"ApplyPatches","params":[[{"qOp":"remove","qPath":"/qListObjectDef/qInitialDataFetch/0"}]]}`,
		`{"jsonrpc":"2.0","id":"s","method":"x"}`, `[]`, `{"id":1e999}`, "\xff", `{"jsonrpc":"2.0","id":1,"handle":1,"method":"GetField","params":{"qFieldName":"Country","qStateName":"$"}}`,
	} {
		f.Add([]byte(s))
	}
	// Frames recorded from a real engine (copied into qix/testdata).
	if data, err := os.ReadFile("../qix/testdata/corectl/TestTrafficFlag_script_get_--traffic.golden"); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			if l, ok := strings.CutPrefix(sc.Text(), "--> "); ok {
				f.Add([]byte(l))
			}
		}
	}
	if data, err := os.ReadFile("../qix/testdata/enigma-go/socket.traffic.7983082.json"); err == nil {
		var traffic []struct{ Sent json.RawMessage }
		if json.Unmarshal(data, &traffic) == nil {
			for _, m := range traffic {
				if m.Sent != nil {
					f.Add([]byte(m.Sent))
				}
			}
		}
	}
}

// FuzzQIXFrame feeds random frames (one per line, up to eight) to a
// connection whose session has an app (handle 1), a list object (2) and a
// field (3). Nothing may panic, every frame sent back must be valid JSON,
// and no request may end in an internal error (a recovered panic).
func FuzzQIXFrame(f *testing.F) {
	qixSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := qixTestEngine()
		if err != nil {
			t.Fatal(err)
		}
		s, err := e.NewSession(qix.SessionParams{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		out := &frameSink{}
		c := s.Attach(out)
		for _, setup := range []string{
			`{"jsonrpc":"2.0","id":-1,"handle":-1,"method":"CreateSessionApp","params":[]}`,
			`{"jsonrpc":"2.0","id":-2,"handle":1,"method":"DoReload","params":[]}`,
			`{"jsonrpc":"2.0","id":-3,"handle":1,"method":"CreateSessionObject","params":[{"qInfo":{"qType":"lb"},"qListObjectDef":{"qDef":{"qFieldDefs":["Country"]},"qShowAlternatives":true,"qFrequencyMode":"V","qInitialDataFetch":[{"qWidth":1,"qHeight":10}]}}]}`,
			`{"jsonrpc":"2.0","id":-4,"handle":1,"method":"GetField","params":["Product"]}`,
		} {
			c.Handle([]byte(setup))
		}
		for _, frame := range bytes.SplitN(data, []byte("\n"), 8) {
			c.Handle(frame)
		}
		for _, fr := range out.frames {
			if !json.Valid(fr) {
				t.Fatalf("invalid JSON sent: %q", fr)
			}
			var r struct {
				Error *struct {
					Code      int
					Parameter string
				}
			}
			if err := json.Unmarshal(fr, &r); err == nil && r.Error != nil && r.Error.Code == -32603 {
				t.Fatalf("internal error (a recovered panic?): %s", fr)
			}
		}
	})
}
