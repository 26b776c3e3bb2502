package qix

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/assocengine/assoc/engine"
)

// Search (QIX "smart search"): Doc.SearchResults, SearchSuggest,
// SearchAssociations, SelectAssociations, SearchObjects and
// GetMatchingFields. The matching rules, the groups and their ranking are
// the engine's (engine/searchall.go); this file reads the options, pages
// the groups and writes the results.
//
// Choices where the engine's behaviour is not documented:
//
//   - A SearchResults group is one placement of terms in fields (its qId is
//     the index SelectAssociations takes), so "sweden" gives one group per
//     field where it is found, and "sweden beer" adds the groups where both
//     are found in associated values.
//   - qRanges positions count bytes of the UTF-8 text with qCharEncoding
//     Utf8 (the default) and UTF-16 code units with Utf16 (what JavaScript
//     string positions are).
//   - A qContext that is absent means LockedFieldsOnly, the documented
//     default; an unknown one is an invalid parameter.
//   - qCount absent or negative in qPage, SearchGroupOptions or
//     SearchGroupItemOptions means all.
//   - GetMatchingFields lists system fields only when "$system" is one of
//     the tags; tags compare exactly; no tags match every field in
//     MATCH_ALL mode and none in MATCH_ONE mode.
//   - SearchObjects searches the app's persistent objects (not session
//     objects) in title, subtitle, footnote, qMetaDef.title,
//     qMetaDef.description and the type; the values of the objects'
//     dimensions are not searched.

func init() {
	register("Doc", map[string]handler{
		"SearchResults":      docSearchResults,
		"SearchSuggest":      docSearchSuggest,
		"SearchAssociations": docSearchAssociations,
		"SelectAssociations": docSelectAssociations,
		"SearchObjects":      docSearchObjects,
		"GetMatchingFields":  docGetMatchingFields,
	})
}

// searchOpts are SearchCombinationOptions and SearchObjectOptions.
type searchOpts struct {
	engine    engine.SearchAllOptions
	utf16     bool
	attrNum   bool // qAttributes holds qNum
	attrElem  bool // qAttributes holds qElemNum
	attrProp  bool // qAttributes holds qProperty (SearchObjects)
	attrNames []string
}

// searchOptions reads the SearchCombinationOptions parameter name.
func (c *call) searchOptions(name string) searchOpts {
	o := c.obj(name)
	var so searchOpts
	so.engine.Context = engine.SearchLockedOnly
	so.engine.Ctx = c.ctx
	if v, ok := o.Get("qSearchFields"); ok && v != nil {
		a, ok := v.([]any)
		if !ok {
			c.badArg(name, "a SearchCombinationOptions whose qSearchFields is an array of strings", v)
			return so
		}
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				c.badArg(name, "a SearchCombinationOptions whose qSearchFields is an array of strings", v)
				return so
			}
			if s != "" {
				so.engine.Fields = append(so.engine.Fields, s)
			}
		}
	}
	if v, ok := o.Get("qContext"); ok && v != nil {
		switch s, ok := schema.enum("SearchContextType").parse(v); {
		case !ok:
			c.badArg(name, "a SearchCombinationOptions with a valid qContext", v)
		case s == "Cleared":
			so.engine.Context = engine.SearchCleared
		case s == "CurrentSelections":
			so.engine.Context = engine.SearchCurrent
		}
	}
	c.searchEncodingAndAttributes(name, o, &so)
	return so
}

func (c *call) searchEncodingAndAttributes(name string, o *jsonObject, so *searchOpts) {
	if v, ok := o.Get("qCharEncoding"); ok && v != nil {
		s, ok := schema.enum("CharEncodingType").parse(v)
		if !ok {
			c.badArg(name, "options with a valid qCharEncoding", v)
		}
		so.utf16 = s == "Utf16"
	}
	if v, ok := o.Get("qAttributes"); ok && v != nil {
		a, ok := v.([]any)
		if !ok {
			c.badArg(name, "options whose qAttributes is an array of strings", v)
			return
		}
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				c.badArg(name, "options whose qAttributes is an array of strings", v)
				return
			}
			switch s {
			case "qNum":
				so.attrNum = true
			case "qElemNum":
				so.attrElem = true
			case "qProperty":
				so.attrProp = true
			}
		}
	}
}

// searchTerms reads qTerms.
func (c *call) searchTerms() []string {
	terms := c.strs("qTerms")
	if len(terms) > engine.MaxSearchTerms {
		c.badArg("qTerms", "an array of at most "+strconv.Itoa(engine.MaxSearchTerms)+" strings", c.arg("qTerms"))
	}
	return terms
}

// window is an offset and a count (-1: all) over a list.
type window struct{ offset, count int }

// clip returns the [lo, hi) part of a list of n elements the window shows.
func (w window) clip(n int) (lo, hi int) {
	lo = min(w.offset, n)
	hi = n
	if w.count >= 0 {
		hi = min(n, lo+w.count)
	}
	return lo, hi
}

// searchPage is a SearchPage: the groups to return and, for the group and
// item types of the method, the items per group and matches per item.
type searchPage struct {
	groups, items, matches window
	maxFieldMatches        int // qMaxNbrFieldMatches (SearchAssociations)
}

// pageWindow reads qOffset and qCount of o (qCount absent or negative: all).
func (c *call) pageWindow(name string, o *jsonObject) window {
	w := window{count: -1}
	for _, k := range []string{"qOffset", "qCount"} {
		v, ok := o.Get(k)
		if !ok || v == nil {
			continue
		}
		n, isNum := v.(jsonNumber)
		i, isInt := n.int()
		if !isNum || !isInt || (k == "qOffset" && i < 0) {
			c.badArg(name, "an object whose "+k+" is an integer (qOffset not negative)", v)
			return w
		}
		if k == "qOffset" {
			w.offset = i
		} else if i >= 0 {
			w.count = i
		}
	}
	return w
}

// searchPage reads qPage; groupType and itemType select the entries of
// qGroupOptions and qGroupItemOptions that apply.
func (c *call) searchPage(groupType, itemType string) searchPage {
	o := c.obj("qPage")
	p := searchPage{groups: c.pageWindow("qPage", o), items: window{count: -1}, matches: window{count: -1}, maxFieldMatches: -1}
	if v, ok := o.Get("qMaxNbrFieldMatches"); ok && v != nil {
		n, isNum := v.(jsonNumber)
		i, isInt := n.int()
		if !isNum || !isInt {
			c.badArg("qPage", "a SearchPage whose qMaxNbrFieldMatches is an integer", v)
		} else if i >= 0 {
			p.maxFieldMatches = i
		}
	}
	opts := func(key, typeKey, enum, want string, w *window) {
		v, ok := o.Get(key)
		if !ok || v == nil {
			return
		}
		a, ok := v.([]any)
		if !ok {
			c.badArg("qPage", "a SearchPage whose "+key+" is an array", v)
			return
		}
		for _, e := range a {
			eo, ok := e.(*jsonObject)
			if !ok {
				c.badArg("qPage", "a SearchPage whose "+key+" holds objects", v)
				return
			}
			tv, _ := eo.Get(typeKey)
			if t, ok := schema.enum(enum).parse(tv); ok && t == want {
				*w = c.pageWindow("qPage", eo)
			}
		}
	}
	opts("qGroupOptions", "qGroupType", "SearchGroupType", groupType, &p.items)
	opts("qGroupItemOptions", "qGroupItemType", "SearchGroupItemType", itemType, &p.matches)
	return p
}

// runSearch runs a multi-field search in the session.
func (c *call) runSearch(so searchOpts, terms []string) (*engine.SearchAllResult, error) {
	es, _, err := c.s.selections()
	if err != nil {
		return nil, err
	}
	return es.SearchAll(so.engine, terms)
}

func docSearchResults(c *call) error {
	so := c.searchOptions("qOptions")
	terms := c.searchTerms()
	pg := c.searchPage("DatasetType", "Field")
	if c.bad() {
		return nil
	}
	res, err := c.runSearch(so, terms)
	if err != nil {
		return err
	}
	c.out("qResult", rawJSON(appendSearchResult(nil, res, terms, so, pg)))
	return nil
}

// appendSearchResult writes a SearchResult.
func appendSearchResult(dst []byte, res *engine.SearchAllResult, terms []string, so searchOpts, pg searchPage) []byte {
	dst = append(dst, `{"qSearchTerms":`...)
	dst = appendStrings(dst, terms)
	dst = append(dst, `,"qTotalNumberOfGroups":`...)
	dst = strconv.AppendInt(dst, int64(len(res.Groups)), 10)
	dst = append(dst, `,"qSearchGroupArray":[`...)
	lo, hi := pg.groups.clip(len(res.Groups))
	for gi := lo; gi < hi; gi++ {
		g := &res.Groups[gi]
		if gi > lo {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"qId":`...)
		dst = strconv.AppendInt(dst, int64(gi), 10)
		dst = append(dst, `,"qGroupType":"DatasetType","qSearchTermsMatched":`...)
		dst = appendInts(dst, g.Terms)
		dst = append(dst, `,"qTotalNumberOfItems":`...)
		dst = strconv.AppendInt(dst, int64(len(g.Items)), 10)
		dst = append(dst, `,"qItems":[`...)
		ilo, ihi := pg.items.clip(len(g.Items))
		for ii := ilo; ii < ihi; ii++ {
			if ii > ilo {
				dst = append(dst, ',')
			}
			dst = appendSearchItem(dst, res, &g.Items[ii], so, pg.matches)
		}
		dst = append(dst, "]}"...)
	}
	return append(dst, "]}"...)
}

// matchTypes name engine.MatchKind as SearchFieldMatchType.
var matchTypes = [...]string{"FieldMatchNone", "FieldMatchSubString", "FieldMatchWord", "FieldMatchExact"}

func appendSearchItem(dst []byte, res *engine.SearchAllResult, it *engine.SearchItem, so searchOpts, w window) []byte {
	dst = append(dst, `{"qItemType":"Field","qTotalNumberOfMatches":`...)
	dst = strconv.AppendInt(dst, int64(len(it.IDs)), 10)
	dst = append(dst, `,"qIdentifier":`...)
	dst = appendString(dst, it.Field.Name)
	dst = append(dst, `,"qItemMatches":[`...)
	syms := it.Field.Symbols
	lo, hi := w.clip(len(it.IDs))
	var rs []engine.TextRange
	for i, id := range it.IDs[lo:hi] {
		if i > 0 {
			dst = append(dst, ',')
		}
		text, num := syms.Text(id), syms.Num(id)
		dst = append(dst, `{"qText":`...)
		dst = syms.AppendJSON(dst, id)
		dst = append(dst, `,"qAttributes":[`...)
		if so.attrNum {
			dst = append(dst, `{"qKey":"qNum","qValue":`...)
			dst = appendString(dst, numText(num))
			dst = append(dst, '}')
		}
		if so.attrElem {
			if so.attrNum {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"qKey":"qElemNum","qValue":"`...)
			dst = strconv.AppendUint(dst, uint64(id), 10)
			dst = append(dst, `"}`...)
		}
		dst = append(dst, `],"qRanges":`...)
		rs = rs[:0]
		for _, ti := range it.Terms {
			rs = res.Terms[ti].Ranges(rs, ti, num, text)
		}
		slices.SortStableFunc(rs, func(a, b engine.TextRange) int { return a.Pos - b.Pos })
		dst = appendCharRanges(dst, text, rs, so.utf16, true)
		dst = append(dst, '}')
	}
	dst = append(dst, `],"qSearchTermsMatched":`...)
	dst = appendInts(dst, it.Terms)
	dst = append(dst, `,"qMatchType":"`...)
	dst = append(dst, matchTypes[it.Match]...)
	return append(dst, `"}`...)
}

// numText is a number as a SearchAttribute value.
func numText(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// appendCharRanges writes ranges as [{"qCharPos","qCharCount"[,"qTerm"]}],
// in UTF-16 code units when utf16, else in bytes.
func appendCharRanges(dst []byte, text string, rs []engine.TextRange, utf16, withTerm bool) []byte {
	dst = append(dst, '[')
	for i, r := range rs {
		if i > 0 {
			dst = append(dst, ',')
		}
		pos, n := r.Pos, r.Len
		if utf16 {
			pos, n = utf16Len(text[:r.Pos]), utf16Len(text[r.Pos:r.Pos+r.Len])
		}
		dst = append(dst, `{"qCharPos":`...)
		dst = strconv.AppendInt(dst, int64(pos), 10)
		dst = append(dst, `,"qCharCount":`...)
		dst = strconv.AppendInt(dst, int64(n), 10)
		if withTerm {
			dst = append(dst, `,"qTerm":`...)
			dst = strconv.AppendInt(dst, int64(r.Term), 10)
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// utf16Len is the length of s in UTF-16 code units.
func utf16Len(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
		i += size
	}
	return n
}

func appendStrings(dst []byte, ss []string) []byte {
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, s)
	}
	return append(dst, ']')
}

func appendInts(dst []byte, ns []int) []byte {
	dst = append(dst, '[')
	for i, n := range ns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, int64(n), 10)
	}
	return append(dst, ']')
}

func docSearchSuggest(c *call) error {
	so := c.searchOptions("qOptions")
	terms := c.searchTerms()
	if c.bad() {
		return nil
	}
	es, _, err := c.s.selections()
	if err != nil {
		return err
	}
	sugs, fields, err := es.SearchSuggest(so.engine, terms, 0)
	if err != nil {
		return err
	}
	items := make([]any, len(sugs))
	for i, sg := range sugs {
		o := newObj(2)
		o.Set("qValue", sg.Value)
		o.Set("qTerm", sg.Term)
		items[i] = o
	}
	r := newObj(2)
	r.Set("qSuggestions", items)
	if fields == nil {
		fields = []string{}
	}
	r.Set("qFieldNames", fields)
	c.out("qResult", r)
	return nil
}

// docSearchAssociations is the deprecated form of SearchResults: the
// groups are SearchMatchCombinations over a dictionary of the matching
// values per field.
func docSearchAssociations(c *call) error {
	so := c.searchOptions("qOptions")
	terms := c.searchTerms()
	pg := c.searchPage("DatasetType", "Field")
	if c.bad() {
		return nil
	}
	res, err := c.runSearch(so, terms)
	if err != nil {
		return err
	}
	c.out("qResults", rawJSON(appendSearchAssociations(nil, res, terms, so, pg)))
	return nil
}

func appendSearchAssociations(dst []byte, res *engine.SearchAllResult, terms []string, so searchOpts, pg searchPage) []byte {
	lo, hi := pg.groups.clip(len(res.Groups))
	// The fields and, per field, the values the page's groups show.
	var fields []*engine.Field
	fieldIx := map[*engine.Field]int{}
	values := map[*engine.Field][]uint32{}
	valueIx := map[*engine.Field]map[uint32]int{}
	limit := func(ids []uint32) []uint32 {
		if pg.maxFieldMatches >= 0 && len(ids) > pg.maxFieldMatches {
			return ids[:pg.maxFieldMatches]
		}
		return ids
	}
	for gi := lo; gi < hi; gi++ {
		for _, it := range res.Groups[gi].Items {
			f := it.Field
			if _, ok := fieldIx[f]; !ok {
				fieldIx[f] = len(fields)
				fields = append(fields, f)
				valueIx[f] = map[uint32]int{}
			}
			for _, id := range limit(it.IDs) {
				if _, ok := valueIx[f][id]; !ok {
					valueIx[f][id] = len(values[f])
					values[f] = append(values[f], id)
				}
			}
		}
	}
	dst = append(dst, `{"qFieldNames":[`...)
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, f.Name)
	}
	dst = append(dst, `],"qSearchTerms":`...)
	dst = appendStrings(dst, terms)
	dst = append(dst, `,"qFieldDictionaries":[`...)
	for fi, f := range fields {
		if fi > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"qField":`...)
		dst = strconv.AppendInt(dst, int64(fi), 10)
		dst = append(dst, `,"qResult":[`...)
		var rs []engine.TextRange
		for vi, id := range values[f] {
			if vi > 0 {
				dst = append(dst, ',')
			}
			text, num := f.Symbols.Text(id), f.Symbols.Num(id)
			dst = append(dst, `{"qText":`...)
			dst = f.Symbols.AppendJSON(dst, id)
			dst = append(dst, `,"qElemNumber":`...)
			dst = strconv.AppendUint(dst, uint64(id), 10)
			dst = append(dst, `,"qRanges":`...)
			rs = rs[:0]
			for ti := range res.Terms {
				rs = res.Terms[ti].Ranges(rs, ti, num, text)
			}
			slices.SortStableFunc(rs, func(a, b engine.TextRange) int { return a.Pos - b.Pos })
			dst = appendCharRanges(dst, text, rs, so.utf16, true)
			dst = append(dst, '}')
		}
		dst = append(dst, "]}"...)
	}
	dst = append(dst, `],"qSearchTermsMatched":[`...)
	for gi := lo; gi < hi; gi++ {
		g := &res.Groups[gi]
		if gi > lo {
			dst = append(dst, ',')
		}
		dst = append(dst, `[{"qId":`...)
		dst = strconv.AppendInt(dst, int64(gi), 10)
		dst = append(dst, `,"qFieldMatches":[`...)
		for ii, it := range g.Items {
			if ii > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"qField":`...)
			dst = strconv.AppendInt(dst, int64(fieldIx[it.Field]), 10)
			dst = append(dst, `,"qValues":[`...)
			for vi, id := range limit(it.IDs) {
				if vi > 0 {
					dst = append(dst, ',')
				}
				dst = strconv.AppendInt(dst, int64(valueIx[it.Field][id]), 10)
			}
			dst = append(dst, `],"qTerms":`...)
			dst = appendInts(dst, it.Terms)
			dst = append(dst, `,"qNoOfMatches":`...)
			dst = strconv.AppendInt(dst, int64(len(it.IDs)), 10)
			dst = append(dst, '}')
		}
		dst = append(dst, "]}]"...)
	}
	dst = append(dst, `],"qTotalSearchResults":`...)
	dst = strconv.AppendInt(dst, int64(len(res.Groups)), 10)
	return append(dst, '}')
}

// docSelectAssociations selects the values of group qMatchIx of the same
// search (SearchResults' qId). An index without a group changes nothing.
func docSelectAssociations(c *call) error {
	so := c.searchOptions("qOptions")
	terms := c.searchTerms()
	ix := c.integer("qMatchIx")
	soft := false
	if c.isGiven("qSoftLock") {
		soft = c.boolean("qSoftLock")
	}
	if c.bad() {
		return nil
	}
	_, err := c.withSelections(func(es *engine.Session) (bool, error) {
		return es.SelectSearchGroup(so.engine, terms, ix, soft)
	})
	return err
}

// docGetMatchingFields lists the fields that have all (MATCH_ALL) or any
// (MATCH_ONE) of the tags.
func docGetMatchingFields(c *call) error {
	tags := c.strs("qTags")
	modeArg := c.arg("qMatchingFieldMode")
	mode, ok := schema.enum("NxMatchingFieldMode").parse(modeArg)
	if modeArg != nil && !ok {
		c.badArg("qMatchingFieldMode", "MATCHINGFIELDMODE_MATCH_ALL or MATCHINGFIELDMODE_MATCH_ONE", modeArg)
	}
	if c.bad() {
		return nil
	}
	_, mi, err := c.s.selections()
	if err != nil {
		return err
	}
	matchOne := mode == "MATCHINGFIELDMODE_MATCH_ONE"
	system := slices.Contains(tags, "$system")
	out := []any{}
	for _, f := range mi.m.Fields() {
		if f.System && !system {
			continue
		}
		n := 0
		for _, t := range tags {
			if slices.Contains(f.Tags, t) {
				n++
			}
		}
		if (matchOne && n > 0) || (!matchOne && n == len(tags)) {
			o := newObj(2)
			o.Set("qName", f.Name)
			o.Set("qTags", tagsOf(f))
			out = append(out, o)
		}
	}
	c.out("qFieldNames", out)
	return nil
}

// objectSearchSkip are the object types SearchObjects never returns.
var objectSearchSkip = []string{"slideitem", "sheet", "story", "slide", "masterobject", "snapshot",
	"LoadModel", "appprops", "searchhistory"}

// objectSearchProps are the properties SearchObjects searches, as paths.
var objectSearchProps = [][]string{{"title"}, {"subtitle"}, {"footnote"},
	{"qMetaDef", "title"}, {"qMetaDef", "description"}, {"qInfo", "qType"}}

// objectHit is one matching property of an object.
type objectHit struct {
	prop  string
	text  string
	terms []int
	score int
}

// objectMatch is an object with the terms its properties match.
type objectMatch struct {
	id    string
	terms []int // ascending
	hits  []objectHit
	score int
	order int
}

func docSearchObjects(c *call) error {
	o := c.obj("qOptions")
	var so searchOpts
	c.searchEncodingAndAttributes("qOptions", o, &so)
	terms := c.searchTerms()
	pg := c.searchPage("GenericObjectsType", "GenericObject")
	if c.bad() {
		return nil
	}
	compiled := make([]engine.Term, len(terms))
	for i, t := range terms {
		compiled[i] = engine.CompileTerm(t, nil)
	}
	a := c.h.app
	a.mu.RLock()
	objs := make([]*genericObject, 0, len(a.objOrder))
	for _, id := range a.objOrder {
		objs = append(objs, a.objects[id])
	}
	a.mu.RUnlock()
	var matches []objectMatch
	for order, obj := range objs {
		if slices.Contains(objectSearchSkip, obj.typ) {
			continue
		}
		if err := c.ctx.Err(); err != nil {
			return err
		}
		m := objectMatch{id: obj.id, order: order}
		props := obj.current()
		for _, p := range objectSearchProps {
			text, ok := propText(props, p)
			if !ok || text == "" {
				continue
			}
			h := objectHit{prop: strings.Join(p, "/"), text: text}
			for ti := range compiled {
				if k := compiled[ti].Match(math.NaN(), text); k != engine.MatchNone {
					h.terms = append(h.terms, ti)
					h.score += int(k)
				}
			}
			if len(h.terms) == 0 {
				continue
			}
			m.hits = append(m.hits, h)
			m.score = max(m.score, h.score)
			for _, ti := range h.terms {
				if !slices.Contains(m.terms, ti) {
					m.terms = append(m.terms, ti)
				}
			}
		}
		if len(m.hits) > 0 {
			slices.Sort(m.terms)
			matches = append(matches, m)
		}
	}
	// One group per set of matched terms: more terms first, then in term
	// order; objects in a group by best score, then app order.
	slices.SortStableFunc(matches, func(x, y objectMatch) int {
		if len(x.terms) != len(y.terms) {
			return len(y.terms) - len(x.terms)
		}
		if c := slices.Compare(x.terms, y.terms); c != 0 {
			return c
		}
		if x.score != y.score {
			return y.score - x.score
		}
		return x.order - y.order
	})
	var groups [][]objectMatch
	for i, m := range matches {
		if i == 0 || !slices.Equal(m.terms, matches[i-1].terms) {
			groups = append(groups, nil)
		}
		groups[len(groups)-1] = append(groups[len(groups)-1], m)
	}
	dst := append([]byte(nil), `{"qSearchTerms":`...)
	dst = appendStrings(dst, terms)
	dst = append(dst, `,"qTotalNumberOfGroups":`...)
	dst = strconv.AppendInt(dst, int64(len(groups)), 10)
	dst = append(dst, `,"qSearchGroupArray":[`...)
	lo, hi := pg.groups.clip(len(groups))
	for gi := lo; gi < hi; gi++ {
		g := groups[gi]
		if gi > lo {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"qId":`...)
		dst = strconv.AppendInt(dst, int64(gi), 10)
		dst = append(dst, `,"qGroupType":"GenericObjectsType","qSearchTermsMatched":`...)
		dst = appendInts(dst, g[0].terms)
		dst = append(dst, `,"qTotalNumberOfItems":`...)
		dst = strconv.AppendInt(dst, int64(len(g)), 10)
		dst = append(dst, `,"qItems":[`...)
		ilo, ihi := pg.items.clip(len(g))
		for ii := ilo; ii < ihi; ii++ {
			m := &g[ii]
			if ii > ilo {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"qItemType":"GenericObject","qTotalNumberOfMatches":`...)
			dst = strconv.AppendInt(dst, int64(len(m.hits)), 10)
			dst = append(dst, `,"qIdentifier":`...)
			dst = appendString(dst, m.id)
			dst = append(dst, `,"qItemMatches":[`...)
			mlo, mhi := pg.matches.clip(len(m.hits))
			for hi := mlo; hi < mhi; hi++ {
				h := &m.hits[hi]
				if hi > mlo {
					dst = append(dst, ',')
				}
				dst = append(dst, `{"qText":`...)
				dst = appendString(dst, h.text)
				dst = append(dst, `,"qAttributes":[`...)
				if so.attrProp {
					dst = append(dst, `{"qKey":"qProperty","qValue":`...)
					dst = appendString(dst, h.prop)
					dst = append(dst, '}')
				}
				dst = append(dst, `],"qRanges":`...)
				var rs []engine.TextRange
				for _, ti := range h.terms {
					rs = compiled[ti].Ranges(rs, ti, math.NaN(), h.text)
				}
				slices.SortStableFunc(rs, func(a, b engine.TextRange) int { return a.Pos - b.Pos })
				dst = appendCharRanges(dst, h.text, rs, so.utf16, true)
				dst = append(dst, '}')
			}
			dst = append(dst, `],"qSearchTermsMatched":`...)
			dst = appendInts(dst, m.terms)
			dst = append(dst, '}')
		}
		dst = append(dst, "]}"...)
	}
	dst = append(dst, "]}"...)
	c.out("qResult", rawJSON(dst))
	return nil
}

// propText returns the string at a path of properties.
func propText(props *jsonObject, path []string) (string, bool) {
	o := props
	for _, k := range path[:len(path)-1] {
		o = o.obj(k)
		if o == nil {
			return "", false
		}
	}
	v, _ := o.Get(path[len(path)-1])
	s, ok := v.(string)
	return s, ok
}
