package reload

import (
	"math"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/reload/script"
	"github.com/xuri/excelize/v2"
)

// openXLSX reads one sheet of an Excel workbook (ooxml): the sheet named
// by "table is" (a trailing '$', as QlikView writes sheet names, is
// ignored), else the first one. Labels, "header is n lines" and "no
// labels" work as for text files. Empty cells are NULL; numbers keep their
// value; a column whose first value has a date or time number format
// holds dates, times or timestamps shown in the script's formats; text
// cells are text, stripped of blanks at both ends unless SET Verbatim=1.
func (it *interp) openXLSX(p, name, desc string, spec *script.FormatSpec, pos int, c *stmtCtx) (source, error) {
	for _, item := range spec.Items {
		switch item.Kind {
		case script.FmtOther, script.FmtDelimiter, script.FmtQuotes, script.FmtRecord, script.FmtURL, script.FmtUserAgent:
			return nil, c.errorf(item.Pos, "format specification item %q is %w for Excel files", item.Value, ErrNotSupported)
		}
	}
	f, err := excelize.OpenFile(p, excelize.Options{RawCellValue: true, UnzipSizeLimit: 4 << 30})
	if err != nil {
		return nil, c.errorf(pos, "cannot read Excel file %s: %w", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, c.errorf(pos, "Excel file %s has no sheets", name)
	}
	sheet := sheets[0]
	if t, ok := spec.Table(); ok {
		want := strings.TrimSuffix(t, "$")
		sheet = ""
		for _, s := range sheets {
			if s == want || strings.EqualFold(s, want) {
				sheet = s
				break
			}
		}
		if sheet == "" {
			return nil, c.errorf(pos, "Excel file %s has no sheet %q (it has %s)", name, want, strings.Join(sheets, ", "))
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, c.errorf(pos, "cannot read sheet %q of %s: %w", sheet, name, err)
	}
	defer rows.Close()
	var raw [][]string
	for rows.Next() {
		if err := it.tick(); err != nil {
			return nil, c.wrap(err)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, c.errorf(pos, "cannot read sheet %q of %s: %w", sheet, name, err)
		}
		raw = append(raw, cols)
	}
	if err := rows.Error(); err != nil {
		return nil, c.errorf(pos, "cannot read sheet %q of %s: %w", sheet, name, err)
	}
	if n, lines, ok := spec.Header(); ok && n > 0 {
		if !lines {
			return nil, c.errorf(spec.Pos, "Excel files take a header size in lines (header is %d lines)", n)
		}
		raw = raw[min(n, len(raw)):]
	}
	// Drop empty rows, as Qlik does.
	kept := raw[:0]
	for _, r := range raw {
		for _, v := range r {
			if v != "" {
				kept = append(kept, r)
				break
			}
		}
	}
	raw = kept
	width := 0
	for _, r := range raw {
		width = max(width, len(r))
	}
	var names []string
	dataFrom := 0
	if spec.Labels() != script.LabelsNone && len(raw) > 0 {
		for j := 0; j < width; j++ {
			n := ""
			if j < len(raw[0]) {
				n = strings.TrimSpace(raw[0][j])
			}
			if n == "" {
				n = "@" + strconv.Itoa(j+1)
			}
			names = append(names, n)
		}
		dataFrom = 1
	} else {
		for j := 0; j < width; j++ {
			names = append(names, "@"+strconv.Itoa(j+1))
		}
	}
	if d, dup := dupName(names); dup {
		return nil, c.errorf(pos, "cannot load %s: field %s appears twice in the labels", name, quoteField(d))
	}
	kinds := make([]numfmt.Kind, width)
	for j := range kinds {
		for i := dataFrom; i < len(raw); i++ {
			if j < len(raw[i]) && raw[i][j] != "" {
				cell, err := excelize.CoordinatesToCellName(j+1, i+1)
				if err == nil {
					kinds[j] = cellKind(f, sheet, cell)
				}
				break
			}
		}
	}
	loc := it.locale()
	verbatim, _ := it.vars.text("Verbatim")
	trim := strings.TrimSpace(verbatim) != "1"
	out := make([][]expr.Value, 0, len(raw)-dataFrom)
	for _, r := range raw[dataFrom:] {
		row := make([]expr.Value, width)
		for j, v := range r {
			if trim {
				v = strings.Trim(v, " ")
			}
			row[j] = excelValue(v, kinds[j], loc)
		}
		out = append(out, row)
	}
	return &valueSource{nm: names, rows: out, name: desc}, nil
}

// cellKind tells whether a cell's number format shows a date, a time or a
// timestamp.
func cellKind(f *excelize.File, sheet, cell string) numfmt.Kind {
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		return numfmt.KindNumber
	}
	st, err := f.GetStyle(id)
	if err != nil || st == nil {
		return numfmt.KindNumber
	}
	switch {
	case st.NumFmt >= 14 && st.NumFmt <= 17, st.NumFmt == 27, st.NumFmt == 30, st.NumFmt == 36, st.NumFmt == 50, st.NumFmt == 57:
		return numfmt.KindDate
	case st.NumFmt >= 18 && st.NumFmt <= 21, st.NumFmt >= 45 && st.NumFmt <= 47:
		return numfmt.KindTime
	case st.NumFmt == 22:
		return numfmt.KindTimestamp
	}
	if st.CustomNumFmt == nil {
		return numfmt.KindNumber
	}
	code := strings.ToLower(*st.CustomNumFmt)
	// Drop quoted literals and bracketed colours before looking for date
	// and time letters.
	var b strings.Builder
	inQuote := false
	for i := 0; i < len(code); i++ {
		ch := code[i]
		switch {
		case ch == '"':
			inQuote = !inQuote
		case inQuote:
		case ch == '[':
			if j := strings.IndexByte(code[i:], ']'); j > 0 {
				i += j
			}
		case ch == '\\':
			i++
		default:
			b.WriteByte(ch)
		}
	}
	plain := b.String()
	date := strings.ContainsAny(plain, "dy") || strings.Contains(plain, "mmm")
	tm := strings.ContainsAny(plain, "hs")
	switch {
	case date && tm:
		return numfmt.KindTimestamp
	case date:
		return numfmt.KindDate
	case tm:
		return numfmt.KindTime
	}
	return numfmt.KindNumber
}

// excelValue converts a raw cell: empty is NULL, a number keeps its value
// (dates, times and timestamps get the script's format as text), anything
// else is text.
func excelValue(v string, kind numfmt.Kind, loc *numfmt.Locale) expr.Value {
	if v == "" {
		return expr.Null()
	}
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return expr.Str(v)
	}
	switch kind {
	case numfmt.KindDate:
		if x == math.Trunc(x) {
			return expr.Dual(x, numfmt.FormatDate(x, loc.DateFormat, loc))
		}
		return expr.Dual(x, numfmt.FormatTimestamp(x, loc.TimestampFormat, loc))
	case numfmt.KindTime:
		return expr.Dual(x, numfmt.FormatTime(x, loc.TimeFormat, loc))
	case numfmt.KindTimestamp:
		return expr.Dual(x, numfmt.FormatTimestamp(x, loc.TimestampFormat, loc))
	}
	return expr.Dual(x, v)
}
