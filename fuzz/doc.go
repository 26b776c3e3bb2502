// Package fuzz holds the fuzz targets for every parser and decoder of
// untrusted input (expressions, load scripts, CSV, QVD, snapshots, QIX
// frames). Each target is seeded from the test corpora of the package it
// exercises; crashers are kept under testdata/fuzz/.
//
// Run one target with, for example:
//
//	go test ./fuzz -run '^$' -fuzz FuzzExprParse -fuzztime 30s
package fuzz
