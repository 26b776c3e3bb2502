package script

import (
	"fmt"
	"strings"
)

// indentUnit is the indentation of a block body.
const indentUnit = "    "

// Format renders a script as text that parses back to the same syntax tree
// (see Equal): keywords in upper case, one statement per line, block bodies
// indented, LOAD clauses on their own lines. Expressions, SQL commands,
// inline data and other raw texts are written verbatim; comments are not
// part of the tree and are dropped.
func Format(s *Script) string {
	var b strings.Builder
	prevMulti := false
	for i, st := range s.Stmts {
		text := render(st, "")
		_, tab := st.(*Tab)
		multi := tab || strings.Contains(text, "\n")
		if i > 0 && (multi || prevMulti) {
			b.WriteByte('\n')
		}
		b.WriteString(text)
		b.WriteByte('\n')
		prevMulti = multi
	}
	return b.String()
}

// FormatStmt renders one statement, with its terminating ';' if it has
// one (blocks and section markers have none).
func FormatStmt(st Stmt) string { return render(st, "") }

// render renders st. The first line is not indented; the following lines
// that the printer starts are indented with ind (verbatim texts keep their
// own line breaks and indentation).
func render(st Stmt, ind string) string {
	switch s := st.(type) {
	case *Tab:
		if s.Name == "" {
			return "///$tab"
		}
		return "///$tab " + s.Name
	case *Set:
		return "SET " + s.Name.String() + " = " + s.Value.Src + ";"
	case *Let:
		kw := "LET "
		if s.Bare {
			kw = ""
		}
		return kw + s.Name.String() + " = " + s.Value.Src + ";"
	case *Load:
		return labelled(s.Label, ind, renderLoad(s, ind))
	case *SQL:
		cmd := s.Command
		if s.Keyword {
			cmd = "SQL " + cmd
		}
		return labelled(s.Label, ind, renderPrefixes(s.Prefixes)+cmd+";")
	case *Qualify:
		return "QUALIFY " + names(s.Fields) + ";"
	case *Unqualify:
		return "UNQUALIFY " + names(s.Fields) + ";"
	case *Rename:
		kw := "RENAME " + plural("FIELD", len(s.Pairs), s.Using != nil)
		if s.Tables {
			kw = "RENAME " + plural("TABLE", len(s.Pairs), s.Using != nil)
		}
		if s.Using != nil {
			return kw + " USING " + s.Using.String() + ";"
		}
		pairs := make([]string, len(s.Pairs))
		for i, pr := range s.Pairs {
			pairs[i] = pr.From.String() + " TO " + pr.To.String()
		}
		return kw + " " + strings.Join(pairs, ", ") + ";"
	case *Drop:
		if s.Tables {
			return "DROP " + plural("TABLE", len(s.Names), false) + " " + names(s.Names) + ";"
		}
		out := "DROP " + plural("FIELD", len(s.Names), false) + " " + names(s.Names)
		if len(s.From) > 0 {
			out += " FROM " + names(s.From)
		}
		return out + ";"
	case *Store:
		out := "STORE "
		if s.Fields != nil {
			fs := make([]string, len(s.Fields))
			for i, f := range s.Fields {
				fs[i] = f.Name.String()
				if f.Alias != nil {
					fs[i] += " AS " + f.Alias.String()
				}
			}
			out += strings.Join(fs, ", ") + " FROM "
		}
		return out + s.Table.String() + " INTO " + s.File.String() + renderFormat(s.Format) + ";"
	case *Map:
		return "MAP " + names(s.Fields) + " USING " + s.Using.String() + ";"
	case *Unmap:
		return "UNMAP " + names(s.Fields) + ";"
	case *Loosen:
		return "LOOSEN " + plural("TABLE", len(s.Tables), false) + " " + names(s.Tables) + ";"
	case *NullAsValue:
		return "NULLASVALUE " + names(s.Fields) + ";"
	case *NullAsNull:
		return "NULLASNULL " + names(s.Fields) + ";"
	case *Tag:
		return renderTag("TAG FIELD", s.Fields, s.With, s.Using)
	case *Untag:
		return renderTag("UNTAG FIELD", s.Fields, s.With, s.Using)
	case *Comment:
		kw := "COMMENT FIELD"
		if s.Tables {
			kw = "COMMENT TABLE"
		}
		return renderTag(kw, s.Names, s.With, s.Using)
	case *Alias:
		pairs := make([]string, len(s.Pairs))
		for i, pr := range s.Pairs {
			pairs[i] = pr.Field.String() + " AS " + pr.Alias.String()
		}
		return "ALIAS " + strings.Join(pairs, ", ") + ";"
	case *Binary:
		return "BINARY " + s.File.String() + ";"
	case *Section:
		if s.Access {
			return "SECTION ACCESS;"
		}
		return "SECTION APPLICATION;"
	case *Directory:
		if s.Path == nil {
			return "DIRECTORY;"
		}
		return "DIRECTORY " + s.Path.String() + ";"
	case *LibConnect:
		return "LIB CONNECT TO " + s.Name.String() + ";"
	case *Connect:
		if s.Provider == "" {
			return s.Text + ";"
		}
		return s.Provider + " " + s.Text + ";"
	case *Disconnect:
		return "DISCONNECT;"
	case *Trace:
		return "TRACE " + s.Text + ";"
	case *Sleep:
		return "SLEEP " + s.Duration.Src + ";"
	case *Execute:
		return "EXECUTE " + s.Command + ";"
	case *Force:
		return [...]string{"FORCE CAPITAL;", "FORCE CASE UPPER;", "FORCE CASE LOWER;", "FORCE CASE MIXED;"}[s.Mode]
	case *Search:
		if s.Exclude {
			return "SEARCH EXCLUDE " + names(s.Fields) + ";"
		}
		return "SEARCH INCLUDE " + names(s.Fields) + ";"
	case *Declare:
		return labelled(s.Label, ind, "DECLARE "+s.Text+";")
	case *Derive:
		return "DERIVE " + s.Text + ";"
	case *When:
		inner, label := unlabel(s)
		w := inner.(*When)
		return labelled(label, ind, w.Cond.Kind.String()+" "+w.Cond.Expr.Src+" "+render(w.Stmt, ind))
	case *Exit:
		return "EXIT " + s.Kind.String() + renderCond(s.Cond) + ";"
	case *Call:
		out := "CALL " + s.Name.String()
		if len(s.Args) > 0 {
			out += "(" + exprs(s.Args) + ")"
		}
		return out + ";"
	case *If:
		var b strings.Builder
		b.WriteString("IF " + s.Cond.Src + " THEN")
		body(&b, s.Then, ind)
		for _, e := range s.ElseIfs {
			b.WriteString("\n" + ind + "ELSEIF " + e.Cond.Src + " THEN")
			body(&b, e.Body, ind)
		}
		if s.Else != nil {
			b.WriteString("\n" + ind + "ELSE")
			body(&b, s.Else.Body, ind)
		}
		b.WriteString("\n" + ind + "END IF")
		return b.String()
	case *For:
		var b strings.Builder
		b.WriteString("FOR " + s.Var.String() + " = " + s.From.Src + " TO " + s.To.Src)
		if s.Step != nil {
			b.WriteString(" STEP " + s.Step.Src)
		}
		body(&b, s.Body, ind)
		b.WriteString("\n" + ind + "NEXT")
		if s.Next != nil {
			b.WriteString(" " + s.Next.String())
		}
		return b.String()
	case *ForEach:
		var b strings.Builder
		b.WriteString("FOR EACH " + s.Var.String() + " IN " + exprs(s.Items))
		body(&b, s.Body, ind)
		b.WriteString("\n" + ind + "NEXT")
		if s.Next != nil {
			b.WriteString(" " + s.Next.String())
		}
		return b.String()
	case *Do:
		var b strings.Builder
		b.WriteString("DO" + renderCond(s.Pre))
		body(&b, s.Body, ind)
		b.WriteString("\n" + ind + "LOOP" + renderCond(s.Post))
		return b.String()
	case *Sub:
		var b strings.Builder
		b.WriteString("SUB " + s.Name.String())
		if len(s.Params) > 0 {
			b.WriteString("(" + names(s.Params) + ")")
		}
		body(&b, s.Body, ind)
		b.WriteString("\n" + ind + "END SUB")
		return b.String()
	case *Switch:
		var b strings.Builder
		b.WriteString("SWITCH " + s.Expr.Src)
		for _, c := range s.Cases {
			b.WriteString("\n" + ind + "CASE " + exprs(c.Values))
			body(&b, c.Body, ind)
		}
		if s.Default != nil {
			b.WriteString("\n" + ind + "DEFAULT")
			body(&b, s.Default.Body, ind)
		}
		b.WriteString("\n" + ind + "END SWITCH")
		return b.String()
	case *Unexpanded:
		return s.Text + ";"
	}
	panic(fmt.Sprintf("BUG: script: no printer for %T", st))
}

// unlabel returns a copy of st without the label of the LOAD, SELECT or
// DECLARE it holds (through WHEN prefixes), and that label: the label is
// written first, before any WHEN.
func unlabel(st Stmt) (Stmt, *Name) {
	switch s := st.(type) {
	case *When:
		inner, label := unlabel(s.Stmt)
		if label == nil {
			return s, nil
		}
		cp := *s
		cp.Stmt = inner
		return &cp, label
	case *Load:
		cp := *s
		cp.Label = nil
		return &cp, s.Label
	case *SQL:
		cp := *s
		cp.Label = nil
		return &cp, s.Label
	case *Declare:
		cp := *s
		cp.Label = nil
		return &cp, s.Label
	}
	return st, nil
}

// body renders block body statements, one per line, one level deeper.
func body(b *strings.Builder, stmts []Stmt, ind string) {
	in := ind + indentUnit
	for _, st := range stmts {
		b.WriteString("\n" + in + render(st, in))
	}
}

// labelled puts "label:" on a line of its own before text.
func labelled(label *Name, ind, text string) string {
	if label == nil {
		return text
	}
	return label.String() + ":\n" + ind + text
}

func plural(kw string, n int, using bool) string {
	if n > 1 || using {
		return kw + "S"
	}
	return kw
}

func names(ns []Name) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.String()
	}
	return strings.Join(parts, ", ")
}

func exprs(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Src
	}
	return strings.Join(parts, ", ")
}

func renderCond(c *Condition) string {
	if c == nil {
		return ""
	}
	return " " + c.Kind.String() + " " + c.Expr.Src
}

func renderTag(kw string, fields []Name, with, using *Name) string {
	out := plural(kw, len(fields), using != nil)
	if len(fields) > 0 {
		out += " " + names(fields)
	}
	if with != nil {
		out += " WITH " + with.String()
	}
	if using != nil {
		out += " USING " + using.String()
	}
	return out + ";"
}

// maxInlineFields is the length up to which a LOAD field list stays on the
// LOAD line.
const maxInlineFields = 60

func renderLoad(s *Load, ind string) string {
	var b strings.Builder
	b.WriteString(renderPrefixes(s.Prefixes))
	b.WriteString("LOAD")
	if s.Distinct {
		b.WriteString(" DISTINCT")
	}
	fields := make([]string, len(s.Fields))
	total := 0
	multi := false
	for i, f := range s.Fields {
		fields[i] = f.Expr.Src
		if f.Alias != nil {
			fields[i] += " AS " + f.Alias.String()
		}
		total += len(fields[i]) + 2
		multi = multi || strings.Contains(fields[i], "\n")
	}
	if total <= maxInlineFields && !multi {
		b.WriteString(" " + strings.Join(fields, ", "))
	} else {
		in := ind + indentUnit
		b.WriteString("\n" + in + strings.Join(fields, ",\n"+in))
	}
	if s.Source != nil {
		b.WriteString("\n" + ind + renderSource(s.Source))
	}
	if s.Where != nil {
		b.WriteString("\n" + ind + "WHERE " + s.Where.Src)
	}
	if s.While != nil {
		b.WriteString("\n" + ind + "WHILE " + s.While.Src)
	}
	if len(s.GroupBy) > 0 {
		b.WriteString("\n" + ind + "GROUP BY " + exprs(s.GroupBy))
	}
	if len(s.OrderBy) > 0 {
		items := make([]string, len(s.OrderBy))
		for i, o := range s.OrderBy {
			items[i] = o.Expr.Src + [...]string{"", " ASC", " DESC"}[o.Dir]
		}
		b.WriteString("\n" + ind + "ORDER BY " + strings.Join(items, ", "))
	}
	b.WriteString(";")
	return b.String()
}

func renderSource(src Source) string {
	switch s := src.(type) {
	case *From:
		return "FROM " + s.File.String() + renderFormat(s.Format)
	case *FromField:
		return "FROM_FIELD (" + s.Table.String() + ", " + s.Field.String() + ")" + renderFormat(s.Format)
	case *Inline:
		return "INLINE " + string(s.Quote) + s.Data + string(closeQuote(s.Quote)) + renderFormat(s.Format)
	case *Resident:
		return "RESIDENT " + s.Table.String()
	case *Autogenerate:
		return "AUTOGENERATE " + s.Count.Src
	case *Extension:
		return "EXTENSION " + s.Call.Src
	}
	panic(fmt.Sprintf("BUG: script: no printer for source %T", src))
}

func renderPrefixes(ps []Prefix) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(renderPrefix(p))
		b.WriteByte(' ')
	}
	return b.String()
}

func optTable(kw string, t *Name) string {
	if t == nil {
		return kw
	}
	return kw + " (" + t.String() + ")"
}

func renderPrefix(pr Prefix) string {
	switch p := pr.(type) {
	case *Concatenate:
		return optTable("CONCATENATE", p.Table)
	case *NoConcatenate:
		return "NOCONCATENATE"
	case *Join:
		kw := "JOIN"
		if p.Kind != JoinPlain {
			kw = p.Kind.String() + " JOIN"
		}
		return optTable(kw, p.Table)
	case *Keep:
		return optTable(p.Kind.String()+" KEEP", p.Table)
	case *Mapping:
		return "MAPPING"
	case *Crosstable:
		out := "CROSSTABLE (" + p.Attribute.String() + ", " + p.Data.String()
		if p.Qualifiers != nil {
			out += ", " + p.Qualifiers.Src
		}
		return out + ")"
	case *Generic:
		return "GENERIC"
	case *IntervalMatch:
		return "INTERVALMATCH (" + names(append([]Name{p.Field}, p.Keys...)) + ")"
	case *Hierarchy:
		kw := "HIERARCHY"
		if p.BelongsTo {
			kw = "HIERARCHYBELONGSTO"
		}
		return kw + " (" + exprs(p.Args) + ")"
	case *First:
		return "FIRST " + p.Count.Src
	case *Sample:
		return "SAMPLE " + p.Probability.Src
	case *Add:
		if p.Only {
			return "ADD ONLY"
		}
		return "ADD"
	case *Replace:
		if p.Only {
			return "REPLACE ONLY"
		}
		return "REPLACE"
	case *Buffer:
		if p.Options == "" {
			return "BUFFER"
		}
		return "BUFFER (" + p.Options + ")"
	case *Semantic:
		return "SEMANTIC"
	}
	panic(fmt.Sprintf("BUG: script: no printer for prefix %T", pr))
}

// renderFormat renders a format specification with a leading blank, or ""
// for nil.
func renderFormat(f *FormatSpec) string {
	if f == nil {
		return ""
	}
	items := make([]string, len(f.Items))
	for i, it := range f.Items {
		items[i] = it.String()
	}
	return " (" + strings.Join(items, ", ") + ")"
}

// String renders the item as it is written in a format specification.
func (it FormatItem) String() string {
	switch it.Kind {
	case FmtCodepage:
		return "codepage is " + it.Value
	case FmtLabels:
		return it.Value + " labels"
	case FmtDelimiter:
		return "delimiter is " + quoteText(it.Value, it.Quote)
	case FmtQuotes:
		if it.Value == "msq" {
			return "msq"
		}
		return "no quotes"
	case FmtNoEOF:
		return "no eof"
	case FmtHeader, FmtRecord:
		kw := "header is "
		if it.Kind == FmtRecord {
			kw = "record is "
		}
		if it.Lines {
			return kw + it.Value + " lines"
		}
		return kw + it.Value
	case FmtComment:
		return "comment is " + quoteText(it.Value, it.Quote)
	case FmtTable:
		return "table is " + quoteText(it.Value, it.Quote)
	case FmtURL:
		return "URL is " + quoteText(it.Value, it.Quote)
	case FmtUserAgent:
		return "userAgent is " + quoteText(it.Value, it.Quote)
	}
	return it.Value
}
