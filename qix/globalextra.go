package qix

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/reload/delimited"
)

// The remaining Global methods a Qlik Core engine serves: the function
// catalogue (GetFunctions), the grammars (globalextra_bnf.go), the
// engine's configuration and code pages, the file system below the allowed
// directories, copying, exporting and importing apps, and app entries.
//
// Choices where the product's behaviour is not documented:
//
//   - GetFunctions lists the shared expression function registry (the
//     chart functions and, when the load-script interpreter is linked in,
//     the script functions) with a group per function and a signature made
//     from its argument counts.
//   - GetConfiguration (enigma.js only, no published shape) answers
//     qConfig with the engine's product, version and mode flags.
//   - There are no custom connectors, streams or debug interactions:
//     GetCustomConnectors and GetStreamList answer empty lists,
//     GetInteract answers false and InteractDone error 2.
//   - GetFolderItemsForPath, ExportApp and ImportApp only reach paths
//     inside Options.AllowDirs (relative paths are taken from
//     Options.DocsDir); other paths answer error 5.
//   - CopyApp copies into an app that exists in the store (the "app
//     entity" the repository made); it is refused with error 1002 while a
//     session has the target open. ImportApp creates a new app and is
//     refused (error 1000) when the id exists. App files are the engine's
//     own format (docs/format.md).
//   - In CopyApp, ExportApp and ImportApp, a non-empty qIds keeps only the
//     listed generic objects (with their children), master items,
//     bookmarks and user variables; script variables always come along.

// errAppImport is LOCERR_APP_IMPORT_FAILED.
const errAppImport = 1004

func init() {
	register("Global", map[string]handler{
		"GetFunctions":          globalGetFunctions,
		"GetConfiguration":      globalGetConfiguration,
		"GetSupportedCodePages": globalGetSupportedCodePages,
		"GetCustomConnectors": func(c *call) error {
			c.boolean("qReloadList")
			if c.bad() {
				return nil
			}
			c.out("qConnectors", []any{})
			return nil
		},
		"GetStreamList":         func(c *call) error { c.out("qStreamList", []any{}); return nil },
		"GetInteract":           globalGetInteract,
		"InteractDone":          globalInteractDone,
		"GetFolderItemsForPath": globalGetFolderItemsForPath,
		"CopyApp":               globalCopyApp,
		"ExportApp":             globalExportApp,
		"ImportApp":             globalImportApp(false),
		"ImportAppEx":           globalImportApp(true),
		"GetAppEntry":           globalGetAppEntry,
		// There are no extensions to reload (enigma.js's global.spec.js
		// expects {}).
		"ReloadExtensionList": func(c *call) error { return nil },
	})
}

// functionGroups gives the FunctionGroup of the functions whose group the
// kind and name alone do not tell (see functionGroup).
var functionGroups = func() map[string]string {
	m := map[string]string{}
	for group, names := range map[string][]string{
		"NUM": {"BitCount", "Ceil", "Combin", "Div", "Even", "Fabs", "Fact", "Floor", "Fmod", "Frac", "Mod",
			"Odd", "Permut", "Round", "Sign"},
		"EXP":  {"Exp", "Log", "Log10", "Pow", "Sqr", "Sqrt"},
		"TRIG": {"ACos", "ASin", "ATan", "ATan2", "Cos", "Cosh", "Sin", "Sinh", "Tan", "Tanh"},
		"MATH": {"E", "False", "Pi", "Rand", "True"},
		"STR": {"Capitalize", "Chr", "Evaluate", "FindOneOf", "Hash128", "Hash160", "Hash256", "Index",
			"KeepChar", "Left", "Len", "Lower", "LTrim", "Mid", "Ord", "PurgeChar", "Repeat", "Replace",
			"Right", "RTrim", "SubField", "SubStringCount", "TextBetween", "Trim", "Upper"},
		"CND":  {"Alt", "Class", "If", "Match", "MixMatch", "Pick", "WildMatch"},
		"LOG":  {"IsNum", "IsText", "IsPartialReload"},
		"NULL": {"EmptyIsNull", "IsNull", "Null"},
		"DATE": {"AddMonths", "AddYears", "Age", "Day", "DayEnd", "DayName", "DayNumberOfQuarter",
			"DayNumberOfYear", "DayStart", "Hour", "LunarWeekEnd", "LunarWeekName", "LunarWeekStart",
			"MakeDate", "MakeTime", "MakeWeekDate", "Minute", "Month", "MonthEnd", "MonthName", "MonthsEnd",
			"MonthsName", "MonthsStart", "MonthStart", "Now", "QuarterEnd", "QuarterName", "QuarterStart",
			"Second", "SetDateYear", "SetDateYearMonth", "Today", "Week", "WeekDay", "WeekEnd", "WeekName",
			"WeekStart", "WeekYear", "Year", "YearEnd", "YearName", "YearStart", "YearToDate", "InDay",
			"InMonth", "InQuarter", "InWeek", "InYear", "ConvertToLocalTime", "LocalTime", "GMT", "UTC"},
		"NUMI": {"Date#", "Interval#", "Money#", "Num#", "Time#", "Timestamp#"},
		"FRMT": {"Date", "Dual", "Interval", "Money", "Num", "Text", "Time", "Timestamp"},
		"RNK":  {"HRank", "Rank"},
		"RCRD": {"Above", "After", "Before", "Below", "Bottom", "Column", "ColumnNo", "Dimensionality",
			"Exists", "FieldIndex", "FieldValue", "FieldValueCount", "First", "Last", "LookUp",
			"NoOfColumns", "NoOfRows", "Peek", "Previous", "RowNo", "SecondaryDimensionality", "Top"},
		"COUNT": {"AutoNumber", "AutoNumberHash128", "AutoNumberHash256", "IterNo", "RecNo"},
		"SYS": {"ClientPlatform", "ComputerName", "DocumentName", "DocumentPath", "DocumentTitle",
			"EngineVersion", "GetCurrentSelections", "GetFieldSelections", "GetSelectedCount",
			"GetPossibleCount", "GetExcludedCount", "GetAlternativeCount", "GetNotSelectedCount",
			"OSUser", "ProductVersion", "QlikViewVersion", "QVUser", "ReloadTime", "StateName"},
		"MAPP": {"ApplyMap", "MapSubString"},
		"FILE": {"Attribute", "ConnectString", "FileBaseName", "FileDir", "FileExtension", "FileName",
			"FilePath", "FileSize", "FileTime", "GetFolderPath", "QvdCreateTime", "QvdFieldName",
			"QvdNoOfFields", "QvdNoOfRecords", "QvdTableName"},
		"TBL": {"FieldName", "FieldNumber", "NoOfFields", "NoOfTables", "TableName", "TableNumber"},
		"CLR": {"ARGB", "Black", "Blue", "Brown", "Color", "Cyan", "DarkGray", "Green", "HSL", "LightBlue",
			"LightCyan", "LightGray", "LightGreen", "LightMagenta", "LightRed", "Magenta", "Red", "RGB",
			"SysColor", "White", "Yellow"},
	} {
		for _, n := range names {
			m[strings.ToLower(n)] = group
		}
	}
	return m
}()

// functionGroup is the FunctionGroup of a registered function.
func functionGroup(f *expr.Func) string {
	if g, ok := functionGroups[strings.ToLower(f.Name)]; ok {
		return g
	}
	switch {
	case f.Kind == expr.KindAggregation:
		return "AGGR"
	case strings.HasPrefix(strings.ToLower(f.Name), "range"):
		return "RNG"
	case f.Kind == expr.KindContext:
		return "RCRD"
	}
	return "U"
}

// functionSignature writes a function's signature from its argument
// counts: Name(arg1, arg2 [, arg3]) or, for aggregations, with the set
// expression and qualifiers: Sum([{set}] [DISTINCT] [TOTAL [<fld {, fld}>]] expr).
func functionSignature(f *expr.Func) string {
	var b strings.Builder
	b.WriteString(f.Name)
	b.WriteByte('(')
	switch {
	case strings.EqualFold(f.Name, "Aggr"):
		b.WriteString("[{set_expression}] [DISTINCT | NODISTINCT] expr, dim {, dim})")
		return b.String()
	case f.Kind == expr.KindAggregation:
		b.WriteString("[{set_expression}] [DISTINCT] [TOTAL [<fld {, fld}>]] ")
	}
	arg := func(i int) string {
		if f.Kind == expr.KindAggregation && i == 1 {
			return "expr"
		}
		return fmt.Sprintf("arg%d", i)
	}
	for i := 1; i <= f.MinArgs; i++ {
		if i > 1 {
			b.WriteString(", ")
		}
		b.WriteString(arg(i))
	}
	switch {
	case f.MaxArgs == expr.Variadic:
		if f.MinArgs == 0 {
			b.WriteString("[" + arg(1) + " {, argN}]")
		} else {
			b.WriteString(" {, argN}")
		}
	case f.MaxArgs > f.MinArgs:
		for i := f.MinArgs + 1; i <= f.MaxArgs; i++ {
			if i == 1 {
				b.WriteString("[" + arg(i))
			} else {
				b.WriteString(" [, " + arg(i))
			}
		}
		b.WriteString(strings.Repeat("]", f.MaxArgs-f.MinArgs))
	}
	b.WriteByte(')')
	return b.String()
}

func globalGetFunctions(c *call) error {
	gv := c.arg("qGroup")
	group, ok := schema.enum("FunctionGroup").parse(gv)
	if gv != nil && !ok {
		c.badArg("qGroup", "a FunctionGroup (ALL, AGGR, NUM, STR ...)", gv)
	}
	if c.bad() {
		return nil
	}
	out := []any{}
	for _, f := range expr.DefaultRegistry().Funcs() {
		g := functionGroup(f)
		if group != "" && group != "ALL" && group != g {
			continue
		}
		out = append(out, newObj(3).Set("qName", f.Name).Set("qGroup", g).Set("qSignature", functionSignature(f)))
	}
	c.out("qFunctions", out)
	return nil
}

func globalGetConfiguration(c *call) error {
	o := newObj(8)
	o.Set("qProductName", productName)
	o.Set("qProductVersion", c.e.opts.Version)
	o.Set("qOSName", osName())
	o.Set("qIsDesktopMode", false)
	o.Set("qIsPersonalMode", false)
	o.Set("qAllowCreateApp", true)
	o.Set("qDefaultAppFolder", c.e.opts.DocsDir)
	o.Set("qFolderConnections", len(c.e.allow) > 0)
	c.out("qConfig", o)
	return nil
}

// codePages are the code pages reload/delimited reads, with their names.
var codePages = []struct {
	n          delimited.Codepage
	name, desc string
}{
	{delimited.CodepageUTF8, "UTF-8", "Unicode (UTF-8)"},
	{delimited.CodepageUTF16LE, "UTF-16LE", "Unicode (UTF-16 little endian)"},
	{delimited.CodepageUTF16BE, "UTF-16BE", "Unicode (UTF-16 big endian)"},
	{437, "IBM437", "OEM United States"},
	{850, "IBM850", "OEM Multilingual Latin 1"},
	{852, "IBM852", "OEM Latin 2"},
	{866, "CP866", "OEM Russian"},
	{874, "windows-874", "Thai (Windows)"},
	{1250, "windows-1250", "Central European (Windows)"},
	{1251, "windows-1251", "Cyrillic (Windows)"},
	{1252, "windows-1252", "Western European (Windows)"},
	{1253, "windows-1253", "Greek (Windows)"},
	{1254, "windows-1254", "Turkish (Windows)"},
	{1255, "windows-1255", "Hebrew (Windows)"},
	{1256, "windows-1256", "Arabic (Windows)"},
	{1257, "windows-1257", "Baltic (Windows)"},
	{1258, "windows-1258", "Vietnamese (Windows)"},
	{10000, "macintosh", "Western European (Mac)"},
	{28591, "ISO-8859-1", "Western European (ISO)"},
	{28592, "ISO-8859-2", "Central European (ISO)"},
	{28595, "ISO-8859-5", "Cyrillic (ISO)"},
	{28597, "ISO-8859-7", "Greek (ISO)"},
	{28599, "ISO-8859-9", "Turkish (ISO)"},
	{28605, "ISO-8859-15", "Latin 9 (ISO)"},
}

func globalGetSupportedCodePages(c *call) error {
	out := []any{}
	for _, cp := range codePages {
		if cp.n.Supported() {
			out = append(out, newObj(3).Set("qNumber", int(cp.n)).Set("qName", cp.name).Set("qDescription", cp.desc))
		}
	}
	c.out("qCodePages", out)
	return nil
}

func globalGetInteract(c *call) error {
	c.integer("qRequestId")
	if c.bad() {
		return nil
	}
	d := newObj(10)
	d.Set("qType", "IT_END")
	d.Set("qTitle", "")
	d.Set("qMsg", "")
	d.Set("qButtons", 0)
	d.Set("qLine", "")
	d.Set("qOldLineNr", 0)
	d.Set("qNewLineNr", 0)
	d.Set("qPath", "")
	d.Set("qResult", 0)
	d.Set("qInput", "")
	c.out("qDef", d)
	c.ret(false)
	return nil
}

func globalInteractDone(c *call) error {
	id := c.integer("qRequestId")
	c.obj("qDef")
	if c.bad() {
		return nil
	}
	return qerr(errNotFound, "request %d waits for no user interaction (reloads never stop for one)", id)
}

// allowedPath resolves a path of the file system methods: relative to
// Options.DocsDir, ".." and symbolic links resolved (the last element
// only when it exists, so a file about to be written is accepted), and
// inside one of Options.AllowDirs.
func (e *Engine) allowedPath(p string) (string, error) {
	if len(e.allow) == 0 {
		return "", qerr(errAccessDenied, "file access is disabled (no allowed directories)")
	}
	if strings.TrimSpace(p) == "" {
		return "", qerr(errInvalidPath, "empty path")
	}
	if !filepath.IsAbs(p) {
		if e.opts.DocsDir == "" {
			return "", qerr(errInvalidPath, "%q is relative and there is no default app folder", p)
		}
		p = filepath.Join(e.opts.DocsDir, p)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", qerr(errInvalidPath, "%q: %v", p, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if errors.Is(err, fs.ErrNotExist) {
		dir, derr := filepath.EvalSymlinks(filepath.Dir(abs))
		if derr != nil {
			return "", qerr(errInvalidPath, "%q does not exist", p)
		}
		real, err = filepath.Join(dir, filepath.Base(abs)), nil
	}
	if err != nil {
		return "", qerr(errInvalidPath, "%q: %v", p, err)
	}
	if !slices.ContainsFunc(e.allow, func(r string) bool { return within(r, real) }) {
		return "", qerr(errAccessDenied, "%q is outside the allowed directories", p)
	}
	return real, nil
}

func globalGetFolderItemsForPath(c *call) error {
	p := c.str("qPath")
	if c.bad() {
		return nil
	}
	dir, err := c.e.allowedPath(p)
	if err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return qerr(errInvalidPath, "%q does not exist", p)
	}
	if !st.IsDir() {
		return qerr(errInvalidPath, "%q is not a folder", p)
	}
	items, err := folderItems(dir, c.e.allow)
	if err != nil {
		return err
	}
	c.out("qFolderItems", items)
	return nil
}

// appSnapshot returns the persistent form of an app: the live copy when a
// session has it in memory, else the store's.
func (e *Engine) appSnapshot(id string) (*AppSnapshot, error) {
	e.mu.Lock()
	a := e.apps[id]
	e.mu.Unlock()
	if a != nil {
		return a.snapshot(), nil
	}
	s, err := e.store.Load(id)
	if err != nil {
		if errors.Is(err, ErrAppNotFound) {
			return nil, qerr(errAppNotFound, "%s", id)
		}
		return nil, err
	}
	return s, nil
}

// keepIDs restricts a snapshot to the listed ids (all when ids holds no
// non-empty id): root generic objects (with their children), master
// items, bookmarks and user variables.
func keepIDs(s *AppSnapshot, ids []string) error {
	want := slices.DeleteFunc(slices.Clone(ids), func(x string) bool { return x == "" })
	if len(want) == 0 {
		return nil
	}
	filter := func(parts [][]byte, what string, id func(*jsonObject) string) ([][]byte, error) {
		var out [][]byte
		for i, raw := range parts {
			v, err := parseJSON(raw)
			o, ok := v.(*jsonObject)
			if err != nil || !ok {
				return nil, fmt.Errorf("%s %d is not a JSON object", what, i)
			}
			if slices.Contains(want, id(o)) {
				out = append(out, raw)
			}
		}
		return out, nil
	}
	infoID := func(o *jsonObject) string { return o.obj("qInfo").str("qId") }
	var err error
	if s.Objects, err = filter(s.Objects, "object", func(o *jsonObject) string {
		if p := o.obj("qProperty"); p != nil {
			return infoID(p)
		}
		return infoID(o)
	}); err != nil {
		return err
	}
	if s.Dimensions, err = filter(s.Dimensions, "dimension", infoID); err != nil {
		return err
	}
	if s.Measures, err = filter(s.Measures, "measure", infoID); err != nil {
		return err
	}
	if s.Bookmarks, err = filter(s.Bookmarks, "bookmark", func(o *jsonObject) string { return infoID(o.obj("qProperties")) }); err != nil {
		return err
	}
	s.UserVariables, err = filter(s.UserVariables, "variable", infoID)
	return err
}

// globalCopyApp copies the source app's content into an existing app,
// which keeps its id and title.
func globalCopyApp(c *call) error {
	target := c.str("qTargetAppId")
	src := c.str("qSrcAppId")
	ids := c.strs("qIds")
	if c.bad() {
		return nil
	}
	if target == src {
		return qerr(errInvalidArgs, "cannot copy app %q onto itself", src)
	}
	e := c.e
	old, err := e.store.Load(target)
	if err != nil {
		if errors.Is(err, ErrAppNotFound) {
			return qerr(errAppNotFound, "%s", target)
		}
		return err
	}
	snap, err := e.appSnapshot(src)
	if err != nil {
		return err
	}
	snap = snap.copy()
	if err := keepIDs(snap, ids); err != nil {
		return qerr(errInvalidArgs, "cannot copy app %q: %v", src, err)
	}
	snap.ID, snap.Title = target, old.Title
	// The target's copy in memory, if any, would hide the new content.
	e.mu.Lock()
	if a := e.apps[target]; a != nil && !a.isSession {
		if a.sessionCount() > 0 {
			e.mu.Unlock()
			return qerr(errAppAlreadyOpen, "%s is open in a session", target)
		}
		delete(e.apps, target)
	}
	e.mu.Unlock()
	if err := e.store.Save(snap); err != nil {
		return qerr(errAppSaveFailed, "%v", err)
	}
	c.out("qSuccess", true)
	return nil
}

// globalExportApp writes an app to an app file inside the allowed
// directories.
func globalExportApp(c *call) error {
	target := c.str("qTargetPath")
	src := c.str("qSrcAppId")
	ids := c.strs("qIds")
	noData := c.boolean("qNoData")
	if c.bad() {
		return nil
	}
	p, err := c.e.allowedPath(target)
	if err != nil {
		return err
	}
	if st, err := os.Stat(p); err == nil && st.IsDir() {
		return qerr(errInvalidPath, "%q is a folder", target)
	}
	snap, err := c.e.appSnapshot(src)
	if err != nil {
		return err
	}
	snap = snap.copy()
	if err := keepIDs(snap, ids); err != nil {
		return qerr(errInvalidArgs, "cannot export app %q: %v", src, err)
	}
	if noData {
		snap.Model = nil
	}
	if err := WriteAppFile(p, snap); err != nil {
		return qerr(errAppSaveFailed, "%v", err)
	}
	c.out("qSuccess", true)
	return nil
}

// globalImportApp reads an app file inside the allowed directories into a
// new app of the store; ImportAppEx can leave the connections out.
func globalImportApp(ex bool) handler {
	return func(c *call) error {
		id := c.str("qAppId")
		src := c.str("qSrcPath")
		ids := c.strs("qIds")
		noConns := false
		if ex {
			noConns = c.boolean("qExcludeConnections")
		}
		if c.bad() {
			return nil
		}
		if err := validAppID(id); err != nil || strings.HasPrefix(id, sessionAppPrefix) {
			return qerr(errAppInvalidName, "%q", id)
		}
		e := c.e
		p, err := e.allowedPath(src)
		if err != nil {
			return err
		}
		e.mu.Lock()
		_, live := e.apps[id]
		e.mu.Unlock()
		if _, err := e.store.Load(id); live || err == nil {
			return qerr(errAppExists, "%s", id)
		}
		snap, err := ReadAppFile(p, AppReadOptions{})
		if err != nil {
			return qerr(errAppImport, "%v", err)
		}
		if err := keepIDs(snap, ids); err != nil {
			return qerr(errAppImport, "cannot import %q: %v", src, err)
		}
		snap.ID = id
		if snap.Title == "" {
			snap.Title = id
		}
		if noConns {
			snap.Connections = nil
		}
		if _, err := appFromSnapshot(e, snap); err != nil {
			return qerr(errAppImport, "%v", err)
		}
		if err := e.store.Save(snap); err != nil {
			return qerr(errAppSaveFailed, "%v", err)
		}
		if !ex {
			c.out("qSuccess", true)
		}
		return nil
	}
}

// globalGetAppEntry describes a stored app, or a session app in memory.
func globalGetAppEntry(c *call) error {
	id := c.str("qAppID")
	if c.bad() {
		return nil
	}
	e := c.e
	info := AppInfo{ID: id}
	found := false
	thumb := ""
	e.mu.Lock()
	a := e.apps[id]
	e.mu.Unlock()
	if a != nil {
		a.mu.RLock()
		info.Title, info.LastReload = a.title, a.lastReload
		if t := a.props.str("qTitle"); t != "" {
			info.Title = t
		}
		thumb = a.props.obj("qThumbnail").str("qUrl")
		a.mu.RUnlock()
		found = true
	}
	if !found || !a.isSession {
		list, err := e.store.List()
		if err != nil {
			return err
		}
		for _, in := range list {
			if in.ID == id {
				if !found {
					info.Title, info.LastReload = in.Title, in.LastReload
				}
				info.Size = in.Size
				found = true
			}
		}
	}
	if !found {
		return qerr(errAppNotFound, "%s", id)
	}
	path := id
	if ds, ok := e.store.(*DiskStore); ok {
		if p := filepath.Join(ds.Dir(), AppFileName(id)); fileExists(p) {
			path = p
		}
	}
	o := newObj(9)
	o.Set("qID", id)
	o.Set("qTitle", info.Title)
	o.Set("qPath", path)
	o.Set("qLastReloadTime", isoTime(info.LastReload))
	o.Set("qReadOnly", false)
	o.Set("qMeta", newObj(0))
	o.Set("qThumbnail", newObj(1).Set("qUrl", thumb))
	o.Set("qFileSize", info.Size)
	o.Set("qHasSectionAccess", false)
	c.out("qEntry", o)
	return nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}
