package k8s

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/assocengine/assoc/server/auth"
	"github.com/assocengine/assoc/server/auth/rules"
	"github.com/assocengine/assoc/server/config"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// helmVersion is the Helm built from the Go module proxy when none is
// installed.
const helmVersion = "v3.21.4"

const chartDir = "../../deploy/helm/assoc"

var (
	helmOnce sync.Once
	helmPath string
	helmErr  error
)

// helm returns a helm binary, or skips the test saying why there is none.
func helm(t *testing.T) string {
	t.Helper()
	helmOnce.Do(func() {
		if p := os.Getenv("ASSOC_HELM"); p != "" {
			helmPath = p
			return
		}
		if p, err := exec.LookPath("helm"); err == nil {
			helmPath = p
			return
		}
		cache, err := os.UserCacheDir()
		if err != nil {
			cache = os.TempDir()
		}
		dir := filepath.Join(cache, "assoc-test", "helm-"+helmVersion)
		bin := filepath.Join(dir, "helm")
		if _, err := os.Stat(bin); err == nil {
			helmPath = bin
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "install", "helm.sh/helm/v3/cmd/helm@"+helmVersion)
		cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=", "CGO_ENABLED=0")
		cmd.Dir = os.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			helmErr = fmt.Errorf("go install helm.sh/helm/v3/cmd/helm@%s: %v\n%s", helmVersion, err, lastLines(out, 10))
			return
		}
		helmPath = bin
	})
	if helmPath == "" {
		t.Skipf("skipping the Helm chart tests: no helm (set ASSOC_HELM, put helm on the PATH, or let the test build it): %v", helmErr)
	}
	return helmPath
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// runHelm runs helm and returns its standard output; the error carries
// its standard error.
func runHelm(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := exec.Command(helm(t), args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("helm %s: %v: %s%s", strings.Join(args, " "), err, errOut.String(), out.String())
	}
	return out.String(), nil
}

func TestHelmLint(t *testing.T) {
	for _, values := range []string{"testdata/values-dev.yaml", "testdata/values-production.yaml"} {
		out, err := runHelm(t, "lint", "--strict", chartDir, "-f", values)
		require.NoError(t, err, out)
		require.Contains(t, out, "0 chart(s) failed")
	}
}

// render runs helm template and decodes the manifests by kind/name.
func render(t *testing.T, values string, set ...string) (string, map[string]map[string]any) {
	t.Helper()
	args := []string{"template", "assoc", chartDir, "--namespace", "analytics", "-f", values}
	for _, s := range set {
		args = append(args, "--set", s)
	}
	out, err := runHelm(t, args...)
	require.NoError(t, err)
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(strings.NewReader(out))
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if doc == nil {
			continue
		}
		meta := doc["metadata"].(map[string]any)
		docs[doc["kind"].(string)+"/"+meta["name"].(string)] = doc
	}
	return out, docs
}

func TestHelmTemplate(t *testing.T) {
	for _, name := range []string{"dev", "production"} {
		t.Run(name, func(t *testing.T) {
			out, _ := render(t, "testdata/values-"+name+".yaml")
			golden := filepath.Join("testdata", "golden", name+".yaml")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with -update to create the golden file")
			require.Equal(t, string(want), out, "the chart renders differently: check the diff, then run with -update")
		})
	}
}

// dig walks nested maps and lists: keys are map keys or list indexes.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "want a map at %v", p)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok, "want a list at %v", p)
			require.Less(t, k, len(l))
			v = l[k]
		}
	}
	return v
}

// TestHelmProduction checks what a cluster depends on in the production
// rendering.
func TestHelmProduction(t *testing.T) {
	_, docs := render(t, "testdata/values-production.yaml")
	eng := docs["Deployment/assoc-engine"]
	require.NotNil(t, eng)
	require.Nil(t, dig(t, eng, "spec", "replicas"), "the HPA owns the replicas")
	tpl := dig(t, eng, "spec", "template")
	labels := dig(t, tpl, "metadata", "labels").(map[string]any)
	require.Equal(t, "", labels["qix-engine"], "the router discovers pods by the qix-engine label")
	require.Equal(t, "9076", labels["qix-engine-api-port"])
	require.Equal(t, "9090", labels["qix-engine-metrics-port"])
	ann := dig(t, tpl, "metadata", "annotations").(map[string]any)
	require.Equal(t, "true", ann["prometheus.io/scrape"])
	require.Equal(t, "9090", ann["prometheus.io/port"])

	spec := dig(t, tpl, "spec")
	require.Equal(t, 600, dig(t, spec, "terminationGracePeriodSeconds"))
	psc := dig(t, spec, "securityContext").(map[string]any)
	require.Equal(t, true, psc["runAsNonRoot"])
	require.Equal(t, 1910, psc["runAsUser"])
	c := dig(t, spec, "containers", 0)
	require.Equal(t, "registry.example.com/assocengine/assoc:0.1.0-dev", dig(t, c, "image"))
	require.Equal(t, "/health", dig(t, c, "readinessProbe", "httpGet", "path"))
	require.Equal(t, "qix", dig(t, c, "readinessProbe", "httpGet", "port"))
	require.Equal(t, "prometheus", dig(t, c, "livenessProbe", "httpGet", "port"), "liveness must not fail while draining")
	preStop := fmt.Sprint(dig(t, c, "lifecycle", "preStop", "exec", "command"))
	require.Contains(t, preStop, "qix_active_sessions [0-9]+")
	require.Contains(t, preStop, "http://127.0.0.1:9090/metrics")
	csc := dig(t, c, "securityContext").(map[string]any)
	require.Equal(t, false, csc["allowPrivilegeEscalation"])
	require.Equal(t, true, csc["readOnlyRootFilesystem"])
	require.Equal(t, []any{"serve", "--config", "/etc/assoc/config/config.yaml"}, dig(t, c, "args"))

	pvc := docs["PersistentVolumeClaim/assoc-apps"]
	require.Equal(t, []any{"ReadWriteMany"}, dig(t, pvc, "spec", "accessModes"))
	require.Equal(t, "nfs-rwx", dig(t, pvc, "spec", "storageClassName"))

	hpa := docs["HorizontalPodAutoscaler/assoc-engine"]
	require.Equal(t, "qix_active_sessions", dig(t, hpa, "spec", "metrics", 0, "pods", "metric", "name"))
	require.Equal(t, "3000", dig(t, hpa, "spec", "metrics", 0, "pods", "target", "averageValue"))
	require.Equal(t, 1, dig(t, docs["PodDisruptionBudget/assoc-engine"], "spec", "maxUnavailable"))

	svc := docs["Service/assoc-engine"]
	require.Equal(t, "qix", dig(t, svc, "spec", "ports", 0, "name"))
	require.Equal(t, "prometheus", dig(t, svc, "spec", "ports", 1, "name"))
	require.Equal(t, "None", dig(t, docs["Service/assoc-engine-headless"], "spec", "clusterIP"))

	router := docs["Deployment/assoc-router"]
	rargs := fmt.Sprint(dig(t, router, "spec", "template", "spec", "containers", 0, "args"))
	for _, a := range []string{"--kubernetes", "--k8s-namespace=analytics", "--strategy=weighted", "--sessions-per-engine-threshold=4500"} {
		require.Contains(t, rargs, a)
	}
	role := docs["Role/assoc-router"]
	require.Equal(t, []any{"pods"}, dig(t, role, "rules", 0, "resources"))
	require.Contains(t, dig(t, role, "rules", 0, "verbs"), "list")
	require.Equal(t, "assoc-router", dig(t, docs["RoleBinding/assoc-router"], "subjects", 0, "name"))

	ing := docs["Ingress/assoc"]
	require.Equal(t, "my-certificate", dig(t, ing, "spec", "tls", 0, "secretName"), "the seed's default-ssl-certificate names the TLS secret")
	require.Equal(t, "assoc-router", dig(t, ing, "spec", "rules", 0, "http", "paths", 0, "backend", "service", "name"))

	// The engines read the rendered configuration with assoc serve's own
	// loader: it must load and validate.
	secret := docs["Secret/assoc-config"]
	cfgText := dig(t, secret, "stringData", "config.yaml").(string)
	cfg := loadEngineConfig(t, cfgText)
	require.Equal(t, "yes", cfg.AcceptEULA)
	require.Equal(t, "mongodb://assoc:secret@mongo.example.com:27017/assoc?ssl=true", cfg.MongoDBURI)
	require.Empty(t, cfg.DataDir, "with MongoDB the state is not on the volume")
	require.Equal(t, "/etc/assoc/license/key", cfg.LicenseKeyFile)
	require.Equal(t, "/etc/assoc/certs/ca.pem", cfg.CAFile)
	require.Equal(t, "/etc/assoc/rules/allow.txt", cfg.RulesFile)
	require.Equal(t, []string{"assoc-admins"}, cfg.AdminGroups)
	allow := dig(t, docs["ConfigMap/assoc-rules"], "data", "allow.txt").(string)
	_, err := rules.Parse("allow.txt", []byte(allow))
	require.NoError(t, err, "the chart's example rules parse")
}

// loadEngineConfig loads a rendered config.yaml as assoc serve does.
func loadEngineConfig(t *testing.T, text string) config.Config {
	t.Helper()
	p := filepath.Join(t.TempDir(), "config.yaml")
	require.NoError(t, os.WriteFile(p, []byte(text), 0o600))
	cfg := config.Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	cfg.RegisterFlags(fs)
	file, err := config.Load(fs, []string{"--config", p}, func(string) (string, bool) { return "", false }, config.ServeFileKeys)
	require.NoError(t, err)
	require.Empty(t, file.Unknown(config.ServeFileSections, config.ServeFileKeys, config.ServeFileKnown))
	// Paths of the pod do not exist here; the rest must validate.
	dirs := cfg.DocsDir
	cfg.DocsDir = ""
	require.NoError(t, cfg.Validate())
	cfg.DocsDir = dirs
	if idp, _ := file.Section("identity-providers.secrets.idpConfigs"); idp != nil {
		_, err := auth.ParseConfig(idp)
		require.NoError(t, err)
	}
	return cfg
}

func TestHelmDev(t *testing.T) {
	_, docs := render(t, "testdata/values-dev.yaml")
	cfg := loadEngineConfig(t, dig(t, docs["Secret/assoc-config"], "stringData", "config.yaml").(string))
	require.True(t, cfg.DevIdP, "devMode.enabled starts the test IdP")
	require.Equal(t, "/doc/.assoc", cfg.DataDir, "without MongoDB the license state is on the shared volume")
	require.Equal(t, "NodePort", dig(t, docs["Service/assoc-router"], "spec", "type"))
	require.Equal(t, 32443, dig(t, docs["Service/assoc-router"], "spec", "ports", 0, "nodePort"))
	require.Equal(t, 1, dig(t, docs["Deployment/assoc-engine"], "spec", "replicas"))

	// OpenShift: no fixed user ids.
	_, docs = render(t, "testdata/values-dev.yaml", "openshift.enabled=true")
	psc := dig(t, docs["Deployment/assoc-engine"], "spec", "template", "spec", "securityContext").(map[string]any)
	require.NotContains(t, psc, "runAsUser")
	require.NotContains(t, psc, "fsGroup")
	require.Equal(t, true, psc["runAsNonRoot"])
}

func TestHelmRefusals(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		err  string
	}{
		{"no EULA", []string{"engine.acceptEULA="}, `engine.acceptEULA must be "yes"`},
		{"weighted without threshold", []string{"router.strategy=weighted", "router.sessionsPerEngineThreshold=0"}, "needs router.sessionsPerEngineThreshold"},
		{"unknown strategy", []string{"router.strategy=random"}, "router"},
		{"bad mongodb uri", []string{"mongodb.uri=postgres://x"}, "mongodb"},
		{"key without public key", []string{"licenses.key=AL1.x.y"}, "licenses.publicKey is required"},
		{"ingress TLS without host", []string{"ingress.enabled=true"}, "ingress.host is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"template", "assoc", chartDir, "-f", "testdata/values-dev.yaml"}
			for _, s := range tc.set {
				args = append(args, "--set", s)
			}
			_, err := runHelm(t, args...)
			require.ErrorContains(t, err, tc.err)
		})
	}
}
