package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/script"
)

// modelOptions are the options of the final model's builder.
func modelOptions(req *Request) engine.Options {
	opts := req.Model
	if opts.Logger == nil {
		opts.Logger = req.Logger
	}
	return opts
}

// interp is the state of one running reload.
type interp struct {
	ctx  context.Context
	req  *Request
	lim  Limits
	logr *slog.Logger
	now  time.Time

	main     *script.Script
	vars     *variables
	m        *model
	log      reloadLog
	warnings []string

	files fileAccess // path resolution and access checks
	subs  map[string]*script.Sub

	// Settings changed by statements.
	qualify     []qualifyRule
	maps        []mapRule
	nullAsValue []qualifyRule
	aliases     map[string]string
	tags        map[string][]string
	loosen      []string

	fieldComments map[string]string
	tableComments map[string]string

	curTable *table // the table the running LOAD writes to (Peek's default)
	curFile  string // the file the running LOAD reads (FileName())
	mapCache []mappingCache

	exprCache map[string]expr.Node
	callDepth int
	autoNum   map[string]map[string]int // AutoNumber counters by id
	rand      *randSource
	ticks     int
}

func newInterp(ctx context.Context, req *Request) *interp {
	it := &interp{
		ctx:       ctx,
		req:       req,
		lim:       req.Limits.resolve(),
		logr:      req.Logger,
		vars:      newVariables(),
		m:         newModel(engine.NewBuilder(modelOptions(req))),
		subs:      map[string]*script.Sub{},
		aliases:   map[string]string{},
		tags:      map[string][]string{},
		exprCache: map[string]expr.Node{},
		autoNum:   map[string]map[string]int{},
	}
	if it.logr == nil {
		it.logr = slog.New(slog.DiscardHandler)
	}
	if req.Now != nil {
		it.now = req.Now()
	} else {
		it.now = time.Now()
	}
	it.rand = newRandSource(uint64(it.now.UnixNano()))
	it.log.progress = req.Progress
	it.files = newFileAccess(req)
	return it
}

// checkCtx reports a cancelled or timed-out reload.
func (it *interp) checkCtx() error {
	if err := it.ctx.Err(); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("reload stopped: %w", err)
		}
		return fmt.Errorf("reload aborted: %w", err)
	}
	return nil
}

// tick checks for cancellation every 1024 calls (row loops).
func (it *interp) tick() error {
	it.ticks++
	if it.ticks&1023 == 0 {
		return it.checkCtx()
	}
	return nil
}

// warn records a warning in the result and the log.
func (it *interp) warn(msg string) {
	it.warnings = append(it.warnings, msg)
	it.log.line("Warning: " + msg)
}

// execList runs statements in order. A LOAD without a source (a preceding
// load) takes the following statements up to the one that has a source as
// the rest of its chain.
func (it *interp) execList(stmts []script.Stmt, src *srcText) error {
	for i := 0; i < len(stmts); i++ {
		if err := it.checkCtx(); err != nil {
			return (&stmtCtx{src: src, pos: stmts[i].Info().Pos}).wrap(err)
		}
		next, err := it.execOne(stmts, i, src)
		if err != nil {
			if err = it.onError(err); err != nil {
				return err
			}
		}
		i = next
	}
	return nil
}

// execOne runs statement i (with the rest of its preceding-load chain) and
// returns the index of the last statement it used.
func (it *interp) execOne(stmts []script.Stmt, i int, src *srcText) (int, error) {
	st := stmts[i]
	switch st.(type) {
	case *script.If, *script.For, *script.ForEach, *script.Do, *script.Sub, *script.Switch,
		*script.Call, *script.Exit:
		return i, it.control(st, src)
	case *script.Unexpanded:
		return i, it.unexpanded(st.(*script.Unexpanded), src)
	case *script.Tab:
		return i, nil
	}
	ps, c, err := it.prepare(st, src)
	if err != nil || ps == nil {
		return i, err
	}
	ld, ok := loadOf(ps)
	if !ok || ld.Source != nil {
		return i, it.regular(ps, c)
	}
	chain := []preparedLoad{{ld, c}}
	j := i + 1
	for ; ; j++ {
		if j >= len(stmts) {
			return j, c.errorf(ld.Pos, "preceding LOAD: no LOAD with a source (FROM, INLINE, RESIDENT, AUTOGENERATE) follows it")
		}
		ns, nc, err := it.prepare(stmts[j], src)
		if err != nil {
			return j, err
		}
		if ns == nil {
			continue
		}
		if sq, ok := ns.(*script.SQL); ok {
			return j, nc.errorf(sq.Pos, "SQL SELECT is %w: no database connector is available", ErrNotSupported)
		}
		nl, ok := ns.(*script.Load)
		if !ok {
			return j, nc.errorf(ns.Info().Pos, "preceding LOAD: expected a LOAD statement below it, found %s", describeStmt(ns))
		}
		if nl.Label != nil || len(nl.Prefixes) > 0 {
			return j, nc.errorf(nl.Pos, "a LOAD that feeds a preceding LOAD cannot have a label or a prefix")
		}
		chain = append(chain, preparedLoad{nl, nc})
		if nl.Source != nil {
			break
		}
	}
	return j, it.load(chain)
}

// onError decides what a failed statement does to the reload: with SET
// ErrorMode=0 the error is recorded in ScriptError, ScriptErrorCount,
// ScriptErrorDetails and ScriptErrorList and the script goes on (§5.1);
// cancellation, limits, internal errors and control flow always stop it.
func (it *interp) onError(err error) error {
	if _, ok := err.(flow); ok {
		return err
	}
	if mode, ok := it.vars.text("ErrorMode"); !ok || strings.TrimSpace(mode) != "0" {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrLimit) || errors.Is(err, ErrInternal) {
		return err
	}
	e := it.toErrorQuiet(err)
	code, name := 2, "General Error"
	switch {
	case errors.Is(err, errNotExist):
		code, name = 8, "File Not Found"
	case strings.HasPrefix(e.Msg, "syntax error"):
		code, name = 3, "Syntax Error"
	}
	it.vars.set("ScriptError", expr.Dual(float64(code), name))
	n := 1.0
	if v, ok := it.vars.get("ScriptErrorCount"); ok && v.HasNum() {
		n = v.Num + 1
	}
	it.vars.set("ScriptErrorCount", expr.Num(n))
	it.vars.setText("ScriptErrorDetails", e.Msg)
	list, _ := it.vars.text("ScriptErrorList")
	if list != "" {
		list += "\n"
	}
	it.vars.setText("ScriptErrorList", list+name)
	it.warn(fmt.Sprintf("%d:%d: %s (ignored: ErrorMode=0)", e.Line, e.Col, e.Msg))
	return nil
}

type preparedLoad struct {
	ld *script.Load
	c  *stmtCtx
}

func loadOf(st script.Stmt) (*script.Load, bool) {
	ld, ok := st.(*script.Load)
	return ld, ok
}

// prepare dollar-expands a regular statement and re-parses it when its
// text holds an expansion. It returns nil for a statement that expands to
// nothing.
func (it *interp) prepare(st script.Stmt, src *srcText) (script.Stmt, *stmtCtx, error) {
	info := st.Info()
	c := &stmtCtx{src: src, pos: info.Pos}
	if !strings.Contains(info.Text, "$(") {
		return st, c, nil
	}
	exp, err := it.expand(info.Text, c, info.Pos)
	if err != nil {
		return nil, nil, err
	}
	c.xm = newXmap(info.Text, exp, info.Pos, info.Pos)
	ns, err := script.ParseStatement(exp, info.Pos)
	if err != nil {
		return nil, nil, c.scriptErrors(err)
	}
	return ns, c, nil
}

// expand performs dollar-sign expansion on text, the text of a statement
// or expression at offset base of c's source.
func (it *interp) expand(text string, c *stmtCtx, base int) (string, error) {
	out, err := expr.Expand(text, expr.ExpandEnv{
		Variable: func(name string) (expr.Value, bool) {
			v, ok := it.vars.get(name)
			if !ok {
				return expr.Value{}, false
			}
			return v.value(), true
		},
		Evaluate: func(src string) (expr.Value, error) {
			n, err := it.parseText(src)
			if err != nil {
				return expr.Value{}, err
			}
			return expr.Eval(n, &scriptEnv{it: it}), nil
		},
		Include: func(path string, must bool) (string, error) {
			return it.readInclude(path, must)
		},
		MaxExpansions: it.lim.MaxExpansions,
	})
	if err != nil {
		off := base
		if i := strings.Index(text, "$("); i >= 0 {
			off += i
		}
		if errors.Is(err, expr.ErrExpansionLimit) {
			return "", c.errorf(off, "%v: %w", err, ErrLimit)
		}
		return "", c.errorf(off, "%w", err)
	}
	return out, nil
}

// parseText parses an expression without position mapping (used by
// $(=...) and Evaluate()).
func (it *interp) parseText(src string) (expr.Node, error) {
	if n, ok := it.exprCache[src]; ok {
		return n, nil
	}
	n, err := expr.ParseWith(src, expr.Options{Context: expr.InScript})
	if err != nil {
		return nil, err
	}
	it.cacheExpr(src, n)
	return n, nil
}

func (it *interp) cacheExpr(src string, n expr.Node) {
	if len(it.exprCache) > 10000 {
		clear(it.exprCache)
	}
	it.exprCache[src] = n
}

// parseExpr parses the expression e of a statement run in context c.
// When expandHere is set (control statements, which are not expanded as a
// whole), the $(...) in e are expanded first. Errors are positioned in the
// original script.
func (it *interp) parseExpr(e script.Expr, c *stmtCtx, expandHere bool) (expr.Node, error) {
	src := e.Src
	ec := c
	if expandHere && strings.Contains(src, "$(") {
		exp, err := it.expand(src, c, e.Pos)
		if err != nil {
			return nil, err
		}
		ec = &stmtCtx{src: c.src, xm: newXmap(src, exp, c.at(e.Pos), e.Pos), pos: e.Pos}
		src = exp
	}
	if strings.TrimSpace(src) == "" {
		return nil, ec.errorf(e.Pos, "expected an expression")
	}
	if n, ok := it.exprCache[src]; ok {
		return n, nil
	}
	n, err := expr.ParseWith(src, expr.Options{Context: expr.InScript})
	if err != nil {
		var list expr.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			msg := list[0].Msg
			if len(list) > 1 {
				msg += fmt.Sprintf(" (and %d more errors)", len(list)-1)
			}
			return nil, ec.errorf(e.Pos+int(list[0].Pos), "invalid expression %s: %s", clip(src), msg)
		}
		return nil, ec.errorf(e.Pos, "invalid expression %s: %w", clip(src), err)
	}
	it.cacheExpr(src, n)
	return n, nil
}

// eval parses and evaluates an expression of a statement without row
// context.
func (it *interp) eval(e script.Expr, c *stmtCtx, expandHere bool) (expr.Value, error) {
	n, err := it.parseExpr(e, c, expandHere)
	if err != nil {
		return expr.Value{}, err
	}
	env := &scriptEnv{it: it}
	v := expr.Eval(n, env)
	if env.err != nil {
		return expr.Value{}, c.errorf(e.Pos, "%w", env.err)
	}
	return v, nil
}

// nameText expands a name of a control statement.
func (it *interp) nameText(n script.Name, c *stmtCtx, expandHere bool) (string, error) {
	if !expandHere || !n.HasExpansion() {
		return n.Text, nil
	}
	s, err := it.expand(n.Text, c, n.Pos)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// unexpanded runs a statement that is only known after expansion: an
// include, or text assembled from variables.
func (it *interp) unexpanded(st *script.Unexpanded, src *srcText) error {
	c := &stmtCtx{src: src, pos: st.Pos}
	if path, must, ok := includeOnly(st.Text); ok {
		return it.include(path, must, c)
	}
	exp, err := it.expand(st.Text, c, st.Pos)
	if err != nil {
		return err
	}
	sub := &srcText{text: exp, lines: script.NewLineIndex(exp), parent: src, xm: newXmap(st.Text, exp, st.Pos, 0)}
	sc, perr := script.Parse(exp)
	if perr != nil {
		return (&stmtCtx{src: sub}).scriptErrors(perr)
	}
	return it.execList(sc.Stmts, sub)
}

// includeOnly recognises a statement that is exactly $(include=path) or
// $(must_include=path).
func includeOnly(text string) (path string, must, ok bool) {
	t := strings.TrimSpace(text)
	t = strings.TrimSuffix(t, ";")
	t = strings.TrimSpace(t)
	if !strings.HasPrefix(t, "$(") || !strings.HasSuffix(t, ")") || strings.Count(t, "$(") != 1 {
		return "", false, false
	}
	body := strings.TrimSpace(t[2 : len(t)-1])
	low := strings.ToLower(body)
	for _, kw := range []string{"must_include", "include"} {
		if strings.HasPrefix(low, kw) {
			rest := strings.TrimSpace(body[len(kw):])
			if strings.HasPrefix(rest, "=") {
				return strings.TrimSpace(rest[1:]), kw == "must_include", true
			}
		}
	}
	return "", false, false
}

// include runs the statements of an included file.
func (it *interp) include(path string, must bool, c *stmtCtx) error {
	if it.callDepth >= it.lim.MaxCallDepth {
		return c.errorf(c.pos, "include of %q: includes nested more than %d levels: %w", path, it.lim.MaxCallDepth, ErrLimit)
	}
	text, err := it.readInclude(path, must)
	if err != nil {
		return c.errorf(c.pos, "%w", err)
	}
	it.log.quiet(fmt.Sprintf("Including %s", path))
	sub := &srcText{text: text, lines: script.NewLineIndex(text), file: path, parent: c.src, at: c.at(c.pos)}
	sc, perr := script.Parse(text)
	if perr != nil {
		return (&stmtCtx{src: sub}).scriptErrors(perr)
	}
	it.callDepth++
	defer func() { it.callDepth-- }()
	return it.execList(sc.Stmts, sub)
}

// readInclude reads an include file inside the allowed directories. A
// missing file is an empty text for include and an error for must_include.
func (it *interp) readInclude(path string, must bool) (string, error) {
	p, err := it.files.resolve(path)
	if err != nil {
		if !must && errors.Is(err, errNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("cannot include %q: %w", path, err)
	}
	data, err := it.files.read(p)
	if err != nil {
		if !must && errors.Is(err, errNotExist) {
			return "", nil
		}
		return "", fmt.Errorf("cannot include %q: %w", path, err)
	}
	return strings.TrimPrefix(string(data), "\uFEFF"), nil
}

// describeStmt names a statement kind for messages.
func describeStmt(st script.Stmt) string {
	t := fmt.Sprintf("%T", st)
	t = strings.TrimPrefix(t, "*script.")
	return strings.ToUpper(t)
}

// clip abbreviates a text for messages.
func clip(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "..."
	}
	return s
}
