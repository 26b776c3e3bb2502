package reload

import (
	"encoding/base64"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/stretchr/testify/require"
)

// schemaFieldsAt returns the position of the length of the fields vector
// of the Schema table at the root of a flatbuffer (a Footer's field 1, or
// a Message's header, field 2).
func schemaFieldsAt(t *testing.T, b []byte, schemaField int) int {
	t.Helper()
	c := &fbCheck{b: b, budget: 1 << 16}
	root, err := c.ref(0)
	require.NoError(t, err)
	top, err := c.table(root)
	require.NoError(t, err)
	sc, ok, err := c.sub(top, schemaField)
	require.NoError(t, err)
	require.True(t, ok)
	p, ok, err := c.field(sc, 1, 4)
	require.NoError(t, err)
	require.True(t, ok)
	q, err := c.ref(p)
	require.NoError(t, err)
	return q
}

// TestArrowMetadataChecks: a vector length that does not fit in the
// metadata — which would make Arrow's reader allocate hundreds of
// gigabytes — is refused, in an IPC file's footer, in an IPC stream's
// schema message, and in the Arrow schema stored in a Parquet file.
func TestArrowMetadataChecks(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "data", "orders.arrow"))
	require.NoError(t, err)
	require.NoError(t, checkIPCFile(bytesReaderAt(data), int64(len(data))))
	flen := int(binary.LittleEndian.Uint32(data[len(data)-10:]))
	footer := len(data) - 10 - flen
	at := footer + schemaFieldsAt(t, data[footer:len(data)-10], 1)
	bad := append([]byte(nil), data...)
	binary.LittleEndian.PutUint32(bad[at:], 0x7fffffff)
	require.ErrorContains(t, checkIPCFile(bytesReaderAt(bad), int64(len(bad))), "does not fit in the metadata")
	require.ErrorIs(t, checkIPCFile(bytesReaderAt(bad), int64(len(bad))), errCorruptArrow)

	stream, err := os.ReadFile(filepath.Join("testdata", "data", "orders.arrows"))
	require.NoError(t, err)
	require.NoError(t, checkIPCStream(bytesReaderAt(stream), int64(len(stream))))
	at = 8 + schemaFieldsAt(t, stream[8:], 2)
	bad = append([]byte(nil), stream...)
	binary.LittleEndian.PutUint32(bad[at:], 0x40000000)
	require.ErrorIs(t, checkIPCStream(bytesReaderAt(bad), int64(len(bad))), errCorruptArrow)
	// A message longer than the file.
	bad = append([]byte(nil), stream...)
	binary.LittleEndian.PutUint32(bad[4:], 0x7ffffff0)
	require.ErrorContains(t, checkIPCStream(bytesReaderAt(bad), int64(len(bad))), "where")

	r, err := file.OpenParquetFile(filepath.Join("testdata", "data", "orders.parquet"), false)
	require.NoError(t, err)
	defer r.Close()
	v := r.MetaData().KeyValueMetadata().FindValue("ARROW:schema")
	require.NotNil(t, v)
	require.NoError(t, checkStoredSchema(*v))
	dec, err := base64.StdEncoding.DecodeString(*v)
	require.NoError(t, err)
	at = 8 + schemaFieldsAt(t, dec[8:], 2)
	binary.LittleEndian.PutUint32(dec[at:], 0x20000000)
	require.ErrorIs(t, checkStoredSchema(base64.StdEncoding.EncodeToString(dec)), errCorruptArrow)
	require.ErrorIs(t, checkStoredSchema("not base64!"), errCorruptArrow)
}

// TestParquetCorruptStoredSchema: a Parquet file whose stored Arrow schema
// is corrupt loads with the Parquet types and a warning.
func TestParquetCorruptStoredSchema(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("testdata", "data", "orders.parquet"))
	require.NoError(t, err)
	r, err := file.OpenParquetFile(filepath.Join("testdata", "data", "orders.parquet"), false)
	require.NoError(t, err)
	v := *r.MetaData().KeyValueMetadata().FindValue("ARROW:schema")
	r.Close()
	dec, err := base64.StdEncoding.DecodeString(v)
	require.NoError(t, err)
	at := 8 + schemaFieldsAt(t, dec[8:], 2)
	binary.LittleEndian.PutUint32(dec[at:], 0x20000000)
	bad := base64.StdEncoding.EncodeToString(dec)
	require.Len(t, bad, len(v))
	i := indexOf(data, []byte(v))
	require.Positive(t, i)
	copy(data[i:], bad)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "o.parquet"), data, 0o644))
	res, err := runIn(t, dir, "O: LOAD * FROM [lib://d/o.parquet];")
	require.NoError(t, err)
	require.Len(t, res.Warnings, 1)
	require.Contains(t, res.Warnings[0], "the Arrow schema stored in the file is ignored")
	// Without the stored schema the region dictionary is a plain string
	// and the timestamps keep Parquet's UTC: the same values.
	require.Equal(t, []string{"North", "West", "East", "South"}, firstSymbols(t, res.Model, "Region", 4))
	require.Len(t, fieldCells(t, res.Model, "O", "OrderId"), 60)
}

func indexOf(b, sub []byte) int {
	for i := 0; i+len(sub) <= len(b); i++ {
		if string(b[i:i+len(sub)]) == string(sub) {
			return i
		}
	}
	return -1
}
