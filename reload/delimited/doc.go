// Package delimited splits Qlik "txt" delimited files (CSV, TSV, semicolon
// files, INLINE data, ...) into records and fields, fast.
//
// It does only that: number interpretation and symbol interning belong to
// the load-script interpreter that calls it. A Format says everything a
// `(txt, ...)` format specification says about the syntax: delimiter (one
// character, a string, or `spaces`), quoting (msq, standard, none), labels
// (embedded, explicit, none), `header is n lines` / `header is n`,
// `comment is`, the code page (UTF-8 by default; a byte order mark for UTF-8
// or UTF-16 wins; UTF-16 and single-byte Windows, OEM, Mac and ISO code pages
// are converted to UTF-8 first), `no eof`, and whether values are trimmed of
// blanks (INLINE does it, files do not).
//
// # Reading
//
// A Reader reads the field names when it is created and then returns
// batches of records from Next until io.EOF:
//
//	r, err := delimited.Open(ctx, "sales.csv", delimited.Format{Delimiter: ";"}, delimited.Options{})
//	...
//	defer r.Close()
//	names := r.Names()
//	for {
//		b, err := r.Next()
//		if err == io.EOF {
//			break
//		}
//		...
//		for rec := range b.Len() {
//			for col := range b.Width() {
//				v := b.Field(rec, col) // nil: the record was too short
//				...
//			}
//		}
//	}
//
// Field values are slices of the batch's buffer, valid until the next call
// of Next: nothing is allocated per field or per record, and buffers are
// reused from batch to batch. Only values with doubled quotes are copied,
// once, to be unescaped. Every record knows the physical line it starts on
// (Batch.Line) for messages. Records with more or fewer fields than there
// are names are listed by Batch.Ragged: extra fields are dropped and missing
// ones are absent (nil), so the caller can warn, fail, or store NULL.
//
// NewReader streams any io.Reader on the caller's goroutine. Open and
// NewParallelReader read a file (an io.ReaderAt) in chunks parsed on several
// goroutines and delivered in order; see parallel.go for how multi-line
// quoted fields that cross chunk boundaries are resolved so that the result
// is always exactly that of a sequential parse.
//
// # Text rules
//
// Lines end with LF or CR LF; a lone CR is data; the last line needs no line
// break. Empty lines (and, with Trim or spaces, lines of blanks) are not
// records, nor are comment lines. A delimiter at the end of a line ends an
// empty last field. Field names that are empty get their position as name
// (@3), as fields have with `no labels`. Invalid UTF-8 in UTF-8 input is
// passed through unchanged (the reader never validates text; the symbol
// layer decides); invalid input in the other code pages becomes U+FFFD. NUL
// bytes are ordinary data. Ctrl-Z (26) ends the input unless NoEOF is set.
//
// Bad input never panics: an MSQ quoted field still open at the end of the
// input and a record longer than Options.MaxRecordBytes are errors of type
// *ParseError carrying line and column. Memory stays bounded: what a
// streaming reader holds is proportional to BatchBytes plus MaxRecordBytes,
// what a parallel one holds to Workers+2 times that.
//
// The zero Format uses MSQ quoting, which is what the Qlik data load editor
// writes for every delimited file. Qlik documents standard quoting as the
// meaning of a specification that names neither `msq` nor `no quotes`: a
// script interpreter that follows the documentation sets QuoteStandard
// itself in that case.
//
// # Speed
//
// The inner loop finds the end of an unquoted field with a SWAR scan, eight
// bytes per step, for the delimiter and the line feed at once; quoted fields
// use bytes.IndexByte. See BenchmarkRead for the throughput on a generated
// mixed numeric and text file.
package delimited
