// Package demo embeds the demo app of assoc serve --demo: a real public
// data set (20,000 US domestic flights of 2001 and the US airports, from
// vega-datasets 3.2.1), gzipped, and a load script in Qlik script syntax
// that builds a Flights fact table with two role-playing airport tables
// (OriginAirports, DestAirports).
//
// At start the server extracts the files into a private temporary
// directory (Extract), allows it as a folder-connection root, and creates
// and reloads the app AppID from Script, which reads them as
// lib://demo/flights.csv and lib://demo/airports.csv.
//
// The data files are rebuilt with gen.go (see README.md).
package demo
