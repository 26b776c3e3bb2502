package main

import (
	"context"
	"maps"

	"github.com/assocengine/assoc/qix"
)

// newReloader returns the load-script interpreter the engine reloads apps
// with. The interpreter (reload.Run) is not written yet: until it is wired
// in here (mapping qix.ReloadRequest to reload.Request, and *reload.Error
// to *qix.ReloadError so DoReload reports line:col), reloads fail with
// qix's "no reloader configured" error and --demo serves the demo app
// without data.
func newReloader() qix.Reloader { return nil }

// withConnections adds built-in folder connections to the reloads of some
// apps: conns maps an app id to connection names and folders (already
// allowed roots). The demo app reads lib://demo/ this way without a
// CreateConnection call. A connection the app defines itself wins.
func withConnections(next qix.Reloader, conns map[string]map[string]string) qix.Reloader {
	if next == nil || len(conns) == 0 {
		return next
	}
	return func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		if extra := conns[req.AppID]; len(extra) > 0 {
			merged := maps.Clone(extra)
			maps.Copy(merged, req.Connections)
			req.Connections = merged
		}
		return next(ctx, req)
	}
}
