package cursor

import "github.com/zmed/exam-manager/shared/exam"

// ForListing is c as the list use case's port: positions are the domain's.
func ForListing(c Codec) exam.Cursors { return listing{c} }

type listing struct{ codec Codec }

func (l listing) Encode(patientID string, p exam.Position) string {
	return l.codec.Encode(patientID, Position(p))
}

func (l listing) Decode(patientID, cursor string) (exam.Position, error) {
	p, err := l.codec.Decode(patientID, cursor)
	return exam.Position(p), err
}
