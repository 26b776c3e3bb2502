package reload

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// errNotExist is wrapped by the error for a file that does not exist.
var errNotExist = fs.ErrNotExist

// fileAccess resolves the file names of a script (lib://connection/path,
// paths relative to DIRECTORY or the base directory, absolute paths) and
// checks that every one stays inside the allowed roots, after cleaning
// and after resolving symbolic links.
type fileAccess struct {
	roots    []string // cleaned absolute roots
	realRoot []string // the same with symlinks resolved
	conns    map[string]string
	base     string
	dir      string // set by DIRECTORY: a script path, resolved on use
}

func newFileAccess(req *Request) fileAccess {
	fa := fileAccess{conns: map[string]string{}}
	add := func(d string) {
		if d == "" {
			return
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return
		}
		abs = filepath.Clean(abs)
		fa.roots = append(fa.roots, abs)
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			fa.realRoot = append(fa.realRoot, real)
		} else {
			fa.realRoot = append(fa.realRoot, abs)
		}
	}
	for _, d := range req.AllowDirs {
		add(d)
	}
	for name, d := range req.Connections {
		fa.conns[name] = d
		add(d)
	}
	fa.base = req.BaseDir
	if fa.base == "" && len(req.AllowDirs) > 0 {
		fa.base = req.AllowDirs[0]
	}
	return fa
}

// connection returns the folder of a connection (exact name, else
// case-insensitive).
func (fa *fileAccess) connection(name string) (string, bool) {
	if d, ok := fa.conns[name]; ok {
		return d, true
	}
	for n, d := range fa.conns {
		if strings.EqualFold(n, name) {
			return d, true
		}
	}
	return "", false
}

// abs turns a script path into a cleaned absolute path, without checks.
func (fa *fileAccess) abs(name string) (string, error) {
	p := strings.TrimSpace(name)
	if p == "" {
		return "", fmt.Errorf("empty file name")
	}
	p = strings.ReplaceAll(p, `\`, "/")
	if low := strings.ToLower(p); strings.HasPrefix(low, "lib://") {
		rest := p[len("lib://"):]
		conn, sub, _ := strings.Cut(rest, "/")
		dir, ok := fa.connection(conn)
		if !ok {
			return "", fmt.Errorf("no connection named %q: %w", conn, ErrAccess)
		}
		return filepath.Clean(filepath.Join(dir, filepath.FromSlash(sub))), nil
	}
	if strings.Contains(p, "://") {
		return "", fmt.Errorf("%q: URLs are %w (only lib:// folder connections and local paths)", name, ErrNotSupported)
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	base := fa.base
	if fa.dir != "" {
		d, err := fa.abs(fa.dir)
		if err != nil {
			return "", err
		}
		base = d
	}
	if base == "" {
		return "", fmt.Errorf("%q: relative path but no base directory: %w", name, ErrAccess)
	}
	b, err := filepath.Abs(base)
	if err != nil {
		return "", err
	}
	return filepath.Clean(filepath.Join(b, filepath.FromSlash(p))), nil
}

func within(p string, roots []string) bool {
	for _, r := range roots {
		if p == r {
			return true
		}
		rel, err := filepath.Rel(r, p)
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel) {
			return true
		}
	}
	return false
}

// resolve returns the checked absolute path of an existing file or
// directory named by a script path.
func (fa *fileAccess) resolve(name string) (string, error) {
	p, err := fa.abs(name)
	if err != nil {
		return "", err
	}
	if len(fa.roots) == 0 {
		return "", fmt.Errorf("%q: no directories are allowed for file access: %w", name, ErrAccess)
	}
	if !within(p, fa.roots) && !within(p, fa.realRoot) {
		return "", fmt.Errorf("%q is outside the allowed directories: %w", name, ErrAccess)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("file %q not found: %w", name, errNotExist)
		}
		return "", fmt.Errorf("cannot access %q: %w", name, err)
	}
	if !within(real, fa.realRoot) && !within(real, fa.roots) {
		return "", fmt.Errorf("%q resolves (through a symbolic link) outside the allowed directories: %w", name, ErrAccess)
	}
	return real, nil
}

// resolveWrite returns the checked absolute path for a file to create or
// overwrite: its directory must exist inside the allowed roots, and an
// existing file (or link) there must too.
func (fa *fileAccess) resolveWrite(name string) (string, error) {
	p, err := fa.abs(name)
	if err != nil {
		return "", err
	}
	if len(fa.roots) == 0 {
		return "", fmt.Errorf("%q: no directories are allowed for file access: %w", name, ErrAccess)
	}
	if !within(p, fa.roots) && !within(p, fa.realRoot) {
		return "", fmt.Errorf("%q is outside the allowed directories: %w", name, ErrAccess)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return "", fmt.Errorf("cannot write %q: directory: %w", name, err)
	}
	if !within(dir, fa.realRoot) && !within(dir, fa.roots) {
		return "", fmt.Errorf("%q resolves (through a symbolic link) outside the allowed directories: %w", name, ErrAccess)
	}
	target := filepath.Join(dir, filepath.Base(p))
	if real, err := filepath.EvalSymlinks(target); err == nil {
		if !within(real, fa.realRoot) && !within(real, fa.roots) {
			return "", fmt.Errorf("%q resolves (through a symbolic link) outside the allowed directories: %w", name, ErrAccess)
		}
		target = real
	}
	return target, nil
}

// read reads a checked path.
func (fa *fileAccess) read(p string) ([]byte, error) {
	return os.ReadFile(p)
}

// setDir sets the directory of relative paths (DIRECTORY).
func (fa *fileAccess) setDir(d string) { fa.dir = d }

// setDirChecked sets the DIRECTORY after checking it is an allowed
// directory.
func (fa *fileAccess) setDirChecked(d string) error {
	p, err := fa.resolve(d)
	if err != nil {
		return err
	}
	st, err := os.Stat(p)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%q is not a directory", d)
	}
	if strings.HasPrefix(strings.ToLower(d), "lib://") || filepath.IsAbs(d) {
		fa.dir = d
	} else {
		fa.dir = p
	}
	return nil
}

// hasWildcard reports whether a script path has * or ? in its last part.
func hasWildcard(name string) bool {
	base := name
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		base = name[i+1:]
	}
	return strings.ContainsAny(base, "*?")
}

// list returns the files (or directories, for DirList) matching a mask
// whose last part may hold * and ?, as script paths in the style of the
// mask, sorted by name.
func (fa *fileAccess) list(mask string, dirs bool) ([]string, error) {
	m := strings.ReplaceAll(strings.TrimSpace(mask), `\`, "/")
	dirPart, pat := "", m
	if i := strings.LastIndex(m, "/"); i >= 0 {
		dirPart, pat = m[:i+1], m[i+1:]
	}
	if pat == "" {
		pat = "*"
	}
	scriptDir := dirPart
	if scriptDir == "" {
		scriptDir = "."
	}
	if strings.EqualFold(strings.TrimSuffix(scriptDir, "/"), "lib:") || strings.HasSuffix(strings.ToLower(scriptDir), "lib://") {
		return nil, fmt.Errorf("mask %q names no connection", mask)
	}
	d, err := fa.resolve(strings.TrimSuffix(scriptDir, "/") + "/")
	if err != nil {
		if lib := strings.ToLower(scriptDir); strings.HasPrefix(lib, "lib://") && strings.Count(strings.TrimSuffix(lib[6:], "/"), "/") == 0 {
			d, err = fa.resolve(strings.TrimSuffix(scriptDir, "/"))
		}
		if err != nil {
			return nil, err
		}
	}
	entries, err := os.ReadDir(d)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		ok, err := filepath.Match(pat, e.Name())
		if err != nil {
			return nil, fmt.Errorf("invalid mask %q: %w", mask, err)
		}
		if !ok {
			continue
		}
		isDir := e.IsDir()
		if e.Type()&fs.ModeSymlink != 0 {
			full, err := fa.resolve(dirPart + e.Name())
			if err != nil {
				continue // a link leading outside is not listed
			}
			st, err := os.Stat(full)
			if err != nil {
				continue
			}
			isDir = st.IsDir()
		}
		if isDir != dirs {
			continue
		}
		out = append(out, dirPart+e.Name())
	}
	sort.Strings(out)
	return out, nil
}
