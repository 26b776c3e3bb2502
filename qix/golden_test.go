package qix_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

// Replays of real-engine outputs (testdata/README.md): the same calls must
// give the same structure and values, ids that engines generate aside.

// TestCorectlTrafficGolden replays corectl's traffic log against a real
// Qlik Core 12.1050: OnConnected, GetActiveDoc without a doc (1007),
// OpenDoc and GetScript, frame by frame.
func TestCorectlTrafficGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/corectl/TestTrafficFlag_script_get_--traffic.golden")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	// The app's script is in the recorded GetScript response.
	var script string
	for _, l := range lines {
		if strings.Contains(l, `"qScript"`) {
			var r struct {
				Result struct{ QScript string } `json:"result"`
			}
			require.NoError(t, json.Unmarshal([]byte(strings.TrimPrefix(l, "<-- ")), &r))
			script = r.Result.QScript
		}
	}
	require.NotEmpty(t, script)
	e, _ := newEngine(t, qix.Options{})
	require.NoError(t, e.CreateApp(context.Background(), "/apps/TestTrafficFlag.qvf", "", script, false))
	s, err := e.NewSession(qix.SessionParams{AppID: "engineData"})
	require.NoError(t, err)
	out := &recorder{}
	conn := s.Attach(out)
	replayed := 0
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "--> "):
			conn.Handle([]byte(strings.TrimPrefix(l, "--> ")))
		case strings.HasPrefix(l, "<-- "):
			frames := out.take()
			require.Len(t, frames, 1, "expected one frame for %s", l)
			require.JSONEq(t, strings.TrimPrefix(l, "<-- "), string(frames[0]))
			replayed++
		}
	}
	require.Equal(t, 4, replayed)
}

// TestCorectlObjectPropertiesGolden: GetProperties of an object built from
// corectl's objects.json is the real engine's normalised form.
func TestCorectlObjectPropertiesGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/corectl/using-entities-objects.json")
	require.NoError(t, err)
	var objects []map[string]any
	require.NoError(t, json.Unmarshal(data, &objects))
	want, err := os.ReadFile("testdata/corectl/TestObjectManagementCommands_object_properties_object-using-inline.golden")
	require.NoError(t, err)
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	var h int
	for _, o := range objects {
		r := c.ok(doc, "CreateObject", o)
		if path(t, o, "qInfo", "qId") == "object-using-inline" {
			h = handleOf(t, r)
		}
	}
	require.NotZero(t, h)
	got, err := json.Marshal(c.ok(h, "GetProperties")["qProp"])
	require.NoError(t, err)
	require.JSONEq(t, string(want), string(got))
}

// TestCorectlDataModelGoldens rebuilds corectl's fields, tables, assoc and
// values outputs (its table printing re-done here) from GetTablesAndKeys,
// GetFieldDescription and a frequency-sorted list object, and compares
// every column except RAM, which depends on the engine's memory layout.
func TestCorectlDataModelGoldens(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c, doc := openCorectlApp(t, e)
	tk := c.ok(doc, "GetTablesAndKeys", map[string]any{}, map[string]any{}, 0, false, false)
	tables := tk["qtr"].([]any)

	// Fields: corectl orders them by the number of tables, most first.
	type fieldRow struct {
		name   string
		tables int
		order  int
	}
	var fields []fieldRow
	seen := map[string]int{}
	for _, tb := range tables {
		for _, f := range path(t, tb, "qFields").([]any) {
			n := f.(map[string]any)["qName"].(string)
			if i, ok := seen[n]; ok {
				fields[i].tables++
				continue
			}
			seen[n] = len(fields)
			fields = append(fields, fieldRow{n, 1, len(fields)})
		}
	}
	sort.SliceStable(fields, func(i, j int) bool { return fields[i].tables > fields[j].tables })
	var got [][]string
	for _, f := range fields {
		fd := c.ok(doc, "GetFieldDescription", f.name)["qReturn"].(map[string]any)
		card, total := int(fd["qCardinal"].(float64)), int(fd["qTotalCount"].(float64))
		uniq := fmt.Sprint(total)
		if card < total {
			uniq = fmt.Sprintf("%d/%d", card, total)
		}
		var tags []string
		for _, tg := range fd["qTags"].([]any) {
			tags = append(tags, tg.(string))
		}
		var inTables []string
		for _, tb := range tables {
			for _, fi := range path(t, tb, "qFields").([]any) {
				fi := fi.(map[string]any)
				if fi["qName"] != f.name {
					continue
				}
				s := fmt.Sprintf("%s: %v/%v", path(t, tb, "qName"), fi["qnTotalDistinctValues"], fi["qnNonNulls"])
				if fi["qKeyType"] == "ANY_KEY" {
					s += "*"
				}
				inTables = append(inTables, s)
			}
		}
		got = append(got, []string{f.name, uniq, strings.Join(tags, ", "), strings.Join(inTables, "\n"),
			strings.Join(fieldContent(t, c, doc, f.name, 20), ", ")})
	}
	rows := goldenTable(t, "TestBasicAnalyzing_fields.golden")
	var want [][]string
	for _, r := range rows[1:] {
		if r[0] != "Total RAM" {
			want = append(want, []string{r[0], r[1], r[3], r[4], r[5]}) // without RAM
		}
	}
	require.Equal(t, want, got)

	// Tables.
	got = nil
	for _, tb := range tables {
		var names []string
		for _, f := range path(t, tb, "qFields").([]any) {
			names = append(names, f.(map[string]any)["qName"].(string))
		}
		got = append(got, []string{path(t, tb, "qName").(string), fmt.Sprint(path(t, tb, "qNoOfRows")), strings.Join(names, ", ")})
	}
	want = nil
	for _, r := range goldenTable(t, "TestBasicAnalyzing_tables.golden")[1:] {
		if r[0] != "" {
			want = append(want, []string{r[0], r[1], r[3]})
		}
	}
	require.Equal(t, want, got)

	// Associations.
	got = nil
	for _, k := range tk["qk"].([]any) {
		var fs, ts []string
		for _, f := range path(t, k, "qKeyFields").([]any) {
			fs = append(fs, f.(string))
		}
		for _, tb := range path(t, k, "qTables").([]any) {
			ts = append(ts, tb.(string))
		}
		got = append(got, []string{strings.Join(fs, ", "), strings.Join(ts, " <--> ")})
	}
	require.Equal(t, goldenTable(t, "TestBasicAnalyzing_assoc.golden")[1:], got)

	// Values of a field.
	values, err := os.ReadFile("testdata/corectl/TestBasicAnalyzing_values_numbers.golden")
	require.NoError(t, err)
	require.Equal(t, strings.TrimSpace(string(values)), strings.Join(fieldContent(t, c, doc, "numbers", 100), "\n"))

	// Reload progress: corectl prints the persistent progress, then its own
	// "Reload finished successfully".
	reload, err := os.ReadFile("testdata/corectl/TestBasicAnalyzing_reload.golden")
	require.NoError(t, err)
	c.ok(doc, "DoReload")
	pd := c.ok(-1, "GetProgress", 0)["qProgressData"].(map[string]any)
	require.True(t, strings.HasPrefix(string(reload), pd["qPersistentProgress"].(string)+"Reload finished successfully\n"))
}

// fieldContent is corectl's sample content: a session list object sorted
// by frequency, "text(Nx)" for values seen more than once.
func fieldContent(t *testing.T, c *client, doc int, field string, n int) []string {
	t.Helper()
	h := handleOf(t, c.ok(doc, "CreateSessionObject", map[string]any{
		"qInfo": map[string]any{"qType": "my-straight-hypercube"},
		"qListObjectDef": map[string]any{
			"qDef":              map[string]any{"qFieldDefs": []string{field}, "qSortCriterias": []any{map[string]any{"qSortByFrequency": 1}}},
			"qShowAlternatives": true, "qFrequencyMode": "NX_FREQUENCY_VALUE",
			"qInitialDataFetch": []any{map[string]any{"qTop": 0, "qHeight": n, "qLeft": 0, "qWidth": 1}},
		},
	}))
	var out []string
	for _, row := range path(t, lo(t, c, h), "qListObject", "qDataPages", 0, "qMatrix").([]any) {
		cell := row.([]any)[0].(map[string]any)
		if f := cell["qFrequency"].(string); f != "1" && f != "" {
			out = append(out, fmt.Sprintf("%s(%sx)", cell["qText"], f))
		} else {
			out = append(out, cell["qText"].(string))
		}
	}
	return out
}

// goldenTable parses a corectl ASCII table: one record per block between
// separator lines, multi-line cells joined with "\n".
func goldenTable(t *testing.T, name string) [][]string {
	t.Helper()
	data, err := os.ReadFile("testdata/corectl/" + name)
	require.NoError(t, err)
	var out [][]string
	var cur [][]string
	flush := func() {
		if cur == nil {
			return
		}
		out = append(out, make([]string, len(cur[0])))
		rec := out[len(out)-1]
		for col := range cur[0] {
			var parts []string
			for _, line := range cur {
				if s := strings.TrimSpace(line[col]); s != "" {
					parts = append(parts, s)
				}
			}
			rec[col] = strings.Join(parts, "\n")
		}
		cur = nil
	}
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "+"):
			flush()
		case strings.HasPrefix(l, "|"):
			cells := strings.Split(strings.Trim(l, "|"), "|")
			cur = append(cur, cells)
		}
	}
	flush()
	return out
}

// TestEnigmaGoTraffic replays the traffic enigma-go recorded against a real
// engine. Intentional differences, asserted below:
//   - CreateSessionApp's qReturn also carries qGenericId (the session app
//     id; enigma copies qSessionAppId there anyway);
//   - layouts always carry qMeta with the privileges (nebula.js reads it);
//   - qHyperCubeDef has no computer yet: GetLayout returns the definition
//     as it is, and SelectHyperCubeCells answers "Method not found".
//
// The script (RecNo() and Rand() over AutoGenerate 100) needs the real
// load-script interpreter; the fake reloader loads the same shape.
func TestEnigmaGoTraffic(t *testing.T) {
	data, err := os.ReadFile("testdata/enigma-go/socket.traffic.7983082.json")
	require.NoError(t, err)
	var traffic []struct {
		Sent     json.RawMessage
		Received json.RawMessage
	}
	require.NoError(t, json.Unmarshal(data, &traffic))
	var script strings.Builder
	script.WriteString("TempTable:\nID,Value\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&script, "%d,0.%d\n", i, i)
	}
	e, _ := newEngine(t, qix.Options{Reload: func(ctx context.Context, req qix.ReloadRequest) (*qix.ReloadResult, error) {
		req.Script = script.String()
		return (&fakeReloader{}).reload(ctx, req)
	}})
	s, err := e.NewSession(qix.SessionParams{AppID: "engineData"})
	require.NoError(t, err)
	out := &recorder{}
	conn := s.Attach(out)
	var objID string
	var queue [][]byte
	for i, m := range traffic {
		if m.Sent != nil {
			conn.Handle(m.Sent)
			continue
		}
		var want map[string]any
		require.NoError(t, json.Unmarshal(m.Received, &want))
		queue = append(queue, out.take()...)
		require.NotEmpty(t, queue, "message %d", i)
		frames := queue[:1]
		queue = queue[1:]
		var got map[string]any
		require.NoError(t, json.Unmarshal(frames[0], &got))
		switch id := want["id"]; {
		case want["method"] == "OnConnected":
			require.Equal(t, want, got)
		case id == 1.0: // CreateSessionApp
			require.Regexp(t, `^SessionApp_[0-9a-f-]{36}$`, path(t, got, "result", "qSessionAppId"))
			require.Equal(t, path(t, got, "result", "qSessionAppId"), path(t, got, "result", "qReturn", "qGenericId"))
			delete(got["result"].(map[string]any)["qReturn"].(map[string]any), "qGenericId")
			got["result"].(map[string]any)["qSessionAppId"] = path(t, want, "result", "qSessionAppId")
			require.Equal(t, want, got)
		case id == 4.0: // CreateObject: a generated id
			objID = path(t, got, "result", "qInfo", "qId").(string)
			require.Regexp(t, `^[0-9a-f-]{36}$`, objID)
			require.Equal(t, objID, path(t, got, "result", "qReturn", "qGenericId"))
			w := strings.ReplaceAll(string(m.Received), "fc9e7114-b3f3-4e75-9157-184f36f94995", objID)
			require.JSONEq(t, w, string(frames[0]))
		case id == 5.0 || id == 7.0: // GetLayout
			l := got["result"].(map[string]any)["qLayout"].(map[string]any)
			require.Equal(t, map[string]any{"qId": objID, "qType": "my-straight-hypercube"}, l["qInfo"])
			require.Equal(t, path(t, want, "result", "qLayout", "qSelectionInfo"), l["qSelectionInfo"])
			require.Contains(t, l, "qMeta")
			compareCube(t, path(t, want, "result", "qLayout", "qHyperCube").(map[string]any), l["qHyperCube"].(map[string]any))
		case id == 6.0: // SelectHyperCubeCells
			require.Equal(t, want, got)
		default: // SetScript, DoReload
			require.Equal(t, want, got, "message %d", i)
		}
	}
	require.Empty(t, queue)
	require.Empty(t, out.take())
}

// compareCube compares a hypercube layout with the one recorded from a real
// engine: the same keys (ours may add qCardinalities and qTrendLines, which
// other engine versions send), the same size, states and element numbers.
// The recorded app used Rand() and a decimal comma, so the measure values,
// their texts and number formats are not compared.
func compareCube(t *testing.T, want, got map[string]any) {
	t.Helper()
	keys := func(m map[string]any, extra ...string) []string {
		var out []string
		for k := range m {
			if !slices.Contains(extra, k) {
				out = append(out, k)
			}
		}
		slices.Sort(out)
		return out
	}
	require.Equal(t, keys(want), keys(got))
	require.Equal(t, want["qSize"], got["qSize"])
	require.Equal(t, want["qEffectiveInterColumnSortOrder"], got["qEffectiveInterColumnSortOrder"])
	wd, gd := path(t, want, "qDimensionInfo", 0).(map[string]any), path(t, got, "qDimensionInfo", 0).(map[string]any)
	require.Equal(t, keys(wd), keys(gd, "qCardinalities"))
	for _, k := range []string{"qFallbackTitle", "qApprMaxGlyphCount", "qCardinal", "qSortIndicator", "qStateCounts", "qTags", "qDimensionType", "qMin", "qMax"} {
		require.Equal(t, wd[k], gd[k], "qDimensionInfo.%s", k)
	}
	wm, gm := path(t, want, "qMeasureInfo", 0).(map[string]any), path(t, got, "qMeasureInfo", 0).(map[string]any)
	require.Equal(t, keys(wm), keys(gm, "qTrendLines"))
	for _, k := range []string{"qFallbackTitle", "qCardinal", "qSortIndicator", "qIsAutoFormat"} {
		require.Equal(t, wm[k], gm[k], "qMeasureInfo.%s", k)
	}
	require.Equal(t, path(t, wm, "qNumFormat", "qType"), path(t, gm, "qNumFormat", "qType"))
	wt, gt := path(t, want, "qGrandTotalRow", 0).(map[string]any), path(t, got, "qGrandTotalRow", 0).(map[string]any)
	require.Equal(t, keys(wt), keys(gt))
	wp, gp := path(t, want, "qDataPages", 0).(map[string]any), path(t, got, "qDataPages", 0).(map[string]any)
	require.Equal(t, wp["qArea"], gp["qArea"])
	require.Equal(t, wp["qTails"], gp["qTails"])
	wmx, gmx := wp["qMatrix"].([]any), gp["qMatrix"].([]any)
	require.Equal(t, len(wmx), len(gmx))
	for r := range wmx {
		wc, gc := path(t, wmx, r, 0).(map[string]any), path(t, gmx, r, 0).(map[string]any)
		require.Equal(t, wc, gc, "dimension cell of row %d", r)
		require.Equal(t, keys(path(t, wmx, r, 1).(map[string]any)), keys(path(t, gmx, r, 1).(map[string]any)))
		require.Equal(t, path(t, wmx, r, 1, "qState"), path(t, gmx, r, 1, "qState"))
	}
}
