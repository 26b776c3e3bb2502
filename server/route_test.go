package server

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRoutePath(t *testing.T) {
	tests := []struct {
		r    Route
		want string
	}{
		{Route{}, "/app/"},
		{Route{AppID: "engineData"}, "/app/engineData"},
		{Route{AppID: "/apps/a b.qvf", Identity: "x/y"}, "/app/%2Fapps%2Fa%20b.qvf/identity/x%2Fy"},
		{Route{AppID: "x", TTL: 30 * time.Second, HasTTL: true}, "/app/x/ttl/30"},
		{Route{AppID: "x", TTL: -1, HasTTL: true}, "/app/x/ttl/-1"},
		{Route{AppID: "x", Identity: "i", TTL: 0, HasTTL: true}, "/app/x/identity/i/ttl/0"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, tt.r.Path())
		back, err := ParseRoute(tt.r.Path())
		require.NoError(t, err)
		require.Equal(t, tt.r, back)
	}
}

// FuzzParseRoute checks that ParseRoute never panics on a client's path and
// that every route it accepts survives Path and a second parse unchanged.
func FuzzParseRoute(f *testing.F) {
	for _, seed := range []string{
		"/", "", "/app/", "/app/engineData", "/app/engineData/ttl/5/identity/ab12",
		"/app/%2Fapps%2FTestTrafficFlag.qvf", "/app/x/identity/u?q=1#f", "/p/app/x", "/app/x/ttl/-1",
		"/app/%zz", "/app/x/ttl", "/app//identity/x", "/app/x/foo/bar", "app",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, path string) {
		r, err := ParseRoute(path)
		if err != nil {
			return
		}
		back, err := ParseRoute(r.Path())
		if err != nil {
			t.Fatalf("ParseRoute(%q) = %+v, whose Path %q does not parse: %v", path, r, r.Path(), err)
		}
		if back != r {
			t.Fatalf("ParseRoute(%q) = %+v, but its Path %q parses to %+v", path, r, r.Path(), back)
		}
	})
}
