package fuzz

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// FuzzJSONSource loads arbitrary bytes as a JSON file of records (arrays
// of objects and NDJSON, nested objects, arrays, escapes, numbers).
// Seeds: the JSON files of reload/testdata/data and small snippets.
func FuzzJSONSource(f *testing.F) {
	for _, pat := range []string{"*.json", "*.ndjson"} {
		files, err := filepath.Glob(filepath.Join("..", "reload", "testdata", "data", pat))
		require.NoError(f, err)
		for _, p := range files {
			b, err := os.ReadFile(p)
			require.NoError(f, err)
			f.Add(b)
		}
	}
	for _, s := range []string{
		`[{"a":1,"b":"x"},{"a":{"c":[1,2,{"d":null}]}}]`,
		"{\"a\":\"\\u00e9\\ud83d\\ude00\"}\n{\"b\":true}\n",
		`[{"a.b":1,"a":{"b":2}}]`,
		`{"n":-1.5e-3,"m":1e999}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		runColumnarFile(t, "f.json", "T: LOAD * FROM [lib://d/f.json] (json);\nU: LOAD Count(*) AS n RESIDENT T;", data)
	})
}
