package token

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/tokentest"
)

// FuzzVerify: a token of either kind verifies only exactly as its key's
// holder signed it (no forgery, no second spelling), whatever its kid header
// names (its key, another, none, not a string); refusals are ErrInvalidToken.
// The verifier reads its keys again on an unknown kid, as in AWS.
func FuzzVerify(f *testing.F) {
	s := newService(f, now)
	examTok, _ := s.IssueExamToken(claims)
	labelCode, _ := s.IssueLabelCode(claims)
	resultTok, _ := MintResultToken(resultKey, claims.ExamID, now, time.Hour)
	withKid := func(key []byte, kid any) string {
		c := examMap(ExamIssuer, now.Add(time.Hour).Unix())
		t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
		if kid == nil {
			delete(t.Header, "kid")
		} else {
			t.Header["kid"] = kid
		}
		tok, _ := t.SignedString(key)
		return tok
	}
	for _, tok := range []string{examTok, labelCode, resultTok, examTok + "\n", labelCode[:len(labelCode)-1] + "0", resultTok[:len(resultTok)-1] + "h", "a.b.c", "",
		withKid(examKey, nil), withKid(examKey, "k0123456789abcdef"), withKid(examKey, 7), withKid(resultKey, nil)} {
		f.Add(tok)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		s := newReloadingService(t, now)
		if c, err := s.VerifyExamToken(tok); err == nil && c.Seal != nil {
			// A label code: it holds only for the exam the service made it for, as made.
			if c.Seal.Check(exam.Exam{ID: c.ExamID, PatientID: claims.PatientID, Type: claims.ExamType}) == nil && tok != labelCode {
				t.Fatalf("label code %q accepted but not as signed", tok)
			}
		} else if err == nil && !tokentest.SignedAsIs(examKey, tok) {
			t.Fatalf("exam token %q accepted but not as signed", tok)
		} else if err != nil && !errors.Is(err, exam.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
		if _, err := s.VerifyResultToken(tok); err == nil && !tokentest.SignedAsIs(resultKey, tok) {
			t.Fatalf("result token %q accepted but not as signed", tok)
		} else if err != nil && !errors.Is(err, exam.ErrInvalidToken) {
			t.Fatalf("err = %v", err)
		}
	})
}

// FuzzClaims signs any claims text with the result key: it verifies only if
// it is one JSON object whose claims, by exact name, have RFC 7519's types and
// ours (iss the execution team, exam_id a string, exp a number in the future).
func FuzzClaims(f *testing.F) {
	f.Add(`{"iss":"zmed-exam-execution","exam_id":"4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11","iat":1777600000,"exp":1777700000}`)
	f.Add(`{"iss":"zmed-exam-execution","eXAm_id":"0","eXp":1777700000}`)
	f.Add(`{"iss":"zmed-exam-execution","exam_id":"0","exp":"1777700000"}`)
	f.Add(`{"iss":"zmed-exam-execution","exam_id":"0","exam_id":"1","exp":1777700000}`)
	f.Add(`{"iss":"zmed-exam-execution","exam_id":"0","exp":1777700000}00`)
	f.Add(`{"iss":"zmed-exam-execution","exam_id":"0","exp":1.7777e9,"nbf":1777600000.5}`)
	f.Fuzz(func(t *testing.T, claimsJSON string) {
		got, err := newService(t, now).VerifyResultToken(signRaw(resultKey, claimsJSON))
		if err != nil {
			return
		}
		var c map[string]any
		dec := json.NewDecoder(bytes.NewReader([]byte(claimsJSON)))
		dec.UseNumber()
		if err := dec.Decode(&c); err != nil || dec.More() {
			t.Fatalf("accepted claims that are not one JSON object: %q", claimsJSON)
		}
		exp, isNumber := c["exp"].(json.Number)
		expAt, _ := exp.Float64()
		if c["iss"] != ResultIssuer || c["exam_id"] != got.ExamID || got.ExamID == "" || !isNumber || expAt < float64(now.Add(-time.Minute).Unix()) {
			t.Fatalf("accepted claims %q as %+v", claimsJSON, got)
		}
		for _, name := range []string{"iat", "nbf"} {
			if v, ok := c[name]; ok {
				if _, isNumber := v.(json.Number); !isNumber {
					t.Fatalf("accepted %s that is not a number: %q", name, claimsJSON)
				}
			}
		}
	})
}

// newReloadingService is newService with a verifier that reads its keys from
// a source, again on an unknown key id.
func newReloadingService(t testing.TB, at time.Time) service {
	t.Helper()
	s := newService(t, at)
	source := func(secret []byte) KeySource {
		return func(context.Context) ([]Key, error) {
			k, err := PlainKey(secret)
			return []Key{k}, err
		}
	}
	v, err := NewReloadingVerifier(context.Background(), source(examKey), source(resultKey), func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	return service{s.Issuer, v}
}
