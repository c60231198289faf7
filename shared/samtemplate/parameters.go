package samtemplate

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// CheckParameter applies a parameter's constraints to value as CloudFormation
// does before it creates anything: AllowedValues, AllowedPattern (matched
// against the whole value) for a String, MinValue and MaxValue for a Number.
func (t Template) CheckParameter(name, value string) error {
	p, ok := Get(t, "Parameters", name).(map[string]any)
	if !ok {
		return fmt.Errorf("no parameter %s", name)
	}
	if allowed, ok := p["AllowedValues"].([]any); ok && !slices.Contains(allowed, any(value)) {
		return fmt.Errorf("%s=%q is not one of %v", name, value, allowed)
	}
	if pattern, ok := p["AllowedPattern"].(string); ok {
		re, err := regexp.Compile(`^(?:` + pattern + `)$`)
		if err != nil {
			return fmt.Errorf("%s's AllowedPattern: %w", name, err)
		}
		if !re.MatchString(value) {
			return fmt.Errorf("%s=%q does not match %s", name, value, pattern)
		}
	}
	if p["Type"] != "Number" {
		return nil
	}
	n, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return fmt.Errorf("%s=%q is not a number", name, value)
	}
	for bound, outside := range map[string]func(n, b float64) bool{
		"MinValue": func(n, b float64) bool { return n < b },
		"MaxValue": func(n, b float64) bool { return n > b },
	} {
		s, ok := p[bound].(string)
		if !ok {
			continue
		}
		b, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("%s's %s %q is not a number", name, bound, s)
		}
		if outside(n, b) {
			return fmt.Errorf("%s=%s is outside its %s %s", name, value, bound, s)
		}
	}
	return nil
}
