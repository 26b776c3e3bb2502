// Package rules parses and evaluates attribute-based access rules in the
// syntax of Qlik Core's ABAC rule files, so that the files written for a
// Qlik Associative Engine work here unchanged.
//
// A file holds one rule per line (lines starting with # and blank lines
// are skipped). A rule is a boolean expression over user.<attribute> (the
// token's claims; user.id is the subject) and resource.<attribute>
// (resource._resourcetype is "App" or "App.Object", resource._objecttype,
// resource.id, resource.owner, resource.app.<attribute> for an object),
// with !, and/&&, or/||, parentheses, and the comparisons = and !=
// (case-insensitive), == and !== (case-sensitive), like (? and * wildcards,
// \ escapes) and matches (a regular expression over the whole value). With
// a list ({"a", "b"}) on either side a comparison is true when any pair of
// values satisfies it; a missing attribute satisfies nothing. A bare
// attribute is true when it is true, "true" or a non-zero number.
//
// resource._actions = "read" (or = {"read", "update"}, or = "*") is
// always true and grants the actions when the whole rule is true; every
// rule must have one. resource.HasPrivilege("create") tells whether an
// earlier rule (or an earlier part of this one) granted an action.
//
// A Policy is an allow file and an optional deny file. Access is denied
// by default: the deny rules are evaluated first, and a true one that
// names the action denies it; then the allow rules accumulate their
// actions in order, and the action is allowed once one of them grants it.
//
// The parser is a hand-written lexer and recursive-descent parser; each
// parse function's comment gives its grammar production. Errors carry
// file:line:col, and a file reports at most MaxErrors of them.
package rules
