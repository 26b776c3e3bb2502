package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist returns the built hub: index.html, favicon.svg,
// THIRD-PARTY-NOTICES.txt and assets/ (content-hashed scripts, style sheets
// and their licence notes).
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("BUG: web: the embedded dist directory is missing: " + err.Error())
	}
	return sub
}
