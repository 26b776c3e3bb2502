// Package symbols holds the value layer of the engine: duals (a number and
// its text), per-field symbol tables that intern distinct values in first-load
// order, and packed symbol-index columns.
//
// A field's symbol table gives every distinct non-NULL value a dense id
// (the QIX qElemNumber). Data tables never store values, only codes into the
// symbol table of each field: code 0 is NULL and code c > 0 is symbol c-1.
// Columns pack those codes to the narrowest layout that fits the field's
// cardinality (bit-packed, uint8, uint16 or uint32, see Pack), so a scan of a
// column reads as few bytes as possible.
//
// NULL is never a symbol: it has no id, it is not counted in a field's
// cardinality and it never matches a selection.
package symbols
