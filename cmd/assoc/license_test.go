package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/server/license"
)

func TestLicenseCommand(t *testing.T) {
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "signing.pem"), filepath.Join(dir, "signing.pub")
	ent := filepath.Join(dir, "ent.json")
	require.NoError(t, os.WriteFile(ent, []byte(`{"keyId":"acme-2026","licensee":"Acme","professional":10,"analyzer":50,
		"analyzerCapacityMinutes":6000,"cores":8,"expires":"2099-12-31"}`), 0o600))
	expired := filepath.Join(dir, "old.json")
	require.NoError(t, os.WriteFile(expired, []byte(`{"keyId":"old","licensee":"Acme","tokens":5,"expires":"2001-01-01"}`), 0o600))
	bad := filepath.Join(dir, "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte(`{"keyId":"x","licensee":"Acme","professional":1,"tokens":3}`), 0o600))

	runOK := func(args ...string) string {
		t.Helper()
		e, out, errOut := testEnv(nil)
		require.Equal(t, 0, run(args, e), "stderr: %s", errOut)
		return out.String()
	}
	runStatus := func(status int, stderr string, args ...string) {
		t.Helper()
		e, _, errOut := testEnv(nil)
		require.Equal(t, status, run(args, e), "stderr: %s", errOut)
		require.Contains(t, errOut.String(), stderr)
	}

	require.Contains(t, runOK("license", "keygen", "--private", priv, "--public", pub), "wrote the private signing key")
	info, err := os.Stat(priv)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	runStatus(1, "it exists (use --force to overwrite)", "license", "keygen", "--private", priv, "--public", pub)

	key := strings.TrimSpace(runOK("license", "sign", "--key", priv, ent))
	require.True(t, strings.HasPrefix(key, license.KeyPrefix))
	keyFile := filepath.Join(dir, "license.key")
	runOK("license", "sign", "--key", priv, "--out", keyFile, ent)

	out := runOK("license", "inspect", "--public", pub, keyFile)
	var report struct {
		Status       string
		Entitlements map[string]any
	}
	require.NoError(t, json.Unmarshal([]byte(out), &report))
	require.Equal(t, "valid", report.Status)
	require.Equal(t, "acme-2026", report.Entitlements["keyId"])
	require.Equal(t, 10.0, report.Entitlements["professional"])
	require.Equal(t, "2099-12-31T23:59:59Z", report.Entitlements["expires"])

	// Standard input.
	licenseStdin = strings.NewReader(key)
	t.Cleanup(func() { licenseStdin = os.Stdin })
	require.Contains(t, runOK("license", "inspect", "--public", pub, "-"), `"licensee": "Acme"`)

	// An expired key prints what it grants and fails.
	oldKey := filepath.Join(dir, "old.key")
	runOK("license", "sign", "--key", priv, "--out", oldKey, expired)
	runStatus(1, `the license key "old" expired at 2001-01-01T23:59:59Z`, "license", "inspect", "--public", pub, oldKey)

	// A key from another signer, or tampered with, is refused.
	priv2, pub2 := filepath.Join(dir, "other.pem"), filepath.Join(dir, "other.pub")
	runOK("license", "keygen", "--private", priv2, "--public", pub2)
	runStatus(1, "signature does not verify", "license", "inspect", "--public", pub2, keyFile)
	tampered := filepath.Join(dir, "tampered.key")
	flip := "x"
	if key[10] == 'x' {
		flip = "y"
	}
	require.NoError(t, os.WriteFile(tampered, []byte(key[:10]+flip+key[11:]), 0o600))
	runStatus(1, "the license key is not valid", "license", "inspect", "--public", pub, tampered)

	runStatus(1, "token license cannot also grant", "license", "sign", "--key", priv, bad)
	runStatus(1, `want "PRIVATE KEY"`, "license", "sign", "--key", pub, ent)
	runStatus(2, "sign needs --key", "license", "sign", ent)
	runStatus(2, "inspect needs --public", "license", "inspect")
	runStatus(2, `unknown subcommand "frob"`, "license", "frob")
	runStatus(2, "missing subcommand", "license")
	runStatus(2, "must be different files", "license", "keygen", "--private", priv, "--public", priv)

	// The key works with the license model.
	pk, err := license.DecodePublicKey(mustRead(t, pub))
	require.NoError(t, err)
	k, err := license.ParseKey(key, pk, time.Now())
	require.NoError(t, err)
	require.Equal(t, 8, k.Cores)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}
