package qix

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// DiskStore is an AppStore over a document directory: one app file
// (AppFileExt, format in docs/format.md) per app. A file is named after
// its app's id when the id is a safe file name (GUIDs are) and after an
// escaped form otherwise; the id inside the file is what counts, so files
// written elsewhere (assoc reload --out) and copied in under any name are
// found too.
//
// Saves are atomic (WriteAppFile): a crash or a kill during a save leaves
// the previous file. Saves and deletes of one app are serialised; loads
// never wait, since a save replaces the file with a rename and a load
// keeps reading the file it opened. Several processes may read the
// directory, but only one should write to it.
type DiskStore struct {
	dir  string
	log  *slog.Logger
	opts DiskStoreOptions

	mu    sync.Mutex
	locks map[string]*idLock
	index map[string]string // app id -> file name, from the last scan
}

var _ AppStore = (*DiskStore)(nil)

// DiskStoreOptions configure a DiskStore. The zero value works.
type DiskStoreOptions struct {
	// Logger receives warnings about files that cannot be read (nil
	// discards them).
	Logger *slog.Logger
	// MaxModelBytes bounds the decompressed size of a data model loaded
	// (0: no bound).
	MaxModelBytes int64
}

type idLock struct {
	mu   sync.Mutex
	refs int
}

// staleTemp is the age after which a leftover temporary file of an
// interrupted save is removed when a store is opened.
const staleTemp = time.Hour

// NewDiskStore returns a store over dir, creating the directory if needed.
// Temporary files of saves interrupted more than an hour ago are removed.
func NewDiskStore(dir string, opts DiskStoreOptions) (*DiskStore, error) {
	if dir == "" {
		return nil, fmt.Errorf("cannot use the document directory: no directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("cannot use the document directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the document directory: %w", err)
	}
	d := &DiskStore{dir: abs, log: opts.Logger, opts: opts, locks: map[string]*idLock{}, index: map[string]string{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("cannot read the document directory: %w", err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), tempPrefix) {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleTemp {
			d.log.Info("removing the temporary file of an interrupted save", "file", e.Name())
			_ = os.Remove(filepath.Join(abs, e.Name()))
		}
	}
	return d, nil
}

// Dir returns the document directory (absolute).
func (d *DiskStore) Dir() string { return d.dir }

// NewAppID returns a new app id: a random GUID, as Qlik's app ids are.
func NewAppID() string { return newUUID() }

// AppFileName returns the file name the store gives app id: the id plus
// AppFileExt when the id is a safe file name, otherwise the id with every
// byte outside [A-Za-z0-9._-] (and a leading dot) escaped as %XX, cut and
// completed by a hash when it would be too long.
func AppFileName(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		safe := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' && i > 0
		if safe {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	name := b.String()
	const maxName = 200
	if len(name) > maxName {
		name = fmt.Sprintf("%s~%016x", name[:maxName-17], fnv64(id))
	}
	return name + AppFileExt
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// lock serialises the saves and deletes of one app; it returns the unlock.
func (d *DiskStore) lock(id string) func() {
	d.mu.Lock()
	l := d.locks[id]
	if l == nil {
		l = &idLock{}
		d.locks[id] = l
	}
	l.refs++
	d.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		d.mu.Lock()
		if l.refs--; l.refs == 0 {
			delete(d.locks, id)
		}
		d.mu.Unlock()
	}
}

// scan reads the header of every app file and rebuilds the id index. A
// file that cannot be read is logged and skipped; when two files hold the
// same id, the first by name wins.
func (d *DiskStore) scan() ([]AppInfo, error) {
	entries, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, fmt.Errorf("cannot list the document directory: %w", err)
	}
	var infos []AppInfo
	index := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, AppFileExt) || strings.HasPrefix(name, ".") || !e.Type().IsRegular() {
			continue
		}
		info, err := ReadAppInfo(filepath.Join(d.dir, name))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) { // removed since ReadDir
				d.log.Warn("skipping an unreadable app file", "file", name, "err", err)
			}
			continue
		}
		if prev, dup := index[info.ID]; dup {
			d.log.Warn("two app files hold the same app id; using the first", "id", info.ID, "used", prev, "skipped", name)
			continue
		}
		index[info.ID] = name
		infos = append(infos, info)
	}
	d.mu.Lock()
	d.index = index
	d.mu.Unlock()
	slices.SortFunc(infos, func(a, b AppInfo) int { return strings.Compare(a.ID, b.ID) })
	return infos, nil
}

// List returns every app in the directory, sorted by id.
func (d *DiskStore) List() ([]AppInfo, error) { return d.scan() }

// holds reports whether the file name in the directory holds app id.
func (d *DiskStore) holds(name, id string) bool {
	info, err := ReadAppInfo(filepath.Join(d.dir, name))
	return err == nil && info.ID == id
}

// locate returns the file name holding app id: the file named after the
// id, or the one the last scan found, rescanning once when neither holds
// it. ok is false when no file does.
func (d *DiskStore) locate(id string) (name string, ok bool, err error) {
	if name := AppFileName(id); d.holds(name, id) {
		return name, true, nil
	}
	d.mu.Lock()
	name, known := d.index[id]
	d.mu.Unlock()
	if known && d.holds(name, id) {
		return name, true, nil
	}
	if _, err := d.scan(); err != nil {
		return "", false, err
	}
	d.mu.Lock()
	name, known = d.index[id]
	d.mu.Unlock()
	return name, known, nil
}

// Load reads app id from its file.
func (d *DiskStore) Load(id string) (*AppSnapshot, error) {
	name, ok, err := d.locate(id)
	if err != nil {
		return nil, fmt.Errorf("cannot load app %q: %w", id, err)
	}
	if !ok {
		return nil, fmt.Errorf("cannot load app %q: %w", id, ErrAppNotFound)
	}
	app, err := ReadAppFile(filepath.Join(d.dir, name), AppReadOptions{MaxModelBytes: d.opts.MaxModelBytes})
	if errors.Is(err, fs.ErrNotExist) { // deleted meanwhile
		return nil, fmt.Errorf("cannot load app %q: %w", id, ErrAppNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot load app %q: %w", id, err)
	}
	if app.ID != id { // replaced meanwhile by another app's file
		return nil, fmt.Errorf("cannot load app %q: %s now holds app %q: %w", id, name, app.ID, ErrAppNotFound)
	}
	return app, nil
}

// Save writes app to its file atomically, replacing the previous version.
// Saves of one app never interleave.
func (d *DiskStore) Save(app *AppSnapshot) error {
	if app == nil || app.ID == "" {
		return fmt.Errorf("cannot save an app without an id")
	}
	unlock := d.lock(app.ID)
	defer unlock()
	name, ok, err := d.locate(app.ID)
	if err != nil {
		return fmt.Errorf("cannot save app %q: %w", app.ID, err)
	}
	if !ok {
		name = AppFileName(app.ID)
		info, err := ReadAppInfo(filepath.Join(d.dir, name))
		switch {
		case err == nil && info.ID != app.ID:
			return fmt.Errorf("cannot save app %q: its file name %s holds app %q", app.ID, name, info.ID)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			d.log.Warn("replacing an unreadable app file", "file", name, "err", err)
		}
	}
	if err := WriteAppFile(filepath.Join(d.dir, name), app); err != nil {
		return err
	}
	d.mu.Lock()
	d.index[app.ID] = name
	d.mu.Unlock()
	return nil
}

// Delete removes app id's file.
func (d *DiskStore) Delete(id string) error {
	unlock := d.lock(id)
	defer unlock()
	name, ok, err := d.locate(id)
	if err != nil {
		return fmt.Errorf("cannot delete app %q: %w", id, err)
	}
	if !ok {
		return fmt.Errorf("cannot delete app %q: %w", id, ErrAppNotFound)
	}
	if err := os.Remove(filepath.Join(d.dir, name)); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot delete app %q: %w", id, ErrAppNotFound)
		}
		return fmt.Errorf("cannot delete app %q: %w", id, err)
	}
	d.mu.Lock()
	delete(d.index, id)
	d.mu.Unlock()
	if err := syncDir(d.dir); err != nil {
		return fmt.Errorf("cannot delete app %q: %w", id, err)
	}
	return nil
}
