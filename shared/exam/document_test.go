package exam_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

// punctuating is a patient manager that returns documents punctuated.
type punctuating struct{ exam.PatientFinder }

func (p punctuating) FindByDocument(ctx context.Context, digits string) (exam.Patient, error) {
	x, err := p.PatientFinder.FindByDocument(ctx, digits)
	if err == nil && len(x.Document) == 11 {
		d := x.Document
		x.Document = d[:3] + "." + d[3:6] + "." + d[6:9] + "-" + d[9:]
	}
	return x, err
}

// The exam keeps the 11 digits whatever form the patient manager returns, so
// the result path finds the patient again by them (docs/results.md).
func TestStoredDocumentIsDigits(t *testing.T) {
	d := newDomain()
	register := d.register()
	register.Patients = punctuating{d.patients}
	for _, document := range []string{"529.982.247-25", "52998224725"} {
		r, err := register.Run(context.Background(), attendant, exam.RegisterRequest{Document: document, Type: 1})
		if err != nil {
			t.Fatal(err)
		}
		if got := d.stored(t, r.Exam.ID).PatientDocument; got != fakes.ActiveSMS.Document {
			t.Fatalf("registered with %q, stored document %q, want %q", document, got, fakes.ActiveSMS.Document)
		}
	}
}

// An exam stored before documents were kept as digits still finds its patient.
func TestFinishFindsThePatientOfAPunctuatedStoredDocument(t *testing.T) {
	f := newFinishFixture(t)
	ctx := context.Background()
	now := f.clock.Now()
	old := exam.Exam{
		ID: uuid.NewString(), PatientID: fakes.ActiveSMS.ID, PatientDocument: "529.982.247-25", Type: 2,
		Status: exam.StatusStarted, CreatedAt: now, UpdatedAt: now, StartedAt: now,
	}
	if err := f.store.Create(ctx, old); err != nil {
		t.Fatal(err)
	}
	issuer, err := token.NewIssuer(examKey, time.Hour, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	examTok, err := issuer.IssueExamToken(exam.ExamClaims{ExamID: old.ID, PatientID: old.PatientID, ExamType: old.Type})
	if err != nil {
		t.Fatal(err)
	}
	resultTok, _ := token.MintResultToken(resultKey, old.ID, now, time.Hour)
	got, err := f.finish.Run(ctx, attendant, examTok, resultTok)
	if err != nil || got.Status != exam.StatusFinished || got.Notification.Status != exam.NotificationSent {
		t.Fatalf("finish: %+v, %v", got, err)
	}
}
