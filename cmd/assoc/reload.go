package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/qix"
	"github.com/assocengine/assoc/reload"
)

func init() {
	register(&command{name: "reload", summary: "run a load script offline and write the app file", run: runReload})
}

const reloadSynopsis = `SCRIPT --out APP.assoc [flags]

Runs the load script SCRIPT and writes the app file APP.assoc, which
"assoc serve --docs-dir" opens without reloading. When APP.assoc already
holds an app, its id, title, sheets, objects, bookmarks and other parts
are kept and only the script, the data and the script variables are
replaced; otherwise the app gets a new id (a GUID).

Files are read only inside the --allow-dir directories and the folders of
--connection (default: the script's directory); relative paths start at
the first --allow-dir, or at the script's directory.`

// reloadFlags are the command line of assoc reload.
type reloadFlags struct {
	out      string
	title    string
	id       string
	allow    stringList
	conns    stringList
	timeout  time.Duration
	maxRows  int64
	progress bool
	quiet    bool
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func runReload(ctx context.Context, e *env, args []string) error {
	var f reloadFlags
	flags := newFlagSet(e, "reload", reloadSynopsis)
	flags.StringVar(&f.out, "out", "", "the app `file` to write (required)")
	flags.StringVar(&f.title, "title", "", "the app's title (default: the existing app's, or the file name)")
	flags.StringVar(&f.id, "id", "", "the app's `id` for a new app file (default: a new GUID)")
	flags.Var(&f.allow, "allow-dir", "a `directory` the script may read files in (repeatable)")
	flags.Var(&f.conns, "connection", "a folder connection `name=dir`: lib://name/ reads dir (repeatable)")
	flags.DurationVar(&f.timeout, "timeout", 0, "stop the reload after this `duration` (0: no limit)")
	flags.Int64Var(&f.maxRows, "max-rows", 0, "fail when the tables hold more than `n` rows together (0: no limit)")
	flags.BoolVar(&f.progress, "progress", isTerminal(e.stderr), "show a progress bar (default: when stderr is a terminal)")
	flags.BoolVar(&f.quiet, "quiet", false, "print nothing but errors")
	pos, err := parseInterleaved(flags, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err}
	}
	switch {
	case len(pos) == 0:
		return usageError{errors.New("no script given")}
	case len(pos) > 1:
		return usageError{fmt.Errorf("unexpected argument %q", pos[1])}
	case f.out == "":
		return usageError{errors.New("--out is required")}
	case f.maxRows < 0:
		return usageError{fmt.Errorf("--max-rows %d is negative", f.maxRows)}
	}
	return reloadApp(ctx, e, pos[0], &f)
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("assoc reload s.qvs --out a.assoc").
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// reloadRequest builds the reload of the script at path.
func reloadRequest(path string, f *reloadFlags) (reload.Request, error) {
	var req reload.Request
	text, err := os.ReadFile(path)
	if err != nil {
		return req, fmt.Errorf("cannot read the script: %w", err)
	}
	scriptDir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return req, fmt.Errorf("cannot locate the script: %w", err)
	}
	req.Script = string(text)
	for _, d := range f.allow {
		abs, err := existingDir(d)
		if err != nil {
			return req, usageError{fmt.Errorf("--allow-dir %q: %w", d, err)}
		}
		req.AllowDirs = append(req.AllowDirs, abs)
	}
	req.BaseDir = scriptDir
	if len(req.AllowDirs) == 0 {
		req.AllowDirs = []string{scriptDir}
	} else {
		req.BaseDir = req.AllowDirs[0]
	}
	for _, c := range f.conns {
		name, dir, ok := strings.Cut(c, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" || dir == "" {
			return req, usageError{fmt.Errorf("--connection %q: want name=dir", c)}
		}
		abs, err := existingDir(dir)
		if err != nil {
			return req, usageError{fmt.Errorf("--connection %q: %w", c, err)}
		}
		if req.Connections == nil {
			req.Connections = map[string]string{}
		}
		if _, dup := req.Connections[name]; dup {
			return req, usageError{fmt.Errorf("--connection %q: connection %q given twice", c, name)}
		}
		req.Connections[name] = abs
	}
	req.Limits = reload.Limits{MaxDuration: f.timeout, MaxRows: f.maxRows}
	return req, nil
}

func existingDir(d string) (string, error) {
	abs, err := filepath.Abs(d)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a directory", abs)
	}
	return abs, nil
}

// baseApp returns the app the reload goes into: the one in the out file,
// without its model, or a new one.
func baseApp(f *reloadFlags) (*qix.AppSnapshot, error) {
	app, err := qix.ReadAppFile(f.out, qix.AppReadOptions{SkipModel: true})
	switch {
	case err == nil:
		if f.id != "" && f.id != app.ID {
			return nil, usageError{fmt.Errorf("--id %q: %s holds app %q", f.id, f.out, app.ID)}
		}
	case errors.Is(err, fs.ErrNotExist):
		app = &qix.AppSnapshot{ID: f.id, Title: strings.TrimSuffix(filepath.Base(f.out), filepath.Ext(f.out))}
		if app.ID == "" {
			app.ID = qix.NewAppID()
		}
	default:
		return nil, fmt.Errorf("%s exists but cannot be reloaded into (remove it or choose another --out): %w", f.out, err)
	}
	if f.title != "" {
		app.Title = f.title
	}
	return app, nil
}

func reloadApp(ctx context.Context, e *env, script string, f *reloadFlags) error {
	if st, err := os.Stat(filepath.Dir(f.out)); err != nil || !st.IsDir() {
		return usageError{fmt.Errorf("--out %q: the directory %s does not exist", f.out, filepath.Dir(f.out))}
	}
	req, err := reloadRequest(script, f)
	if err != nil {
		return err
	}
	app, err := baseApp(f)
	if err != nil {
		return err
	}
	start := time.Now()
	p := newReloadProgress(e.stderr, f.progress && !f.quiet, !f.quiet)
	req.Progress = p.event
	res, err := reload.Run(ctx, req)
	p.finish()
	if err != nil {
		var re *reload.Error
		if errors.As(err, &re) && re.Line > 0 {
			return fmt.Errorf("%s:%d:%d: %s", script, re.Line, re.Col, re.Msg)
		}
		return err
	}
	took := time.Since(start)

	app.Script = req.Script
	app.Model = res.Model
	app.LastReload = time.Now().UTC()
	app.Variables = make(map[string]string, len(res.Variables))
	for name, v := range res.Variables {
		app.Variables[name] = v.Text
	}
	saveStart := time.Now()
	if err := qix.WriteAppFile(f.out, app); err != nil {
		return err
	}
	if f.quiet {
		return nil
	}
	st := res.Model.Stats()
	size := int64(0)
	if fi, err := os.Stat(f.out); err == nil {
		size = fi.Size()
	}
	fmt.Fprintf(e.stderr, "wrote %s (app %s): %d tables, %d fields, %s rows, %s; reload %s, save %s\n",
		f.out, app.ID, countUser(res.Model.Tables()), len(res.Model.Fields()), groupInt(st.Rows), sizeLabel(size),
		took.Round(time.Millisecond), time.Since(saveStart).Round(time.Millisecond))
	return nil
}

// reloadProgress shows a reload's progress: the persistent log lines as
// they come and, when enabled, a bar with the table being loaded, the rows
// fetched so far and the rate. The reload calls event on its goroutine;
// nothing else touches the bar, whose own refresh ticker is off.
type reloadProgress struct {
	w     io.Writer
	log   bool
	bar   *progressbar.ProgressBar
	table string
	done  int64 // rows of the tables finished
}

func newReloadProgress(w io.Writer, bar, log bool) *reloadProgress {
	p := &reloadProgress{w: w, log: log}
	if bar {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("reloading"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowTotalBytes(false),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionSetPredictTime(false),
			progressbar.OptionSpinnerType(14),
			progressbar.OptionSetSpinnerChangeInterval(0),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// fetched parses "Table << [source] 1,234 Lines fetched".
func fetched(msg string) (table string, rows int64, ok bool) {
	head, ok := strings.CutSuffix(msg, " Lines fetched")
	if !ok {
		return "", 0, false
	}
	table, rest, ok := strings.Cut(head, " << ")
	if !ok {
		return "", 0, false
	}
	f := strings.Fields(rest)
	if len(f) == 0 {
		return "", 0, false
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(f[len(f)-1], ",", ""), 10, 64)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return table, n, true
}

func (p *reloadProgress) event(ev reload.Progress) {
	table, rows, isFetch := fetched(ev.Message)
	if isFetch && table != p.table {
		p.table = table
		if p.bar != nil {
			p.bar.Describe(table)
		}
	}
	if ev.Persistent {
		if p.log {
			if p.bar != nil {
				_ = p.bar.Clear()
			}
			fmt.Fprintln(p.w, ev.Message)
		}
		if isFetch {
			p.done += rows
			rows = 0
		}
	}
	if p.bar != nil && (isFetch || ev.Persistent) {
		_ = p.bar.Set64(p.done + rows)
	}
}

func (p *reloadProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

func countUser(ts []*engine.Table) int {
	n := 0
	for _, t := range ts {
		if !t.System {
			n++
		}
	}
	return n
}

// groupInt renders n with thousands separators.
func groupInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func sizeLabel(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
