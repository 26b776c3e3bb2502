// Package bench is the benchmark suite of the engine: deterministic data
// generators and a catalogue of scenarios that both the associative engine
// and a SQL engine can answer.
//
// The data:
//
//   - NewStar: a retail star schema (Sales with CustomerID, Product,
//     OrderDate, StoreRegion and Sales; Customers; with Dimensions also
//     Products and Calendar) at any size from a few rows to 100M fact rows,
//     with cardinalities from 10 to 10M and optional Zipf skew. Every value
//     is a pure function of (options, row), so another engine can load the
//     very same rows (StarOptions.FactValue, CustomerValue, ...).
//   - NewLineitem: a TPC-H-shaped lineitem table following the
//     specification's distributions, so TPC-H Q1 and Q6 run without DuckDB.
//   - NewFlights: the real flights-3m data (npm vega-datasets, fetched by
//     FetchFlights into a cache outside the repository) replicated to any
//     size, every copy shifted by whole years.
//
// The questions: Scenarios returns the suite. A Scenario has an engine side
// (selections, list objects and hypercubes on an engine.Session) and a SQL
// side (queries over the same tables); both produce an Answer made of the
// same parts, and Compare checks that they agree: keys exactly, counts
// exactly, sums within the floating-point bound of SumTolerance. Measure
// times either side (warm-up, N runs, median, an optional budget), and
// DescribeMachine and MeasureReadBandwidth record what machine ran it.
//
// Three programs use the package: the engine's macro benchmarks
// (engine/bench_test.go), `assoc bench` (the engine side on the machine it
// runs on) and bench/duckdb, a nested module that runs both sides in one
// process against DuckDB and keeps cgo and DuckDB out of the main module.
package bench
