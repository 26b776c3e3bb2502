// Package bench holds deterministic data generators for benchmarks and
// load tests: a retail star schema with controllable size, cardinalities
// and skew. The macro benchmarks of the engine, the CLI's `assoc bench`
// and the DuckDB comparison (bench/duckdb, a nested module) all build their
// data from here, so every engine answers the same questions on the same
// rows.
package bench
