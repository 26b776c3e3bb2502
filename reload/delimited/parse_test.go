package delimited

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// A is shorthand for a row of a test result.
type A = []string

func TestSplit(t *testing.T) {
	msq := Format{}
	std := Format{Quoting: QuoteStandard}
	noq := Format{Quoting: QuoteNone}
	cases := []struct {
		name   string
		in     string
		f      Format
		names  []string
		rows   [][]string
		lines  []int64 // checked when set
		ragged []string
		err    string
	}{
		// Lines and records.
		{name: "basic", in: "a,b,c\n1,2,3\n4,5,6\n", names: A{"a", "b", "c"}, rows: [][]string{{"1", "2", "3"}, {"4", "5", "6"}}, lines: []int64{2, 3}},
		{name: "crlf", in: "a,b\r\n1,2\r\n3,4\r\n", names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "no final newline", in: "a,b\n1,2\n3,4", names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "crlf without final newline", in: "a,b\r\n1,2\r\n3,4\r", names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "empty final line", in: "a\n1\n\n", names: A{"a"}, rows: [][]string{{"1"}}},
		{name: "empty lines skipped", in: "\na,b\n\n1,2\n\r\n\n3,4\n", names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{4, 7}},
		{name: "blank line is a record without trim", in: "a\n1\n  \n2\n", names: A{"a"}, rows: [][]string{{"1"}, {"  "}, {"2"}}},
		{name: "lone CR is data", in: "a,b\nx\ry,2\n", names: A{"a", "b"}, rows: [][]string{{"x\ry", "2"}}},
		{name: "CR before delimiter is data", in: "a,b\nx\r,2\n", names: A{"a", "b"}, rows: [][]string{{"x\r", "2"}}},
		{name: "trailing delimiter", in: "a,b\n1,\n2,", names: A{"a", "b"}, rows: [][]string{{"1", ""}, {"2", ""}}},
		{name: "empty fields", in: "a,b,c\n,,\n", names: A{"a", "b", "c"}, rows: [][]string{{"", "", ""}}},
		{name: "empty input", in: ""},
		{name: "only empty lines", in: "\n\r\n\n"},
		{name: "header only", in: "a,b\n", names: A{"a", "b"}},
		{name: "header only without newline", in: "a,b", names: A{"a", "b"}},
		{name: "nul bytes", in: "a,b\n\x00,x\x00y\n", names: A{"a", "b"}, rows: [][]string{{"\x00", "x\x00y"}}},
		{name: "invalid utf-8 passes through", in: "a\n\xff\xc3(\xed\xa0\x80\n", names: A{"a"}, rows: [][]string{{"\xff\xc3(\xed\xa0\x80"}}},
		{name: "utf-8 bom", in: "\xef\xbb\xbfa;b\r\n1;2\r\n", f: Format{Delimiter: ";"}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},

		// Ragged records.
		{name: "short and long records", in: "a,b,c\n1,2\n1,2,3,4\n5,6,7\n", names: A{"a", "b", "c"},
			rows: [][]string{{"1", "2", absent}, {"1", "2", "3"}, {"5", "6", "7"}}, ragged: A{"1:2", "2:4"}},
		{name: "single field record", in: "a,b\nx\n", names: A{"a", "b"}, rows: [][]string{{"x", absent}}, ragged: A{"1:1"}},

		// Labels.
		{name: "no labels", in: "1,2\n3,4\n", f: Format{Labels: LabelsNone}, names: A{"@1", "@2"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{1, 2}},
		{name: "no labels width from first record", in: "\n1\n2,3\n", f: Format{Labels: LabelsNone}, names: A{"@1"}, rows: [][]string{{"1"}, {"2"}}, ragged: A{"2:2"}},
		{name: "no labels empty", in: "", f: Format{Labels: LabelsNone}},
		{name: "explicit labels read like embedded", in: "a,b\n1,2\n", f: Format{Labels: LabelsExplicit}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "empty labels named by position", in: ",b,\n1,2,3\n", names: A{"@1", "b", "@3"}, rows: [][]string{{"1", "2", "3"}}},
		{name: "quoted labels", in: "\"Obs\",\"A,B\"\n1,2\n", names: A{"Obs", "A,B"}, rows: [][]string{{"1", "2"}}},
		{name: "multi-line label", in: "\"x\ny\",b\n1,2\n", names: A{"x\ny", "b"}, rows: [][]string{{"1", "2"}}, lines: []int64{3}},

		// Delimiters.
		{name: "tab", in: "a\tb\n1\t2\n", f: Format{Delimiter: "\t"}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "semicolon keeps commas", in: "a;b\n1,5;2\n", f: Format{Delimiter: ";"}, names: A{"a", "b"}, rows: [][]string{{"1,5", "2"}}},
		{name: "space", in: "a b\n1  2\n", f: Format{Delimiter: " "}, names: A{"a", "b"}, rows: [][]string{{"1", ""}}, ragged: A{"1:3"}},
		{name: "multi-byte", in: "a||b\n1||2|3\n4|||5\n", f: Format{Delimiter: "||"}, names: A{"a", "b"}, rows: [][]string{{"1", "2|3"}, {"4", "|5"}}},
		{name: "multi-byte at end", in: "a||b\n1||", f: Format{Delimiter: "||"}, names: A{"a", "b"}, rows: [][]string{{"1", ""}}},
		{name: "multi-byte cut at end", in: "a||b\n1|", f: Format{Delimiter: "||"}, names: A{"a", "b"}, rows: [][]string{{"1|", absent}}, ragged: A{"1:1"}},
		{name: "non-ascii", in: "a§b\n1§2\n", f: Format{Delimiter: "§"}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "multi-byte with quotes", in: "a::b\n\"x::y\"::2\n", f: Format{Delimiter: "::"}, names: A{"a", "b"}, rows: [][]string{{"x::y", "2"}}},
		{name: "spaces", in: "  a   b\tc  \n 1  2 3\n\n   \n4\x01\x025 6", f: Format{Spaces: true}, names: A{"a", "b", "c"},
			rows: [][]string{{"1", "2", "3"}, {"4", "5", "6"}}, lines: []int64{2, 5}},
		{name: "spaces crlf", in: "a b \r\n1 2\r\n 3 4 \r\n", f: Format{Spaces: true}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}},
		{name: "spaces quoted", in: "a b\n\"x y\"  2\n", f: Format{Spaces: true}, names: A{"a", "b"}, rows: [][]string{{"x y", "2"}}},

		// MSQ quoting.
		{name: "msq delimiter inside", in: "a,b\n\"x,y\",2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"x,y", "2"}}},
		{name: "msq doubled quotes", in: "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"say \"hi\"", "\""}}},
		{name: "msq empty quoted", in: "a,b\n\"\",\"\"\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"", ""}}},
		{name: "msq multi-line", in: "a,b\n\"l1\nl2\n\",2\n3,4\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"l1\nl2\n", "2"}, {"3", "4"}}, lines: []int64{2, 5}},
		{name: "msq crlf inside kept", in: "a,b\r\n\"l1\r\nl2\",2\r\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"l1\r\nl2", "2"}}},
		{name: "msq blanks around quotes", in: "a,b\n  \"x,y\"  ,2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"x,y", "2"}}},
		{name: "msq blanks kept inside", in: "a,b\n\" x \",2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{" x ", "2"}}},
		{name: "msq quote inside unquoted", in: "a,b\nab\"c,2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"ab\"c", "2"}}},
		{name: "msq lone quote inside quoted", in: "a,b\n\"ab\"c\",2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"ab\"c", "2"}}},
		{name: "msq quoted at eof", in: "a\n\"x\"", f: msq, names: A{"a"}, rows: [][]string{{"x"}}},
		{name: "msq quoted then crlf at eof", in: "a\r\n\"x\"\r", f: msq, names: A{"a"}, rows: [][]string{{"x"}}},
		{name: "msq comment-like line inside quotes", in: "a\n\"x\n#y\"\n", f: Format{Comment: "#"}, names: A{"a"}, rows: [][]string{{"x\n#y"}}},
		{name: "msq unterminated", in: "a,b\n1,2\n3,\"open\n4,5\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"1", "2"}},
			err: "cannot split delimited text input at line 3:3: quoted field is not closed before the end of the input"},
		{name: "msq single quote is data", in: "a,b\n'x,y',2\n", f: msq, names: A{"a", "b"}, rows: [][]string{{"'x", "y'"}}, ragged: A{"1:3"}},

		// Standard quoting.
		{name: "std double", in: "a,b\n\"x,y\",2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"x,y", "2"}}},
		{name: "std single", in: "a,b\n'x,y',2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"x,y", "2"}}},
		{name: "std verbatim inside", in: "a,b\n\"say \"\"hi\"\"\",2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"say \"\"hi\"\"", "2"}}},
		{name: "std blanks", in: "a,b\n  'x' ,2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"x", "2"}}},
		{name: "std not closed on the line", in: "a,b\n\"x,y\n", f: std, names: A{"a", "b"}, rows: [][]string{{"\"x", "y"}}},
		{name: "std never multi-line", in: "a,b\n\"l1\nl2\",2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"\"l1", absent}, {"l2\"", "2"}}, ragged: A{"1:1"}},
		{name: "std quote not last", in: "a,b\n\"ab\"c,2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"\"ab\"c", "2"}}},
		{name: "std quote inside closes later", in: "a,b\n'it's',2\n", f: std, names: A{"a", "b"}, rows: [][]string{{"it's", "2"}}},
		{name: "std crlf", in: "a,b\r\n\"x,y\"\r\n", f: std, names: A{"a", "b"}, rows: [][]string{{"x,y", absent}}, ragged: A{"1:1"}},
		{name: "std at eof", in: "a\n'x'", f: std, names: A{"a"}, rows: [][]string{{"x"}}},

		// No quotes.
		{name: "no quotes", in: "a,b\n\"x,y\",2\n", f: noq, names: A{"a", "b"}, rows: [][]string{{"\"x", "y\""}}, ragged: A{"1:3"}},
		{name: "no quotes newline", in: "a\n\"x\ny\"\n", f: noq, names: A{"a"}, rows: [][]string{{"\"x"}, {"y\""}}},

		// Trim.
		{name: "trim", in: " a , b \n 1 ,\t2\t\n   \n\t\n3,4", f: Format{Trim: true}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}, {"3", "4"}}, lines: []int64{2, 5}},
		{name: "trim keeps quoted blanks", in: "a,b\n \" x \" , y \n", f: Format{Trim: true}, names: A{"a", "b"}, rows: [][]string{{" x ", "y"}}},
		{name: "trim crlf", in: "a,b \r\n1 , 2 \r\n", f: Format{Trim: true}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "trim with tab delimiter", in: "a\tb\n 1 \t\t\n", f: Format{Trim: true, Delimiter: "\t"}, names: A{"a", "b"}, rows: [][]string{{"1", ""}}, ragged: A{"1:3"}},
		{name: "trim no quotes", in: "a\n \"x\" \n", f: Format{Trim: true, Quoting: QuoteNone}, names: A{"a"}, rows: [][]string{{"\"x\""}}},
		{name: "no trim keeps blanks", in: "a , b\n 1 , 2 \n", names: A{"a ", " b"}, rows: [][]string{{" 1 ", " 2 "}}},
		{name: "inline style", in: "\n    Country, Jan, Feb\n    Sweden, 100, 200\n    Norway, 150, \"1,5\"\n", f: Format{Trim: true},
			names: A{"Country", "Jan", "Feb"}, rows: [][]string{{"Sweden", "100", "200"}, {"Norway", "150", "1,5"}}, lines: []int64{3, 4}},

		// Header lines and bytes, comments.
		{name: "header lines", in: "title\n\"unbalanced\nlabel1,label2\n1,2\n", f: Format{HeaderLines: 2}, names: A{"label1", "label2"}, rows: [][]string{{"1", "2"}}, lines: []int64{4}},
		{name: "header lines beyond input", in: "x\ny\n", f: Format{HeaderLines: 5}},
		{name: "header lines with no labels", in: "skip\n1,2\n", f: Format{HeaderLines: 1, Labels: LabelsNone}, names: A{"@1", "@2"}, rows: [][]string{{"1", "2"}}, lines: []int64{2}},
		{name: "header bytes", in: "XYZa,b\n1,2\n", f: Format{HeaderBytes: 3}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "header bytes after bom", in: "\xef\xbb\xbfXYZa,b\n1,2\n", f: Format{HeaderBytes: 3}, names: A{"a", "b"}, rows: [][]string{{"1", "2"}}},
		{name: "comments", in: "# made by x\na,b\n#1,2\n3,4\n# end", f: Format{Comment: "#"}, names: A{"a", "b"}, rows: [][]string{{"3", "4"}}, lines: []int64{4}},
		{name: "comment prefix of several characters", in: "a\n//x\n/y\n", f: Format{Comment: "//"}, names: A{"a"}, rows: [][]string{{"/y"}}},
		{name: "comment not at line start", in: "a,b\n1,#2\n", f: Format{Comment: "#"}, names: A{"a", "b"}, rows: [][]string{{"1", "#2"}}},

		// Ctrl-Z.
		{name: "ctrl-z ends input", in: "a\n1\n2\x1a3\n4\n", names: A{"a"}, rows: [][]string{{"1"}, {"2"}}},
		{name: "ctrl-z inside quotes ends input", in: "a\n\"x\x1ay\"\n", names: A{"a"},
			err: "cannot split delimited text input at line 2:1: quoted field is not closed before the end of the input"},
		{name: "no eof", in: "a\n1\n2\x1a3\n4\n", f: Format{NoEOF: true}, names: A{"a"}, rows: [][]string{{"1"}, {"2\x1a3"}, {"4"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := readAll(t, c.in, c.f, allConfigs, Options{})
			require.Equal(t, c.err, got.Err)
			require.Equal(t, c.names, got.Names)
			require.Equal(t, c.rows, got.Rows)
			require.Equal(t, c.ragged, got.Ragged)
			if c.lines != nil {
				require.Equal(t, c.lines, got.Lines)
			}
		})
	}
}

func TestRecordTooLarge(t *testing.T) {
	cases := []struct {
		name string
		in   string
		f    Format
		rows int
		err  string
	}{
		{name: "fits", in: "a\n012345678\n", rows: 1},
		{name: "record", in: "a\n1\n0123456789\n2\n", rows: 1, err: "line 3:1"},
		{name: "last record", in: "a\n1\n01234567890", rows: 1, err: "line 3:1"},
		{name: "labels", in: "0123456789abc\n1\n", err: "line 1:1"},
		{name: "open quote", in: "a\n1\n\"0123\n45678\n", rows: 1, err: "line 3:1"},
		{name: "open quote at end", in: "a\n1\n\"0123\n45678", rows: 1, err: "line 3:1"},
		{name: "comment line", in: "a\n1\n#0123456789\n2\n", f: Format{Comment: "#"}, rows: 1, err: "line 3:1"},
		{name: "header line", in: "0123456789012\na\n1\n", f: Format{HeaderLines: 1}, err: "line 1:1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := readAll(t, c.in, c.f, allConfigs, Options{MaxRecordBytes: 10})
			require.Len(t, got.Rows, c.rows)
			if c.err == "" {
				require.Empty(t, got.Err)
				return
			}
			require.Contains(t, got.Err, c.err)
			require.Contains(t, got.Err, "record is longer than the maximum record size")
		})
	}
}

func TestParseErrorType(t *testing.T) {
	r, err := NewReader(strings.NewReader("a,b\n1,2\n3,\"x\n"), Format{}, Options{Source: "data.csv"})
	require.NoError(t, err)
	b, err := r.Next()
	require.NoError(t, err)
	require.Equal(t, 1, b.Len())
	_, err = r.Next()
	var pe *ParseError
	require.ErrorAs(t, err, &pe)
	require.ErrorIs(t, err, ErrUnterminatedQuote)
	require.Equal(t, ParseError{Source: "data.csv", Line: 3, Column: 3, Err: ErrUnterminatedQuote}, *pe)
	require.Equal(t, "cannot split delimited text data.csv at line 3:3: quoted field is not closed before the end of the input", err.Error())

	// Columns count characters, not bytes.
	_, err = NewReader(strings.NewReader("a,b\nåäö,\"x"), Format{}, Options{})
	require.NoError(t, err)
	got := read(t, "a,b\nåäö,\"x", Format{}, Options{}, false)
	require.Contains(t, got.Err, "line 2:5:")
}

func TestInvalidFormat(t *testing.T) {
	cases := []struct {
		name string
		f    Format
		o    Options
		err  string
	}{
		{name: "newline delimiter", f: Format{Delimiter: "\n"}, err: "contains a line break"},
		{name: "cr in delimiter", f: Format{Delimiter: "a\rb"}, err: "contains a line break"},
		{name: "quote delimiter msq", f: Format{Delimiter: "\""}, err: "quote character"},
		{name: "single quote delimiter standard", f: Format{Delimiter: "'", Quoting: QuoteStandard}, err: "quote character"},
		{name: "spaces and delimiter", f: Format{Delimiter: ",", Spaces: true}, err: "both set"},
		{name: "quoting", f: Format{Quoting: 7}, err: "unknown quoting"},
		{name: "labels", f: Format{Labels: 9}, err: "unknown labels"},
		{name: "header", f: Format{HeaderLines: -1}, err: "negative header"},
		{name: "comment", f: Format{Comment: "#\n"}, err: "line break"},
		{name: "codepage", f: Format{Codepage: 932}, err: "code page 932 is not supported"},
		{name: "options", o: Options{Workers: -1}, err: "negative option"},
		{name: "max record", o: Options{MaxRecordBytes: 2 << 30}, err: "must not exceed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader("a\n"), c.f, c.o)
			require.ErrorIs(t, err, ErrFormat)
			require.ErrorContains(t, err, c.err)
		})
	}
	// A quote delimiter is fine without quoting.
	got := read(t, "a\"b\n1\"2\n", Format{Delimiter: "\"", Quoting: QuoteNone}, Options{}, false)
	require.Equal(t, [][]string{{"1", "2"}}, got.Rows)
}

func TestDelimiterSpec(t *testing.T) {
	for _, c := range []struct {
		arg    string
		delim  string
		spaces bool
		err    bool
	}{
		{`\t`, "\t", false, false}, {"TAB", "\t", false, false}, {`\\`, `\`, false, false},
		{"spaces", "", true, false}, {"Spaces", "", true, false}, {";", ";", false, false},
		{"||", "||", false, false}, {"", "", false, true},
	} {
		d, s, err := DelimiterSpec(c.arg)
		if c.err {
			require.ErrorIs(t, err, ErrFormat)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, c.delim, d, c.arg)
		require.Equal(t, c.spaces, s, c.arg)
	}
}

func TestStrings(t *testing.T) {
	require.Equal(t, "msq", QuoteMSQ.String())
	require.Equal(t, "standard quotes", QuoteStandard.String())
	require.Equal(t, "no quotes", QuoteNone.String())
	require.Equal(t, "Quoting(9)", Quoting(9).String())
	require.Equal(t, "embedded labels", LabelsEmbedded.String())
	require.Equal(t, "explicit labels", LabelsExplicit.String())
	require.Equal(t, "no labels", LabelsNone.String())
	require.Equal(t, "Labels(7)", Labels(7).String())
	require.True(t, errors.Is(&ParseError{Err: ErrRecordTooLarge}, ErrRecordTooLarge))
	require.Equal(t, "cannot split delimited text input at line 1:2: x", (&ParseError{Line: 1, Column: 2, Err: errors.New("x")}).Error())
}
