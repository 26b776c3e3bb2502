package qix

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/assocengine/assoc/engine"
)

// List-object search mode (GenericObject.SearchListObjectFor,
// AcceptListObjectSearch, AbortListObjectSearch).
//
// SearchListObjectFor puts the list object at a path in search mode, for
// the calling session only: its layout and GetListObjectData then show the
// matching values only, in the list's sort order (a fuzzy search: best
// first), each with qHighlightRanges (UTF-16 positions, as JavaScript
// slices strings), and qSize.qcy counts them. The search string is read as
// a search box reads it (engine.SplitSearch): words are alternatives that
// must start a word of the value, "quoted phrases", wildcards, numeric,
// fuzzy and expression searches. Every value is searched, excluded ones
// included (they keep their state). AcceptListObjectSearch selects the
// matches (the non-excluded ones when there are any) and leaves search
// mode; with qToggleMode the field's selection is kept and the matches
// added. AbortListObjectSearch leaves search mode. A blank search string
// leaves it too, and so does a reload of the app.
//
// The mode is kept beside the session, keyed weakly by session and object,
// so that it goes with them; GetLayout reaches it through the
// qListObjectDef computer, which this file wraps, and GetListObjectData
// through its handler, which this file replaces by one that falls back to
// it.

// listSearch is a list object in search mode.
type listSearch struct {
	match string
	mi    *modelInfo // the model searched; a reload ends the mode

	mu    sync.Mutex
	fs    *engine.FieldSearch
	fsRes *engine.Result // the result fs was computed in, when it depends on it
	order []uint32       // the filtered display order
	ordOf *engine.ListObject
}

type listSearchKey struct {
	obj  weak.Pointer[genericObject]
	path string
}

// sessionSearches holds one session's list searches.
type sessionSearches struct {
	mu sync.Mutex
	m  map[listSearchKey]*listSearch
}

// listSearches maps weak.Pointer[Session] to *sessionSearches; an entry
// goes when its session is collected.
var listSearches sync.Map

func (s *Session) searches(create bool) *sessionSearches {
	k := weak.Make(s)
	if v, ok := listSearches.Load(k); ok {
		return v.(*sessionSearches)
	}
	if !create {
		return nil
	}
	v, loaded := listSearches.LoadOrStore(k, &sessionSearches{m: map[listSearchKey]*listSearch{}})
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[Session]) { listSearches.Delete(k) }, k)
	}
	return v.(*sessionSearches)
}

// listSearch returns the search mode of the list at path of o, or nil.
func (s *Session) listSearch(o *genericObject, path string, mi *modelInfo) *listSearch {
	ss := s.searches(false)
	if ss == nil || o == nil {
		return nil
	}
	k := listSearchKey{obj: weak.Make(o), path: path}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ls := ss.m[k]
	if ls != nil && ls.mi != mi {
		delete(ss.m, k)
		return nil
	}
	return ls
}

// setListSearch starts (ls not nil) or ends search mode; it reports
// whether the object was in search mode before.
func (s *Session) setListSearch(o *genericObject, path string, ls *listSearch) bool {
	ss := s.searches(ls != nil)
	if ss == nil {
		return false
	}
	k := listSearchKey{obj: weak.Make(o), path: path}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_, had := ss.m[k]
	if ls == nil {
		delete(ss.m, k)
		return had
	}
	for old := range ss.m { // forget objects that are gone
		if old.obj.Value() == nil {
			delete(ss.m, old)
		}
	}
	ss.m[k] = ls
	return had
}

// search returns the field search, computed once per field (and per
// selection state for an expression search).
func (ls *listSearch) search(lc *layoutCtx, f *engine.Field, state string) (*engine.FieldSearch, error) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	var r *engine.Result
	if ls.fs != nil && ls.fs.Field == f {
		if !ls.fs.StateDependent {
			return ls.fs, nil
		}
		var err error
		if r, err = lc.es.Result(state); err == nil && r == ls.fsRes {
			return ls.fs, nil
		}
	}
	fs, err := lc.es.SearchField(lc.ctx, state, f.Name, ls.match)
	if err != nil {
		return nil, err
	}
	if fs.StateDependent && r == nil {
		r, _ = lc.es.Result(state)
	}
	ls.fs, ls.fsRes, ls.order, ls.ordOf = fs, r, nil, nil
	return fs, nil
}

// displayOrder returns the matching values of lo in display order.
func (ls *listSearch) displayOrder(lo *engine.ListObject, fs *engine.FieldSearch) []uint32 {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	if ls.ordOf == lo && ls.fs == fs && ls.order != nil {
		return ls.order
	}
	var order []uint32
	if fs.Ranked {
		order = fs.IDs
	} else {
		order = make([]uint32, 0, fs.Len())
		for _, id := range lo.Order {
			if fs.Contains(id) {
				order = append(order, id)
			}
		}
	}
	ls.order, ls.ordOf = order, lo
	return order
}

func init() {
	dc := defComputers["qListObjectDef"]
	getData := handlers["GenericObject"]["GetListObjectData"]
	if dc == nil || getData == nil {
		panic("BUG: search_list.go initialised before the list object code")
	}
	plain := dc.compute
	dc.compute = func(lc *layoutCtx, def any, path, state string) (any, error) {
		res, err := plain(lc, def, path, state)
		if err != nil {
			return res, err
		}
		ls := lc.s.listSearch(lc.obj, path, lc.mi)
		d, isObj := def.(*jsonObject)
		out, isOut := res.(*jsonObject)
		if ls == nil || !isObj || !isOut {
			return res, nil
		}
		return searchingListLayout(lc, ls, resolveListLibrary(lc.app, d), state, out)
	}
	register("GenericObject", map[string]handler{
		"SearchListObjectFor":    objSearchListObjectFor,
		"AcceptListObjectSearch": objAcceptListObjectSearch,
		"AbortListObjectSearch":  objAbortListObjectSearch,
		"GetListObjectData": func(c *call) error {
			path := c.str("qPath")
			if c.bad() {
				return nil
			}
			if _, mi, err := c.s.selections(); err == nil {
				if ls := c.s.listSearch(c.h.obj, path, mi); ls != nil {
					return searchingListData(c, ls, path)
				}
			}
			return getData(c)
		},
	})
}

// searchList computes the list and the search of a list object in search
// mode; a nil list (and no error) means the list has an error of its own.
func searchList(lc *layoutCtx, ls *listSearch, ld *listDef) (*engine.ListObject, *engine.FieldSearch, []uint32, error) {
	lo, le := computeList(lc, ld)
	if le != nil {
		return nil, nil, nil, nil
	}
	fs, err := ls.search(lc, lo.Field, ld.state)
	if err != nil {
		return nil, nil, nil, err
	}
	return lo, fs, ls.displayOrder(lo, fs), nil
}

// searchingListLayout replaces the size and data pages of a computed list
// object layout by those of the search.
func searchingListLayout(lc *layoutCtx, ls *listSearch, d *jsonObject, state string, out *jsonObject) (any, error) {
	ld := parseListDef(d, state)
	lo, fs, order, err := searchList(lc, ls, ld)
	if err != nil {
		if cerr := lc.ctx.Err(); cerr != nil {
			return nil, cerr
		}
		out.Set("qError", validationError(&listError{errInvalidArgs, err.Error()}))
		return out, nil
	}
	if lo == nil {
		return out, nil
	}
	out.Set("qSize", size(1, len(order)))
	pages, qe := searchPages(nil, lo, ld, ld.pages, order, fs)
	if qe != nil {
		out.Set("qError", validationError(&listError{qe.Code, qe.Parameter}))
		pages = append(pages[:0], "[]"...)
	}
	out.Set("qDataPages", rawJSON(pages))
	return out, nil
}

func searchingListData(c *call, ls *listSearch, path string) error {
	pages := parsePages(toAnySlice(c.objs("qPages")))
	if c.bad() {
		return nil
	}
	ld, err := c.listAt(path)
	if err != nil {
		return err
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	lo, fs, order, err := searchList(lc, ls, ld)
	if err != nil {
		return err
	}
	if lo == nil {
		c.out("qDataPages", []any{})
		return nil
	}
	out, qe := searchPages(nil, lo, ld, pages, order, fs)
	if qe != nil {
		return qe
	}
	c.out("qDataPages", rawJSON(out))
	return nil
}

// searchPages appends the data pages of a list in search mode: the values
// of order, with their highlight ranges. It follows listPages.
func searchPages(dst []byte, lo *engine.ListObject, ld *listDef, pages []page, order []uint32, fs *engine.FieldSearch) ([]byte, *Error) {
	n := len(order)
	cells := 0
	for _, p := range pages {
		if p.left < 0 || p.top < 0 || p.width < 0 || p.height < 0 {
			return dst, qerr(errInvalidParams, "a page has a negative qLeft, qTop, qWidth or qHeight")
		}
		w, h := clipPage(p, n)
		cells += w * h
	}
	if cells > maxPageCells {
		return dst, qerr(errPagesTooLarge, "%d cells asked for, at most %d", cells, maxPageCells)
	}
	var freqTotal uint64
	if ld.freqMode != "N" {
		freqTotal = lo.FreqTotal
	}
	syms := lo.Field.Symbols
	dst = append(dst, '[')
	for pi, p := range pages {
		if pi > 0 {
			dst = append(dst, ',')
		}
		w, h := clipPage(p, n)
		dst = append(dst, `{"qMatrix":[`...)
		if w > 0 {
			for i, id := range order[p.top : p.top+h] {
				if i > 0 {
					dst = append(dst, ',')
				}
				dst = appendListCell(dst, syms, id, lo, ld.freqMode, freqTotal)
				rs := fs.Ranges(id)
				if len(rs) == 0 {
					continue
				}
				// Insert the ranges before the cell's closing "}]".
				if !strings.HasSuffix(string(dst[len(dst)-2:]), "}]") {
					panic("BUG: a list cell does not end with }]")
				}
				dst = dst[:len(dst)-2]
				dst = append(dst, `,"qHighlightRanges":{"qRanges":`...)
				dst = appendCharRanges(dst, syms.Text(id), rs, true, false)
				dst = append(dst, "}}]"...)
			}
		}
		dst = append(dst, `],"qTails":[],"qArea":{"qLeft":`...)
		dst = strconv.AppendInt(dst, int64(p.left), 10)
		dst = append(dst, `,"qTop":`...)
		dst = strconv.AppendInt(dst, int64(p.top), 10)
		dst = append(dst, `,"qWidth":`...)
		dst = strconv.AppendInt(dst, int64(w), 10)
		dst = append(dst, `,"qHeight":`...)
		dst = strconv.AppendInt(dst, int64(h), 10)
		dst = append(dst, "}}"...)
	}
	return append(dst, ']'), nil
}

func objSearchListObjectFor(c *call) error {
	path := c.str("qPath")
	match := c.str("qMatch")
	if c.bad() {
		return nil
	}
	ld, err := c.listAt(path)
	if err != nil {
		return err
	}
	o := c.h.obj
	if strings.TrimSpace(match) == "" {
		if c.s.setListSearch(o, path, nil) {
			c.eff.softObjs = append(c.eff.softObjs, o)
		}
		c.out("qSuccess", true)
		return nil
	}
	lc, err := c.layoutCtx()
	if err != nil {
		return err
	}
	f, le := ld.resolveField(lc.mi.m)
	if le != nil {
		c.out("qSuccess", false)
		return nil
	}
	ls := &listSearch{match: match, mi: lc.mi}
	// Search now: a bad expression fails here, and the layout that follows
	// finds the matches ready.
	if _, err := ls.search(lc, f, ld.state); err != nil {
		if c.ctx.Err() != nil {
			return err
		}
		c.e.log.Debug("list object search failed", "field", f.Name, "match", match, "err", err)
		c.out("qSuccess", false)
		return nil
	}
	c.s.setListSearch(o, path, ls)
	c.eff.softObjs = append(c.eff.softObjs, o)
	c.out("qSuccess", true)
	return nil
}

func objAcceptListObjectSearch(c *call) error {
	path := c.str("qPath")
	toggle := c.boolean("qToggleMode")
	soft := c.boolean("qSoftLock")
	if c.bad() {
		return nil
	}
	ld, err := c.listAt(path)
	if err != nil {
		return err
	}
	o := c.h.obj
	_, err = c.selOp(checkModal(o), func(es *engine.Session) (bool, error) {
		lc, err := c.layoutCtx()
		if err != nil {
			return false, err
		}
		ls := c.s.listSearch(o, path, lc.mi)
		if ls == nil {
			return false, nil
		}
		f, le := ld.resolveField(lc.mi.m)
		if le != nil {
			return false, nil
		}
		fs, err := ls.search(lc, f, ld.state)
		if err != nil {
			return false, err
		}
		ok, err := es.AcceptFieldSearch(ld.state, fs, toggle, soft)
		if err == nil {
			c.s.setListSearch(o, path, nil)
			c.eff.softObjs = append(c.eff.softObjs, o)
		}
		return ok, err
	})
	var qe *Error
	if err != nil && !errors.As(err, &qe) && c.ctx.Err() == nil {
		c.e.log.Debug("accepting a list object search failed", "field", ld.field, "err", err)
		err = nil
	}
	return err
}

func objAbortListObjectSearch(c *call) error {
	path := c.str("qPath")
	if c.bad() {
		return nil
	}
	if _, err := c.listAt(path); err != nil {
		return err
	}
	if c.s.setListSearch(c.h.obj, path, nil) {
		c.eff.softObjs = append(c.eff.softObjs, c.h.obj)
	}
	return nil
}
