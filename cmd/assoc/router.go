package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/assocengine/assoc/server/config"
	"github.com/assocengine/assoc/server/metrics"
	"github.com/assocengine/assoc/server/router"
)

func init() {
	register(&command{name: "router", summary: "route QIX sessions to engines: discovery, health, placement, proxying (port 9455)", run: runRouter})
}

func runRouter(ctx context.Context, e *env, args []string) error {
	cfg := config.DefaultRouter()
	fs := newFlagSet(e, "router", "[flags]\n\nGive one engine discovery: --engine (repeatable), --dns-name or --kubernetes.\nEvery flag can also be set by the environment (--dns-name is ASSOC_DNS_NAME; the\nplacement service's SESSION_STRATEGY and SESSIONS_PER_ENGINE_THRESHOLD work too)\nor by the YAML file of --config (router.* keys).")
	cfg.RegisterFlags(fs)
	file, err := config.LoadRouter(&cfg, fs, args, e.getenv)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	if err := cfg.Validate(); err != nil {
		return usageError{err}
	}
	log := cfg.Logger(e.stderr)
	for _, k := range file.Unknown([]string{"router"}, config.RouterFileKeys, routerChartKeys) {
		log.Warn("ignoring an unknown key of the configuration file", "file", file.Path, "key", k)
	}
	disc, err := cfg.Discovery()
	if err != nil {
		return usageError{err}
	}
	opts := cfg.RouterOptions()
	opts.Discovery = disc
	opts.Logger = log
	opts.Metrics = metrics.NewRouter(metrics.RouterOptions{Version: version, Strategy: opts.Strategy.String()})
	rt, err := router.New(opts)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{Handler: rt.Handler(), ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	var msrv *http.Server
	maddr := ""
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			_ = ln.Close()
			return fmt.Errorf("cannot listen on --metrics-addr %s: %w", cfg.MetricsAddr, err)
		}
		maddr = mln.Addr().String()
		msrv = &http.Server{Handler: metrics.Mux(metrics.Handler(opts.Metrics.Registry())), ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = msrv.Serve(mln) }()
	}
	pctx, stopPolling := context.WithCancel(context.Background())
	defer stopPolling()
	go rt.Run(pctx)
	log.Info("assoc router", "version", version, "addr", ln.Addr().String(), "metrics_addr", maddr,
		"strategy", opts.Strategy.String(), "threshold", cfg.Threshold, "poll_interval", cfg.PollInterval)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err := <-served:
		return fmt.Errorf("router stopped: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down (a second signal exits at once)", "timeout", cfg.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	// Shutdown does not wait for hijacked (proxied) connections; they end
	// with the process, and clients reconnect through another router.
	err = srv.Shutdown(sctx)
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// routerChartKeys are the chart's router.* keys that only the chart uses.
var routerChartKeys = []string{"router.enabled", "router.image", "router.replicas", "router.resources", "router.service",
	"router.podAnnotations", "router.podLabels", "router.nodeSelector", "router.tolerations", "router.affinity",
	"router.securityContext", "router.podSecurityContext", "router.rbac", "router.serviceAccount", "router.extraArgs", "router.extraEnv"}
