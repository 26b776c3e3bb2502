package bench

import (
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// StarOptions size the star schema. Zero fields take the defaults in
// brackets, which match the DuckDB probe of perf/anchors §3.2.
type StarOptions struct {
	FactRows  int     // rows of Sales [1e6]
	Customers int     // rows of Customers, distinct CustomerID [10 000]
	Products  int     // distinct Product [50]
	Days      int     // distinct OrderDate [1461, four years from 2020-01-01]
	Regions   int     // distinct StoreRegion and Region [5]
	Countries int     // distinct Country [40]
	Segments  int     // distinct Segment [4]
	Amounts   int     // distinct Sales amounts [100 000, cents 0.00–999.99]
	Skew      float64 // Zipf exponent for CustomerID and Product (0 = uniform)
	Seed      uint64
	Packing   symbols.Policy
	// Dimensions adds the Products(Product, Category, Brand) and
	// Calendar(OrderDate, Year, Month, Quarter) tables.
	Dimensions bool
}

func (o *StarOptions) defaults() {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.FactRows, 1_000_000)
	def(&o.Customers, 10_000)
	def(&o.Products, 50)
	def(&o.Days, 1461)
	def(&o.Regions, 5)
	def(&o.Countries, 40)
	def(&o.Segments, 4)
	def(&o.Amounts, 100_000)
}

// RegionNames are the values of StoreRegion and Region (cycled with a
// number suffix when more than five are asked for).
var RegionNames = []string{"East", "West", "North", "South", "Central"}

// Star is a generated star schema: the engine model plus the raw codes, so
// other engines can load exactly the same rows.
type Star struct {
	Model *engine.Model
	Opts  StarOptions
}

// mix is splitmix64: a fast, well-distributed deterministic hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// pick returns the deterministic raw value (0-based index) of column col
// in row i of the fact table, in [0, n), skewed by a power law when skew
// is positive (index 0 the most frequent).
func (o *StarOptions) pick(i int, col uint64, n int, skew float64) int {
	h := mix(uint64(i)*16 + col + o.Seed*0x1000193)
	if skew <= 0 {
		return int(h % uint64(n))
	}
	// inverse-CDF of a continuous power law on [1, n+1): cheap Zipf-like skew
	u := float64(h>>11) / (1 << 53)
	s := skew
	if s == 1 {
		s = 1.0001
	}
	a := math.Pow(float64(n+1), 1-s)
	x := math.Pow(1+u*(a-1), 1/(1-s))
	k := int(x) - 1
	return min(max(k, 0), n-1)
}

// Fact column identifiers for FactValue.
const (
	ColCustomer = iota
	ColProduct
	ColDate
	ColStoreRegion
	ColAmount
)

// FactValue returns the raw value index of fact column col in row i:
// CustomerID, Product number, day offset, region number or amount in cents.
func (o *StarOptions) FactValue(i, col int) int {
	switch col {
	case ColCustomer:
		return o.pick(i, 1, o.Customers, o.Skew)
	case ColProduct:
		return o.pick(i, 2, o.Products, o.Skew)
	case ColDate:
		return o.pick(i, 3, o.Days, 0)
	case ColStoreRegion:
		return o.pick(i, 4, o.Regions, 0)
	default:
		return o.pick(i, 5, o.Amounts, 0)
	}
}

// CustomerValue returns the raw index of the customer attribute col (0
// region, 1 segment, 2 country) of customer c.
func (o *StarOptions) CustomerValue(c, col int) int {
	h := mix(uint64(c)*8 + uint64(col) + 1<<40 + o.Seed)
	switch col {
	case 0:
		return int(h % uint64(o.Regions))
	case 1:
		return int(h % uint64(o.Segments))
	}
	return int(h % uint64(o.Countries))
}

// RegionName returns the text of region r.
func RegionName(r int) string {
	if r < len(RegionNames) {
		return RegionNames[r]
	}
	return RegionNames[r%len(RegionNames)] + " " + strconv.Itoa(r/len(RegionNames))
}

// SegmentName returns the text of segment s.
func SegmentName(s int) string { return "Segment " + strconv.Itoa(s) }

// CountryName returns the text of country c.
func CountryName(c int) string { return "Country " + strconv.Itoa(c) }

// CategoryName returns the category of product p (Products table).
func CategoryName(p int) string { return "Category " + strconv.Itoa(p%7) }

// BrandName returns the brand of product p (Products table).
func BrandName(p int) string { return "Brand " + strconv.Itoa(p%13) }

// DayDate returns day d as a calendar date (UTC midnight).
func DayDate(d int) time.Time { return time.Date(2020, 1, 1+d, 0, 0, 0, 0, time.UTC) }

// DayParts returns the year, month and quarter text of day d, as the
// Calendar table holds them.
func DayParts(d int) (year, month int, quarter string) {
	y, m, _ := civil(DayNumber(d))
	return y, m, "Q" + strconv.Itoa((m-1)/3+1)
}

// ProductName returns the text of product p.
func ProductName(p int) string { return "Product " + strconv.Itoa(p) }

// DayNumber returns the serial date (days since 1899-12-30) of day d.
func DayNumber(d int) float64 { return 43831 + float64(d) } // 2020-01-01

// Amount returns the sales amount of raw value a.
func Amount(a int) float64 { return float64(a) / 100 }

// maxCardinality bounds every size option (symbol ids and row numbers
// are 32-bit in the engine).
const maxCardinality = 1<<31 - 2

// validate rejects sizes the engine cannot hold.
func (o *StarOptions) validate() error {
	for _, v := range []struct {
		name string
		n    int
	}{
		{"FactRows", o.FactRows}, {"Customers", o.Customers}, {"Products", o.Products}, {"Days", o.Days},
		{"Regions", o.Regions}, {"Countries", o.Countries}, {"Segments", o.Segments}, {"Amounts", o.Amounts},
	} {
		if v.n > maxCardinality {
			return fmt.Errorf("cannot generate the star schema with %s = %d: at most %d is supported", v.name, v.n, maxCardinality)
		}
	}
	if o.Days > 3_000_000 {
		return fmt.Errorf("cannot generate the star schema with Days = %d: the calendar ends in year 9999", o.Days)
	}
	if math.IsNaN(o.Skew) || math.IsInf(o.Skew, 0) || o.Skew < 0 || o.Skew > 10 {
		return fmt.Errorf("cannot generate the star schema with Skew = %g: it must be in [0, 10]", o.Skew)
	}
	return nil
}

// parallelRows calls fn over consecutive ranges covering [0, n) on up to
// GOMAXPROCS goroutines.
func parallelRows(n int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	const chunk = 1 << 16
	if w <= 1 || n <= chunk {
		fn(0, n)
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				lo := int(next.Add(chunk)) - chunk
				if lo >= n {
					return
				}
				fn(lo, min(lo+chunk, n))
			}
		}()
	}
	wg.Wait()
}

// NewStar generates the schema: Sales (CustomerID, Product, OrderDate,
// StoreRegion, Sales) with FactRows rows, Customers (CustomerID, Region,
// Segment, Country) and, with Dimensions, Products and Calendar. The same
// options always give the same rows.
func NewStar(opts StarOptions) (*Star, error) {
	opts.defaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	b := engine.NewBuilder(engine.Options{Packing: opts.Packing})
	cust := b.Symbols("CustomerID")
	prod := b.Symbols("Product")
	date := b.Symbols("OrderDate")
	sreg := b.Symbols("StoreRegion")
	amt := b.Symbols("Sales")
	reg := b.Symbols("Region")
	seg := b.Symbols("Segment")
	ctry := b.Symbols("Country")
	// Symbols are interned up front in value order, so codes are value+1.
	for c := 0; c < opts.Customers; c++ {
		cust.InternNum(float64(c), strconv.Itoa(c))
	}
	for p := 0; p < opts.Products; p++ {
		prod.InternText(ProductName(p))
	}
	for d := 0; d < opts.Days; d++ {
		date.InternNum(DayNumber(d), dateText(DayNumber(d)))
	}
	for r := 0; r < opts.Regions; r++ {
		sreg.InternText(RegionName(r))
		reg.InternText(RegionName(r))
	}
	for a := 0; a < opts.Amounts; a++ {
		amt.InternNum(Amount(a), strconv.FormatFloat(Amount(a), 'f', 2, 64))
	}
	for s := 0; s < opts.Segments; s++ {
		seg.InternText(SegmentName(s))
	}
	for c := 0; c < opts.Countries; c++ {
		ctry.InternText(CountryName(c))
	}
	n := opts.FactRows
	cols := make([]*symbols.Column, 5)
	cards := []int{opts.Customers, opts.Products, opts.Days, opts.Regions, opts.Amounts}
	// One column at a time through one scratch vector, so 100M rows need
	// 400 MB of scratch besides the packed columns; rows are generated by
	// all cores.
	codes := make([]uint32, n)
	for col := 0; col < 5; col++ {
		parallelRows(n, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				codes[i] = uint32(opts.FactValue(i, col)) + 1
			}
		})
		cols[col] = symbols.Pack(codes, uint32(cards[col]), opts.Packing)
	}
	codes = nil
	if err := b.AddTable("Sales", []string{"CustomerID", "Product", "OrderDate", "StoreRegion", "Sales"}, cols); err != nil {
		return nil, err
	}
	cc := make([][]uint32, 4)
	for c := 0; c < opts.Customers; c++ {
		cc[0] = append(cc[0], uint32(c)+1)
		for k := 0; k < 3; k++ {
			cc[k+1] = append(cc[k+1], uint32(opts.CustomerValue(c, k))+1)
		}
	}
	ccards := []int{opts.Customers, opts.Regions, opts.Segments, opts.Countries}
	ccols := make([]*symbols.Column, 4)
	for k := range ccols {
		ccols[k] = symbols.Pack(cc[k], uint32(ccards[k]), opts.Packing)
	}
	if err := b.AddTable("Customers", []string{"CustomerID", "Region", "Segment", "Country"}, ccols); err != nil {
		return nil, err
	}
	if opts.Dimensions {
		if err := addDimensions(b, &opts); err != nil {
			return nil, err
		}
	}
	m, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("cannot build the star schema: %w", err)
	}
	return &Star{Model: m, Opts: opts}, nil
}

func addDimensions(b *engine.Builder, o *StarOptions) error {
	pt, err := b.NewTable("Products", "Product", "Category", "Brand")
	if err != nil {
		return err
	}
	for p := 0; p < o.Products; p++ {
		if err := pt.Append(ProductName(p), CategoryName(p), BrandName(p)); err != nil {
			return err
		}
	}
	ct, err := b.NewTable("Calendar", "OrderDate", "Year", "Month", "Quarter")
	if err != nil {
		return err
	}
	for d := 0; d < o.Days; d++ {
		num := DayNumber(d)
		y, m, q := DayParts(d)
		if err := ct.Append(symbols.NumText(num, dateText(num)), y, m, q); err != nil {
			return err
		}
	}
	return nil
}

// civil converts a serial date to year, month, day.
func civil(serial float64) (y, m, d int) {
	// days since 1970-01-01
	z := int(serial) - 25569 + 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func dateText(serial float64) string {
	y, m, d := civil(serial)
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}
