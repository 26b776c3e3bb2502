package license

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// ErrConflict is returned by Store.Save when the stored revision is no
// longer the one the caller read: another engine wrote in between. The
// caller reads again and retries.
var ErrConflict = errors.New("license state was changed by another writer")

// CorruptRev is the revision Store.Load reports for a record it cannot
// read; Save with CorruptRev replaces it.
const CorruptRev = -1

// Store keeps the allocation state of each license key, shared by every
// engine of a deployment (spec §1.9). The state is an opaque document that
// License encodes; the store only keeps it with a revision number so that
// concurrent writers never lose each other's changes (optimistic
// concurrency: read, change, save if still at the same revision).
type Store interface {
	// Load returns the state document of a key id and its revision: 0 and
	// nil data when there is none, CorruptRev when the record cannot be
	// read (the data, if any, is what was found).
	Load(ctx context.Context, keyID string) (data []byte, rev int64, err error)
	// Save replaces the document if its revision is still rev (0: it must
	// not exist yet) and returns the new revision, or ErrConflict.
	Save(ctx context.Context, keyID string, data []byte, rev int64) (newRev int64, err error)
	// Close releases the store's resources.
	Close(ctx context.Context) error
}

// MemoryStore is a Store in memory, for one process (and tests). The zero
// value is ready to use.
type MemoryStore struct {
	mu   sync.Mutex
	docs map[string]memDoc
}

type memDoc struct {
	data []byte
	rev  int64
}

var _ Store = (*MemoryStore)(nil)

// Load implements Store.
func (m *MemoryStore) Load(_ context.Context, keyID string) ([]byte, int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	d, ok := m.docs[keyID]
	if !ok {
		return nil, 0, nil
	}
	return append([]byte(nil), d.data...), d.rev, nil
}

// Save implements Store.
func (m *MemoryStore) Save(_ context.Context, keyID string, data []byte, rev int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.docs == nil {
		m.docs = map[string]memDoc{}
	}
	if m.docs[keyID].rev != rev {
		return 0, ErrConflict
	}
	n := rev + 1
	if rev == CorruptRev {
		n = 1
	}
	m.docs[keyID] = memDoc{data: append([]byte(nil), data...), rev: n}
	return n, nil
}

// Corrupt replaces a key's record with bytes that are not a state (tests).
func (m *MemoryStore) Corrupt(keyID string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.docs == nil {
		m.docs = map[string]memDoc{}
	}
	m.docs[keyID] = memDoc{data: data, rev: CorruptRev}
}

// Drop forgets a key's record, as a lost store would (tests).
func (m *MemoryStore) Drop(keyID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, keyID)
}

// Close implements Store.
func (m *MemoryStore) Close(context.Context) error { return nil }

// FileStore is the embedded default Store: one JSON file per key id in a
// directory (the engine's data directory). Writes go to a temporary file
// that is synced and renamed over the old one, so a crash leaves either
// the old or the new state, never a torn one; an exclusive lock on a lock
// file serializes writers, including other processes on the same machine.
type FileStore struct {
	dir string
	mu  sync.Mutex // serializes this process's writers (flock is per file description)
}

var _ Store = (*FileStore)(nil)

// OpenFileStore opens (creating it if needed) a file store in dir.
func OpenFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("cannot open the license state store: no directory given")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("cannot open the license state store in %s: %w", dir, err)
	}
	return &FileStore{dir: dir}, nil
}

// fileDoc is the file format.
type fileDoc struct {
	KeyID string          `json:"keyId"`
	Rev   int64           `json:"rev"`
	State json.RawMessage `json:"state"`
}

// Path returns the file that holds a key id's state.
func (f *FileStore) Path(keyID string) string {
	h := sha256.Sum256([]byte(keyID))
	return filepath.Join(f.dir, "license-state-"+hex.EncodeToString(h[:8])+".json")
}

// Load implements Store.
func (f *FileStore) Load(_ context.Context, keyID string) ([]byte, int64, error) {
	return f.read(keyID)
}

func (f *FileStore) read(keyID string) ([]byte, int64, error) {
	path := f.Path(keyID)
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("cannot read the license state %s: %w", path, err)
	}
	var d fileDoc
	if err := json.Unmarshal(b, &d); err != nil || d.KeyID != keyID || d.Rev < 1 {
		return b, CorruptRev, nil
	}
	return d.State, d.Rev, nil
}

// Save implements Store.
func (f *FileStore) Save(_ context.Context, keyID string, data []byte, rev int64) (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	unlock, err := lockFile(filepath.Join(f.dir, ".license-state.lock"))
	if err != nil {
		return 0, fmt.Errorf("cannot lock the license state store in %s: %w", f.dir, err)
	}
	defer unlock()
	_, cur, err := f.read(keyID)
	if err != nil {
		return 0, err
	}
	if cur != rev {
		return 0, ErrConflict
	}
	path := f.Path(keyID)
	if cur == CorruptRev {
		// Keep the unreadable file for whoever investigates.
		_ = os.Rename(path, path+".corrupt-"+strconv.FormatInt(time.Now().Unix(), 10))
		rev = 0
	}
	if !json.Valid(data) {
		return 0, fmt.Errorf("cannot save the license state of %q: BUG: the document is not JSON", keyID)
	}
	out, err := json.Marshal(fileDoc{KeyID: keyID, Rev: rev + 1, State: data})
	if err != nil {
		return 0, fmt.Errorf("cannot encode the license state of %q: %w", keyID, err)
	}
	if err := writeFileAtomic(path, out); err != nil {
		return 0, fmt.Errorf("cannot save the license state %s: %w", path, err)
	}
	return rev + 1, nil
}

// Close implements Store.
func (f *FileStore) Close(context.Context) error { return nil }

// writeFileAtomic writes data to a temporary file in the same directory,
// syncs it and renames it over path, then syncs the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(name)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(name, path); err != nil {
		return err
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
