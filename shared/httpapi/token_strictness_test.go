package httpapi

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

// TestReSpelledResultTokenIsNotASecondResult: after a 200, the same result
// token re-spelled (a line break in its signature, or a last character
// differing only in unused bits) is refused as a token; it was a second result
// (409 INVALID_TRANSITION) before.
func TestReSpelledResultTokenIsNotASecondResult(t *testing.T) {
	h := newHarness(t)
	id, examTok := h.started(fakes.ActiveSMS, 2)
	resultTok := h.resultToken(id)
	communicate := func(result string) reply {
		return h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": examTok, "result_token": result})))
	}
	communicate(resultTok).expect(t, 200, "")
	sig := strings.LastIndex(resultTok, ".") + 1
	for name, respelled := range map[string]string{
		"line feed in the signature":            resultTok[:sig+4] + "\n" + resultTok[sig+4:],
		"unused bits of the last character set": resultTok[:len(resultTok)-1] + respell(resultTok[len(resultTok)-1]),
	} {
		t.Run(name, func(t *testing.T) { communicate(respelled).expect(t, 422, "INVALID_TOKEN") })
	}
	communicate(resultTok).expect(t, 200, "")
	if n := len(h.notifier.Sent()); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
}

// TestClaimsOfAnotherCaseOrTypeAre422: claim names are case-sensitive and
// exp a number (RFC 7519), in the result token as in the exam token.
func TestClaimsOfAnotherCaseOrTypeAre422(t *testing.T) {
	exp := epoch.Add(time.Hour).Unix()
	sign := func(key []byte, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name string
		// make returns the exam and result tokens for the started exam id of patient.
		make func(id, examTok, resultTok string) (string, string)
	}{
		{"result token with eXAm_id and eXp", func(id, e, _ string) (string, string) {
			return e, sign(resultKey, jwt.MapClaims{"iss": token.ResultIssuer, "eXAm_id": id, "eXp": exp})
		}},
		{"result token with exp a string", func(id, e, _ string) (string, string) {
			return e, sign(resultKey, jwt.MapClaims{"iss": token.ResultIssuer, "exam_id": id, "exp": strconv.FormatInt(exp, 10)})
		}},
		{"exam token with Patient_Id", func(id, _, r string) (string, string) {
			return sign(examKey, jwt.MapClaims{"iss": token.ExamIssuer, "exam_id": id, "Patient_Id": fakes.ActiveSMS.ID, "exam_type": 2, "exp": exp}), r
		}},
		{"exam token with exam_type a string", func(id, _, r string) (string, string) {
			return sign(examKey, jwt.MapClaims{"iss": token.ExamIssuer, "exam_id": id, "patient_id": fakes.ActiveSMS.ID, "exam_type": "2", "exp": exp}), r
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			id, examTok := h.started(fakes.ActiveSMS, 2)
			e, r := tt.make(id, examTok, h.resultToken(id))
			h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": e, "result_token": r}))).expect(t, 422, "INVALID_TOKEN")
			if got := h.stored(id).Status; got != exam.StatusStarted {
				t.Fatalf("exam is %s", got)
			}
		})
	}
}
