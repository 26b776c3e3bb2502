// Package web is the Assoc web hub, built and embedded.
//
// The hub is a small single-page app: at / it lists the engine's apps
// (GetDocList over enigma.js at /app/engineData), and at /sheet/<appId> it
// opens a sheet of real nebula.js visualizations on that app: a filter pane
// (sn-filter-pane), a bar chart (sn-bar-chart), a table (sn-table) and
// nebula's current-selections toolbar, all talking QIX to the engine.
//
// The sources are in src/ (plain JavaScript and CSS). build.mjs bundles them
// with esbuild, together with the pinned npm packages of package-lock.json,
// into dist/, which is committed: `go build` needs no Node.js. `make web`
// rebuilds dist/ and `make web-check` checks that the committed dist/ is the
// build of the committed sources. Every script and style sheet in
// dist/assets/ has a content hash in its name.
//
// This package only embeds dist/ (Dist); package server serves it.
package web
