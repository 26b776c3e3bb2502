package script

import "strings"

// Script is a parsed load script: its source text and its top-level
// statements, with control statements (IF, FOR, DO, SUB, SWITCH) holding
// their bodies.
type Script struct {
	Src   string // the source text the offsets of all nodes refer to
	Stmts []Stmt // top-level statements, in source order
}

// Position converts a byte offset of s.Src to a line and column.
func (s *Script) Position(off int) Position { return NewLineIndex(s.Src).Position(off) }

// StmtInfo is the source span of a statement. For a control block (IF, FOR,
// FOR EACH, DO, SUB, SWITCH) it covers the opening clause only ("IF x THEN",
// "FOR i = 1 TO 10"), and every later clause (ELSEIF, CASE ...) has its own.
type StmtInfo struct {
	Pos  int    // byte offset of the first token (the label, when there is one)
	End  int    // byte offset just past the last token; a terminating ';' is not included
	Text string // the raw source text between Pos and End, still holding any $(...)
}

// Info returns the statement's source span.
func (i *StmtInfo) Info() *StmtInfo { return i }

// Stmt is a statement of a load script. The concrete types are the
// pointer types of this package whose names follow the statement keyword
// (*Load, *Set, *If, ...).
type Stmt interface {
	// Info returns the statement's raw source text and position: the
	// interpreter expands $(...) in Text and re-parses it with
	// ParseStatement(expanded, Info().Pos).
	Info() *StmtInfo
	stmtNode()
}

// Expr is an expression kept as source text: the parser finds where an
// expression starts and ends (respecting quotes, brackets, parentheses and
// $(...) expansions) but does not parse it; that is the job of engine/expr
// after dollar-sign expansion. Src never has leading or trailing blanks or
// comments.
type Expr struct {
	Src string // the expression text, possibly empty where allowed
	Pos int    // byte offset of Src in the script; for an empty Src, the end of the token before it
}

// HasExpansion reports whether the expression holds a $(...) expansion.
func (e Expr) HasExpansion() bool { return strings.Contains(e.Src, "$(") }

// Name is a table, field, variable, label, file or other name as written in
// the script, with its quotes removed ("a b", [a b], `a b`, 'a b') and its
// escapes (doubled closing quotes) resolved.
type Name struct {
	Text  string // the name; may hold $(...) expansions
	Quote byte   // the opening quote: 0 (unquoted), '"', '[', '`' or '\''
	Pos   int    // byte offset of the name (of its opening quote) in the script
}

// String returns the name as it would be written in a script, quoted as in
// the source.
func (n Name) String() string { return quoteText(n.Text, n.Quote) }

// HasExpansion reports whether the name holds a $(...) expansion.
func (n Name) HasExpansion() bool { return strings.Contains(n.Text, "$(") }

// Tab is a section marker "///$tab Name" written by Qlik Sense's script
// editor. It has no effect on the reload.
type Tab struct {
	StmtInfo
	Name string // the tab name, trimmed
}

// Set is "SET name = text": the text right of '=' is stored verbatim.
type Set struct {
	StmtInfo
	Name  Name
	Value Expr // raw text up to ';' (quotes are kept; the interpreter strips them)
}

// Let is "LET name = expr", or the bare assignment "name = expr".
type Let struct {
	StmtInfo
	Name  Name
	Value Expr
	Bare  bool // written without the LET keyword
}

// Load is a LOAD statement with its label and prefixes. A Load without a
// Source is a preceding load: it reads the rows produced by the statement
// that follows it in the script.
type Load struct {
	StmtInfo
	Label    *Name    // "Label:" before the statement, or nil
	Prefixes []Prefix // in source order
	Distinct bool
	Fields   []Field
	Source   Source // nil for a preceding load
	Where    *Expr
	While    *Expr
	GroupBy  []Expr
	OrderBy  []OrderItem
}

// Field is one item of a LOAD field list.
type Field struct {
	Expr  Expr  // the field expression; "*" when Star
	Alias *Name // the AS name, or nil
	Star  bool  // the item is "*" (all source fields)
}

// ColumnRef reports whether the field is a column reference "@n" and
// returns n (1-based).
func (f Field) ColumnRef() (n int, ok bool) {
	s := f.Expr.Src
	if len(s) < 2 || s[0] != '@' {
		return 0, false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
		if n > 1<<20 {
			return 0, false
		}
	}
	return n, n > 0
}

// OrderItem is one item of ORDER BY.
type OrderItem struct {
	Expr Expr
	Dir  SortDir
}

// SortDir is the direction written after an ORDER BY item.
type SortDir uint8

// Sort directions.
const (
	SortDefault SortDir = iota // none written (ascending)
	SortAsc                    // ASC
	SortDesc                   // DESC
)

// Source is where a LOAD reads its rows: *From, *FromField, *Inline,
// *Resident, *Autogenerate or *Extension.
type Source interface{ sourceNode() }

// From is "FROM file [(format)]".
type From struct {
	File   Name        // the file name or lib:// path; unquoted paths have Quote 0
	Format *FormatSpec // nil when no format specification is written
}

// FromField is "FROM_FIELD (table, field) [(format)]".
type FromField struct {
	Table  Name
	Field  Name
	Format *FormatSpec
}

// Inline is "INLINE [data]" or `INLINE "data"` with an optional format.
type Inline struct {
	Data   string // the text between the delimiters, verbatim
	Quote  byte   // '[' or '"'
	Pos    int    // byte offset of the first byte of Data
	Format *FormatSpec
}

// Resident is "RESIDENT table".
type Resident struct {
	Table Name
}

// Autogenerate is "AUTOGENERATE n".
type Autogenerate struct {
	Count Expr
}

// Extension is "EXTENSION function(...)", a server-side extension call.
type Extension struct {
	Call Expr
}

func (*From) sourceNode()         {}
func (*FromField) sourceNode()    {}
func (*Inline) sourceNode()       {}
func (*Resident) sourceNode()     {}
func (*Autogenerate) sourceNode() {}
func (*Extension) sourceNode()    {}

// SQL is "SQL command" or a bare "SELECT ...": text passed to a database
// connector verbatim. Like a Load it may carry a label and prefixes.
type SQL struct {
	StmtInfo
	Label    *Name
	Prefixes []Prefix
	Keyword  bool   // written with the SQL keyword
	Command  string // the raw command text after SQL (starting with SELECT when Keyword is false)
}

// Prefix is a LOAD or SELECT prefix: *Concatenate, *NoConcatenate, *Join,
// *Keep, *Mapping, *Crosstable, *Generic, *IntervalMatch, *Hierarchy,
// *First, *Sample, *Add, *Replace, *Buffer or *Semantic.
type Prefix interface{ prefixNode() }

// Concatenate is "CONCATENATE [(table)]".
type Concatenate struct{ Table *Name }

// NoConcatenate is "NOCONCATENATE".
type NoConcatenate struct{}

// JoinKind is the kind written before JOIN or KEEP.
type JoinKind uint8

// Join kinds.
const (
	JoinPlain JoinKind = iota // plain JOIN (an outer join)
	JoinInner
	JoinOuter
	JoinLeft
	JoinRight
)

// String returns the keyword of the kind ("" for JoinPlain).
func (k JoinKind) String() string {
	return [...]string{"", "INNER", "OUTER", "LEFT", "RIGHT"}[k]
}

// Join is "[INNER|OUTER|LEFT|RIGHT] JOIN [(table)]".
type Join struct {
	Kind  JoinKind
	Table *Name
}

// Keep is "INNER|LEFT|RIGHT KEEP [(table)]".
type Keep struct {
	Kind  JoinKind // JoinInner, JoinLeft or JoinRight
	Table *Name
}

// Mapping is "MAPPING".
type Mapping struct{}

// Crosstable is "CROSSTABLE (attribute, data [, qualifiers])".
type Crosstable struct {
	Attribute  Name
	Data       Name
	Qualifiers *Expr // number of qualifier columns, nil for the default 1
}

// Generic is "GENERIC".
type Generic struct{}

// IntervalMatch is "INTERVALMATCH (field [, key ...])".
type IntervalMatch struct {
	Field Name
	Keys  []Name
}

// Hierarchy is "HIERARCHY (...)" or "HIERARCHYBELONGSTO (...)"; the
// arguments are kept as written (names, the path delimiter string, or empty
// for omitted optional arguments).
type Hierarchy struct {
	BelongsTo bool
	Args      []Expr
}

// First is "FIRST n".
type First struct{ Count Expr }

// Sample is "SAMPLE p".
type Sample struct{ Probability Expr }

// Add is "ADD [ONLY]" (partial reload).
type Add struct{ Only bool }

// Replace is "REPLACE [ONLY]" (partial reload).
type Replace struct{ Only bool }

// Buffer is "BUFFER [(options)]"; Options is the raw text inside the
// parentheses ("incremental", "stale after 7 days").
type Buffer struct{ Options string }

// Semantic is "SEMANTIC".
type Semantic struct{}

func (*Concatenate) prefixNode()   {}
func (*NoConcatenate) prefixNode() {}
func (*Join) prefixNode()          {}
func (*Keep) prefixNode()          {}
func (*Mapping) prefixNode()       {}
func (*Crosstable) prefixNode()    {}
func (*Generic) prefixNode()       {}
func (*IntervalMatch) prefixNode() {}
func (*Hierarchy) prefixNode()     {}
func (*First) prefixNode()         {}
func (*Sample) prefixNode()        {}
func (*Add) prefixNode()           {}
func (*Replace) prefixNode()       {}
func (*Buffer) prefixNode()        {}
func (*Semantic) prefixNode()      {}

// Qualify is "QUALIFY f, ..." (field names or patterns with * and ?).
type Qualify struct {
	StmtInfo
	Fields []Name
}

// Unqualify is "UNQUALIFY f, ...".
type Unqualify struct {
	StmtInfo
	Fields []Name
}

// Rename is "RENAME TABLE|FIELD a TO b, ..." or "RENAME TABLES|FIELDS
// USING map".
type Rename struct {
	StmtInfo
	Tables bool // TABLE(S) rather than FIELD(S)
	Pairs  []RenamePair
	Using  *Name // the mapping table of the USING form
}

// RenamePair is one "a TO b" of a RENAME.
type RenamePair struct{ From, To Name }

// Drop is "DROP TABLE[S] t, ..." or "DROP FIELD[S] f, ... [FROM t, ...]".
type Drop struct {
	StmtInfo
	Tables bool   // TABLE(S) rather than FIELD(S)
	Names  []Name // tables or fields (fields may be patterns)
	From   []Name // the tables after FROM in DROP FIELD
}

// Store is "STORE [fields FROM] table INTO file [(format)]".
type Store struct {
	StmtInfo
	Fields []StoreField // nil when the whole table is stored
	Table  Name
	File   Name
	Format *FormatSpec
}

// StoreField is one field of a STORE field list.
type StoreField struct {
	Name  Name // field name or pattern ("*")
	Alias *Name
}

// Map is "MAP f, ... USING map".
type Map struct {
	StmtInfo
	Fields []Name
	Using  Name
}

// Unmap is "UNMAP f, ...".
type Unmap struct {
	StmtInfo
	Fields []Name
}

// Loosen is "LOOSEN TABLE[S] t, ...".
type Loosen struct {
	StmtInfo
	Tables []Name
}

// NullAsValue is "NULLASVALUE f, ...".
type NullAsValue struct {
	StmtInfo
	Fields []Name
}

// NullAsNull is "NULLASNULL f, ...".
type NullAsNull struct {
	StmtInfo
	Fields []Name
}

// Tag is "TAG [FIELD[S]] f, ... WITH tag" or "TAG [FIELD[S]] [f, ...]
// USING map".
type Tag struct {
	StmtInfo
	Fields []Name
	With   *Name
	Using  *Name
}

// Untag is "UNTAG [FIELD[S]] f, ... WITH tag" or the USING form.
type Untag struct {
	StmtInfo
	Fields []Name
	With   *Name
	Using  *Name
}

// Comment is "COMMENT [FIELD[S]|TABLE[S]] n, ... WITH text" or the USING
// form.
type Comment struct {
	StmtInfo
	Tables bool
	Names  []Name
	With   *Name // the comment text (usually quoted)
	Using  *Name
}

// Alias is "ALIAS f AS a, ...".
type Alias struct {
	StmtInfo
	Pairs []AliasPair
}

// AliasPair is one "f AS a" of an ALIAS statement.
type AliasPair struct{ Field, Alias Name }

// Binary is "BINARY file".
type Binary struct {
	StmtInfo
	File Name
}

// Section is "SECTION ACCESS" or "SECTION APPLICATION".
type Section struct {
	StmtInfo
	Access bool
}

// Directory is "DIRECTORY [path]".
type Directory struct {
	StmtInfo
	Path *Name
}

// LibConnect is "LIB CONNECT TO name".
type LibConnect struct {
	StmtInfo
	Name Name
}

// Connect is "[ODBC|OLEDB|CUSTOM] CONNECT[32|64] TO ...", kept raw.
type Connect struct {
	StmtInfo
	Provider string // "ODBC", "OLEDB", "CUSTOM" or ""
	Text     string // the raw text from the CONNECT keyword on
}

// Disconnect is "DISCONNECT".
type Disconnect struct{ StmtInfo }

// Trace is "TRACE text"; Text is the raw text up to ';'.
type Trace struct {
	StmtInfo
	Text string
}

// Sleep is "SLEEP milliseconds".
type Sleep struct {
	StmtInfo
	Duration Expr
}

// Execute is "EXECUTE command", kept raw.
type Execute struct {
	StmtInfo
	Command string
}

// ForceMode is the mode of a FORCE statement.
type ForceMode uint8

// Force modes.
const (
	ForceCapital ForceMode = iota // FORCE CAPITAL
	ForceUpper                    // FORCE CASE UPPER
	ForceLower                    // FORCE CASE LOWER
	ForceMixed                    // FORCE CASE MIXED
)

// Force is "FORCE CAPITAL" or "FORCE CASE UPPER|LOWER|MIXED".
type Force struct {
	StmtInfo
	Mode ForceMode
}

// Search is "SEARCH INCLUDE|EXCLUDE f, ...".
type Search struct {
	StmtInfo
	Exclude bool
	Fields  []Name
}

// Declare is "[label:] DECLARE ...", kept raw.
type Declare struct {
	StmtInfo
	Label *Name
	Text  string // the raw text after DECLARE
}

// Derive is "DERIVE ...", kept raw.
type Derive struct {
	StmtInfo
	Text string // the raw text after DERIVE
}

// CondKind is the keyword introducing a condition.
type CondKind uint8

// Condition keywords.
const (
	CondWhen CondKind = iota
	CondUnless
	CondWhile
	CondUntil
)

// String returns the keyword.
func (k CondKind) String() string {
	return [...]string{"WHEN", "UNLESS", "WHILE", "UNTIL"}[k]
}

// Condition is "WHEN|UNLESS|WHILE|UNTIL expr".
type Condition struct {
	Kind CondKind
	Expr Expr
}

// When is the prefix form "WHEN|UNLESS cond statement".
type When struct {
	StmtInfo
	Cond Condition // CondWhen or CondUnless
	Stmt Stmt      // a regular statement, EXIT or CALL
}

// ExitKind is what an EXIT statement leaves.
type ExitKind uint8

// Exit kinds.
const (
	ExitScript ExitKind = iota
	ExitFor
	ExitDo
	ExitSub
)

// String returns the keyword.
func (k ExitKind) String() string { return [...]string{"SCRIPT", "FOR", "DO", "SUB"}[k] }

// Exit is "EXIT SCRIPT|FOR|DO|SUB [WHEN|UNLESS cond]".
type Exit struct {
	StmtInfo
	Kind ExitKind
	Cond *Condition
}

// Call is "CALL name [(args)]".
type Call struct {
	StmtInfo
	Name Name
	Args []Expr
}

// If is "IF cond THEN ... {ELSEIF cond THEN ...} [ELSE ...] END IF".
type If struct {
	StmtInfo
	Cond    Expr
	Then    []Stmt
	ElseIfs []*ElseIf
	Else    *Else
}

// ElseIf is an "ELSEIF cond THEN ..." clause.
type ElseIf struct {
	StmtInfo
	Cond Expr
	Body []Stmt
}

// Else is an "ELSE ..." clause.
type Else struct {
	StmtInfo
	Body []Stmt
}

// For is "FOR v = from TO to [STEP step] ... NEXT [v]".
type For struct {
	StmtInfo
	Var  Name
	From Expr
	To   Expr
	Step *Expr
	Body []Stmt
	Next *Name // the variable written after NEXT, or nil
}

// ForEach is "FOR EACH v IN item, ... ... NEXT [v]".
type ForEach struct {
	StmtInfo
	Var   Name
	Items []Expr
	Body  []Stmt
	Next  *Name
}

// Do is "DO [WHILE|UNTIL c] ... LOOP [WHILE|UNTIL c]".
type Do struct {
	StmtInfo
	Pre  *Condition // CondWhile or CondUntil after DO
	Body []Stmt
	Post *Condition // CondWhile or CondUntil after LOOP
}

// Sub is "SUB name[(params)] ... END SUB".
type Sub struct {
	StmtInfo
	Name   Name
	Params []Name
	Body   []Stmt
}

// Switch is "SWITCH expr {CASE v, ... ...} [DEFAULT ...] END SWITCH".
type Switch struct {
	StmtInfo
	Expr    Expr
	Cases   []*Case
	Default *Default
}

// Case is a "CASE v, ..." clause.
type Case struct {
	StmtInfo
	Values []Expr
	Body   []Stmt
}

// Default is the "DEFAULT" clause.
type Default struct {
	StmtInfo
	Body []Stmt
}

// Unexpanded is a statement whose structure is only known after dollar-sign
// expansion: one that starts with $(...) (such as $(include=file) or
// $(vStatement)), or one where a $(...) stands where a keyword or a
// punctuation mark is required. The interpreter expands Text and parses the
// result with Parse, as it may hold any number of statements.
type Unexpanded struct {
	StmtInfo
}

func (*Tab) stmtNode()         {}
func (*Set) stmtNode()         {}
func (*Let) stmtNode()         {}
func (*Load) stmtNode()        {}
func (*SQL) stmtNode()         {}
func (*Qualify) stmtNode()     {}
func (*Unqualify) stmtNode()   {}
func (*Rename) stmtNode()      {}
func (*Drop) stmtNode()        {}
func (*Store) stmtNode()       {}
func (*Map) stmtNode()         {}
func (*Unmap) stmtNode()       {}
func (*Loosen) stmtNode()      {}
func (*NullAsValue) stmtNode() {}
func (*NullAsNull) stmtNode()  {}
func (*Tag) stmtNode()         {}
func (*Untag) stmtNode()       {}
func (*Comment) stmtNode()     {}
func (*Alias) stmtNode()       {}
func (*Binary) stmtNode()      {}
func (*Section) stmtNode()     {}
func (*Directory) stmtNode()   {}
func (*LibConnect) stmtNode()  {}
func (*Connect) stmtNode()     {}
func (*Disconnect) stmtNode()  {}
func (*Trace) stmtNode()       {}
func (*Sleep) stmtNode()       {}
func (*Execute) stmtNode()     {}
func (*Force) stmtNode()       {}
func (*Search) stmtNode()      {}
func (*Declare) stmtNode()     {}
func (*Derive) stmtNode()      {}
func (*When) stmtNode()        {}
func (*Exit) stmtNode()        {}
func (*Call) stmtNode()        {}
func (*If) stmtNode()          {}
func (*For) stmtNode()         {}
func (*ForEach) stmtNode()     {}
func (*Do) stmtNode()          {}
func (*Sub) stmtNode()         {}
func (*Switch) stmtNode()      {}
func (*Unexpanded) stmtNode()  {}
