package script

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Helpers building expected trees; offsets are left zero because
// EqualStmt ignores them.
func n(text string) Name            { return Name{Text: text} }
func nq(text string, q byte) Name   { return Name{Text: text, Quote: q} }
func pn(text string) *Name          { x := n(text); return &x }
func pnq(text string, q byte) *Name { x := nq(text, q); return &x }
func e(src string) Expr             { return Expr{Src: src} }
func pe(src string) *Expr           { x := e(src); return &x }
func es(srcs ...string) []Expr {
	out := make([]Expr, len(srcs))
	for i, s := range srcs {
		out[i] = e(s)
	}
	return out
}
func ns(texts ...string) []Name {
	out := make([]Name, len(texts))
	for i, s := range texts {
		out[i] = n(s)
	}
	return out
}
func fld(src string) Field                    { return Field{Expr: e(src)} }
func fas(src, alias string) Field             { return Field{Expr: e(src), Alias: pn(alias)} }
func star() Field                             { return Field{Expr: e("*"), Star: true} }
func item(k FormatKind, v string) FormatItem  { return FormatItem{Kind: k, Value: v} }
func fmtSpec(items ...FormatItem) *FormatSpec { return &FormatSpec{Items: items} }
func from(file Name, f *FormatSpec) *From     { return &From{File: file, Format: f} }

type stmtCase struct {
	name string
	src  string
	want Stmt
}

// runStmtCases parses each source as a script holding one statement and
// compares it with the expected tree, then checks that the printed
// statement parses back to the same tree.
func runStmtCases(t *testing.T, cases []stmtCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(c.src)
			require.NoError(t, err)
			require.Len(t, s.Stmts, 1, "statements of %q", c.src)
			require.True(t, EqualStmt(c.want, s.Stmts[0]), "got %#v", s.Stmts[0])
			checkSpans(t, c.src, 0, s.Stmts)
			out := FormatStmt(s.Stmts[0])
			again, err := Parse(out)
			require.NoError(t, err, "printed: %s", out)
			require.Len(t, again.Stmts, 1, "printed: %s", out)
			require.True(t, EqualStmt(s.Stmts[0], again.Stmts[0]), "printed: %s\n got %#v", out, again.Stmts[0])
		})
	}
}

func TestVariables(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{"set", "SET DateFormat='DD/MM/YYYY';", &Set{Name: n("DateFormat"), Value: e("'DD/MM/YYYY'")}},
		{"set keeps semicolons in quotes", "set MonthNames = 'Jan;Feb' ;", &Set{Name: n("MonthNames"), Value: e("'Jan;Feb'")}},
		{"set raw text", "SET vExpr = Sum([a b]) / 2 ;", &Set{Name: n("vExpr"), Value: e("Sum([a b]) / 2")}},
		{"set unbalanced is raw", "SET smiley = :-) ;", &Set{Name: n("smiley"), Value: e(":-)")}},
		{"set empty", "SET v = ;", &Set{Name: n("v"), Value: e("")}},
		{"set at end of script", "set a = 10", &Set{Name: n("a"), Value: e("10")}},
		{"let", "Let y=3+4;", &Let{Name: n("y"), Value: e("3+4")}},
		{"let spans lines", "LET x = If(a,\n  b,\n c);", &Let{Name: n("x"), Value: e("If(a,\n  b,\n c)")}},
		{"let empty", "LET x = ;", &Let{Name: n("x"), Value: e("")}},
		{"bare", "z=$(y)+1;", &Let{Name: n("z"), Value: e("$(y)+1"), Bare: true}},
		{"bare quoted", "[my var] = 'x';", &Let{Name: nq("my var", '['), Value: e("'x'"), Bare: true}},
		{"bare keyword name", "trace = 1;", &Let{Name: n("trace"), Value: e("1"), Bare: true}},
		{"dollar in name", "LET vFile$(i) = 'a';", &Let{Name: n("vFile$(i)"), Value: e("'a'")}},
		{"dollar name", "SET $(vName) = 1;", &Set{Name: n("$(vName)"), Value: e("1")}},
	})
}

func TestLoad(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{"star from", "LOAD * FROM [lib://data/x.csv];",
			&Load{Fields: []Field{star()}, Source: from(nq("lib://data/x.csv", '['), nil)}},
		{"label fields alias", "Airports:\nLOAD rowID AS id, Replace(Airport, 'Airport', '') as Name, City\nFROM x.csv;",
			&Load{Label: pn("Airports"), Fields: []Field{fas("rowID", "id"), fas("Replace(Airport, 'Airport', '')", "Name"), fld("City")},
				Source: from(n("x.csv"), nil)}},
		{"quoted label and aliases", `"Car Makers": LOAD "a b" AS [c d], x as 'e' FROM f;`,
			&Load{Label: pnq("Car Makers", '"'), Fields: []Field{{Expr: e(`"a b"`), Alias: pnq("c d", '[')}, {Expr: e("x"), Alias: pnq("e", '\'')}},
				Source: from(n("f"), nil)}},
		{"distinct", "LOAD DISTINCT a, b RESIDENT T;",
			&Load{Distinct: true, Fields: []Field{fld("a"), fld("b")}, Source: &Resident{Table: n("T")}}},
		{"field named distinct", "LOAD Distinct, b RESIDENT T;",
			&Load{Fields: []Field{fld("Distinct"), fld("b")}, Source: &Resident{Table: n("T")}}},
		{"column refs", "LOAD @1, @2 as B FROM x.txt (txt, no labels);",
			&Load{Fields: []Field{fld("@1"), fas("@2", "B")},
				Source: from(n("x.txt"), fmtSpec(item(FmtFileType, "txt"), item(FmtLabels, "no")))}},
		{"star and more", "LOAD *, a*2 as b RESIDENT T;",
			&Load{Fields: []Field{star(), fas("a*2", "b")}, Source: &Resident{Table: n("T")}}},
		{"preceding load", "LOAD *, Upper(x) as y;",
			&Load{Fields: []Field{star(), fas("Upper(x)", "y")}}},
		{"inline brackets", "T: LOAD * INLINE [\na, b\n1, 2\n];",
			&Load{Label: pn("T"), Fields: []Field{star()}, Source: &Inline{Data: "\na, b\n1, 2\n", Quote: '['}}},
		{"inline quotes with format", "LOAD * INLINE \"\na|b\n\" (txt, delimiter is '|');",
			&Load{Fields: []Field{star()}, Source: &Inline{Data: "\na|b\n", Quote: '"',
				Format: fmtSpec(item(FmtFileType, "txt"), FormatItem{Kind: FmtDelimiter, Value: "|", Quote: '\''})}}},
		{"resident quoted", "LOAD a RESIDENT [Old Orders];",
			&Load{Fields: []Field{fld("a")}, Source: &Resident{Table: nq("Old Orders", '[')}}},
		{"autogenerate where", "LOAD RecNo() as N AUTOGENERATE 255 Where (RecNo()>=32 and RecNo()<=126) or RecNo()>=160 ;",
			&Load{Fields: []Field{fas("RecNo()", "N")}, Source: &Autogenerate{Count: e("255")},
				Where: pe("(RecNo()>=32 and RecNo()<=126) or RecNo()>=160")}},
		{"autogenerate while", "LOAD IterNo() as I AUTOGENERATE 1 WHILE IterNo() <= $(n);",
			&Load{Fields: []Field{fas("IterNo()", "I")}, Source: &Autogenerate{Count: e("1")}, While: pe("IterNo() <= $(n)")}},
		{"while and where", "LOAD a AUTOGENERATE 1 WHILE i < 3 WHERE a > 1;",
			&Load{Fields: []Field{fld("a")}, Source: &Autogenerate{Count: e("1")}, While: pe("i < 3"), Where: pe("a > 1")}},
		{"from field", "LOAD * FROM_FIELD (Files, Content) (txt);",
			&Load{Fields: []Field{star()}, Source: &FromField{Table: n("Files"), Field: n("Content"), Format: fmtSpec(item(FmtFileType, "txt"))}}},
		{"extension", "LOAD * EXTENSION ep.Eval('x', T{a});",
			&Load{Fields: []Field{star()}, Source: &Extension{Call: e("ep.Eval('x', T{a})")}}},
		{"group by order by", "LOAD c, Sum(n) as s RESIDENT T GROUP BY c, d ORDER BY c DESC, d ASC, e;",
			&Load{Fields: []Field{fld("c"), fas("Sum(n)", "s")}, Source: &Resident{Table: n("T")},
				GroupBy: es("c", "d"), OrderBy: []OrderItem{{Expr: e("c"), Dir: SortDesc}, {Expr: e("d"), Dir: SortAsc}, {Expr: e("e")}}}},
		{"where before group by", "LOAD c RESIDENT T WHERE c > 1 GROUP BY c;",
			&Load{Fields: []Field{fld("c")}, Source: &Resident{Table: n("T")}, Where: pe("c > 1"), GroupBy: es("c")}},
		{"group as a field name", "LOAD group, order RESIDENT T ORDER BY group;",
			&Load{Fields: []Field{fld("group"), fld("order")}, Source: &Resident{Table: n("T")}, OrderBy: []OrderItem{{Expr: e("group")}}}},
		{"strings with separators", "LOAD 'a,b;c' & [x,y] as z, `p;q` FROM f;",
			&Load{Fields: []Field{fas("'a,b;c' & [x,y]", "z"), fld("`p;q`")}, Source: from(n("f"), nil)}},
		{"comments between fields", "LOAD a, // first\n /* second */ b // last\n FROM f;",
			&Load{Fields: []Field{fld("a"), fld("b")}, Source: from(n("f"), nil)}},
		{"keywords inside names", "LOAD x.from, from_x, [from] FROM f;",
			&Load{Fields: []Field{fld("x.from"), fld("from_x"), fld("[from]")}, Source: from(n("f"), nil)}},
		{"raw windows path", `LOAD * FROM C:\data\products.qvd (qvd);`,
			&Load{Fields: []Field{star()}, Source: from(n(`C:\data\products.qvd`), fmtSpec(item(FmtFileType, "qvd")))}},
		{"raw lib path", "LOAD * FROM lib://data/x.csv(txt);",
			&Load{Fields: []Field{star()}, Source: from(n("lib://data/x.csv"), fmtSpec(item(FmtFileType, "txt")))}},
		{"string file name", "LOAD * FROM 'my file.csv';",
			&Load{Fields: []Field{star()}, Source: from(nq("my file.csv", '\''), nil)}},
	})
}

func TestPrefixes(t *testing.T) {
	res := &Resident{Table: n("T")}
	load := func(pr ...Prefix) *Load { return &Load{Prefixes: pr, Fields: []Field{star()}, Source: res} }
	runStmtCases(t, []stmtCase{
		{"concatenate", "CONCATENATE LOAD * RESIDENT T;", load(&Concatenate{})},
		{"concatenate table", "Concatenate([Old Orders]) LOAD * RESIDENT T;", load(&Concatenate{Table: pnq("Old Orders", '[')})},
		{"noconcatenate", "NoConcatenate LOAD * RESIDENT T;", load(&NoConcatenate{})},
		{"join", "JOIN LOAD * RESIDENT T;", load(&Join{})},
		{"inner join", "Inner Join (A) LOAD * RESIDENT T;", load(&Join{Kind: JoinInner, Table: pn("A")})},
		{"outer join", "outer join LOAD * RESIDENT T;", load(&Join{Kind: JoinOuter})},
		{"left join", "LEFT JOIN (A) LOAD * RESIDENT T;", load(&Join{Kind: JoinLeft, Table: pn("A")})},
		{"right join", "Right Join LOAD * RESIDENT T;", load(&Join{Kind: JoinRight})},
		{"inner keep", "INNER KEEP (A) LOAD * RESIDENT T;", load(&Keep{Kind: JoinInner, Table: pn("A")})},
		{"left keep", "left keep LOAD * RESIDENT T;", load(&Keep{Kind: JoinLeft})},
		{"right keep", "Right Keep (A) LOAD * RESIDENT T;", load(&Keep{Kind: JoinRight, Table: pn("A")})},
		{"mapping", "M: MAPPING LOAD * RESIDENT T;", &Load{Label: pn("M"), Prefixes: []Prefix{&Mapping{}}, Fields: []Field{star()}, Source: res}},
		{"crosstable", "CrossTable(Month, Sales) LOAD * RESIDENT T;", load(&Crosstable{Attribute: n("Month"), Data: n("Sales")})},
		{"crosstable qualifiers", "CROSSTABLE ([Month Name], \"Sales\", $(n)) LOAD * RESIDENT T;",
			load(&Crosstable{Attribute: nq("Month Name", '['), Data: nq("Sales", '"'), Qualifiers: pe("$(n)")})},
		{"generic", "Generic LOAD * RESIDENT T;", load(&Generic{})},
		{"intervalmatch", "IntervalMatch (Date) LOAD * RESIDENT T;", load(&IntervalMatch{Field: n("Date")})},
		{"intervalmatch keys", "INTERVALMATCH (Date, K1, [K 2]) LOAD * RESIDENT T;",
			load(&IntervalMatch{Field: n("Date"), Keys: []Name{n("K1"), nq("K 2", '[')}})},
		{"hierarchy", "Hierarchy(NodeID, ParentID, Title, , , Path, '/', Depth) LOAD * RESIDENT T;",
			load(&Hierarchy{Args: es("NodeID", "ParentID", "Title", "", "", "Path", "'/'", "Depth")})},
		{"hierarchybelongsto", "HierarchyBelongsTo (N, P, T, A, AN) LOAD * RESIDENT T;",
			load(&Hierarchy{BelongsTo: true, Args: es("N", "P", "T", "A", "AN")})},
		{"first", "FIRST 10 LOAD * RESIDENT T;", load(&First{Count: e("10")})},
		{"first expansion", "First $(vRows) Load * RESIDENT T;", load(&First{Count: e("$(vRows)")})},
		{"first expression", "First (1+2)*3 LOAD * RESIDENT T;", load(&First{Count: e("(1+2)*3")})},
		{"sample", "Sample 0.05 LOAD * RESIDENT T;", load(&Sample{Probability: e("0.05")})},
		{"add", "ADD LOAD * RESIDENT T;", load(&Add{})},
		{"add only", "Add Only LOAD * RESIDENT T;", load(&Add{Only: true})},
		{"replace", "Replace LOAD * RESIDENT T;", load(&Replace{})},
		{"replace only", "REPLACE ONLY LOAD * RESIDENT T;", load(&Replace{Only: true})},
		{"buffer", "Buffer LOAD * RESIDENT T;", load(&Buffer{})},
		{"buffer options", "BUFFER (Stale after 7 days) LOAD * RESIDENT T;", load(&Buffer{Options: "Stale after 7 days"})},
		{"semantic", "Semantic LOAD * RESIDENT T;", load(&Semantic{})},
		{"several", "T2: First 5 NoConcatenate LOAD * RESIDENT T;",
			&Load{Label: pn("T2"), Prefixes: []Prefix{&First{Count: e("5")}, &NoConcatenate{}}, Fields: []Field{star()}, Source: res}},
		{"prefixes on separate lines", "Left Join (A)\nCrossTable(M, S, 2)\nLOAD * RESIDENT T;",
			load(&Join{Kind: JoinLeft, Table: pn("A")}, &Crosstable{Attribute: n("M"), Data: n("S"), Qualifiers: pe("2")})},
	})
}

func TestSQL(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{"sql select", "SQL SELECT a, \"b c\" FROM dbo.T WHERE x = 'a;b';",
			&SQL{Keyword: true, Command: "SELECT a, \"b c\" FROM dbo.T WHERE x = 'a;b'"}},
		{"bare select with label", "TableA:\nSELECT A;", &SQL{Label: pn("TableA"), Command: "SELECT A"}},
		{"sql other command", "SQL EXEC dbo.proc 1;", &SQL{Keyword: true, Command: "EXEC dbo.proc 1"}},
		{"prefixes", "Concatenate (T) SQL\n  SELECT 1\n  FROM x;", &SQL{Prefixes: []Prefix{&Concatenate{Table: pn("T")}}, Keyword: true, Command: "SELECT 1\n  FROM x"}},
		{"mapping select", "M: Mapping SELECT k, v FROM m;", &SQL{Label: pn("M"), Prefixes: []Prefix{&Mapping{}}, Command: "SELECT k, v FROM m"}},
	})
}

func TestFormatSpecItems(t *testing.T) {
	cases := []struct {
		src  string
		want FormatItem
	}{
		{"txt", item(FmtFileType, "txt")},
		{"OOXML", item(FmtFileType, "ooxml")},
		{"qvd", item(FmtFileType, "qvd")},
		{"XmlSimple", item(FmtFileType, "xmlsimple")},
		{"parquet", item(FmtFileType, "parquet")},
		{"UTF-8", item(FmtCharset, "utf8")},
		{"utf8", item(FmtCharset, "utf8")},
		{"Unicode", item(FmtCharset, "unicode")},
		{"ansi", item(FmtCharset, "ansi")},
		{"codepage is 1252", item(FmtCodepage, "1252")},
		{"embedded labels", item(FmtLabels, "embedded")},
		{"Explicit  Labels", item(FmtLabels, "explicit")},
		{"no labels", item(FmtLabels, "no")},
		{"delimiter is ','", FormatItem{Kind: FmtDelimiter, Value: ",", Quote: '\''}},
		{`delimiter is '\t'`, FormatItem{Kind: FmtDelimiter, Value: `\t`, Quote: '\''}},
		{"delimiter is tab", item(FmtDelimiter, "tab")},
		{"delimiter is spaces", item(FmtDelimiter, "spaces")},
		{"delimiter is |", item(FmtDelimiter, "|")},
		{"delimiter is '::'", FormatItem{Kind: FmtDelimiter, Value: "::", Quote: '\''}},
		{"delimiter is ''''", FormatItem{Kind: FmtDelimiter, Value: "'", Quote: '\''}},
		{"msq", item(FmtQuotes, "msq")},
		{"no quotes", item(FmtQuotes, "none")},
		{"no eof", item(FmtNoEOF, "")},
		{"header is 2 lines", FormatItem{Kind: FmtHeader, Value: "2", Lines: true}},
		{"header is 1 line", FormatItem{Kind: FmtHeader, Value: "1", Lines: true}},
		{"header is 10", item(FmtHeader, "10")},
		{"header is $(h) lines", FormatItem{Kind: FmtHeader, Value: "$(h)", Lines: true}},
		{"record is 80", item(FmtRecord, "80")},
		{"comment is '#'", FormatItem{Kind: FmtComment, Value: "#", Quote: '\''}},
		{"comment is '//'", FormatItem{Kind: FmtComment, Value: "//", Quote: '\''}},
		{"comment is #", item(FmtComment, "#")},
		{"table is [Sheet 1$]", FormatItem{Kind: FmtTable, Value: "Sheet 1$", Quote: '['}},
		{"table is Sheet1", item(FmtTable, "Sheet1")},
		{"table is @1", item(FmtTable, "@1")},
		{"URL is 'http://x/y'", FormatItem{Kind: FmtURL, Value: "http://x/y", Quote: '\''}},
		{"userAgent is 'Mozilla'", FormatItem{Kind: FmtUserAgent, Value: "Mozilla", Quote: '\''}},
		{"filters(Remove(Row, Pos(Top, 1)))", item(FmtOther, "filters(Remove(Row, Pos(Top, 1)))")},
		{"$(vFormat)", item(FmtOther, "$(vFormat)")},
		{"header is many", item(FmtOther, "header is many")},
		{"compression is snappy", item(FmtOther, "compression is snappy")},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			src := "LOAD * FROM f (" + c.src + ");"
			s, err := Parse(src)
			require.NoError(t, err)
			f := s.Stmts[0].(*Load).Source.(*From).Format
			require.Len(t, f.Items, 1)
			got := f.Items[0]
			require.Equal(t, 15, got.Pos)
			got.Pos = 0
			require.Equal(t, c.want, got)
			again, err := Parse(FormatStmt(s.Stmts[0]))
			require.NoError(t, err)
			require.True(t, Equal(s, again), "printed: %s", FormatStmt(s.Stmts[0]))
		})
	}
}

func TestFormatSpecAccessors(t *testing.T) {
	s, err := Parse(`LOAD * FROM f (txt, codepage is 1252, no labels, delimiter is '\t', msq, header is 3 lines, record is 10, ` +
		`comment is '#', table is [S 1], URL is 'u', userAgent is 'a', no eof, filters(x), utf8);`)
	require.NoError(t, err)
	f := s.Stmts[0].(*Load).Source.(*From).Format
	require.Equal(t, "txt", f.FileType())
	require.Equal(t, "utf8", f.Charset())
	cp, ok := f.Codepage()
	require.True(t, ok)
	require.Equal(t, 1252, cp)
	require.Equal(t, LabelsNone, f.Labels())
	d, spaces, ok := f.Delimiter()
	require.Equal(t, []any{"\t", false, true}, []any{d, spaces, ok})
	require.Equal(t, QuotingMSQ, f.Quoting())
	h, lines, ok := f.Header()
	require.Equal(t, []any{3, true, true}, []any{h, lines, ok})
	r, lines, ok := f.Record()
	require.Equal(t, []any{10, false, true}, []any{r, lines, ok})
	c, _ := f.Comment()
	require.Equal(t, "#", c)
	tb, _ := f.Table()
	require.Equal(t, "S 1", tb)
	u, _ := f.URL()
	require.Equal(t, "u", u)
	a, _ := f.UserAgent()
	require.Equal(t, "a", a)
	require.True(t, f.NoEOF())
	require.Equal(t, []string{"filters(x)"}, f.Others())

	var none *FormatSpec
	require.Equal(t, "", none.FileType())
	require.Equal(t, LabelsDefault, none.Labels())
	require.Equal(t, QuotingStandard, none.Quoting())
	_, _, ok = none.Delimiter()
	require.False(t, ok)
	_, _, ok = none.Header()
	require.False(t, ok)
	require.False(t, none.NoEOF())

	for src, want := range map[string][2]any{
		"delimiter is tab":    {"\t", false},
		"delimiter is spaces": {" ", true},
		"delimiter is ';'":    {";", false},
		"embedded labels":     {"", false},
	} {
		s, err := Parse("LOAD * FROM f (" + src + ");")
		require.NoError(t, err)
		f := s.Stmts[0].(*Load).Source.(*From).Format
		d, spaces, _ := f.Delimiter()
		require.Equal(t, want, [2]any{d, spaces}, src)
	}
	s, err = Parse("LOAD * FROM f (embedded labels, no quotes, header is $(h));")
	require.NoError(t, err)
	f = s.Stmts[0].(*Load).Source.(*From).Format
	require.Equal(t, LabelsEmbedded, f.Labels())
	require.Equal(t, QuotingNone, f.Quoting())
	_, _, ok = f.Header()
	require.False(t, ok, "header is $(h) is not a number before expansion")
}

func TestRegularStatements(t *testing.T) {
	runStmtCases(t, []stmtCase{
		{"qualify star", "QUALIFY *;", &Qualify{Fields: ns("*")}},
		{"qualify list", `Qualify "*ID", Name, B*x?;`, &Qualify{Fields: []Name{nq("*ID", '"'), n("Name"), n("B*x?")}}},
		{"unqualify", "UNQUALIFY OrderID, [Customer ID];", &Unqualify{Fields: []Name{n("OrderID"), nq("Customer ID", '[')}}},
		{"rename table", "Rename Table Orders to OrderLines, Regions TO Areas;", &Rename{Tables: true, Pairs: []RenamePair{{n("Orders"), n("OrderLines")}, {n("Regions"), n("Areas")}}}},
		{"rename field", "RENAME FIELD a TO [b c];", &Rename{Pairs: []RenamePair{{n("a"), nq("b c", '[')}}}},
		{"rename using", "RENAME FIELDS USING FieldMap;", &Rename{Using: pn("FieldMap")}},
		{"rename tables using", "Rename Tables Using TMap;", &Rename{Tables: true, Using: pn("TMap")}},
		{"drop table", "drop table Orders, Salesmen, T456a;", &Drop{Tables: true, Names: ns("Orders", "Salesmen", "T456a")}},
		{"drop tables expansion", "DROP TABLES [B C], $(vTable);", &Drop{Tables: true, Names: []Name{nq("B C", '['), n("$(vTable)")}}},
		{"drop field", "Drop Field Temp;", &Drop{Names: ns("Temp")}},
		{"drop fields from", "DROP FIELDS A, B* FROM T1, T2;", &Drop{Names: ns("A", "B*"), From: ns("T1", "T2")}},
		{"store", "Store Orders into [lib://out/o.qvd] (qvd);", &Store{Table: n("Orders"), File: nq("lib://out/o.qvd", '['), Format: fmtSpec(item(FmtFileType, "qvd"))}},
		{"store raw path", "STORE T INTO $(vDir)t.qvd;", &Store{Table: n("T"), File: n("$(vDir)t.qvd")}},
		{"store star from", "STORE * from Orders into o.csv (txt, delimiter is ';');",
			&Store{Fields: []StoreField{{Name: n("*")}}, Table: n("Orders"), File: n("o.csv"),
				Format: fmtSpec(item(FmtFileType, "txt"), FormatItem{Kind: FmtDelimiter, Value: ";", Quote: '\''})}},
		{"store fields", "STORE OrderID, Amount as Value FROM Orders INTO o.parquet (parquet);",
			&Store{Fields: []StoreField{{Name: n("OrderID")}, {Name: n("Amount"), Alias: pn("Value")}}, Table: n("Orders"), File: n("o.parquet"),
				Format: fmtSpec(item(FmtFileType, "parquet"))}},
		{"map", "Map A, B, C Using X;", &Map{Fields: ns("A", "B", "C"), Using: n("X")}},
		{"map star", "Map * Using GenMap;", &Map{Fields: ns("*"), Using: n("GenMap")}},
		{"unmap", "Unmap * ;", &Unmap{Fields: ns("*")}},
		{"loosen", "Loosen Table Orders;", &Loosen{Tables: ns("Orders")}},
		{"loosen tables", "LOOSEN TABLES A, B;", &Loosen{Tables: ns("A", "B")}},
		{"nullasvalue", "NullAsValue *;", &NullAsValue{Fields: ns("*")}},
		{"nullasnull", "NULLASNULL A, B;", &NullAsNull{Fields: ns("A", "B")}},
		{"tag with", "Tag Field Amount with '$numeric';", &Tag{Fields: ns("Amount"), With: pnq("$numeric", '\'')}},
		{"tag fields list", "TAG FIELDS a, b WITH 'x';", &Tag{Fields: ns("a", "b"), With: pnq("x", '\'')}},
		{"tag using", "TAG FIELDS USING TagMap;", &Tag{Using: pn("TagMap")}},
		{"tag without field keyword", "Tag a, b using M;", &Tag{Fields: ns("a", "b"), Using: pn("M")}},
		{"untag", "Untag Field Amount with '$numeric';", &Untag{Fields: ns("Amount"), With: pnq("$numeric", '\'')}},
		{"comment field", `Comment Field Dim1 With "This is a field comment";`, &Comment{Names: ns("Dim1"), With: pnq("This is a field comment", '"')}},
		{"comment table", "Comment Table Orders with 'The orders';", &Comment{Tables: true, Names: ns("Orders"), With: pnq("The orders", '\'')}},
		{"comment using", "COMMENT FIELDS USING CMap;", &Comment{Using: pn("CMap")}},
		{"comment default field", "Comment x with 'y';", &Comment{Names: ns("x"), With: pnq("y", '\'')}},
		{"alias", "Alias A as Name, B as Number, C as Date;", &Alias{Pairs: []AliasPair{{n("A"), n("Name")}, {n("B"), n("Number")}, {n("C"), n("Date")}}}},
		{"binary", "Binary lib://MyData/customer.qvw;", &Binary{File: n("lib://MyData/customer.qvw")}},
		{"binary path", `Binary c:\\qv\\customer.qvw;`, &Binary{File: n(`c:\\qv\\customer.qvw`)}},
		{"section access", "Section Access;", &Section{Access: true}},
		{"section application", "SECTION APPLICATION;", &Section{}},
		{"directory", "Directory lib://data/;", &Directory{Path: pn("lib://data/")}},
		{"directory reset", "DIRECTORY;", &Directory{}},
		{"lib connect", "LIB CONNECT TO 'Tutorial ODBC';", &LibConnect{Name: nq("Tutorial ODBC", '\'')}},
		{"lib connect unquoted", "LIB CONNECT TO myconnection;", &LibConnect{Name: n("myconnection")}},
		{"odbc connect", "ODBC CONNECT32 TO [Northwind;DBQ=C:\\nw.mdb] (XUserId is a);", &Connect{Provider: "ODBC", Text: "CONNECT32 TO [Northwind;DBQ=C:\\nw.mdb] (XUserId is a)"}},
		{"oledb connect", "OLEDB CONNECT TO [Provider=x;Data Source=y];", &Connect{Provider: "OLEDB", Text: "CONNECT TO [Provider=x;Data Source=y]"}},
		{"connect", "CONNECT TO 'dsn';", &Connect{Text: "CONNECT TO 'dsn'"}},
		{"disconnect", "Disconnect;", &Disconnect{}},
		{"trace", "Trace Loaded $(vRows) rows from 'a;b' ;", &Trace{Text: "Loaded $(vRows) rows from 'a;b'"}},
		{"trace empty", "TRACE;", &Trace{}},
		{"sleep", "Sleep 1000;", &Sleep{Duration: e("1000")}},
		{"execute", "Execute cmd.exe /C dir;", &Execute{Command: "cmd.exe /C dir"}},
		{"force capital", "Force Capital;", &Force{Mode: ForceCapital}},
		{"force case upper", "force case upper;", &Force{Mode: ForceUpper}},
		{"force case lower", "FORCE CASE LOWER;", &Force{Mode: ForceLower}},
		{"force case mixed", "FORCE CASE MIXED;", &Force{Mode: ForceMixed}},
		{"search include", "Search Include *;", &Search{Fields: ns("*")}},
		{"search exclude", "Search Exclude [*ID], '*Key';", &Search{Exclude: true, Fields: []Name{nq("*ID", '['), nq("*Key", '\'')}}},
		{"declare", "Cal: Declare Field Definition Tagged '$date' Fields Year($1) As Year;",
			&Declare{Label: pn("Cal"), Text: "Field Definition Tagged '$date' Fields Year($1) As Year"}},
		{"derive", "Derive Fields from Fields OrderDate using Cal;", &Derive{Text: "Fields from Fields OrderDate using Cal"}},
		{"when", "When $(vDebug) = 1 Trace Debug;", &When{Cond: Condition{Kind: CondWhen, Expr: e("$(vDebug) = 1")}, Stmt: &Trace{Text: "Debug"}}},
		{"unless", "Unless IsNull(x) LET y = 1;", &When{Cond: Condition{Kind: CondUnless, Expr: e("IsNull(x)")}, Stmt: &Let{Name: n("y"), Value: e("1")}}},
		{"when with function named like a prefix", "T: When Left(m, 1) = 'F' Concatenate (O) LOAD * RESIDENT X;",
			&When{Cond: Condition{Kind: CondWhen, Expr: e("Left(m, 1) = 'F'")},
				Stmt: &Load{Label: pn("T"), Prefixes: []Prefix{&Concatenate{Table: pn("O")}}, Fields: []Field{star()}, Source: &Resident{Table: n("X")}}}},
		{"when exit", "When vStop Exit Script", &When{Cond: Condition{Kind: CondWhen, Expr: e("vStop")}, Stmt: &Exit{Kind: ExitScript}}},
		{"tab", "///$tab Main\n", &Tab{Name: "Main"}},
	})
}

func TestControlStatements(t *testing.T) {
	trace := func(s string) *Trace { return &Trace{Text: s} }
	runStmtCases(t, []stmtCase{
		{"if", "IF a > 1 THEN\n  TRACE x;\nEND IF", &If{Cond: e("a > 1"), Then: []Stmt{trace("x")}}},
		{"if elseif else", "If $(v) > 0 Then\nTRACE a;\nElseIf v = 0 Then\nTRACE b;\nTRACE c;\nElse\nTRACE d;\nEnd If",
			&If{Cond: e("$(v) > 0"), Then: []Stmt{trace("a")},
				ElseIfs: []*ElseIf{{Cond: e("v = 0"), Body: []Stmt{trace("b"), trace("c")}}},
				Else:    &Else{Body: []Stmt{trace("d")}}}},
		{"if on one line", "if a = 1 then let b = 2; else let b = 3; end if",
			&If{Cond: e("a = 1"), Then: []Stmt{&Let{Name: n("b"), Value: e("2")}}, Else: &Else{Body: []Stmt{&Let{Name: n("b"), Value: e("3")}}}}},
		{"endif", "IF x THEN\nENDIF", &If{Cond: e("x")}},
		{"if with if function", "IF If(a, b, c) = 1 THEN\nEND IF;", &If{Cond: e("If(a, b, c) = 1")}},
		{"nested", "IF a THEN\n IF b THEN\n  TRACE x;\n END IF\nEND IF",
			&If{Cond: e("a"), Then: []Stmt{&If{Cond: e("b"), Then: []Stmt{trace("x")}}}}},
		{"for", "FOR i = 1 TO $(vMax) STEP 2\n  LET x = i;\nNEXT i",
			&For{Var: n("i"), From: e("1"), To: e("$(vMax)"), Step: pe("2"), Body: []Stmt{&Let{Name: n("x"), Value: e("i")}}, Next: pn("i")}},
		{"for with comment", "For i=0 to NoOfRows('T')-1 // all rows\nNext", &For{Var: n("i"), From: e("0"), To: e("NoOfRows('T')-1")}},
		{"for semicolons", "FOR i = 1 TO 3;\nNEXT i;", &For{Var: n("i"), From: e("1"), To: e("3"), Next: pn("i")}},
		{"for each", "For Each vFile in FileList('lib://d/*.csv'), 'x.csv'\n  TRACE $(vFile);\nNext vFile",
			&ForEach{Var: n("vFile"), Items: es("FileList('lib://d/*.csv')", "'x.csv'"), Body: []Stmt{trace("$(vFile)")}, Next: pn("vFile")}},
		{"for each expansion", "FOR EACH v IN $(vList)\nNEXT", &ForEach{Var: n("v"), Items: es("$(vList)")}},
		{"for each as a variable", "FOR each = 1 TO 2\nNEXT", &For{Var: n("each"), From: e("1"), To: e("2")}},
		{"exit for", "FOR i = 1 TO 3\n  EXIT FOR WHEN i > 2\n  Exit For\nNEXT",
			&For{Var: n("i"), From: e("1"), To: e("3"), Body: []Stmt{
				&Exit{Kind: ExitFor, Cond: &Condition{Kind: CondWhen, Expr: e("i > 2")}}, &Exit{Kind: ExitFor}}}},
		{"do while", "Do While i < 10\n  LET i = i + 1;\n  Exit Do Unless i < 5\nLoop",
			&Do{Pre: &Condition{Kind: CondWhile, Expr: e("i < 10")}, Body: []Stmt{
				&Let{Name: n("i"), Value: e("i + 1")}, &Exit{Kind: ExitDo, Cond: &Condition{Kind: CondUnless, Expr: e("i < 5")}}}}},
		{"do loop until", "DO\nLOOP UNTIL i <= 0", &Do{Post: &Condition{Kind: CondUntil, Expr: e("i <= 0")}}},
		{"do until loop while", "DO UNTIL a\nLOOP WHILE b", &Do{Pre: &Condition{Kind: CondUntil, Expr: e("a")}, Post: &Condition{Kind: CondWhile, Expr: e("b")}}},
		{"sub", "Sub LoadTable(pName, pFile)\n  [$(pName)]: LOAD * FROM [$(pFile)] (qvd);\n  Exit Sub\nEND SUB",
			&Sub{Name: n("LoadTable"), Params: ns("pName", "pFile"), Body: []Stmt{
				&Load{Label: pnq("$(pName)", '['), Fields: []Field{star()}, Source: from(nq("$(pFile)", '['), fmtSpec(item(FmtFileType, "qvd")))},
				&Exit{Kind: ExitSub}}}},
		{"sub without params", "SUB Lib.Empty\nENDSUB", &Sub{Name: n("Lib.Empty")}},
		{"sub empty params", "SUB x()\nEND SUB", &Sub{Name: n("x")}},
		{"call", "CALL LoadTable('Orders', 'lib://d/o.qvd', f(1, 2));", &Call{Name: n("LoadTable"), Args: es("'Orders'", "'lib://d/o.qvd'", "f(1, 2)")}},
		{"call no args", "Call Empty", &Call{Name: n("Empty")}},
		{"call empty args", "Call Empty()", &Call{Name: n("Empty")}},
		{"switch", "SWITCH vMode\nCASE 1, 2\n  TRACE a;\nCase 'three'\nDEFAULT\n  TRACE d;\nEND SWITCH",
			&Switch{Expr: e("vMode"), Cases: []*Case{{Values: es("1", "2"), Body: []Stmt{trace("a")}}, {Values: es("'three'")}},
				Default: &Default{Body: []Stmt{trace("d")}}}},
		{"exit script", "EXIT SCRIPT;", &Exit{Kind: ExitScript}},
		{"exit script when", "Exit Script When a = 1", &Exit{Kind: ExitScript, Cond: &Condition{Kind: CondWhen, Expr: e("a = 1")}}},
		{"labels named like clauses", "IF x THEN\nNext: LOAD * RESIDENT T;\nDefault: LOAD * RESIDENT T;\nEND IF",
			&If{Cond: e("x"), Then: []Stmt{
				&Load{Label: pn("Next"), Fields: []Field{star()}, Source: &Resident{Table: n("T")}},
				&Load{Label: pn("Default"), Fields: []Field{star()}, Source: &Resident{Table: n("T")}}}}},
	})
}

func TestCommentsAndTabs(t *testing.T) {
	src := "///$tab Main\r\n// line comment; with semicolon\r\nREM a rem comment\nthat spans lines;\n/* block; comment */\n" +
		"SET a = 1; // trailing\n///$tab Second tab\nrem another;SET b = 2;\nREM at the end without semicolon"
	s, err := Parse(src)
	require.NoError(t, err)
	want := []Stmt{&Tab{Name: "Main"}, &Set{Name: n("a"), Value: e("1")}, &Tab{Name: "Second tab"}, &Set{Name: n("b"), Value: e("2")}}
	require.True(t, Equal(&Script{Stmts: want}, s), "got %#v", s.Stmts)
	require.Equal(t, "///$tab Main", s.Stmts[0].Info().Text)
	// A REM not at the start of a statement is a name.
	s, err = Parse("LET rem = 1; LOAD rem RESIDENT T;")
	require.NoError(t, err)
	require.Len(t, s.Stmts, 2)
	require.Equal(t, "rem", s.Stmts[1].(*Load).Fields[0].Expr.Src)
	// An empty script, and one with only comments.
	for _, src := range []string{"", "  \n\t", "// script1\n", "/* x */;;", "\uFEFF// BOM\n"} {
		s, err := Parse(src)
		require.NoError(t, err, "%q", src)
		require.Empty(t, s.Stmts, "%q", src)
	}
}

func TestUnexpanded(t *testing.T) {
	cases := []struct {
		src  string
		want []Stmt
	}{
		{"$(Include=lib://scripts/common.qvs);", []Stmt{&Unexpanded{StmtInfo{Text: "$(Include=lib://scripts/common.qvs)"}}}},
		{"$(vLoad)\nLOAD * RESIDENT T;", []Stmt{&Unexpanded{StmtInfo{Text: "$(vLoad)\nLOAD * RESIDENT T"}}}},
		{"$(vPrefix) LOAD * FROM x;", []Stmt{&Unexpanded{StmtInfo{Text: "$(vPrefix) LOAD * FROM x"}}}},
		{"T: LOAD * RESIDENT Orders $(vWhereClause) // c\n;", []Stmt{&Unexpanded{StmtInfo{Text: "T: LOAD * RESIDENT Orders $(vWhereClause)"}}}},
		{"Concatenate $(vTable) LOAD a;", []Stmt{&Unexpanded{StmtInfo{Text: "Concatenate $(vTable) LOAD a"}}}},
		{"DROP $(vKind) T; SET x = 1;", []Stmt{&Unexpanded{StmtInfo{Text: "DROP $(vKind) T"}}, &Set{Name: n("x"), Value: e("1")}}},
		{"When x $(vStmt);", []Stmt{&Unexpanded{StmtInfo{Text: "When x $(vStmt)"}}}},
		// Not unexpanded: labels and assignments whose name is an expansion.
		{"$(vT): LOAD a RESIDENT T;", []Stmt{&Load{Label: pn("$(vT)"), Fields: []Field{fld("a")}, Source: &Resident{Table: n("T")}}}},
		{"$(vT)_2: LOAD a RESIDENT T;", []Stmt{&Load{Label: pn("$(vT)_2"), Fields: []Field{fld("a")}, Source: &Resident{Table: n("T")}}}},
		{"$(v) = 1;", []Stmt{&Let{Name: n("$(v)"), Value: e("1"), Bare: true}}},
	}
	for _, c := range cases {
		s, err := Parse(c.src)
		require.NoError(t, err, c.src)
		require.True(t, Equal(&Script{Stmts: c.want}, s), "%q: got %#v", c.src, s.Stmts)
		again, err := Parse(Format(s))
		require.NoError(t, err)
		require.True(t, Equal(s, again), "printed %q", Format(s))
	}
}

// TestDollarExpansions checks that $(...) is one opaque piece wherever it
// stands, even when it holds characters that would otherwise end the
// construct.
func TestDollarExpansions(t *testing.T) {
	s, err := Parse("LOAD $(=Concat(F, ',')) AS [$(vName)], Sum($(vField)) AS x$(i), 'fmt $(=Date(Today(), 'YYYY'))' AS y\n" +
		"FROM $(vPath)\\file_$(=';').qvd ($(vFmt), header is $(h) lines) WHERE f($(v)) > 0;\n" +
		"FIRST $(n) LOAD * AUTOGENERATE $(rows);\n" +
		"TRACE $(=';');\n" +
		"LOAD * FROM [lib://x/$(=']').csv];")
	require.NoError(t, err)
	want := []Stmt{
		&Load{
			Fields: []Field{
				{Expr: e("$(=Concat(F, ','))"), Alias: pnq("$(vName)", '[')},
				{Expr: e("Sum($(vField))"), Alias: pn("x$(i)")},
				{Expr: e("'fmt $(=Date(Today(), 'YYYY'))'"), Alias: pn("y")},
			},
			Source: from(n(`$(vPath)\file_$(=';').qvd`), fmtSpec(item(FmtOther, "$(vFmt)"), FormatItem{Kind: FmtHeader, Value: "$(h)", Lines: true})),
			Where:  pe("f($(v)) > 0"),
		},
		&Load{Prefixes: []Prefix{&First{Count: e("$(n)")}}, Fields: []Field{star()}, Source: &Autogenerate{Count: e("$(rows)")}},
		&Trace{Text: "$(=';')"},
		&Load{Fields: []Field{star()}, Source: from(nq("lib://x/$(=']').csv", '['), nil)},
	}
	require.True(t, Equal(&Script{Stmts: want}, s), "%#v", s.Stmts)
	ld := s.Stmts[0].(*Load)
	require.True(t, ld.Fields[1].Expr.HasExpansion())
	require.True(t, ld.Fields[0].Alias.HasExpansion())
	require.False(t, ld.Fields[2].Alias.HasExpansion())
	again, err := Parse(Format(s))
	require.NoError(t, err)
	require.True(t, Equal(s, again), Format(s))

	// An unmatched $( is plain text inside quotes, and an unclosed
	// parenthesis in an expression.
	s, err = Parse("LOAD 'cost $(' AS x RESIDENT T;")
	require.NoError(t, err)
	require.Equal(t, "'cost $('", s.Stmts[0].(*Load).Fields[0].Expr.Src)
	_, err = Parse("LOAD $(x AS y RESIDENT T;")
	require.ErrorContains(t, err, `1:7: unclosed "(" in expression`)
}

// TestURLsAreNotComments checks that "//" after ':' (lib://, http://) is
// text, while other "//" start comments, in every kind of scan.
func TestURLsAreNotComments(t *testing.T) {
	s, err := Parse("SET vPath = lib://data/;\nTRACE see http://x.com/a; LET a = 1;\n" +
		"LOAD * FROM lib://d/x.csv // the file\n;\nLOAD * FROM x.csv// c\n(txt);\nBinary lib://apps/b.qvf;")
	require.NoError(t, err)
	want := []Stmt{
		&Set{Name: n("vPath"), Value: e("lib://data/")},
		&Trace{Text: "see http://x.com/a"},
		&Let{Name: n("a"), Value: e("1")},
		&Load{Fields: []Field{star()}, Source: from(n("lib://d/x.csv"), nil)},
		&Load{Fields: []Field{star()}, Source: from(n("x.csv"), fmtSpec(item(FmtFileType, "txt")))},
		&Binary{File: n("lib://apps/b.qvf")},
	}
	require.True(t, Equal(&Script{Stmts: want}, s), "%#v", s.Stmts)
	again, err := Parse(Format(s))
	require.NoError(t, err)
	require.True(t, Equal(s, again))
}
