// Package metrics is the Prometheus side of assoc: the engine's metrics,
// served on their own port (:9090/metrics) as Qlik Core's engine serves
// them, and the router's.
//
// # Engine
//
// An Engine registers Qlik Core's metric names with the values the engine
// and the license give at scrape time (EngineOptions.Figures and
// EngineOptions.License are called on every scrape, so nothing is stale),
// plus the histograms and counters the server feeds as requests run:
//
//   - qix_active_sessions (unlabelled: the preStop hook greps
//     "qix_active_sessions [0-9]+" and the session router reads its first
//     value), qix_sessions_total, qix_active_documents,
//     qix_loaded_documents, qix_active_users, qix_active_connections;
//   - qix_requests_total, qix_active_requests, qix_selections_total and
//     the latency histograms qix_request_duration_seconds,
//     qix_selection_duration_seconds, qix_layout_duration_seconds and
//     qix_reloads_duration_seconds{status};
//   - memory and CPU (qix_memory_*_bytes, qix_cpu_usage_percent, and the
//     Go runtime and process collectors);
//   - the license: license_time_consumption (Analyzer Capacity minutes
//     used this calendar month, shown once non-zero as the Qlik Core
//     license service did) and license_time_total, allocations and tokens
//     in use, the core cap and qix_expiry_seconds;
//   - refusals: qix_sessions_refused_total{state},
//     qix_auth_failures_total{reason} and qix_access_denied_total;
//   - qix_build_info{version,goversion} 1.
//
// Label values come from fixed sets (method classes, session states,
// failure reasons), never from what a client sent, so a client cannot make
// the series grow; user and app ids never become labels.
//
// # Router
//
// A Router counts placements by strategy and outcome and per engine, the
// engines by status, the WebSocket connections it proxies, and exports the
// placement service's active_sessions_nodes_total and
// remaining_sessions_nodes_total.
//
// Handler serves a registry in the Prometheus text format (version
// 0.0.4), whatever the Accept header asks for: Mira and the preStop hook
// read that format.
package metrics
