package qix

import (
	"slices"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
)

func init() {
	registerDef("qSelectionObjectDef", &defComputer{layoutKey: "qSelectionObject", compute: computeSelectionObject})
}

// selectionThreshold is how many selected values current selections list
// by name (NxCurrentSelectionItem.qSelectionThreshold).
const selectionThreshold = 6

// computeSelectionObject is the qSelectionObjectDef computer: the current
// selections of a state, oldest change first, with the Back/Forward counts.
func computeSelectionObject(lc *layoutCtx, def any, path, state string) (any, error) {
	if d, ok := def.(*jsonObject); ok && d.str("qStateName") != "" {
		state = d.str("qStateName")
	}
	out := newObj(4)
	out.Set("qBackCount", lc.es.BackCount())
	out.Set("qForwardCount", lc.es.ForwardCount())
	st, err := lc.es.State(state)
	if err != nil {
		out.Set("qSelections", []any{})
		out.Set("qStateName", state)
		out.Set("qError", validationError(&listError{errNotFound, "state " + state}))
		return out, nil
	}
	sels := st.Selections()
	slices.Reverse(sels) // oldest change first
	r := lc.es.ResultFor(st)
	fields := lc.mi.m.Fields()
	items := make([]any, 0, len(sels))
	for i, fs := range sels {
		items = append(items, selectionItem(r, fields[fs.Field], fs, i))
	}
	out.Set("qSelections", items)
	out.Set("qStateName", state)
	return out, nil
}

// selectionItem is one NxCurrentSelectionItem.
func selectionItem(r *engine.Result, f *engine.Field, fs *engine.FieldSelection, sortIndex int) *jsonObject {
	n := fs.Count()
	card := f.Cardinal()
	it := newObj(16)
	it.Set("qTotal", card)
	if hasTag(f, "$numeric") {
		it.Set("qIsNum", true)
	}
	it.Set("qField", f.Name)
	if fs.Locked {
		it.Set("qLocked", true)
	}
	if fs.Search != "" {
		it.Set("qTextSearch", fs.Search)
	}
	it.Set("qSelectedCount", n)
	// The first selected values in load order, up to the threshold.
	var ids []uint32
	if n <= selectionThreshold {
		ids = fs.Symbols(make([]uint32, 0, n))
	} else {
		for id := 0; id < card && len(ids) < selectionThreshold; id++ {
			if fs.Selected(uint32(id)) {
				ids = append(ids, uint32(id))
			}
		}
	}
	names := make([]string, len(ids))
	infos := make([]any, len(ids))
	for i, id := range ids {
		names[i] = f.Symbols.Text(id)
		fi := newObj(2)
		fi.Set("qName", names[i])
		fi.Set("qFieldSelectionMode", "NORMAL")
		infos[i] = fi
	}
	if n <= selectionThreshold {
		it.Set("qSelected", strings.Join(names, ", "))
	} else {
		it.Set("qSelected", strconv.Itoa(n)+" of "+strconv.Itoa(card))
	}
	it.Set("qRangeInfo", []any{})
	it.Set("qSortIndex", sortIndex)
	it.Set("qStateCounts", stateCounts(r.Counts(f.Index)))
	it.Set("qSelectedFieldSelectionInfo", infos)
	it.Set("qNotSelectedFieldSelectionInfo", []any{})
	it.Set("qSelectionThreshold", selectionThreshold)
	it.Set("qDimensionReferences", []any{})
	return it
}
