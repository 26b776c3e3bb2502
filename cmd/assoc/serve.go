package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/assocengine/assoc/cmd/assoc/demo"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/server"
	"github.com/assocengine/assoc/server/config"
)

func init() {
	register(&command{name: "serve", summary: "serve the QIX engine API over WebSocket (port 9076)", run: runServe})
}

func runServe(ctx context.Context, e *env, args []string) error {
	cfg := config.Default()
	fs := newFlagSet(e, "serve", "[flags]\n\nEvery flag can also be set by the environment: --docs-dir is ASSOC_DOCS_DIR.")
	cfg.RegisterFlags(fs)
	if err := config.Parse(fs, args, e.getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := cfg.Logger(e.stderr)

	if cfg.DocsDir != "" {
		if err := os.MkdirAll(cfg.DocsDir, 0o755); err != nil {
			return fmt.Errorf("cannot create the document directory: %w", err)
		}
	}
	var demoConns map[string]map[string]string
	if cfg.Demo {
		dir, cleanup, err := extractDemo()
		if err != nil {
			return err
		}
		defer cleanup()
		cfg.AllowDirs = append(cfg.AllowDirs, dir)
		demoConns = map[string]map[string]string{demo.AppID: {demo.Connection: dir}}
	}

	eng, err := qix.NewEngine(qix.Options{
		DocsDir:   cfg.DocsDir,
		AllowDirs: cfg.AllowDirs,
		Reload:    withConnections(newReloader(), demoConns),
		Logger:    log.With("component", "qix"),
	})
	if err != nil {
		return fmt.Errorf("cannot start the engine: %w", err)
	}
	defer eng.Close()

	opts := cfg.ServerOptions(version, log)
	opts.DeferReady = cfg.Demo
	srv, err := server.New(qixEngine{eng}, opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	log.Info("assoc serve", "version", version, "addr", ln.Addr().String(), "docs_dir", cfg.DocsDir,
		"allow_dirs", cfg.AllowDirs, "session_ttl", cfg.SessionTTL, "max_session_ttl", cfg.MaxSessionTTL)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	if cfg.Demo {
		go func() {
			loadDemo(ctx, eng, log)
			srv.MarkReady()
		}()
	}

	select {
	case err := <-served:
		return fmt.Errorf("server stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down (a second signal exits at once)", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serr := <-served; serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// extractDemo writes the demo data into a private temporary directory,
// named after the demo's connection; cleanup removes it.
func extractDemo() (dir string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "assoc-demo-*")
	if err != nil {
		return "", nil, fmt.Errorf("cannot create a directory for the demo data: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(tmp) }
	dir = filepath.Join(tmp, demo.Connection)
	if err := os.Mkdir(dir, 0o700); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("cannot create a directory for the demo data: %w", err)
	}
	if err := demo.Extract(dir); err != nil {
		cleanup()
		return "", nil, err
	}
	return dir, cleanup, nil
}

// loadDemo creates and reloads the demo app. A failed reload (for example
// while no load-script interpreter is wired in) is logged, the app is
// created without data so its script can be reloaded later, and the server
// keeps serving.
func loadDemo(ctx context.Context, eng *qix.Engine, log *slog.Logger) {
	start := time.Now()
	log.Info("loading the demo", "demo", demo.Describe())
	err := eng.CreateApp(ctx, demo.AppID, demo.Title, demo.Script, true)
	if err == nil {
		log.Info("demo app ready", "app", demo.AppID, "took", time.Since(start).Round(time.Millisecond))
		return
	}
	log.Error("cannot load the demo app; serving without its data", "app", demo.AppID, "err", err)
	if err := eng.CreateApp(ctx, demo.AppID, demo.Title, demo.Script, false); err != nil {
		log.Error("cannot create the demo app", "app", demo.AppID, "err", err)
		return
	}
	log.Info("demo app created without data (reload it once reloads work)", "app", demo.AppID)
}
