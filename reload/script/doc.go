// Package script reads Qlik load scripts: a lexer, a recursive-descent
// parser that builds a syntax tree of statements, and a printer that writes
// the tree back as script text.
//
// # Why the tree keeps text
//
// In a load script, $(...) dollar-sign expansion is textual and happens per
// statement, just before the statement runs: "LOAD * FROM $(vFile)" or
// "$(vPrefix) LOAD ..." only have a meaning once the variables are known.
// So the parser works on text that still holds $(...) and treats each
// expansion as an opaque piece of whatever it stands in (a name, a file
// name, an expression, a number), and every statement keeps its raw source
// text and byte offset (StmtInfo). The interpreter expands a statement's
// text and re-parses it with ParseStatement, passing the original offset so
// that positions still point into the script. A statement that cannot be
// read before expansion (one that starts with $(...), such as
// $(include=file), or one where a $(...) stands where a keyword is
// required) becomes an Unexpanded statement, parsed only after expansion.
//
// Expressions (LOAD fields, WHERE, LET, IF conditions, FOR bounds, CALL
// arguments ...) are not parsed here: they are kept as Expr source spans,
// found by a scan that respects 'strings', "names", [names], `names`,
// parentheses, braces, comments and $(...), for the expression parser of
// engine/expr to read after expansion.
//
// # What is parsed
//
// Parse reads a whole script: SET, LET and bare assignments; table labels;
// LOAD with DISTINCT, its field list, its source (FROM file with a format
// specification, FROM_FIELD, INLINE, RESIDENT, AUTOGENERATE, EXTENSION, or
// none for a preceding load), WHERE, WHILE, GROUP BY and ORDER BY; SQL
// SELECT kept raw; the LOAD/SELECT prefixes (CONCATENATE, NOCONCATENATE,
// JOIN, KEEP, MAPPING, CROSSTABLE, GENERIC, INTERVALMATCH, HIERARCHY,
// FIRST, SAMPLE, ADD, REPLACE, BUFFER, SEMANTIC); WHEN/UNLESS; the regular
// statements (DROP, RENAME, STORE, QUALIFY, MAP, TAG, COMMENT, TRACE ...);
// and the control statements IF, FOR, FOR EACH, DO, SUB, CALL, SWITCH and
// EXIT, whose bodies are nested in the tree. Format specifications are
// resolved into items (file type, character set, labels, delimiter,
// quoting, header size ...); items it does not know are kept verbatim.
//
// Regular statements end at ';' (or at the end of the script); control
// statements also end at the end of the line. Comments (//, /* */ and REM
// ... ;) are skipped; "///$tab Name" section markers become Tab
// statements.
//
// # Errors
//
// Syntax errors carry the byte offset and the line and column (in
// characters) of the problem, and say what was being parsed. Parse keeps
// going after an error, from the next ';' (or the end of the line for a
// control statement), and stops after MaxErrors errors.
//
// # Lexical rules worth knowing
//
//   - Names are quoted with "...", [...] or `...`, strings with '...'; a
//     closing quote is escaped by doubling it. A $(...) inside quotes is
//     taken whole, so '$(=Date(Today(), 'YYYY'))' is one string.
//   - File names may be written without quotes (lib://conn/dir/file.csv,
//     C:\dir\file.qvd, $(vPath)file.qvd): they end at a blank, ';', ',',
//     '(' or ')'. A "//" right after ':' is part of the text, not a comment,
//     everywhere (SET vPath = lib://data/;).
//   - INLINE data runs to the first ']' (or '"' for INLINE "..."), verbatim:
//     there is no escape for the closing character.
//   - A control statement must fit on its line, except the IF and ELSEIF
//     conditions, which run to THEN; statements may follow THEN and ELSE
//     on the same line. END IF, END SUB and END SWITCH may be written
//     ENDIF, ENDSUB and ENDSWITCH.
//   - A LOAD field list must not end with a comma.
//
// # Printing
//
// Format writes a tree back as a script in a canonical layout: keywords in
// upper case, block bodies indented, LOAD clauses on their own lines.
// Expressions and other raw texts are written verbatim, so the output
// parses back to an Equal tree; comments are dropped.
package script
