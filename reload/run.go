package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime/debug"
	"sort"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/reload/script"
)

// Request is one reload: the script and everything it may touch.
type Request struct {
	// Script is the load script.
	Script string
	// Connections maps folder connection names (lib://<name>/...) to
	// directories, already validated by the caller.
	Connections map[string]string
	// AllowDirs are the roots every file access (FROM, STORE, FileList,
	// DirList, include, QVD functions) must resolve inside, after cleaning
	// and symlink resolution. The folders of Connections are allowed too.
	// With no roots at all, every file access fails.
	AllowDirs []string
	// BaseDir is the directory relative paths start from (before any
	// DIRECTORY statement). Empty means the first allowed root.
	BaseDir string
	// Progress receives progress events while the reload runs (may be nil).
	// It is called on the reload's goroutine and must not block for long.
	Progress func(Progress)
	// Logger receives debug records (may be nil).
	Logger *slog.Logger
	// Limits bound what the script may consume; the zero value applies the
	// defaults documented on Limits.
	Limits Limits
	// Now is the clock of Now(), Today() and the log (nil: time.Now).
	Now func() time.Time
	// Model configures the final model (packing, system tables).
	Model engine.Options
	// RowLimit, when positive, reads at most that many records from each
	// source, as the limited load of a debug reload does.
	RowLimit int64
}

// Limits bound a reload. Zero fields take the default given with each.
type Limits struct {
	// MaxRows bounds the rows of all tables together (0: no limit).
	MaxRows int64
	// MaxMemory bounds the estimated bytes of the tables and symbol tables
	// built so far (0: no limit). The estimate counts the code columns
	// exactly and every symbol as 64 bytes.
	MaxMemory int64
	// MaxLoopIterations bounds the iterations of one FOR, FOR EACH or DO
	// loop and of one LOAD ... WHILE on one record (0: 10 000 000).
	MaxLoopIterations int
	// MaxExpansions bounds the dollar-sign expansions of one statement
	// (0: 1000, as Qlik).
	MaxExpansions int
	// MaxCallDepth bounds the nesting of CALL and include (0: 100).
	MaxCallDepth int
	// MaxDuration bounds the whole reload (0: no limit).
	MaxDuration time.Duration
}

const (
	defaultMaxLoopIterations = 10_000_000
	defaultMaxCallDepth      = 100
)

func (l Limits) resolve() Limits {
	if l.MaxLoopIterations <= 0 {
		l.MaxLoopIterations = defaultMaxLoopIterations
	}
	if l.MaxCallDepth <= 0 {
		l.MaxCallDepth = defaultMaxCallDepth
	}
	return l
}

// Progress is one progress event: a transient line ("Orders << 1200 Lines
// fetched") or a persistent one that also goes to the log (a finished
// statement, a TRACE, a warning).
type Progress struct {
	Message    string
	Persistent bool
}

// Result is a successful reload.
type Result struct {
	// Model is the new data model.
	Model *engine.Model
	// Log is the reload log: statements, fields found, rows fetched,
	// TRACE output, warnings.
	Log string
	// Variables are the script variables at the end, by name.
	Variables map[string]Variable
	// Warnings are the problems that did not stop the reload (ragged
	// records, synthetic keys, loosened tables, unusable format variables).
	Warnings []string
	// FieldComments and TableComments are the COMMENT statements' texts.
	FieldComments map[string]string
	TableComments map[string]string
}

// Run executes the load script of req and builds a new model. It never
// returns a partial model: on failure the error is an *Error with the
// position of the failing statement in the original script. Cancelling
// ctx (or reaching Limits.MaxDuration) stops the reload promptly.
func Run(ctx context.Context, req Request) (res *Result, err error) {
	if req.Limits.MaxDuration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Limits.MaxDuration)
		defer cancel()
	}
	it := newInterp(ctx, &req)
	defer func() {
		if r := recover(); r != nil {
			res = nil
			err = &Error{Msg: fmt.Sprintf("internal error: %v", r), Log: it.log.String(),
				Err: fmt.Errorf("%w: BUG: panic in reload: %v\n%s", ErrInternal, r, debug.Stack())}
		}
	}()
	res, err = it.run()
	if err != nil {
		return nil, it.toError(err)
	}
	return res, nil
}

// toError converts an internal error into an *Error and logs it.
func (it *interp) toError(err error) *Error {
	e := it.toErrorQuiet(err)
	it.log.line(fmt.Sprintf("Error: %s", e.Msg))
	it.log.line("Execution failed")
	e.Log = it.log.String()
	return e
}

// toErrorQuiet converts an internal error into an *Error with its
// position.
func (it *interp) toErrorQuiet(err error) *Error {
	e := &Error{Msg: err.Error(), Err: err}
	var pe *posErr
	if errors.As(err, &pe) {
		line, col, note := pe.src.resolve(pe.off)
		e.Line, e.Col, e.Msg = line, col, note+pe.msg
		if pe.err != nil {
			e.Err = pe.err
		}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		e.Msg += fmt.Sprintf(" (the reload ran longer than %s)", it.req.Limits.MaxDuration)
	}
	return e
}

// run executes the script and finalises the model.
func (it *interp) run() (*Result, error) {
	it.log.line("Started loading data")
	sc, perr := script.Parse(it.req.Script)
	main := newSrcText(it.req.Script)
	if perr != nil {
		return nil, (&stmtCtx{src: main}).scriptErrors(perr)
	}
	it.main = sc
	err := it.execList(sc.Stmts, main)
	if err != nil && err != flowExitScript {
		if f, ok := err.(flow); ok {
			return nil, fmt.Errorf("%s", f.Error())
		}
		return nil, err
	}
	if err := it.checkCtx(); err != nil {
		return nil, err
	}
	m, err := it.finish()
	if err != nil {
		return nil, err
	}
	res := &Result{
		Model:         m,
		Variables:     it.vars.export(),
		Warnings:      it.warnings,
		FieldComments: it.fieldComments,
		TableComments: it.tableComments,
	}
	it.log.line("Finished successfully")
	res.Log = it.log.String()
	return res, nil
}

// sortedKeys returns the keys of m sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isNaN(f float64) bool { return math.IsNaN(f) }
