package qix

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/assocengine/assoc/engine"
)

// AppStore keeps the persistent apps. The engine loads an app from its store
// when a session opens it (OpenDoc) and writes it back on CreateApp, DoSave
// and SaveObjects; while an app is open the engine's copy is the live one.
// Session apps never reach the store. Implementations must be safe for
// concurrent use.
type AppStore interface {
	// List returns the headers of every stored app, in a stable order.
	List() ([]AppInfo, error)
	// Load returns a stored app; an unknown id gives an error wrapping
	// ErrAppNotFound.
	Load(id string) (*AppSnapshot, error)
	// Save stores an app, replacing an earlier version with the same id.
	Save(app *AppSnapshot) error
	// Delete removes an app; an unknown id gives an error wrapping
	// ErrAppNotFound.
	Delete(id string) error
}

// AppInfo is the header of a stored app (GetDocList).
type AppInfo struct {
	ID         string
	Title      string
	LastReload time.Time // zero when never reloaded
	Modified   time.Time
	Size       int64 // bytes, 0 when unknown
}

// AppSnapshot is everything persistent about an app. Model is immutable and
// may be shared; the byte slices are JSON and owned by the snapshot.
type AppSnapshot struct {
	ID     string
	Title  string
	Script string
	// Model is the data model of the last successful reload (nil: none).
	Model *engine.Model
	// Properties are the app properties (NxAppProperties plus custom keys).
	Properties []byte
	// Objects are the properties of every persistent generic object.
	Objects [][]byte
	// Connections are the app's data connections.
	Connections []Connection
	// States are the alternate state names.
	States     []string
	LastReload time.Time
	// Variables are the script variables of the last reload.
	Variables map[string]string
	// UserVariables, Dimensions, Measures and Bookmarks are the properties
	// (JSON) of the app's variables, master dimensions, master measures and
	// bookmarks.
	UserVariables [][]byte
	Dimensions    [][]byte
	Measures      [][]byte
	Bookmarks     [][]byte
}

// Connection is a data connection of an app (Doc.CreateConnection).
type Connection struct {
	ID               string
	Name             string
	ConnectionString string
	Type             string
	UserName         string
	Password         string
	Modified         time.Time
	// Path is the resolved folder of a "folder" connection.
	Path string
}

// MemoryStore is an AppStore that keeps apps in memory; it is the default
// store and loses everything when the process ends.
type MemoryStore struct {
	mu   sync.Mutex
	apps map[string]*AppSnapshot
}

var _ AppStore = (*MemoryStore)(nil)

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore() *MemoryStore { return &MemoryStore{apps: map[string]*AppSnapshot{}} }

// List returns the stored apps sorted by id.
func (m *MemoryStore) List() ([]AppInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]AppInfo, 0, len(m.apps))
	for _, a := range m.apps {
		out = append(out, AppInfo{ID: a.ID, Title: a.Title, LastReload: a.LastReload})
	}
	slices.SortFunc(out, func(a, b AppInfo) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// Load returns a copy of the stored app.
func (m *MemoryStore) Load(id string) (*AppSnapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.apps[id]
	if !ok {
		return nil, fmt.Errorf("cannot load app %q: %w", id, ErrAppNotFound)
	}
	return a.copy(), nil
}

// Save stores a copy of app.
func (m *MemoryStore) Save(app *AppSnapshot) error {
	if app == nil || app.ID == "" {
		return fmt.Errorf("cannot save an app without an id")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.apps[app.ID] = app.copy()
	return nil
}

// Delete removes an app.
func (m *MemoryStore) Delete(id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.apps[id]; !ok {
		return fmt.Errorf("cannot delete app %q: %w", id, ErrAppNotFound)
	}
	delete(m.apps, id)
	return nil
}

func (a *AppSnapshot) copy() *AppSnapshot {
	c := *a
	c.Properties = slices.Clone(a.Properties)
	c.Objects = make([][]byte, len(a.Objects))
	for i, o := range a.Objects {
		c.Objects[i] = slices.Clone(o)
	}
	c.Connections = slices.Clone(a.Connections)
	c.States = slices.Clone(a.States)
	if a.Variables != nil {
		c.Variables = make(map[string]string, len(a.Variables))
		for k, v := range a.Variables {
			c.Variables[k] = v
		}
	}
	return &c
}
