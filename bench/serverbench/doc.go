// Package serverbench measures the engine the way a browser sees it: over
// a WebSocket, through the QIX JSON-RPC layer, with many clients at once.
//
// ServerLoad starts a real qix.Engine behind a real server.Server on a
// loopback port, serving one in-memory model as the app "star" (normally
// the star schema of bench.NewStar). It then connects clients, each on its
// own WebSocket and in its own engine session (/app/star/identity/<i>),
// and has each one do what a filter pane does:
//
//   - setup (untimed): wait for OnConnected, OpenDoc("star"), create three
//     session list objects (Region, Product and StoreRegion by default,
//     each fetching its first 20 rows) and read their layouts;
//   - the cycle (timed): SelectListObjectValues on the first list,
//     alternating between two of its values, then GetLayout of all three
//     lists. The four requests go one after another, each awaited before
//     the next, as enigma.js sends them.
//
// Every response is matched to its request by id; frames without an id
// (notifications, pushed change and close lists) are read and counted. A
// cycle is checked, not only timed: the selection must succeed and list
// the three objects in its change array, and the layouts must show the
// selected value as selected and a page of the expected size. A cycle that
// fails a check counts as an error and is left out of the latencies.
//
// The result has the cycle latencies (median, p90, p99, max), the
// throughput in cycles per second and the error count. One client with a
// cycle count gives the round-trip latency of issue 3 (≤ 10 ms median at
// 10M rows); 200 clients for 30 s give its load target (p99 ≤ 100 ms on
// two cores). `assoc bench` runs both as the scenarios server/roundtrip
// and server/load.
//
// The package is not part of package bench because bench is imported by
// the nested module bench/duckdb, which does not carry the server's
// dependencies (fasthttp, the WebSocket library); bench stays a leaf on
// engine alone.
package serverbench
