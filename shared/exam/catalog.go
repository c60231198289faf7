package exam

import (
	"fmt"
	"slices"
)

// Type is an exam code of the clinic's catalog.
type Type int

// names are an exam type's names: English for the API's exam_name, Brazilian
// Portuguese for the people at the desk and the patients.
type names struct{ en, pt string }

var catalog = map[Type]names{
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

// Name returns the catalog name of t, or "" when t is not in the catalog.
func (t Type) Name() string { return catalog[t].en }

// NamePT returns the Portuguese catalog name of t, or "" when t is not in the catalog.
func (t Type) NamePT() string { return catalog[t].pt }

// Known reports whether t is in the catalog.
func (t Type) Known() bool {
	_, ok := catalog[t]
	return ok
}

func (t Type) String() string { return fmt.Sprintf("%d", int(t)) }

// Catalog lists the catalog's codes in ascending order (the console offers them).
func Catalog() []Type {
	types := make([]Type, 0, len(catalog))
	for t := range catalog {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}
