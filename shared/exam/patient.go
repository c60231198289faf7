package exam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/zmed/exam-manager/shared/cpf"
)

// PatientStatus is the patient manager's status of a patient.
type PatientStatus string

// Patient statuses of the patient manager.
const (
	PatientPending  PatientStatus = "pending"
	PatientActive   PatientStatus = "active"
	PatientInactive PatientStatus = "inactive"
)

// Patient is what the exam manager needs of a patient-manager record.
type Patient struct {
	ID                string
	Document          string
	Name              string
	Status            PatientStatus
	Cellphone         string
	CellphoneVerified bool
	Email             string
	EmailVerified     bool
	// BirthDate is the day of birth as YYYY-MM-DD, "" when the patient
	// manager gives none or one that is not a date.
	BirthDate string
}

// Active reports whether p may have exams registered and started.
func (p Patient) Active() bool { return p.Status == PatientActive }

// CanGetSMS reports whether a result notice could be sent to p by SMS: a
// verified cellphone that is a Brazilian mobile.
func (p Patient) CanGetSMS() bool {
	return p.CellphoneVerified && brazilianMobile.MatchString(p.Cellphone)
}

// CanGetEmail reports whether a result notice could be sent to p by e-mail.
func (p Patient) CanGetEmail() bool {
	return p.EmailVerified && strings.Contains(p.Email, "@")
}

// PatientFinder finds a patient by the 11 digits of their CPF. It returns
// ErrPatientNotFound when the patient does not exist and an error wrapping
// ErrDependency when the patient manager cannot answer.
type PatientFinder interface {
	FindByDocument(ctx context.Context, document string) (Patient, error)
}

// normalizeDocument returns the 11 digits of a valid CPF, or ErrInvalidDocument.
func normalizeDocument(document string) (string, error) {
	digits, err := cpf.Normalize(document)
	if err != nil {
		return "", ErrInvalidDocument
	}
	return digits, nil
}

// findPatient validates the document and looks the patient up.
func findPatient(ctx context.Context, patients PatientFinder, document string) (Patient, error) {
	digits, err := normalizeDocument(document)
	if err != nil {
		return Patient{}, err
	}
	return lookUp(ctx, patients, digits)
}

// findActivePatient is findPatient for actions only an active patient may take.
func findActivePatient(ctx context.Context, patients PatientFinder, document string) (Patient, error) {
	p, err := findPatient(ctx, patients, document)
	if err != nil {
		return Patient{}, err
	}
	if !p.Active() {
		return Patient{}, ErrPatientNotActive
	}
	return p, nil
}

func lookUp(ctx context.Context, patients PatientFinder, digits string) (Patient, error) {
	p, err := patients.FindByDocument(ctx, digits)
	switch {
	case err == nil:
		return p, nil
	case errors.Is(err, ErrPatientNotFound):
		return Patient{}, ErrPatientNotFound
	case errors.Is(err, ErrDependency):
		return Patient{}, err
	default:
		return Patient{}, fmt.Errorf("%w: patient manager: %w", ErrDependency, err)
	}
}
