package qvd

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

func TestParseHeaderQlikFiles(t *testing.T) {
	h, err := ParseHeader(readTestdata(t, "AAPL.qvd"))
	require.NoError(t, err)
	require.Equal(t, "Stock", h.TableName)
	require.Equal(t, "50640", h.QvBuildNo)
	require.Equal(t, 2746, h.NoOfRecords)
	require.Equal(t, 10, h.RecordByteSize)
	require.Equal(t, 385027, h.Offset)
	require.Equal(t, 27460, h.Length)
	require.Equal(t, 5815, h.DataStart)
	ct, err := h.CreateTime()
	require.NoError(t, err)
	require.Equal(t, time.Date(2020, 12, 15, 15, 39, 12, 0, time.UTC), ct)
	names := make([]string, len(h.Fields))
	for i, f := range h.Fields {
		names[i] = f.Name
	}
	require.Equal(t, []string{"Date", "Open", "High", "Low", "Close", "Volume", "Dividends", "Stock Splits"}, names)
	require.Equal(t, FieldHeader{
		Name: "Date", BitOffset: 0, BitWidth: 12, Bias: 0,
		NumberFormat: NumberFormat{Type: "UNKNOWN"},
		NoOfSymbols:  2746, Offset: 0, Length: 43936, Comment: "",
		Tags: []string{"$numeric", "$integer", "$timestamp", "$date"},
	}, h.Fields[0])
	require.Equal(t, 76, h.Fields[7].BitOffset)
	require.Equal(t, 7, h.FieldIndex("Stock Splits"))
	require.Equal(t, -1, h.FieldIndex("nope"))
	require.Contains(t, h.Lineage, "<Discriminator>{STORE - [lib://Shared (ruffer_ccleaver)/IT/Sam/AAPL.qvd] (qvd)};</Discriminator>")
	require.True(t, strings.HasPrefix(h.Lineage, "\r\n     <LineageInfo>"), "lineage is raw, line ends included")

	h, err = ParseHeader(readTestdata(t, "test_qvd_null.qvd"))
	require.NoError(t, err)
	require.Equal(t, -2, h.Fields[2].Bias)
	require.Equal(t, "all Null", h.Fields[3].Name)
	require.Equal(t, 0, h.Fields[3].NoOfSymbols)
	require.Equal(t, []string{}, h.Fields[3].Tags)
}

func TestReadHeaderStopsAtTerminator(t *testing.T) {
	data := readTestdata(t, "test_qvd.qvd")
	h0, err := ParseHeader(data)
	require.NoError(t, err)
	// The reader fails if anything past the header is read.
	r := io.MultiReader(bytes.NewReader(data[:h0.DataStart]), failingReader{})
	h, err := ReadHeader(r)
	require.NoError(t, err)
	require.Equal(t, h0, h)

	// Byte by byte, too.
	h, err = ReadHeader(&oneByteReader{data: data[:h0.DataStart]})
	require.NoError(t, err)
	require.Equal(t, h0, h)

	h, err = ReadHeaderFile("testdata/test_qvd.qvd")
	require.NoError(t, err)
	require.Equal(t, h0, h)
	require.Equal(t, 12, h.NoOfRecords)
	require.Equal(t, "TEST.big", h.Fields[3].Name)

	_, err = ReadHeaderFile("testdata/missing.qvd")
	require.ErrorIs(t, err, os.ErrNotExist)
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("read past the header") }

type oneByteReader struct{ data []byte }

func (r *oneByteReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	p[0] = r.data[0]
	r.data = r.data[1:]
	return 1, nil
}

// minimalHeader is a valid header with one width-0 field and no data.
const minimalHeader = `<QvdTableHeader><TableName>T</TableName><Fields><QvdFieldHeader><FieldName>A</FieldName>` +
	`<BitOffset>0</BitOffset><BitWidth>0</BitWidth><Bias>0</Bias><NoOfSymbols>0</NoOfSymbols><Offset>0</Offset><Length>0</Length>` +
	`</QvdFieldHeader></Fields><RecordByteSize>0</RecordByteSize><NoOfRecords>0</NoOfRecords><Offset>0</Offset><Length>0</Length></QvdTableHeader>`

func TestParseHeaderTolerance(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{"minimal", minimalHeader + "\r\n\x00"},
		{"LF terminator", minimalHeader + "\n\x00"},
		{"declaration and BOM", "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n" + minimalHeader + "\r\n\x00"},
		{"lower-case encoding", "<?xml version=\"1.0\" encoding=\"utf-8\"?>" + minimalHeader + "\r\n\x00"},
		{"unknown elements and comments", strings.Replace(minimalHeader, "<TableName>",
			"<!-- note --><Future><Nested a=\"1\"><X/></Nested></Future><ProfilingData><A>1</A></ProfilingData><TableName>", 1) + "\r\n\x00"},
		{"unknown field element", strings.Replace(minimalHeader, "<FieldName>", "<Extra>x</Extra><FieldName>", 1) + "\r\n\x00"},
		{"reordered", `<QvdTableHeader><Length>0</Length><Offset>0</Offset><NoOfRecords>0</NoOfRecords><RecordByteSize>0</RecordByteSize>` +
			`<Fields><QvdFieldHeader><Length>0</Length><Offset>0</Offset><NoOfSymbols>0</NoOfSymbols><BitWidth>0</BitWidth><BitOffset>0</BitOffset>` +
			`<FieldName>A</FieldName></QvdFieldHeader></Fields><TableName>T</TableName></QvdTableHeader>` + "\r\n\x00"},
		{"spaces around numbers", strings.Replace(minimalHeader, "<NoOfRecords>0<", "<NoOfRecords> 0 <", 1) + "\r\n\x00"},
		{"missing optional Length", strings.Replace(minimalHeader, "<Length>0</Length></QvdTableHeader>", "</QvdTableHeader>", 1) + "\r\n\x00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, err := ParseHeader([]byte(tc.data))
			require.NoError(t, err)
			require.Equal(t, "T", h.TableName)
			require.Len(t, h.Fields, 1)
			require.Equal(t, "A", h.Fields[0].Name)
			require.Equal(t, len(tc.data), h.DataStart)
			tb, err := Decode([]byte(tc.data), Options{})
			require.NoError(t, err)
			require.Equal(t, 0, tb.Records)
		})
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", "", "header terminator"},
		{"no terminator", minimalHeader, "header terminator"},
		{"NUL inside", "<QvdTableHeader>\x00</QvdTableHeader>\r\n\x00", "NUL byte inside the XML header"},
		{"not XML", "hello\r\n\x00", "invalid QVD header at line 1:"},
		{"wrong root", "<Table></Table>\r\n\x00", "root element is not <QvdTableHeader>"},
		{"unclosed", "<QvdTableHeader>\r\n  <TableName>T</TableName>\r\n\x00", "line 2:27: unexpected end of header (an element is not closed)"},
		{"mismatched tag", "<QvdTableHeader>\n<TableName>T</Table>\n</QvdTableHeader>\r\n\x00", "invalid QVD header at line 2:"},
		{"not an integer", strings.Replace(minimalHeader, "<NoOfRecords>0<", "<NoOfRecords>many<", 1) + "\r\n\x00", `<NoOfRecords> "many" is not an integer`},
		{"negative count", strings.Replace(minimalHeader, "<BitWidth>0<", "<BitWidth>-3<", 1) + "\r\n\x00", "<BitWidth> is negative (-3)"},
		{"overflowing integer", strings.Replace(minimalHeader, "<NoOfRecords>0<", "<NoOfRecords>99999999999999999999<", 1) + "\r\n\x00", "is not an integer"},
		{"missing NoOfRecords", strings.Replace(minimalHeader, "<NoOfRecords>0</NoOfRecords>", "", 1) + "\r\n\x00", "has no <NoOfRecords>"},
		{"field without name", strings.Replace(minimalHeader, "<FieldName>A</FieldName>", "", 1) + "\r\n\x00", `field 1 ("") has no <FieldName>`},
		{"field without width", strings.Replace(minimalHeader, "<BitWidth>0</BitWidth>", "", 1) + "\r\n\x00", `field 1 ("A") has no <BitWidth>`},
		{"element in leaf", strings.Replace(minimalHeader, "<TableName>T<", "<TableName>T<b>x</b><", 1) + "\r\n\x00", "unexpected element <b> inside <TableName>"},
		{"text between elements", strings.Replace(minimalHeader, "<Fields>", "junk<Fields>", 1) + "\r\n\x00", `unexpected text "junk"`},
		{"other encoding", "<?xml version=\"1.0\" encoding=\"windows-1252\"?>" + minimalHeader + "\r\n\x00", `unsupported header encoding "windows-1252"`},
		{"compressed", strings.Replace(minimalHeader, "<TableName>", "<Compression>zlib</Compression><TableName>", 1) + "\r\n\x00", "unsupported <Compression>"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseHeader([]byte(tc.data))
			require.Error(t, err)
			require.ErrorIs(t, err, ErrFormat)
			require.Contains(t, err.Error(), tc.want)
			_, err = Decode([]byte(tc.data), Options{})
			require.ErrorIs(t, err, ErrFormat)
		})
	}
}

func TestCreateTime(t *testing.T) {
	for _, s := range []string{"2024-01-01 12:00:00", "2024-01-01T12:00:00", " 2024-01-01 12:00:00.000 "} {
		ct, err := (&Header{CreateUtcTime: s}).CreateTime()
		require.NoError(t, err, s)
		require.Equal(t, time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC), ct)
	}
	_, err := (&Header{CreateUtcTime: "yesterday"}).CreateTime()
	require.ErrorContains(t, err, `cannot parse QVD CreateUtcTime "yesterday"`)
}
