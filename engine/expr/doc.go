// Package expr is the Qlik chart-expression language of the engine: its
// syntax, its values and its scalar evaluation. The load script
// (reload/script) uses the same parser, function catalogue and evaluator
// for the expressions inside its statements.
//
// # From text to value
//
// An expression travels through four steps:
//
//  1. Expand performs dollar-sign expansion (§4.2 of the semantics spec) on
//     the raw text: $(v), $(#v), $(v(a,b)), $(=expr), $(include=file). It is
//     textual, happens before parsing and is repeated until no "$(" is left.
//  2. Parse turns the text into a tree of Node values: literals, field
//     references, scalar and context function calls (*Call), aggregation
//     calls with their set expression, DISTINCT and TOTAL (*AggCall,
//     including Aggr with its dimensions), unary and binary operators, and
//     outer set expressions. Set analysis ({$<Year={2020}>}) is parsed into
//     its own tree (*SetExpr) that keeps how every element was quoted, since
//     that decides literal versus search (§2.8, ClassifySearch). The lexer
//     and the recursive-descent parser are hand-written; each parse function
//     carries its grammar production in its comment. Errors are positioned
//     (line:col) and collected, up to MaxErrors, in an ErrorList.
//  3. Parse also resolves every function name against a Registry and runs
//     the checker, which rejects aggregations nested without TOTAL or Aggr
//     (§4.6) and functions used outside their context (chart or script).
//  4. Eval computes the value of a tree for one row of an Env. The Env
//     supplies field values, variables and aggregations; the evaluator only
//     applies operators (§4.3, §4.4) and scalar functions. Context
//     functions (Rank, Above, GetSelectedCount, Peek...) are delegated to an
//     Env that implements ContextEnv.
//
// String prints a tree back to text that parses to an Equal tree, which
// the tests and the fuzz target check for every input.
//
// # Values
//
// A Value is NULL, a number, a text, or a dual (number and text), without
// interface boxing; numbers never allocate. A text that spells a number is
// read as that number where a number is needed (AsNumber), which is how
// '5' + 1 = 6 and '1' = 1 hold. Booleans are -1 and 0. Comparisons are
// numeric when both sides are numbers and by text otherwise (Compare).
// NULL propagates through arithmetic, is the empty string for &, and makes
// relational operators false except <>.
//
// # Functions
//
// One Registry (DefaultRegistry) serves charts and the load script. Each
// Func has a name (case-insensitive), an arity, a Kind (scalar,
// aggregation, context) and the contexts where it may be used. Other
// packages add functions from their init functions with Register: the
// number-format package adds Num, Date and their friends, the load script
// adds Peek, Previous, RecNo, ApplyMap. Scalar functions receive their
// evaluated arguments; If, Pick and Alt evaluate only what they need.
//
// Rules marked [Proposed] in the semantics spec are implemented in small
// functions with that tag in their comment, so that they can be corrected
// after differential testing against a real engine.
package expr
