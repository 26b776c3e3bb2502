package bench

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"
)

// OrdersColumns is the header line of the orders CSV.
const OrdersColumns = "OrderId,OrderDate,Region,Category,Product,Customer,Qty,Price,Amount,Flag"

// WriteOrdersCSV writes a header line and rows records of a fact table of
// orders to w (about 86 bytes a record: a unique id, a date, eight fields
// of low to high cardinality, numbers with decimals), deterministically:
// the file that `assoc bench`'s load scenarios, bench/duckdb --csv and
// reload's BenchmarkLoadCSV read. With highCard, prices and amounts are
// nearly unique too (100,000 prices instead of 1,000). It returns the
// bytes written.
func WriteOrdersCSV(w io.Writer, rows int, highCard bool) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	n := int64(len(OrdersColumns) + 1)
	bw.WriteString(OrdersColumns + "\n")
	regions := []string{"North", "South", "East", "West", "Central", "Nordic", "Baltic", "Iberia", "Benelux", "Alps"}
	var x uint64 = 88172645463325252
	var buf []byte
	for i := 0; i < rows; i++ {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		r := x
		buf = buf[:0]
		buf = strconv.AppendInt(buf, int64(i+1), 10)
		y, m, d := time.Date(2015, 1, 1+int(r%3650), 0, 0, 0, 0, time.UTC).Date()
		buf = fmt.Appendf(buf, ",%04d-%02d-%02d,", y, int(m), d)
		buf = append(buf, regions[(r>>12)%uint64(len(regions))]...)
		buf = fmt.Appendf(buf, ",Category %d,Product %05d,Customer %06d,", (r>>16)%50, (r>>24)%10000, (r>>32)%100000)
		qty := 1 + (r>>40)%20
		buf = strconv.AppendUint(buf, qty, 10)
		price := float64((r>>44)%1000) / 4
		if highCard {
			price = float64((r>>44)%100000) / 100
		}
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, price, 'f', 2, 64)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, price*float64(qty), 'f', 2, 64)
		if r&1 == 0 {
			buf = append(buf, ",Y\n"...)
		} else {
			buf = append(buf, ",N\n"...)
		}
		if _, err := bw.Write(buf); err != nil {
			return n, err
		}
		n += int64(len(buf))
	}
	return n, bw.Flush()
}
