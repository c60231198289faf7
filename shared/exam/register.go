package exam

import (
	"context"
	"errors"
	"time"
)

// Register registers a new exam for an active patient.
type Register struct {
	Patients PatientFinder
	Exams    Creator
	Now      func() time.Time
	NewID    func() string
	Observer Observer // the logs and metrics of each register; nil tells nobody
}

// RegisterRequest is what a register asks for. Idempotency is zero unless the
// caller sent an Idempotency-Key.
type RegisterRequest struct {
	Document    string
	Type        Type
	Idempotency IdempotencyKey
}

// Registered is what a register answers: the exam, and whether it was created
// by an earlier request with the same idempotency key (a replay).
type Registered struct {
	Exam     Exam
	Replayed bool
}

// Run checks the document, the exam code and the patient, then stores the exam
// as Registered by the actor. With an idempotency key (in the actor's scope), the exam's id derives from it: a retry
// finds the exam its first attempt stored and answers it again, and a key used
// for another document or exam type is ErrIdempotencyKeyReused.
func (r Register) Run(ctx context.Context, by Actor, req RegisterRequest) (Registered, error) {
	if err := requireActor(by); err != nil {
		return Registered{}, err
	}
	t, idem := req.Type, req.Idempotency
	// The cheap checks come first: a bad request costs no patient lookup.
	digits, err := normalizeDocument(req.Document)
	if err != nil {
		return Registered{}, err
	}
	if !t.Known() {
		return Registered{}, ErrUnknownExamType
	}
	if idem.Key != "" && !ValidIdempotencyKey(idem.Key) {
		return Registered{}, InvalidRequest("Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -")
	}
	p, err := findActivePatient(ctx, r.Patients, digits)
	if err != nil {
		return Registered{}, err
	}
	id := r.NewID()
	if idem.Key != "" {
		id = IdempotentExamID(idem.Scope, idem.Key)
	}
	now := r.Now().UTC()
	e := Exam{
		ID:        id,
		PatientID: p.ID,
		// The digits the patient was found by, whatever form the patient
		// manager returns: the result path looks the patient up by them again.
		PatientDocument: digits,
		// The name the patient manager just answered: the worklist shows it
		// without asking again.
		PatientName: p.Name,
		Type:        t,
		Status:      StatusRegistered,
		CreatedAt:   now,
		UpdatedAt:   now,
		History:     []HistoryEntry{{Status: StatusRegistered, At: now, By: by}},
	}
	err = r.Exams.Create(ctx, e)
	var exists *ExistsError
	switch {
	case err == nil:
		observerOr(r.Observer).ExamRegistered(ctx)
		return Registered{Exam: e}, nil
	case idem.Key != "" && errors.As(err, &exists):
		return replay(exists.Current, e)
	}
	return Registered{}, err
}

// replay answers a register whose idempotency key names the stored exam: the
// same request again gets the same exam, another request with the key is refused.
func replay(stored, asked Exam) (Registered, error) {
	if stored.PatientID != asked.PatientID || stored.Type != asked.Type {
		return Registered{}, ErrIdempotencyKeyReused
	}
	return Registered{Exam: stored, Replayed: true}, nil
}
