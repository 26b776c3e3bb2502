// Package qvd reads and writes QVD files, Qlik's native table format,
// bit-exact with what Qlik Sense and QlikView write (spec §6).
//
// A QVD file is an XML header closed by "\r\n\0", then a symbol table —
// for each field its distinct values back to back, each a type byte and a
// payload (0x01 int32, 0x02 float64, 0x04 NUL-terminated text, 0x05 int32
// and text, 0x06 float64 and text) — then an index table of one
// fixed-size, bit-stuffed record per row holding, per field, the index of
// the row's symbol less the field's Bias (an index outside the symbols is
// NULL).
//
// That is already the engine's own model, so reading maps straight onto
// it: Decode returns per field the symbols in file order as symbols.Dual
// and the rows as a packed *symbols.Column in the engine's convention
// (code 0 NULL, code c symbol c-1). A loader that keeps file order as load
// order keeps the QVD's symbol ids. Numbers stored without text (0x01,
// 0x02) get their text from the field's NumberFormat when it is a simple
// pattern, else from symbols.FormatNumber; the rule lives in one place
// (numberTexter) and the writer uses the same rule to decide when a dual
// may be stored without its text, so a written table reads back the same.
//
// Reading is built for speed and for untrusted input. Decode works on the
// file's bytes in memory; fields are decoded in parallel; the index is
// decoded one field at a time with one unaligned 64-bit load per record
// (a field of up to 32 bits always lies within 8 bytes from its first
// byte), so records wider than 8 bytes cost the same as narrow ones.
// Every header number that is used to index or allocate is first checked
// against the file's size (check), and malformed input yields a
// *FormatError (errors.Is(err, ErrFormat)), never a panic. ReadHeader
// reads only the header, for QvdNoOfRecords, QvdFieldName and friends.
//
// Write follows the writer rules of spec §6.5: symbols in the order given
// (those no row uses are dropped), the narrowest symbol types, NULLs as
// Bias -2, the fewest bits per field (0 for a constant field), bit offsets
// in field order, and a header laid out as Qlik lays it out.
package qvd
