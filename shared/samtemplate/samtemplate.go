// Package samtemplate reads template.yaml (with CloudFormation's short-form
// tags) so that tests can hold the template and the code to each other.
package samtemplate

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v3"
)

// Template is a parsed SAM template: plain maps, slices and strings, with
// intrinsic functions in their long form ({"Ref": …}, {"Fn::Sub": …}).
type Template map[string]any

// Root returns the repository root (the folder holding go.mod).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Load parses the template at path.
func Load(path string) (Template, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	v, err := convert(&doc)
	if err != nil {
		return nil, err
	}
	t, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: not a mapping", path)
	}
	return t, nil
}

func convert(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		return convert(n.Content[0])
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := convert(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := convert(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		v = n.Value
	case yaml.AliasNode:
		return convert(n.Alias)
	}
	// CloudFormation short forms: !Ref X, !Sub …, !GetAtt A.B, !If […], …
	if tag := n.Tag; strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
		name := strings.TrimPrefix(tag, "!")
		if name == "Ref" {
			return map[string]any{"Ref": v}, nil
		}
		if name == "GetAtt" {
			if s, ok := v.(string); ok {
				v = strings.SplitN(s, ".", 2)
			}
		}
		return map[string]any{"Fn::" + name: v}, nil
	}
	return v, nil
}

// Resources returns the resources of type typ, by logical id.
func (t Template) Resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	resources, _ := t["Resources"].(map[string]any)
	for id, r := range resources {
		if m, ok := r.(map[string]any); ok && m["Type"] == typ {
			out[id] = m
		}
	}
	return out
}

// Get walks keys through nested maps; nil when a key is missing.
func Get(v any, keys ...string) any {
	if t, ok := v.(Template); ok {
		v = map[string]any(t)
	}
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// LogicalID is the function resource of a functions/ folder: register-exam → RegisterExamFunction.
func LogicalID(folder string) string {
	var b strings.Builder
	for _, part := range strings.Split(folder, "-") {
		if part == "" {
			continue
		}
		r := []rune(part)
		b.WriteRune(unicode.ToUpper(r[0]))
		b.WriteString(string(r[1:]))
	}
	return b.String() + "Function"
}

// Environment returns the variables a function gets: Globals, then its own.
func (t Template) Environment(logicalID string) map[string]any {
	env := map[string]any{}
	for _, src := range []any{
		Get(t, "Globals", "Function", "Environment", "Variables"),
		Get(t, "Resources", logicalID, "Properties", "Environment", "Variables"),
	} {
		if m, ok := src.(map[string]any); ok {
			for k, v := range m {
				env[k] = v
			}
		}
	}
	return env
}
