// Package reload runs Qlik load scripts: it is the interpreter that turns
// a script, its files and its variables into a new engine.Model.
//
// # A reload
//
// Run takes a Request — the script, the folder connections (lib://name/),
// the directories files may come from, limits, a progress callback and a
// clock — and returns a Result with the model, the reload log, the
// script's variables and the warnings. A failed reload returns an *Error
// with the line and column of the failing statement in the original
// script and never a partial model: the caller swaps models only on
// success. Cancelling the context (AbortModal, CancelReload, a client
// going away) or reaching a Limit stops the reload promptly: loops check
// it every iteration, loads every 1024 records, and waits (SLEEP) select
// on it.
//
// # From text to statements
//
// reload/script parses the whole script first, so a syntax error anywhere
// stops the reload before anything runs. Statements then run in order.
// Dollar-sign expansion is textual and per statement (§4.2): a statement
// whose text holds $(...) is expanded with engine/expr's Expand (variables,
// parameters, $(=expr) evaluated by the interpreter, $(include=...) read
// through the allowed directories) and parsed again from the expanded text
// with the original offset; an xmap carries error positions in the
// expanded text back to the original one, so messages point at what the
// user wrote. Control statements (IF, FOR, FOR EACH, DO, SWITCH, SUB,
// CALL, EXIT) hold their bodies in the tree; their clauses are expanded on
// their own. A statement that starts with an expansion is expanded and
// parsed as a script of its own; an include runs the included file's
// statements, whose errors name the file.
//
// # Tables while the script runs
//
// Tables are columns of symbol codes over per-field symbol tables, never
// rows of values: every field name has one symbols.Table, shared by every
// table holding the field and interned as rows arrive (first-load order),
// and every column is a growable vector of codes in the narrowest byte
// width (codes). The symbol tables are those of the engine.Builder that
// makes the final model, so nothing is copied at the end. Mapping tables
// have private fields in their own namespace. Renaming a field re-labels
// its symbol table (or merges it into an existing field's); dropping the
// last table of a field forgets it.
//
// # LOAD
//
// A LOAD and the LOADs below it (a preceding-load chain) become levels:
// each level turns its input rows into output rows with WHERE, WHILE and
// IterNo, its field expressions (parsed once by engine/expr and evaluated
// by rowEnv, which also implements the script functions Peek, Previous,
// RecNo, RowNo, Exists, ApplyMap, Lookup ...), record-generating SubField,
// and GROUP BY (aggregator). The bottom level reads a source: delimited
// text (files and INLINE, split by reload/delimited, number-interpreted
// with the locale built from the script's variables), QVD (reload/qvd,
// typed, symbol order kept), resident tables (ORDER BY), AUTOGENERATE,
// Excel sheets, and the columnar sources: Parquet and Arrow IPC files
// (Apache Arrow's Go readers, record batches converted column by column,
// arrowsrc.go) and JSON files (a hand-written streaming parser, json.go).
// The top level writes to its destination: a new table, an
// existing one (CONCATENATE or automatic concatenation of identical field
// sets), a mapping table, or a temporary table that JOIN, KEEP and
// INTERVALMATCH combine afterwards; CROSSTABLE and GENERIC reshape the rows
// on their way.
//
// A plain statement (one level, no WHILE, GROUP BY or Previous) runs batch
// by batch (fastPlan): WHERE selects the records of a batch, then each
// output field is filled for the whole batch — a copied text field by
// textIntern (NullInterpret, then interpretation once per distinct text,
// with a small direct-mapped cache of recent texts), a copied QVD or
// resident field by mapping its codes (a plain QVD load interns the file's
// symbols in file order), a computed field by evaluating its expression.
// A field copied from a columnar source is interned a whole Arrow (or
// JSON) column at a time (colBatch): numbers are converted in one pass,
// runs of equal values interned once, and a dictionary-encoded column
// interns each dictionary entry once and then maps indices. The fields of
// a batch are independent and are filled on GOMAXPROCS goroutines, while
// reload/delimited parses the next chunks, Parquet row groups are decoded
// ahead and JSON records parsed ahead on goroutines of their own. A
// columnar source decodes only the fields the statement reads (projector).
//
// Files are not trusted: Arrow metadata is walked before Arrow's reader
// allocates by it (arrowcheck.go), arrays are checked before they are read,
// Parquet column chunks must lie inside the file, and a panic inside the
// Arrow libraries while reading becomes an error naming the file.
//
// # The end
//
// finish hands the tables to the engine.Builder (§5.11): mapping tables
// are left out, LOOSEN TABLE and TAG are applied, $date and $timestamp are
// tagged where every value is a date or a timestamp, and the builder drops
// unused symbols, makes synthetic keys, loosens tables to break circular
// references and adds the system tables. Its warnings go to the log,
// which reads like Qlik's: each statement with its line numbers, "N fields
// found", "<table> << <source> N Lines fetched", TRACE output, the
// synthetic keys.
//
// STORE writes QVD, delimited text and Parquet files (parquet_store.go).
//
// Every file access — FROM, STORE, FileList, DirList, include, the QVD and
// file functions — resolves lib:// connections and relative paths (against
// DIRECTORY or Request.BaseDir), cleans the path, resolves symbolic links
// and must stay inside Request.AllowDirs (or a connection's folder), else
// the statement fails with ErrAccess.
//
// Where Qlik's documentation leaves a rule open, the choice made here is
// marked [Proposed] in the semantics spec or in the function's comment.
package reload
