package qix

// GetProperties returns properties normalised the way the QIX engine
// returns them (protocol §3.8): the known structs list their fields in
// struct order with defaults filled in, false booleans and empty strings
// left out, enums in their short form; unknown keys follow, verbatim. The
// struct shapes below follow the real-engine outputs in the corectl goldens.

// fkind is the kind of a struct field.
type fkind uint8

const (
	fAny     fkind = iota // kept verbatim
	fBool                 // omitted when false (unless its default is true)
	fInt                  // omitted when equal to the default unless emit
	fStr                  // omitted when empty
	fEnum                 // short form
	fStruct               // normalised with sub
	fStructs              // array of sub
	fArray                // array kept verbatim
)

type fieldSpec struct {
	name string
	kind fkind
	def  any  // default (bool, int or string)
	emit bool // emit the default when the field is absent
	enum string
	sub  *structSpec
}

type structSpec struct {
	fields []fieldSpec
}

func newSpec(fields ...fieldSpec) *structSpec { return &structSpec{fields: fields} }

func bf(name string) fieldSpec { return fieldSpec{name: name, kind: fBool, def: false} }
func bt(name string) fieldSpec { return fieldSpec{name: name, kind: fBool, def: true, emit: true} }
func iz(name string) fieldSpec { return fieldSpec{name: name, kind: fInt, def: 0} }
func ie(name string, def int) fieldSpec {
	return fieldSpec{name: name, kind: fInt, def: def, emit: true}
}
func sf(name string) fieldSpec  { return fieldSpec{name: name, kind: fStr, def: ""} }
func arr(name string) fieldSpec { return fieldSpec{name: name, kind: fArray, emit: true} }
func st(name string, s *structSpec) fieldSpec {
	return fieldSpec{name: name, kind: fStruct, sub: s, emit: true}
}
func sts(name string, s *structSpec) fieldSpec {
	return fieldSpec{name: name, kind: fStructs, sub: s, emit: true}
}
func en(name, enum, def string) fieldSpec {
	return fieldSpec{name: name, kind: fEnum, enum: enum, def: def, emit: true}
}

var (
	valueExprSpec  = newSpec(sf("qv"))
	stringExprSpec = newSpec(sf("qv"))
	sortSpec       = newSpec(iz("qSortByState"), iz("qSortByFrequency"), iz("qSortByNumeric"), iz("qSortByAscii"),
		iz("qSortByLoadOrder"), iz("qSortByExpression"), st("qExpression", valueExprSpec), iz("qSortByGreyness"))
	inlineDimSpec = newSpec(en("qGrouping", "NxGrpType", "N"), arr("qFieldDefs"), arr("qFieldLabels"),
		sts("qSortCriterias", sortSpec), arr("qNumberPresentations"), bf("qReverseSort"), ie("qActiveField", 0),
		sf("qLabelExpression"), sf("qAlias"))
	otherTotalSpec = newSpec(en("qOtherMode", "OtherMode", "OTHER_OFF"), st("qOtherCounted", valueExprSpec),
		st("qOtherLimit", valueExprSpec), en("qOtherLimitMode", "OtherLimitMode", "OTHER_GT_LIMIT"),
		bf("qSuppressOther"), bt("qForceBadValueKeeping"), bt("qApplyEvenWhenPossiblyWrongResult"),
		bf("qGlobalOtherGrouping"), bf("qOtherCollapseInnerDimensions"),
		en("qOtherSortMode", "OtherSortMode", "OTHER_SORT_DESCENDING"), en("qTotalMode", "TotalMode", "TOTAL_OFF"),
		st("qReferencedExpression", stringExprSpec))
	calcCondSpec  = newSpec(st("qCond", valueExprSpec), st("qMsg", stringExprSpec))
	dimensionSpec = newSpec(sf("qLibraryId"), st("qDef", inlineDimSpec), bf("qNullSuppression"),
		bf("qIncludeElemValue"), st("qOtherTotalSpec", otherTotalSpec), bf("qShowTotal"), bf("qShowAll"),
		st("qOtherLabel", stringExprSpec), st("qTotalLabel", stringExprSpec), st("qCalcCond", valueExprSpec),
		arr("qAttributeExpressions"), arr("qAttributeDimensions"), st("qCalcCondition", calcCondSpec))
	inlineMeasureSpec = newSpec(sf("qLabel"), sf("qDescription"), arr("qTags"), en("qGrouping", "NxGrpType", "N"),
		sf("qDef"), fieldSpec{name: "qNumFormat", kind: fAny}, bf("qRelative"), bf("qBrutalSum"), sf("qAggrFunc"),
		ie("qAccumulate", 0), bf("qReverseSort"), ie("qActiveExpression", 0), arr("qExpressions"),
		sf("qLabelExpression"))
	miniChartSpec = newSpec(sf("qDef"), sf("qLibraryId"), st("qSortBy", sortSpec), st("qOtherTotalSpec", otherTotalSpec),
		ie("qMaxNumberPoints", -1), arr("qAttributeExpressions"), bf("qNullSuppression"))
	measureSpec = newSpec(sf("qLibraryId"), st("qDef", inlineMeasureSpec), st("qSortBy", sortSpec),
		arr("qAttributeExpressions"), arr("qAttributeDimensions"), st("qCalcCond", valueExprSpec),
		st("qCalcCondition", calcCondSpec), arr("qTrendLines"), st("qMiniChartDef", miniChartSpec))
	pageSpec      = newSpec(ie("qLeft", 0), ie("qTop", 0), ie("qWidth", 0), ie("qHeight", 0))
	hyperCubeSpec = newSpec(sf("qStateName"), sts("qDimensions", dimensionSpec), sts("qMeasures", measureSpec),
		arr("qInterColumnSortOrder"), bf("qSuppressZero"), bf("qSuppressMissing"), sts("qInitialDataFetch", pageSpec),
		en("qReductionMode", "NxDataReductionMode", "N"), en("qMode", "NxHypercubeMode", "S"),
		ie("qPseudoDimPos", -1), ie("qNoOfLeftDims", -1), bf("qAlwaysFullyExpanded"), ie("qMaxStackedCells", 5000),
		bf("qPopulateMissing"), bf("qShowTotalsAbove"), bf("qIndentMode"), st("qCalcCond", valueExprSpec),
		iz("qSortbyYValue"), st("qTitle", stringExprSpec), st("qCalcCondition", calcCondSpec),
		arr("qColumnOrder"), arr("qExpansionState"), arr("qDynamicScript"), sf("qContextSetExpression"),
		bf("qSuppressMeasureTotals"))
	autoSortSpec = newSpec(ie("qDisplayNumberOfRows", -1))
	listObjSpec  = newSpec(sf("qStateName"), sf("qLibraryId"), st("qDef", inlineDimSpec), st("qAutoSortByState", autoSortSpec),
		en("qFrequencyMode", "NxFrequencyMode", "N"), bf("qShowAlternatives"), sts("qInitialDataFetch", pageSpec),
		arr("qExpressions"), bf("qDirectQuerySimplifiedView"))
	selObjSpec = newSpec(sf("qStateName"))
)

// defNormalizers are the definitions normalised at any depth.
var defNormalizers = map[string]*structSpec{
	"qHyperCubeDef":       hyperCubeSpec,
	"qListObjectDef":      listObjSpec,
	"qSelectionObjectDef": selObjSpec,
}

// normalizeProperties returns a normalised copy of generic-object
// properties: qInfo first, then qMetaDef (added empty if missing), then the
// other keys in order with every known definition normalised.
func normalizeProperties(props *jsonObject) *jsonObject {
	out := newObj(props.Len() + 1)
	if info, ok := props.Get("qInfo"); ok {
		out.Set("qInfo", clone(info))
	}
	if md, ok := props.Get("qMetaDef"); ok {
		out.Set("qMetaDef", clone(md))
	} else {
		out.Set("qMetaDef", newObj(0))
	}
	for i, k := range props.keys {
		if k == "qInfo" || k == "qMetaDef" {
			continue
		}
		out.Set(k, normalizeKey(k, props.vals[i]))
	}
	return out
}

func normalizeKey(k string, v any) any {
	if spec := defNormalizers[k]; spec != nil {
		if o, ok := v.(*jsonObject); ok {
			return spec.normalize(o)
		}
		return clone(v)
	}
	if k == "qLayoutExclude" {
		return clone(v)
	}
	return normalizeNested(v)
}

// normalizeNested looks for definitions inside custom keys.
func normalizeNested(v any) any {
	switch x := v.(type) {
	case *jsonObject:
		out := newObj(x.Len())
		for i, k := range x.keys {
			out.Set(k, normalizeKey(k, x.vals[i]))
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNested(e)
		}
		return out
	}
	return v
}

// normalize returns o with the struct's fields in order, then the unknown
// keys.
func (s *structSpec) normalize(o *jsonObject) *jsonObject {
	out := newObj(len(s.fields) + o.Len())
	for _, f := range s.fields {
		v, present := o.Get(f.name)
		if present && v == nil {
			present = false
		}
		if nv, ok := f.value(v, present); ok {
			out.Set(f.name, nv)
		}
	}
	for i, k := range o.keys {
		if !s.has(k) {
			out.Set(k, clone(o.vals[i]))
		}
	}
	return out
}

func (s *structSpec) has(k string) bool {
	for _, f := range s.fields {
		if f.name == k {
			return true
		}
	}
	return false
}

// value returns the normalised value of a field and whether to emit it.
func (f *fieldSpec) value(v any, present bool) (any, bool) {
	switch f.kind {
	case fBool:
		b, isBool := v.(bool)
		if !present {
			return f.def, f.emit
		}
		if !isBool {
			return clone(v), true
		}
		return b, b != f.def || f.emit
	case fInt:
		if !present {
			return f.def, f.emit
		}
		if n, ok := v.(jsonNumber); ok {
			if i, ok := n.int(); ok && i == f.def && !f.emit {
				return nil, false
			}
		}
		return clone(v), true
	case fStr:
		if !present {
			return nil, false
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, false
		}
		return clone(v), true
	case fEnum:
		if !present {
			return f.def, true
		}
		if s, ok := schema.enum(f.enum).parse(v); ok {
			return s, true
		}
		return clone(v), true
	case fStruct:
		if !present {
			return f.sub.normalize(newObj(0)), true
		}
		if o, ok := v.(*jsonObject); ok {
			return f.sub.normalize(o), true
		}
		return clone(v), true
	case fStructs:
		if !present {
			return []any{}, true
		}
		a, ok := v.([]any)
		if !ok {
			return clone(v), true
		}
		out := make([]any, len(a))
		for i, e := range a {
			if o, ok := e.(*jsonObject); ok {
				out[i] = f.sub.normalize(o)
			} else {
				out[i] = clone(e)
			}
		}
		return out, true
	case fArray:
		if !present {
			return []any{}, f.emit
		}
		return clone(v), true
	}
	if !present {
		return nil, false
	}
	return clone(v), true
}
