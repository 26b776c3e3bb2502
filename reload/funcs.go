package reload

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path"
	"strings"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
	"github.com/assocengine/assoc/reload/qvd"
)

// The script-only functions (§5.10). They are context functions: the
// interpreter's environment evaluates them (callFunc), because they read
// the tables being built, the current record or the file being read.
var scriptFuncs = []expr.Func{
	{Name: "Peek", MinArgs: 1, MaxArgs: 3, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "Previous", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "RecNo", MinArgs: 0, MaxArgs: 0, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "IterNo", MinArgs: 0, MaxArgs: 0, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "Exists", MinArgs: 1, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "ApplyMap", MinArgs: 2, MaxArgs: 3, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "MapSubstring", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "Lookup", MinArgs: 3, MaxArgs: 4, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileName", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileBaseName", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileExtension", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileDir", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FilePath", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileSize", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileTime", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldName", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldNumber", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldValue", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldValueCount", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldIndex", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "NoOfFields", MinArgs: 0, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "NoOfTables", MinArgs: 0, MaxArgs: 0, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "TableName", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "TableNumber", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FileList", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "DirList", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "FieldValueList", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "AutoNumber", MinArgs: 1, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "AutoNumberHash128", MinArgs: 1, MaxArgs: expr.Variadic, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "AutoNumberHash256", MinArgs: 1, MaxArgs: expr.Variadic, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "QvdCreateTime", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "QvdNoOfRecords", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "QvdNoOfFields", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "QvdFieldName", MinArgs: 2, MaxArgs: 2, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "QvdTableName", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "Evaluate", MinArgs: 1, MaxArgs: 1, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "IsPartialReload", MinArgs: 0, MaxArgs: 0, Kind: expr.KindContext, Where: expr.InScript},
	{Name: "ReloadTime", MinArgs: 0, MaxArgs: 0, Kind: expr.KindContext, Where: expr.InScript},
	// Hashes of the texts of their arguments: base64url of MD5 (22
	// characters), SHA-1 (27) and SHA-256 (43) [Proposed: Qlik's exact
	// algorithm is not documented; lengths match].
	// Rand is a uniform random number in [0, 1).
	{Name: "Rand", MinArgs: 0, MaxArgs: 0, Kind: expr.KindScalar, Eval: func(expr.Env, []expr.Value) expr.Value { return expr.Num(rand.Float64()) }},
	{Name: "Hash128", MinArgs: 1, MaxArgs: expr.Variadic, Kind: expr.KindScalar, Eval: hashFunc(128)},
	{Name: "Hash160", MinArgs: 1, MaxArgs: expr.Variadic, Kind: expr.KindScalar, Eval: hashFunc(160)},
	{Name: "Hash256", MinArgs: 1, MaxArgs: expr.Variadic, Kind: expr.KindScalar, Eval: hashFunc(256)},
}

// init adds the script functions to the shared catalogue. A function the
// engine already registers (a general function such as Rand moved there)
// is left to it.
func init() {
	for _, f := range scriptFuncs {
		if expr.Lookup(f.Name) == nil {
			expr.DefaultRegistry().MustRegister(f)
		}
	}
}

func hashFunc(bits int) expr.ScalarFunc {
	return func(_ expr.Env, args []expr.Value) expr.Value {
		return expr.Str(hashText(bits, args))
	}
}

func hashText(bits int, args []expr.Value) string {
	var b []byte
	for i, a := range args {
		if i > 0 {
			b = append(b, 0x1f)
		}
		b = append(b, a.Text()...)
	}
	var sum []byte
	switch bits {
	case 128:
		s := md5.Sum(b)
		sum = s[:]
	case 160:
		s := sha1.Sum(b)
		sum = s[:]
	default:
		s := sha256.Sum256(b)
		sum = s[:]
	}
	return base64.RawURLEncoding.EncodeToString(sum)
}

// nameArg returns a function argument that names a field, table, mapping
// or file: a bare name is taken as written, anything else is evaluated.
func (e *rowEnv) nameArg(n expr.Node) string {
	if r, ok := n.(*expr.FieldRef); ok {
		if _, isVar := e.it.vars.get(r.Name.Text); !isVar {
			return r.Name.Text
		}
	}
	return e.eval(n).Text()
}

func (e *rowEnv) intArg(n expr.Node) (int, bool) {
	f, ok := e.eval(n).AsNumber()
	if !ok || math.IsNaN(f) || math.Abs(f) > 1<<40 {
		return 0, false
	}
	return int(math.Floor(f)), true
}

// currentTable is the table a LOAD writes to (the default table of Peek,
// Lookup, NoOfFields ...), else the most recently created table.
func (it *interp) currentTable() *table {
	if it.curTable != nil {
		return it.curTable
	}
	if n := len(it.m.tables); n > 0 {
		best := it.m.tables[0]
		for _, t := range it.m.tables {
			if t.seq > best.seq {
				best = t
			}
		}
		return best
	}
	return nil
}

// tableArg resolves an optional table argument.
func (e *rowEnv) tableArg(args []expr.Node, i int) (*table, error) {
	if i >= len(args) {
		t := e.it.currentTable()
		if t == nil {
			return nil, fmt.Errorf("no table is loaded yet")
		}
		return t, nil
	}
	name := e.nameArg(args[i])
	if t := e.it.m.table(name); t != nil {
		return t, nil
	}
	if t := e.it.curTable; t != nil && t.name == name {
		return t, nil
	}
	return nil, fmt.Errorf("table %q not found", name)
}

// callFunc evaluates a script function.
func (it *interp) callFunc(e *rowEnv, call *expr.Call) (expr.Value, error) {
	args := call.Args
	name := strings.ToLower(call.Func.Name)
	switch name {
	case "recno":
		if e.lv == nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(e.recNo)), nil
	case "iterno":
		if e.lv == nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(e.iter)), nil
	case "rowno":
		if e.lv == nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(e.rowNo)), nil
	case "previous":
		lv := e.lv
		if lv == nil || !lv.hasPrev || e.grp != nil {
			return expr.Null(), nil
		}
		sb, sr, svals := e.b, e.r, e.vals
		e.b, e.vals = nil, lv.prev
		v := e.eval(args[0])
		e.b, e.r, e.vals = sb, sr, svals
		return v, nil
	case "peek":
		return it.peek(e, args)
	case "exists":
		fname := e.nameArg(args[0])
		var v expr.Value
		if len(args) > 1 {
			v = e.eval(args[1])
		} else {
			if e.lv == nil {
				return expr.Null(), fmt.Errorf("Exists(%s) with one argument needs a record: give the value as second argument", fname)
			}
			col := e.lv.resolveRef(fname)
			if col < 0 {
				return expr.Null(), fmt.Errorf("Exists(%s): the source has no field %q", fname, fname)
			}
			v = e.input(col)
		}
		if v.IsNull() {
			return expr.Bool(false), nil
		}
		f := it.m.fields[fname]
		if f == nil {
			return expr.Bool(false), nil
		}
		_, ok := f.syms.Lookup(v.ToDual())
		if !ok && v.HasNum() && v.HasText() {
			// A dual whose number is not in the field may match by text
			// (a value loaded as text).
			_, ok = f.syms.LookupText(v.Text())
		}
		return expr.Bool(ok), nil
	case "applymap":
		mname := e.eval(args[0]).Text()
		mp, err := it.mapper(mname)
		if err != nil {
			return expr.Null(), err
		}
		v := e.eval(args[1])
		if r, ok := mp.lookup(v); ok {
			return r, nil
		}
		if len(args) > 2 {
			return e.eval(args[2]), nil
		}
		return v, nil
	case "mapsubstring":
		mname := e.eval(args[0]).Text()
		mp, err := it.mapper(mname)
		if err != nil {
			return expr.Null(), err
		}
		v := e.eval(args[1])
		if v.IsNull() {
			return v, nil
		}
		return expr.Str(mp.substring(v.Text())), nil
	case "lookup":
		return it.lookup(e, args)
	case "filename", "filebasename", "fileextension", "filedir", "filepath":
		p := it.curFile
		if len(args) > 0 {
			p = e.eval(args[0]).Text()
		}
		if p == "" {
			return expr.Null(), nil
		}
		return expr.Str(filePart(name, p)), nil
	case "filesize", "filetime":
		p := it.curFile
		if len(args) > 0 {
			p = e.eval(args[0]).Text()
		}
		if p == "" {
			return expr.Null(), nil
		}
		rp, err := it.files.resolve(p)
		if err != nil {
			return expr.Null(), nil
		}
		st, err := os.Stat(rp)
		if err != nil {
			return expr.Null(), nil
		}
		if name == "filesize" {
			return expr.Num(float64(st.Size())), nil
		}
		loc := it.locale()
		x := numfmt.SerialFromTime(st.ModTime().UTC())
		return expr.Dual(x, numfmt.FormatTimestamp(x, loc.TimestampFormat, loc)), nil
	case "fieldname":
		n, ok := e.intArg(args[0])
		t, err := e.tableArg(args, 1)
		if err != nil || !ok || n < 1 || n > len(t.cols) {
			return expr.Null(), nil
		}
		return expr.Str(t.cols[n-1].f.name), nil
	case "fieldnumber":
		fname := e.nameArg(args[0])
		t, err := e.tableArg(args, 1)
		if err != nil {
			return expr.Null(), nil
		}
		if i, ok := t.idx[fname]; ok {
			return expr.Num(float64(i + 1)), nil
		}
		return expr.Num(0), nil
	case "fieldvalue":
		f := it.m.fields[e.nameArg(args[0])]
		n, ok := e.intArg(args[1])
		if f == nil || !ok || n < 1 || n > f.syms.Len() {
			return expr.Null(), nil
		}
		return expr.FromDual(f.syms.Dual(uint32(n - 1))), nil
	case "fieldvaluecount":
		f := it.m.fields[e.nameArg(args[0])]
		if f == nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(f.syms.Len())), nil
	case "fieldindex":
		f := it.m.fields[e.nameArg(args[0])]
		if f == nil {
			return expr.Null(), nil
		}
		v := e.eval(args[1])
		if v.IsNull() {
			return expr.Num(0), nil
		}
		if id, ok := f.syms.Lookup(v.ToDual()); ok {
			return expr.Num(float64(id + 1)), nil
		}
		return expr.Num(0), nil
	case "nooffields":
		t, err := e.tableArg(args, 0)
		if err != nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(len(t.cols))), nil
	case "noofrows":
		t, err := e.tableArg(args, 0)
		if err != nil {
			return expr.Null(), nil
		}
		return expr.Num(float64(t.rows)), nil
	case "nooftables":
		return expr.Num(float64(len(it.m.tables))), nil
	case "tablename":
		n, ok := e.intArg(args[0])
		if !ok || n < 0 || n >= len(it.m.tables) {
			return expr.Null(), nil
		}
		return expr.Str(it.m.tables[n].name), nil
	case "tablenumber":
		tn := e.nameArg(args[0])
		for i, t := range it.m.tables {
			if t.name == tn {
				return expr.Num(float64(i)), nil
			}
		}
		return expr.Null(), nil
	case "fieldvaluelist", "filelist", "dirlist":
		return expr.Null(), fmt.Errorf("%s can only be used as an item of FOR EACH", call.Func.Name)
	case "autonumber":
		id := ""
		if len(args) > 1 {
			id = e.eval(args[1]).Text()
		}
		v := e.eval(args[0])
		if v.IsNull() {
			return expr.Null(), nil
		}
		return expr.Num(float64(it.autoNumber(id, string(appendValueKey(nil, v))))), nil
	case "autonumberhash128", "autonumberhash256":
		vals := make([]expr.Value, len(args))
		for i, a := range args {
			vals[i] = e.eval(a)
		}
		bits := 128
		if name == "autonumberhash256" {
			bits = 256
		}
		return expr.Num(float64(it.autoNumber("\x00"+name, hashText(bits, vals)))), nil
	case "qvdcreatetime", "qvdnoofrecords", "qvdnooffields", "qvdfieldname", "qvdtablename":
		return it.qvdInfo(e, name, args)
	case "evaluate":
		src := e.eval(args[0]).Text()
		n, err := it.parseText(src)
		if err != nil {
			return expr.Null(), nil
		}
		return expr.Eval(n, &scriptEnv{it: it}), nil
	case "ispartialreload":
		return expr.Bool(false), nil
	case "reloadtime":
		loc := it.locale()
		x := numfmt.SerialFromTime(it.now)
		return expr.Dual(x, numfmt.FormatTimestamp(x, loc.TimestampFormat, loc)), nil
	}
	return expr.Null(), fmt.Errorf("function %s is %w in the load script", call.Func.Name, ErrNotSupported)
}

// locale returns the current number interpretation settings.
func (it *interp) locale() *numfmt.Locale {
	loc, _ := it.vars.locale()
	return loc
}

func (it *interp) autoNumber(id, key string) int {
	m := it.autoNum[id]
	if m == nil {
		m = map[string]int{}
		it.autoNum[id] = m
	}
	if n, ok := m[key]; ok {
		return n
	}
	n := len(m) + 1
	m[key] = n
	return n
}

// filePart implements FileName, FileBaseName, FileExtension, FileDir and
// FilePath on a script path.
func filePart(fn, p string) string {
	p = strings.ReplaceAll(p, `\`, "/")
	dir, base := path.Split(p)
	switch fn {
	case "filename":
		return base
	case "filebasename":
		return strings.TrimSuffix(base, path.Ext(base))
	case "fileextension":
		return strings.TrimPrefix(path.Ext(base), ".")
	case "filedir":
		return strings.TrimSuffix(dir, "/")
	}
	return p
}

func (it *interp) peek(e *rowEnv, args []expr.Node) (expr.Value, error) {
	fname := e.nameArg(args[0])
	row := -1
	if len(args) > 1 {
		v := e.eval(args[1])
		if !v.IsNull() {
			f, ok := v.AsNumber()
			if !ok {
				return expr.Null(), nil
			}
			row = int(math.Floor(f))
		}
	}
	var t *table
	if len(args) > 2 {
		tn := e.nameArg(args[2])
		t = it.m.table(tn)
		if t == nil && it.curTable != nil && it.curTable.name == tn {
			t = it.curTable
		}
		if t == nil {
			if mt := it.m.mapping(tn); mt != nil {
				t = mt
			}
		}
		if t == nil {
			return expr.Null(), nil
		}
	} else {
		t = it.currentTable()
		if t == nil {
			return expr.Null(), nil
		}
	}
	col := t.col(fname)
	if col == nil {
		return expr.Null(), nil
	}
	if row < 0 {
		row += t.rows
	}
	if row < 0 || row >= t.rows {
		return expr.Null(), nil
	}
	c := col.c.get(row)
	if c == 0 {
		return expr.Null(), nil
	}
	return expr.FromDual(col.f.syms.Dual(c - 1)), nil
}

// lookup implements Lookup(field, matchField, matchValue [, table]): the
// value of field in the first row (in load order) whose matchField equals
// matchValue.
func (it *interp) lookup(e *rowEnv, args []expr.Node) (expr.Value, error) {
	fname := e.nameArg(args[0])
	mname := e.nameArg(args[1])
	v := e.eval(args[2])
	t, err := e.tableArg(args, 3)
	if err != nil || v.IsNull() {
		return expr.Null(), nil
	}
	fc, mc := t.col(fname), t.col(mname)
	if fc == nil || mc == nil {
		return expr.Null(), nil
	}
	id, ok := mc.f.syms.Lookup(v.ToDual())
	if !ok {
		return expr.Null(), nil
	}
	want := id + 1
	for r := 0; r < t.rows; r++ {
		if mc.c.get(r) == want {
			c := fc.c.get(r)
			if c == 0 {
				return expr.Null(), nil
			}
			return expr.FromDual(fc.f.syms.Dual(c - 1)), nil
		}
	}
	return expr.Null(), nil
}

func (it *interp) qvdInfo(e *rowEnv, name string, args []expr.Node) (expr.Value, error) {
	p := e.eval(args[0]).Text()
	rp, err := it.files.resolve(p)
	if err != nil {
		return expr.Null(), nil
	}
	h, err := qvd.ReadHeaderFile(rp)
	if err != nil {
		return expr.Null(), nil
	}
	switch name {
	case "qvdcreatetime":
		t, err := h.CreateTime()
		if err != nil {
			return expr.Null(), nil
		}
		loc := it.locale()
		x := numfmt.SerialFromTime(t)
		return expr.Dual(x, numfmt.FormatTimestamp(x, loc.TimestampFormat, loc)), nil
	case "qvdnoofrecords":
		return expr.Num(float64(h.NoOfRecords)), nil
	case "qvdnooffields":
		return expr.Num(float64(len(h.Fields))), nil
	case "qvdfieldname":
		n, ok := e.intArg(args[1])
		if !ok || n < 1 || n > len(h.Fields) {
			return expr.Null(), nil
		}
		return expr.Str(h.Fields[n-1].Name), nil
	}
	return expr.Str(h.TableName), nil
}
