package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is the release of this binary; release builds set it with
// -ldflags "-X main.version=v1.2.3".
var version = "0.1.0-dev"

func init() {
	register(&command{name: "version", summary: "print the version of this binary", run: runVersion})
}

func runVersion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "version", "")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Errorf("unexpected argument %q", fs.Arg(0))}
	}
	fmt.Fprintf(e.stdout, "assoc %s\n", version)
	fmt.Fprintf(e.stdout, "go: %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if rev, modified := vcsRevision(); rev != "" {
		if modified {
			rev += " (modified)"
		}
		fmt.Fprintf(e.stdout, "revision: %s\n", rev)
	}
	return nil
}

// vcsRevision returns the commit the binary was built from, if known.
func vcsRevision() (rev string, modified bool) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", false
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	return rev, modified
}
