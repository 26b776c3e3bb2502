package engine

import (
	"math"
	"time"

	"github.com/assocengine/assoc/engine/expr"
	"github.com/assocengine/assoc/engine/numfmt"
)

// LocaleEnv is implemented by expression environments that know the app's
// number-interpretation settings (its script variables). The formatting and
// date functions use it; without it they use numfmt.EngineLocale.
type LocaleEnv interface {
	Locale() *numfmt.Locale
}

// ClockEnv is implemented by environments with their own clock (Today,
// Now); without it the functions read time.Now.
type ClockEnv interface {
	Now() time.Time
}

var engineLocale = numfmt.EngineLocale()

func localeOf(env expr.Env) *numfmt.Locale {
	if le, ok := env.(LocaleEnv); ok {
		if l := le.Locale(); l != nil {
			return l
		}
	}
	return &engineLocale
}

func nowOf(env expr.Env) time.Time {
	if ce, ok := env.(ClockEnv); ok {
		return ce.Now()
	}
	return time.Now()
}

// The formatting, interpretation and date functions of the shared function
// registry (semantics §4.10), implemented with engine/numfmt. They are
// registered here, in the engine, so charts and load scripts see the same
// functions.
func init() {
	type fn = func(env expr.Env, a []expr.Value) expr.Value
	reg := func(name string, minArgs, maxArgs int, f fn) {
		expr.DefaultRegistry().MustRegister(expr.Func{Name: name, MinArgs: minArgs, MaxArgs: maxArgs, Kind: expr.KindScalar, Eval: f})
	}
	str := func(a []expr.Value, i int, def string) string {
		if i < len(a) && !a[i].IsNull() {
			return a[i].Text()
		}
		return def
	}
	num := func(a []expr.Value, i int, def float64) float64 {
		if i < len(a) && !a[i].IsNull() {
			if f, ok := a[i].AsNumber(); ok {
				return f
			}
			return math.NaN()
		}
		return def
	}
	inum := func(a []expr.Value, i, def int) int {
		f := num(a, i, float64(def))
		if math.IsNaN(f) {
			return def
		}
		return int(f)
	}
	// serial reads a date argument: a number, or a text interpreted with
	// the locale.
	serial := func(env expr.Env, v expr.Value) float64 {
		if v.IsNull() {
			return math.NaN()
		}
		if v.HasNum() {
			f, _ := v.AsNumber()
			return f
		}
		f, ok, _ := numfmt.Interpret(v.Text(), localeOf(env))
		if !ok {
			return math.NaN()
		}
		return f
	}
	fromDual := func(n float64, text string) expr.Value {
		if math.IsNaN(n) {
			return expr.Null()
		}
		return expr.Dual(n, text)
	}
	asDate := func(env expr.Env, n float64) expr.Value {
		if math.IsNaN(n) {
			return expr.Null()
		}
		return expr.Dual(n, numfmt.FormatDate(n, "", localeOf(env)))
	}
	asTimestamp := func(env expr.Env, n float64) expr.Value {
		if math.IsNaN(n) {
			return expr.Null()
		}
		return expr.Dual(n, numfmt.FormatTimestamp(n, "", localeOf(env)))
	}
	asNum := func(n float64) expr.Value {
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return expr.Null()
		}
		return expr.Num(n)
	}
	need := func(a []expr.Value) bool { return len(a) > 0 && !a[0].IsNull() }
	// formatting
	reg("Num", 1, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) || !a[0].HasNum() {
			return expr.Null()
		}
		loc := localeOf(env)
		x, _ := a[0].AsNumber()
		nf := numfmt.NumberFormat{Code: str(a, 1, ""), Dec: str(a, 2, loc.DecimalSep), Thou: str(a, 3, loc.ThousandSep)}
		return expr.Dual(x, nf.Format(x))
	})
	reg("Money", 1, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) || !a[0].HasNum() {
			return expr.Null()
		}
		loc := localeOf(env)
		x, _ := a[0].AsNumber()
		nf := loc.MoneyCode(str(a, 1, ""))
		nf.Dec, nf.Thou = str(a, 2, nf.Dec), str(a, 3, nf.Thou)
		return expr.Dual(x, nf.Format(x))
	})
	for _, d := range []struct {
		name string
		f    func(float64, string, *numfmt.Locale) string
	}{
		{"Date", numfmt.FormatDate}, {"Time", numfmt.FormatTime},
		{"Timestamp", numfmt.FormatTimestamp}, {"Interval", numfmt.FormatInterval},
	} {
		reg(d.name, 1, 2, func(env expr.Env, a []expr.Value) expr.Value {
			if !need(a) || !a[0].HasNum() {
				return expr.Null()
			}
			x, _ := a[0].AsNumber()
			return expr.Dual(x, d.f(x, str(a, 1, ""), localeOf(env)))
		})
	}
	// interpretation: keep the text, add the number when it parses
	interp := func(name string, parse func(env expr.Env, text string, a []expr.Value) (float64, bool)) {
		reg(name, 1, 4, func(env expr.Env, a []expr.Value) expr.Value {
			if !need(a) {
				return expr.Null()
			}
			text := a[0].Text()
			if v, ok := parse(env, text, a); ok {
				return expr.Dual(v, text)
			}
			return expr.Null()
		})
	}
	interp("Num#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		loc := localeOf(env)
		nf := numfmt.NumberFormat{Code: str(a, 1, ""), Dec: str(a, 2, loc.DecimalSep), Thou: str(a, 3, loc.ThousandSep)}
		return nf.Parse(text)
	})
	interp("Money#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		loc := localeOf(env)
		nf := loc.MoneyCode(str(a, 1, ""))
		nf.Dec, nf.Thou = str(a, 2, nf.Dec), str(a, 3, nf.Thou)
		return nf.Parse(text)
	})
	interp("Date#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		return numfmt.ParseDate(text, str(a, 1, ""), localeOf(env))
	})
	interp("Time#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		return numfmt.ParseTime(text, str(a, 1, ""), localeOf(env))
	})
	interp("Timestamp#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		return numfmt.ParseTimestamp(text, str(a, 1, ""), localeOf(env))
	})
	interp("Interval#", func(env expr.Env, text string, a []expr.Value) (float64, bool) {
		return numfmt.ParseInterval(text, str(a, 1, ""), localeOf(env))
	})
	reg("Text", 1, 1, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return expr.Str(a[0].Text())
	})
	// date parts
	part := func(name string, f func(float64) float64) {
		reg(name, 1, 1, func(env expr.Env, a []expr.Value) expr.Value {
			if !need(a) {
				return expr.Null()
			}
			return asNum(f(serial(env, a[0])))
		})
	}
	part("Year", numfmt.Year)
	part("Day", numfmt.Day)
	part("Hour", numfmt.Hour)
	part("Minute", numfmt.Minute)
	part("Second", numfmt.Second)
	reg("Month", 1, 1, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		d := numfmt.Month(serial(env, a[0]), localeOf(env))
		return fromDual(d.Num, d.Text)
	})
	reg("WeekDay", 1, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		loc := localeOf(env)
		d := numfmt.WeekDay(serial(env, a[0]), inum(a, 1, loc.FirstWeekDay), loc)
		return fromDual(d.Num, d.Text)
	})
	rule := func(env expr.Env, a []expr.Value, i int) numfmt.WeekRule {
		r := localeOf(env).WeekRule()
		r.FirstWeekDay = inum(a, i, r.FirstWeekDay)
		if i+1 < len(a) && !a[i+1].IsNull() {
			f, _ := a[i+1].AsNumber()
			r.Broken = f != 0
		}
		r.ReferenceDay = inum(a, i+2, r.ReferenceDay)
		return r
	}
	reg("Week", 1, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asNum(numfmt.Week(serial(env, a[0]), rule(env, a, 1)))
	})
	reg("WeekYear", 1, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asNum(numfmt.WeekYear(serial(env, a[0]), rule(env, a, 1)))
	})
	reg("WeekName", 1, 5, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		d := numfmt.WeekName(serial(env, a[0]), inum(a, 1, 0), rule(env, a, 2))
		return fromDual(d.Num, d.Text)
	})
	reg("DayNumberOfYear", 1, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asNum(numfmt.DayNumberOfYear(serial(env, a[0]), inum(a, 1, 1)))
	})
	reg("DayNumberOfQuarter", 1, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asNum(numfmt.DayNumberOfQuarter(serial(env, a[0]), inum(a, 1, 1)))
	})
	// constructors
	reg("MakeDate", 1, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.MakeDate(num(a, 0, 0), num(a, 1, 1), num(a, 2, 1)))
	})
	reg("MakeTime", 1, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		n := numfmt.MakeTime(num(a, 0, 0), num(a, 1, 0), num(a, 2, 0))
		if math.IsNaN(n) {
			return expr.Null()
		}
		return expr.Dual(n, numfmt.FormatTime(n, "", localeOf(env)))
	})
	reg("MakeWeekDate", 1, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.MakeWeekDate(num(a, 0, 0), num(a, 1, 1), num(a, 2, 0), localeOf(env).WeekRule()))
	})
	reg("AddMonths", 2, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.AddMonths(serial(env, a[0]), inum(a, 1, 0), inum(a, 2, 0) == 1))
	})
	reg("AddYears", 2, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.AddYears(serial(env, a[0]), inum(a, 1, 0)))
	})
	reg("Age", 2, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) || len(a) < 2 || a[1].IsNull() {
			return expr.Null()
		}
		return asNum(numfmt.Age(serial(env, a[0]), serial(env, a[1])))
	})
	reg("SetDateYear", 2, 2, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.SetDateYear(serial(env, a[0]), inum(a, 1, 0)))
	})
	reg("SetDateYearMonth", 3, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asDate(env, numfmt.SetDateYearMonth(serial(env, a[0]), inum(a, 1, 0), inum(a, 2, 1)))
	})
	// periods: start/end return timestamps shown as dates, names are duals
	period := func(name string, maxArgs int, f func(env expr.Env, x float64, a []expr.Value) float64) {
		reg(name, 1, maxArgs, func(env expr.Env, a []expr.Value) expr.Value {
			if !need(a) {
				return expr.Null()
			}
			return asDate(env, f(env, serial(env, a[0]), a))
		})
	}
	fm := func(env expr.Env, a []expr.Value, i int) int { return inum(a, i, localeOf(env).FirstMonthOfYear) }
	period("YearStart", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.YearStart(x, inum(a, 1, 0), fm(env, a, 2))
	})
	period("YearEnd", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.YearEnd(x, inum(a, 1, 0), fm(env, a, 2))
	})
	period("QuarterStart", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.QuarterStart(x, inum(a, 1, 0), fm(env, a, 2))
	})
	period("QuarterEnd", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.QuarterEnd(x, inum(a, 1, 0), fm(env, a, 2))
	})
	period("MonthStart", 2, func(env expr.Env, x float64, a []expr.Value) float64 { return numfmt.MonthStart(x, inum(a, 1, 0)) })
	period("MonthEnd", 2, func(env expr.Env, x float64, a []expr.Value) float64 { return numfmt.MonthEnd(x, inum(a, 1, 0)) })
	period("WeekStart", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.WeekStart(x, inum(a, 1, 0), inum(a, 2, localeOf(env).FirstWeekDay))
	})
	period("WeekEnd", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.WeekEnd(x, inum(a, 1, 0), inum(a, 2, localeOf(env).FirstWeekDay))
	})
	period("LunarWeekStart", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.LunarWeekStart(x, inum(a, 1, 0), inum(a, 2, 0))
	})
	period("LunarWeekEnd", 3, func(env expr.Env, x float64, a []expr.Value) float64 {
		return numfmt.LunarWeekEnd(x, inum(a, 1, 0), inum(a, 2, 0))
	})
	reg("DayStart", 1, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asTimestamp(env, numfmt.DayStart(serial(env, a[0]), inum(a, 1, 0), num(a, 2, 0)))
	})
	reg("DayEnd", 1, 3, func(env expr.Env, a []expr.Value) expr.Value {
		if !need(a) {
			return expr.Null()
		}
		return asTimestamp(env, numfmt.DayEnd(serial(env, a[0]), inum(a, 1, 0), num(a, 2, 0)))
	})
	reg("MonthsStart", 2, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if len(a) < 2 || a[1].IsNull() {
			return expr.Null()
		}
		return asDate(env, numfmt.MonthsStart(inum(a, 0, 1), serial(env, a[1]), inum(a, 2, 0), fm(env, a, 3)))
	})
	reg("MonthsEnd", 2, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if len(a) < 2 || a[1].IsNull() {
			return expr.Null()
		}
		return asDate(env, numfmt.MonthsEnd(inum(a, 0, 1), serial(env, a[1]), inum(a, 2, 0), fm(env, a, 3)))
	})
	name := func(n string, maxArgs int, f func(env expr.Env, x float64, a []expr.Value) (float64, string)) {
		reg(n, 1, maxArgs, func(env expr.Env, a []expr.Value) expr.Value {
			if !need(a) {
				return expr.Null()
			}
			v, t := f(env, serial(env, a[0]), a)
			return fromDual(v, t)
		})
	}
	name("MonthName", 2, func(env expr.Env, x float64, a []expr.Value) (float64, string) {
		d := numfmt.MonthName(x, inum(a, 1, 0), localeOf(env))
		return d.Num, d.Text
	})
	name("QuarterName", 3, func(env expr.Env, x float64, a []expr.Value) (float64, string) {
		d := numfmt.QuarterName(x, inum(a, 1, 0), fm(env, a, 2), localeOf(env))
		return d.Num, d.Text
	})
	name("YearName", 3, func(env expr.Env, x float64, a []expr.Value) (float64, string) {
		d := numfmt.YearName(x, inum(a, 1, 0), fm(env, a, 2))
		return d.Num, d.Text
	})
	name("DayName", 3, func(env expr.Env, x float64, a []expr.Value) (float64, string) {
		d := numfmt.DayName(x, inum(a, 1, 0), num(a, 2, 0), localeOf(env))
		return d.Num, d.Text
	})
	name("LunarWeekName", 3, func(env expr.Env, x float64, a []expr.Value) (float64, string) {
		d := numfmt.LunarWeekName(x, inum(a, 1, 0), inum(a, 2, 0))
		return d.Num, d.Text
	})
	reg("MonthsName", 2, 4, func(env expr.Env, a []expr.Value) expr.Value {
		if len(a) < 2 || a[1].IsNull() {
			return expr.Null()
		}
		d := numfmt.MonthsName(inum(a, 0, 1), serial(env, a[1]), inum(a, 2, 0), fm(env, a, 3), localeOf(env))
		return fromDual(d.Num, d.Text)
	})
	// clock
	reg("Today", 0, 1, func(env expr.Env, a []expr.Value) expr.Value {
		return asDate(env, math.Floor(numfmt.SerialFromTime(nowOf(env))))
	})
	reg("Now", 0, 1, func(env expr.Env, a []expr.Value) expr.Value {
		return asTimestamp(env, numfmt.SerialFromTime(nowOf(env)))
	})
}
