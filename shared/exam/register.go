package exam

import (
	"context"
	"time"

	"github.com/zmed/exam-manager/shared/metrics"
)

// Register registers a new exam for an active patient.
type Register struct {
	Patients PatientFinder
	Exams    Creator
	Now      func() time.Time
	NewID    func() string
}

// Run checks the document, the exam code and the patient, then stores the exam as Registered.
func (r Register) Run(ctx context.Context, document string, t Type) (Exam, error) {
	// The cheap checks come first: a bad request costs no patient lookup.
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, err
	}
	if !t.Known() {
		return Exam{}, ErrUnknownExamType
	}
	p, err := findActivePatient(ctx, r.Patients, document)
	if err != nil {
		return Exam{}, err
	}
	now := r.Now().UTC()
	e := Exam{
		ID:              r.NewID(),
		PatientID:       p.ID,
		PatientDocument: p.Document,
		Type:            t,
		Status:          StatusRegistered,
		CreatedAt:       now,
		UpdatedAt:       now,
	}
	if err := r.Exams.Create(ctx, e); err != nil {
		return Exam{}, err
	}
	metrics.Emit(ctx, metrics.One(metrics.ExamsRegistered))
	return e, nil
}
