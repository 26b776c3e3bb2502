package qix_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// noReload is a reloader that fails the test: apps opened from disk must
// not need a reload.
func noReload(t *testing.T) qix.Reloader {
	return func(context.Context, qix.ReloadRequest) (*qix.ReloadResult, error) {
		t.Error("the app was reloaded")
		return nil, &qix.ReloadError{Msg: "no reloads here"}
	}
}

// TestDiskStorePersistence: an app saved through the engine into a
// document directory comes back in a new engine, on a new store over the
// same directory, with its data (no reload), objects, master items,
// bookmarks, variables and states; GetDocList lists the file; DeleteApp
// removes it.
func TestDiskStorePersistence(t *testing.T) {
	dir := t.TempDir()
	store, err := qix.NewDiskStore(dir, qix.DiskStoreOptions{})
	require.NoError(t, err)
	e, _ := newEngine(t, qix.Options{Store: store})
	c, doc := openShared(t, e, "saved.qvf")
	c.ok(doc, "AddAlternateState", "S1")
	c.ok(doc, "CreateDimension", map[string]any{"qInfo": map[string]any{"qId": "d"}, "qDim": map[string]any{"qFieldDefs": []any{"xyz"}}, "qMetaDef": map[string]any{"title": "Letters"}})
	c.ok(doc, "CreateMeasure", map[string]any{"qInfo": map[string]any{"qId": "m"}, "qMeasure": map[string]any{"qDef": "Count(numbers)"}})
	sheet := handleOf(t, c.ok(doc, "CreateObject", map[string]any{"qInfo": map[string]any{"qId": "sheet", "qType": "sheet"}}))
	c.ok(sheet, "CreateChild", map[string]any{"qInfo": map[string]any{"qId": "kid", "qType": "table"},
		"qHyperCubeDef": map[string]any{"qDimensions": []any{map[string]any{"qLibraryId": "d"}}, "qMeasures": []any{map[string]any{"qLibraryId": "m"}},
			"qInitialDataFetch": []any{map[string]any{"qWidth": 2, "qHeight": 5}}}})
	c.ok(doc, "CreateVariableEx", map[string]any{"qInfo": map[string]any{"qId": "v"}, "qName": "vX", "qDefinition": "5"})
	c.ok(field(t, c, doc, "xyz", ""), "Select", "y")
	c.ok(doc, "CreateBookmark", map[string]any{"qInfo": map[string]any{"qId": "bm"}, "qMetaDef": map[string]any{"title": "Y"}})
	treeBefore := c.ok(sheet, "GetFullPropertyTree")["qPropEntry"]
	c.ok(doc, "DoSave")

	files, err := filepath.Glob(filepath.Join(dir, "*"+qix.AppFileExt))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "saved.qvf.assoc")}, files)

	store2, err := qix.NewDiskStore(dir, qix.DiskStoreOptions{})
	require.NoError(t, err)
	e2, _ := newEngine(t, qix.Options{Store: store2, Reload: noReload(t)})
	c2 := connect(t, e2, qix.SessionParams{AppID: "saved.qvf"})
	list := c2.ok(-1, "GetDocList")["qDocList"].([]any)
	require.Len(t, list, 1)
	require.Equal(t, "saved.qvf", path(t, list[0], "qDocId"))
	require.Positive(t, path(t, list[0], "qFileSize").(float64))
	require.NotEmpty(t, path(t, list[0], "qLastReloadTime"))
	doc2 := handleOf(t, c2.ok(-1, "OpenDoc", "saved.qvf"))
	require.Equal(t, []any{"S1"}, path(t, c2.ok(doc2, "GetAppLayout"), "qLayout", "qStateNames"))
	sheet2 := handleOf(t, c2.ok(doc2, "GetObject", "sheet"))
	require.Equal(t, treeBefore, c2.ok(sheet2, "GetFullPropertyTree")["qPropEntry"])
	kid := handleOf(t, c2.ok(sheet2, "GetChild", "kid"))
	require.Equal(t, [][]string{{"x", "1"}, {"y", "3"}, {"z", "1"}}, matrixTexts(t, layoutOf(t, c2, kid)))
	require.Equal(t, "Letters", path(t, layoutOf(t, c2, handleOf(t, c2.ok(doc2, "GetDimension", "d"))), "qMeta", "title"))
	require.Equal(t, "5", path(t, layoutOf(t, c2, handleOf(t, c2.ok(doc2, "GetVariableByName", "vX"))), "qText"))
	require.Equal(t, true, c2.ok(handleOf(t, c2.ok(doc2, "GetBookmark", "bm")), "Apply")["qSuccess"])
	require.Equal(t, []string{"xyz=y"}, selectionsOf(t, c2, doc2, "$"))

	c2.ok(-1, "DeleteApp", "saved.qvf")
	files, err = filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Empty(t, files)
	_, err = store2.Load("saved.qvf")
	require.ErrorIs(t, err, qix.ErrAppNotFound)
}

// TestDiskStoreDamagedApp: OpenDoc of an app whose file is damaged fails
// with a clear error; the other apps still list and open.
func TestDiskStoreDamagedApp(t *testing.T) {
	dir := t.TempDir()
	store, err := qix.NewDiskStore(dir, qix.DiskStoreOptions{})
	require.NoError(t, err)
	e, _ := newEngine(t, qix.Options{Store: store})
	require.NoError(t, e.CreateApp(context.Background(), "good", "Good", corectlScript, true))
	require.NoError(t, e.CreateApp(context.Background(), "bad", "Bad", corectlScript, true))

	path := filepath.Join(dir, qix.AppFileName("bad"))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	data[len(data)/2] ^= 0xff
	require.NoError(t, os.WriteFile(path, data, 0o600))

	e2, _ := newEngine(t, qix.Options{Store: store, Reload: noReload(t)})
	c := connect(t, e2, qix.SessionParams{AppID: "bad"})
	r := c.call(-1, "OpenDoc", []any{"bad"})
	require.NotNil(t, r.Error, "%s", r.raw)
	require.Contains(t, r.Error.Parameter, "corrupt")
	require.Len(t, c.ok(-1, "GetDocList")["qDocList"], 2, "a file damaged past its header still lists")
	c2 := connect(t, e2, qix.SessionParams{AppID: "good"})
	c2.ok(-1, "OpenDoc", "good")
}
