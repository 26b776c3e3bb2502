package qix

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// testModel builds a model of rows rows: a fact table with a key, a
// text field and a number field, and a dimension table on the key.
func testModel(t testing.TB, rows int, seed uint64) *engine.Model {
	t.Helper()
	b := engine.NewBuilder(engine.Options{})
	keys, texts, nums := b.Symbols("Key"), b.Symbols("Text"), b.Symbols("Amount")
	nk := min(rows, 1000) + 1
	for k := range nk {
		keys.InternNum(float64(k), strconv.Itoa(k))
	}
	for i := range 50 {
		texts.InternText("text " + strconv.Itoa(i) + " " + strconv.FormatUint(seed, 10))
	}
	nn := min(rows, 100_000) + 1
	for i := range nn {
		nums.InternNum(float64(i)/100, "")
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	kc, tc, nc := make([]uint32, rows), make([]uint32, rows), make([]uint32, rows)
	for r := range rows {
		kc[r] = uint32(r%nk) + 1
		tc[r] = uint32(rng.IntN(51)) // 0 is NULL
		nc[r] = uint32(r%nn) + 1
	}
	require.NoError(t, b.AddTable("Facts", []string{"Key", "Text", "Amount"}, []*symbols.Column{
		symbols.Pack(kc, uint32(nk), symbols.Compact), symbols.Pack(tc, 50, symbols.Compact), symbols.Pack(nc, uint32(nn), symbols.Compact),
	}))
	dt, err := b.NewTable("Keys", "Key", "Label")
	require.NoError(t, err)
	for k := range nk {
		require.NoError(t, dt.Append(symbols.NumText(float64(k), strconv.Itoa(k)), "label "+strconv.Itoa(k%7)))
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

// fullApp is an app with every part of a snapshot set.
func fullApp(t testing.TB, id string, rows int, seed uint64) *AppSnapshot {
	t.Helper()
	obj := func(kind, id string) []byte {
		return []byte(fmt.Sprintf(`{"qInfo":{"qId":%q,"qType":%q},"title":"ü \"q\" %d"}`, id, kind, seed))
	}
	return &AppSnapshot{
		ID: id, Title: "App " + id, Script: "LOAD * INLINE [\na\n1\n]; // seed " + strconv.FormatUint(seed, 10),
		Model:      testModel(t, rows, seed),
		Properties: []byte(`{"qTitle":"App","custom":{"x":[1,2,3]}}`),
		Objects:    [][]byte{obj("sheet", "s1"), obj("barchart", "c1")},
		Connections: []Connection{{ID: "c-1", Name: "data", ConnectionString: "lib://data", Type: "folder",
			UserName: "u", Password: "p", Modified: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Path: "/data"}},
		States:        []string{"A", "B"},
		LastReload:    time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.UTC),
		Variables:     map[string]string{"vX": "1", "vEmpty": ""},
		UserVariables: [][]byte{obj("variable", "v1")},
		Dimensions:    [][]byte{obj("dimension", "d1")},
		Measures:      [][]byte{obj("measure", "m1")},
		Bookmarks:     [][]byte{obj("bookmark", "b1")},
	}
}

// requireSameApp compares two snapshots; models are compared by their
// snapshots, which hold everything a model has.
func requireSameApp(t testing.TB, want, got *AppSnapshot) {
	t.Helper()
	w, g := *want, *got
	require.True(t, w.LastReload.Equal(g.LastReload), "last reload %v / %v", w.LastReload, g.LastReload)
	w.LastReload, g.LastReload = time.Time{}, time.Time{}
	w.Connections, g.Connections = slices.Clone(w.Connections), slices.Clone(g.Connections)
	require.Len(t, g.Connections, len(w.Connections))
	for i := range w.Connections {
		require.True(t, w.Connections[i].Modified.Equal(g.Connections[i].Modified))
		w.Connections[i].Modified, g.Connections[i].Modified = time.Time{}, time.Time{}
	}
	require.Equal(t, w.Model == nil, g.Model == nil)
	if w.Model != nil {
		var wb, gb bytes.Buffer
		_, err := w.Model.WriteTo(&wb)
		require.NoError(t, err)
		_, err = g.Model.WriteTo(&gb)
		require.NoError(t, err)
		require.True(t, bytes.Equal(wb.Bytes(), gb.Bytes()), "models differ")
	}
	w.Model, g.Model = nil, nil
	require.Equal(t, w, g)
}

// TestAppSnapshotFieldsCovered fails when AppSnapshot gains a field the
// app file does not store: add it to appData or appHead, then here.
func TestAppSnapshotFieldsCovered(t *testing.T) {
	stored := []string{"ID", "Title", "Script", "Model", "Properties", "Objects", "Connections", "States",
		"LastReload", "Variables", "UserVariables", "Dimensions", "Measures", "Bookmarks"}
	var fields []string
	typ := reflect.TypeFor[AppSnapshot]()
	for i := range typ.NumField() {
		fields = append(fields, typ.Field(i).Name)
	}
	require.ElementsMatch(t, stored, fields)
}

func TestAppFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, app := range []*AppSnapshot{
		fullApp(t, "full", 5000, 1),
		{ID: "bare"},
		{ID: "no model", Title: "t", Script: "x", Objects: [][]byte{}, States: []string{}},
	} {
		path := filepath.Join(dir, AppFileName(app.ID))
		require.NoError(t, WriteAppFile(path, app))
		got, err := ReadAppFile(path, AppReadOptions{})
		require.NoError(t, err)
		if len(app.Objects) == 0 {
			app.Objects = nil // empty lists read back as nil
		}
		if len(app.States) == 0 {
			app.States = nil
		}
		requireSameApp(t, app, got)
		info, err := ReadAppInfo(path)
		require.NoError(t, err)
		st, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, AppInfo{ID: app.ID, Title: app.Title, LastReload: info.LastReload, Modified: st.ModTime(), Size: st.Size()}, info)
		require.True(t, app.LastReload.Equal(info.LastReload))
	}
}

func TestAppFileRefusesInvalidJSON(t *testing.T) {
	for name, app := range map[string]*AppSnapshot{
		"properties": {ID: "a", Properties: []byte("{")},
		"object":     {ID: "a", Objects: [][]byte{[]byte(`{"a":1}`), []byte("nope")}},
		"bookmark":   {ID: "a", Bookmarks: [][]byte{nil}},
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "a.assoc")
			err := WriteAppFile(path, app)
			require.ErrorContains(t, err, "not valid JSON")
			_, err = os.Stat(path)
			require.ErrorIs(t, err, os.ErrNotExist, "a failed save leaves no file")
			left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPrefix+"*"))
			require.Empty(t, left, "a failed save leaves no temporary file")
		})
	}
	require.ErrorContains(t, WriteAppFile(filepath.Join(t.TempDir(), "x"), &AppSnapshot{}), "without an id")
}

// appFileBytes writes app and returns the file's bytes and the offsets
// of its sections (file header end, each section start, file end).
func appFileBytes(t testing.TB, app *AppSnapshot) ([]byte, []int) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "a.assoc")
	require.NoError(t, WriteAppFile(path, app))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	bounds := []int{appHeaderSize}
	for off := appHeaderSize; off < len(data); {
		n := int(binary.LittleEndian.Uint64(data[off+8:]))
		off += sectionHeaderSize + n
		bounds = append(bounds, off)
	}
	require.Equal(t, len(data), bounds[len(bounds)-1])
	return data, bounds
}

func readBytes(data []byte) (*AppSnapshot, error) {
	return ReadApp(bytes.NewReader(data), AppReadOptions{})
}

// TestAppFileTruncated cuts an app file at every section boundary and
// inside every section: each cut is a corruption error.
func TestAppFileTruncated(t *testing.T) {
	data, bounds := appFileBytes(t, fullApp(t, "trunc", 3000, 2))
	cuts := map[int]bool{0: true, 1: true, len(data) - 1: true}
	for _, b := range bounds[:len(bounds)-1] {
		for _, d := range []int{-1, 0, 1, sectionHeaderSize - 1, sectionHeaderSize, sectionHeaderSize + 1} {
			if c := b + d; c >= 0 && c < len(data) {
				cuts[c] = true
			}
		}
	}
	for i := range 200 {
		cuts[i*len(data)/200] = true
	}
	for n := range cuts {
		_, err := readBytes(data[:n])
		require.ErrorIs(t, err, ErrAppFileCorrupt, "cut at %d of %d", n, len(data))
	}
}

// TestAppFileFlipped damages bytes all over a small app file, the model
// section included: every change is refused.
func TestAppFileFlipped(t *testing.T) {
	data, _ := appFileBytes(t, fullApp(t, "flip", 300, 3))
	bad := make([]byte, len(data))
	for i := range data {
		copy(bad, data)
		bad[i] ^= 0x20
		_, err := readBytes(bad)
		require.ErrorIs(t, err, ErrAppFileCorrupt, "byte %d", i)
	}
}

func TestAppFileFutureVersion(t *testing.T) {
	data, _ := appFileBytes(t, fullApp(t, "v", 10, 4))
	binary.LittleEndian.PutUint16(data[8:], AppFileVersion+1)
	binary.LittleEndian.PutUint32(data[12:], crc32.Checksum(data[:12], appCRC))
	_, err := readBytes(data)
	require.ErrorIs(t, err, ErrAppFileVersion)
	require.ErrorContains(t, err, "format version 2, this build reads up to version 1")

	// A model section from a newer engine format is refused as such.
	data, bounds := appFileBytes(t, fullApp(t, "v", 10, 4))
	modl := bounds[3]
	require.Equal(t, "MODL", string(data[modl:modl+4]))
	snap := data[modl+sectionHeaderSize:]
	binary.LittleEndian.PutUint16(snap[8:], engine.SnapshotVersion+1)
	binary.LittleEndian.PutUint32(snap[28:], crc32.Checksum(snap[:28], appCRC))
	_, err = readBytes(data)
	require.ErrorIs(t, err, engine.ErrSnapshotVersion)
	require.ErrorContains(t, err, "newer version")
}

// insertSection returns data with a section added before the END section.
func insertSection(data []byte, bounds []int, tag string, payload []byte) []byte {
	var tg [4]byte
	copy(tg[:], tag)
	end := bounds[len(bounds)-2]
	out := append([]byte(nil), data[:end]...)
	out = append(out, sectionHeader(tg, 0, uint64(len(payload)), uint64(len(payload)), crc32.Checksum(payload, appCRC))...)
	out = append(out, payload...)
	return append(out, data[end:]...)
}

func TestAppFileSections(t *testing.T) {
	app := fullApp(t, "sec", 10, 5)
	data, bounds := appFileBytes(t, app)

	got, err := readBytes(insertSection(data, bounds, "thmb", []byte("a thumbnail, say")))
	require.NoError(t, err, "an unknown lower-case section is skipped")
	requireSameApp(t, app, got)

	_, err = readBytes(insertSection(data, bounds, "THMB", []byte("x")))
	require.ErrorIs(t, err, ErrAppFileCorrupt)
	require.ErrorContains(t, err, `unknown section "THMB"`)

	_, err = readBytes(insertSection(data, bounds, "SCPT", []byte("x")))
	require.ErrorContains(t, err, "appears twice")

	_, err = readBytes(data[:bounds[len(bounds)-2]])
	require.ErrorContains(t, err, "truncated section header", "a file without END is truncated")

	_, err = readBytes([]byte("PK\x03\x04not an app file at all"))
	require.ErrorContains(t, err, "not an app file")
}

func newTestStore(t testing.TB) *DiskStore {
	t.Helper()
	d, err := NewDiskStore(t.TempDir(), DiskStoreOptions{})
	require.NoError(t, err)
	return d
}

func TestDiskStoreSaveLoadListDelete(t *testing.T) {
	d := newTestStore(t)
	list, err := d.List()
	require.NoError(t, err)
	require.Empty(t, list)

	ids := []string{NewAppID(), "Sales App.qvf", "../escape", "a/b\\c", ".hidden", "ünï", strings.Repeat("long", 100)}
	for i, id := range ids {
		require.NoError(t, d.Save(fullApp(t, id, 100*i, uint64(i))))
	}
	entries, err := os.ReadDir(d.Dir())
	require.NoError(t, err)
	require.Len(t, entries, len(ids), "one file per app, all inside the directory")
	for _, e := range entries {
		require.True(t, strings.HasSuffix(e.Name(), AppFileExt), e.Name())
		require.False(t, strings.HasPrefix(e.Name(), "."), e.Name())
		require.LessOrEqual(t, len(e.Name()), 255)
	}
	list, err = d.List()
	require.NoError(t, err)
	require.Len(t, list, len(ids))
	for i := 1; i < len(list); i++ {
		require.Less(t, list[i-1].ID, list[i].ID, "sorted by id")
	}
	for i, id := range ids {
		app, err := d.Load(id)
		require.NoError(t, err, id)
		requireSameApp(t, fullApp(t, id, 100*i, uint64(i)), app)
	}
	_, err = d.Load("nope")
	require.ErrorIs(t, err, ErrAppNotFound)

	// A save replaces; a delete removes.
	app := fullApp(t, ids[1], 10, 99)
	app.Title = "renamed"
	require.NoError(t, d.Save(app))
	got, err := d.Load(ids[1])
	require.NoError(t, err)
	require.Equal(t, "renamed", got.Title)
	require.NoError(t, d.Delete(ids[1]))
	_, err = d.Load(ids[1])
	require.ErrorIs(t, err, ErrAppNotFound)
	require.ErrorIs(t, d.Delete(ids[1]), ErrAppNotFound)
	list, err = d.List()
	require.NoError(t, err)
	require.Len(t, list, len(ids)-1)
}

// TestDiskStoreForeignFiles: files named freely (assoc reload --out) are
// found by the id inside; leftovers, strangers and damaged files are
// skipped by List.
func TestDiskStoreForeignFiles(t *testing.T) {
	d := newTestStore(t)
	app := fullApp(t, NewAppID(), 50, 1)
	require.NoError(t, WriteAppFile(filepath.Join(d.Dir(), "sales.assoc"), app))
	require.NoError(t, os.WriteFile(filepath.Join(d.Dir(), "broken.assoc"), []byte("ASSOCAPP garbage"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d.Dir(), tempPrefix+"123.tmp"), []byte("partial"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(d.Dir(), "notes.txt"), []byte("hello"), 0o644))
	require.NoError(t, os.Mkdir(filepath.Join(d.Dir(), "dir.assoc"), 0o755))

	list, err := d.List()
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, app.ID, list[0].ID)
	require.Positive(t, list[0].Size)

	got, err := d.Load(app.ID)
	require.NoError(t, err)
	requireSameApp(t, app, got)

	// Saving keeps the file it came from.
	app.Title = "saved again"
	require.NoError(t, d.Save(app))
	_, err = os.Stat(filepath.Join(d.Dir(), AppFileName(app.ID)))
	require.ErrorIs(t, err, os.ErrNotExist)
	info, err := ReadAppInfo(filepath.Join(d.Dir(), "sales.assoc"))
	require.NoError(t, err)
	require.Equal(t, "saved again", info.Title)

	// A file copied under another app's name does not shadow that app.
	other := fullApp(t, "other", 10, 2)
	require.NoError(t, WriteAppFile(filepath.Join(d.Dir(), AppFileName("victim")), other))
	require.ErrorContains(t, d.Save(&AppSnapshot{ID: "victim"}), `holds app "other"`)
	_, err = d.Load("victim")
	require.ErrorIs(t, err, ErrAppNotFound)

	// A store opened later removes stale temporary files only.
	old := time.Now().Add(-2 * staleTemp)
	require.NoError(t, os.WriteFile(filepath.Join(d.Dir(), tempPrefix+"old.tmp"), nil, 0o600))
	require.NoError(t, os.Chtimes(filepath.Join(d.Dir(), tempPrefix+"old.tmp"), old, old))
	_, err = NewDiskStore(d.Dir(), DiskStoreOptions{})
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(d.Dir(), tempPrefix+"old.tmp"))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = os.Stat(filepath.Join(d.Dir(), tempPrefix+"123.tmp"))
	require.NoError(t, err)
}

func TestDiskStoreMaxModelBytes(t *testing.T) {
	d, err := NewDiskStore(t.TempDir(), DiskStoreOptions{MaxModelBytes: 1000})
	require.NoError(t, err)
	require.NoError(t, d.Save(fullApp(t, "big", 20_000, 1)))
	_, err = d.Load("big")
	require.ErrorIs(t, err, engine.ErrSnapshotTooLarge)
}

// TestDiskStoreSavesNeverInterleave saves one app from many goroutines
// while others load it: at most one save of the app is writing at a time,
// and every load sees a whole version.
func TestDiskStoreSavesNeverInterleave(t *testing.T) {
	d := newTestStore(t)
	versions := make([]*AppSnapshot, 6)
	for i := range versions {
		versions[i] = fullApp(t, "shared", 2000+500*i, uint64(i))
		versions[i].Title = "v" + strconv.Itoa(i)
	}
	require.NoError(t, d.Save(versions[0]))
	var active, most atomic.Int32
	saveHook = func(stage string) {
		switch stage {
		case "temp":
			n := active.Add(1)
			for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
			}
			time.Sleep(time.Millisecond)
		case "renamed":
			active.Add(-1)
		}
	}
	defer func() { saveHook = nil }()
	var wg sync.WaitGroup
	for i := range versions {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range 3 {
				require.NoError(t, d.Save(versions[i]))
			}
		}()
		go func() {
			defer wg.Done()
			for range 3 {
				app, err := d.Load("shared")
				require.NoError(t, err)
				v, err := strconv.Atoi(strings.TrimPrefix(app.Title, "v"))
				require.NoError(t, err)
				requireSameApp(t, versions[v], app)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, int32(1), most.Load(), "saves of one app overlapped")
}

// Crash tests: a child process (this test binary) saves a large app over
// a smaller one and is killed with SIGKILL, at each stage of the save and
// at random moments; the store must then load a whole version.

const (
	envCrashDir   = "ASSOC_TEST_CRASH_DIR"
	envCrashStage = "ASSOC_TEST_CRASH_STAGE"
)

// TestDiskStoreCrashChild is the child's side; it does nothing unless
// the parent set the environment.
func TestDiskStoreCrashChild(t *testing.T) {
	dir := os.Getenv(envCrashDir)
	if dir == "" {
		t.Skip("run by TestDiskStoreCrash")
	}
	stage := os.Getenv(envCrashStage)
	d, err := NewDiskStore(dir, DiskStoreOptions{})
	require.NoError(t, err)
	app := fullApp(t, "crash", 3_000_000, 2)
	app.Title = "new"
	if stage != "" {
		saveHook = func(s string) {
			if s == stage {
				_ = os.WriteFile(filepath.Join(dir, "reached"), nil, 0o644)
				time.Sleep(time.Hour) // until killed
			}
		}
	} else {
		_ = os.WriteFile(filepath.Join(dir, "reached"), nil, 0o644)
	}
	for {
		require.NoError(t, d.Save(app))
	}
}

func TestDiskStoreCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	dir := t.TempDir()
	d, err := NewDiskStore(dir, DiskStoreOptions{})
	require.NoError(t, err)
	old := fullApp(t, "crash", 20_000, 1)
	old.Title = "old"
	require.NoError(t, d.Save(old))

	run := func(stage string, delay time.Duration) {
		t.Helper()
		_ = os.Remove(filepath.Join(dir, "reached"))
		cmd := exec.Command(os.Args[0], "-test.run=^TestDiskStoreCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envCrashDir+"="+dir, envCrashStage+"="+stage)
		cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
		require.NoError(t, cmd.Start())
		deadline := time.Now().Add(60 * time.Second)
		for {
			if _, err := os.Stat(filepath.Join(dir, "reached")); err == nil {
				break
			}
			require.True(t, time.Now().Before(deadline), "the child never reached stage %q", stage)
			time.Sleep(2 * time.Millisecond)
		}
		time.Sleep(delay)
		require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
		_ = cmd.Wait()

		app, err := d.Load("crash")
		require.NoError(t, err, "stage %q delay %v: the app must load after the kill", stage, delay)
		switch {
		case stage == "renamed":
			require.Equal(t, "new", app.Title)
		case stage != "":
			requireSameApp(t, old, app)
		case app.Title == "old":
			requireSameApp(t, old, app)
		default:
			require.Equal(t, "new", app.Title)
			require.Equal(t, 3_000_000, app.Model.Tables()[0].Rows)
		}
		list, err := d.List()
		require.NoError(t, err)
		require.Len(t, list, 1, "leftover temporary files are not apps")
		require.NoError(t, d.Save(old))
	}
	for _, stage := range []string{"temp", "sections", "model", "synced", "renamed"} {
		run(stage, 0)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 6 {
		run("", time.Duration(rng.IntN(400))*time.Millisecond)
	}
}
