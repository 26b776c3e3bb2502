package reload

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSetText(t *testing.T) {
	tests := []struct {
		raw, want string
		ok        bool
	}{
		{"", "", false},
		{"   ", "", false},
		{"abc", "abc", true},
		{" 3+4 ", "3+4", true},
		{"','", ",", true},
		{"'It''s'", "It's", true},
		{"''", "", true},
		{`"quoted"`, "quoted", true},
		{"'a' & 'b'", "'a' & 'b'", true},
		{"'M/D/YYYY'", "M/D/YYYY", true},
	}
	for _, tc := range tests {
		got, ok := setText(tc.raw)
		require.Equal(t, tc.ok, ok, tc.raw)
		require.Equal(t, tc.want, got, tc.raw)
	}
}

// TestXmap checks that offsets in an expanded text map back to the text
// that was expanded: exactly before and after the expansion, to the
// expansion's "$(" inside it.
func TestXmap(t *testing.T) {
	orig := "LOAD $(f) AS X FROM y"
	exp := "LOAD LongFieldName AS X FROM y"
	x := newXmap(orig, exp, 100, 100)
	tests := []struct{ expOff, origOff int }{
		{100, 100},      // L
		{104, 104},      // the blank before $(
		{105, 105},      // start of the expansion
		{110, 105},      // inside it
		{100 + 19, 110}, // the blank after it
		{100 + len(exp) - 1, 100 + len(orig) - 1},
	}
	for _, tc := range tests {
		require.Equal(t, tc.origOff, x.toParent(tc.expOff), "offset %d", tc.expOff)
	}
}

func TestMatchPattern(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"Sales", "Sales", true},
		{"Sales", "sales", false},
		{"*", "anything", true},
		{"Sal*", "SALES", true},
		{"S?les", "Soles", true},
		{"A*B", "A/x/B", true},
		{"x*", "y", false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, matchPattern(tc.pattern, tc.name), "%s vs %s", tc.pattern, tc.name)
	}
}

func TestIncludeOnly(t *testing.T) {
	tests := []struct {
		text, path string
		must, ok   bool
	}{
		{"$(include=lib://a/b.qvs)", "lib://a/b.qvs", false, true},
		{" $(Must_Include = x.qvs);", "x.qvs", true, true},
		{"$(vStmt)", "", false, false},
		{"$(include=a.qvs) $(include=b.qvs)", "", false, false},
	}
	for _, tc := range tests {
		p, must, ok := includeOnly(tc.text)
		require.Equal(t, tc.ok, ok, tc.text)
		require.Equal(t, tc.path, p, tc.text)
		require.Equal(t, tc.must, must, tc.text)
	}
}

// TestCodes checks the code vectors at their width changes.
func TestCodes(t *testing.T) {
	for _, n := range []int{0, 1, 255, 256, 65535, 65536, 70000} {
		c := newCodes(0)
		for i := 0; i < n; i++ {
			c.add(uint32(i))
		}
		require.Equal(t, n, c.Len())
		for i := 0; i < n; i++ {
			require.Equal(t, uint32(i), c.get(i))
		}
		if n > 0 {
			g := c.gather([]int32{-1, int32(n - 1), 0})
			require.Equal(t, []uint32{0, uint32(n - 1), 0}, g.all())
		}
		var d codes
		d.addN(7, 3)
		d.appendAll(&c, nil)
		require.Equal(t, n+3, d.Len())
		if n > 0 {
			require.Equal(t, uint32(n-1), d.get(n+2))
		}
	}
}

// TestFileAccess checks path resolution: connections, relative paths,
// cleaning, and the allowed roots.
func TestFileAccess(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "sub", "a.csv"), []byte("x"), 0o644))
	realRoot, err := filepath.EvalSymlinks(root)
	require.NoError(t, err)
	fa := newFileAccess(&Request{Connections: map[string]string{"Data": root}, AllowDirs: []string{root}, BaseDir: root})
	for _, name := range []string{"lib://Data/sub/a.csv", "lib://data/sub/a.csv", `lib://Data\sub\a.csv`, "sub/a.csv", "sub/../sub/a.csv",
		filepath.Join(root, "sub", "a.csv")} {
		p, err := fa.resolve(name)
		require.NoError(t, err, name)
		require.Equal(t, filepath.Join(realRoot, "sub", "a.csv"), p, name)
	}
	for _, name := range []string{"../x.csv", "lib://Data/../x", "/etc/hosts", "lib://Other/a.csv", "http://example.com/a.csv"} {
		_, err := fa.resolve(name)
		require.Error(t, err, name)
	}
	_, err = fa.resolve("lib://Data/sub/missing.csv")
	require.ErrorIs(t, err, os.ErrNotExist)
	files, err := fa.list("lib://Data/sub/*.csv", false)
	require.NoError(t, err)
	require.Equal(t, []string{"lib://Data/sub/a.csv"}, files)
	p, err := fa.resolveWrite("lib://Data/sub/new.qvd")
	require.NoError(t, err)
	require.Equal(t, filepath.Join(realRoot, "sub", "new.qvd"), p)
	_, err = fa.resolveWrite("lib://Data/nodir/new.qvd")
	require.Error(t, err)
	empty := newFileAccess(&Request{})
	_, err = empty.resolve("/etc/hosts")
	require.ErrorIs(t, err, ErrAccess)
}
