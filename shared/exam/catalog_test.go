package exam_test

import (
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

// TestCatalogNames: each code has its English name (the API's exam_name) and
// its Brazilian Portuguese one (for people), accents included; other codes
// have neither.
func TestCatalogNames(t *testing.T) {
	want := map[exam.Type][2]string{
		1:  {"Complete blood count", "Hemograma completo"},
		2:  {"Lipid panel", "Perfil lipídico"},
		3:  {"Fasting glucose", "Glicemia de jejum"},
		4:  {"Glycated hemoglobin (HbA1c)", "Hemoglobina glicada (HbA1c)"},
		5:  {"Thyroid-stimulating hormone (TSH)", "Hormônio tireoestimulante (TSH)"},
		6:  {"Urinalysis", "Urina tipo 1 (EAS)"},
		7:  {"Creatinine", "Creatinina"},
		8:  {"Chest X-ray", "Radiografia de tórax"},
		9:  {"Electrocardiogram", "Eletrocardiograma"},
		10: {"Abdominal ultrasound", "Ultrassonografia de abdome total"},
	}
	if got := exam.Catalog(); len(got) != len(want) {
		t.Fatalf("catalog has %d codes, want %d", len(got), len(want))
	}
	for _, ty := range exam.Catalog() {
		if names := [2]string{ty.Name(), ty.NamePT()}; names != want[ty] {
			t.Errorf("code %d: %q, want %q", ty, names, want[ty])
		}
	}
	for _, ty := range []exam.Type{0, -1, 11, 9999} {
		if ty.Known() || ty.Name() != "" || ty.NamePT() != "" {
			t.Errorf("code %d is known or named", ty)
		}
	}
}
