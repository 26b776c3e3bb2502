package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ConfigFlag is the flag (and, as ASSOC_CONFIG, the variable) that names
// the YAML configuration file.
const ConfigFlag = "config"

// maxFileBytes bounds the configuration file.
const maxFileBytes = 4 << 20

// FileKey maps a key of the YAML file, a dotted path such as
// "mongodb.uri", to the flag it sets.
type FileKey struct {
	Path string
	Flag string
}

// File is a YAML configuration file: the keys of the Helm chart's values
// (devMode.enabled, engine.acceptEULA, identity-providers.secrets.idpConfigs,
// mongodb.uri, licenses.proxy.uri, ...). Keys that map to flags set them;
// some keys (the identity providers, inline PEM certificates) are read by
// the command itself; chart-only keys are accepted and ignored.
type File struct {
	// Path is where the file was read from.
	Path string
	root *yaml.Node
}

// LoadFile reads a configuration file.
func LoadFile(path string) (*File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the configuration file: %w", err)
	}
	if fi.Size() > maxFileBytes {
		return nil, fmt.Errorf("cannot read the configuration file %s: it has %d bytes, more than the %d allowed", path, fi.Size(), maxFileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the configuration file: %w", err)
	}
	f, err := ParseFile(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// ParseFile reads a configuration from YAML. An empty document is an
// empty configuration; anything but a mapping at the top is an error.
func ParseFile(data []byte) (*File, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("cannot read the configuration: %d bytes is more than the %d allowed", len(data), maxFileBytes)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("cannot read the configuration: %w", err)
	}
	f := &File{}
	if len(doc.Content) == 0 {
		return f, nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("cannot read the configuration: line %d: want a mapping of keys (as in the chart's values.yaml)", root.Line)
	}
	f.root = root
	return f, nil
}

// Lookup returns the node at a dotted path, or nil. A key that itself
// contains dots (identity-providers is fine; "a.b" is not) cannot be
// looked up.
func (f *File) Lookup(path string) *yaml.Node {
	if f == nil || f.root == nil {
		return nil
	}
	n := f.root
	for key := range strings.SplitSeq(path, ".") {
		if n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil {
			return nil
		}
		n = next
		for n.Kind == yaml.AliasNode && n.Alias != nil {
			n = n.Alias
		}
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	return n
}

// String returns the scalar at a dotted path; ok is false when the key
// is absent (or null), and err says why a present key is not a scalar.
func (f *File) String(path string) (s string, ok bool, err error) {
	n := f.Lookup(path)
	if n == nil {
		return "", false, nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", false, fmt.Errorf("line %d: %s must be a single value", n.Line, path)
	}
	return n.Value, true, nil
}

// Section re-encodes the node at a dotted path as YAML (nil when absent),
// for a reader of its own (the identity provider list).
func (f *File) Section(path string) ([]byte, error) {
	n := f.Lookup(path)
	if n == nil {
		return nil, nil
	}
	out, err := yaml.Marshal(n)
	if err != nil {
		return nil, fmt.Errorf("cannot re-encode %s: %w", path, err)
	}
	return out, nil
}

// apply sets, from the file, every flag of keys that is in fs and not in
// set (flags already set on the command line or by the environment win).
// A list (a YAML sequence) sets a repeatable flag once per item.
func (f *File) apply(fs *flag.FlagSet, keys []FileKey, set map[string]bool) error {
	var errs []error
	for _, k := range keys {
		fl := fs.Lookup(k.Flag)
		if fl == nil || set[k.Flag] {
			continue
		}
		n := f.Lookup(k.Path)
		if n == nil {
			continue
		}
		var vals []string
		switch n.Kind {
		case yaml.ScalarNode:
			vals = []string{n.Value}
		case yaml.SequenceNode:
			if !isList(fl.Value) {
				errs = append(errs, fmt.Errorf("line %d: %s must be a single value, not a list", n.Line, k.Path))
				continue
			}
			for _, item := range n.Content {
				if item.Kind != yaml.ScalarNode {
					errs = append(errs, fmt.Errorf("line %d: the items of %s must be single values", item.Line, k.Path))
					continue
				}
				vals = append(vals, item.Value)
			}
		default:
			errs = append(errs, fmt.Errorf("line %d: %s must be a single value or a list", n.Line, k.Path))
			continue
		}
		switch lv := fl.Value.(type) {
		case *listValue:
			*lv = nil
		case *commaListValue:
			*lv = nil
		}
		for _, v := range vals {
			if err := fl.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("line %d: %s (--%s) %q: %w", n.Line, k.Path, k.Flag, v, err))
				break
			}
		}
		set[k.Flag] = true
	}
	return errors.Join(errs...)
}

// Unknown lists the keys under the given top-level sections that are
// neither in keys nor in known (dotted paths the command reads itself or
// that only the chart uses), for a warning: a misspelt key would
// otherwise be ignored without a word.
func (f *File) Unknown(sections []string, keys []FileKey, known []string) []string {
	if f == nil || f.root == nil {
		return nil
	}
	covered := func(path string) bool {
		for _, k := range keys {
			if k.Path == path || strings.HasPrefix(k.Path, path+".") || strings.HasPrefix(path, k.Path+".") {
				return true
			}
		}
		for _, k := range known {
			if k == path || strings.HasPrefix(k, path+".") || strings.HasPrefix(path, k+".") {
				return true
			}
		}
		return false
	}
	var out []string
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			path := n.Content[i].Value
			if prefix != "" {
				path = prefix + "." + path
			}
			if !covered(path) {
				out = append(out, path)
				continue
			}
			walk(n.Content[i+1], path)
		}
	}
	for i := 0; i+1 < len(f.root.Content); i += 2 {
		name := f.root.Content[i].Value
		if slices.Contains(sections, name) {
			walk(f.root.Content[i+1], name)
		}
	}
	return out
}

func isList(v flag.Value) bool {
	switch v.(type) {
	case *listValue, *commaListValue:
		return true
	}
	return false
}
