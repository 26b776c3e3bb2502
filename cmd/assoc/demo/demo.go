package demo

import (
	"compress/gzip"
	"embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// AppID is the id of the demo app, Title its title.
const (
	AppID = "demo"
	Title = "US flights 2001 (demo)"
)

// Connection is the name of the folder connection the script reads its
// files through (lib://demo/...).
const Connection = "demo"

// Script is the demo app's load script.
//
//go:embed demo.qvs
var Script string

//go:embed flights.csv.gz airports.csv.gz
var data embed.FS

// Files are the data files Extract writes.
var Files = []string{"flights.csv", "airports.csv"}

// Extract writes the data files, decompressed, into dir (which must exist),
// for a folder connection named Connection to point at.
func Extract(dir string) error {
	for _, name := range Files {
		if err := extract(dir, name); err != nil {
			return fmt.Errorf("cannot extract demo file %s into %s: %w", name, dir, err)
		}
	}
	return nil
}

func extract(dir, name string) (err error) {
	in, err := data.Open(name + ".gz")
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(dir, name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
	}()
	if _, err := io.Copy(out, zr); err != nil { // also checks the gzip checksum
		return err
	}
	return zr.Close()
}

// Describe returns a one-line description of the demo for logs.
func Describe() string {
	return fmt.Sprintf("app %q (%s) from %s via lib://%s/", AppID, Title, strings.Join(Files, ", "), Connection)
}
