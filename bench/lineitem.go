package bench

import (
	"fmt"
	"strconv"

	"github.com/assocengine/assoc/engine"
	"github.com/assocengine/assoc/symbols"
)

// LineitemOptions size the TPC-H-shaped lineitem table of NewLineitem.
type LineitemOptions struct {
	// ScaleFactor is TPC-H's SF: 1.5M orders per unit, about 6M lines
	// [1].
	ScaleFactor float64
	Seed        uint64
	Packing     symbols.Policy
}

// TPC-H dates as serial numbers (days since 1899-12-30).
const (
	tpchStartDate   = 33604 // 1992-01-01
	tpchLastOrder   = 36009 // 1998-08-02 = ENDDATE - 151 days
	tpchCurrentDate = 34867 // 1995-06-17
)

// LineitemFields are the fields of the lineitem table that NewLineitem
// generates and the TPC-H scenarios read, named as in TPC-H.
var LineitemFields = []string{
	"l_orderkey", "l_partkey", "l_quantity", "l_extendedprice", "l_discount",
	"l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_receiptdate",
}

// Lineitem is a generated TPC-H-shaped lineitem table.
type Lineitem struct {
	Model *engine.Model
	Rows  int
}

// NewLineitem generates the lineitem columns that TPC-H Q1 and Q6 read,
// following the distributions of the TPC-H specification (§4.2.3): order
// dates uniform in 1992-01-01 … 1998-08-02, 1–7 lines per order, quantity
// 1–50, discount 0.00–0.10, tax 0.00–0.08, ship date 1–121 days after the
// order, receipt 1–30 days after shipping, the return flag (R or A if
// received by 1995-06-17, else N), the line status (O if shipped after
// 1995-06-17, else F) and the extended price from the part's retail price.
//
// It is not dbgen's data (its random streams differ), so answers differ
// from published TPC-H answers; it exists so that `assoc bench` can run Q1
// and Q6 without DuckDB. bench/duckdb loads dbgen's real lineitem instead.
func NewLineitem(opts LineitemOptions) (*Lineitem, error) {
	sf := opts.ScaleFactor
	if sf == 0 {
		sf = 1
	}
	if sf < 0 || sf > 100 {
		return nil, fmt.Errorf("cannot generate lineitem at scale factor %g: it must be in (0, 100]", sf)
	}
	orders := max(int(sf*1_500_000), 1)
	parts := max(int(sf*200_000), 1)
	seed := opts.Seed * 0x2545f4914f6cdd1d
	r := func(order, line int, col uint64, lo, hi int) int {
		h := mix(uint64(order)<<4 ^ uint64(line)<<40 ^ col<<56 ^ seed)
		return lo + int(h%uint64(hi-lo+1))
	}

	b := engine.NewBuilder(engine.Options{Packing: opts.Packing})
	syms := make([]*symbols.Table, len(LineitemFields))
	for i, f := range LineitemFields {
		syms[i] = b.Symbols(f)
	}
	const (
		fOrder = iota
		fPart
		fQty
		fPrice
		fDisc
		fTax
		fFlag
		fStatus
		fShip
		fReceipt
	)
	// Small domains are interned up front in value order.
	for q := 1; q <= 50; q++ {
		syms[fQty].InternNum(float64(q), strconv.Itoa(q))
	}
	for d := 0; d <= 10; d++ {
		syms[fDisc].InternNum(float64(d)/100, cents(d))
	}
	for t := 0; t <= 8; t++ {
		syms[fTax].InternNum(float64(t)/100, cents(t))
	}
	for _, s := range []string{"A", "N", "R"} {
		syms[fFlag].InternText(s)
	}
	for _, s := range []string{"F", "O"} {
		syms[fStatus].InternText(s)
	}
	for d := tpchStartDate; d <= tpchLastOrder+121+30; d++ {
		syms[fShip].InternNum(float64(d), dateText(float64(d)))
		syms[fReceipt].InternNum(float64(d), dateText(float64(d)))
	}
	cols := make([]*symbols.ColumnBuilder, len(LineitemFields))
	for i := range cols {
		cols[i] = symbols.NewColumnBuilder(orders * 4)
	}
	code := func(t *symbols.Table, f float64) uint32 {
		id, ok := t.LookupNum(f)
		if !ok {
			panic(fmt.Sprintf("BUG: value %g not interned", f))
		}
		return id + 1
	}
	rows := 0
	for o := 1; o <= orders; o++ {
		okey := uint32(syms[fOrder].InternNum(float64(o), strconv.Itoa(o))) + 1
		odate := r(o, 0, 1, tpchStartDate, tpchLastOrder)
		lines := r(o, 0, 2, 1, 7)
		for l := 1; l <= lines; l++ {
			pk := r(o, l, 3, 1, parts)
			qty := r(o, l, 4, 1, 50)
			disc := r(o, l, 5, 0, 10)
			tax := r(o, l, 6, 0, 8)
			ship := odate + r(o, l, 7, 1, 121)
			receipt := ship + r(o, l, 8, 1, 30)
			retail := 90000 + (pk/10)%20001 + 100*(pk%1000) // cents
			price := qty * retail
			flag := "N"
			if receipt <= tpchCurrentDate {
				flag = [2]string{"R", "A"}[r(o, l, 9, 0, 1)]
			}
			status := "F"
			if ship > tpchCurrentDate {
				status = "O"
			}
			cols[fOrder].Append(okey)
			cols[fPart].Append(syms[fPart].InternNum(float64(pk), strconv.Itoa(pk)) + 1)
			cols[fQty].Append(uint32(qty))
			cols[fPrice].Append(syms[fPrice].InternNum(float64(price)/100, cents(price)) + 1)
			cols[fDisc].Append(uint32(disc) + 1)
			cols[fTax].Append(uint32(tax) + 1)
			cols[fFlag].Append(syms[fFlag].InternText(flag) + 1)
			cols[fStatus].Append(syms[fStatus].InternText(status) + 1)
			cols[fShip].Append(code(syms[fShip], float64(ship)))
			cols[fReceipt].Append(code(syms[fReceipt], float64(receipt)))
			rows++
		}
	}
	packed := make([]*symbols.Column, len(cols))
	for i, cb := range cols {
		packed[i] = cb.Finish(uint32(syms[i].Len()), opts.Packing)
	}
	if err := b.AddTable("lineitem", LineitemFields, packed); err != nil {
		return nil, fmt.Errorf("cannot add the lineitem table: %w", err)
	}
	m, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("cannot build the lineitem model: %w", err)
	}
	return &Lineitem{Model: m, Rows: rows}, nil
}

// cents renders an amount in cents with two decimals ("12.05").
func cents(c int) string {
	s := strconv.Itoa(c / 100)
	f := c % 100
	if f < 10 {
		return s + ".0" + strconv.Itoa(f)
	}
	return s + "." + strconv.Itoa(f)
}
