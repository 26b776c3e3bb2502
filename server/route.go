package server

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Route is what a QIX WebSocket URL says about the session it wants.
type Route struct {
	// AppID is the URL-decoded app id: "" for "/" and "/app/",
	// "engineData" for the conventional no-app id.
	AppID string
	// Identity is the /identity/<x> segment, which makes the session
	// distinct from other connections to the same app.
	Identity string
	// TTL is the /ttl/<seconds> segment (-1 means forever); HasTTL says
	// whether the URL had one.
	TTL    time.Duration
	HasTTL bool
}

// Path renders the route as a URL path that ParseRoute reads back:
// /app/<appId>[/identity/<x>][/ttl/<seconds>], each segment escaped. A TTL
// is written in whole seconds.
func (r Route) Path() string {
	var b strings.Builder
	b.WriteString("/app/")
	b.WriteString(url.PathEscape(r.AppID))
	if r.Identity != "" {
		b.WriteString("/identity/")
		b.WriteString(url.PathEscape(r.Identity))
	}
	if r.HasTTL {
		b.WriteString("/ttl/")
		if r.TTL < 0 {
			b.WriteString("-1")
		} else {
			b.WriteString(strconv.FormatInt(int64(r.TTL/time.Second), 10))
		}
	}
	return b.String()
}

// errNotQIX is returned by ParseRoute for a path that is not a QIX URL.
var errNotQIX = errors.New("not a QIX path (want /app/<appId>[/identity/<x>][/ttl/<seconds>])")

// ParseRoute parses the path of a QIX WebSocket URL (the raw, still
// percent-encoded path; a query string or fragment is ignored):
//
//	route    = "/" | [ prefix ] "/app" [ "/" [ appId { "/" option } ] ] [ "/" ]
//	option   = "identity/" text | "ttl/" seconds
//	seconds  = "-1" | digit { digit }
//
// identity and ttl may come in either order, and a repeated one overrides
// the earlier one. A prefix (a virtual proxy path such as /myproxy) before
// the /app segment is ignored. Each segment is URL-decoded after the path
// is split, so an app id may contain an encoded slash ("%2Fapps%2Fa.qvf").
func ParseRoute(rawPath string) (Route, error) {
	if i := strings.IndexAny(rawPath, "?#"); i >= 0 {
		rawPath = rawPath[:i]
	}
	if rawPath == "" || rawPath == "/" {
		return Route{}, nil
	}
	if rawPath[0] != '/' {
		return Route{}, fmt.Errorf("cannot parse QIX path %q: it must start with /", rawPath)
	}
	segs := strings.Split(rawPath[1:], "/")
	app := -1
	for i, s := range segs {
		if s == "app" {
			app = i
			break
		}
	}
	if app < 0 {
		return Route{}, fmt.Errorf("cannot parse QIX path %q: %w", rawPath, errNotQIX)
	}
	segs = segs[app+1:]
	// A trailing slash leaves an empty last segment.
	if n := len(segs); n > 0 && segs[n-1] == "" {
		segs = segs[:n-1]
	}
	var r Route
	if len(segs) == 0 {
		return r, nil
	}
	id, err := url.PathUnescape(segs[0])
	if err != nil {
		return Route{}, fmt.Errorf("cannot parse QIX path %q: app id %q: %w", rawPath, segs[0], err)
	}
	r.AppID = id
	for i := 1; i < len(segs); i += 2 {
		name := segs[i]
		if i+1 >= len(segs) {
			return Route{}, fmt.Errorf("cannot parse QIX path %q: segment %q needs a value", rawPath, name)
		}
		val, err := url.PathUnescape(segs[i+1])
		if err != nil {
			return Route{}, fmt.Errorf("cannot parse QIX path %q: %s value %q: %w", rawPath, name, segs[i+1], err)
		}
		switch strings.ToLower(name) {
		case "identity":
			r.Identity = val
		case "ttl":
			ttl, err := parseTTLSeconds(val)
			if err != nil {
				return Route{}, fmt.Errorf("cannot parse QIX path %q: %w", rawPath, err)
			}
			r.TTL, r.HasTTL = ttl, true
		default:
			return Route{}, fmt.Errorf("cannot parse QIX path %q: unknown segment %q after the app id (want identity/<x> or ttl/<seconds>)", rawPath, name)
		}
	}
	return r, nil
}

// maxTTLSeconds keeps a TTL in seconds from overflowing a time.Duration.
const maxTTLSeconds = int64(1<<63-1) / int64(time.Second)

// parseTTLSeconds parses the value of a /ttl/ segment: whole seconds, or -1
// for "forever".
func parseTTLSeconds(s string) (time.Duration, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < -1 || n > maxTTLSeconds {
		return 0, fmt.Errorf("ttl %q is not a number of seconds (0 or more, or -1 for no expiry)", s)
	}
	if n == -1 {
		return -1, nil
	}
	return time.Duration(n) * time.Second, nil
}
