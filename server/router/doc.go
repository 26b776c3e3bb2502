// Package router is assoc's session router, the roles of the seed's
// qix-sessions ("routes user session traffic to the Engine services") and
// mira ("discovery service for Engines, their health, and availability of
// applications") in one process: "assoc router".
//
// # Discovery and health
//
// A Discoverer finds the engines on every poll: a Static list, the
// addresses of a DNS name (the headless Service of the engine pods), or
// the Kubernetes API (pods labelled qix-engine in the Running phase, their
// ports from the labels qix-engine-api-port and qix-engine-metrics-port,
// over plain HTTPS with the pod's service-account token). Each engine is
// then polled as Mira does: GET /healthcheck, then GET /metrics (parsed
// from the Prometheus text format into Mira's JSON shape). A failed health
// call makes it UNHEALTHY (an engine answering 503 is draining), a failed
// metrics call NO_METRICS, both succeeding OK. A pod being deleted
// (deletionTimestamp) keeps its sessions but gets no new ones. GET
// /v1/engines lists the engines in Mira's shape.
//
// # Placement
//
// Only OK engines that are not draining or terminating, and below the
// sessions-per-engine threshold when one is set, take new sessions. The
// Strategy picks among them: LeastLoad (fewest active sessions, then most
// free memory, then least CPU), RoundRobin, or Weighted (random, weighted
// by the sessions each engine can still take). Sessions placed since the
// last poll count as active, so a burst spreads out.
//
// # Sessions and proxying
//
// A client opens its QIX WebSocket on the router (/app/<appId>...). The
// session is the X-Qlik-Session header, or without it the credentials,
// app and identity (as the engine shares sessions); the router remembers
// each session's engine (sticky) while it has connections and for a TTL
// after, and sends reconnects there while that engine is healthy. A new
// session is prewarmed as Qlik's placement service does: the router
// connects to the chosen engine with the session id and the caller's
// Authorization, opens the app, and only then proxies the client's
// connection (with its headers, Authorization included, and the session
// id in X-Qlik-Session), closing its own connection once the engine
// greeted the client. So an unknown app is a 404, a bad token the engine's
// 401, a denied app a 403, all before the upgrade; an engine that cannot
// be reached is marked down and the next one is tried. The placement API
// of qix-sessions (GET /v1/session/doc/<docId>, answering ip, port and
// sessionId for an nginx subrequest) is served too.
package router
