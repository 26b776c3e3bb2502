package main

import (
	"context"
	"errors"
	"maps"

	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/reload"
)

// newReloader returns the load-script interpreter the engine reloads apps
// with: reload.Run, with qix's request mapped onto it and its errors onto
// *qix.ReloadError so DoReload reports the script line and column.
func newReloader() qix.Reloader {
	return func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		if req.Partial {
			return nil, &qix.ReloadError{Msg: "partial reload (ADD, REPLACE, MERGE) is not supported: reload the whole script"}
		}
		rr := reload.Request{
			Script:      req.Script,
			Connections: req.Connections,
			AllowDirs:   req.AllowDirs,
			Logger:      req.Logger,
			RowLimit:    req.RowLimit, // DoReload's debug row limit: records per source
		}
		if req.Progress != nil {
			rr.Progress = func(p reload.Progress) {
				req.Progress(qix.ReloadProgress{Message: p.Message, Persistent: p.Persistent})
			}
		}
		res, err := reload.Run(ctx, rr)
		if err != nil {
			var re *reload.Error
			if errors.As(err, &re) {
				return nil, &qix.ReloadError{Line: re.Line, Col: re.Col, Msg: re.Error(), Log: re.Log}
			}
			return nil, err
		}
		vars := make(map[string]string, len(res.Variables))
		for name, v := range res.Variables {
			vars[name] = v.Text
		}
		return &qix.ReloadResult{Model: res.Model, Log: res.Log, Variables: vars}, nil
	}
}

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
			for _, dir := range extra {
				req.AllowDirs = append(req.AllowDirs, dir)
			}
		}
		return next(ctx, req)
	}
}
