package qix

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/reload/delimited"
)

func TestGuessFormat(t *testing.T) {
	tests := []struct {
		name, head string
		typ        string
		delim      string
		labels     delimited.Labels
		cp         delimited.Codepage
	}{
		{"a.csv", "a,b,c\n1,2,3\n4,5,6\n", "CSV", ",", delimited.LabelsEmbedded, delimited.CodepageUTF8},
		{"a.txt", "1;2\n3;4\n", "CSV", ";", delimited.LabelsNone, delimited.CodepageUTF8},
		{"a.tsv", "x\ty\n\"a,b\"\tc\n", "CSV", "\t", delimited.LabelsEmbedded, delimited.CodepageUTF8},
		{"a.csv", "k|v\n1|2\n", "CSV", "|", delimited.LabelsEmbedded, delimited.CodepageUTF8},
		{"a.csv", "name\nx\n", "CSV", ",", delimited.LabelsEmbedded, delimited.CodepageUTF8},
		{"a.csv", "a,a\n1,2\n", "CSV", ",", delimited.LabelsNone, delimited.CodepageUTF8},
		{"a.csv", "caf\xe9,b\n1,2\n", "CSV", ",", delimited.LabelsEmbedded, delimited.CodepageANSI},
		{"a.csv", "\xEF\xBB\xBFa;b\n1;2\n", "CSV", ";", delimited.LabelsEmbedded, delimited.CodepageUTF8},
		{"a.qvd", "<?xml version=\"1.0\"?>\r\n<QvdTableHeader>", "QVD", "", 0, 0},
		{"a.qvx", "<QvxTableHeader>", "QVX", "", 0, 0},
		{"a.kml", "<?xml?><kml xmlns=''>", "KML", "", 0, 0},
		{"a.htm", "<!DOCTYPE html><html>", "HTML", "", 0, 0},
		{"a.xml", "  <root/>", "XML", "", 0, 0},
		{"a.json", "[1,2]", "JSON", "", 0, 0},
		{"a.xlsx", "PK\x03\x04rest", "EXCEL_OOXML", "", 0, 0},
		{"a.xls", "\xD0\xCF\x11\xE0rest", "EXCEL_BIFF", "", 0, 0},
		{"a.parquet", "PAR1", "PARQUET", "", 0, 0},
		{"a.dif", "TABLE\r\n0,1\r\n", "DIF", "", 0, 0},
	}
	for _, tt := range tests {
		typ, f := guessFormat(tt.name, []byte(tt.head))
		require.Equal(t, tt.typ, typ, "%q", tt.head)
		require.Equal(t, tt.delim, f.Delimiter, "%q", tt.head)
		require.Equal(t, tt.labels, f.Labels, "%q", tt.head)
		require.Equal(t, tt.cp, f.Codepage, "%q", tt.head)
	}
}

// FuzzGuessFormat: any file start gives a type, valid UTF-8 text and a
// format the delimited reader accepts.
func FuzzGuessFormat(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\xFF\xFEa\x00,\x00", "<QvdTableHeader>", "{", "\"a;b\";c\n", "\xEF\xBB"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, head []byte) {
		typ, format := guessFormat("file.csv", head)
		require.NotEmpty(t, typ)
		text, _ := decodeHead(head)
		if !utf8.ValidString(text) {
			_, cp := decodeHead(head)
			require.Equal(t, delimited.CodepageANSI, cp)
		}
		if typ == "CSV" {
			require.NotEmpty(t, format.Delimiter)
			require.NotEmpty(t, formatSpec(typ, &format))
		}
	})
}
