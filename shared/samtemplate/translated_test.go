package samtemplate

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
)

var translated struct {
	once sync.Once
	tpl  Template
	err  error
}

// loadTranslated returns the template as SAM translates it (the CloudFormation
// that is deployed: functions with their roles, versions, aliases and
// CodeDeploy groups), made by the same script make sam-check lints.
func loadTranslated(t *testing.T) Template {
	t.Helper()
	python := venvPython(t, "sam")
	translated.once.Do(func() {
		dir, err := os.MkdirTemp("", "zmed-translated-")
		if err != nil {
			translated.err = err
			return
		}
		defer os.RemoveAll(dir)
		out := filepath.Join(dir, "translated.json")
		cmd := exec.Command(python, filepath.Join(Root(), ".ci", "sam_translate.py"), filepath.Join(Root(), "template.yaml"), out)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PYTHONDONTWRITEBYTECODE=1"}
		if _, err := cmd.Output(); err != nil {
			translated.err = &scriptError{err, stderrOf(err)}
			return
		}
		// JSON is YAML: Load reads it as it reads template.yaml (scalars as strings).
		translated.tpl, translated.err = Load(out)
	})
	if translated.err != nil {
		t.Fatalf("translating template.yaml: %v", translated.err)
	}
	return translated.tpl
}

// onBothTemplates runs check on template.yaml and on its translation.
func onBothTemplates(t *testing.T, check func(t *testing.T, tpl Template)) {
	t.Run("template.yaml", func(t *testing.T) { check(t, load(t)) })
	t.Run("translated", func(t *testing.T) { check(t, loadTranslated(t)) })
}

// functionsOf returns the functions by logical id: the SAM functions of
// template.yaml, or the Lambda functions SAM made of them.
func functionsOf(tpl Template) map[string]map[string]any {
	if fns := tpl.Resources("AWS::Serverless::Function"); len(fns) > 0 {
		return fns
	}
	return tpl.Resources("AWS::Lambda::Function")
}

// functionProperty is a function's property as deployed: its own, else the
// Globals' (a translated template has merged them already).
func functionProperty(tpl Template, fn map[string]any, keys ...string) any {
	if v := Get(fn, append([]string{"Properties"}, keys...)...); v != nil {
		return v
	}
	return Get(tpl, append([]string{"Globals", "Function"}, keys...)...)
}

// ifBranches unwraps an Fn::If: its two branches, else v alone; AWS::NoValue is dropped.
func ifBranches(v any) []any {
	cond, ok := Get(v, "Fn::If").([]any)
	if !ok || len(cond) != 3 {
		return []any{v}
	}
	var out []any
	for _, b := range cond[1:] {
		if Get(b, "Ref") != "AWS::NoValue" {
			out = append(out, b)
		}
	}
	return out
}

var getAttDot = regexp.MustCompile(`Fn::GetAtt\(([A-Za-z0-9]+)\.`)

// flat is render with Fn::GetAtt written alike in both templates: Fn::GetAtt(Id,Attr).
func flat(v any) string {
	return getAttDot.ReplaceAllString(render(v), "Fn::GetAtt($1,")
}
