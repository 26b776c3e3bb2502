package server

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/web"
)

// The web hub (package web) is served from the same port as QIX:
//
//	/                       the hub's page (index.html)
//	/index.html             the same page
//	/sheet/<appId>[/]       the same page: a client-side route (SPA fallback)
//	/assets/<name>          the content-hashed scripts and style sheets
//	/<file>                 any other file at the top of the bundle
//	                        (favicon.svg, THIRD-PARTY-NOTICES.txt)
//
// Every other path is left to the QIX routes, /health and /healthcheck.
// Only GET and HEAD are served; the files are read from the bundle once and
// kept in memory, and a text file is gzipped, once, for the clients that
// accept it.

// Cache-Control values of the web hub.
const (
	// cacheImmutable is for the content-hashed assets: a new build has new
	// names, so a browser may keep these for good.
	cacheImmutable = "public, max-age=31536000, immutable"
	// cacheRevalidate is for the page and the other unhashed files: the
	// browser keeps them but checks their ETag on every use, so a new
	// binary's hub is picked up at once.
	cacheRevalidate = "no-cache"
)

// webCSP is the Content-Security-Policy of the hub's page: scripts only
// from this server (nebula.js needs no eval), inline styles for the CSS-in-JS
// of nebula.js and MUI, and WebSocket connections back to this server.
const webCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// webMinGzip is the smallest file worth gzipping.
const webMinGzip = 1024

// webSite is a bundle ready to be served.
type webSite struct {
	files map[string]*webFile // by path without the leading slash
	index *webFile
}

// webFile is one file of the bundle.
type webFile struct {
	name         string
	body         []byte
	contentType  string
	etag         string // strong ETag of body, quoted
	cacheControl string
	html         bool
	compressible bool

	gzipOnce sync.Once
	gzipBody []byte // nil when gzip does not make it smaller
}

// embeddedSite is the hub embedded in the binary, loaded on first use.
var embeddedSite = sync.OnceValues(func() (*webSite, error) { return newWebSite(web.Dist()) })

// webErrOnce logs a bundle that cannot be loaded once per process.
var webErrOnce sync.Once

// newWebSite reads every file of fsys into memory. fsys must hold an
// index.html at its root.
func newWebSite(fsys fs.FS) (*webSite, error) {
	site := &webSite{files: make(map[string]*webFile)}
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		ctype, compressible := webContentType(name)
		f := &webFile{
			name:         name,
			body:         body,
			contentType:  ctype,
			etag:         `"` + hex.EncodeToString(sum[:12]) + `"`,
			cacheControl: cacheRevalidate,
			html:         strings.HasSuffix(name, ".html"),
			compressible: compressible && len(body) >= webMinGzip,
		}
		if strings.HasPrefix(name, "assets/") {
			f.cacheControl = cacheImmutable
		}
		site.files[name] = f
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cannot load the web hub: %w", err)
	}
	site.index = site.files["index.html"]
	if site.index == nil {
		return nil, fmt.Errorf("cannot load the web hub: it has no index.html")
	}
	return site, nil
}

// webContentType is the Content-Type of a bundle file by its extension,
// and whether gzip is worth trying on it.
func webContentType(name string) (ctype string, compressible bool) {
	switch strings.ToLower(path.Ext(name)) {
	case ".html":
		return "text/html; charset=utf-8", true
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8", true
	case ".css":
		return "text/css; charset=utf-8", true
	case ".json", ".map":
		return "application/json; charset=utf-8", true
	case ".txt":
		return "text/plain; charset=utf-8", true
	case ".svg":
		return "image/svg+xml", true
	case ".png":
		return "image/png", false
	case ".ico":
		return "image/x-icon", false
	case ".woff2":
		return "font/woff2", false
	case ".woff":
		return "font/woff", false
	}
	return "application/octet-stream", false
}

// lookup finds the file for a request path: p is the path as fasthttp
// cleaned and decoded it, raw the path as sent (a sheet's app id may hold
// an encoded slash). It reports whether the path belongs to the hub at
// all: a hub path with no file (a missing asset) is a 404 of the hub, not
// a QIX route.
func (site *webSite) lookup(p, raw string) (f *webFile, ours bool) {
	switch {
	case p == "/" || p == "/index.html":
		return site.index, true
	case isSheetRoute(raw):
		return site.index, true
	case strings.HasPrefix(p, "/assets/") || p == "/assets":
		return site.files[strings.TrimPrefix(p, "/")], true
	}
	name := strings.TrimPrefix(p, "/")
	if name == "" || strings.Contains(name, "/") {
		return nil, false
	}
	if f := site.files[name]; f != nil {
		return f, true
	}
	return nil, false
}

// isSheetRoute reports whether the raw path p is /sheet/<appId> (with an
// optional trailing slash; the app id still percent-encoded): a page the
// hub's script draws.
func isSheetRoute(p string) bool {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	rest, ok := strings.CutPrefix(p, "/sheet/")
	if !ok {
		return false
	}
	rest = strings.TrimSuffix(rest, "/")
	return rest != "" && !strings.Contains(rest, "/")
}

// serveWeb serves the web hub's paths; it reports false for any other
// path, which the caller routes on.
func (s *Server) serveWeb(ctx *fasthttp.RequestCtx) bool {
	site, err := embeddedSite()
	if err != nil {
		webErrOnce.Do(func() { s.log.Error("the web hub is not served", "err", err) })
		return false
	}
	return site.serve(ctx)
}

// serve answers ctx when its path is one of the hub's; see serveWeb.
func (site *webSite) serve(ctx *fasthttp.RequestCtx) bool {
	f, ours := site.lookup(string(ctx.Path()), string(ctx.URI().PathOriginal()))
	if !ours {
		return false
	}
	h := &ctx.Response.Header
	h.Set("X-Content-Type-Options", "nosniff")
	if !ctx.IsGet() && !ctx.IsHead() {
		h.Set("Allow", "GET, HEAD")
		httpError(ctx, fasthttp.StatusMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s (want GET or HEAD)", ctx.Method(), ctx.Path()))
		return true
	}
	if f == nil {
		httpError(ctx, fasthttp.StatusNotFound, fmt.Sprintf("no such file in the web hub: %s", ctx.Path()))
		return true
	}

	gz := f.compressible && acceptsGzip(ctx.Request.Header.Peek("Accept-Encoding"))
	body, etag := f.body, f.etag
	if gz {
		if zb := f.gzipped(); zb != nil {
			body, etag = zb, f.etag[:len(f.etag)-1]+`-gz"`
		} else {
			gz = false
		}
	}
	if f.compressible {
		h.Set("Vary", "Accept-Encoding")
	}
	h.Set("Cache-Control", f.cacheControl)
	h.Set("ETag", etag)
	if f.html {
		h.Set("Content-Security-Policy", webCSP)
		h.Set("Referrer-Policy", "same-origin")
	}
	if etagMatches(ctx.Request.Header.Peek("If-None-Match"), f.etag) {
		ctx.SetStatusCode(fasthttp.StatusNotModified)
		return true
	}
	ctx.SetStatusCode(fasthttp.StatusOK)
	ctx.SetContentType(f.contentType)
	if gz {
		h.Set("Content-Encoding", "gzip")
	}
	ctx.Response.SetBodyRaw(body) // the bundle is never modified: no copy
	return true
}

// gzipped returns the file gzipped, computed on first use; nil when that
// is not smaller.
func (f *webFile) gzipped() []byte {
	f.gzipOnce.Do(func() {
		var b bytes.Buffer
		zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
		if err != nil {
			panic("BUG: gzip level: " + err.Error())
		}
		_, _ = zw.Write(f.body) // writes to a bytes.Buffer do not fail
		if err := zw.Close(); err != nil {
			return
		}
		if b.Len() < len(f.body) {
			f.gzipBody = b.Bytes()
		}
	})
	return f.gzipBody
}

// acceptsGzip reads an Accept-Encoding header: gzip (or *) with a q-value
// above 0.
func acceptsGzip(header []byte) bool {
	for part := range strings.SplitSeq(string(header), ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != "gzip" && name != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		if q > 0 {
			return true
		}
	}
	return false
}

// etagMatches reads an If-None-Match header against a file's ETag: "*", or
// a list of tags compared weakly (a W/ prefix and the -gz suffix of the
// gzipped variant are ignored).
func etagMatches(header []byte, etag string) bool {
	hv := strings.TrimSpace(string(header))
	if hv == "" {
		return false
	}
	if hv == "*" {
		return true
	}
	want := strings.Trim(etag, `"`)
	for tag := range strings.SplitSeq(hv, ",") {
		tag = strings.TrimSpace(tag)
		tag = strings.TrimPrefix(tag, "W/")
		tag = strings.Trim(tag, `"`)
		tag = strings.TrimSuffix(tag, "-gz")
		if tag == want {
			return true
		}
	}
	return false
}
