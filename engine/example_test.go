package engine_test

import (
	"fmt"

	"github.com/assocengine/assoc/engine"
)

// The README's embedding example: build a model, select a value, read the
// other values' states and a chart.
func Example() {
	b := engine.NewBuilder(engine.Options{NoSystemTables: true})
	orders, _ := b.NewTable("Orders", "OrderID", "Customer", "Amount")
	orders.Append("o1", "Alice", 10.0)
	orders.Append("o2", "Bob", 5.0)
	orders.Append("o3", "Alice", 7.5)
	customers, _ := b.NewTable("Customers", "Customer", "Country")
	customers.Append("Alice", "SE")
	customers.Append("Bob", "DK")
	m, err := b.Build()
	if err != nil {
		panic(err)
	}

	s := engine.NewSession(m, engine.SessionOptions{})
	s.SelectValues("", "Country", []engine.FieldValue{{Text: "SE"}}, false, false)

	r, _ := s.Result("")
	order, _ := m.Field("OrderID")
	for id, st := range r.FieldStates(order.Index) {
		fmt.Println(order.Symbols.Text(uint32(id)), st)
	}

	cube, _ := s.Cube(&engine.CubeDef{
		Dims:     []engine.CubeDim{{Field: "Customer"}},
		Measures: []engine.CubeMeasure{{Expr: "Sum(Amount)"}},
	})
	for _, row := range cube.Order {
		fmt.Println(cube.DimFields[0].Symbols.Text(uint32(cube.Elem[0][row])), cube.Values[0][row].Text())
	}
	// Output:
	// o1 O
	// o2 X
	// o3 O
	// Alice 17.5
}
