package main

import (
	"context"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/assocengine/assoc/bench"
)

// loadStar creates the star schema's tables in DuckDB from the generator
// values the engine model was built from. With enum, the text columns are
// ENUM types (DuckDB's dictionary encoding) instead of VARCHAR.
func loadStar(ctx context.Context, d *duck, o *bench.StarOptions, enum bool) error {
	text := func(name string, values []string) (string, error) {
		if !enum {
			return "VARCHAR", nil
		}
		q := make([]string, len(values))
		for i, v := range values {
			q[i] = "'" + strings.ReplaceAll(v, "'", "''") + "'"
		}
		if err := d.exec(ctx, fmt.Sprintf("CREATE TYPE %s AS ENUM (%s)", name, strings.Join(q, ", "))); err != nil {
			return "", err
		}
		return name, nil
	}
	names := func(n int, f func(int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	regionT, err := text("region_t", names(o.Regions, bench.RegionName))
	if err != nil {
		return err
	}
	productT, err := text("product_t", names(o.Products, bench.ProductName))
	if err != nil {
		return err
	}
	segmentT, err := text("segment_t", names(o.Segments, bench.SegmentName))
	if err != nil {
		return err
	}
	countryT, err := text("country_t", names(o.Countries, bench.CountryName))
	if err != nil {
		return err
	}
	ddl := []string{
		fmt.Sprintf(`CREATE TABLE sales (customer_id INTEGER, product %s, order_date DATE, store_region %s, sales DOUBLE)`, productT, regionT),
		fmt.Sprintf(`CREATE TABLE customers (customer_id INTEGER, region %s, segment %s, country %s)`, regionT, segmentT, countryT),
		fmt.Sprintf(`CREATE TABLE products (product %s, category VARCHAR, brand VARCHAR)`, productT),
		`CREATE TABLE calendar (order_date DATE, year INTEGER, month INTEGER, quarter VARCHAR)`,
	}
	for _, q := range ddl {
		if err := d.exec(ctx, q); err != nil {
			return err
		}
	}
	if err := d.appendRows(ctx, "sales", func(add func(...driver.Value) error) error {
		for i := range o.FactRows {
			if err := add(
				int32(o.FactValue(i, bench.ColCustomer)),
				bench.ProductName(o.FactValue(i, bench.ColProduct)),
				bench.DayDate(o.FactValue(i, bench.ColDate)),
				bench.RegionName(o.FactValue(i, bench.ColStoreRegion)),
				bench.Amount(o.FactValue(i, bench.ColAmount)),
			); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := d.appendRows(ctx, "customers", func(add func(...driver.Value) error) error {
		for c := range o.Customers {
			if err := add(int32(c), bench.RegionName(o.CustomerValue(c, 0)),
				bench.SegmentName(o.CustomerValue(c, 1)), bench.CountryName(o.CustomerValue(c, 2))); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if err := d.appendRows(ctx, "products", func(add func(...driver.Value) error) error {
		for p := range o.Products {
			if err := add(bench.ProductName(p), bench.CategoryName(p), bench.BrandName(p)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	return d.appendRows(ctx, "calendar", func(add func(...driver.Value) error) error {
		for day := range o.Days {
			y, m, q := bench.DayParts(day)
			if err := add(bench.DayDate(day), int32(y), int32(m), q); err != nil {
				return err
			}
		}
		return nil
	})
}

// dropStar removes the star schema's tables and types.
func dropStar(ctx context.Context, d *duck) error {
	for _, q := range []string{
		"DROP TABLE IF EXISTS sales", "DROP TABLE IF EXISTS customers", "DROP TABLE IF EXISTS products",
		"DROP TABLE IF EXISTS calendar", "DROP TYPE IF EXISTS region_t", "DROP TYPE IF EXISTS product_t",
		"DROP TYPE IF EXISTS segment_t", "DROP TYPE IF EXISTS country_t", "CHECKPOINT",
	} {
		if err := d.exec(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// loadFlights creates the replicated flights table in DuckDB from the same
// rows the engine holds.
func loadFlights(ctx context.Context, d *duck, f *bench.Flights) error {
	if err := d.exec(ctx, `CREATE TABLE flights (date TIMESTAMP, year INTEGER, delay INTEGER, distance INTEGER,
		origin VARCHAR, destination VARCHAR)`); err != nil {
		return err
	}
	return d.appendRows(ctx, "flights", func(add func(...driver.Value) error) error {
		for i := range f.Rows {
			r := f.Row(i)
			if err := add(r.Date, int32(r.Year), r.Delay, r.Distance, r.Origin, r.Destination); err != nil {
				return err
			}
		}
		return nil
	})
}

// tpchToParquet runs dbgen at scale factor sf, keeps lineitem (the table
// Q1 and Q6 read) and exports it to dir/lineitem.parquet.
func tpchToParquet(ctx context.Context, d *duck, sf float64, dir string) (string, error) {
	if err := d.exec(ctx, fmt.Sprintf("CALL dbgen(sf = %g)", sf)); err != nil {
		return "", fmt.Errorf("cannot generate TPC-H (is the tpch extension built in?): %w", err)
	}
	for _, t := range []string{"customer", "nation", "orders", "part", "partsupp", "region", "supplier"} {
		if err := d.exec(ctx, "DROP TABLE IF EXISTS "+t); err != nil {
			return "", err
		}
	}
	if err := d.exec(ctx, "CHECKPOINT"); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "lineitem.parquet")
	if err := d.exec(ctx, fmt.Sprintf("COPY lineitem TO '%s' (FORMAT parquet)", strings.ReplaceAll(path, "'", "''"))); err != nil {
		return "", err
	}
	// Load it back as the engine will, so DuckDB's bytes "as loaded" are
	// those of one table appended from the file, like the other data sets
	// (dbgen's tables are only compressed by a checkpoint).
	if err := d.exec(ctx, "DROP TABLE lineitem"); err != nil {
		return "", err
	}
	if err := d.exec(ctx, "CHECKPOINT"); err != nil {
		return "", err
	}
	if err := d.exec(ctx, fmt.Sprintf("CREATE TABLE lineitem AS SELECT * FROM read_parquet('%s')", strings.ReplaceAll(path, "'", "''"))); err != nil {
		return "", err
	}
	return path, nil
}
