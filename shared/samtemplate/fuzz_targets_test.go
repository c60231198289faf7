package samtemplate

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// wantFuzzTargets are the fuzz targets issue 17 asks the project to keep, by
// package: every parser of client, S3 and patient-manager input, and each
// handler end to end.
var wantFuzzTargets = map[string][]string{
	"shared/cpf":              {"FuzzNormalize"},
	"shared/apigw":            {"FuzzAdapter"},
	"shared/httpapi":          {"FuzzRegister", "FuzzList", "FuzzStart", "FuzzRevoke", "FuzzCommunicate", "FuzzWorklist"},
	"shared/cursor":           {"FuzzDecode", "FuzzWorklistDecode"},
	"shared/token":            {"FuzzVerify", "FuzzClaims"},
	"shared/labelcode":        {"FuzzParse"},
	"shared/s3event":          {"FuzzKey"},
	"shared/s3results":        {"FuzzRead"},
	"shared/resultfiling":     {"FuzzHandle"},
	"shared/document":         {"FuzzFind"},
	"shared/document/pdfinfo": {"FuzzPDFInfo"},
	"shared/document/qrscan":  {"FuzzImageCodes", "FuzzPDFPageCodes"},
	"shared/patient":          {"FuzzFindByDocument"},
	"local/stack":             {"FuzzAPI"},
}

// TestFuzzTargetsAreKeptAndListed: each wanted target exists, and the README
// lists every target in the tree (make fuzz finds them by the same pattern)
// on a line naming its package.
func TestFuzzTargetsAreKeptAndListed(t *testing.T) {
	fuzzFunc := regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)
	found := map[string]bool{}
	err := filepath.WalkDir(Root(), func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != Root() && strings.HasPrefix(d.Name(), "."): // .venv, .tools, .git
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, "_test.go"):
			return nil
		}
		src, err := os.ReadFile(path)
		dir, _ := filepath.Rel(Root(), filepath.Dir(path))
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(src), -1) {
			found[filepath.ToSlash(dir)+" "+m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, names := range wantFuzzTargets {
		for _, name := range names {
			if !found[dir+" "+name] {
				t.Errorf("no fuzz target %s in %s", name, dir)
			}
		}
	}
	readme, err := os.ReadFile(filepath.Join(Root(), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	listed := regexp.MustCompile("(?m)^\\| `([a-z0-9/]+)` \\| `(Fuzz\\w+)` \\|")
	inReadme := map[string]bool{}
	for _, m := range listed.FindAllStringSubmatch(string(readme), -1) {
		inReadme[m[1]+" "+m[2]] = true
		if !found[m[1]+" "+m[2]] {
			t.Errorf("the README lists %s %s, which does not exist", m[1], m[2])
		}
	}
	for target := range found {
		if !inReadme[target] {
			t.Errorf("the README does not list the fuzz target %s", target)
		}
	}
}
