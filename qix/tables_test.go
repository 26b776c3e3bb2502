package qix_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/qix"
)

const synScript = `A:
k1,k2,va
1,x,10
2,y,

B:
k1,k2,vb
1,x,100
3,z,300

C:
vb,other
100,o
`

func TestTablesAndKeys(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	// An app without data has no tables.
	empty := c.ok(doc, "GetTablesAndKeys", map[string]any{"qcx": 0, "qcy": 0}, map[string]any{"qcx": 0, "qcy": 0}, 0, false, false)
	require.Equal(t, map[string]any{"qtr": []any{}, "qk": []any{}}, empty)
	c.ok(doc, "SetScript", synScript)
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])

	tk := func(synthetic bool) map[string]any {
		return c.ok(doc, "GetTablesAndKeys", map[string]any{}, map[string]any{}, 0, synthetic, false)
	}
	fieldNames := func(table any) []string {
		var out []string
		for _, f := range path(t, table, "qFields").([]any) {
			out = append(out, f.(map[string]any)["qName"].(string))
		}
		return out
	}
	// Source view: synthetic keys hidden, original fields listed.
	src := tk(false)
	tables := src["qtr"].([]any)
	require.Len(t, tables, 3)
	require.Equal(t, "A", path(t, tables, 0, "qName"))
	require.Equal(t, []string{"k1", "k2", "va"}, fieldNames(tables[0]))
	require.Equal(t, []string{"k1", "k2", "vb"}, fieldNames(tables[1]))
	require.Equal(t, []string{"vb", "other"}, fieldNames(tables[2]))
	require.Equal(t, []any{
		map[string]any{"qKeyFields": []any{"k1", "k2"}, "qTables": []any{"A", "B"}},
		map[string]any{"qKeyFields": []any{"vb"}, "qTables": []any{"B", "C"}},
	}, src["qk"])
	va := path(t, tables, 0, "qFields", 2).(map[string]any)
	require.Equal(t, true, va["qHasNull"])
	require.Equal(t, 1.0, va["qnNonNulls"])
	require.Equal(t, 2.0, va["qnRows"])
	require.Equal(t, 0.5, va["qInformationDensity"])
	require.Equal(t, "NOT_KEY", va["qKeyType"])
	k1 := path(t, tables, 1, "qFields", 0).(map[string]any)
	require.Equal(t, "ANY_KEY", k1["qKeyType"])
	require.Equal(t, 3.0, k1["qnTotalDistinctValues"])
	require.Equal(t, 2.0, k1["qnPresentDistinctValues"])
	require.InDelta(t, 2.0/3, k1["qSubsetRatio"], 1e-9)

	// Internal view: the $Syn field and table.
	in := tk(true)
	tables = in["qtr"].([]any)
	require.Len(t, tables, 4)
	require.Equal(t, []string{"$Syn 1", "va"}, fieldNames(tables[0]))
	require.Equal(t, "$Syn 1 Table", path(t, tables, 3, "qName"))
	require.Equal(t, true, path(t, tables, 3, "qIsSynthetic"))
	require.Equal(t, []string{"$Syn 1", "k1", "k2"}, fieldNames(tables[3]))
	require.Equal(t, true, path(t, tables, 0, "qFields", 0, "qIsSynthetic"))
	require.Contains(t, in["qk"], map[string]any{"qKeyFields": []any{"$Syn 1"}, "qTables": []any{"A", "B", "$Syn 1 Table"}})

	// Table data, source and internal.
	data := c.ok(doc, "GetTableData", 0, 10, false, "A")["qData"].([]any)
	require.Equal(t, []any{
		map[string]any{"qValue": []any{num("1", 1), text("x"), num("10", 10)}},
		map[string]any{"qValue": []any{num("2", 2), text("y"), map[string]any{"qText": "-", "qIsNumeric": false, "qNumber": 0.0}}},
	}, data)
	data = c.ok(doc, "GetTableData", 1, 10, true, "B")["qData"].([]any)
	require.Len(t, data, 1)
	require.Equal(t, []any{num("3", 3), num("300", 300)}, path(t, data, 0, "qValue"))
	require.Equal(t, []any{}, c.ok(doc, "GetTableData", 5, 10, false, "A")["qData"])
	c.fails(2, doc, "GetTableData", 0, 10, false, "$Syn 1 Table")
	c.fails(2, doc, "GetTableData", 0, 10, false, "Nope")
	c.fails(-32602, doc, "GetTableData", -1, 10, false, "A")
	c.fails(7009, doc, "GetTableData", 0, 20000, false, "A")

	// Field descriptions follow the source view.
	fd := c.ok(doc, "GetFieldDescription", "k1")["qReturn"].(map[string]any)
	require.Equal(t, "k1", fd["qName"])
	require.Equal(t, []any{"A", "B"}, fd["qSrcTables"])
	require.Equal(t, 3.0, fd["qCardinal"])
	require.Equal(t, 2.0, fd["qTotalCount"]) // the most in one table
	require.Equal(t, true, fd["qIsNumeric"])
	require.Contains(t, fd["qTags"], "$keypart")
	sys := c.ok(doc, "GetFieldDescription", "$Table")["qReturn"].(map[string]any)
	require.Equal(t, true, sys["qIsSystem"])
	require.Equal(t, true, sys["qIsHidden"])
	require.Equal(t, []any{"$TableInfo", "$FieldInfo"}, sys["qSrcTables"])
	c.fails(2, doc, "GetFieldDescription", "Nope")
	lk := handleOf(t, c.ok(doc, "GetField", "other"))
	c.ok(lk, "Select", "o")
	c.ok(lk, "Lock")
	require.Equal(t, true, path(t, c.ok(doc, "GetFieldDescription", "other"), "qReturn", "qIsLocked"))
}

func num(t string, n float64) map[string]any {
	return map[string]any{"qText": t, "qIsNumeric": true, "qNumber": n}
}

func text(t string) map[string]any {
	return map[string]any{"qText": t, "qIsNumeric": false, "qNumber": 0.0}
}

func TestLooseTables(t *testing.T) {
	e, _ := newEngine(t, qix.Options{})
	c := connect(t, e, qix.SessionParams{})
	doc := handleOf(t, c.ok(-1, "CreateSessionApp"))
	c.ok(doc, "SetScript", "A:\na,b\n1,2\n\nB:\nb,c\n2,3\n\nC:\nc,a\n3,1\n\nLOOSEN C\n")
	require.Equal(t, true, c.ok(doc, "DoReload")["qReturn"])
	tables := c.ok(doc, "GetTablesAndKeys", map[string]any{}, map[string]any{}, 0, false, false)["qtr"].([]any)
	require.Equal(t, true, path(t, tables, 2, "qLoose"))
	require.NotContains(t, tables[0], "qLoose")
}
