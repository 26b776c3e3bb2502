//go:build ignore

// gen.go rebuilds the demo data files from the vega-datasets npm package:
//
//	npm pack vega-datasets@3.2.1 && tar xzf vega-datasets-3.2.1.tgz
//	go run gen.go package/data
//
// It converts flights-20k.json to CSV (date, delay, distance, origin,
// destination; values unchanged) and gzips it and airports.csv (as is).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
)

type flight struct {
	Date        string `json:"date"`
	Delay       int    `json:"delay"`
	Distance    int    `json:"distance"`
	Origin      string `json:"origin"`
	Destination string `json:"destination"`
}

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: go run gen.go <vega-datasets data directory>")
	}
	dir := os.Args[1]
	raw, err := os.ReadFile(filepath.Join(dir, "flights-20k.json"))
	if err != nil {
		log.Fatal(err)
	}
	var flights []flight
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&flights); err != nil {
		log.Fatalf("cannot decode flights-20k.json: %v", err)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"date", "delay", "distance", "origin", "destination"})
	for _, f := range flights {
		w.Write([]string{f.Date, strconv.Itoa(f.Delay), strconv.Itoa(f.Distance), f.Origin, f.Destination})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		log.Fatal(err)
	}
	writeGzip("flights.csv.gz", buf.Bytes())
	airports, err := os.ReadFile(filepath.Join(dir, "airports.csv"))
	if err != nil {
		log.Fatal(err)
	}
	writeGzip("airports.csv.gz", airports)
	fmt.Printf("flights.csv: %d rows; airports.csv: %d bytes\n", len(flights), len(airports))
}

// writeGzip writes data compressed, without a name or time in the header so
// the output is reproducible.
func writeGzip(name string, data []byte) {
	var out bytes.Buffer
	zw, err := gzip.NewWriterLevel(&out, gzip.BestCompression)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(name, out.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
