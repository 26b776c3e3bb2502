package qix

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assocengine/assoc/engine"
)

// app is an app in memory: its data model, script, properties, alternate
// states, connections and persistent generic objects, shared by every
// session that opened it.
type app struct {
	e         *Engine
	id        string
	isSession bool

	mu         sync.RWMutex
	title      string
	script     string
	props      *jsonObject // app properties (custom keys kept)
	objects    map[string]*genericObject
	objOrder   []string
	conns      []Connection
	states     []string // alternate states, creation order
	lastReload time.Time
	variables  map[string]string
	vars       map[string]*genericObject // app variables by id
	scriptVars map[string]*genericObject // script variables made objects, by name
	deleted    bool
	sessions   map[*Session]struct{}
	lib        library // master items, bookmarks and object trees (masteritems.go)
	// calcVer changes whenever something charts read besides the data and
	// the selections changes (variables, bookmarks): cached cubes of an
	// older version are not reused.
	calcVer atomic.Uint64

	mi        atomic.Pointer[modelInfo] // nil: never reloaded
	reloading atomic.Bool
}

func newApp(e *Engine, id string, session bool) *app {
	return &app{e: e, id: id, isSession: session, props: newObj(4),
		objects: map[string]*genericObject{}, sessions: map[*Session]struct{}{}}
}

func appFromSnapshot(e *Engine, s *AppSnapshot) (*app, error) {
	a := newApp(e, s.ID, false)
	a.title, a.script = s.Title, s.Script
	a.conns = slices.Clone(s.Connections)
	a.states = slices.Clone(s.States)
	a.lastReload = s.LastReload
	a.variables = s.Variables
	if len(s.Properties) > 0 {
		v, err := parseJSON(s.Properties)
		if err != nil {
			return nil, fmt.Errorf("cannot load app %q: properties: %w", s.ID, err)
		}
		if o, ok := v.(*jsonObject); ok {
			a.props = o
		}
	}
	if err := a.loadObjects(s.Objects); err != nil {
		return nil, fmt.Errorf("cannot load app %q: %w", s.ID, err)
	}
	for i, raw := range s.UserVariables {
		v, err := parseJSON(raw)
		props, ok := v.(*jsonObject)
		if err != nil || !ok {
			return nil, fmt.Errorf("cannot load app %q: variable %d is not a JSON object", s.ID, i)
		}
		o := newGenericObject(variableProps(props), a, nil)
		if o.id == "" {
			return nil, fmt.Errorf("cannot load app %q: variable %d has no id", s.ID, i)
		}
		if a.vars == nil {
			a.vars = map[string]*genericObject{}
		}
		a.vars[o.id] = o
	}
	if err := a.loadLibrary(s); err != nil {
		return nil, fmt.Errorf("cannot load app %q: %w", s.ID, err)
	}
	if s.Model != nil {
		a.mi.Store(newModelInfo(s.Model))
	}
	return a, nil
}

// snapshot captures the persistent part of the app.
func (a *app) snapshot() *AppSnapshot {
	a.mu.RLock()
	defer a.mu.RUnlock()
	s := &AppSnapshot{
		ID: a.id, Title: a.title, Script: a.script,
		Properties:  encode(a.props),
		Connections: slices.Clone(a.conns),
		States:      slices.Clone(a.states),
		LastReload:  a.lastReload,
		Variables:   a.variables,
	}
	if mi := a.mi.Load(); mi != nil {
		s.Model = mi.m
	}
	s.Objects = a.objectEntries()
	s.Dimensions, s.Measures, s.Bookmarks = a.libraryEntries()
	ids := make([]string, 0, len(a.vars))
	for id := range a.vars {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.UserVariables = append(s.UserVariables, encode(a.vars[id].properties()))
	}
	return s
}

// model returns the current data model (the engine's empty model when the
// app has never been reloaded).
func (a *app) model() *modelInfo {
	if mi := a.mi.Load(); mi != nil {
		return mi
	}
	return a.e.empty
}

func (a *app) hasData() bool { return a.mi.Load() != nil }

func (a *app) addSession(s *Session) {
	a.mu.Lock()
	a.sessions[s] = struct{}{}
	a.mu.Unlock()
}

func (a *app) removeSession(s *Session) {
	a.mu.Lock()
	delete(a.sessions, s)
	a.mu.Unlock()
}

func (a *app) sessionCount() int {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return len(a.sessions)
}

func (a *app) sessionList() []*Session {
	a.mu.RLock()
	defer a.mu.RUnlock()
	out := make([]*Session, 0, len(a.sessions))
	for s := range a.sessions {
		out = append(out, s)
	}
	return out
}

func (a *app) alternateStates() []string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return slices.Clone(a.states)
}

// object returns the persistent object with this id, or nil.
func (a *app) object(id string) *genericObject {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.objects[id]
}

// reloadParams are the DoReload/DoReloadEx options.
type reloadParams struct {
	mode     int
	partial  bool
	debug    bool
	rowLimit int64
}

// reload runs the app's script through Options.Reload and, on success only,
// swaps the new model in. prog (may be nil) receives the progress events.
// It returns the reload log.
func (a *app) reload(ctx context.Context, rp reloadParams, prog *progress) (string, error) {
	e := a.e
	if e.opts.Reload == nil {
		return "", fmt.Errorf("cannot reload app %q: %w", a.id, ErrNoReloader)
	}
	if !a.reloading.CompareAndSwap(false, true) {
		return "", qerr(errReloadInProgress, "app %q is being reloaded", a.id)
	}
	defer a.reloading.Store(false)

	a.mu.RLock()
	req := ReloadRequest{
		AppID:       a.id,
		Script:      a.script,
		Connections: map[string]string{},
		AllowDirs:   slices.Clone(e.allow),
		Logger:      e.log.With("app", a.id),
		Mode:        rp.mode,
		Partial:     rp.partial,
		Debug:       rp.debug,
		RowLimit:    rp.rowLimit,
	}
	conns := slices.Clone(a.conns)
	a.mu.RUnlock()
	for _, c := range conns {
		if c.Path == "" {
			continue
		}
		// Re-check: a symlink inside an allowed root may have moved.
		p, err := e.checkFolder(c.Path)
		if err != nil {
			return "", fmt.Errorf("cannot reload app %q: connection %q: %w", a.id, c.Name, err)
		}
		req.Connections[c.Name] = p
	}
	if prog != nil {
		req.Progress = prog.add
	}
	res, err := callReloader(ctx, e.opts.Reload, req)
	if err != nil {
		return reloadLog(err), err
	}
	if res == nil || res.Model == nil {
		return "", fmt.Errorf("cannot reload app %q: the reloader returned no data model", a.id)
	}
	if err := ctx.Err(); err != nil {
		return res.Log, fmt.Errorf("reload of app %q aborted: %w", a.id, err)
	}
	a.mu.Lock()
	a.lastReload = now().UTC()
	a.variables = res.Variables
	a.scriptVars = nil
	a.mu.Unlock()
	a.mi.Store(newModelInfo(res.Model))
	return res.Log, nil
}

func reloadLog(err error) string {
	var re *ReloadError
	if errors.As(err, &re) {
		return re.Log
	}
	return ""
}

// callReloader runs the reloader, turning a panic into an error so that a
// faulty reloader cannot take the engine down.
func callReloader(ctx context.Context, r Reloader, req ReloadRequest) (res *ReloadResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reload of app %q failed: reloader panic: %v", req.AppID, p)
		}
	}()
	return r(ctx, req)
}

// locale returns the app's number interpretation settings, from the script
// variables of the last reload with Qlik's defaults for missing ones.
func (a *app) locale() *jsonObject {
	a.mu.RLock()
	vars := a.variables
	a.mu.RUnlock()
	v := func(name, def string) string {
		if s, ok := vars[name]; ok {
			return s
		}
		return def
	}
	list := func(name, def string) []string { return splitList(v(name, def)) }
	atoi := func(name string, def int) int {
		var n int
		if _, err := fmt.Sscanf(v(name, ""), "%d", &n); err == nil {
			return n
		}
		return def
	}
	o := newObj(17)
	o.Set("qDecimalSep", v("DecimalSep", "."))
	o.Set("qThousandSep", v("ThousandSep", ","))
	o.Set("qListSep", v("ListSep", ","))
	o.Set("qMoneyDecimalSep", v("MoneyDecimalSep", "."))
	o.Set("qMoneyThousandSep", v("MoneyThousandSep", ","))
	o.Set("qCurrentYear", now().Year())
	o.Set("qMoneyFmt", v("MoneyFormat", "$ ###0.00;-$ ###0.00"))
	o.Set("qTimeFmt", v("TimeFormat", "h:mm:ss TT"))
	o.Set("qDateFmt", v("DateFormat", "M/D/YYYY"))
	o.Set("qTimestampFmt", v("TimestampFormat", "M/D/YYYY h:mm:ss[.fff] TT"))
	cal := newObj(4)
	cal.Set("qDayNames", list("DayNames", "Mon;Tue;Wed;Thu;Fri;Sat;Sun"))
	cal.Set("qMonthNames", list("MonthNames", "Jan;Feb;Mar;Apr;May;Jun;Jul;Aug;Sep;Oct;Nov;Dec"))
	cal.Set("qLongDayNames", list("LongDayNames", "Monday;Tuesday;Wednesday;Thursday;Friday;Saturday;Sunday"))
	cal.Set("qLongMonthNames", list("LongMonthNames", "January;February;March;April;May;June;July;August;September;October;November;December"))
	o.Set("qCalendarStrings", cal)
	o.Set("qFirstWeekDay", atoi("FirstWeekDay", 6))
	if atoi("BrokenWeeks", 1) != 0 {
		o.Set("qBrokenWeeks", true)
	}
	o.Set("qReferenceDay", atoi("ReferenceDay", 0))
	o.Set("qFirstMonthOfYear", atoi("FirstMonthOfYear", 1))
	o.Set("qCollation", v("CollationLocale", "en-US"))
	o.Set("qNumericalAbbreviation", v("NumericalAbbreviation", "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y"))
	return o
}

// separators are the number-format settings layouts need.
type separators struct{ dec, thou, date, timestamp string }

// separators returns the app's decimal and thousands separators and date
// formats.
func (a *app) separators() separators {
	a.mu.RLock()
	defer a.mu.RUnlock()
	v := func(name, def string) string {
		if s, ok := a.variables[name]; ok {
			return s
		}
		return def
	}
	return separators{dec: v("DecimalSep", "."), thou: v("ThousandSep", ","),
		date: v("DateFormat", "M/D/YYYY"), timestamp: v("TimestampFormat", "M/D/YYYY h:mm:ss[.fff] TT")}
}

func splitList(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ';' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// newModelInfo wraps a model with the lazily computed facts the layouts
// need.
func newModelInfo(m *engine.Model) *modelInfo {
	return &modelInfo{m: m, fields: make([]fieldFacts, len(m.Fields()))}
}

// appTitle returns the app's title.
func (a *app) appTitle() string {
	a.mu.RLock()
	defer a.mu.RUnlock()
	return a.title
}
