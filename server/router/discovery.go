package router

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Default ports and labels of engine discovery (Qlik Core's and Mira's).
const (
	DefaultAPIPort          = 9076
	DefaultMetricsPort      = 9090
	DefaultLabel            = "qix-engine"
	DefaultAPIPortLabel     = "qix-engine-api-port"
	DefaultMetricsPortLabel = "qix-engine-metrics-port"
)

// Target is an engine a Discoverer found.
type Target struct {
	// Name identifies the engine in logs (the pod name, or host:port).
	Name string
	// Host is its address (the pod IP, a host name or an IP).
	Host string
	// Port serves QIX and /healthcheck; MetricsPort serves /metrics.
	Port, MetricsPort int
	// Labels are the pod's labels (Kubernetes discovery).
	Labels map[string]string
	// Terminating is set for a pod being deleted: it keeps its sessions
	// but gets no new ones.
	Terminating bool
	// Pod is the pod as the Kubernetes API returned it (for /v1/engines).
	Pod json.RawMessage
}

// Addr returns host:port of the QIX port.
func (t Target) Addr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.Port)) }

// MetricsAddr returns host:port of the metrics port.
func (t Target) MetricsAddr() string { return net.JoinHostPort(t.Host, strconv.Itoa(t.MetricsPort)) }

// Discoverer finds the engines. It is called on every poll.
type Discoverer interface {
	Discover(ctx context.Context) ([]Target, error)
}

// Static is a fixed list of engines.
type Static []Target

// Discover returns the list.
func (s Static) Discover(context.Context) ([]Target, error) { return slices.Clone(s), nil }

// ParseStatic reads a list of engines, each "host:port" or
// "host:port/metricsPort" (the metrics port defaults to 9090); IPv6 hosts
// go in brackets.
func ParseStatic(entries []string) (Static, error) {
	var out Static
	var errs []error
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		addr, mport, hasMetrics := strings.Cut(e, "/")
		host, port, err := net.SplitHostPort(addr)
		if err != nil || host == "" {
			errs = append(errs, fmt.Errorf("engine %q: want host:port or host:port/metricsPort", e))
			continue
		}
		p, err := parsePort(port)
		if err != nil {
			errs = append(errs, fmt.Errorf("engine %q: %w", e, err))
			continue
		}
		m := DefaultMetricsPort
		if hasMetrics {
			if m, err = parsePort(mport); err != nil {
				errs = append(errs, fmt.Errorf("engine %q: metrics %w", e, err))
				continue
			}
		}
		out = append(out, Target{Name: net.JoinHostPort(host, port), Host: host, Port: p, MetricsPort: m})
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no engines listed")
	}
	return out, nil
}

func parsePort(s string) (int, error) {
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port %q is not a number from 1 to 65535", s)
	}
	return p, nil
}

// DNS finds the engines behind a name, such as the headless Service of
// the engine pods: every address the name resolves to is an engine.
type DNS struct {
	// Name is the host name to resolve.
	Name string
	// Port and MetricsPort are the engines' ports (defaults 9076, 9090).
	Port, MetricsPort int
	// LookupHost resolves the name; nil is net.DefaultResolver.LookupHost.
	LookupHost func(ctx context.Context, host string) ([]string, error)
}

// Discover resolves the name.
func (d DNS) Discover(ctx context.Context) ([]Target, error) {
	lookup := d.LookupHost
	if lookup == nil {
		lookup = net.DefaultResolver.LookupHost
	}
	addrs, err := lookup(ctx, d.Name)
	if err != nil {
		return nil, fmt.Errorf("cannot resolve the engines' name %s: %w", d.Name, err)
	}
	port, mport := d.Port, d.MetricsPort
	if port == 0 {
		port = DefaultAPIPort
	}
	if mport == 0 {
		mport = DefaultMetricsPort
	}
	slices.Sort(addrs)
	out := make([]Target, 0, len(addrs))
	for _, a := range slices.Compact(addrs) {
		out = append(out, Target{Name: net.JoinHostPort(a, strconv.Itoa(port)), Host: a, Port: port, MetricsPort: mport})
	}
	return out, nil
}

// In-cluster service account files.
const (
	serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount"
	// maxPodList bounds the pod list read from the API server.
	maxPodList = 32 << 20
)

// Kubernetes finds the engines as Mira does: the pods with a label (by
// default qix-engine), in the Running phase with a pod IP, their ports
// from the labels qix-engine-api-port and qix-engine-metrics-port. It
// talks plain HTTPS to the API server with the pod's service-account
// token (read on every call: tokens rotate) and needs RBAC to list pods.
type Kubernetes struct {
	// APIServer is the API server's URL; empty is
	// https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT.
	APIServer string
	// TokenFile and CAFile are the service account's token and the
	// cluster CA; empty are the in-cluster paths. A missing CA file uses
	// the system roots.
	TokenFile, CAFile string
	// Namespace limits the pods to one namespace; empty is the pod's own
	// namespace (from the service account), or every namespace outside a
	// cluster. "*" asks for every namespace.
	Namespace string
	// Label selects the engine pods (a label selector; default qix-engine).
	Label string
	// APIPortLabel and MetricsPortLabel name the labels that hold the
	// ports (defaults qix-engine-api-port, qix-engine-metrics-port).
	APIPortLabel, MetricsPortLabel string
	// Client makes the requests; nil builds one from CAFile.
	Client *http.Client
}

// Discover lists the engine pods.
func (k *Kubernetes) Discover(ctx context.Context) ([]Target, error) {
	api := k.APIServer
	if api == "" {
		host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
		if host == "" || port == "" {
			return nil, errors.New("cannot find the Kubernetes API server: KUBERNETES_SERVICE_HOST and _PORT are not set (run in a cluster or give its URL)")
		}
		api = "https://" + net.JoinHostPort(host, port)
	}
	client, err := k.client()
	if err != nil {
		return nil, err
	}
	tokenFile := k.TokenFile
	if tokenFile == "" {
		tokenFile = serviceAccountDir + "/token"
	}
	token, err := os.ReadFile(tokenFile)
	if err != nil {
		return nil, fmt.Errorf("cannot read the service account token: %w", err)
	}
	ns := k.Namespace
	if ns == "" {
		if b, err := os.ReadFile(serviceAccountDir + "/namespace"); err == nil {
			ns = strings.TrimSpace(string(b))
		}
	}
	label := k.Label
	if label == "" {
		label = DefaultLabel
	}
	path := "/api/v1/pods"
	if ns != "" && ns != "*" {
		path = "/api/v1/namespaces/" + url.PathEscape(ns) + "/pods"
	}
	u := strings.TrimSuffix(api, "/") + path + "?labelSelector=" + url.QueryEscape(label)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("cannot list the engine pods: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(token)))
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot list the engine pods: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPodList+1))
	if err != nil {
		return nil, fmt.Errorf("cannot list the engine pods: %w", err)
	}
	if len(body) > maxPodList {
		return nil, fmt.Errorf("cannot list the engine pods: the list is over %d bytes", maxPodList)
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(body))
		var status struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(body, &status) == nil && status.Message != "" {
			msg = status.Message
		}
		return nil, fmt.Errorf("cannot list the engine pods: the API server answered %s: %s (the router needs RBAC to list pods)", resp.Status, clip(msg))
	}
	return ParsePods(body, k.APIPortLabel, k.MetricsPortLabel)
}

func (k *Kubernetes) client() (*http.Client, error) {
	if k.Client != nil {
		return k.Client, nil
	}
	caFile := k.CAFile
	if caFile == "" {
		caFile = serviceAccountDir + "/ca.crt"
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.Proxy = nil
	if pem, err := os.ReadFile(caFile); err == nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("cannot use the cluster CA %s: no PEM certificate in it", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	} else if k.CAFile != "" {
		return nil, fmt.Errorf("cannot read the cluster CA: %w", err)
	}
	k.Client = &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return k.Client, nil
}

// ParsePods reads a Kubernetes PodList and returns the engines: pods in
// the Running phase with a pod IP, their ports from the labels (empty
// label names are the defaults). A pod being deleted is kept, marked
// Terminating.
func ParsePods(body []byte, apiPortLabel, metricsPortLabel string) ([]Target, error) {
	if apiPortLabel == "" {
		apiPortLabel = DefaultAPIPortLabel
	}
	if metricsPortLabel == "" {
		metricsPortLabel = DefaultMetricsPortLabel
	}
	var list struct {
		Kind  string            `json:"kind"`
		Items []json.RawMessage `json:"items"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		return nil, fmt.Errorf("cannot read the pod list: %w", err)
	}
	if list.Kind != "" && list.Kind != "PodList" {
		return nil, fmt.Errorf("cannot read the pod list: the API server sent a %s", clip(list.Kind))
	}
	var out []Target
	for _, raw := range list.Items {
		var pod struct {
			Metadata struct {
				Name              string            `json:"name"`
				Namespace         string            `json:"namespace"`
				Labels            map[string]string `json:"labels"`
				DeletionTimestamp *string           `json:"deletionTimestamp"`
			} `json:"metadata"`
			Status struct {
				Phase string `json:"phase"`
				PodIP string `json:"podIP"`
			} `json:"status"`
		}
		if err := json.Unmarshal(raw, &pod); err != nil {
			continue // one odd pod does not hide the others
		}
		if pod.Status.Phase != "Running" || net.ParseIP(pod.Status.PodIP) == nil {
			continue
		}
		port := labelPort(pod.Metadata.Labels[apiPortLabel], DefaultAPIPort)
		mport := labelPort(pod.Metadata.Labels[metricsPortLabel], DefaultMetricsPort)
		name := pod.Metadata.Name
		if pod.Metadata.Namespace != "" {
			name = pod.Metadata.Namespace + "/" + name
		}
		out = append(out, Target{Name: name, Host: pod.Status.PodIP, Port: port, MetricsPort: mport,
			Labels: pod.Metadata.Labels, Terminating: pod.Metadata.DeletionTimestamp != nil, Pod: raw})
	}
	return out, nil
}

// labelPort reads a port label, falling back to def when it is absent or
// not a port.
func labelPort(v string, def int) int {
	if p, err := parsePort(v); err == nil {
		return p
	}
	return def
}
