package token

import (
	"errors"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// TestLabelCodeRoundTrip: the label code the issuer makes is read as an exam
// token naming its exam, sealed; the seal holds for the exam as issued until
// the exam token would expire, and for no other patient or type. It is never
// a result token, and a JWT is never sealed.
func TestLabelCodeRoundTrip(t *testing.T) {
	s := newService(t, now)
	code, err := s.IssueLabelCode(claims)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.VerifyExamToken(code)
	if err != nil || got.ExamID != claims.ExamID || got.PatientID != "" || got.ExamType != 0 || got.Seal == nil {
		t.Fatalf("VerifyExamToken(label code) = %+v, %v; want the exam id, sealed", got, err)
	}
	stored := exam.Exam{ID: claims.ExamID, PatientID: claims.PatientID, Type: claims.ExamType}
	for _, tt := range []struct {
		name    string
		at      time.Time
		e       exam.Exam
		want    error
		expired bool
	}{
		{"as issued", now, stored, nil, false},
		{"until its exam token expires", now.Add(DefaultExamTokenTTL - time.Hour), stored, nil, false},
		{"not after", now.Add(DefaultExamTokenTTL), stored, exam.ErrTokenExpired, true},
		{"other patient", now, exam.Exam{ID: stored.ID, PatientID: "patient-2", Type: stored.Type}, exam.ErrInvalidToken, false},
		{"other type", now, exam.Exam{ID: stored.ID, PatientID: stored.PatientID, Type: 4}, exam.ErrInvalidToken, false},
	} {
		sealed, _ := newService(t, tt.at).VerifyExamToken(code)
		err := sealed.Seal.Check(tt.e)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) || errors.Is(err, exam.ErrTokenExpired) != tt.expired {
			t.Errorf("%s: Check = %v, want %v", tt.name, err, tt.want)
		}
	}
	if _, err := s.VerifyResultToken(code); !errors.Is(err, exam.ErrInvalidToken) {
		t.Errorf("a label code verified as a result token: %v", err)
	}
	jwt, _ := s.IssueExamToken(claims)
	if c, err := s.VerifyExamToken(jwt); err != nil || c.Seal != nil {
		t.Errorf("a JWT's claims: %+v, %v; want unsealed", c, err)
	}
}
