// Package depcheck enforces the dependency direction of the module:
// symbols ← engine ← reload ← qix ← server ← cmd. The library packages never
// import the service shell, a network transport, a JWT library or a metrics
// client.
package depcheck

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

type pkg struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// layers lists, per library layer, the module packages it may not import.
var layers = []struct {
	pattern   string
	forbidden []string // import path prefixes
}{
	{"./symbols/...", []string{"github.com/assocengine/assoc/engine", "github.com/assocengine/assoc/reload", "github.com/assocengine/assoc/qix", "github.com/assocengine/assoc/server", "github.com/assocengine/assoc/cmd"}},
	{"./engine/...", []string{"github.com/assocengine/assoc/reload", "github.com/assocengine/assoc/qix", "github.com/assocengine/assoc/server", "github.com/assocengine/assoc/cmd"}},
	{"./reload/...", []string{"github.com/assocengine/assoc/qix", "github.com/assocengine/assoc/server", "github.com/assocengine/assoc/cmd"}},
	{"./qix/...", []string{"github.com/assocengine/assoc/server", "github.com/assocengine/assoc/cmd"}},
}

// shell lists what no library package may depend on, even indirectly.
var shell = []string{
	"github.com/valyala/fasthttp",
	"github.com/fasthttp/websocket",
	"github.com/gorilla/websocket",
	"github.com/golang-jwt/jwt",
	"github.com/coreos/go-oidc",
	"github.com/prometheus/",
	"go.mongodb.org/",
}

func list(t *testing.T, pattern string) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,Deps", pattern)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err, "go list %s", pattern)
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else {
			require.NoError(t, err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}

func TestDependencyDirection(t *testing.T) {
	for _, l := range layers {
		pkgs := list(t, l.pattern)
		require.NotEmpty(t, pkgs, l.pattern)
		for _, p := range pkgs {
			for _, dep := range p.Deps {
				for _, f := range l.forbidden {
					require.False(t, dep == f || strings.HasPrefix(dep, f+"/"),
						"%s depends on %s, against the layering symbols ← engine ← reload ← qix ← server ← cmd", p.ImportPath, dep)
				}
				for _, f := range shell {
					require.False(t, strings.HasPrefix(dep, f),
						"library package %s depends on %s, which belongs to the service shell", p.ImportPath, dep)
				}
			}
			for _, imp := range p.Imports {
				require.NotEqual(t, "net/http", imp, "library package %s imports net/http", p.ImportPath)
			}
		}
	}
}
