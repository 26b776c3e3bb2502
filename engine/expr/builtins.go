package expr

// The built-in catalogue: every function the expression language knows
// before other packages add theirs (number and date formatting, load-script
// functions). Scalar implementations live in funcs_*.go.

func init() {
	defaultRegistry.MustRegister(aggregationFuncs...)
	defaultRegistry.MustRegister(contextFuncs...)
	defaultRegistry.MustRegister(conditionalFuncs...)
	defaultRegistry.MustRegister(stringFuncs...)
	defaultRegistry.MustRegister(mathFuncs...)
	defaultRegistry.MustRegister(rangeFuncs...)
}

// aggregationFuncs are evaluated by Env.Aggregate (§4.7).
var aggregationFuncs = []Func{
	{Name: "Sum", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Count", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Avg", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Min", MinArgs: 1, MaxArgs: 2, Kind: KindAggregation},
	{Name: "Max", MinArgs: 1, MaxArgs: 2, Kind: KindAggregation},
	{Name: "Only", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "MinString", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "MaxString", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Concat", MinArgs: 1, MaxArgs: 3, Kind: KindAggregation},
	{Name: "Median", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Fractile", MinArgs: 2, MaxArgs: 2, Kind: KindAggregation},
	{Name: "FractileExc", MinArgs: 2, MaxArgs: 2, Kind: KindAggregation},
	{Name: "Stdev", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Sterr", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Skew", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Kurtosis", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "Correl", MinArgs: 2, MaxArgs: 2, Kind: KindAggregation},
	{Name: "Steyx", MinArgs: 2, MaxArgs: 2, Kind: KindAggregation},
	{Name: "Mode", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "FirstSortedValue", MinArgs: 2, MaxArgs: 3, Kind: KindAggregation},
	{Name: "NullCount", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "MissingCount", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "NumericCount", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	{Name: "TextCount", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation},
	// Aggr(expr, dim...): the dimensions are AggCall.Dims, not arguments.
	{Name: "Aggr", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation, Where: InChart},
	// FirstValue/LastValue exist only in LOAD ... GROUP BY.
	{Name: "FirstValue", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation, Where: InScript},
	{Name: "LastValue", MinArgs: 1, MaxArgs: 1, Kind: KindAggregation, Where: InScript},
}

// contextFuncs need the chart or the app: the engine implements them
// through ContextEnv. RowNo and NoOfRows also exist in the load script
// (RowNo(), NoOfRows('table')), hence Anywhere and the wider arity.
var contextFuncs = []Func{
	{Name: "Rank", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "HRank", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Above", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Below", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Top", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Bottom", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Before", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "After", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "First", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Last", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart, Total: true},
	{Name: "RowNo", MinArgs: 0, MaxArgs: 0, Kind: KindContext, Where: Anywhere, Total: true},
	{Name: "NoOfRows", MinArgs: 0, MaxArgs: 1, Kind: KindContext, Where: Anywhere, Total: true},
	{Name: "Column", MinArgs: 1, MaxArgs: 1, Kind: KindContext, Where: InChart},
	{Name: "ColumnNo", MinArgs: 0, MaxArgs: 0, Kind: KindContext, Where: InChart, Total: true},
	{Name: "NoOfColumns", MinArgs: 0, MaxArgs: 0, Kind: KindContext, Where: InChart, Total: true},
	{Name: "Dimensionality", MinArgs: 0, MaxArgs: 0, Kind: KindContext, Where: InChart},
	{Name: "SecondaryDimensionality", MinArgs: 0, MaxArgs: 0, Kind: KindContext, Where: InChart},
	{Name: "GetSelectedCount", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart},
	{Name: "GetPossibleCount", MinArgs: 1, MaxArgs: 2, Kind: KindContext, Where: InChart},
	{Name: "GetExcludedCount", MinArgs: 1, MaxArgs: 2, Kind: KindContext, Where: InChart},
	{Name: "GetAlternativeCount", MinArgs: 1, MaxArgs: 2, Kind: KindContext, Where: InChart},
	{Name: "GetNotSelectedCount", MinArgs: 1, MaxArgs: 3, Kind: KindContext, Where: InChart},
	{Name: "GetFieldSelections", MinArgs: 1, MaxArgs: 4, Kind: KindContext, Where: InChart},
	{Name: "GetCurrentSelections", MinArgs: 0, MaxArgs: 5, Kind: KindContext, Where: InChart},
}
