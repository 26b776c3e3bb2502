package reload

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/assocengine/assoc/reload/qvd"
	"github.com/assocengine/assoc/reload/script"
	"github.com/assocengine/assoc/symbols"
)

// execStore writes a table (or some of its fields) to a QVD or a
// delimited text file (§5.7).
func (it *interp) execStore(s *script.Store, c *stmtCtx) error {
	t := it.m.table(s.Table.Text)
	if t == nil {
		if mt := it.m.mapping(s.Table.Text); mt != nil {
			t = mt
		} else {
			return c.errorf(s.Table.Pos, "STORE %s: no table of that name", s.Table.Text)
		}
	}
	type out struct {
		col  *column
		name string
	}
	var outs []out
	if s.Fields == nil {
		for _, col := range t.cols {
			outs = append(outs, out{col, col.f.name})
		}
	} else {
		for _, sf := range s.Fields {
			found := false
			for _, col := range t.cols {
				if matchPattern(sf.Name.Text, col.f.name) {
					name := col.f.name
					if sf.Alias != nil {
						name = sf.Alias.Text
					}
					outs = append(outs, out{col, name})
					found = true
				}
			}
			if !found {
				return c.errorf(sf.Name.Pos, "STORE: table %s has no field %s", t.name, quoteField(sf.Name.Text))
			}
		}
	}
	if n, dup := dupName(func() []string {
		var ns []string
		for _, o := range outs {
			ns = append(ns, o.name)
		}
		return ns
	}()); dup {
		return c.errorf(s.Pos, "STORE: field %s would be written twice", quoteField(n))
	}
	p, err := it.files.resolveWrite(s.File.Text)
	if err != nil {
		return c.errorf(s.File.Pos, "STORE INTO %s: %w", s.File.Text, err)
	}
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(strings.ReplaceAll(s.File.Text, `\`, "/")), "."))
	ft := s.Format.FileType()
	if ft == "" {
		ft = "qvd"
		if ext == "csv" || ext == "txt" || ext == "tab" || ext == "tsv" {
			ft = "txt"
		}
		if ext == "parquet" {
			ft = "parquet"
		}
	}
	switch ft {
	case "qvd":
		qt := &qvd.Table{Name: t.name, Records: t.rows}
		loc := it.locale()
		for _, o := range outs {
			n := o.col.f.syms.Len()
			syms := make([]symbols.Dual, n)
			for i := range syms {
				syms[i] = o.col.f.syms.Dual(uint32(i))
			}
			qf := &qvd.Field{Name: o.name, Symbols: syms, Column: o.col.c.column(n, symbols.Compact)}
			// Dates and timestamps are stored with their format, as Qlik does.
			switch dateTag(o.col.f.syms, loc) {
			case "$date":
				qf.NumberFormat = qvd.NumberFormat{Type: "DATE", Fmt: loc.DateFormat}
			case "$timestamp":
				qf.NumberFormat = qvd.NumberFormat{Type: "TIMESTAMP", Fmt: loc.TimestampFormat}
			}
			qt.Fields = append(qt.Fields, qf)
		}
		if err := qvd.WriteFile(p, qt, qvd.WriteOptions{CreateTime: it.now.UTC()}); err != nil {
			return c.errorf(s.File.Pos, "STORE INTO %s: %w", s.File.Text, err)
		}
	case "txt", "csv":
		delim := ","
		if ext == "tab" || ext == "tsv" {
			delim = "\t"
		}
		if d, spaces, ok := s.Format.Delimiter(); ok {
			if spaces {
				delim = " "
			} else {
				delim = d
			}
		}
		if delim == "" || strings.ContainsAny(delim, "\r\n\"") {
			return c.errorf(s.Format.Pos, "STORE: delimiter %q cannot be used", delim)
		}
		cols := make([]*column, len(outs))
		names := make([]string, len(outs))
		for i, o := range outs {
			cols[i], names[i] = o.col, o.name
		}
		if err := writeDelimited(p, t.rows, cols, names, delim, it.tick); err != nil {
			return c.errorf(s.File.Pos, "STORE INTO %s: %w", s.File.Text, err)
		}
	case "parquet":
		cols := make([]*column, len(outs))
		names := make([]string, len(outs))
		for i, o := range outs {
			cols[i], names[i] = o.col, o.name
		}
		if err := it.storeParquet(s, c, p, t.rows, cols, names); err != nil {
			return err
		}
	default:
		return c.errorf(s.Pos, "STORE to the %s format is %w (qvd, txt and parquet are)", ft, ErrNotSupported)
	}
	it.log.line(fmt.Sprintf("%s: %s rows stored to %s", t.name, groupDigits(int64(t.rows)), s.File.Text))
	return nil
}

// writeDelimited writes rows as UTF-8 delimited text with a label line;
// values holding the delimiter, a quote, a line break or blanks at an end
// are quoted with doubled inner quotes (readable with msq); NULL is empty.
// The file is written under a temporary name and renamed into place.
func writeDelimited(p string, rows int, cols []*column, names []string, delim string, tick func() error) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	w := bufio.NewWriterSize(f, 1<<16)
	quote := func(s string) {
		if s == "" || !strings.ContainsAny(s, delim+"\"\r\n") && strings.TrimSpace(s) == s {
			w.WriteString(s)
			return
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(s, `"`, `""`))
		w.WriteByte('"')
	}
	for i, n := range names {
		if i > 0 {
			w.WriteString(delim)
		}
		quote(n)
	}
	w.WriteString("\r\n")
	for r := 0; r < rows; r++ {
		if err := tick(); err != nil {
			f.Close()
			os.Remove(tmp)
			return err
		}
		for i, col := range cols {
			if i > 0 {
				w.WriteString(delim)
			}
			if code := col.c.get(r); code != 0 {
				quote(col.f.syms.Text(code - 1))
			}
		}
		w.WriteString("\r\n")
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
