package metrics

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// ContentType is the media type Handler answers with: the Prometheus text
// exposition format, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// Handler serves what g gathers in the Prometheus text format, whatever
// the request's Accept header says (Mira asks for JSON and parses a body
// that starts with "#" as text; the preStop hook greps it). Only GET and
// HEAD are allowed. A collector that fails is reported with HTTP 500 and
// the error, never half a page.
func Handler(g prometheus.Gatherer) http.Handler {
	pool := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, fmt.Sprintf("method %s not allowed: use GET", r.Method), http.StatusMethodNotAllowed)
			return
		}
		families, err := g.Gather()
		if err != nil {
			http.Error(w, fmt.Sprintf("cannot gather metrics: %v", err), http.StatusInternalServerError)
			return
		}
		buf := pool.Get().(*bytes.Buffer)
		defer pool.Put(buf)
		buf.Reset()
		enc := expfmt.NewEncoder(buf, format)
		for _, f := range families {
			if err := enc.Encode(f); err != nil {
				http.Error(w, fmt.Sprintf("cannot encode metric %s: %v", f.GetName(), err), http.StatusInternalServerError)
				return
			}
		}
		h := w.Header()
		h.Set("Content-Type", ContentType)
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(buf.Bytes())
	})
}

// Mux returns a handler that serves h at /metrics, answers /health with
// 200 and 404 elsewhere: what the metrics port serves.
func Mux(h http.Handler) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{\"status\":\"ok\"}\n"))
	})
	return mux
}
