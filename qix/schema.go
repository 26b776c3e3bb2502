package qix

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"
)

//go:generate go run ./internal/schemagen -enigma ../../shared/spec/qix-schema.json -openrpc ../../shared/spec/qix-engine-rpc.json -out schema.json

// schemaJSON is the trimmed QIX schema written by internal/schemagen: per
// class and method the parameters with their defaults (enigma.js schema
// 12.2027.0) and the result keys (OpenRPC 12.2528.0), the error message of
// every LOCERR code and the string enums.
//
//go:embed schema.json
var schemaJSON []byte

// paramSpec is one method parameter.
type paramSpec struct {
	Name     string
	Default  any // tree value
	Optional bool
}

// methodSpec is one method of one class.
type methodSpec struct {
	Class, Name string
	In          []paramSpec
	Out         []string // result keys, qReturn included when the method has one
}

// param returns the index of the parameter called name, or -1.
func (m *methodSpec) param(name string) int {
	for i, p := range m.In {
		if p.Name == name {
			return i
		}
	}
	return -1
}

// enumSpec is a string enum: short wire names, long names and constants.
type enumSpec struct {
	Name   string
	Short  []string
	Long   []string
	Consts []int
}

// parse accepts the short name, the long name or the integer constant and
// returns the short (wire) name.
func (e *enumSpec) parse(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		for i := range e.Short {
			if x == e.Short[i] || x == e.Long[i] {
				return e.Short[i], true
			}
		}
	case jsonNumber:
		if n, ok := x.int(); ok {
			for i, c := range e.Consts {
				if c == n {
					return e.Short[i], true
				}
			}
		}
	}
	return "", false
}

type schemaTables struct {
	methods map[string]map[string]*methodSpec
	errors  map[int]string
	enums   map[string]*enumSpec
}

var schema = mustLoadSchema(schemaJSON)

func mustLoadSchema(data []byte) *schemaTables {
	s, err := loadSchema(data)
	if err != nil {
		panic("BUG: embedded schema.json: " + err.Error())
	}
	return s
}

func loadSchema(data []byte) (*schemaTables, error) {
	var raw struct {
		Methods map[string]map[string]struct {
			In []struct {
				N string          `json:"n"`
				D json.RawMessage `json:"d"`
				O bool            `json:"o"`
			} `json:"in"`
			Out []string `json:"out"`
		} `json:"methods"`
		Errors map[string]string   `json:"errors"`
		Enums  map[string][][3]any `json:"enums"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	s := &schemaTables{methods: map[string]map[string]*methodSpec{}, errors: map[int]string{}, enums: map[string]*enumSpec{}}
	for class, methods := range raw.Methods {
		s.methods[class] = map[string]*methodSpec{}
		for name, m := range methods {
			ms := &methodSpec{Class: class, Name: name, Out: m.Out}
			for _, p := range m.In {
				def, err := parseJSON(p.D)
				if err != nil {
					return nil, fmt.Errorf("%s.%s default of %s: %w", class, name, p.N, err)
				}
				ms.In = append(ms.In, paramSpec{Name: p.N, Default: def, Optional: p.O})
			}
			s.methods[class][name] = ms
		}
	}
	for code, msg := range raw.Errors {
		c, err := strconv.Atoi(code)
		if err != nil {
			return nil, fmt.Errorf("error code %q: %w", code, err)
		}
		s.errors[c] = msg
	}
	for name, vals := range raw.Enums {
		e := &enumSpec{Name: name}
		for _, v := range vals {
			short, _ := v[0].(string)
			long, _ := v[1].(string)
			c, _ := v[2].(float64)
			e.Short = append(e.Short, short)
			e.Long = append(e.Long, long)
			e.Consts = append(e.Consts, int(c))
		}
		s.enums[name] = e
	}
	return s, nil
}

// method returns the spec of class.name, or nil.
func (s *schemaTables) method(class, name string) *methodSpec {
	return s.methods[class][name]
}

// enum returns the named enum; it panics for a name the schema lacks,
// which is a programming error.
func (s *schemaTables) enum(name string) *enumSpec {
	e, ok := s.enums[name]
	if !ok {
		panic("BUG: unknown enum " + name)
	}
	return e
}

// enumShort normalises an enum value to its short form, falling back to
// def when v is absent or not a value of the enum.
func enumShort(name string, v any, def string) string {
	if v == nil {
		return def
	}
	if s, ok := schema.enum(name).parse(v); ok {
		return s
	}
	return def
}

// messageFor returns the generic message of an error code.
func messageFor(code int) string {
	switch code {
	case errMethodNotFound:
		return "Method not found" // what the real engine sends
	case errInvalidParams:
		return "Invalid Params"
	}
	if m, ok := schema.errors[code]; ok {
		return m
	}
	return "Unknown error"
}
