// Package numfmt turns numbers into Qlik-formatted text and text into
// numbers: the number, money, date, time, timestamp and interval formats of
// the chart and script functions (Num, Money, Date, Time, Timestamp,
// Interval and their "#" interpretation twins), the automatic interpretation
// of untyped text at load time, the QIX qNumFormat rules for cell texts,
// and the date-part functions over serial numbers.
//
// # Values
//
// Dates and times are serial numbers: days since 1899-12-30, the fraction
// being the time of day. Serials are zone-less wall-clock readings;
// SerialFromTime and TimeFromSerial convert them exactly (to the
// microsecond where a float64 can carry it). Every function accepts any
// float64: NaN, infinities and absurd magnitudes give NaN results or the
// automatic rendering, never a panic.
//
// # Locale
//
// A Locale holds the script's number interpretation variables (DecimalSep,
// DateFormat, MonthNames, FirstWeekDay, ...). EngineLocale is what the
// engine uses when a script sets nothing; DefaultLocale is what the SET
// block of a new US app sets; NewLocale applies a script's variables.
// Functions read the *Locale they are given and never modify it; it must not
// be nil. Everything in the package is safe for concurrent use.
//
// # Format codes
//
// Number codes ("#,##0.00;(#,##0.00)", "0.0%", "(hex)") are compiled by a
// small lexer and parser into a numCode and cached by their text; see
// NumberFormat for the grammar. Date/time codes ("YYYY-MM-DD hh:mm:ss[.fff]",
// "D hh:mm") compile into a token list; see the comment at the top of
// datetime.go. Codes never fail: unknown characters are literals, as in
// Qlik. Formatting truncates times ("23:59" for 0.99999) and rounds numbers
// half away from zero on their shortest decimal representation.
//
// # Parsing and interpretation
//
// NumberFormat.Parse, ParseDate, ParseTime, ParseTimestamp and
// ParseInterval implement Num#, Date#, Time#, Timestamp# and Interval#:
// they return the number and whether the text matched; the caller keeps the
// text as the dual's text. Interpret is the load-time interpretation of an
// untyped cell: number, then money, date, time, timestamp and ISO 8601. Its
// number path is a hand-written scanner that converts without strconv or
// allocation for up to 19 significant digits.
//
// # Cell formatting
//
// Spec is a QIX FieldAttributes (qNumFormat); Spec.Format renders a cell's
// qText from its number and own text following the type rules (U, A, I, R,
// F, M, D, T, TS, IV), with a format code taking precedence over the type.
//
// # Date functions
//
// Year, Month, Week, WeekDay, MakeDate, MonthStart, AddMonths, MonthName,
// ... are the plain versions of the Qlik functions over serials; the
// function layer supplies defaults from the Locale (WeekRule,
// FirstMonthOfYear) and builds duals. Today and Now take the clock reading
// as an argument: this package never reads the clock.
//
// Where Qlik's documentation and its observed output leave a rule open, the
// rule chosen here is marked [Proposed] in the function comment or in
// testdata/README.md, so that differential tests against a real engine can
// correct it in one place.
package numfmt
