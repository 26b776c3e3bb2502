package qix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/assocengine/assoc/reload/delimited"
	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/symbols"
)

// The data load editor's file browser over folder connections:
// GetFolderItemsForConnection, GuessFileType, GetFileTables,
// GetFileTablesEx, GetFileTableFields, GetFileTablePreview and
// GetIncludeFileContent.
//
// A connection is named by its id (or, as in lib:// paths, by its name).
// A path is relative to the connection's folder ('/' or '\' separated; a
// leading separator is ignored). Every path is resolved — "..", symbolic
// links — and must stay inside the folder the connection names, itself
// re-checked against Options.AllowDirs on every call, as reloads do; a path
// that leaves it answers error 5 (access denied), a missing one error 4.
// Only folder connections exist, so only they are browsed.
//
// Delimited text files (FileType CSV) are read with reload/delimited and
// QVD files with reload/qvd; the other file types answer error 20 (not
// implemented). Both are single-table formats: the table is named after
// the file (without its extension) for text and after the QVD header's
// table name for QVD, and qTable is not needed. A FileDataFormat without a
// delimiter gets the one GuessFileType finds. GetFileTablePreview returns
// the field names then up to previewRows records.

func init() {
	register("Doc", map[string]handler{
		"GetFolderItemsForConnection": docGetFolderItemsForConnection,
		"GuessFileType":               docGuessFileType,
		"GetFileTables":               docGetFileTables,
		"GetFileTablesEx":             docGetFileTablesEx,
		"GetFileTableFields":          docGetFileTableFields,
		"GetFileTablePreview":         docGetFileTablePreview,
		"GetIncludeFileContent":       docGetIncludeFileContent,
	})
}

const (
	// previewRows is the number of data records GetFileTablePreview shows.
	previewRows = 10
	// sniffBytes is how much of a file GuessFileType reads.
	sniffBytes = 64 << 10
	// maxQVDPreviewBytes bounds the QVD files a preview decodes whole.
	maxQVDPreviewBytes = 512 << 20
	// maxIncludeBytes bounds GetIncludeFileContent.
	maxIncludeBytes = 16 << 20
)

// folderRoot returns the checked folder of the app's connection with this
// id (or, failing that, name).
func (c *call) folderRoot(id string) (Connection, string, error) {
	a := c.h.app
	a.mu.RLock()
	i := slices.IndexFunc(a.conns, func(x Connection) bool { return x.ID == id })
	if i < 0 {
		i = slices.IndexFunc(a.conns, func(x Connection) bool { return strings.EqualFold(x.Name, id) })
	}
	var cn Connection
	if i >= 0 {
		cn = a.conns[i]
	}
	a.mu.RUnlock()
	if i < 0 {
		return cn, "", qerr(errConnNotFound, "%s", id)
	}
	if cn.Path == "" {
		return cn, "", qerr(errNotImplemented, "connection %q is not a folder connection", cn.Name)
	}
	// Re-check: a symbolic link inside an allowed root may have moved.
	root, err := c.e.checkFolder(cn.Path)
	if err != nil {
		return cn, "", err
	}
	return cn, root, nil
}

// inFolder resolves rel inside root (both forms of separator accepted) and
// checks that the result, symbolic links followed, stays inside root.
func inFolder(root, rel, connName string) (string, error) {
	clean := strings.TrimLeft(strings.ReplaceAll(rel, `\`, "/"), "/")
	p := filepath.Join(root, filepath.FromSlash(clean))
	if !within(root, p) {
		return "", qerr(errAccessDenied, "path %q leaves the folder of connection %q", rel, connName)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", qerr(errInvalidPath, "connection %q has no file or folder %q", connName, rel)
		}
		return "", qerr(errInvalidPath, "connection %q cannot resolve %q", connName, rel)
	}
	if !within(root, real) {
		return "", qerr(errAccessDenied, "path %q leads outside the folder of connection %q", rel, connName)
	}
	return real, nil
}

// connectionPath resolves qConnectionId and qRelativePath; it returns the
// connection, its checked folder and the path ("" after a parameter
// error).
func (c *call) connectionPath() (Connection, string, string, error) {
	id := c.str("qConnectionId")
	rel := c.str("qRelativePath")
	if c.bad() {
		return Connection{}, "", "", nil
	}
	cn, root, err := c.folderRoot(id)
	if err != nil {
		return cn, "", "", err
	}
	p, err := inFolder(root, rel, cn.Name)
	return cn, root, p, err
}

// connectionFile is connectionPath for a regular file.
func (c *call) connectionFile() (Connection, string, error) {
	cn, _, p, err := c.connectionPath()
	if err != nil || p == "" {
		return cn, p, err
	}
	st, err := os.Stat(p)
	if err != nil {
		return cn, "", qerr(errInvalidPath, "cannot read %q of connection %q", c.str("qRelativePath"), cn.Name)
	}
	if !st.Mode().IsRegular() {
		return cn, "", qerr(errInvalidPath, "%q of connection %q is not a file", c.str("qRelativePath"), cn.Name)
	}
	return cn, p, nil
}

// folderItems lists a directory as FolderItem entries, sorted by name. An
// entry that is a symbolic link counts as the file or folder it leads to
// when that lies inside one of the roots, as OTHER otherwise.
func folderItems(dir string, roots []string) ([]any, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, qerr(errInvalidPath, "cannot list %q", filepath.Base(dir))
	}
	out := make([]any, 0, len(entries))
	for _, e := range entries {
		typ := "OTHER"
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			if real, err := filepath.EvalSymlinks(filepath.Join(dir, e.Name())); err == nil &&
				slices.ContainsFunc(roots, func(r string) bool { return within(r, real) }) {
				if st, err := os.Stat(real); err == nil {
					mode = st.Mode().Type()
				}
			}
		}
		switch {
		case mode.IsDir():
			typ = "FOLDER"
		case mode.IsRegular():
			typ = "FILE"
		}
		out = append(out, newObj(2).Set("qName", e.Name()).Set("qType", typ))
	}
	return out, nil
}

func docGetFolderItemsForConnection(c *call) error {
	cn, root, p, err := c.connectionPath()
	if err != nil || p == "" {
		return err
	}
	st, err := os.Stat(p)
	if err != nil {
		return qerr(errInvalidPath, "cannot read %q of connection %q", c.str("qRelativePath"), cn.Name)
	}
	if !st.IsDir() {
		return qerr(errInvalidPath, "%q of connection %q is not a folder", c.str("qRelativePath"), cn.Name)
	}
	items, err := folderItems(p, []string{root})
	if err != nil {
		return err
	}
	c.out("qFolderItems", items)
	return nil
}

// fileFormat is a parsed FileDataFormat.
type fileFormat struct {
	typ     string // FileType short name
	text    delimited.Format
	delimOK bool // a delimiter was given
}

// parseFileFormat reads a FileDataFormat parameter.
func parseFileFormat(o *jsonObject) (*fileFormat, *Error) {
	ff := &fileFormat{typ: "CSV"}
	if v, ok := o.Get("qType"); ok && v != nil {
		t, ok := schema.enum("FileType").parse(v)
		if !ok {
			return nil, qerr(errInvalidParams, "qDataFormat.qType must be a FileType, not %s", jsonKind(v))
		}
		ff.typ = t
	}
	f := &ff.text
	switch strings.ToLower(strings.TrimSpace(o.str("qLabel"))) {
	case "", "embedded labels", "embedded":
		f.Labels = delimited.LabelsEmbedded
	case "no labels", "none", "no":
		f.Labels = delimited.LabelsNone
	case "explicit labels", "explicit":
		f.Labels = delimited.LabelsExplicit
	default:
		return nil, qerr(errInvalidParams, "qDataFormat.qLabel %q must be embedded labels, explicit labels or no labels", o.str("qLabel"))
	}
	switch strings.ToLower(strings.TrimSpace(o.str("qQuote"))) {
	case "", "msq":
		f.Quoting = delimited.QuoteMSQ
	case "none", "no quotes":
		f.Quoting = delimited.QuoteNone
	case "standard":
		f.Quoting = delimited.QuoteStandard
	default:
		return nil, qerr(errInvalidParams, "qDataFormat.qQuote %q must be MSQ, standard or none", o.str("qQuote"))
	}
	f.Comment = o.str("qComment")
	f.NoEOF = o.boolean("qIgnoreEOF")
	if n := o.integer("qHeaderSize", 0); n < 0 {
		return nil, qerr(errInvalidParams, "qDataFormat.qHeaderSize %d is negative", n)
	} else {
		f.HeaderLines = n
	}
	if cp := o.integer("qCodePage", 0); cp != 0 {
		if !delimited.Codepage(cp).Supported() {
			return nil, qerr(errInvalidParams, "qDataFormat.qCodePage %d is not a supported code page", cp)
		}
		f.Codepage = delimited.Codepage(cp)
	}
	if d := o.obj("qDelimiter"); d != nil {
		code := strings.TrimSpace(d.str("qScriptCode"))
		switch {
		case d.boolean("qIsMultiple"):
			f.Spaces = true
			ff.delimOK = true
		case code != "":
			arg := code
			if len(arg) >= 2 && arg[0] == '\'' && arg[len(arg)-1] == '\'' {
				arg = strings.ReplaceAll(arg[1:len(arg)-1], "''", "'")
			}
			delim, spaces, err := delimited.DelimiterSpec(arg)
			if err != nil {
				return nil, qerr(errInvalidParams, "qDataFormat.qDelimiter.qScriptCode %q: %v", code, err)
			}
			f.Delimiter, f.Spaces = delim, spaces
			ff.delimOK = true
		case d.integer("qNumber", 0) > 0:
			n := d.integer("qNumber", 0)
			if n == '\r' || n == '\n' || !utf8.ValidRune(rune(n)) {
				return nil, qerr(errInvalidParams, "qDataFormat.qDelimiter.qNumber %d is not a delimiter", n)
			}
			f.Delimiter = string(rune(n))
			ff.delimOK = true
		}
	}
	return ff, nil
}

// fileFormatParam reads qDataFormat and refuses the file types the
// browser cannot read.
func (c *call) fileFormatParam() (*fileFormat, error) {
	o := c.obj("qDataFormat")
	if c.bad() {
		return nil, nil
	}
	ff, qe := parseFileFormat(o)
	if qe != nil {
		return nil, qe
	}
	if ff.typ != "CSV" && ff.typ != "QVD" {
		return nil, qerr(errNotImplemented, "file type %s cannot be read here, only CSV (delimited text) and QVD", ff.typ)
	}
	return ff, nil
}

// sniff reads the start of a file.
func sniff(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, qerr(errInvalidPath, "cannot open %s", filepath.Base(path))
	}
	defer f.Close()
	buf := make([]byte, sniffBytes)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, qerr(errInvalidPath, "cannot read %s", filepath.Base(path))
	}
	return buf[:n], nil
}

// delimiterNames are the names and script codes of the common delimiters.
var delimiterNames = map[string][2]string{
	",":  {"Comma", "','"},
	";":  {"Semicolon", "';'"},
	"\t": {"Tab", `'\t'`},
	"|":  {"Vertical bar", "'|'"},
	" ":  {"Space", "' '"},
}

// delimiterInfo is the DelimiterInfo of a delimiter.
func delimiterInfo(f *delimited.Format) *jsonObject {
	o := newObj(4)
	switch {
	case f.Spaces:
		o.Set("qName", "Spaces").Set("qScriptCode", "spaces").Set("qNumber", 32).Set("qIsMultiple", true)
	case f.Delimiter == "":
		o.Set("qName", "").Set("qScriptCode", "").Set("qNumber", 0)
	default:
		r, _ := utf8.DecodeRuneInString(f.Delimiter)
		name, code := "Custom", "'"+strings.ReplaceAll(f.Delimiter, "'", "''")+"'"
		if nc, ok := delimiterNames[f.Delimiter]; ok {
			name, code = nc[0], nc[1]
		}
		o.Set("qName", name).Set("qScriptCode", code).Set("qNumber", int(r))
	}
	return o
}

// fileDataFormat renders a FileDataFormat.
func fileDataFormat(typ string, f *delimited.Format) *jsonObject {
	o := newObj(11)
	o.Set("qType", typ)
	labels := "embedded labels"
	switch f.Labels {
	case delimited.LabelsNone:
		labels = "no labels"
	case delimited.LabelsExplicit:
		labels = "explicit labels"
	}
	quote := ""
	if typ == "CSV" {
		switch f.Quoting {
		case delimited.QuoteMSQ:
			quote = "msq"
		case delimited.QuoteStandard:
			quote = "standard"
		case delimited.QuoteNone:
			quote = "none"
		}
	}
	o.Set("qLabel", labels)
	o.Set("qQuote", quote)
	o.Set("qComment", f.Comment)
	o.Set("qDelimiter", delimiterInfo(f))
	o.Set("qCodePage", int(f.Codepage))
	o.Set("qHeaderSize", f.HeaderLines)
	o.Set("qRecordSize", 0)
	o.Set("qTabSize", 0)
	if f.NoEOF {
		o.Set("qIgnoreEOF", true)
	}
	o.Set("qFixedWidthDelimiters", "")
	return o
}

// guessFormat finds a file's type from its first bytes and name and, for
// text, its code page, delimiter and labels.
func guessFormat(name string, head []byte) (string, delimited.Format) {
	ext := strings.ToLower(filepath.Ext(name))
	var f delimited.Format
	switch {
	case bytes.HasPrefix(head, []byte("PAR1")):
		return "PARQUET", f
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "EXCEL_OOXML", f
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return "EXCEL_BIFF", f
	}
	text, cp := decodeHead(head)
	trimmed := strings.TrimLeft(text, " \t\r\n")
	lower := strings.ToLower(trimmed[:min(len(trimmed), 4096)])
	switch {
	case strings.HasPrefix(lower, "<"):
		switch {
		case strings.Contains(lower, "<qvdtableheader"):
			return "QVD", f
		case strings.Contains(lower, "<qvxtableheader"):
			return "QVX", f
		case strings.Contains(lower, "<kml"):
			return "KML", f
		case strings.Contains(lower, "<html"), strings.HasPrefix(lower, "<!doctype html"), strings.HasPrefix(lower, "<table"):
			return "HTML", f
		}
		return "XML", f
	case strings.HasPrefix(trimmed, "{"), strings.HasPrefix(trimmed, "["):
		return "JSON", f
	case ext == ".dif" && strings.HasPrefix(trimmed, "TABLE"):
		return "DIF", f
	}
	f.Codepage = cp
	lines := sampleLines(text)
	f.Delimiter = guessDelimiter(lines)
	if f.Delimiter == "" {
		f.Delimiter = ","
	}
	f.Labels = guessLabels(lines, f.Delimiter)
	return "CSV", f
}

// decodeHead turns the start of a text file into UTF-8 and tells its code
// page: UTF-16 by byte order mark, UTF-8 when valid, else Windows-1252.
func decodeHead(b []byte) (string, delimited.Codepage) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}), bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		le := b[0] == 0xFF
		b = b[2:]
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			if le {
				u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
			} else {
				u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
			}
		}
		cp := delimited.CodepageUTF16LE
		if !le {
			cp = delimited.CodepageUTF16BE
		}
		return string(utf16.Decode(u)), cp
	case bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")):
		return string(b[3:]), delimited.CodepageUTF8
	}
	// The sample may end inside a character.
	valid := b
	for i := 0; i < 4 && len(valid) > 0 && !utf8.Valid(valid); i++ {
		valid = valid[:len(valid)-1]
	}
	if utf8.Valid(valid) {
		return string(valid), delimited.CodepageUTF8
	}
	return string(b), delimited.CodepageANSI
}

// sampleLines are up to 20 complete, non-empty lines of a text sample.
func sampleLines(text string) []string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	if len(lines) > 1 {
		lines = lines[:len(lines)-1] // the last may be cut
	}
	var out []string
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
		if len(out) == 20 {
			break
		}
	}
	return out
}

// guessDelimiter picks the delimiter that occurs the same number of times,
// outside double quotes, on the most lines (more occurrences break ties).
func guessDelimiter(lines []string) string {
	best, bestLines, bestCount := "", 0, 0
	for _, d := range []string{",", ";", "\t", "|"} {
		counts := make([]int, len(lines))
		for i, l := range lines {
			counts[i] = countOutsideQuotes(l, d[0])
		}
		if len(counts) == 0 || counts[0] == 0 {
			continue
		}
		same := 0
		for _, n := range counts {
			if n == counts[0] {
				same++
			}
		}
		if same > bestLines || same == bestLines && counts[0] > bestCount {
			best, bestLines, bestCount = d, same, counts[0]
		}
	}
	return best
}

func countOutsideQuotes(s string, c byte) int {
	n, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			quoted = !quoted
		case c:
			if !quoted {
				n++
			}
		}
	}
	return n
}

// guessLabels says embedded labels when the first line's cells are all
// non-empty, distinct and not numbers, no labels otherwise.
func guessLabels(lines []string, delim string) delimited.Labels {
	if len(lines) == 0 {
		return delimited.LabelsEmbedded
	}
	seen := map[string]bool{}
	for _, cell := range strings.Split(lines[0], delim) {
		cell = strings.Trim(strings.TrimSpace(cell), `"`)
		if cell == "" || seen[cell] {
			return delimited.LabelsNone
		}
		if _, err := strconv.ParseFloat(cell, 64); err == nil {
			return delimited.LabelsNone
		}
		seen[cell] = true
	}
	return delimited.LabelsEmbedded
}

func docGuessFileType(c *call) error {
	_, p, err := c.connectionFile()
	if err != nil || p == "" {
		return err
	}
	head, err := sniff(p)
	if err != nil {
		return err
	}
	typ, f := guessFormat(p, head)
	c.out("qDataFormat", fileDataFormat(typ, &f))
	return nil
}

// textFormat completes a delimited format: the delimiter GuessFileType
// finds when none was given.
func textFormat(path string, ff *fileFormat) (delimited.Format, error) {
	f := ff.text
	if !ff.delimOK {
		head, err := sniff(path)
		if err != nil {
			return f, err
		}
		text, _ := decodeHead(head)
		f.Delimiter = guessDelimiter(sampleLines(text))
	}
	return f, nil
}

// formatSpec is the script's format specification of a file format.
func formatSpec(typ string, f *delimited.Format) string {
	if typ == "QVD" {
		return "(qvd)"
	}
	parts := []string{"txt"}
	switch f.Codepage {
	case 0, delimited.CodepageUTF8:
		parts = append(parts, "utf8")
	case delimited.CodepageUTF16LE:
		parts = append(parts, "unicode")
	case delimited.CodepageANSI:
		parts = append(parts, "ansi")
	case delimited.CodepageOEM:
		parts = append(parts, "oem")
	case delimited.CodepageMac:
		parts = append(parts, "mac")
	default:
		parts = append(parts, fmt.Sprintf("codepage is %d", f.Codepage))
	}
	parts = append(parts, f.Labels.String())
	switch {
	case f.Spaces:
		parts = append(parts, "delimiter is spaces")
	case f.Delimiter == "\t":
		parts = append(parts, `delimiter is '\t'`)
	default:
		d := f.Delimiter
		if d == "" {
			d = ","
		}
		parts = append(parts, "delimiter is '"+strings.ReplaceAll(d, "'", "''")+"'")
	}
	switch f.Quoting {
	case delimited.QuoteMSQ:
		parts = append(parts, "msq")
	case delimited.QuoteNone:
		parts = append(parts, "no quotes")
	}
	if f.HeaderLines > 0 {
		parts = append(parts, fmt.Sprintf("header is %d lines", f.HeaderLines))
	}
	if f.Comment != "" {
		parts = append(parts, "comment is '"+strings.ReplaceAll(f.Comment, "'", "''")+"'")
	}
	if f.NoEOF {
		parts = append(parts, "no eof")
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// fileTable is what the browser reads of a file: its table name, field
// names and first records.
type fileTable struct {
	name   string
	fields []string
	rows   [][]string
}

// readFileTable reads a file's table; rows records of data at most.
func readFileTable(path string, ff *fileFormat, rows int) (*fileTable, delimited.Format, error) {
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if ff.typ == "QVD" {
		t, err := readQVDTable(path, rows)
		if err != nil {
			return nil, ff.text, err
		}
		if t.name == "" {
			t.name = base
		}
		return t, ff.text, nil
	}
	f, err := textFormat(path, ff)
	if err != nil {
		return nil, f, err
	}
	file, err := os.Open(path)
	if err != nil {
		return nil, f, qerr(errInvalidPath, "cannot open %s", filepath.Base(path))
	}
	defer file.Close()
	r, err := delimited.NewReader(file, f, delimited.Options{Source: filepath.Base(path), BatchRecords: max(rows, 1)})
	if err != nil {
		return nil, f, qerr(errInvalidArgs, "cannot read %s as delimited text: %v", filepath.Base(path), err)
	}
	defer r.Close()
	t := &fileTable{name: base, fields: slices.Clone(r.Names())}
	for len(t.rows) < rows {
		b, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, f, qerr(errInvalidArgs, "cannot read %s as delimited text: %v", filepath.Base(path), err)
		}
		for rec := 0; rec < b.Len() && len(t.rows) < rows; rec++ {
			row := make([]string, b.Width())
			for col := range row {
				row[col] = string(b.Field(rec, col))
			}
			t.rows = append(t.rows, row)
		}
	}
	return t, f, nil
}

// readQVDTable reads a QVD file's header and, when rows > 0, its first
// rows (the file is decoded whole, so it must not be too large).
func readQVDTable(path string, rows int) (*fileTable, error) {
	// Read through open files: the package's messages would name the
	// server's path.
	name := filepath.Base(path)
	file, err := os.Open(path)
	if err != nil {
		return nil, qerr(errInvalidPath, "cannot open %s", name)
	}
	defer file.Close()
	h, err := qvd.ReadHeader(file)
	if err != nil {
		return nil, qerr(errInvalidArgs, "cannot read %s as QVD: %v", name, err)
	}
	t := &fileTable{name: h.TableName}
	for _, fh := range h.Fields {
		t.fields = append(t.fields, fh.Name)
	}
	if rows <= 0 {
		return t, nil
	}
	st, err := file.Stat()
	if err != nil {
		return nil, qerr(errInvalidPath, "cannot read %s", name)
	}
	if st.Size() > maxQVDPreviewBytes {
		return nil, qerr(errInvalidArgs, "%s is too large to preview (%d bytes, at most %d)", name, st.Size(), maxQVDPreviewBytes)
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, qerr(errInvalidPath, "cannot read %s", name)
	}
	qt, err := qvd.Read(file, qvd.Options{})
	if err != nil {
		return nil, qerr(errInvalidArgs, "cannot read %s as QVD: %v", name, err)
	}
	for i := 0; i < qt.Records && i < rows; i++ {
		row := make([]string, len(qt.Fields))
		for j, f := range qt.Fields {
			if v, ok := f.Value(i); ok {
				row[j] = dualText(v)
			}
		}
		t.rows = append(t.rows, row)
	}
	return t, nil
}

// dualText is the text of a value, its number's when it has none.
func dualText(d symbols.Dual) string {
	if d.Text == "" && d.Num == d.Num {
		return symbols.FormatNumber(d.Num)
	}
	return d.Text
}

// fileTableCall reads the parameters shared by the table methods and the
// file's table.
func (c *call) fileTableCall(rows int) (*fileTable, *fileFormat, delimited.Format, error) {
	_, p, err := c.connectionFile()
	if err != nil || p == "" {
		return nil, nil, delimited.Format{}, err
	}
	ff, err := c.fileFormatParam()
	if err != nil || ff == nil {
		return nil, nil, delimited.Format{}, err
	}
	t, f, err := readFileTable(p, ff, rows)
	return t, ff, f, err
}

func docGetFileTables(c *call) error {
	t, _, _, err := c.fileTableCall(0)
	if err != nil || t == nil {
		return err
	}
	c.out("qTables", []any{newObj(2).Set("qName", t.name).Set("qType", "TABLE")})
	return nil
}

// dataFields are the DataField entries of a table.
func dataFields(t *fileTable) []any {
	out := make([]any, 0, len(t.fields))
	for i, name := range t.fields {
		out = append(out, newObj(2).Set("qName", name).Set("qOriginalFieldName", "@"+strconv.Itoa(i+1)))
	}
	return out
}

func docGetFileTablesEx(c *call) error {
	t, ff, f, err := c.fileTableCall(0)
	if err != nil || t == nil {
		return err
	}
	e := newObj(3)
	e.Set("qName", t.name)
	e.Set("qFields", dataFields(t))
	e.Set("qFormatSpec", formatSpec(ff.typ, &f))
	c.out("qTables", []any{e})
	return nil
}

func docGetFileTableFields(c *call) error {
	c.str("qTable")
	t, ff, f, err := c.fileTableCall(0)
	if err != nil || t == nil {
		return err
	}
	c.out("qFields", dataFields(t))
	c.out("qFormatSpec", formatSpec(ff.typ, &f))
	return nil
}

func docGetFileTablePreview(c *call) error {
	c.str("qTable")
	t, ff, f, err := c.fileTableCall(previewRows)
	if err != nil || t == nil {
		return err
	}
	recs := make([]any, 0, len(t.rows)+1)
	recs = append(recs, newObj(1).Set("qValues", t.fields))
	for _, r := range t.rows {
		recs = append(recs, newObj(1).Set("qValues", r))
	}
	c.out("qPreview", recs)
	c.out("qFormatSpec", formatSpec(ff.typ, &f))
	return nil
}

// libPath splits "lib://Connection/path" (also with '\', and in
// brackets) into the connection name and the path inside it.
func libPath(p string) (conn, rel string, ok bool) {
	p = strings.TrimSpace(p)
	if len(p) >= 2 && p[0] == '[' && p[len(p)-1] == ']' {
		p = p[1 : len(p)-1]
	}
	const prefix = "lib://"
	if len(p) < len(prefix) || !strings.EqualFold(p[:len(prefix)], prefix) {
		return "", "", false
	}
	rest := strings.ReplaceAll(p[len(prefix):], `\`, "/")
	conn, rel, _ = strings.Cut(rest, "/")
	return conn, rel, conn != ""
}

// docGetIncludeFileContent reads a text file of a folder connection,
// named by a lib:// path, as UTF-8 (UTF-16 and UTF-8 byte order marks
// honoured; invalid UTF-8 becomes U+FFFD).
func docGetIncludeFileContent(c *call) error {
	p := c.str("qPath")
	if c.bad() {
		return nil
	}
	name, rel, ok := libPath(p)
	if !ok {
		return qerr(errInvalidPath, "%q is not a lib://<connection>/<file> path", p)
	}
	cn, root, err := c.folderRoot(name)
	if err != nil {
		return err
	}
	file, err := inFolder(root, rel, cn.Name)
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return qerr(errInvalidPath, "cannot read %q", p)
	}
	if !st.Mode().IsRegular() {
		return qerr(errInvalidPath, "%q is not a file", p)
	}
	if st.Size() > maxIncludeBytes {
		return qerr(errInvalidArgs, "%q is too large to include (%d bytes, at most %d)", p, st.Size(), maxIncludeBytes)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return qerr(errInvalidPath, "cannot read %q", p)
	}
	text, cp := decodeHead(b)
	if cp == delimited.CodepageANSI {
		// Not UTF-8: bytes that do not decode become U+FFFD.
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	c.out("qContent", text)
	return nil
}
