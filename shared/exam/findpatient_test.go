package exam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// TestFindPatient: the card says what registration would do and which
// notice could reach the patient by the notifier's own rule: an SMS only to
// a verified Brazilian mobile, an e-mail only to a verified address.
func TestFindPatient(t *testing.T) {
	base := exam.Patient{ID: "p", Document: "74682489070", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09"}
	with := func(change func(*exam.Patient)) exam.Patient {
		p := base
		change(&p)
		return p
	}
	tests := []struct {
		name    string
		patient exam.Patient
		want    exam.PatientCard
	}{
		{"active, nothing verified", base, exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true}},
		{"pending", with(func(p *exam.Patient) { p.Status = exam.PatientPending }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientPending, BirthDate: "1987-03-09"}},
		{"inactive", with(func(p *exam.Patient) { p.Status, p.BirthDate = exam.PatientInactive, "" }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientInactive}},
		{"verified Brazilian mobile", with(func(p *exam.Patient) { p.Cellphone, p.CellphoneVerified = "+5511987654321", true }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true, SMS: true}},
		{"mobile not verified", with(func(p *exam.Patient) { p.Cellphone = "+5511987654321" }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true}},
		{"verified landline", with(func(p *exam.Patient) { p.Cellphone, p.CellphoneVerified = "+551133334444", true }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true}},
		{"verified foreign mobile", with(func(p *exam.Patient) { p.Cellphone, p.CellphoneVerified = "+14155550123", true }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true}},
		{"verified e-mail", with(func(p *exam.Patient) { p.Email, p.EmailVerified = "maria@example.com", true }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true, Email: true}},
		{"verified e-mail that is no address", with(func(p *exam.Patient) { p.Email, p.EmailVerified = "maria", true }),
			exam.PatientCard{ID: "p", Name: "Maria", Status: exam.PatientActive, BirthDate: "1987-03-09", CanRegister: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uc := exam.FindPatient{Patients: fakes.NewPatients(tt.patient)}
			got, err := uc.Run(context.Background(), "746.824.890-70")
			if err != nil || got != tt.want {
				t.Fatalf("Run = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestFindPatientRefusals(t *testing.T) {
	down := fakes.AllPatients()
	down.FailWith(errors.New("connection reset"))
	tests := []struct {
		name     string
		patients exam.PatientFinder
		document string
		want     error
	}{
		{"not a CPF", fakes.AllPatients(), "529.982.247-26", exam.ErrInvalidDocument},
		{"unknown", fakes.AllPatients(), "123.456.789-09", exam.ErrPatientNotFound},
		{"patient manager down", down, fakes.ActiveSMS.Document, exam.ErrDependency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := exam.FindPatient{Patients: tt.patients}.Run(context.Background(), tt.document)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
		})
	}
}
