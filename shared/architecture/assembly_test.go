package architecture

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestEachUseCaseIsAssembledOnce: outside tests, each use case is built in
// its composition root alone, which the Lambdas, the local stack and the bench
// all call, so that what they run (and the bench measures) is what ships.
func TestEachUseCaseIsAssembledOnce(t *testing.T) {
	roots := map[string]string{ // the use case's type → the folder that assembles it
		"exam.Finish":            "shared/wiring",
		"exam.Resend":            "shared/wiring",
		"exam.Register":          "shared/httpapi",
		"exam.Start":             "shared/httpapi",
		"exam.Revoke":            "shared/httpapi",
		"exam.List":              "shared/httpapi",
		"resultfiling.Processor": "shared/wiring/processresult",
		"reconcile.Reconciler":   "shared/wiring/reconcileresults",
	}
	found := map[string][]string{}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		ast.Inspect(file, func(n ast.Node) bool {
			if lit, ok := n.(*ast.CompositeLit); ok {
				if sel, ok := lit.Type.(*ast.SelectorExpr); ok {
					if pkg, ok := sel.X.(*ast.Ident); ok {
						name := pkg.Name + "." + sel.Sel.Name
						if _, ok := roots[name]; ok && !slices.Contains(found[name], filepath.ToSlash(rel)) {
							found[name] = append(found[name], filepath.ToSlash(rel))
						}
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range roots {
		if got := found[name]; !slices.Equal(got, []string{want}) {
			t.Errorf("%s is assembled in %v, want in %s alone", name, got, want)
		}
	}
}
