package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/valyala/fasthttp"

	"github.com/assocengine/assoc/web"
)

// testBundle is a small hub bundle with the layout of web/dist.
func testBundle() fstest.MapFS {
	big := strings.Repeat("console.log('assoc');\n", 200) // over webMinGzip
	return fstest.MapFS{
		"index.html":               {Data: []byte(`<!doctype html><script type="module" src="/assets/main-ABCDEFGH.js"></script>`)},
		"favicon.svg":              {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
		"THIRD-PARTY-NOTICES.txt":  {Data: []byte("MIT\n")},
		"assets/main-ABCDEFGH.js":  {Data: []byte(big)},
		"assets/main-ABCDEFGH.css": {Data: []byte("body{margin:0}")},
		"assets/font-ABCDEFGH.bin": {Data: []byte{0, 1, 2}},
	}
}

func newTestSite(t *testing.T) *webSite {
	t.Helper()
	site, err := newWebSite(testBundle())
	require.NoError(t, err)
	return site
}

// webRequest runs one request through site.serve without a network.
func webRequest(site *webSite, method, uri string, header map[string]string) (ours bool, resp *fasthttp.Response) {
	var ctx fasthttp.RequestCtx
	ctx.Request.Header.SetMethod(method)
	ctx.Request.SetRequestURI(uri)
	for k, v := range header {
		ctx.Request.Header.Set(k, v)
	}
	ours = site.serve(&ctx)
	resp = &fasthttp.Response{}
	ctx.Response.CopyTo(resp)
	return ours, resp
}

func TestWebRoutes(t *testing.T) {
	site := newTestSite(t)
	index := string(testBundle()["index.html"].Data)
	js := string(testBundle()["assets/main-ABCDEFGH.js"].Data)
	tests := []struct {
		name        string
		method      string
		path        string
		ours        bool
		status      int
		ctype       string
		cache       string
		body        string // exact body, when set
		contains    string // a substring of the body, when set
		csp         bool
		allowHeader string
	}{
		{name: "root", path: "/", ours: true, status: 200, ctype: "text/html; charset=utf-8", cache: cacheRevalidate, body: index, csp: true},
		{name: "index.html", path: "/index.html", ours: true, status: 200, ctype: "text/html; charset=utf-8", cache: cacheRevalidate, body: index, csp: true},
		{name: "sheet route", path: "/sheet/demo", ours: true, status: 200, ctype: "text/html; charset=utf-8", cache: cacheRevalidate, body: index, csp: true},
		{name: "sheet route, trailing slash", path: "/sheet/demo/", ours: true, status: 200, body: index},
		{name: "sheet route, escaped id", path: "/sheet/sales%202024.qvf", ours: true, status: 200, body: index},
		{name: "sheet route with a query", path: "/sheet/demo?filter=Origin", ours: true, status: 200, body: index},
		{name: "sheet route, id with an encoded slash", path: "/sheet/%2Fapps%2Fsales.qvf", ours: true, status: 200, body: index},
		{name: "sheet with no app", path: "/sheet/", ours: false},
		{name: "sheet route too deep", path: "/sheet/demo/more", ours: false},
		{name: "hashed script", path: "/assets/main-ABCDEFGH.js", ours: true, status: 200, ctype: "text/javascript; charset=utf-8", cache: cacheImmutable, body: js},
		{name: "hashed style sheet", path: "/assets/main-ABCDEFGH.css", ours: true, status: 200, ctype: "text/css; charset=utf-8", cache: cacheImmutable},
		{name: "unknown extension", path: "/assets/font-ABCDEFGH.bin", ours: true, status: 200, ctype: "application/octet-stream", cache: cacheImmutable},
		{name: "top-level file", path: "/favicon.svg", ours: true, status: 200, ctype: "image/svg+xml", cache: cacheRevalidate},
		{name: "notices", path: "/THIRD-PARTY-NOTICES.txt", ours: true, status: 200, ctype: "text/plain; charset=utf-8", body: "MIT\n"},
		{name: "missing asset is a 404, not the page", path: "/assets/main-XXXXXXXX.js", ours: true, status: 404, contains: "no such file in the web hub: /assets/main-XXXXXXXX.js"},
		{name: "assets folder", path: "/assets/", ours: true, status: 404},
		{name: "unknown top-level path", path: "/nope", ours: false},
		{name: "QIX route", path: "/app/demo", ours: false},
		{name: "health", path: "/health", ours: false},
		{name: "POST is refused", method: "POST", path: "/", ours: true, status: 405, allowHeader: "GET, HEAD", contains: "method POST is not allowed on /"},
		{name: "PUT on an asset is refused", method: "PUT", path: "/assets/main-ABCDEFGH.js", ours: true, status: 405, allowHeader: "GET, HEAD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			ours, resp := webRequest(site, method, tt.path, nil)
			require.Equal(t, tt.ours, ours)
			if !ours {
				return
			}
			require.Equal(t, tt.status, resp.StatusCode())
			require.Equal(t, "nosniff", string(resp.Header.Peek("X-Content-Type-Options")))
			if tt.ctype != "" {
				require.Equal(t, tt.ctype, string(resp.Header.ContentType()))
			}
			if tt.cache != "" {
				require.Equal(t, tt.cache, string(resp.Header.Peek("Cache-Control")))
				require.NotEmpty(t, resp.Header.Peek("ETag"))
			}
			if tt.body != "" {
				require.Equal(t, tt.body, string(resp.Body()))
			}
			if tt.contains != "" {
				require.Contains(t, string(resp.Body()), tt.contains)
			}
			if tt.csp {
				csp := string(resp.Header.Peek("Content-Security-Policy"))
				require.Contains(t, csp, "script-src 'self'")
				require.Contains(t, csp, "connect-src 'self'")
			}
			if tt.allowHeader != "" {
				require.Equal(t, tt.allowHeader, string(resp.Header.Peek("Allow")))
			}
		})
	}
}

func TestWebGzip(t *testing.T) {
	site := newTestSite(t)
	js := testBundle()["assets/main-ABCDEFGH.js"].Data
	tests := []struct {
		name   string
		path   string
		accept string
		gzip   bool
		vary   bool
	}{
		{name: "gzip accepted", path: "/assets/main-ABCDEFGH.js", accept: "gzip, deflate, br", gzip: true, vary: true},
		{name: "any encoding", path: "/assets/main-ABCDEFGH.js", accept: "*", gzip: true, vary: true},
		{name: "gzip with a q-value", path: "/assets/main-ABCDEFGH.js", accept: "br;q=1.0, gzip;q=0.5", gzip: true, vary: true},
		{name: "gzip refused", path: "/assets/main-ABCDEFGH.js", accept: "gzip;q=0, br", gzip: false, vary: true},
		{name: "no Accept-Encoding", path: "/assets/main-ABCDEFGH.js", accept: "", gzip: false, vary: true},
		{name: "small files stay plain", path: "/assets/main-ABCDEFGH.css", accept: "gzip", gzip: false, vary: false},
		{name: "binary files stay plain", path: "/assets/font-ABCDEFGH.bin", accept: "gzip", gzip: false, vary: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp := webRequest(site, "GET", tt.path, map[string]string{"Accept-Encoding": tt.accept})
			require.Equal(t, 200, resp.StatusCode())
			require.Equal(t, tt.vary, string(resp.Header.Peek("Vary")) == "Accept-Encoding")
			if !tt.gzip {
				require.Empty(t, resp.Header.Peek("Content-Encoding"))
				return
			}
			require.Equal(t, "gzip", string(resp.Header.Peek("Content-Encoding")))
			require.Less(t, len(resp.Body()), len(js))
			zr, err := gzip.NewReader(bytes.NewReader(resp.Body()))
			require.NoError(t, err)
			plain, err := io.ReadAll(zr)
			require.NoError(t, err)
			require.Equal(t, js, plain)
			require.True(t, strings.HasSuffix(string(resp.Header.Peek("ETag")), `-gz"`), "the gzipped variant has its own ETag")
		})
	}
}

func TestWebConditionalGet(t *testing.T) {
	site := newTestSite(t)
	_, first := webRequest(site, "GET", "/assets/main-ABCDEFGH.js", nil)
	etag := string(first.Header.Peek("ETag"))
	require.Regexp(t, `^"[0-9a-f]{24}"$`, etag)
	_, gz := webRequest(site, "GET", "/assets/main-ABCDEFGH.js", map[string]string{"Accept-Encoding": "gzip"})
	gzTag := string(gz.Header.Peek("ETag"))

	tests := []struct {
		name        string
		path        string
		ifNoneMatch string
		status      int
	}{
		{name: "same tag", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: etag, status: 304},
		{name: "weak tag", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: "W/" + etag, status: 304},
		{name: "gzip variant's tag", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: gzTag, status: 304},
		{name: "one of a list", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: `"nope", ` + etag, status: 304},
		{name: "star", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: "*", status: 304},
		{name: "other tag", path: "/assets/main-ABCDEFGH.js", ifNoneMatch: `"0123"`, status: 200},
		{name: "another file's tag", path: "/assets/main-ABCDEFGH.css", ifNoneMatch: etag, status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp := webRequest(site, "GET", tt.path, map[string]string{"If-None-Match": tt.ifNoneMatch})
			require.Equal(t, tt.status, resp.StatusCode())
			if tt.status == 304 {
				require.Empty(t, resp.Body())
				require.NotEmpty(t, resp.Header.Peek("ETag"))
				require.Equal(t, cacheImmutable, string(resp.Header.Peek("Cache-Control")))
			}
		})
	}
}

func TestWebSiteNeedsIndex(t *testing.T) {
	_, err := newWebSite(fstest.MapFS{"assets/a.js": {Data: []byte("x")}})
	require.ErrorContains(t, err, "cannot load the web hub: it has no index.html")
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip", true},
		{"br", false},
		{"gzip;q=0", false},
		{"gzip; q=0.0", false},
		{"gzip;q=0.001", true},
		{"*;q=0.1", true},
		{"identity", false},
		{"gzip;q=bogus", true},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, acceptsGzip([]byte(tt.header)), "Accept-Encoding: %q", tt.header)
	}
}

// rawGet sends one HTTP/1.1 request with the path exactly as given (no
// client-side cleaning) and returns the status and body.
func rawGet(t *testing.T, addr, method, path string) (int, http.Header, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(5*time.Second)))
	_, err = io.WriteString(conn, method+" "+path+" HTTP/1.1\r\nHost: "+addr+"\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, string(body)
}

// TestWebEmbeddedHub serves the real bundle (package web) through the whole
// server: the hub's routes, the others untouched, and no way out of the
// bundle.
func TestWebEmbeddedHub(t *testing.T) {
	ts := startServer(t, Options{})

	code, h, page := rawGet(t, ts.addr, "GET", "/")
	require.Equal(t, 200, code)
	require.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))
	require.Equal(t, cacheRevalidate, h.Get("Cache-Control"))
	m := regexp.MustCompile(`<script type="module" src="(/assets/[^"]+\.js)"`).FindStringSubmatch(page)
	require.NotNil(t, m, "the page loads its script: %s", page)
	code, h, script := rawGet(t, ts.addr, "GET", m[1])
	require.Equal(t, 200, code)
	require.Equal(t, "text/javascript; charset=utf-8", h.Get("Content-Type"))
	require.Equal(t, cacheImmutable, h.Get("Cache-Control"))
	want, err := fs.ReadFile(web.Dist(), strings.TrimPrefix(m[1], "/"))
	require.NoError(t, err)
	require.Equal(t, string(want), script)

	code, _, sheet := rawGet(t, ts.addr, "GET", "/sheet/demo")
	require.Equal(t, 200, code)
	require.Equal(t, page, sheet, "a sheet address gets the hub's page")

	code, h, body := rawGet(t, ts.addr, "HEAD", "/")
	require.Equal(t, 200, code)
	require.Empty(t, body)
	require.Equal(t, "text/html; charset=utf-8", h.Get("Content-Type"))

	// The routes that were there before the hub.
	code, _, body = rawGet(t, ts.addr, "GET", "/health")
	require.Equal(t, 200, code)
	require.JSONEq(t, `{"status":"ok"}`, body)
	code, _, body = rawGet(t, ts.addr, "GET", "/app/demo")
	require.Equal(t, 426, code)
	require.Contains(t, body, "WebSocket")
	code, _, _ = rawGet(t, ts.addr, "GET", "/nope")
	require.Equal(t, 404, code)
	// A WebSocket at / is still QIX, not the page.
	require.Equal(t, "SESSION_CREATED", ts.dial("/", nil).state())

	// Nothing outside the bundle, however the path is spelled.
	for _, p := range []string{
		"/assets/../../server/web.go",
		"/assets/..%2f..%2fserver%2fweb.go",
		"/assets/%2e%2e/%2e%2e/go.mod",
		"/%2e%2e/%2e%2e/go.mod",
		"/sheet/../../go.mod",
		"/assets/..\\..\\go.mod",
		"/../web/embed.go",
		"/assets//etc/passwd",
		"/assets/%00.js",
	} {
		code, _, body := rawGet(t, ts.addr, "GET", p)
		t.Logf("GET %s: %d", p, code)
		require.NotContains(t, body, "package ", "GET %s", p)
		require.NotContains(t, body, "module github.com", "GET %s", p)
		require.NotContains(t, body, "root:", "GET %s", p)
		if code == 200 {
			require.Equal(t, page, body, "GET %s: a 200 is only ever the hub's own page", p)
		}
	}
}

// BenchmarkWebServe serves the embedded hub's biggest script, gzipped (the
// gzip is made once, before the loop).
func BenchmarkWebServe(b *testing.B) {
	site, err := embeddedSite()
	require.NoError(b, err)
	var biggest *webFile
	for _, f := range site.files {
		if biggest == nil || len(f.body) > len(biggest.body) {
			biggest = f
		}
	}
	uri := "/" + biggest.name
	start := time.Now()
	_, resp := webRequest(site, "GET", uri, map[string]string{"Accept-Encoding": "gzip"})
	require.Equal(b, 200, resp.StatusCode())
	b.Logf("%s: %d bytes, %d gzipped (first request, with the gzip: %v)", uri, len(biggest.body), len(resp.Body()), time.Since(start))
	var ctx fasthttp.RequestCtx
	b.ReportAllocs()
	for b.Loop() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		ctx.Request.Header.SetMethod("GET")
		ctx.Request.SetRequestURI(uri)
		ctx.Request.Header.Set("Accept-Encoding", "gzip")
		if !site.serve(&ctx) || ctx.Response.StatusCode() != 200 {
			b.Fatal("not served")
		}
	}
}
