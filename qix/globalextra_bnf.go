package qix

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	"github.com/assocengine/assoc/engine/expr"
)

// The grammars of Global.GetBaseBNF / GetBNF / GetBaseBNFHash /
// GetBaseBNFString and Doc.GetExpressionBNF / GetExpressionBNFHash: "E"
// is the chart expression language as engine/expr parses it, "S" the load
// script as reload/script parses it, with the script's expressions.
//
// The rules below transcribe the productions in the comments of those
// parsers' functions into plain BNF: each alternative is a sequence of
// symbols, repetition is written with a recursive "_tail" rule and an
// optional part with an "_opt" rule that has an empty alternative. The
// operators come from engine/expr's Op table, the function names from the
// shared function registry (with their groups, see GetFunctions).
//
// As a BNFDef list, every alternative of a rule is one definition with
// qIsBnfRule, the rule's name as qName and its symbols as qBnf (the qNbr
// of the definitions they name; a rule is named by its first
// alternative, and an empty alternative has an empty qBnf); qPNbr of an
// alternative is its rule's first alternative. Literals (qBnfLiteral, the
// text in qStr) and token classes (number, string, name ...) follow the
// rules, numbered in order of first use, with the rule that first uses
// them as qPNbr. Keywords that start a script statement carry
// qScriptStatement, those of control statements qControlStatement, and
// function names qQvFunc or qAggrFunc with their group. qBnfHash is the
// FNV-1a hash, in hex, of the grammar's text form (GetBaseBNFString).

func init() {
	register("Global", map[string]handler{
		"GetBaseBNF":       globalBNF(true, false, false),
		"GetBNF":           globalBNF(true, false, true),
		"GetBaseBNFHash":   globalBNF(false, true, false),
		"GetBaseBNFString": globalBNFString,
	})
	register("Doc", map[string]handler{
		"GetExpressionBNF": func(c *call) error {
			g := expressionBNF()
			c.out("qBnfDefs", g.defs)
			c.out("qBnfHash", g.hash)
			return nil
		},
		"GetExpressionBNFHash": func(c *call) error { c.out("qBnfHash", expressionBNF().hash); return nil },
	})
}

// grammarRule is one rule: its name and its alternatives, each a
// space-separated symbol list: rule names, 'literals' and <token classes>;
// "" is the empty alternative.
type grammarRule struct {
	name string
	alts []string
}

// bnfRule builds a rule; alternatives are separated by " | ".
func bnfRule(name, alts string) grammarRule {
	out := strings.Split(alts, " | ")
	for i, a := range out {
		if strings.TrimSpace(a) == "ε" {
			out[i] = ""
		}
	}
	return grammarRule{name: name, alts: out}
}

// ops lists the literals of a range of engine/expr operators as
// alternatives.
func ops(from, to expr.Op) string {
	var alts []string
	for o := from; o <= to; o++ {
		alts = append(alts, "'"+o.String()+"'")
	}
	return strings.Join(alts, " | ")
}

// functionAlts lists the registered functions usable in context where
// that pass keep, as literal alternatives ("ε" when there are none).
func functionAlts(where expr.Contexts, keep func(f *expr.Func) bool) string {
	var alts []string
	for _, f := range expr.DefaultRegistry().Funcs() {
		w := f.Where
		if w == 0 {
			w = expr.Anywhere
		}
		if w&where != 0 && keep(f) {
			alts = append(alts, "'"+f.Name+"'")
		}
	}
	if len(alts) == 0 {
		return "ε"
	}
	return strings.Join(alts, " | ")
}

// expressionRules are the productions of engine/expr's parser (parser.go,
// parse_set.go). In a load script (script set) there are no set
// expressions and no chart functions.
func expressionRules(script bool) []grammarRule {
	where := expr.InChart
	if script {
		where = expr.InScript
	}
	rules := []grammarRule{
		bnfRule("expression", "'=' or_expr | or_expr"),
		bnfRule("or_expr", "xor_expr or_tail"),
		bnfRule("or_tail", "'"+expr.OpOr.String()+"' xor_expr or_tail | ε"),
		bnfRule("xor_expr", "and_expr xor_tail"),
		bnfRule("xor_tail", "'"+expr.OpXor.String()+"' and_expr xor_tail | ε"),
		bnfRule("and_expr", "not_expr and_tail"),
		bnfRule("and_tail", "'"+expr.OpAnd.String()+"' not_expr and_tail | ε"),
		bnfRule("not_expr", "'"+expr.OpNot.String()+"' not_expr | rel_expr"),
		bnfRule("rel_expr", "bit_expr rel_tail"),
		bnfRule("rel_tail", "rel_op bit_expr rel_tail | ε"),
		bnfRule("rel_op", ops(expr.OpEq, expr.OpFollows)),
		bnfRule("bit_expr", "cat_expr bit_tail"),
		bnfRule("bit_tail", "bit_op cat_expr bit_tail | ε"),
		bnfRule("bit_op", ops(expr.OpBitAnd, expr.OpShl)),
		bnfRule("cat_expr", "add_expr cat_tail"),
		bnfRule("cat_tail", "'"+expr.OpConcat.String()+"' add_expr cat_tail | ε"),
		bnfRule("add_expr", "mul_expr add_tail"),
		bnfRule("add_tail", "add_op mul_expr add_tail | ε"),
		bnfRule("add_op", ops(expr.OpAdd, expr.OpSub)),
		bnfRule("mul_expr", "unary mul_tail"),
		bnfRule("mul_tail", "mul_op unary mul_tail | ε"),
		bnfRule("mul_op", ops(expr.OpMul, expr.OpDiv)),
		bnfRule("unary", "unary_op unary | primary"),
		bnfRule("unary_op", ops(expr.OpNeg, expr.OpBitNot)),
	}
	primary := "<number> | <string> | field_ref | function_call | aggr_call | '(' expression ')'"
	if !script {
		primary += " | set_expression or_expr"
	}
	rules = append(rules,
		bnfRule("primary", primary),
		bnfRule("field_ref", "<name> | <quoted_name>"),
		bnfRule("arguments", "or_expr argument_tail | ε"),
		bnfRule("argument_tail", "',' or_expr argument_tail | ε"),
		bnfRule("scalar_function", functionAlts(where, func(f *expr.Func) bool { return f.Kind != expr.KindAggregation && !f.Total })),
		bnfRule("aggr_function", functionAlts(where, func(f *expr.Func) bool {
			return f.Kind == expr.KindAggregation && !strings.EqualFold(f.Name, "Aggr")
		})),
		bnfRule("qualifiers", "qualifier qualifiers | ε"),
		bnfRule("field_list_opt", "field_list | ε"),
		bnfRule("field_list", "'<' field_ref field_list_tail '>'"),
		bnfRule("field_list_tail", "',' field_ref field_list_tail | ε"),
	)
	if script {
		return append(rules,
			bnfRule("function_call", "scalar_function '(' arguments ')'"),
			bnfRule("aggr_call", "aggr_function '(' qualifiers arguments ')'"),
			bnfRule("qualifier", "'DISTINCT'"),
		)
	}
	return append(rules,
		bnfRule("function_call", "scalar_function '(' arguments ')' | total_function '(' total_opt arguments ')'"),
		bnfRule("total_function", functionAlts(where, func(f *expr.Func) bool { return f.Kind != expr.KindAggregation && f.Total })),
		bnfRule("total_opt", "'TOTAL' | ε"),
		bnfRule("aggr_call", "aggr_function '(' set_opt qualifiers arguments ')' | 'Aggr' '(' set_opt distinct_opt or_expr ',' aggr_dim aggr_dim_tail ')'"),
		bnfRule("set_opt", "set_expression | ε"),
		bnfRule("qualifier", "'DISTINCT' | 'NODISTINCT' | 'TOTAL' field_list_opt | 'ALL' field_list_opt"),
		bnfRule("distinct_opt", "'DISTINCT' | 'NODISTINCT' | ε"),
		bnfRule("aggr_dim_tail", "',' aggr_dim aggr_dim_tail | ε"),
		bnfRule("aggr_dim", "field_ref | '(' field_ref sort_criteria ')'"),
		bnfRule("sort_criteria", "',' sort_criterion sort_criteria | ε"),
		bnfRule("sort_criterion", "'(' sort_type order_opt ')' | '(' '=' or_expr order_opt ')' | '(' field_ref sort_criteria ')'"),
		bnfRule("sort_type", "'NUMERIC' | 'TEXT' | 'FREQUENCY' | 'LOAD_ORDER'"),
		bnfRule("order_opt", "',' sort_order | ε"),
		bnfRule("sort_order", "'ASCENDING' | 'DESCENDING' | 'REVERSE' | 'A2Z' | 'Z2A' | 'ORIGINAL'"),
		bnfRule("set_expression", "'{' preserve_opt set_sum '}'"),
		bnfRule("preserve_opt", "'&' | ε"),
		bnfRule("set_sum", "set_product set_sum_tail"),
		bnfRule("set_sum_tail", "'+' set_product set_sum_tail | '-' set_product set_sum_tail | ε"),
		bnfRule("set_product", "set_unary set_product_tail"),
		bnfRule("set_product_tail", "'*' set_unary set_product_tail | '/' set_unary set_product_tail | ε"),
		bnfRule("set_unary", "'-' set_unary | '(' set_sum ')' | set_factor"),
		bnfRule("set_factor", "set_identifier modifier_opt | modifier"),
		bnfRule("modifier_opt", "modifier | ε"),
		bnfRule("set_identifier", "'$' | '1' | <history_identifier> | <name> bookmark_opt | <quoted_name> bookmark_opt | '$' '::' bookmark_name"),
		bnfRule("bookmark_opt", "'::' bookmark_name | ε"),
		bnfRule("bookmark_name", "<name> | <quoted_name>"),
		bnfRule("modifier", "'<' assignment assignment_tail '>' | '<' '>'"),
		bnfRule("assignment_tail", "',' assignment assignment_tail | ε"),
		bnfRule("assignment", "field_ref assign_op element_set_opt"),
		bnfRule("assign_op", "'=' | '+=' | '-=' | '*=' | '/='"),
		bnfRule("element_set_opt", "element_set | ε"),
		bnfRule("element_set", "element_product element_set_tail"),
		bnfRule("element_set_tail", "'+' element_product element_set_tail | '-' element_product element_set_tail | ε"),
		bnfRule("element_product", "element_term element_product_tail"),
		bnfRule("element_product_tail", "'*' element_term element_product_tail | '/' element_term element_product_tail | ε"),
		bnfRule("element_term", "'-' element_term | '(' element_set ')' | element_list | element_function | field_ref"),
		bnfRule("element_list", "'{' element_item element_item_tail '}' | '{' '}'"),
		bnfRule("element_item_tail", "',' element_item element_item_tail | ε"),
		bnfRule("element_item", "<number> | '-' <number> | <name> | <string> | <quoted_name>"),
		bnfRule("element_function", "'P' '(' set_opt field_opt ')' | 'E' '(' set_opt field_opt ')'"),
		bnfRule("field_opt", "field_ref | ε"),
	)
}

// scriptRules are the productions of reload/script's parser (parser.go,
// stmt.go, load.go, block.go).
var scriptRules = []grammarRule{
	bnfRule("script", "statement script | ε"),
	bnfRule("statement", "label ':' table_statement ';' | regular_statement ';' | control_statement | ';'"),
	bnfRule("label", "<name> | <quoted_name>"),
	bnfRule("name", "<name> | <quoted_name> | <string> | <number>"),
	bnfRule("name_list", "name name_tail"),
	bnfRule("name_tail", "',' name name_tail | ε"),
	bnfRule("pattern_list", "<pattern> pattern_tail"),
	bnfRule("pattern_tail", "',' <pattern> pattern_tail | ε"),
	bnfRule("regular_statement", "table_statement | set_statement | let_statement | assignment_statement | drop_statement"+
		" | rename_statement | store_statement | map_statement | qualify_statement | loosen_statement | tag_statement"+
		" | comment_statement | alias_statement | binary_statement | section_statement | directory_statement"+
		" | connect_statement | disconnect_statement | trace_statement | sleep_statement | execute_statement"+
		" | force_statement | search_statement | declare_statement | derive_statement | exit_statement"+
		" | call_statement | condition_statement"),
	bnfRule("table_statement", "prefixes load_statement | prefixes sql_statement"),
	bnfRule("prefixes", "prefix prefixes | ε"),
	bnfRule("prefix", "'CONCATENATE' table_opt | 'NOCONCATENATE' | join_kind_opt 'JOIN' table_opt | keep_kind 'KEEP' table_opt"+
		" | 'MAPPING' | 'GENERIC' | 'SEMANTIC' | 'CROSSTABLE' '(' name ',' name crosstable_opt ')'"+
		" | 'INTERVALMATCH' '(' name_list ')' | 'HIERARCHY' '(' arguments ')' | 'HIERARCHYBELONGSTO' '(' arguments ')'"+
		" | 'FIRST' or_expr | 'SAMPLE' or_expr | 'ADD' only_opt | 'REPLACE' only_opt | 'BUFFER' buffer_opt"),
	bnfRule("table_opt", "'(' name ')' | ε"),
	bnfRule("join_kind_opt", "'INNER' | 'OUTER' | 'LEFT' | 'RIGHT' | ε"),
	bnfRule("keep_kind", "'INNER' | 'LEFT' | 'RIGHT'"),
	bnfRule("crosstable_opt", "',' or_expr | ε"),
	bnfRule("only_opt", "'ONLY' | ε"),
	bnfRule("buffer_opt", "'(' <text> ')' | ε"),
	bnfRule("sql_statement", "'SQL' <text> | 'SELECT' <text>"),
	bnfRule("load_statement", "'LOAD' distinct_opt load_field load_field_tail source_opt clauses"),
	bnfRule("distinct_opt", "'DISTINCT' | ε"),
	bnfRule("load_field", "'*' | or_expr as_opt"),
	bnfRule("as_opt", "'AS' name | ε"),
	bnfRule("load_field_tail", "',' load_field load_field_tail | ε"),
	bnfRule("source_opt", "source | ε"),
	bnfRule("source", "'FROM' <file> format_opt | 'FROM_FIELD' '(' name ',' name ')' format_opt"+
		" | 'INLINE' <inline_data> format_opt | 'RESIDENT' name | 'AUTOGENERATE' or_expr | 'EXTENSION' or_expr"),
	bnfRule("format_opt", "'(' format_items ')' | ε"),
	bnfRule("format_items", "<format_item> format_tail | ε"),
	bnfRule("format_tail", "',' <format_item> format_tail | ε"),
	bnfRule("clauses", "clause clauses | ε"),
	bnfRule("clause", "'WHERE' or_expr | 'WHILE' or_expr | 'GROUP' 'BY' arguments | 'ORDER' 'BY' order_items"),
	bnfRule("order_items", "or_expr direction_opt order_tail"),
	bnfRule("order_tail", "',' or_expr direction_opt order_tail | ε"),
	bnfRule("direction_opt", "'ASC' | 'DESC' | ε"),
	bnfRule("set_statement", "'SET' name '=' <text>"),
	bnfRule("let_statement", "'LET' name '=' or_expr"),
	bnfRule("assignment_statement", "name '=' or_expr"),
	bnfRule("drop_statement", "'DROP' table_word name_list | 'DROP' field_word pattern_list from_opt"),
	bnfRule("table_word", "'TABLE' | 'TABLES'"),
	bnfRule("field_word", "'FIELD' | 'FIELDS'"),
	bnfRule("from_opt", "'FROM' name_list | ε"),
	bnfRule("rename_statement", "'RENAME' table_word rename_pairs | 'RENAME' field_word rename_pairs | 'RENAME' table_word 'USING' name | 'RENAME' field_word 'USING' name"),
	bnfRule("rename_pairs", "name 'TO' name rename_tail"),
	bnfRule("rename_tail", "',' name 'TO' name rename_tail | ε"),
	bnfRule("store_statement", "'STORE' store_fields_opt name 'INTO' <file> format_opt"),
	bnfRule("store_fields_opt", "<pattern> as_opt store_field_tail 'FROM' | ε"),
	bnfRule("store_field_tail", "',' <pattern> as_opt store_field_tail | ε"),
	bnfRule("map_statement", "'MAP' pattern_list 'USING' name"),
	bnfRule("qualify_statement", "'QUALIFY' pattern_list | 'UNQUALIFY' pattern_list | 'UNMAP' pattern_list | 'NULLASVALUE' pattern_list | 'NULLASNULL' pattern_list"),
	bnfRule("loosen_statement", "'LOOSEN' table_word name_list"),
	bnfRule("tag_statement", "'TAG' field_word_opt tag_body | 'UNTAG' field_word_opt tag_body"),
	bnfRule("field_word_opt", "field_word | ε"),
	bnfRule("tag_body", "'USING' name | pattern_list 'WITH' name | pattern_list 'USING' name"),
	bnfRule("comment_statement", "'COMMENT' comment_word_opt tag_body"),
	bnfRule("comment_word_opt", "field_word | table_word | ε"),
	bnfRule("alias_statement", "'ALIAS' name 'AS' name alias_tail"),
	bnfRule("alias_tail", "',' name 'AS' name alias_tail | ε"),
	bnfRule("binary_statement", "'BINARY' <file>"),
	bnfRule("section_statement", "'SECTION' 'ACCESS' | 'SECTION' 'APPLICATION'"),
	bnfRule("directory_statement", "'DIRECTORY' <file> | 'DIRECTORY'"),
	bnfRule("connect_statement", "'LIB' 'CONNECT' 'TO' name | connector_opt connect_word <text>"),
	bnfRule("connector_opt", "'ODBC' | 'OLEDB' | 'CUSTOM' | ε"),
	bnfRule("connect_word", "'CONNECT' | 'CONNECT32' | 'CONNECT64'"),
	bnfRule("disconnect_statement", "'DISCONNECT'"),
	bnfRule("trace_statement", "'TRACE' <text>"),
	bnfRule("sleep_statement", "'SLEEP' or_expr"),
	bnfRule("execute_statement", "'EXECUTE' <text>"),
	bnfRule("force_statement", "'FORCE' 'CAPITAL' | 'FORCE' 'CASE' 'UPPER' | 'FORCE' 'CASE' 'LOWER' | 'FORCE' 'CASE' 'MIXED'"),
	bnfRule("search_statement", "'SEARCH' 'INCLUDE' pattern_list | 'SEARCH' 'EXCLUDE' pattern_list"),
	bnfRule("declare_statement", "'DECLARE' <text>"),
	bnfRule("derive_statement", "'DERIVE' <text>"),
	bnfRule("exit_statement", "'EXIT' exit_what condition_opt"),
	bnfRule("exit_what", "'SCRIPT' | 'FOR' | 'DO' | 'SUB'"),
	bnfRule("condition_opt", "condition | ε"),
	bnfRule("condition", "'WHEN' or_expr | 'UNLESS' or_expr"),
	bnfRule("call_statement", "'CALL' name call_args_opt"),
	bnfRule("call_args_opt", "'(' arguments ')' | ε"),
	bnfRule("condition_statement", "condition regular_statement"),
	bnfRule("control_statement", "if_block | for_block | for_each_block | do_block | sub_block | switch_block"),
	bnfRule("if_block", "'IF' or_expr 'THEN' script elseif_parts else_opt end_if"),
	bnfRule("elseif_parts", "'ELSEIF' or_expr 'THEN' script elseif_parts | ε"),
	bnfRule("else_opt", "'ELSE' script | ε"),
	bnfRule("end_if", "'END' 'IF' | 'ENDIF'"),
	bnfRule("for_block", "'FOR' name '=' or_expr 'TO' or_expr step_opt script 'NEXT' next_name_opt"),
	bnfRule("step_opt", "'STEP' or_expr | ε"),
	bnfRule("next_name_opt", "name | ε"),
	bnfRule("for_each_block", "'FOR' 'EACH' name 'IN' arguments script 'NEXT' next_name_opt"),
	bnfRule("do_block", "'DO' loop_condition_opt script 'LOOP' loop_condition_opt"),
	bnfRule("loop_condition_opt", "'WHILE' or_expr | 'UNTIL' or_expr | ε"),
	bnfRule("sub_block", "'SUB' name params_opt script end_sub"),
	bnfRule("params_opt", "'(' name_list ')' | '(' ')' | ε"),
	bnfRule("end_sub", "'END' 'SUB' | 'ENDSUB'"),
	bnfRule("switch_block", "'SWITCH' or_expr cases default_opt end_switch"),
	bnfRule("cases", "'CASE' arguments script cases | ε"),
	bnfRule("default_opt", "'DEFAULT' script | ε"),
	bnfRule("end_switch", "'END' 'SWITCH' | 'ENDSWITCH'"),
}

// scriptStatementWords start regular script statements (qScriptStatement).
var scriptStatementWords = []string{"LOAD", "SELECT", "SQL", "SET", "LET", "DROP", "RENAME", "STORE", "MAP",
	"UNMAP", "QUALIFY", "UNQUALIFY", "LOOSEN", "NULLASVALUE", "NULLASNULL", "TAG", "UNTAG", "COMMENT", "ALIAS",
	"BINARY", "SECTION", "DIRECTORY", "LIB", "CONNECT", "CONNECT32", "CONNECT64", "ODBC", "OLEDB", "CUSTOM",
	"DISCONNECT", "TRACE", "SLEEP", "EXECUTE", "FORCE", "SEARCH", "DECLARE", "DERIVE", "CONCATENATE",
	"NOCONCATENATE", "JOIN", "KEEP", "MAPPING", "CROSSTABLE", "GENERIC", "INTERVALMATCH", "HIERARCHY",
	"HIERARCHYBELONGSTO", "SAMPLE", "ADD", "REPLACE", "BUFFER", "SEMANTIC", "INNER", "OUTER", "WHEN", "UNLESS"}

// controlStatementWords start or continue control statements
// (qControlStatement).
var controlStatementWords = []string{"IF", "THEN", "ELSEIF", "ELSE", "ENDIF", "END", "FOR", "EACH", "IN", "TO",
	"STEP", "NEXT", "DO", "LOOP", "WHILE", "UNTIL", "SUB", "ENDSUB", "SWITCH", "CASE", "DEFAULT", "ENDSWITCH",
	"EXIT", "CALL"}

// bnfGrammar is a grammar as BNFDef entries, its text form and its hash.
type bnfGrammar struct {
	defs []any
	text string
	hash string
}

var (
	expressionBNF = sync.OnceValue(func() *bnfGrammar { return buildBNF(expressionRules(false), false) })
	scriptBNF     = sync.OnceValue(func() *bnfGrammar {
		return buildBNF(append(slices.Clone(scriptRules), expressionRules(true)...), true)
	})
)

// bnfSymbol is one parsed symbol of an alternative.
type bnfSymbol struct {
	kind byte // 'r' rule, 'l' literal, 't' token class
	text string
}

func parseSymbol(s string) bnfSymbol {
	switch {
	case len(s) >= 2 && s[0] == '\'' && s[len(s)-1] == '\'':
		return bnfSymbol{'l', s[1 : len(s)-1]}
	case len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>':
		return bnfSymbol{'t', s[1 : len(s)-1]}
	}
	return bnfSymbol{'r', s}
}

// buildBNF numbers a grammar's definitions and renders them. A reference
// to a rule the grammar lacks is a programming error.
func buildBNF(rules []grammarRule, script bool) *bnfGrammar {
	head := map[string]int{} // rule name → qNbr of its first alternative
	n := 0
	for _, ru := range rules {
		if _, dup := head[ru.name]; dup {
			panic("BUG: grammar rule " + ru.name + " defined twice")
		}
		head[ru.name] = n
		n += len(ru.alts)
	}
	funcs := map[string]*expr.Func{}
	for _, f := range expr.DefaultRegistry().Funcs() {
		funcs[f.Name] = f
	}
	type terminal struct {
		sym    bnfSymbol
		nbr    int
		parent int
	}
	var terms []*terminal
	termNbr := map[bnfSymbol]*terminal{}
	defs := make([]any, 0, n+64)
	var text strings.Builder
	nbr := 0
	for _, ru := range rules {
		text.WriteString(ru.name)
		text.WriteString(" ::=")
		for ai, alt := range ru.alts {
			if ai > 0 {
				text.WriteString(" |")
			}
			refs := []int{}
			for _, s := range strings.Fields(alt) {
				sym := parseSymbol(s)
				text.WriteByte(' ')
				text.WriteString(s)
				if sym.kind == 'r' {
					h, ok := head[sym.text]
					if !ok {
						panic("BUG: grammar rule " + ru.name + " uses the undefined rule " + sym.text)
					}
					refs = append(refs, h)
					continue
				}
				t := termNbr[sym]
				if t == nil {
					t = &terminal{sym: sym, nbr: n + len(terms), parent: nbr}
					terms = append(terms, t)
					termNbr[sym] = t
				}
				refs = append(refs, t.nbr)
			}
			if strings.TrimSpace(alt) == "" {
				text.WriteString(" <empty>")
			}
			d := bnfDef(refs, nbr, head[ru.name], ru.name, "")
			d.Set("qIsBnfRule", true)
			if ru.name == "field_ref" {
				d.Set("qFieldFlag", true)
			}
			finishDef(d, "NONE")
			defs = append(defs, d)
			nbr++
		}
		text.WriteByte('\n')
	}
	for _, t := range terms {
		if t.sym.kind == 't' {
			d := bnfDef([]int{}, t.nbr, t.parent, t.sym.text, "")
			finishDef(d, "NONE")
			defs = append(defs, d)
			continue
		}
		d := bnfDef([]int{}, t.nbr, t.parent, t.sym.text, t.sym.text)
		d.Set("qBnfLiteral", true)
		group := "NONE"
		word := strings.ToUpper(t.sym.text)
		switch f := funcs[t.sym.text]; {
		case f != nil:
			group = functionGroup(f)
			if f.Kind == expr.KindAggregation {
				d.Set("qAggrFunc", true)
			} else {
				d.Set("qQvFunc", true)
			}
		case script && slices.Contains(scriptStatementWords, word):
			d.Set("qScriptStatement", true)
		case script && slices.Contains(controlStatementWords, word):
			d.Set("qControlStatement", true)
		}
		finishDef(d, group)
		defs = append(defs, d)
	}
	h := fnv.New64a()
	h.Write([]byte(text.String()))
	return &bnfGrammar{defs: defs, text: text.String(), hash: fmt.Sprintf("%016x", h.Sum64())}
}

// bnfDef starts a BNFDef.
func bnfDef(refs []int, nbr, parent int, name, str string) *jsonObject {
	d := newObj(12)
	d.Set("qBnf", refs)
	d.Set("qNbr", nbr)
	d.Set("qPNbr", parent)
	d.Set("qHelpId", 0)
	d.Set("qName", name)
	d.Set("qStr", str)
	return d
}

// finishDef adds the group and meta type of a BNFDef.
func finishDef(d *jsonObject, group string) {
	d.Set("qFG", group)
	d.Set("qMT", "N")
	list := []string{}
	if group != "NONE" {
		list = append(list, group)
	}
	d.Set("qFGList", list)
}

// bnfFor returns the grammar of a qBnfType parameter (S or E).
func (c *call) bnfFor() *bnfGrammar {
	v := c.arg("qBnfType")
	t, ok := schema.enum("BNFType").parse(v)
	if !ok {
		c.badArg("qBnfType", "S (SCRIPT_TEXT_SCRIPT) or E (SCRIPT_TEXT_EXPRESSION)", v)
		return nil
	}
	if t == "E" {
		return expressionBNF()
	}
	return scriptBNF()
}

func globalBNF(withDefs, withHash, defsOnly bool) handler {
	return func(c *call) error {
		g := c.bnfFor()
		if c.bad() {
			return nil
		}
		if withDefs {
			c.out("qBnfDefs", g.defs)
		}
		if !defsOnly && (withHash || withDefs) {
			c.out("qBnfHash", g.hash)
		}
		return nil
	}
}

func globalBNFString(c *call) error {
	g := c.bnfFor()
	if c.bad() {
		return nil
	}
	c.out("qBnfStr", g.text)
	c.out("qBnfHash", g.hash)
	return nil
}
