// Package config loads the configuration of assoc serve: command-line flags
// with an environment overlay, checked and turned into server.Options.
//
// Every flag can also be set by an environment variable named ASSOC_ plus
// the flag name in upper case with - as _ (--docs-dir is ASSOC_DOCS_DIR).
// A flag given on the command line wins over its variable, which wins over
// the default. Repeatable flags (--allow-dir, --allowed-origin) take a
// comma or path-list separated list from the environment.
//
// TTLs are whole seconds as in Qlik Core (-1 for forever) or Go durations;
// sizes are byte counts or numbers with a unit (16MiB, 1GB).
//
// Flags and environment variables stop here and in cmd/: the packages
// below take plain Options structs.
package config
