package reload

import (
	"fmt"
	"math"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// control runs a control statement: IF, FOR, FOR EACH, DO, SUB, SWITCH,
// CALL and EXIT. Their opening clause is expanded and re-parsed like a
// regular statement; the conditions of later clauses (ELSEIF, CASE, LOOP
// WHILE) are expanded as expressions.
func (it *interp) control(st script.Stmt, src *srcText) error {
	ps, c, err := it.prepare(st, src)
	if err != nil {
		return err
	}
	if ps == nil {
		return c.errorf(c.pos, "%s expands to nothing", describeStmt(st))
	}
	it.echo(st, c)
	switch s := st.(type) {
	case *script.If:
		h, ok := ps.(*script.If)
		if !ok {
			return c.errorf(c.pos, "IF header expands to %s", describeStmt(ps))
		}
		return it.execIf(s, h, c, src)
	case *script.For:
		h, ok := ps.(*script.For)
		if !ok {
			return c.errorf(c.pos, "FOR header expands to %s", describeStmt(ps))
		}
		return it.execFor(s, h, c, src)
	case *script.ForEach:
		h, ok := ps.(*script.ForEach)
		if !ok {
			return c.errorf(c.pos, "FOR EACH header expands to %s", describeStmt(ps))
		}
		return it.execForEach(s, h, c, src)
	case *script.Do:
		h, ok := ps.(*script.Do)
		if !ok {
			return c.errorf(c.pos, "DO header expands to %s", describeStmt(ps))
		}
		return it.execDo(s, h, c, src)
	case *script.Sub:
		h, ok := ps.(*script.Sub)
		if !ok {
			return c.errorf(c.pos, "SUB header expands to %s", describeStmt(ps))
		}
		def := *s
		def.Name, def.Params = h.Name, h.Params
		it.subs[strings.ToLower(h.Name.Text)] = &def
		return nil
	case *script.Switch:
		h, ok := ps.(*script.Switch)
		if !ok {
			return c.errorf(c.pos, "SWITCH header expands to %s", describeStmt(ps))
		}
		return it.execSwitch(s, h, c, src)
	case *script.Call:
		h, ok := ps.(*script.Call)
		if !ok {
			return c.errorf(c.pos, "CALL expands to %s", describeStmt(ps))
		}
		return it.execCall(h, c)
	case *script.Exit:
		h, ok := ps.(*script.Exit)
		if !ok {
			return c.errorf(c.pos, "EXIT expands to %s", describeStmt(ps))
		}
		return it.execExit(h, c)
	}
	return c.errorf(c.pos, "BUG: %s is not a control statement", describeStmt(st))
}

// echo writes a statement's original text to the log.
func (it *interp) echo(st script.Stmt, c *stmtCtx) {
	info := st.Info()
	line, _, _ := c.src.resolve(c.at(info.Pos))
	text := info.Text
	if c.xm != nil {
		text = c.xm.exp
	}
	it.log.statement(line, text)
	it.logr.Debug("reload statement", "line", line, "text", clip(text))
}

// cond evaluates a condition.
func (it *interp) cond(e script.Expr, c *stmtCtx, expandHere bool) (bool, error) {
	v, err := it.eval(e, c, expandHere)
	if err != nil {
		return false, err
	}
	return v.Truthy(), nil
}

func (it *interp) execIf(s, h *script.If, c *stmtCtx, src *srcText) error {
	ok, err := it.cond(h.Cond, c, false)
	if err != nil {
		return err
	}
	if ok {
		return it.execList(s.Then, src)
	}
	for _, ei := range s.ElseIfs {
		cc := &stmtCtx{src: src, pos: ei.Pos}
		ok, err := it.cond(ei.Cond, cc, true)
		if err != nil {
			return err
		}
		if ok {
			return it.execList(ei.Body, src)
		}
	}
	if s.Else != nil {
		return it.execList(s.Else.Body, src)
	}
	return nil
}

// loopBody runs a loop body and reports whether the loop must stop
// (EXIT FOR / EXIT DO matching kind).
func (it *interp) loopBody(body []script.Stmt, src *srcText, exit flow) (stop bool, err error) {
	err = it.execList(body, src)
	if err == exit {
		return true, nil
	}
	return false, err
}

func (it *interp) execFor(s, h *script.For, c *stmtCtx, src *srcText) error {
	name := h.Var.Text
	from, err := it.evalNum(h.From, c, "FOR start value")
	if err != nil {
		return err
	}
	to, err := it.evalNum(h.To, c, "FOR end value")
	if err != nil {
		return err
	}
	step := 1.0
	if h.Step != nil {
		if step, err = it.evalNum(*h.Step, c, "FOR STEP"); err != nil {
			return err
		}
		if step == 0 {
			return c.errorf(h.Step.Pos, "FOR STEP must not be 0")
		}
	}
	n := 0
	for v := from; (step > 0 && v <= to) || (step < 0 && v >= to); {
		n++
		if n > it.lim.MaxLoopIterations {
			return c.errorf(c.pos, "FOR loop ran more than %d iterations: %w", it.lim.MaxLoopIterations, ErrLimit)
		}
		if err := it.checkCtx(); err != nil {
			return c.wrap(err)
		}
		it.vars.set(name, expr.Num(v))
		stop, err := it.loopBody(s.Body, src, flowExitFor)
		if err != nil || stop {
			return err
		}
		// The body may change the loop variable.
		if cur, ok := it.vars.get(name); ok {
			if x, ok := cur.value().AsNumber(); ok {
				v = x
			}
		}
		v += step
	}
	return nil
}

func (it *interp) evalNum(e script.Expr, c *stmtCtx, what string) (float64, error) {
	v, err := it.eval(e, c, false)
	if err != nil {
		return 0, err
	}
	f, ok := v.AsNumber()
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, c.errorf(e.Pos, "%s %s is not a number (it is %s)", what, clip(e.Src), v)
	}
	return f, nil
}

func (it *interp) execForEach(s, h *script.ForEach, c *stmtCtx, src *srcText) error {
	var items []expr.Value
	for _, e := range h.Items {
		n, err := it.parseExpr(e, c, false)
		if err != nil {
			return err
		}
		if call, ok := n.(*expr.Call); ok && call.Func != nil && listFuncs[strings.ToLower(call.Func.Name)] {
			vals, err := it.listFunc(call, e, c)
			if err != nil {
				return err
			}
			items = append(items, vals...)
			continue
		}
		env := &scriptEnv{it: it}
		v := expr.Eval(n, env)
		if env.err != nil {
			return c.errorf(e.Pos, "%w", env.err)
		}
		items = append(items, v)
	}
	if len(items) > it.lim.MaxLoopIterations {
		return c.errorf(c.pos, "FOR EACH over %d items, more than the limit of %d iterations: %w", len(items), it.lim.MaxLoopIterations, ErrLimit)
	}
	for _, v := range items {
		if err := it.checkCtx(); err != nil {
			return c.wrap(err)
		}
		it.vars.set(h.Var.Text, v)
		stop, err := it.loopBody(s.Body, src, flowExitFor)
		if err != nil || stop {
			return err
		}
	}
	return nil
}

func (it *interp) execDo(s, h *script.Do, c *stmtCtx, src *srcText) error {
	test := func(cd *script.Condition, cc *stmtCtx, expand bool) (bool, error) {
		if cd == nil {
			return true, nil
		}
		ok, err := it.cond(cd.Expr, cc, expand)
		if err != nil {
			return false, err
		}
		if cd.Kind == script.CondUntil {
			ok = !ok
		}
		return ok, nil
	}
	postCtx := &stmtCtx{src: src, pos: c.pos}
	for n := 1; ; n++ {
		if n > it.lim.MaxLoopIterations {
			return c.errorf(c.pos, "DO loop ran more than %d iterations: %w", it.lim.MaxLoopIterations, ErrLimit)
		}
		if err := it.checkCtx(); err != nil {
			return c.wrap(err)
		}
		ok, err := test(h.Pre, c, false)
		if err != nil || !ok {
			return err
		}
		stop, err := it.loopBody(s.Body, src, flowExitDo)
		if err != nil || stop {
			return err
		}
		if s.Post != nil {
			postCtx.pos = s.Post.Expr.Pos
			ok, err := test(s.Post, postCtx, true)
			if err != nil || !ok {
				return err
			}
		}
	}
}

func (it *interp) execSwitch(s, h *script.Switch, c *stmtCtx, src *srcText) error {
	v, err := it.eval(h.Expr, c, false)
	if err != nil {
		return err
	}
	for _, cs := range s.Cases {
		cc := &stmtCtx{src: src, pos: cs.Pos}
		for _, e := range cs.Values {
			w, err := it.eval(e, cc, true)
			if err != nil {
				return err
			}
			if expr.ApplyBinary(expr.OpEq, v, w).Truthy() {
				return it.execList(cs.Body, src)
			}
		}
	}
	if s.Default != nil {
		return it.execList(s.Default.Body, src)
	}
	return nil
}

func (it *interp) execExit(h *script.Exit, c *stmtCtx) error {
	if h.Cond != nil {
		ok, err := it.cond(h.Cond.Expr, c, false)
		if err != nil {
			return err
		}
		if h.Cond.Kind == script.CondUnless {
			ok = !ok
		}
		if !ok {
			return nil
		}
	}
	switch h.Kind {
	case script.ExitFor:
		return flowExitFor
	case script.ExitDo:
		return flowExitDo
	case script.ExitSub:
		return flowExitSub
	}
	it.log.line("Script exited (EXIT SCRIPT)")
	return flowExitScript
}

// execCall runs a subroutine. Arguments are evaluated and bound to the
// parameters as variables; a parameter whose argument is the name of a
// variable is copied back to that variable when the subroutine ends (call
// by reference, as Qlik documents). Parameters without an argument start
// NULL. Variables named like parameters are restored afterwards.
func (it *interp) execCall(h *script.Call, c *stmtCtx) error {
	name := h.Name.Text
	sub := it.subs[strings.ToLower(name)]
	if sub == nil {
		sub = findSub(it.main.Stmts, name)
	}
	if sub == nil {
		return c.errorf(h.Name.Pos, "CALL %s: no subroutine of that name is defined", name)
	}
	if len(h.Args) > len(sub.Params) && len(sub.Params) > 0 || len(sub.Params) == 0 && len(h.Args) > 0 {
		return c.errorf(h.Name.Pos, "CALL %s: %d arguments given, the subroutine takes %d", name, len(h.Args), len(sub.Params))
	}
	if it.callDepth >= it.lim.MaxCallDepth {
		return c.errorf(h.Name.Pos, "CALL %s: calls nested more than %d levels: %w", name, it.lim.MaxCallDepth, ErrLimit)
	}
	args := make([]expr.Value, len(h.Args))
	byRef := make([]string, len(h.Args))
	for i, a := range h.Args {
		v, err := it.eval(a, c, false)
		if err != nil {
			return err
		}
		args[i] = v
		if n := strings.TrimSpace(a.Src); expr.IsIdentifier(n) {
			if _, ok := it.vars.get(n); ok {
				byRef[i] = n
			}
		}
	}
	type saved struct {
		v  Variable
		ok bool
	}
	prev := make([]saved, len(sub.Params))
	for i, p := range sub.Params {
		v, ok := it.vars.get(p.Text)
		prev[i] = saved{v, ok}
		if i < len(args) {
			it.vars.set(p.Text, args[i])
		} else {
			it.vars.remove(p.Text)
		}
	}
	it.callDepth++
	subSrc := c.src
	err := it.execList(sub.Body, subSrc)
	it.callDepth--
	if err == flowExitSub {
		err = nil
	}
	// Copy back, then restore the shadowed variables.
	out := make([]saved, len(sub.Params))
	for i, p := range sub.Params {
		v, ok := it.vars.get(p.Text)
		out[i] = saved{v, ok}
	}
	for i, p := range sub.Params {
		if prev[i].ok {
			it.vars.put(p.Text, prev[i].v)
		} else {
			it.vars.remove(p.Text)
		}
	}
	for i, ref := range byRef {
		if ref == "" || i >= len(out) {
			continue
		}
		if out[i].ok {
			it.vars.put(ref, out[i].v)
		} else {
			it.vars.remove(ref)
		}
	}
	if err != nil {
		if f, ok := err.(flow); ok && f != flowExitScript {
			return c.errorf(h.Name.Pos, "CALL %s: %s", name, f.Error())
		}
		return err
	}
	return nil
}

// findSub looks for a SUB anywhere in the script (a CALL before the SUB
// statement was run, as when the SUB comes later in the script).
func findSub(stmts []script.Stmt, name string) *script.Sub {
	for _, st := range stmts {
		var found *script.Sub
		switch s := st.(type) {
		case *script.Sub:
			if strings.EqualFold(s.Name.Text, name) {
				return s
			}
			found = findSub(s.Body, name)
		case *script.If:
			found = findSub(s.Then, name)
			for _, ei := range s.ElseIfs {
				if found == nil {
					found = findSub(ei.Body, name)
				}
			}
			if found == nil && s.Else != nil {
				found = findSub(s.Else.Body, name)
			}
		case *script.For:
			found = findSub(s.Body, name)
		case *script.ForEach:
			found = findSub(s.Body, name)
		case *script.Do:
			found = findSub(s.Body, name)
		case *script.Switch:
			for _, cs := range s.Cases {
				if found == nil {
					found = findSub(cs.Body, name)
				}
			}
			if found == nil && s.Default != nil {
				found = findSub(s.Default.Body, name)
			}
		}
		if found != nil {
			return found
		}
	}
	return nil
}

// listFuncs are the FOR EACH item functions that give several values.
var listFuncs = map[string]bool{"filelist": true, "dirlist": true, "fieldvaluelist": true}

// listFunc evaluates FileList('mask'), DirList('mask') or
// FieldValueList('field') for FOR EACH.
func (it *interp) listFunc(call *expr.Call, e script.Expr, c *stmtCtx) ([]expr.Value, error) {
	env := &scriptEnv{it: it}
	if len(call.Args) != 1 {
		return nil, c.errorf(e.Pos, "%s takes 1 argument, got %d", call.Func.Name, len(call.Args))
	}
	arg := expr.Eval(call.Args[0], env)
	if ref, ok := call.Args[0].(*expr.FieldRef); ok && arg.IsNull() {
		arg = expr.Str(ref.Name.Text)
	}
	switch strings.ToLower(call.Func.Name) {
	case "fieldvaluelist":
		f := it.m.fields[arg.Text()]
		if f == nil {
			return nil, c.errorf(e.Pos, "FieldValueList: field %q not found", arg.Text())
		}
		out := make([]expr.Value, f.syms.Len())
		for i := range out {
			out[i] = expr.FromDual(f.syms.Dual(uint32(i)))
		}
		return out, nil
	}
	dirs := strings.EqualFold(call.Func.Name, "DirList")
	names, err := it.files.list(arg.Text(), dirs)
	if err != nil {
		return nil, c.errorf(e.Pos, "%s(%q): %w", call.Func.Name, arg.Text(), err)
	}
	out := make([]expr.Value, len(names))
	for i, n := range names {
		out[i] = expr.Str(n)
	}
	return out, nil
}

// fmtValue renders a value for the log.
func fmtValue(v expr.Value) string {
	if v.IsNull() {
		return "NULL"
	}
	return fmt.Sprintf("%q", v.Text())
}
