package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

const base64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// respellings are other spellings of tok that lenient base64url decoding takes
// for the same bytes: line breaks, padding, and a last character whose unused
// low bits differ.
func respellings(tok string) map[string]string {
	sig := strings.LastIndex(tok, ".") + 1
	last := tok[len(tok)-1]
	flipped := base64URL[strings.IndexByte(base64URL, last)^1]
	return map[string]string{
		"line feed in the signature":       tok[:sig+5] + "\n" + tok[sig+5:],
		"CR LF in the signature":           tok[:sig+5] + "\r\n" + tok[sig+5:],
		"line feed in the claims":          strings.Replace(tok, ".", ".\n", 1),
		"trailing line feed":               tok + "\n",
		"padding":                          tok + "=",
		"last character's unused bits set": tok[:len(tok)-1] + string(flipped),
	}
}

func TestReSpelledTokensAreRefused(t *testing.T) {
	s := newService(t, now)
	examTok, err := s.IssueExamToken(claims)
	if err != nil {
		t.Fatal(err)
	}
	resultTok, err := MintResultToken(resultKey, claims.ExamID, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	for kind, tc := range map[string]struct {
		tok    string
		verify func(string) error
	}{"exam": {examTok, s.exam}, "result": {resultTok, s.result}} {
		if err := tc.verify(tc.tok); err != nil {
			t.Fatalf("%s token as issued refused: %v", kind, err)
		}
		for name, respelled := range respellings(tc.tok) {
			t.Run(kind+"/"+name, func(t *testing.T) {
				if err := tc.verify(respelled); !errors.Is(err, exam.ErrInvalidToken) {
					t.Fatalf("re-spelled token %q accepted (err %v)", respelled, err)
				}
			})
		}
	}
}

// signRaw signs the claims JSON exactly as given, so that a test can send
// member names, types and duplicates no JSON encoder would produce.
func signRaw(key []byte, claimsJSON string) string {
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString([]byte(claimsJSON))
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(unsigned))
	return unsigned + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestClaimsAreExact(t *testing.T) {
	s := newService(t, now)
	const id = `"4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11"`
	exp, iat := "1777700000", "1777600000" // after and before now
	result := func(members string) string { return signRaw(resultKey, "{"+members+"}") }
	examTok := func(members string) string { return signRaw(examKey, "{"+members+"}") }
	const examBase = `"iss":"zmed-exam-manager","exam_id":` + id + `,"patient_id":"patient-1","jti":"j-1"`

	// The well-formed tokens verify, so each refusal below is the one change it makes.
	if _, err := s.VerifyResultToken(result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"iat":` + iat + `,"exp":` + exp)); err != nil {
		t.Fatalf("well-formed result token refused: %v", err)
	}
	if _, err := s.VerifyExamToken(examTok(examBase + `,"exam_type":3,"iat":` + iat + `,"exp":` + exp)); err != nil {
		t.Fatalf("well-formed exam token refused: %v", err)
	}
	tests := []struct {
		name   string
		token  string
		verify func(string) error
	}{
		{"case-altered exam_id and exp", result(`"iss":"zmed-exam-execution","eXAm_id":"0","eXp":` + exp), s.result},
		{"case-altered exam_id", result(`"iss":"zmed-exam-execution","Exam_ID":` + id + `,"exp":` + exp), s.result},
		{"case-altered iss", result(`"ISS":"zmed-exam-execution","exam_id":` + id + `,"exp":` + exp), s.result},
		{"exp as a string", result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"exp":"` + exp + `"`), s.result},
		{"iat as a string", result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"iat":"` + iat + `","exp":` + exp), s.result},
		{"nbf as a string", result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"nbf":"` + iat + `","exp":` + exp), s.result},
		{"exam_id as a number", result(`"iss":"zmed-exam-execution","exam_id":7,"exp":` + exp), s.result},
		{"exam_id twice", result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"exam_id":"other","exp":` + exp), s.result},
		{"exp twice", result(`"iss":"zmed-exam-execution","exam_id":` + id + `,"exp":1,"exp":` + exp), s.result},
		{"claims followed by data", signRaw(resultKey, `{"iss":"zmed-exam-execution","exam_id":`+id+`,"exp":`+exp+`}00`), s.result},
		{"claims not an object", signRaw(resultKey, `["iss","zmed-exam-execution"]`), s.result},
		{"case-altered exam_type", examTok(examBase + `,"Exam_Type":3,"exp":` + exp), s.exam},
		{"exam_type as a string", examTok(examBase + `,"exam_type":"3","exp":` + exp), s.exam},
		{"exam_type a fraction", examTok(examBase + `,"exam_type":3.5,"exp":` + exp), s.exam},
		{"case-altered patient_id", examTok(`"iss":"zmed-exam-manager","exam_id":` + id + `,"PATIENT_ID":"patient-1","exam_type":3,"exp":` + exp), s.exam},
		{"jti as a number", examTok(`"iss":"zmed-exam-manager","exam_id":` + id + `,"patient_id":"patient-1","jti":5,"exam_type":3,"exp":` + exp), s.exam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.verify(tt.token); !errors.Is(err, exam.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
		})
	}
}
