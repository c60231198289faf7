package exam

import "context"

// Page sizes of the listing.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// List lists the exams of any patient the patient manager knows, newest first.
type List struct {
	Patients PatientFinder
	Exams    ExamLister
}

// Run returns one page of at most limit exams (1..MaxPageSize) after cursor ("" for the first page).
func (l List) Run(ctx context.Context, document string, limit int, cursor string) (Page, error) {
	if _, err := normalizeDocument(document); err != nil {
		return Page{}, err
	}
	if limit < 1 || limit > MaxPageSize {
		return Page{}, InvalidRequest("limit must be between 1 and 100")
	}
	p, err := findPatient(ctx, l.Patients, document)
	if err != nil {
		return Page{}, err
	}
	return l.Exams.ListByPatient(ctx, p.ID, limit, cursor)
}
