// Command assoc is the Assoc associative engine: a server that speaks
// Qlik's QIX protocol, and the tools around it.
//
//	assoc serve [flags]   serve QIX over WebSocket and /health, /healthcheck (port 9076)
//	assoc version         print the version
//	assoc help [command]  list the commands, or a command's flags
//
// assoc serve --demo loads the embedded demo app (package demo: US flights
// with their airports) at start; make run does that.
//
// Every flag of serve can be set by an environment variable as well
// (ASSOC_ADDR, ASSOC_DOCS_DIR, ASSOC_ALLOW_DIR, ...; see package
// server/config). SIGINT or SIGTERM shuts the server down gracefully; a
// second signal exits at once.
//
// Each command lives in its own file and registers itself from an init
// function (see command in main.go), so a new command is a new file.
// engine.go adapts package qix to the server's interfaces, and reloader.go
// is where the load-script interpreter is plugged in.
package main
