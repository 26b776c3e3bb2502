package router

import (
	"errors"
	"fmt"
	"strings"
)

// MetricFamily is one metric of an engine's /metrics page, in the shape
// Mira reports it (the parse-prometheus-text-format form the session
// placement service reads): the family's name, help and type, and its
// samples.
type MetricFamily struct {
	Name    string   `json:"name"`
	Help    string   `json:"help,omitempty"`
	Type    string   `json:"type"` // COUNTER, GAUGE, HISTOGRAM, SUMMARY or UNTYPED
	Metrics []Sample `json:"metrics"`
}

// Sample is one series of a family. Counters, gauges and untyped
// metrics have Value; histograms have Buckets (upper bound → cumulative
// count), Count and Sum; summaries have Quantiles, Count and Sum. Values
// are kept as the text the engine wrote.
type Sample struct {
	Labels    map[string]string `json:"labels,omitempty"`
	Value     string            `json:"value,omitempty"`
	Buckets   map[string]string `json:"buckets,omitempty"`
	Quantiles map[string]string `json:"quantiles,omitempty"`
	Count     string            `json:"count,omitempty"`
	Sum       string            `json:"sum,omitempty"`
}

// Value returns the first sample's value of the family called name, as
// the placement service reads qix_active_sessions.
func Value(fams []MetricFamily, name string) (string, bool) {
	for _, f := range fams {
		if f.Name == name && len(f.Metrics) > 0 && f.Metrics[0].Value != "" {
			return f.Metrics[0].Value, true
		}
	}
	return "", false
}

// Limits of ParseMetrics.
const (
	maxMetricErrors = 10
	maxLabels       = 64
)

// ParseMetrics reads the Prometheus text exposition format (version
// 0.0.4):
//
//	page    = { line "\n" }
//	line    = "# HELP " name " " text | "# TYPE " name " " type | "#" comment
//	        | name [ "{" [ label { "," label } [ "," ] ] "}" ] " " value [ " " timestamp ]
//	label   = name "=" '"' escaped '"'
//
// Samples of a histogram (name_bucket, name_sum, name_count) and of a
// summary (name{quantile}, name_sum, name_count) are gathered into one
// Sample per label set. Errors name the line (at most 10 are reported);
// the families read so far are returned with them.
func ParseMetrics(page string) ([]MetricFamily, error) {
	p := promParser{byName: map[string]int{}}
	for n, line := range strings.Split(page, "\n") {
		if err := p.line(strings.TrimRight(line, "\r")); err != nil {
			p.errs = append(p.errs, fmt.Errorf("line %d: %w", n+1, err))
			if len(p.errs) >= maxMetricErrors {
				p.errs = append(p.errs, errors.New("too many errors"))
				break
			}
		}
	}
	if len(p.errs) > 0 {
		return p.fams, fmt.Errorf("cannot read the metrics: %w", errors.Join(p.errs...))
	}
	return p.fams, nil
}

type promParser struct {
	fams   []MetricFamily
	byName map[string]int
	errs   []error
}

// family returns the family called name, creating an untyped one.
func (p *promParser) family(name string) *MetricFamily {
	i, ok := p.byName[name]
	if !ok {
		i = len(p.fams)
		p.byName[name] = i
		p.fams = append(p.fams, MetricFamily{Name: name, Type: "UNTYPED"})
	}
	return &p.fams[i]
}

// line reads one line of the page.
func (p *promParser) line(line string) error {
	t := strings.TrimLeft(line, " \t")
	if t == "" {
		return nil
	}
	if t[0] == '#' {
		return p.comment(t)
	}
	return p.sample(t)
}

// comment reads "# HELP name text" and "# TYPE name type"; any other
// comment is skipped.
func (p *promParser) comment(t string) error {
	fields := strings.Fields(t[1:])
	if len(fields) < 2 || (fields[0] != "HELP" && fields[0] != "TYPE") {
		return nil
	}
	name := fields[1]
	if !validName(name) {
		return fmt.Errorf("invalid metric name %q", name)
	}
	switch fields[0] {
	case "HELP":
		_, rest, _ := strings.Cut(strings.TrimLeft(t[1:], " \t"), name)
		p.family(name).Help = unescapeHelp(strings.TrimLeft(rest, " \t"))
	case "TYPE":
		if len(fields) != 3 {
			return fmt.Errorf("# TYPE %s needs one type", name)
		}
		typ := strings.ToUpper(fields[2])
		switch typ {
		case "COUNTER", "GAUGE", "HISTOGRAM", "SUMMARY", "UNTYPED":
		default:
			return fmt.Errorf("unknown metric type %q for %s", fields[2], name)
		}
		p.family(name).Type = typ
	}
	return nil
}

// sample reads one sample line and files it under its family.
func (p *promParser) sample(t string) error {
	i := 0
	for i < len(t) && isNameChar(t[i], i == 0) {
		i++
	}
	name := t[:i]
	if name == "" {
		return fmt.Errorf("want a metric name at %q", clip(t))
	}
	labels := map[string]string{}
	rest := t[i:]
	if strings.HasPrefix(rest, "{") {
		var err error
		rest, err = parseLabels(rest[1:], labels)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	fields := strings.Fields(rest)
	if len(fields) < 1 || len(fields) > 2 {
		return fmt.Errorf("%s: want a value and an optional timestamp, got %q", name, clip(rest))
	}
	value := fields[0]
	if !validValue(value) {
		return fmt.Errorf("%s: %q is not a number", name, clip(value))
	}
	base, part := name, ""
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if b, ok := strings.CutSuffix(name, suffix); ok {
			if i, known := p.byName[b]; known && (p.fams[i].Type == "HISTOGRAM" || p.fams[i].Type == "SUMMARY") {
				base, part = b, suffix
			}
			break
		}
	}
	f := p.family(base)
	switch f.Type {
	case "HISTOGRAM", "SUMMARY":
		bound := ""
		if part == "_bucket" {
			bound = labels["le"]
			delete(labels, "le")
			if bound == "" {
				return fmt.Errorf("%s: a bucket needs an le label", name)
			}
		}
		q := ""
		if part == "" && f.Type == "SUMMARY" {
			q = labels["quantile"]
			delete(labels, "quantile")
		}
		s := f.series(labels)
		switch {
		case part == "_bucket":
			if s.Buckets == nil {
				s.Buckets = map[string]string{}
			}
			s.Buckets[bound] = value
		case part == "_sum":
			s.Sum = value
		case part == "_count":
			s.Count = value
		case q != "":
			if s.Quantiles == nil {
				s.Quantiles = map[string]string{}
			}
			s.Quantiles[q] = value
		default:
			return fmt.Errorf("%s: a %s sample must be _bucket, _sum, _count or have a quantile", name, strings.ToLower(f.Type))
		}
	default:
		s := Sample{Value: value}
		if len(labels) > 0 {
			s.Labels = labels
		}
		f.Metrics = append(f.Metrics, s)
	}
	return nil
}

// series returns the sample of a histogram or summary with these labels.
func (f *MetricFamily) series(labels map[string]string) *Sample {
	for i := range f.Metrics {
		if sameLabels(f.Metrics[i].Labels, labels) {
			return &f.Metrics[i]
		}
	}
	s := Sample{}
	if len(labels) > 0 {
		s.Labels = labels
	}
	f.Metrics = append(f.Metrics, s)
	return &f.Metrics[len(f.Metrics)-1]
}

func sameLabels(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// parseLabels reads the labels after "{" up to "}" and returns the rest.
func parseLabels(s string, out map[string]string) (string, error) {
	for {
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, "}") {
			return s[1:], nil
		}
		i := 0
		for i < len(s) && isNameChar(s[i], i == 0) && s[i] != ':' {
			i++
		}
		name := s[:i]
		if name == "" {
			return "", fmt.Errorf("want a label name at %q", clip(s))
		}
		s = strings.TrimLeft(s[i:], " \t")
		if !strings.HasPrefix(s, `="`) {
			return "", fmt.Errorf("label %s: want =\"value\"", name)
		}
		s = s[2:]
		var b strings.Builder
		closed := false
		for i = 0; i < len(s); i++ {
			c := s[i]
			if c == '"' {
				closed = true
				break
			}
			if c == '\\' && i+1 < len(s) {
				i++
				switch s[i] {
				case 'n':
					b.WriteByte('\n')
				default:
					b.WriteByte(s[i])
				}
				continue
			}
			b.WriteByte(c)
		}
		if !closed {
			return "", fmt.Errorf("label %s: the value has no closing quote", name)
		}
		if len(out) >= maxLabels {
			return "", fmt.Errorf("more than %d labels", maxLabels)
		}
		out[name] = b.String()
		s = strings.TrimLeft(s[i+1:], " \t")
		if strings.HasPrefix(s, ",") {
			s = s[1:]
			continue
		}
		if !strings.HasPrefix(s, "}") {
			return "", fmt.Errorf("want , or } after label %s", name)
		}
	}
}

func isNameChar(c byte, first bool) bool {
	return c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameChar(s[i], i == 0) {
			return false
		}
	}
	return true
}

// validValue accepts a Go or Prometheus float: digits, sign, point,
// exponent, or NaN / +Inf / -Inf.
func validValue(s string) bool {
	switch s {
	case "NaN", "+Inf", "-Inf", "Inf":
		return true
	}
	if s == "" || len(s) > 64 {
		return false
	}
	digits := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case '0' <= c && c <= '9':
			digits = true
		case c == '.' || c == '+' || c == '-' || c == 'e' || c == 'E':
		default:
			return false
		}
	}
	return digits
}

func unescapeHelp(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(s)
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
