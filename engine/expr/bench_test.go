package expr

import "testing"

// Run with:
//
//	go test ./engine/expr -run '^$' -bench . -benchmem -count 6 | tee new.txt
//	benchstat old.txt new.txt

const benchExpr = `Sum({$<Year={2020, 2021}, Country-={'SE'}>} DISTINCT TOTAL <Month> Sales * (1 - Discount))` +
	` / Count({1} Customer) + If(Only(Region) = 'EU', RangeSum(a, b, 3), Alt(c, 0)) & ' units'`

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchExpr)))
	for b.Loop() {
		if _, err := Parse(benchExpr); err != nil {
			b.Fatal(err)
		}
	}
}

// rowEnv is a cheap Env: fields by Parse index, aggregations constant.
type rowEnv struct{ vals []Value }

func (e *rowEnv) Field(r *FieldRef) (Value, bool) {
	if r.Index < len(e.vals) {
		return e.vals[r.Index], true
	}
	return Value{}, false
}
func (e *rowEnv) Variable(string) (Value, bool) { return Value{}, false }
func (e *rowEnv) Aggregate(*AggCall) Value      { return Num(2) }

func BenchmarkEval(b *testing.B) {
	for _, bc := range []struct{ name, src string }{
		{"kind=arith", "Sales * (1 - Discount) + Freight / 2"},
		{"kind=if", "If(Sales > 100 and Country <> 'SE', Sales * 0.9, RangeSum(Sales, Freight, 1))"},
		{"kind=strings", "Upper(Left(Country, 2)) & '-' & Mid(Country, 3)"},
		{"kind=agg", "Sum(Sales) / Sum(TOTAL Sales)"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			n, err := Parse(bc.src)
			if err != nil {
				b.Fatal(err)
			}
			vals := make([]Value, len(FieldNames(n)))
			for i, name := range FieldNames(n) {
				switch name {
				case "Country":
					vals[i] = Str("DENMARK")
				default:
					vals[i] = Num(float64(100 + i))
				}
			}
			env := &rowEnv{vals: vals}
			b.ReportAllocs()
			for b.Loop() {
				Eval(n, env)
			}
		})
	}
}

func BenchmarkExpand(b *testing.B) {
	env := ExpandEnv{Variable: func(name string) (Value, bool) {
		switch name {
		case "vYear":
			return Str("2021"), true
		case "vField":
			return Str("Sales"), true
		}
		return Value{}, false
	}}
	src := "Sum({<Year={$(vYear)}>} $(vField)) / Sum({<Year={$(vYear)}>} TOTAL $(vField))"
	b.ReportAllocs()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := Expand(src, env); err != nil {
			b.Fatal(err)
		}
	}
}
