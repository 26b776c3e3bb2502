package expr

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Kind says how a function is evaluated.
type Kind uint8

const (
	// KindScalar functions compute their result from their evaluated
	// arguments (Upper, Round, RangeSum, If...).
	KindScalar Kind = iota + 1
	// KindAggregation functions aggregate over records (Sum, Count, Aggr...);
	// the Env evaluates them (Env.Aggregate).
	KindAggregation
	// KindContext functions need the chart, app or load-script context
	// (Rank, Above, RowNo, GetSelectedCount, Peek, RecNo...); they are
	// declared here so the parser and checker know them, and implemented by
	// an Env that also implements ContextEnv.
	KindContext
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindScalar:
		return "scalar"
	case KindAggregation:
		return "aggregation"
	case KindContext:
		return "context"
	}
	return "invalid"
}

// Contexts is the set of places where a function may be used.
type Contexts uint8

const (
	// InChart allows the function in chart expressions.
	InChart Contexts = 1 << iota
	// InScript allows the function in load-script expressions.
	InScript
	// Anywhere allows the function in charts and scripts.
	Anywhere = InChart | InScript
)

// ScalarFunc computes a scalar function from its evaluated arguments. args
// is only valid during the call; implementations must not keep it. env is
// the evaluation environment (possibly a no-op Env), for functions that
// depend on settings such as number formats.
type ScalarFunc func(env Env, args []Value) Value

// Variadic is the MaxArgs of a function that takes any number of arguments.
const Variadic = -1

// Func describes one function of the expression language.
type Func struct {
	// Name is the canonical spelling; lookups are case-insensitive.
	Name string
	// MinArgs and MaxArgs bound the argument count (MaxArgs Variadic: no
	// upper bound). For Aggr the dimensions are not counted.
	MinArgs, MaxArgs int
	// Kind says who evaluates the function.
	Kind Kind
	// Where the function may be used; zero means Anywhere.
	Where Contexts
	// Total allows a leading TOTAL qualifier on a context function, as in
	// Rank(TOTAL Sum(X)), Above(TOTAL x) or RowNo(TOTAL).
	Total bool
	// Ranges lets arguments that are context calls returning several values
	// (Above(x, 0, 3)) expand into several arguments, as range functions do.
	Ranges bool
	// Eval implements a KindScalar function.
	Eval ScalarFunc

	lazy lazyOp // evaluator-implemented builtins with lazy arguments
}

// lazyOp identifies builtins whose arguments are evaluated on demand.
type lazyOp uint8

const (
	lazyNone lazyOp = iota
	lazyIf
	lazyPick
	lazyAlt
)

// allowed reports whether the function may be used in context c.
func (f *Func) allowed(c Contexts) bool {
	w := f.Where
	if w == 0 {
		w = Anywhere
	}
	return w&c != 0
}

// Registry is a case-insensitive catalogue of functions. It is safe for
// concurrent use; registration normally happens in package init functions.
type Registry struct {
	mu    sync.RWMutex
	funcs map[string]*Func // by lower-case name
	exact map[string]*Func // by canonical spelling: lookups without allocation
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{funcs: make(map[string]*Func), exact: make(map[string]*Func)}
}

// Register adds f. It fails when the name is already registered or the
// description is inconsistent.
func (r *Registry) Register(f Func) error {
	if err := f.validate(); err != nil {
		return err
	}
	key := strings.ToLower(f.Name)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.funcs[key]; ok {
		return fmt.Errorf("cannot register function %s: %s is already registered", f.Name, old.Name)
	}
	fc := f
	r.funcs[key] = &fc
	r.exact[f.Name] = &fc
	return nil
}

// MustRegister is Register for package initialisation: it panics when the
// registration is a programming error (duplicate or invalid description).
func (r *Registry) MustRegister(fs ...Func) {
	for _, f := range fs {
		if err := r.Register(f); err != nil {
			panic("BUG: " + err.Error())
		}
	}
}

// Lookup returns the function called name (in any case), or nil.
func (r *Registry) Lookup(name string) *Func {
	r.mu.RLock()
	f, ok := r.exact[name]
	r.mu.RUnlock()
	if ok {
		return f
	}
	key := strings.ToLower(name)
	r.mu.RLock()
	f = r.funcs[key]
	r.mu.RUnlock()
	return f
}

// Funcs returns every registered function sorted by name.
func (r *Registry) Funcs() []*Func {
	r.mu.RLock()
	out := make([]*Func, 0, len(r.funcs))
	for _, f := range r.funcs {
		out = append(out, f)
	}
	r.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return out
}

func (f *Func) validate() error {
	switch {
	case f.Name == "":
		return fmt.Errorf("cannot register function: empty name")
	case !IsIdentifier(f.Name):
		return fmt.Errorf("cannot register function %q: not a valid identifier", f.Name)
	case f.MinArgs < 0 || f.MaxArgs != Variadic && f.MaxArgs < f.MinArgs:
		return fmt.Errorf("cannot register function %s: invalid arity %d..%d", f.Name, f.MinArgs, f.MaxArgs)
	case f.Kind < KindScalar || f.Kind > KindContext:
		return fmt.Errorf("cannot register function %s: invalid kind %d", f.Name, f.Kind)
	case f.Kind == KindScalar && f.Eval == nil && f.lazy == lazyNone:
		return fmt.Errorf("cannot register function %s: scalar function without Eval", f.Name)
	case f.Kind != KindScalar && f.Eval != nil:
		return fmt.Errorf("cannot register function %s: only scalar functions have Eval", f.Name)
	case f.Where&^Anywhere != 0:
		return fmt.Errorf("cannot register function %s: invalid contexts %d", f.Name, f.Where)
	}
	return nil
}

// defaultRegistry is the one catalogue shared by chart expressions and the
// load script.
var defaultRegistry = NewRegistry()

// DefaultRegistry returns the shared function catalogue used by Parse when
// no other registry is given. Other packages add their functions to it with
// Register from their init functions.
func DefaultRegistry() *Registry { return defaultRegistry }

// Register adds f to the shared function catalogue.
func Register(f Func) error { return defaultRegistry.Register(f) }

// Lookup returns the function called name in the shared catalogue, or nil.
func Lookup(name string) *Func { return defaultRegistry.Lookup(name) }
