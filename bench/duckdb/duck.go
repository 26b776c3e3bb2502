package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/assocengine/assoc/bench"
)

// duck is one DuckDB in-memory database on one connection.
type duck struct {
	db   *sql.DB
	conn *sql.Conn
}

func openDuck(ctx context.Context, threads int) (*duck, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("cannot open DuckDB: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("cannot connect to DuckDB: %w", err)
	}
	d := &duck{db: db, conn: conn}
	if err := d.exec(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *duck) close() {
	d.conn.Close()
	d.db.Close()
}

func (d *duck) exec(ctx context.Context, q string) error {
	if _, err := d.conn.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("DuckDB cannot run %q: %w", q, err)
	}
	return nil
}

// version returns DuckDB's version string.
func (d *duck) version(ctx context.Context) string {
	var v string
	if err := d.conn.QueryRowContext(ctx, "SELECT version()").Scan(&v); err != nil {
		return "unknown"
	}
	return v
}

// tableBytes returns the memory DuckDB's in-memory tables hold
// (duckdb_memory()'s IN_MEMORY_TABLE tag) and pragma_database_size's
// memory_usage text.
func (d *duck) tableBytes(ctx context.Context) (int64, string, error) {
	var n sql.NullInt64
	if err := d.conn.QueryRowContext(ctx,
		"SELECT sum(memory_usage_bytes) FROM duckdb_memory() WHERE tag = 'IN_MEMORY_TABLE'").Scan(&n); err != nil {
		return 0, "", fmt.Errorf("cannot read duckdb_memory(): %w", err)
	}
	var usage string
	if err := d.conn.QueryRowContext(ctx, "SELECT memory_usage FROM pragma_database_size()").Scan(&usage); err != nil {
		return 0, "", fmt.Errorf("cannot read pragma_database_size(): %w", err)
	}
	return n.Int64, usage, nil
}

// appendRows creates rows through DuckDB's appender: fill calls add once
// per row.
func (d *duck) appendRows(ctx context.Context, table string, fill func(add func(...driver.Value) error) error) error {
	return d.conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return fmt.Errorf("cannot open an appender on %s: %w", table, err)
		}
		if err := fill(app.AppendRow); err != nil {
			app.Close()
			return fmt.Errorf("cannot append to %s: %w", table, err)
		}
		if err := app.Close(); err != nil {
			return fmt.Errorf("cannot flush the appender of %s: %w", table, err)
		}
		return nil
	})
}

// rawResult is what one query returned, as scanned (converted to an answer
// part after the timed run).
type rawResult struct {
	q    bench.Query
	rows [][]any
}

// runQueries runs a scenario's queries one after another and drains
// their rows: the timed SQL side.
func (d *duck) runQueries(ctx context.Context, qs []bench.Query) ([]rawResult, error) {
	out := make([]rawResult, len(qs))
	for i, q := range qs {
		rs, err := d.conn.QueryContext(ctx, q.SQL)
		if err != nil {
			return nil, fmt.Errorf("DuckDB cannot run the query of %s: %w", q.Part, err)
		}
		cols, err := rs.Columns()
		if err != nil {
			rs.Close()
			return nil, err
		}
		var rows [][]any
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for k := range vals {
				ptrs[k] = &vals[k]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return nil, fmt.Errorf("cannot scan a row of %s: %w", q.Part, err)
			}
			rows = append(rows, vals)
		}
		if err := rs.Err(); err != nil {
			rs.Close()
			return nil, fmt.Errorf("cannot read the rows of %s: %w", q.Part, err)
		}
		rs.Close()
		out[i] = rawResult{q: q, rows: rows}
	}
	return out, nil
}

// answer converts raw results into an answer: key columns to the texts the
// engine shows, value columns to numbers.
func answer(rs []rawResult) (*bench.Answer, error) {
	a := &bench.Answer{}
	for _, r := range rs {
		rows := make([]bench.Row, 0, len(r.rows))
		for _, raw := range r.rows {
			if len(raw) < r.q.Keys {
				return nil, fmt.Errorf("%s: a row has %d columns, fewer than its %d keys", r.q.Part, len(raw), r.q.Keys)
			}
			row := bench.Row{Keys: make([]string, r.q.Keys), Values: make([]float64, len(raw)-r.q.Keys)}
			for k := range r.q.Keys {
				row.Keys[k] = keyText(raw[k])
			}
			for v := range row.Values {
				f, err := number(raw[r.q.Keys+v])
				if err != nil {
					return nil, fmt.Errorf("%s: column %d: %w", r.q.Part, r.q.Keys+v+1, err)
				}
				row.Values[v] = f
			}
			rows = append(rows, row)
		}
		a.Parts = append(a.Parts, bench.NewPart(r.q.Part, nil, rows))
	}
	return a, nil
}

// keyText renders a SQL value as the engine shows the same value.
func keyText(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int16:
		return strconv.FormatInt(int64(v), 10)
	case int8:
		return strconv.FormatInt(int64(v), 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case uint32:
		return strconv.FormatUint(uint64(v), 10)
	case float64:
		return bench.FormatKey(v)
	case float32:
		return bench.FormatKey(float64(v))
	case *big.Int:
		return v.String()
	case duckdb.Decimal:
		return bench.FormatKey(v.Float64())
	case time.Time:
		if v.Hour() == 0 && v.Minute() == 0 && v.Second() == 0 && v.Nanosecond() == 0 {
			return v.Format("2006-01-02")
		}
		return v.Format("2006-01-02 15:04:05")
	case bool:
		return strconv.FormatBool(v)
	}
	return fmt.Sprint(v)
}

// number converts a SQL value to float64 (NULL is NaN).
func number(v any) (float64, error) {
	switch v := v.(type) {
	case nil:
		return math.NaN(), nil
	case float64:
		return v, nil
	case float32:
		return float64(v), nil
	case int64:
		return float64(v), nil
	case int32:
		return float64(v), nil
	case int16:
		return float64(v), nil
	case int8:
		return float64(v), nil
	case uint64:
		return float64(v), nil
	case uint32:
		return float64(v), nil
	case *big.Int:
		f, _ := new(big.Float).SetInt(v).Float64()
		return f, nil
	case duckdb.Decimal:
		return decimalFloat(v), nil
	}
	return 0, fmt.Errorf("value %v of type %T is not a number", v, v)
}

// decimalFloat is the float64 nearest to an exact DuckDB decimal (the
// division of two big integers rounded once).
func decimalFloat(d duckdb.Decimal) float64 {
	if d.Value == nil {
		return 0
	}
	den := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil)
	f, _ := new(big.Rat).SetFrac(d.Value, den).Float64()
	return f
}
