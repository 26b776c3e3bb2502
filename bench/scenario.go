package bench

import (
	"errors"
	"fmt"
	"path"
	"runtime"
	"strconv"
	"strings"

	"github.com/assocengine/assoc/engine"
)

// Dataset names the data a scenario runs on.
type Dataset string

// The data sets of the suite.
const (
	// DatasetStar is the star schema of NewStar with Dimensions: Sales,
	// Customers, Products and Calendar.
	DatasetStar Dataset = "star"
	// DatasetTPCH is TPC-H's lineitem table (dbgen's through Parquet in
	// bench/duckdb, NewLineitem's in `assoc bench`).
	DatasetTPCH Dataset = "tpch"
	// DatasetFlights is flights-3m replicated by NewFlights.
	DatasetFlights Dataset = "flights"
)

// Scenario is one question of the suite, asked of both engines: the
// associative engine through a session, and a SQL engine through queries
// over the same tables (sales, customers, products, calendar; lineitem;
// flights, with the field names in snake case).
type Scenario struct {
	// Name is "dataset/what", e.g. "star/cycle".
	Name    string
	Dataset Dataset
	// About is a one-line description.
	About string
	// Prepare runs before every run, untimed, after the session's
	// selections were cleared (Reset). It may be nil.
	Prepare func(s *engine.Session) error
	// Engine is the timed engine side: selections, list objects and
	// hypercubes. Its answer's parts match SQL one to one.
	Engine func(s *engine.Session) (*Answer, error)
	// SQL is the SQL side: queries run one after another, each giving one
	// part of the answer.
	SQL []Query
}

// Query is one SQL statement of a scenario: its first Keys result columns
// are keys (dimension values) and the others numbers.
type Query struct {
	Part string
	SQL  string
	Keys int
}

// Reset clears every selection of the session (all states, history) and
// what the model derived while answering earlier runs (shared inference
// results, row-value copies, pre-aggregations: Model.ClearCaches), then
// runs the scenario's Prepare: call it before every timed Engine run, so
// that no run reuses an earlier run's work.
func (sc *Scenario) Reset(s *engine.Session) error {
	s.Model().ClearCaches()
	return sc.ResetWarm(s)
}

// ResetWarm is Reset without clearing the model's caches: it measures the
// engine as a busy app's users see it, where other sessions already made
// the same selections and charts.
//
// Both end with a garbage collection, so that a run allocates from memory
// earlier runs freed, as a long-running engine does, and not from fresh
// heap: a short series of runs on a large model would otherwise never
// reach a collection, and every new page costs a fault (about 5 us per
// 4 KiB on the development VM: 15 of 85 ms of star/cycle at 100M rows).
func (sc *Scenario) ResetWarm(s *engine.Session) error {
	s.Reset()
	if sc.Prepare != nil {
		if err := sc.Prepare(s); err != nil {
			return fmt.Errorf("cannot prepare scenario %s: %w", sc.Name, err)
		}
	}
	runtime.GC()
	return nil
}

// Scenarios returns the suite for a star schema generated with o (which
// must have Dimensions), followed by the TPC-H and flights scenarios.
func Scenarios(o StarOptions) []*Scenario {
	o.defaults()
	var out []*Scenario
	out = append(out, starScenarios(&o)...)
	out = append(out, tpchScenarios()...)
	out = append(out, flightsScenarios()...)
	return out
}

// Filter returns the scenarios matching any of the comma-separated
// patterns: a dataset name ("star"), a full name ("star/cycle") or a
// path.Match glob ("star/select-*", "*/count-distinct"). An empty pattern
// list keeps everything; a pattern that matches nothing is an error.
func Filter(all []*Scenario, patterns string) ([]*Scenario, error) {
	if strings.TrimSpace(patterns) == "" {
		return all, nil
	}
	keep := map[*Scenario]bool{}
	var errs []error
	for p := range strings.SplitSeq(patterns, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		hit := false
		for _, sc := range all {
			ok, err := path.Match(p, sc.Name)
			if err != nil {
				return nil, fmt.Errorf("cannot use scenario pattern %q: %w", p, err)
			}
			if ok || string(sc.Dataset) == p {
				keep[sc] = true
				hit = true
			}
		}
		if !hit {
			errs = append(errs, fmt.Errorf("no scenario matches %q (scenarios: %s)", p, names(all)))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var out []*Scenario
	for _, sc := range all {
		if keep[sc] {
			out = append(out, sc)
		}
	}
	return out, nil
}

func names(all []*Scenario) string {
	ns := make([]string, len(all))
	for i, sc := range all {
		ns[i] = sc.Name
	}
	return strings.Join(ns, ", ")
}

// Datasets returns the data sets the scenarios need, in suite order.
func Datasets(scs []*Scenario) []Dataset {
	var out []Dataset
	seen := map[Dataset]bool{}
	for _, sc := range scs {
		if !seen[sc.Dataset] {
			seen[sc.Dataset] = true
			out = append(out, sc.Dataset)
		}
	}
	return out
}

// --- engine-side helpers ---

// selectTexts selects text values in a field and fails when nothing
// changed (a value missing from the data would make the timing
// meaningless).
func selectTexts(s *engine.Session, state, field string, values ...string) error {
	fv := make([]engine.FieldValue, len(values))
	for i, v := range values {
		fv[i] = engine.FieldValue{Text: v}
	}
	return selectValues(s, state, field, fv)
}

func selectValues(s *engine.Session, state, field string, fv []engine.FieldValue) error {
	ok, err := s.SelectValues(state, field, fv, false, false)
	if err != nil {
		return fmt.Errorf("cannot select %d values in %s: %w", len(fv), field, err)
	}
	if !ok {
		return fmt.Errorf("selecting %d values in %s changed nothing: are they in the data?", len(fv), field)
	}
	return nil
}

// selectSearch selects the values of field matching a search string.
func selectSearch(s *engine.Session, state, field, search string) error {
	ok, err := s.Select(state, field, search, false, false)
	if err != nil {
		return fmt.Errorf("cannot search %q in %s: %w", search, field, err)
	}
	if !ok {
		return fmt.Errorf("searching %q in %s selected nothing", search, field)
	}
	return nil
}

// states computes a list object of field (sorted by state, then number,
// then text, as a list box shows it) and returns its possible values.
func states(s *engine.Session, state, field string) (*Part, error) {
	lo, err := s.ListObject(engine.ListDef{Field: field, State: state,
		Sort: engine.SortCriteria{State: 1, Numeric: 1, Ascii: 1}})
	if err != nil {
		return nil, fmt.Errorf("cannot compute the list object of %s: %w", field, err)
	}
	return statePart(field+" possible values", lo), nil
}

// cube computes a hypercube and fails on a measure error.
func cube(s *engine.Session, name string, def *engine.CubeDef, exact ...bool) (*Part, error) {
	c, err := s.Cube(def)
	if err != nil {
		return nil, fmt.Errorf("cannot compute the hypercube %s: %w", name, err)
	}
	for m, e := range c.Errors {
		if e != nil {
			return nil, fmt.Errorf("cannot compute measure %q of %s: %w", def.Measures[m].Expr, name, e)
		}
	}
	return cubePart(name, c, exact...), nil
}

// dims returns field dimensions that suppress NULL: a chart designer's
// usual choice, and what a SQL GROUP BY over inner joins gives (without
// it the engine also shows a "-" row for, say, customers without sales).
func dims(fields ...string) []engine.CubeDim {
	out := make([]engine.CubeDim, len(fields))
	for i, f := range fields {
		out[i] = engine.CubeDim{Field: f, NullSuppression: true}
	}
	return out
}

func measures(exprs ...string) []engine.CubeMeasure {
	out := make([]engine.CubeMeasure, len(exprs))
	for i, e := range exprs {
		out[i] = engine.CubeMeasure{Expr: e}
	}
	return out
}

// steps runs the engine-side steps in order and collects their parts.
func steps(fns ...func() (*Part, error)) (*Answer, error) {
	a := &Answer{Parts: make([]*Part, 0, len(fns))}
	for _, fn := range fns {
		p, err := fn()
		if err != nil {
			return nil, err
		}
		if p != nil {
			a.Parts = append(a.Parts, p)
		}
	}
	return a, nil
}

// act turns a selection into a step without a part.
func act(err func() error) func() (*Part, error) {
	return func() (*Part, error) { return nil, err() }
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// --- the star schema ---

func starScenarios(o *StarOptions) []*Scenario {
	east, west := RegionName(0), RegionName(min(1, o.Regions-1))
	product := ProductName(min(7, o.Products-1))
	// "many values": every k-th customer, at most 1,000 of them.
	step := max(o.Customers/1000, 1)
	var many []engine.FieldValue
	var manySQL []string
	for c := 0; c < o.Customers && len(many) < 1000; c += step {
		many = append(many, engine.FieldValue{IsNumeric: true, Number: float64(c), Text: strconv.Itoa(c)})
		manySQL = append(manySQL, strconv.Itoa(c))
	}
	inMany := "(" + strings.Join(manySQL, ",") + ")"

	productSum := func(state string) *engine.CubeDef {
		return &engine.CubeDef{State: state, Dims: dims("Product"), Measures: measures("Sum(Sales)")}
	}
	// the reads after a selection in the selection-kind scenarios
	afterSelect := func(s *engine.Session) []func() (*Part, error) {
		return []func() (*Part, error){
			func() (*Part, error) { return states(s, "", "Country") },
			func() (*Part, error) { return states(s, "", "Year") },
			func() (*Part, error) {
				return cube(s, "Sum(Sales), Count(Sales)", &engine.CubeDef{
					Measures: measures("Sum(Sales)", "Count(Sales)")}, false, true)
			},
		}
	}
	// afterSQL gives the same reads in SQL for the sales rows that from
	// and where keep; countriesSQL lists the possible countries (for a
	// selection in the customers table it reads that table alone: a
	// customer without sales is still a row of the associative model).
	afterSQL := func(from, where, countriesSQL string) []Query {
		return []Query{
			{Part: "Country possible values", Keys: 1, SQL: countriesSQL},
			{Part: "Year possible values", Keys: 1, SQL: `SELECT DISTINCT k.year FROM ` + from +
				` JOIN calendar k USING (order_date) WHERE ` + where},
			{Part: "Sum(Sales), Count(Sales)", SQL: `SELECT sum(s.sales), count(s.sales) FROM ` + from + ` WHERE ` + where},
		}
	}
	const salesOnly = "sales s"
	const salesCustomers = "sales s JOIN customers c USING (customer_id)"
	withReads := func(s *engine.Session, sel func() error) (*Answer, error) {
		return steps(append([]func() (*Part, error){act(sel)}, afterSelect(s)...)...)
	}

	return []*Scenario{
		{
			Name: "star/cycle", Dataset: DatasetStar,
			About: "select Region=East (Customers) → states of Product, StoreRegion, Country → Product × Sum(Sales), Country × Count(DISTINCT CustomerID)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectTexts(s, "", "Region", east) }),
					func() (*Part, error) { return states(s, "", "Product") },
					func() (*Part, error) { return states(s, "", "StoreRegion") },
					func() (*Part, error) { return states(s, "", "Country") },
					func() (*Part, error) { return cube(s, "Product × Sum(Sales)", productSum("")) },
					func() (*Part, error) {
						return cube(s, "Country × Count(DISTINCT CustomerID)", &engine.CubeDef{
							Dims: dims("Country"), Measures: measures("Count(DISTINCT CustomerID)")}, true)
					},
				)
			},
			SQL: []Query{
				{Part: "Product possible values", Keys: 1, SQL: `SELECT DISTINCT s.product FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east)},
				{Part: "StoreRegion possible values", Keys: 1, SQL: `SELECT DISTINCT s.store_region FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east)},
				{Part: "Country possible values", Keys: 1, SQL: `SELECT DISTINCT country FROM customers
					WHERE region = ` + sqlQuote(east)},
				{Part: "Product × Sum(Sales)", Keys: 1, SQL: `SELECT s.product, sum(s.sales) FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east) + ` GROUP BY s.product`},
				{Part: "Country × Count(DISTINCT CustomerID)", Keys: 1, SQL: `SELECT country, count(DISTINCT customer_id)
					FROM customers WHERE region = ` + sqlQuote(east) + ` GROUP BY country`},
			},
		},
		{
			Name: "star/select-states", Dataset: DatasetStar,
			About: "select Region=East (Customers) → states of Product and StoreRegion (Sales): issue 2's headline",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectTexts(s, "", "Region", east) }),
					func() (*Part, error) { return states(s, "", "Product") },
					func() (*Part, error) { return states(s, "", "StoreRegion") },
				)
			},
			SQL: []Query{
				{Part: "Product possible values", Keys: 1, SQL: `SELECT DISTINCT s.product FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east)},
				{Part: "StoreRegion possible values", Keys: 1, SQL: `SELECT DISTINCT s.store_region FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east)},
			},
		},
		{
			Name: "star/select-cube", Dataset: DatasetStar,
			About: "select Region=East (Customers) → Product × Sum(Sales): issue 4's first target",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectTexts(s, "", "Region", east) }),
					func() (*Part, error) { return cube(s, "Product × Sum(Sales)", productSum("")) },
				)
			},
			SQL: []Query{{Part: "Product × Sum(Sales)", Keys: 1, SQL: `SELECT s.product, sum(s.sales) FROM sales s
				JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(east) + ` GROUP BY s.product`}},
		},
		{
			Name: "star/select-one", Dataset: DatasetStar,
			About: "select one value, Product=" + product + " → states of Country, Year → Sum(Sales), Count(Sales)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return withReads(s, func() error { return selectTexts(s, "", "Product", product) })
			},
			SQL: afterSQL(salesOnly, "s.product = "+sqlQuote(product), `SELECT DISTINCT c.country FROM sales s
				JOIN customers c USING (customer_id) WHERE s.product = `+sqlQuote(product)),
		},
		{
			Name: "star/select-many", Dataset: DatasetStar,
			About: fmt.Sprintf("select %d values of CustomerID → states of Country, Year → Sum(Sales), Count(Sales)", len(many)),
			Engine: func(s *engine.Session) (*Answer, error) {
				return withReads(s, func() error { return selectValues(s, "", "CustomerID", many) })
			},
			SQL: afterSQL(salesOnly, "s.customer_id IN "+inMany, `SELECT DISTINCT country FROM customers WHERE customer_id IN `+inMany),
		},
		{
			Name: "star/select-search", Dataset: DatasetStar,
			About: `search "Product 1*" in Product → states of Country, Year → Sum(Sales), Count(Sales)`,
			Engine: func(s *engine.Session) (*Answer, error) {
				return withReads(s, func() error { return selectSearch(s, "", "Product", "Product 1*") })
			},
			SQL: afterSQL(salesOnly, "s.product ILIKE 'Product 1%'", `SELECT DISTINCT c.country FROM sales s
				JOIN customers c USING (customer_id) WHERE s.product ILIKE 'Product 1%'`),
		},
		{
			Name: "star/select-excluded", Dataset: DatasetStar,
			About: "with Region=East selected, select excluded in Region → states of Country, Year → Sum(Sales), Count(Sales)",
			Prepare: func(s *engine.Session) error {
				return selectTexts(s, "", "Region", east)
			},
			Engine: func(s *engine.Session) (*Answer, error) {
				return withReads(s, func() error {
					ok, err := s.SelectExcluded("", "Region", false)
					if err != nil {
						return fmt.Errorf("cannot select the excluded values of Region: %w", err)
					}
					if !ok {
						return errors.New("selecting the excluded values of Region changed nothing")
					}
					return nil
				})
			},
			SQL: afterSQL(salesCustomers, "c.region <> "+sqlQuote(east), `SELECT DISTINCT country FROM customers WHERE region <> `+sqlQuote(east)),
		},
		{
			Name: "star/alt-state", Dataset: DatasetStar,
			About: "in alternate state B, select Region=" + west + " → states of Product in B → Product × Sum(Sales) in B",
			Prepare: func(s *engine.Session) error {
				if err := s.AddState("B"); err != nil && !errors.Is(err, engine.ErrStateExists) {
					return err
				}
				return nil
			},
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectTexts(s, "B", "Region", west) }),
					func() (*Part, error) { return states(s, "B", "Product") },
					func() (*Part, error) { return cube(s, "Product × Sum(Sales) in B", productSum("B")) },
				)
			},
			SQL: []Query{
				{Part: "Product possible values", Keys: 1, SQL: `SELECT DISTINCT s.product FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(west)},
				{Part: "Product × Sum(Sales) in B", Keys: 1, SQL: `SELECT s.product, sum(s.sales) FROM sales s
					JOIN customers c USING (customer_id) WHERE c.region = ` + sqlQuote(west) + ` GROUP BY s.product`},
			},
		},
		{
			Name: "star/count-distinct", Dataset: DatasetStar,
			About: "no selection, Product × Count(DISTINCT CustomerID): issue 4's second target",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(func() (*Part, error) {
					return cube(s, "Product × Count(DISTINCT CustomerID)", &engine.CubeDef{
						Dims: dims("Product"), Measures: measures("Count(DISTINCT CustomerID)")}, true)
				})
			},
			SQL: []Query{{Part: "Product × Count(DISTINCT CustomerID)", Keys: 1,
				SQL: `SELECT product, count(DISTINCT customer_id) FROM sales GROUP BY product`}},
		},
		{
			Name: "star/product-country", Dataset: DatasetStar,
			About: "no selection, Product × Country × Sum(Sales): issue 4's third target",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(func() (*Part, error) {
					return cube(s, "Product × Country × Sum(Sales)", &engine.CubeDef{
						Dims: dims("Product", "Country"), Measures: measures("Sum(Sales)")})
				})
			},
			SQL: []Query{{Part: "Product × Country × Sum(Sales)", Keys: 2,
				SQL: `SELECT s.product, c.country, sum(s.sales) FROM sales s JOIN customers c USING (customer_id)
					GROUP BY s.product, c.country`}},
		},
		{
			Name: "star/set-analysis", Dataset: DatasetStar,
			About: "no selection, Product × Sum({<Region={'East'}>} Sales) (zero rows suppressed)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(func() (*Part, error) {
					return cube(s, "Product × Sum({<Region={'East'}>} Sales)", &engine.CubeDef{
						Dims: dims("Product"), Measures: measures("Sum({<Region={'" + east + "'}>} Sales)"), SuppressZero: true})
				})
			},
			SQL: []Query{{Part: "Product × Sum({<Region={'East'}>} Sales)", Keys: 1,
				SQL: `SELECT s.product, sum(s.sales) FROM sales s JOIN customers c USING (customer_id)
					WHERE c.region = ` + sqlQuote(east) + ` GROUP BY s.product HAVING sum(s.sales) <> 0`}},
		},
	}
}

// --- TPC-H ---

// TPC-H Q1 and Q6 as the specification words them (Q1 with DELTA = 90,
// Q6 with DATE = 1994-01-01, DISCOUNT = 0.06, QUANTITY = 24).
const (
	TPCHQ1 = `SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
	sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price,
	sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
	avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
FROM lineitem
WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`
	TPCHQ6 = `SELECT sum(l_extendedprice * l_discount) AS revenue
FROM lineitem
WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1994-01-01' + INTERVAL 1 YEAR
	AND l_discount BETWEEN 0.06 - 0.01 AND 0.06 + 0.01 AND l_quantity < 24`
)

func tpchScenarios() []*Scenario {
	return []*Scenario{
		{
			Name: "tpch/q1", Dataset: DatasetTPCH,
			About: "TPC-H Q1: select l_shipdate <= 1998-09-02 → l_returnflag × l_linestatus × 8 measures",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectSearch(s, "", "l_shipdate", "<=36040") }), // 1998-09-02
					func() (*Part, error) {
						return cube(s, "Q1", &engine.CubeDef{
							Dims: dims("l_returnflag", "l_linestatus"),
							Measures: measures("Sum(l_quantity)", "Sum(l_extendedprice)",
								"Sum(l_extendedprice * (1 - l_discount))",
								"Sum(l_extendedprice * (1 - l_discount) * (1 + l_tax))",
								"Avg(l_quantity)", "Avg(l_extendedprice)", "Avg(l_discount)", "Count(l_quantity)"),
						}, true, false, false, false, false, false, false, true)
					},
				)
			},
			SQL: []Query{{Part: "Q1", Keys: 2, SQL: TPCHQ1}},
		},
		{
			Name: "tpch/q6", Dataset: DatasetTPCH,
			About: "TPC-H Q6: select l_shipdate in 1994, l_discount 0.05–0.07, l_quantity < 24 → Sum(l_extendedprice * l_discount)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectSearch(s, "", "l_shipdate", ">=34335<34700") }), // 1994
					act(func() error { return selectSearch(s, "", "l_discount", ">=0.05<=0.07") }),
					act(func() error { return selectSearch(s, "", "l_quantity", "<24") }),
					func() (*Part, error) {
						return cube(s, "Q6", &engine.CubeDef{Measures: measures("Sum(l_extendedprice * l_discount)")})
					},
				)
			},
			SQL: []Query{{Part: "Q6", SQL: TPCHQ6}},
		},
	}
}

// --- flights ---

// FlightsOrigin is the airport the flights scenarios select.
const FlightsOrigin = "ORD"

func flightsScenarios() []*Scenario {
	return []*Scenario{
		{
			Name: "flights/select-origin", Dataset: DatasetFlights,
			About: "select Origin=" + FlightsOrigin + " → states of Destination → Destination × Avg(Delay), Count(Delay)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error { return selectTexts(s, "", "Origin", FlightsOrigin) }),
					func() (*Part, error) { return states(s, "", "Destination") },
					func() (*Part, error) {
						return cube(s, "Destination × Avg(Delay), Count(Delay)", &engine.CubeDef{
							Dims: dims("Destination"), Measures: measures("Avg(Delay)", "Count(Delay)")}, false, true)
					},
				)
			},
			SQL: []Query{
				{Part: "Destination possible values", Keys: 1, SQL: `SELECT DISTINCT destination FROM flights WHERE origin = ` + sqlQuote(FlightsOrigin)},
				{Part: "Destination × Avg(Delay), Count(Delay)", Keys: 1, SQL: `SELECT destination, avg(delay), count(delay)
					FROM flights WHERE origin = ` + sqlQuote(FlightsOrigin) + ` GROUP BY destination`},
			},
		},
		{
			Name: "flights/year-origin", Dataset: DatasetFlights,
			About: "select Year=2001 → Origin × Count(DISTINCT Destination), Sum(Distance)",
			Engine: func(s *engine.Session) (*Answer, error) {
				return steps(
					act(func() error {
						return selectValues(s, "", "Year", []engine.FieldValue{{IsNumeric: true, Number: 2001, Text: "2001"}})
					}),
					func() (*Part, error) {
						return cube(s, "Origin × Count(DISTINCT Destination), Sum(Distance)", &engine.CubeDef{
							Dims: dims("Origin"), Measures: measures("Count(DISTINCT Destination)", "Sum(Distance)")}, true, true)
					},
				)
			},
			SQL: []Query{{Part: "Origin × Count(DISTINCT Destination), Sum(Distance)", Keys: 1,
				SQL: `SELECT origin, count(DISTINCT destination), sum(distance) FROM flights WHERE year = 2001 GROUP BY origin`}},
		},
	}
}
