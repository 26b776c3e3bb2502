package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDistIsComplete checks the committed bundle: index.html exists and
// every asset it references is embedded, under a content-hashed name.
func TestDistIsComplete(t *testing.T) {
	fsys := Dist()
	html, err := fs.ReadFile(fsys, "index.html")
	require.NoError(t, err)
	refs := regexp.MustCompile(`(?:src|href)="(/[^"]+)"`).FindAllStringSubmatch(string(html), -1)
	require.GreaterOrEqual(t, len(refs), 3, "index.html should reference the favicon, a style sheet and a script")
	hashed := regexp.MustCompile(`^assets/[a-z]+-[A-Z0-9]{8}\.(js|css)$`)
	for _, m := range refs {
		name := strings.TrimPrefix(m[1], "/")
		_, err := fs.Stat(fsys, name)
		require.NoError(t, err, "index.html references %s", m[1])
		if strings.HasPrefix(name, "assets/") {
			require.Regexp(t, hashed, name)
		}
	}
	_, err = fs.Stat(fsys, "THIRD-PARTY-NOTICES.txt")
	require.NoError(t, err)
}

// TestDistAssetsAreHashed checks that every file under assets/ carries a
// content hash, which is what lets the server cache them for good.
func TestDistAssetsAreHashed(t *testing.T) {
	names := regexp.MustCompile(`^[a-z0-9]+-[A-Z0-9]{8}\.(js|css|js\.LEGAL\.txt)$`)
	var n int
	err := fs.WalkDir(Dist(), "assets", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		require.Regexp(t, names, d.Name())
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, n, 2)
}
