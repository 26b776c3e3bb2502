package reload

import (
	"math"
	"sort"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// Variable is a script variable at the end of a reload: its text and,
// when it has one, its number (NaN otherwise). SET stores text; LET stores
// the value of its expression, which may carry both.
type Variable struct {
	Text string
	Num  float64
}

// HasNum reports whether the variable carries a number.
func (v Variable) HasNum() bool { return !math.IsNaN(v.Num) }

// value returns the variable as an expression value.
func (v Variable) value() expr.Value {
	if v.HasNum() {
		return expr.Dual(v.Num, v.Text)
	}
	return expr.Str(v.Text)
}

// variables is the script's variable store. Names are case-sensitive.
type variables struct {
	m       map[string]Variable
	loc     numfmt.Locale
	locOK   bool // loc reflects the current variables
	locErrs []string
}

func newVariables() *variables { return &variables{m: map[string]Variable{}} }

func (vs *variables) get(name string) (Variable, bool) {
	v, ok := vs.m[name]
	return v, ok
}

// text returns the text of a variable, and whether it is set.
func (vs *variables) text(name string) (string, bool) {
	v, ok := vs.m[name]
	return v.Text, ok
}

// set stores a variable; a NULL value removes it (LET x = Null()).
func (vs *variables) set(name string, v expr.Value) {
	if v.IsNull() {
		vs.remove(name)
		return
	}
	nv := Variable{Text: v.Text(), Num: math.NaN()}
	if v.HasNum() {
		nv.Num = v.Number()
	}
	vs.put(name, nv)
}

func (vs *variables) setText(name, text string) {
	vs.put(name, Variable{Text: text, Num: math.NaN()})
}

func (vs *variables) put(name string, v Variable) {
	vs.m[name] = v
	if localeVars[name] {
		vs.locOK = false
	}
}

func (vs *variables) remove(name string) {
	delete(vs.m, name)
	if localeVars[name] {
		vs.locOK = false
	}
}

// locale returns the number interpretation settings built from the
// variables (numfmt.NewLocale); values it cannot use keep their defaults
// and are reported once through the returned problems.
func (vs *variables) locale() (*numfmt.Locale, []string) {
	if vs.locOK {
		return &vs.loc, nil
	}
	raw := map[string]string{}
	for name := range localeVars {
		if v, ok := vs.m[name]; ok {
			raw[name] = v.Text
		}
	}
	loc, err := numfmt.NewLocale(raw)
	vs.loc, vs.locOK = loc, true
	var problems []string
	if err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			problems = append(problems, line)
		}
	}
	return &vs.loc, problems
}

// export returns a copy of every variable.
func (vs *variables) export() map[string]Variable {
	out := make(map[string]Variable, len(vs.m))
	for k, v := range vs.m {
		out[k] = v
	}
	return out
}

// names returns the variable names, sorted.
func (vs *variables) names() []string {
	out := make([]string, 0, len(vs.m))
	for k := range vs.m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// localeVars are the variables the number interpretation reads.
var localeVars = map[string]bool{
	numfmt.VarThousandSep: true, numfmt.VarDecimalSep: true, numfmt.VarMoneyThousandSep: true,
	numfmt.VarMoneyDecimalSep: true, numfmt.VarMoneyFormat: true, numfmt.VarTimeFormat: true,
	numfmt.VarDateFormat: true, numfmt.VarTimestampFormat: true, numfmt.VarMonthNames: true,
	numfmt.VarLongMonthNames: true, numfmt.VarDayNames: true, numfmt.VarLongDayNames: true,
	numfmt.VarFirstWeekDay: true, numfmt.VarBrokenWeeks: true, numfmt.VarReferenceDay: true,
	numfmt.VarFirstMonthOfYear: true, numfmt.VarCollationLocale: true, numfmt.VarNumericalAbbreviation: true,
}

// setText is what SET stores for the raw text right of '=': the text
// trimmed, with one pair of enclosing quotes removed when the whole text is
// a single quoted string ('...' or "..."), doubled quotes inside it
// resolved. ok is false for an empty text, which removes the variable.
func setText(raw string) (text string, ok bool) {
	t := strings.TrimSpace(raw)
	if t == "" {
		return "", false
	}
	if len(t) >= 2 && (t[0] == '\'' || t[0] == '"') && t[len(t)-1] == t[0] {
		q := t[0]
		inner := t[1 : len(t)-1]
		// The whole text is one quoted string only if every quote inside
		// is doubled.
		single := true
		for i := 0; i < len(inner); i++ {
			if inner[i] == q {
				if i+1 < len(inner) && inner[i+1] == q {
					i++
					continue
				}
				single = false
				break
			}
		}
		if single {
			return strings.ReplaceAll(inner, string([]byte{q, q}), string(q)), true
		}
	}
	return t, true
}
