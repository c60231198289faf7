package exam

import (
	"fmt"
	"slices"
)

// Type is an exam code of the clinic's catalog.
type Type int

var catalog = map[Type]string{
	1:  "Complete blood count",
	2:  "Lipid panel",
	3:  "Fasting glucose",
	4:  "Glycated hemoglobin (HbA1c)",
	5:  "Thyroid-stimulating hormone (TSH)",
	6:  "Urinalysis",
	7:  "Creatinine",
	8:  "Chest X-ray",
	9:  "Electrocardiogram",
	10: "Abdominal ultrasound",
}

// Name returns the catalog name of t, or "" when t is not in the catalog.
func (t Type) Name() string { return catalog[t] }

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
