package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/assocengine/assoc/server/license"
)

func init() {
	register(&command{name: "license", summary: "make, sign and inspect license keys (keygen | sign | inspect)", run: runLicense})
}

const licenseUsage = `Usage: assoc license <keygen|sign|inspect> [flags]

  keygen   write a new Ed25519 key pair for signing licenses
  sign     sign an entitlements JSON file and print the license key
  inspect  verify a license key with the public key and print what it grants

Run "assoc license <subcommand> --help" for its flags.
`

func runLicense(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, licenseUsage)
		return usageError{errors.New("missing subcommand")}
	}
	switch args[0] {
	case "keygen":
		return runLicenseKeygen(e, args[1:])
	case "sign":
		return runLicenseSign(e, args[1:])
	case "inspect":
		return runLicenseInspect(e, args[1:])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(e.stdout, licenseUsage)
		return nil
	}
	fmt.Fprint(e.stderr, licenseUsage)
	return usageError{fmt.Errorf("unknown subcommand %q", args[0])}
}

func runLicenseKeygen(e *env, args []string) error {
	fs := newFlagSet(e, "license keygen", "--private FILE --public FILE [--force]\n\nThe private key (PKCS #8 PEM, mode 0600) signs keys; the public key (PEM) is what engines verify them with.")
	priv := fs.String("private", "", "`file` to write the private signing key to")
	pub := fs.String("public", "", "`file` to write the public key to")
	force := fs.Bool("force", false, "overwrite existing files")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *priv == "" || *pub == "" || fs.NArg() > 0 {
		return usageError{errors.New("keygen needs --private and --public and no arguments")}
	}
	if *priv == *pub {
		return usageError{errors.New("--private and --public must be different files")}
	}
	pk, sk, err := license.GenerateSigningKey()
	if err != nil {
		return err
	}
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if *force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	if err := writeFile(*priv, license.EncodePrivateKey(sk), flags, 0o600); err != nil {
		return err
	}
	if err := writeFile(*pub, license.EncodePublicKey(pk), flags, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote the private signing key to %s and the public key to %s\n", *priv, *pub)
	return nil
}

func writeFile(path string, data []byte, flags int, perm os.FileMode) error {
	f, err := os.OpenFile(path, flags, perm)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("cannot write %s: it exists (use --force to overwrite)", path)
		}
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

// licenseStdin is what "-" reads (tests replace it).
var licenseStdin io.Reader = os.Stdin

// readInput reads a file, or standard input for "-" (at most 1 MiB).
func readInput(name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(licenseStdin, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("cannot read standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	return b, nil
}

func runLicenseSign(e *env, args []string) error {
	fs := newFlagSet(e, "license sign", `--key PRIVATE.pem [--out FILE] ENTITLEMENTS.json|-

The entitlements file is JSON with keyId and licensee, and any of
professional, analyzer, analyzerCapacityMinutes, tokens, cores, expires
(RFC 3339 or a date such as 2026-12-31) and legacy, for example
{"keyId": "acme-2026", "licensee": "Acme", "professional": 10, "analyzer": 50,
 "analyzerCapacityMinutes": 6000, "expires": "2026-12-31"}`)
	keyFile := fs.String("key", "", "`file` with the private signing key (from keygen)")
	out := fs.String("out", "", "`file` to write the license key to (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *keyFile == "" || fs.NArg() != 1 {
		return usageError{errors.New("sign needs --key and one entitlements file (or - for standard input)")}
	}
	pem, err := os.ReadFile(*keyFile)
	if err != nil {
		return fmt.Errorf("cannot read the signing key: %w", err)
	}
	sk, err := license.DecodePrivateKey(pem)
	if err != nil {
		return err
	}
	raw, err := readInput(fs.Arg(0))
	if err != nil {
		return err
	}
	var ent license.Entitlements
	if err := json.Unmarshal(raw, &ent); err != nil {
		return fmt.Errorf("cannot read the entitlements in %s: %w", fs.Arg(0), err)
	}
	text, err := license.Sign(ent, sk)
	if err != nil {
		return fmt.Errorf("cannot sign %s: %w", fs.Arg(0), err)
	}
	if *out != "" {
		return writeFile(*out, []byte(text+"\n"), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	}
	fmt.Fprintln(e.stdout, text)
	return nil
}

func runLicenseInspect(e *env, args []string) error {
	fs := newFlagSet(e, "license inspect", "--public PUBLIC.pem [KEYFILE|-]\n\nVerifies the key and prints its entitlements as JSON; exits 1 if it is not valid now.")
	pubFile := fs.String("public", "", "`file` with the public key licenses are verified with")
	if err := fs.Parse(args); err != nil {
		return usageError{err}
	}
	if *pubFile == "" || fs.NArg() > 1 {
		return usageError{errors.New("inspect needs --public and at most one key file (default: standard input)")}
	}
	pem, err := os.ReadFile(*pubFile)
	if err != nil {
		return fmt.Errorf("cannot read the public key: %w", err)
	}
	pk, err := license.DecodePublicKey(pem)
	if err != nil {
		return err
	}
	name := "-"
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	raw, err := readInput(name)
	if err != nil {
		return err
	}
	// Verify the signature whatever the date, then say whether it is valid now.
	k, err := license.ParseKey(string(raw), pk, time.Time{})
	if err != nil {
		return fmt.Errorf("the license key is not valid: %w", err)
	}
	now := time.Now()
	status := "valid"
	if k.Expired(now) {
		status = "expired"
	}
	report := struct {
		Status       string               `json:"status"`
		Entitlements license.Entitlements `json:"entitlements"`
	}{status, k.Entitlements}
	b, err := json.MarshalIndent(report, "", "  ")
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
	if status != "valid" {
		return fmt.Errorf("the license key %q expired at %s", k.KeyID, k.Expires.UTC().Format(time.RFC3339))
	}
	return nil
}
