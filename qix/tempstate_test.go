package qix_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// TestTempSelectionState: a stored state restores every state's
// selections, in this session or another one on the same app, as one Back
// step.
func TestTempSelectionState(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "temp.qvf", "", corectlScript, true))
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "OpenDoc", "temp.qvf"))
	c.ok(doc, "AddAlternateState", "S1")
	c.ok(field(t, c, doc, "abcs", ""), "Select", "b")
	c.ok(field(t, c, doc, "numbers", ""), "Lock")
	c.ok(field(t, c, doc, "xyz", "S1"), "Select", "z")
	r := c.call(doc, "StoreTempSelectionState", []any{})
	require.Nil(t, r.Error)
	require.Len(t, r.Result, 2)
	require.Equal(t, true, r.Result["qReturn"])
	id := r.Result["qId"].(string)
	require.Regexp(t, `^[0-9a-f-]{36}$`, id)
	require.Empty(t, r.Change, "storing changes nothing")

	c.ok(doc, "ClearAll", true)
	c.ok(doc, "ClearAll", true, "S1")
	c.ok(field(t, c, doc, "xyz", ""), "Select", "x")
	back := c.ok(doc, "BackCount")["qReturn"].(float64)
	r = c.call(doc, "RestoreTempSelectionState", []any{id})
	require.Nil(t, r.Error)
	require.Equal(t, map[string]any{"qReturn": true}, r.Result)
	require.Contains(t, r.Change, doc)
	require.Equal(t, []string{"abcs=b"}, selectionsOf(t, c, doc, "$"))
	require.Equal(t, []string{"xyz=z"}, selectionsOf(t, c, doc, "S1"))
	require.Equal(t, back+1, c.ok(doc, "BackCount")["qReturn"])
	c.ok(doc, "Back")
	require.Equal(t, []string{"xyz=x"}, selectionsOf(t, c, doc, "$"))

	// Another session on the app restores it too; other apps do not know
	// the id.
	c2 := connect(t, e, qix.SessionParams{})
	d2 := handleOf(t, c2.ok(-1, "OpenDoc", "temp.qvf"))
	require.Equal(t, map[string]any{"qReturn": true}, c2.ok(d2, "RestoreTempSelectionState", id))
	require.Equal(t, []string{"abcs=b"}, selectionsOf(t, c2, d2, "$"))
	c3, d3 := openCorectlApp(t, e)
	require.Equal(t, map[string]any{"qReturn": false}, c3.ok(d3, "RestoreTempSelectionState", id))
	require.Equal(t, []string{}, selectionsOf(t, c3, d3, "$"))

	// Values are kept by value: a reload keeps what still exists.
	c.ok(doc, "SetScript", "T:\nabcs,other\na,1\nb,2\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	require.Equal(t, map[string]any{"qReturn": true}, c.ok(doc, "RestoreTempSelectionState", id))
	require.Equal(t, []string{"abcs=b"}, selectionsOf(t, c, doc, "$"))

	// A TTL, unknown ids and bad parameters.
	res := c.ok(doc, "StoreTempSelectionState", 3600)
	require.Equal(t, true, res["qReturn"])
	require.NotEqual(t, id, res["qId"])
	require.Equal(t, map[string]any{"qReturn": false}, c.ok(doc, "RestoreTempSelectionState", "nope"))
	c.fails(-32602, doc, "StoreTempSelectionState", "soon")
	c.fails(-32602, doc, "RestoreTempSelectionState", 5)
}
