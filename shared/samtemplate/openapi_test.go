package samtemplate

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/httpapi"
)

// openAPI is what the tests read of docs/openapi.yaml.
type openAPI struct {
	Paths      map[string]map[string]any `yaml:"paths"`
	Components struct {
		Responses map[string]struct {
			Content map[string]struct {
				Schema struct {
					AllOf []struct {
						Properties struct {
							Error struct {
								Properties struct {
									Code struct {
										Enum []string `yaml:"enum"`
									} `yaml:"code"`
								} `yaml:"properties"`
							} `yaml:"error"`
						} `yaml:"properties"`
					} `yaml:"allOf"`
				} `yaml:"schema"`
			} `yaml:"content"`
		} `yaml:"responses"`
	} `yaml:"components"`
}

func loadOpenAPI(t *testing.T) openAPI {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(Root(), "docs", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc openAPI
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// operations are the routes the document describes.
func (d openAPI) operations() map[apigw.Route]bool {
	ops := map[apigw.Route]bool{}
	for path, item := range d.Paths {
		for m := range item {
			if slices.Contains(httpMethods, m) {
				ops[apigw.Route{Method: strings.ToUpper(m), Path: path}] = true
			}
		}
	}
	return ops
}

// TestOpenAPIDescribesTheRoutes: docs/openapi.yaml describes exactly the
// API's routes (the console's page and files are not part of the API), and its
// error responses, one per status, carry exactly the codes the API's error
// table gives that status.
func TestOpenAPIDescribesTheRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	described := doc.operations()
	served := map[apigw.Route]bool{}
	for _, e := range httpapi.Endpoints() {
		served[e.Route] = true
		if !described[e.Route] {
			t.Errorf("route %s (functions/%s) is not in docs/openapi.yaml", e.Route, e.Function)
		}
	}
	for _, r := range console.Routes() {
		if described[r] {
			t.Errorf("docs/openapi.yaml describes the console's %s, which is not an API route", r)
		}
	}
	for r := range described {
		if !served[r] {
			t.Errorf("docs/openapi.yaml describes %s, which no endpoint of httpapi.Endpoints serves", r)
		}
	}

	inDoc := map[int][]string{}
	for name, resp := range doc.Components.Responses {
		for _, part := range resp.Content["application/json"].Schema.AllOf {
			codes := part.Properties.Error.Properties.Code.Enum
			if len(codes) == 0 {
				continue
			}
			row, ok := apigw.ErrorRowOf(codes[0])
			if !ok {
				t.Errorf("response %s carries %s, which is not in the error table", name, codes[0])
				continue
			}
			if inDoc[row.Status] != nil {
				t.Errorf("two error responses for status %d", row.Status)
			}
			inDoc[row.Status] = codes
		}
	}
	inTable := map[int][]string{}
	for _, r := range apigw.ErrorTable {
		inTable[r.Status] = append(inTable[r.Status], r.Code)
	}
	for status, codes := range inTable {
		got := slices.Sorted(slices.Values(inDoc[status]))
		if want := slices.Sorted(slices.Values(codes)); !slices.Equal(got, want) {
			t.Errorf("docs/openapi.yaml: the %s response carries %v; the error table gives that status %v", strconv.Itoa(status), got, want)
		}
	}
	if len(inDoc) != len(inTable) {
		t.Errorf("docs/openapi.yaml has error responses for %d statuses, the error table %d", len(inDoc), len(inTable))
	}
}
