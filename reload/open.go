package reload

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/delimited"
	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/reload/script"
	"github.com/assocengine/assoc/symbols"
)

// openSource opens the source of the bottom LOAD of a statement. file
// overrides the FROM file name (one file of a wildcard).
func (it *interp) openSource(ld *script.Load, c *stmtCtx, file string) (source, error) {
	switch s := ld.Source.(type) {
	case *script.Inline:
		return it.openInline(s, c)
	case *script.From:
		name := s.File.Text
		if file != "" {
			name = file
		}
		return it.openFile(name, s.File.Pos, s.Format, c)
	case *script.Resident:
		t := it.m.table(s.Table.Text)
		if t == nil {
			if it.m.mapping(s.Table.Text) != nil {
				return nil, c.errorf(s.Table.Pos, "RESIDENT %s: mapping tables cannot be read with RESIDENT", s.Table.Text)
			}
			return nil, c.errorf(s.Table.Pos, "RESIDENT %s: no table of that name", s.Table.Text)
		}
		rs := newResidentSource(t)
		if len(ld.OrderBy) > 0 {
			order, err := it.orderRows(t, ld.OrderBy, c)
			if err != nil {
				return nil, err
			}
			rs.order = order
		}
		return rs, nil
	case *script.Autogenerate:
		n, err := it.evalCount(s.Count, c, "AUTOGENERATE count")
		if err != nil {
			return nil, err
		}
		return &autoSource{n: n, name: fmt.Sprintf("AUTOGENERATE(%d)", n)}, nil
	case *script.FromField:
		return nil, c.errorf(ld.Pos, "FROM_FIELD is %w", ErrNotSupported)
	case *script.Extension:
		return nil, c.errorf(ld.Pos, "EXTENSION (server-side extensions) is %w", ErrNotSupported)
	case nil:
		return nil, c.errorf(ld.Pos, "LOAD has no source")
	}
	return nil, c.errorf(ld.Pos, "LOAD source %T is %w", ld.Source, ErrNotSupported)
}

// textFormat turns a format specification into a delimited.Format.
func (it *interp) textFormat(spec *script.FormatSpec, ext string, c *stmtCtx) (delimited.Format, error) {
	var f delimited.Format
	verbatim, _ := it.vars.text("Verbatim")
	f.Trim = strings.TrimSpace(verbatim) != "1"
	f.Quoting = delimited.QuoteStandard
	if ext == "tab" || ext == "tsv" {
		f.Delimiter = "\t"
	}
	if spec == nil {
		return f, nil
	}
	for _, item := range spec.Items {
		switch item.Kind {
		case script.FmtOther:
			return f, c.errorf(item.Pos, "format specification item %q is %w", item.Value, ErrNotSupported)
		case script.FmtRecord:
			return f, c.errorf(item.Pos, "fixed-record files (record is) are %w", ErrNotSupported)
		case script.FmtURL, script.FmtUserAgent:
			return f, c.errorf(item.Pos, "URL sources are %w", ErrNotSupported)
		}
	}
	if d, spaces, ok := spec.Delimiter(); ok {
		if spaces {
			f.Delimiter, f.Spaces = "", true
		} else {
			dd, sp, err := delimited.DelimiterSpec(d)
			if err != nil {
				return f, c.errorf(spec.Pos, "delimiter: %w", err)
			}
			f.Delimiter, f.Spaces = dd, sp
		}
	}
	switch spec.Quoting() {
	case script.QuotingMSQ:
		f.Quoting = delimited.QuoteMSQ
	case script.QuotingNone:
		f.Quoting = delimited.QuoteNone
	}
	switch spec.Labels() {
	case script.LabelsExplicit:
		f.Labels = delimited.LabelsExplicit
	case script.LabelsNone:
		f.Labels = delimited.LabelsNone
	}
	if n, lines, ok := spec.Header(); ok {
		if n < 0 {
			return f, c.errorf(spec.Pos, "header size must not be negative")
		}
		if lines {
			f.HeaderLines = n
		} else {
			f.HeaderBytes = int64(n)
		}
	}
	if cm, ok := spec.Comment(); ok {
		f.Comment = cm
	}
	switch spec.Charset() {
	case "unicode":
		f.Codepage = delimited.CodepageUTF16LE
	case "ansi":
		f.Codepage = delimited.CodepageANSI
	case "oem":
		f.Codepage = delimited.CodepageOEM
	case "mac":
		f.Codepage = delimited.CodepageMac
	}
	if n, ok := spec.Codepage(); ok {
		f.Codepage = delimited.Codepage(n)
		if !f.Codepage.Supported() {
			return f, c.errorf(spec.Pos, "code page %d is %w", n, ErrNotSupported)
		}
	}
	f.NoEOF = spec.NoEOF()
	return f, nil
}

func (it *interp) newInterpreter(ncols int) *interpreter {
	nt, hasNull := it.vars.text("NullInterpret")
	return newInterpreter(it.locale(), nt, hasNull, ncols)
}

func (it *interp) openInline(s *script.Inline, c *stmtCtx) (source, error) {
	f, err := it.textFormat(s.Format, "", c)
	if err != nil {
		return nil, err
	}
	if ft := s.Format.FileType(); ft != "" && ft != "txt" && ft != "csv" {
		return nil, c.errorf(s.Format.Pos, "INLINE data can only be delimited text, not %s", ft)
	}
	rd, err := delimited.NewReader(strings.NewReader(s.Data), f, delimited.Options{Source: "INLINE"})
	if err != nil {
		return nil, c.errorf(s.Pos, "cannot read INLINE data: %w", err)
	}
	if d, dup := dupName(rd.Names()); dup {
		rd.Close()
		return nil, c.errorf(s.Pos, "INLINE data: field %s appears twice in the labels", quoteField(d))
	}
	return newTextSource(rd, "INLINE", it.newInterpreter(len(rd.Names()))), nil
}

// fileType decides the type of a file: the format specification's, else
// by extension.
func fileType(spec *script.FormatSpec, ext string) string {
	if ft := spec.FileType(); ft != "" {
		if ft == "csv" {
			return "txt"
		}
		return ft
	}
	for _, o := range spec.Others() {
		if ipcSpellings[lowerFields(o)] {
			return "ipc"
		}
	}
	switch ext {
	case "arrow", "arrows", "feather", "ipc":
		return "ipc"
	case "qvd":
		return "qvd"
	case "xlsx", "xlsm":
		return "ooxml"
	case "xls":
		return "biff"
	case "parquet":
		return "parquet"
	case "json", "ndjson":
		return "json"
	case "xml":
		return "xml"
	case "html", "htm":
		return "html"
	case "qvx":
		return "qvx"
	}
	return "txt"
}

func (it *interp) openFile(name string, pos int, spec *script.FormatSpec, c *stmtCtx) (source, error) {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(strings.ReplaceAll(name, `\`, "/")), "."))
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	desc := strings.TrimSuffix(base, path.Ext(base))
	ft := fileType(spec, ext)
	switch ft {
	case "txt", "qvd", "ooxml", "parquet", "ipc", "json":
	default:
		return nil, c.errorf(pos, "cannot load %s: the file format %q is %w (supported: txt/csv, qvd, ooxml, parquet, json, ipc)", name, ft, ErrNotSupported)
	}
	p, err := it.files.resolve(name)
	if err != nil {
		return nil, c.errorf(pos, "cannot load %s: %w", name, err)
	}
	switch ft {
	case "txt":
		f, err := it.textFormat(spec, ext, c)
		if err != nil {
			return nil, err
		}
		rd, err := delimited.Open(it.ctx, p, f, delimited.Options{Source: name})
		if err != nil {
			var pe *delimited.ParseError
			if errors.As(err, &pe) {
				return nil, c.errorf(pos, "cannot read %s: line %d:%d: %w", name, pe.Line, pe.Column, pe.Err)
			}
			return nil, c.errorf(pos, "cannot read %s: %w", name, err)
		}
		if d, dup := dupName(rd.Names()); dup {
			rd.Close()
			return nil, c.errorf(pos, "cannot load %s: field %s appears twice in the labels", name, quoteField(d))
		}
		return newTextSource(rd, desc, it.newInterpreter(len(rd.Names()))), nil
	case "qvd":
		t, err := qvd.ReadFile(p, qvd.Options{Policy: symbols.Bytes})
		if err != nil {
			return nil, c.errorf(pos, "cannot load %s: %w", name, err)
		}
		return newQVDSource(t, desc), nil
	case "ooxml":
		return it.openXLSX(p, name, desc, spec, pos, c)
	case "parquet":
		return it.openParquet(p, name, desc, spec, pos, c)
	case "ipc":
		return it.openIPC(p, name, desc, spec, pos, c)
	case "json":
		return it.openJSON(p, name, desc, spec, pos, c)
	default:
		return nil, c.errorf(pos, "cannot load %s: the file format %q is %w (supported: txt/csv, qvd, ooxml, parquet, json, ipc)", name, ft, ErrNotSupported)
	}
}

// qvdSource reads a decoded QVD table.
type qvdSource struct {
	t    *qvd.Table
	nm   []string
	name string
	pos  int
	dec  [][]uint32 // decoded codes per field (lazily)
}

func newQVDSource(t *qvd.Table, name string) *qvdSource {
	s := &qvdSource{t: t, name: name, dec: make([][]uint32, len(t.Fields))}
	for _, f := range t.Fields {
		s.nm = append(s.nm, f.Name)
	}
	return s
}

func (s *qvdSource) names() []string { return s.nm }
func (s *qvdSource) desc() string    { return s.name }
func (s *qvdSource) close() error    { return nil }

func (s *qvdSource) next() (batch, error) {
	if s.pos >= s.t.Records {
		return nil, nil
	}
	n := min(s.t.Records-s.pos, 1<<16)
	b := &qvdBatch{s: s, from: s.pos, n: n}
	s.pos += n
	return b, nil
}

type qvdBatch struct {
	s       *qvdSource
	from, n int
}

func (b *qvdBatch) len() int          { return b.n }
func (b *qvdBatch) recNo(r int) int64 { return int64(b.from + r + 1) }

func (b *qvdBatch) code(r, col int) uint32 { return b.s.t.Fields[col].Column.Code(b.from + r) }

// decode writes the codes of field col for the whole batch to dst.
func (b *qvdBatch) decode(col int, dst []uint32) { b.s.t.Fields[col].Column.Decode(dst, b.from) }

func (b *qvdBatch) dual(col int, c uint32) symbols.Dual { return b.s.t.Fields[col].Symbols[c-1] }

func (b *qvdBatch) symCount(col int) int { return len(b.s.t.Fields[col].Symbols) }

func (b *qvdBatch) field(int) *field { return nil }

func (b *qvdBatch) value(r, col int) expr.Value {
	c := b.code(r, col)
	if c == 0 {
		return expr.Null()
	}
	return expr.FromDual(b.dual(col, c))
}

// orderRows sorts the rows of a resident table for ORDER BY: by number
// when both values have one, numbers before texts, texts in collation
// order, NULL first; DESC reverses one item.
func (it *interp) orderRows(t *table, items []script.OrderItem, c *stmtCtx) ([]int32, error) {
	type key struct {
		col  *column
		desc bool
	}
	var keys []key
	for _, o := range items {
		name := strings.TrimSpace(o.Expr.Src)
		if n, ok := columnNumber(name); ok {
			if n < 1 || n > len(t.cols) {
				return nil, c.errorf(o.Expr.Pos, "ORDER BY %d: table %s has %d fields", n, t.name, len(t.cols))
			}
			keys = append(keys, key{t.cols[n-1], o.Dir == script.SortDesc})
			continue
		}
		nd, err := it.parseExpr(o.Expr, c, false)
		if err != nil {
			return nil, err
		}
		ref, ok := nd.(*expr.FieldRef)
		if !ok {
			return nil, c.errorf(o.Expr.Pos, "ORDER BY takes field names or numbers, not the expression %s", clip(o.Expr.Src))
		}
		col := t.col(ref.Name.Text)
		if col == nil {
			return nil, c.errorf(o.Expr.Pos, "ORDER BY: table %s has no field %s", t.name, quoteField(ref.Name.Text))
		}
		keys = append(keys, key{col, o.Dir == script.SortDesc})
	}
	order := make([]int32, t.rows)
	for i := range order {
		order[i] = int32(i)
	}
	// Per key, the rank of every code in sort order.
	ranks := make([][]uint32, len(keys))
	for k, ky := range keys {
		syms := ky.col.f.syms
		ids := make([]uint32, syms.Len())
		for i := range ids {
			ids[i] = uint32(i)
		}
		slices.SortStableFunc(ids, func(a, b uint32) int { return compareOrder(syms.Dual(a), syms.Dual(b)) })
		r := make([]uint32, syms.Len()+1)
		for pos, id := range ids {
			r[id+1] = uint32(pos + 1)
		}
		ranks[k] = r
	}
	slices.SortStableFunc(order, func(a, b int32) int {
		for k, ky := range keys {
			ra, rb := ranks[k][ky.col.c.get(int(a))], ranks[k][ky.col.c.get(int(b))]
			if ra != rb {
				if (ra < rb) != ky.desc {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	return order, nil
}

func compareOrder(a, b symbols.Dual) int {
	switch {
	case a.IsNum() && b.IsNum():
		switch {
		case a.Num < b.Num:
			return -1
		case a.Num > b.Num:
			return 1
		}
		return 0
	case a.IsNum():
		return -1
	case b.IsNum():
		return 1
	}
	return symbols.CompareText(a.Text, b.Text)
}

func columnNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for _, ch := range s {
		if ch < '0' || ch > '9' {
			return 0, false
		}
		n = n*10 + int(ch-'0')
		if n > 1<<20 {
			return 0, false
		}
	}
	return n, true
}
