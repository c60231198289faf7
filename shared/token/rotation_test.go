package token

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// TestRotation: after a rotation the verifier takes the current key and the
// one before it, so tokens signed before the rotation still verify; a token
// signed with neither does not, and a verifier of the current key alone
// refuses the old tokens.
func TestRotation(t *testing.T) {
	at := func() time.Time { return now }
	key := func(name string) []byte { return []byte(name + strings.Repeat("-", 40)) }
	oldExam, newExam, oldResult, newResult, stranger := key("old-exam"), key("new-exam"), key("old-result"), key("new-result"), key("stranger")

	examToken := func(k []byte) string {
		i, err := NewIssuer(k, DefaultExamTokenTTL, at)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := i.IssueExamToken(claims)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	labelCode := func(k []byte) string {
		i, err := NewIssuer(k, DefaultExamTokenTTL, at)
		if err != nil {
			t.Fatal(err)
		}
		code, err := i.IssueLabelCode(claims)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	resultToken := func(k []byte) string {
		tok, err := MintResultToken(k, claims.ExamID, now, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	rotated, err := NewRotatingVerifier([][]byte{newExam, oldExam}, [][]byte{newResult, oldResult}, at)
	if err != nil {
		t.Fatal(err)
	}
	current, err := NewVerifier(newExam, newResult, at)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name               string
		v                  *Verifier
		examKey, resultKey []byte
		examOK, resultOK   bool
	}{
		{"signed after the rotation", rotated, newExam, newResult, true, true},
		{"signed before the rotation", rotated, oldExam, oldResult, true, true},
		{"signed with neither key", rotated, stranger, stranger, false, false},
		{"the current key alone refuses the old tokens", current, oldExam, oldResult, false, false},
		{"an exam key never verifies a result token", rotated, oldResult, oldExam, false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.v.VerifyExamToken(examToken(tt.examKey)); (err == nil) != tt.examOK || (err != nil && !errors.Is(err, exam.ErrInvalidToken)) {
				t.Errorf("exam token: %v, want accepted %v", err, tt.examOK)
			}
			sealed, err := tt.v.VerifyExamToken(labelCode(tt.examKey))
			if err == nil {
				err = sealed.Seal.Check(exam.Exam{ID: claims.ExamID, PatientID: claims.PatientID, Type: claims.ExamType})
			}
			if (err == nil) != tt.examOK || (err != nil && !errors.Is(err, exam.ErrInvalidToken)) {
				t.Errorf("label code: %v, want accepted %v", err, tt.examOK)
			}
			if _, err := tt.v.VerifyResultToken(resultToken(tt.resultKey)); (err == nil) != tt.resultOK || (err != nil && !errors.Is(err, exam.ErrInvalidToken)) {
				t.Errorf("result token: %v, want accepted %v", err, tt.resultOK)
			}
		})
	}

	for _, bad := range []struct {
		name                 string
		examKeys, resultKeys [][]byte
	}{
		{"a previous exam key that is a result key", [][]byte{newExam, newResult}, [][]byte{newResult}},
		{"no result key", [][]byte{newExam}, nil},
		{"a short previous key", [][]byte{newExam, []byte("short")}, [][]byte{newResult}},
	} {
		if _, err := NewRotatingVerifier(bad.examKeys, bad.resultKeys, at); err == nil {
			t.Errorf("%s: accepted", bad.name)
		}
	}
}
