package exam

import "context"

// Page sizes of the listing.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Cursors turn a position in a patient's listing into the opaque cursor a
// client holds, and back. Decode returns ErrInvalidCursor for a cursor not
// issued for that patient. Signing cursors is the API's concern, not storage's.
type Cursors interface {
	Encode(patientID string, p Position) string
	Decode(patientID, cursor string) (Position, error)
}

// Listing is one page of a patient's exams, newest first. NextCursor is empty
// on the last page. PatientID is whose exams they are (for the audit line).
type Listing struct {
	PatientID  string
	Exams      []Exam
	NextCursor string
}

// List lists the exams of any patient the patient manager knows, newest first.
type List struct {
	Patients PatientFinder
	Exams    Lister
	Cursors  Cursors
}

// Run returns one page of at most limit exams (1..MaxPageSize) after cursor ("" for the first page).
func (l List) Run(ctx context.Context, document string, limit int, cursor string) (Listing, error) {
	if _, err := normalizeDocument(document); err != nil {
		return Listing{}, err
	}
	if limit < 1 || limit > MaxPageSize {
		return Listing{}, InvalidRequest("limit must be between 1 and 100")
	}
	p, err := findPatient(ctx, l.Patients, document)
	if err != nil {
		return Listing{}, err
	}
	var after *Position
	if cursor != "" {
		pos, err := l.Cursors.Decode(p.ID, cursor)
		if err != nil {
			return Listing{}, err
		}
		after = &pos
	}
	page, err := l.Exams.ListByPatient(ctx, p.ID, limit, after)
	if err != nil {
		return Listing{}, err
	}
	listing := Listing{PatientID: p.ID, Exams: page.Exams}
	if page.Next != nil {
		listing.NextCursor = l.Cursors.Encode(p.ID, *page.Next)
	}
	return listing, nil
}
