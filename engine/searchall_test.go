package engine_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/assocengine/assoc/engine"
)

func TestTermMatch(t *testing.T) {
	tests := []struct {
		term string
		num  float64
		text string
		want engine.MatchKind
	}{
		// Normal: the start of a word, case-insensitively.
		{"sw", nan, "Sweden", engine.MatchPrefix},
		{"sw", nan, "New Swindon", engine.MatchPrefix},
		{"sw", nan, "Answer", engine.MatchNone},
		{"sweden", nan, "SWEDEN", engine.MatchExact},
		{"new", nan, "New York", engine.MatchWord},
		{"york", nan, "New York", engine.MatchWord},
		{"new york", nan, "New York City", engine.MatchWord},
		{"new yo", nan, "New York City", engine.MatchPrefix},
		{`"new york"`, nan, "new york", engine.MatchExact},
		{"an", nan, "Ann and Bob", engine.MatchPrefix}, // starts "Ann" and "and", is neither
		{"ann", nan, "Ann and Bob", engine.MatchWord},
		{"12", nan, "A-123", engine.MatchPrefix},
		{"23", nan, "A-123", engine.MatchNone},
		{"-1", nan, "A-123", engine.MatchPrefix}, // starts with a non-word character: anywhere
		{"$", nan, "US$ 5", engine.MatchWord},
		{"ö", nan, "Malmö Öresund", engine.MatchPrefix},
		{"öre", nan, "Malmö Öresund", engine.MatchPrefix},
		{"mö", nan, "Malmö", engine.MatchNone},
		{"é", nan, "Café", engine.MatchNone},
		{"straße", nan, "STRAßE", engine.MatchExact},
		{"b", nan, "Aéb", engine.MatchNone}, // é is a letter: b is inside a word
		{"", nan, "anything", engine.MatchNone},
		{"   ", nan, "anything", engine.MatchNone},
		// Wildcards: the whole value.
		{"sw*", nan, "Sweden", engine.MatchExact},
		{"*den", nan, "Sweden", engine.MatchExact},
		{"*ede*", nan, "Sweden", engine.MatchExact},
		{"s?eden", nan, "Sweden", engine.MatchExact},
		{"s?den", nan, "Sweden", engine.MatchNone},
		{"den*", nan, "Sweden", engine.MatchNone},
		{"*^z*", nan, "New Zealand", engine.MatchExact},
		{"*^e*", nan, "New Zealand", engine.MatchNone},
		{"*a*a*", nan, "Zealand", engine.MatchExact},
		{"*a*a*a*", nan, "Zealand", engine.MatchNone},
		{"*ö", nan, "Malmö", engine.MatchExact},
		{"M?lm?", nan, "Malmö", engine.MatchExact},
		{"*", nan, "", engine.MatchExact},
		{"?", nan, "", engine.MatchNone},
		{"a*b*b", nan, "abcb", engine.MatchExact},
		{"a*b*b", nan, "ab", engine.MatchNone},
		// Numeric.
		{">=10", 10, "10", engine.MatchExact},
		{">10", 10, "10", engine.MatchNone},
		{">=5<20", 7.5, "7.5", engine.MatchExact},
		{"<5", nan, "text", engine.MatchNone},
		{"<abc", nan, "<abc>", engine.MatchWord}, // not a number: plain text
		// Fuzzy and expression terms are for field searches.
		{"~swdn", nan, "Sweden", engine.MatchNone},
		{"=1", nan, "Sweden", engine.MatchNone},
	}
	for _, tt := range tests {
		t.Run(tt.term+"/"+tt.text, func(t *testing.T) {
			term := engine.CompileTerm(tt.term, nil)
			require.Equal(t, tt.want, term.Match(tt.num, tt.text), "kind %v", term.Kind)
		})
	}
}

func TestTermRanges(t *testing.T) {
	tests := []struct {
		term string
		num  float64
		text string
		want []engine.TextRange
	}{
		{"an", nan, "Ann and Bob", []engine.TextRange{{Pos: 0, Len: 2}, {Pos: 4, Len: 2}}},
		{"ö", nan, "Malmö Öresund", []engine.TextRange{{Pos: 7, Len: 2}}},
		{"new york", nan, "New York", []engine.TextRange{{Pos: 0, Len: 8}}},
		{"*^z*", nan, "New Zealand", []engine.TextRange{{Pos: 4, Len: 1}}},
		{"s?e*", nan, "Sweden", []engine.TextRange{{Pos: 0, Len: 3}}},
		{"*ed*n", nan, "Sweden", []engine.TextRange{{Pos: 2, Len: 2}, {Pos: 5, Len: 1}}},
		{">1", 2, "2.00", []engine.TextRange{{Pos: 0, Len: 4}}},
		{"x", nan, "abc", nil},
		{"*x*", nan, "abc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.term+"/"+tt.text, func(t *testing.T) {
			term := engine.CompileTerm(tt.term, nil)
			require.Equal(t, tt.want, term.Ranges(nil, 0, tt.num, tt.text))
		})
	}
	require.Equal(t, []engine.TextRange{{Pos: 0, Len: 5, Term: 1}, {Pos: 7, Len: 1, Term: 0}},
		engine.MergeRanges([]engine.TextRange{{Pos: 7, Len: 1, Term: 0}, {Pos: 2, Len: 3, Term: 2}, {Pos: 0, Len: 3, Term: 1}}))
}

func TestSplitSearch(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  ", nil},
		{"P U S", []string{"P", "U", "S"}},
		{` new  "new york" x`, []string{"new", `"new york"`, "x"}},
		{`"open quote`, []string{`"open quote`}},
		{"P*U*", []string{"P*U*"}},
		{"a b?", []string{"a b?"}},
		{">=5 <10", []string{">=5 <10"}},
		{"=Sum(X) > 1", []string{"=Sum(X) > 1"}},
		{"~swedn", []string{"~swedn"}},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, engine.SplitSearch(tt.in), "%q", tt.in)
	}
}

// shopModel is the worked example of semantics §2.10.
func shopModel(t testing.TB) *engine.Model {
	t.Helper()
	b := engine.NewBuilder(engine.Options{})
	add := func(name string, fields []string, rows ...[]any) {
		tb, err := b.NewTable(name, fields...)
		require.NoError(t, err)
		for _, r := range rows {
			require.NoError(t, tb.Append(r...))
		}
	}
	add("Customers", []string{"CustID", "Name", "Country"},
		[]any{"c1", "Alice", "SE"}, []any{"c2", "Bob", "DK"}, []any{"c3", "Cara", "SE"})
	add("Orders", []string{"OrderID", "CustID", "Product", "Amount"},
		[]any{"o1", "c1", "Apple", 10}, []any{"o2", "c1", "Pear", 20}, []any{"o3", "c2", "Apple", 5}, []any{"o4", "c4", "Plum", 7})
	add("Products", []string{"Product", "Category"},
		[]any{"Apple", "Pome"}, []any{"Pear", "Pome"}, []any{"Plum", "Stone"}, []any{"Kiwi", "Berry"})
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

// groupText renders a group as "Field=v1|v2 Field2=v3".
func groupText(res *engine.SearchAllResult, g engine.SearchGroup) string {
	var parts []string
	for _, it := range g.Items {
		var vals []string
		for _, id := range it.IDs {
			vals = append(vals, it.Field.Symbols.Text(id))
		}
		parts = append(parts, it.Field.Name+"="+strings.Join(vals, "|"))
	}
	return strings.Join(parts, " ")
}

func groupTexts(res *engine.SearchAllResult) []string {
	var out []string
	for _, g := range res.Groups {
		out = append(out, groupText(res, g))
	}
	return out
}

var nan = math.NaN()

// placesModel has values with several words.
func placesModel(t testing.TB) *engine.Model {
	t.Helper()
	b := engine.NewBuilder(engine.Options{})
	tb, err := b.NewTable("Places", "City", "Country")
	require.NoError(t, err)
	for _, r := range [][]any{{"New York", "US"}, {"York", "UK"}, {"New Delhi", "IN"}, {"Newcastle", "UK"}} {
		require.NoError(t, tb.Append(r...))
	}
	m, err := b.Build()
	require.NoError(t, err)
	return m
}

func TestSearchAll(t *testing.T) {
	shop, places := shopModel(t), placesModel(t)
	tests := []struct {
		name  string
		m     *engine.Model
		terms []string
		opts  engine.SearchAllOptions
		want  []string
	}{
		{"one term, several fields", shop, []string{"p"}, engine.SearchAllOptions{},
			[]string{"Product=Pear|Plum", "Category=Pome"}},
		{"exact value", shop, []string{"pear"}, engine.SearchAllOptions{}, []string{"Product=Pear"}},
		{"nothing found", shop, []string{"zebra"}, engine.SearchAllOptions{}, nil},
		{"blank term", shop, []string{" "}, engine.SearchAllOptions{}, nil},
		{"no terms", shop, nil, engine.SearchAllOptions{}, nil},
		{"associated terms", shop, []string{"alice", "apple"}, engine.SearchAllOptions{},
			[]string{"Name=Alice Product=Apple", "Name=Alice", "Product=Apple"}},
		{"unassociated terms", shop, []string{"cara", "apple"}, engine.SearchAllOptions{},
			[]string{"Name=Cara", "Product=Apple"}},
		{"two placements", shop, []string{"se", "a"}, engine.SearchAllOptions{},
			[]string{"Country=SE Name=Alice", "Country=SE Product=Apple", "Country=SE", "Name=Alice", "Product=Apple"}},
		{"association narrows an item", shop, []string{"pome", "c"}, engine.SearchAllOptions{},
			[]string{"Category=Pome CustID=c1|c2", "Category=Pome", "CustID=c1|c2|c3|c4", "Name=Cara"}},
		{"wildcard and numeric", shop, []string{"*e", ">=10"}, engine.SearchAllOptions{},
			[]string{"Name=Alice Amount=10|20", "Country=SE Amount=10|20", "Product=Apple Amount=10",
				"Category=Pome Amount=10|20", "Name=Alice", "Country=SE", "Product=Apple", "Category=Pome|Stone", "Amount=10|20"}},
		{"two terms in one value", places, []string{"new", "york"}, engine.SearchAllOptions{},
			[]string{"City=New York", "City=York|New York", "City=New York|New Delhi|Newcastle"}},
		{"three terms", places, []string{"new", "york", "us"}, engine.SearchAllOptions{},
			[]string{"City=New York Country=US", "City=New York Country=US", "City=New York Country=US",
				"City=New York", "City=York|New York", "Country=US", "City=New York|New Delhi|Newcastle"}},
		{"unknown fields ignored", shop, []string{"a"}, engine.SearchAllOptions{Fields: []string{"Nope", "Name"}},
			[]string{"Name=Alice"}},
		{"system fields need naming", shop, []string{"orders"}, engine.SearchAllOptions{}, nil},
		{"named system field", shop, []string{"orders"}, engine.SearchAllOptions{Fields: []string{"$Table"}},
			[]string{"$Table=Orders"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := engine.NewSession(tt.m, engine.SessionOptions{})
			res, err := s.SearchAll(tt.opts, tt.terms)
			require.NoError(t, err)
			require.Equal(t, tt.want, groupTexts(res))
			require.False(t, res.Truncated)
		})
	}
}

// selected lists the selections of the default state as "Field=v1|v2".
func selected(t testing.TB, s *engine.Session) []string {
	t.Helper()
	st, err := s.State("")
	require.NoError(t, err)
	var out []string
	for _, f := range s.Model().Fields() {
		fs := st.Selection(f.Index)
		if fs == nil {
			continue
		}
		var vals []string
		for _, id := range fs.Symbols(nil) {
			vals = append(vals, f.Symbols.Text(id))
		}
		lock := ""
		if fs.Locked {
			lock = "(locked)"
		}
		out = append(out, f.Name+lock+"="+strings.Join(vals, "|"))
	}
	return out
}

func TestSearchAllContexts(t *testing.T) {
	m := shopModel(t)
	tests := []struct {
		name  string
		setup func(s *engine.Session)
		ctx   engine.SearchContext
		terms []string
		want  []string
	}{
		{"cleared ignores locks", func(s *engine.Session) { lockValue(t, s, "Country", "DK") },
			engine.SearchCleared, []string{"a"}, []string{"Name=Alice", "Product=Apple"}},
		{"locked selections exclude", func(s *engine.Session) { lockValue(t, s, "Country", "DK") },
			engine.SearchLockedOnly, []string{"a"}, []string{"Product=Apple"}},
		{"locked field finds its selection only", func(s *engine.Session) { lockValue(t, s, "Country", "DK") },
			engine.SearchLockedOnly, []string{"se"}, nil},
		{"unlocked selections ignored", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchLockedOnly, []string{"a"}, []string{"Name=Alice", "Product=Apple"}},
		{"current selections exclude", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchCurrent, []string{"a"}, []string{"Product=Apple"}},
		{"alternatives are found", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchCurrent, []string{"se"}, []string{"Country=SE"}},
		{"pairs respect the context", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchCurrent, []string{"bob", "apple"}, []string{"Name=Bob Product=Apple", "Name=Bob", "Product=Apple"}},
		{"pairs against an alternative", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchCurrent, []string{"se", "apple"}, []string{"Country=SE Product=Apple", "Country=SE", "Product=Apple"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := engine.NewSession(m, engine.SessionOptions{})
			tt.setup(s)
			res, err := s.SearchAll(engine.SearchAllOptions{Context: tt.ctx}, tt.terms)
			require.NoError(t, err)
			require.Equal(t, tt.want, groupTexts(res))
		})
	}
}

func selectValue(t testing.TB, s *engine.Session, field, value string) {
	t.Helper()
	ok, err := s.SelectValues("", field, []engine.FieldValue{{Text: value}}, false, false)
	require.NoError(t, err)
	require.True(t, ok)
}

func lockValue(t testing.TB, s *engine.Session, field, value string) {
	t.Helper()
	selectValue(t, s, field, value)
	ok, err := s.Lock("", field)
	require.NoError(t, err)
	require.True(t, ok)
}

func TestSearchAllLimits(t *testing.T) {
	m := shopModel(t)
	s := engine.NewSession(m, engine.SessionOptions{})

	// Pairs need an inference per item; one is not enough.
	res, err := s.SearchAll(engine.SearchAllOptions{MaxInferences: 1}, []string{"alice", "apple"})
	require.NoError(t, err)
	require.True(t, res.Truncated)
	require.Equal(t, []string{"Name=Alice", "Product=Apple"}, groupTexts(res))

	res, err = s.SearchAll(engine.SearchAllOptions{MaxGroups: 1}, []string{"alice", "apple"})
	require.NoError(t, err)
	require.True(t, res.Truncated)
	require.Len(t, res.Groups, 1)

	_, err = s.SearchAll(engine.SearchAllOptions{}, make([]string, engine.MaxSearchTerms+1))
	require.ErrorContains(t, err, "cannot search for 33 terms")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.SearchAll(engine.SearchAllOptions{Ctx: ctx}, []string{"a"})
	require.ErrorIs(t, err, context.Canceled)

	_, err = s.SearchAll(engine.SearchAllOptions{State: "Nope"}, []string{"a"})
	require.ErrorIs(t, err, engine.ErrStateNotFound)

	res, err = s.SearchAll(engine.SearchAllOptions{Fields: []string{"Nope", "Name"}}, []string{"a"})
	require.NoError(t, err)
	require.Equal(t, []string{"Nope"}, res.Unknown)
	require.Equal(t, []string{"Name"}, res.HitFields())
}

func TestSelectSearchGroup(t *testing.T) {
	m := shopModel(t)
	tests := []struct {
		name   string
		setup  func(s *engine.Session)
		ctx    engine.SearchContext
		terms  []string
		ix     int
		soft   bool
		ok     bool
		want   []string
		undone int // history steps the selection added
	}{
		{"a pair", func(*engine.Session) {}, engine.SearchLockedOnly, []string{"alice", "apple"}, 0, false, true,
			[]string{"Name=Alice", "Product=Apple"}, 1},
		{"the associated values only", func(*engine.Session) {}, engine.SearchLockedOnly, []string{"pome", "c"}, 0, false, true,
			[]string{"CustID=c1|c2", "Category=Pome"}, 1},
		{"no such group", func(*engine.Session) {}, engine.SearchLockedOnly, []string{"alice"}, 1, false, false, nil, 0},
		{"negative index", func(*engine.Session) {}, engine.SearchLockedOnly, []string{"alice"}, -1, false, false, nil, 0},
		{"unlocked selections are cleared", func(s *engine.Session) { selectValue(t, s, "Country", "DK") },
			engine.SearchLockedOnly, []string{"alice"}, 0, false, true, []string{"Name=Alice"}, 1},
		{"current selections are kept", func(s *engine.Session) { selectValue(t, s, "Country", "SE") },
			engine.SearchCurrent, []string{"apple"}, 0, false, true, []string{"Country=SE", "Product=Apple"}, 1},
		{"locks are kept", func(s *engine.Session) { lockValue(t, s, "Country", "SE") },
			engine.SearchLockedOnly, []string{"apple"}, 0, false, true, []string{"Country(locked)=SE", "Product=Apple"}, 1},
		{"a locked item needs soft lock", func(s *engine.Session) { lockValue(t, s, "Product", "Apple") },
			engine.SearchCleared, []string{"pear"}, 0, false, false, []string{"Product(locked)=Apple"}, 0},
		{"soft lock", func(s *engine.Session) { lockValue(t, s, "Product", "Apple") },
			engine.SearchCleared, []string{"pear"}, 0, true, true, []string{"Product(locked)=Pear"}, 1},
		{"same selection again", func(s *engine.Session) { selectValue(t, s, "Name", "Alice") },
			engine.SearchCurrent, []string{"alice"}, 0, false, true, []string{"Name=Alice"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := engine.NewSession(m, engine.SessionOptions{})
			tt.setup(s)
			before := selected(t, s)
			steps := s.BackCount()
			ok, err := s.SelectSearchGroup(engine.SearchAllOptions{Context: tt.ctx}, tt.terms, tt.ix, tt.soft)
			require.NoError(t, err)
			require.Equal(t, tt.ok, ok)
			if tt.want == nil {
				require.Equal(t, before, selected(t, s))
			} else {
				require.Equal(t, tt.want, selected(t, s))
			}
			require.Equal(t, steps+tt.undone, s.BackCount())
		})
	}
	s := engine.NewSession(m, engine.SessionOptions{})
	ok, err := s.SelectSearchGroup(engine.SearchAllOptions{}, []string{"alice", "apple"}, 0, false)
	require.NoError(t, err)
	require.True(t, ok)
	st, err := s.State("")
	require.NoError(t, err)
	name, err := m.Field("Name")
	require.NoError(t, err)
	require.Equal(t, "alice", st.Selection(name.Index).Search)
	require.True(t, s.Back())
	require.Empty(t, selected(t, s))
}

func TestSearchSuggest(t *testing.T) {
	s := engine.NewSession(placesModel(t), engine.SessionOptions{})
	sugs, fields, err := s.SearchSuggest(engine.SearchAllOptions{}, []string{"ne", "yo", "*k", "u"}, 0)
	require.NoError(t, err)
	require.Equal(t, []engine.Suggestion{
		{Value: "New", Term: 0, Count: 2}, {Value: "Newcastle", Term: 0, Count: 1},
		{Value: "York", Term: 1, Count: 2},
		{Value: "UK", Term: 3, Count: 1}, {Value: "US", Term: 3, Count: 1},
	}, sugs)
	require.Equal(t, []string{"City", "Country"}, fields)

	sugs, _, err = s.SearchSuggest(engine.SearchAllOptions{}, []string{"ne"}, 1)
	require.NoError(t, err)
	require.Equal(t, []engine.Suggestion{{Value: "New", Term: 0, Count: 2}}, sugs)

	sugs, fields, err = s.SearchSuggest(engine.SearchAllOptions{}, []string{"zz"}, 0)
	require.NoError(t, err)
	require.Empty(t, sugs)
	require.Empty(t, fields)
}

func TestSearchField(t *testing.T) {
	places := placesModel(t)
	texts := func(fs *engine.FieldSearch) []string {
		var out []string
		for _, id := range fs.IDs {
			out = append(out, fs.Field.Symbols.Text(id))
		}
		return out
	}
	tests := []struct {
		match string
		want  []string
	}{
		{"new", []string{"New York", "New Delhi", "Newcastle"}},
		{"york delhi", []string{"New York", "York", "New Delhi"}},
		{`"new y"`, []string{"New York"}},
		{"*castle", []string{"Newcastle"}},
		{"n*", []string{"New York", "New Delhi", "Newcastle"}},
		{"~Nwe Yrok", []string{"New York", "York", "New Delhi", "Newcastle"}[:0]},
		{"", nil},
		{"zz", nil},
	}
	for _, tt := range tests {
		t.Run(tt.match, func(t *testing.T) {
			s := engine.NewSession(places, engine.SessionOptions{})
			fs, err := s.SearchField(context.Background(), "", "City", tt.match)
			require.NoError(t, err)
			if strings.HasPrefix(tt.match, "~") {
				require.True(t, fs.Ranked)
				require.Equal(t, "New York", fs.Field.Symbols.Text(fs.IDs[0]))
				require.Equal(t, []uint32{fs.IDs[0]}, fs.Top)
				return
			}
			require.Equal(t, tt.want, texts(fs))
			require.Equal(t, len(tt.want), fs.Len())
		})
	}

	s := engine.NewSession(places, engine.SessionOptions{})
	fs, err := s.SearchField(nil, "", "City", "york new")
	require.NoError(t, err)
	ny, _ := fs.Field.Symbols.LookupText("New York")
	require.True(t, fs.Contains(ny))
	require.Equal(t, []engine.TextRange{{Pos: 0, Len: 3, Term: 1}, {Pos: 4, Len: 4, Term: 0}}, fs.Ranges(ny))
	_, err = s.SearchField(nil, "", "Nope", "x")
	require.ErrorIs(t, err, engine.ErrFieldNotFound)
	_, err = s.SearchField(nil, "Nope", "City", "x")
	require.ErrorIs(t, err, engine.ErrStateNotFound)

	// An expression search is evaluated in the selections.
	shop := engine.NewSession(shopModel(t), engine.SessionOptions{})
	fs, err = shop.SearchField(nil, "", "Name", "=Sum(Amount)>=5")
	require.NoError(t, err)
	require.True(t, fs.StateDependent)
	require.Equal(t, []string{"Alice", "Bob"}, texts(fs))
	selectValue(t, shop, "Product", "Apple")
	fs, err = shop.SearchField(nil, "", "Name", "=Sum(Amount)>=10")
	require.NoError(t, err)
	require.Equal(t, []string{"Alice"}, texts(fs))
}

func TestAcceptFieldSearch(t *testing.T) {
	m := shopModel(t)
	tests := []struct {
		name   string
		setup  func(s *engine.Session)
		field  string
		match  string
		toggle bool
		ok     bool
		want   []string
	}{
		{"replace", func(s *engine.Session) { selectValue(t, s, "Name", "Bob") }, "Name", "a c", false, true,
			[]string{"Name=Alice|Cara"}},
		{"keep the selection", func(s *engine.Session) { selectValue(t, s, "Name", "Bob") }, "Name", "a c", true, true,
			[]string{"Name=Alice|Bob|Cara"}},
		{"excluded matches are left out", func(s *engine.Session) { selectValue(t, s, "Country", "DK") }, "Name", "b c", false, true,
			[]string{"Name=Bob", "Country=DK"}},
		{"only excluded matches", func(s *engine.Session) { selectValue(t, s, "Country", "DK") }, "Name", "a", false, true,
			[]string{"Name=Alice"}}, // the conflict clears Country (semantics §2.6)
		{"nothing matches", func(*engine.Session) {}, "Name", "zz", false, false, nil},
		{"fuzzy selects the best", func(*engine.Session) {}, "Name", "~Alcie", false, true, []string{"Name=Alice"}},
		{"locked", func(s *engine.Session) { lockValue(t, s, "Name", "Bob") }, "Name", "a", false, false,
			[]string{"Name(locked)=Bob"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := engine.NewSession(m, engine.SessionOptions{})
			tt.setup(s)
			before := selected(t, s)
			fs, err := s.SearchField(nil, "", tt.field, tt.match)
			require.NoError(t, err)
			ok, err := s.AcceptFieldSearch("", fs, tt.toggle, false)
			require.NoError(t, err)
			require.Equal(t, tt.ok, ok)
			if tt.want == nil {
				require.Equal(t, before, selected(t, s))
				return
			}
			require.Equal(t, tt.want, selected(t, s))
		})
	}
	// A search from another model selects nothing.
	s := engine.NewSession(m, engine.SessionOptions{})
	other := engine.NewSession(shopModel(t), engine.SessionOptions{})
	fs, err := other.SearchField(nil, "", "Name", "a")
	require.NoError(t, err)
	ok, err := s.AcceptFieldSearch("", fs, false, false)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestSearchAllSkipsSyntheticKeys(t *testing.T) {
	b := engine.NewBuilder(engine.Options{})
	ta, err := b.NewTable("A", "x", "y", "v")
	require.NoError(t, err)
	require.NoError(t, ta.Append("a1", "b1", "1 v"))
	tb, err := b.NewTable("B", "x", "y", "w")
	require.NoError(t, err)
	require.NoError(t, tb.Append("a1", "b1", "w"))
	m, err := b.Build()
	require.NoError(t, err)
	s := engine.NewSession(m, engine.SessionOptions{})
	res, err := s.SearchAll(engine.SearchAllOptions{}, []string{"1"})
	require.NoError(t, err)
	require.Equal(t, []string{"v=1 v"}, groupTexts(res))
	res, err = s.SearchAll(engine.SearchAllOptions{Fields: []string{"$Syn 1"}}, []string{"1"})
	require.NoError(t, err)
	require.Equal(t, []string{"$Syn 1=1"}, groupTexts(res))
}

// FuzzTerm checks that any term against any text neither panics nor
// reports ranges outside the text, and that a match has ranges when the
// term highlights.
func FuzzTerm(f *testing.F) {
	for _, s := range [][2]string{{"sw", "Sweden"}, {"*^z*", "New Zealand"}, {"a*b?c", "axxbyc"}, {">=1<5", "3"},
		{`"new y"`, "New York"}, {"ö*", "Öberg"}, {"~x", "y"}, {"=1", "z"}, {"*", ""}, {"?\xff", "\xff\xfe"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, term, text string) {
		tm := engine.CompileTerm(term, nil)
		k := tm.Match(math.NaN(), text)
		rs := tm.Ranges(nil, 0, math.NaN(), text)
		for _, r := range rs {
			if r.Pos < 0 || r.Len <= 0 || r.Pos+r.Len > len(text) {
				t.Fatalf("range %+v outside %q", r, text)
			}
		}
		if k != engine.MatchNone && tm.Kind == engine.SearchNormal && len(rs) == 0 {
			t.Fatalf("%q matches %q (%v) without a range", term, text, k)
		}
		if k == engine.MatchNone && tm.Kind == engine.SearchNormal && len(rs) > 0 {
			t.Fatalf("%q does not match %q but has ranges %v", term, text, rs)
		}
		for _, s := range engine.SplitSearch(term) {
			if strings.TrimSpace(s) == "" {
				t.Fatalf("SplitSearch(%q) gave a blank term", term)
			}
		}
	})
}
