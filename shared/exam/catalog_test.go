package exam_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

// TestCatalogIsTheDocumented: the catalog is exactly docs/api.md's table,
// each code with its English name (the API's exam_name) and its Brazilian
// Portuguese one (exam_name_pt), accents included; other codes have neither.
func TestCatalogIsTheDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`(?m)^\| (\d+) \| ([^|]+) \| ([^|]+) \|$`).FindAllStringSubmatch(string(doc), -1)
	documented := map[exam.Type][2]string{}
	for _, r := range rows {
		code, _ := strconv.Atoi(r[1])
		documented[exam.Type(code)] = [2]string{r[2], r[3]}
	}
	if got := exam.Catalog(); len(got) != len(documented) || len(got) < 10 {
		t.Fatalf("catalog has %d codes, docs/api.md %d", len(got), len(documented))
	}
	for _, ty := range exam.Catalog() {
		if names := [2]string{ty.Name(), ty.NamePT()}; names != documented[ty] {
			t.Errorf("code %d: %q, docs/api.md says %q", ty, names, documented[ty])
		}
	}
	for _, ty := range []exam.Type{0, -1, 11, 9999} {
		if ty.Known() || ty.Name() != "" || ty.NamePT() != "" {
			t.Errorf("code %d is known or named", ty)
		}
	}
}
