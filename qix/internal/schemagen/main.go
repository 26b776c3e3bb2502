// Command schemagen writes qix/schema.json, the trimmed QIX schema that
// package qix embeds: for the object classes a QIX client addresses, every
// method's parameters (name, default, optional) from the enigma.js schema
// and its result keys from the OpenRPC spec; the error messages per code;
// and the string enums with their short and long names.
//
// Usage (from qix/, see the go:generate line in schema.go):
//
//	go run ./internal/schemagen -enigma qix-schema.json -openrpc qix-engine-rpc.json -out schema.json
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// classes are the QIX object classes kept in the trimmed schema.
var classes = []string{"Global", "Doc", "GenericObject", "Field", "GenericBookmark",
	"GenericDimension", "GenericMeasure", "GenericVariable", "Variable"}

type enigmaSchema struct {
	Structs map[string]map[string]struct {
		In []struct {
			Name         string          `json:"Name"`
			DefaultValue json.RawMessage `json:"DefaultValue"`
			Optional     bool            `json:"Optional"`
		} `json:"In"`
		Out []struct {
			Name string `json:"Name"`
		} `json:"Out"`
	} `json:"structs"`
}

type openRPC struct {
	Methods []struct {
		Name   string `json:"name"`
		Params []struct {
			Name     string `json:"name"`
			Required bool   `json:"required"`
		} `json:"params"`
		Result struct {
			Schema struct {
				Properties json.RawMessage `json:"properties"`
			} `json:"schema"`
		} `json:"result"`
	} `json:"methods"`
	Components struct {
		Schemas map[string]struct {
			Type  string `json:"type"`
			OneOf []struct {
				Const       *int   `json:"x-qlik-const"`
				Title       string `json:"title"`
				Description string `json:"description"`
			} `json:"oneOf"`
		} `json:"schemas"`
		Errors map[string]struct {
			Code    *int   `json:"code"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"components"`
}

func main() {
	enigmaPath := flag.String("enigma", "", "enigma.js schema (qix-schema.json)")
	rpcPath := flag.String("openrpc", "", "OpenRPC spec (qix-engine-rpc.json)")
	out := flag.String("out", "schema.json", "output file")
	flag.Parse()
	if err := run(*enigmaPath, *rpcPath, *out); err != nil {
		fmt.Fprintln(os.Stderr, "schemagen:", err)
		os.Exit(1)
	}
}

func run(enigmaPath, rpcPath, out string) error {
	var en enigmaSchema
	if err := readJSON(enigmaPath, &en); err != nil {
		return err
	}
	var rpc openRPC
	if err := readJSON(rpcPath, &rpc); err != nil {
		return err
	}
	outs := map[string][]string{}
	for _, m := range rpc.Methods {
		keys, err := orderedKeys(m.Result.Schema.Properties)
		if err != nil {
			return fmt.Errorf("result of %s: %w", m.Name, err)
		}
		outs[m.Name] = keys
	}
	var b bytes.Buffer
	b.WriteString("{\n\"methods\":{")
	for ci, c := range classes {
		methods := en.Structs[c]
		if methods == nil {
			return fmt.Errorf("class %s missing from the enigma schema", c)
		}
		if ci > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n%q:{", c)
		names := make([]string, 0, len(methods))
		for n := range methods {
			names = append(names, n)
		}
		sort.Strings(names)
		for mi, n := range names {
			m := methods[n]
			if mi > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "\n %q:{\"in\":[", n)
			for pi, p := range m.In {
				if pi > 0 {
					b.WriteString(",")
				}
				def := p.DefaultValue
				if len(def) == 0 {
					def = json.RawMessage("null")
				}
				var cdef bytes.Buffer
				if err := json.Compact(&cdef, def); err != nil {
					return fmt.Errorf("%s.%s default of %s: %w", c, n, p.Name, err)
				}
				fmt.Fprintf(&b, "{\"n\":%q,\"d\":%s,\"o\":%t}", p.Name, cdef.Bytes(), p.Optional)
			}
			b.WriteString("],\"out\":")
			o, ok := outs[c+"."+n]
			if !ok {
				// enigma-only method: its named outs (qReturn unknown).
				for _, x := range m.Out {
					o = append(o, x.Name)
				}
			}
			if o == nil {
				o = []string{}
			}
			ob, _ := json.Marshal(o)
			b.Write(ob)
			b.WriteString("}")
		}
		b.WriteString("}")
	}
	b.WriteString("},\n\"errors\":{")
	type codeMsg struct {
		code int
		msg  string
	}
	var errs []codeMsg
	for name, e := range rpc.Components.Errors {
		if e.Code == nil || !strings.HasPrefix(name, "LOCERR_") {
			continue
		}
		errs = append(errs, codeMsg{*e.Code, e.Message})
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].code < errs[j].code })
	for i, e := range errs {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n%q:%q", strconv.Itoa(e.code), e.msg)
	}
	b.WriteString("},\n\"enums\":{")
	var enums []string
	for name, s := range rpc.Components.Schemas {
		if s.Type == "string" && len(s.OneOf) > 0 && name != "NxLocalizedErrorCode" {
			enums = append(enums, name)
		}
	}
	sort.Strings(enums)
	for i, name := range enums {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "\n%q:[", name)
		for j, v := range rpc.Components.Schemas[name].OneOf {
			if j > 0 {
				b.WriteString(",")
			}
			long := v.Description
			if long == "" || strings.ContainsAny(long, " \n") {
				long = v.Title
			}
			c := j
			if v.Const != nil {
				c = *v.Const
			}
			fmt.Fprintf(&b, "[%q,%q,%d]", v.Title, long, c)
		}
		b.WriteString("]")
	}
	b.WriteString("}\n}\n")
	var check any
	if err := json.Unmarshal(b.Bytes(), &check); err != nil {
		return fmt.Errorf("generated invalid JSON: %w", err)
	}
	return os.WriteFile(out, b.Bytes(), 0o644)
}

func readJSON(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("cannot parse %s: %w", path, err)
	}
	return nil
}

// orderedKeys returns the keys of a JSON object in document order.
func orderedKeys(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}
