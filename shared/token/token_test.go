package token

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/exam"
)

var (
	examKey   = []byte("test-exam-token-key-0123456789abcdef")
	resultKey = []byte("test-result-token-key-0123456789abcdef")
	now       = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	claims    = exam.ExamClaims{ExamID: "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11", PatientID: "patient-1", ExamType: 3}
)

// service issues and verifies at a fixed time.
type service struct {
	*Issuer
	*Verifier
}

func newService(t testing.TB, at time.Time) service {
	t.Helper()
	now := func() time.Time { return at }
	i, err := NewIssuer(examKey, DefaultExamTokenTTL, now)
	if err != nil {
		t.Fatal(err)
	}
	v, err := NewVerifier(examKey, resultKey, now)
	if err != nil {
		t.Fatal(err)
	}
	return service{i, v}
}

func sign(t *testing.T, method jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func examMap(iss string, exp int64) jwt.MapClaims {
	c := jwt.MapClaims{"iss": iss, "exam_id": claims.ExamID, "patient_id": claims.PatientID, "exam_type": 3, "iat": now.Unix(), "jti": "x"}
	if exp != 0 {
		c["exp"] = exp
	}
	return c
}

func TestExamTokenRoundTrip(t *testing.T) {
	s := newService(t, now)
	tok, err := s.IssueExamToken(claims)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.VerifyExamToken(tok)
	if err != nil || got != claims {
		t.Fatalf("VerifyExamToken = %+v, %v; want %+v", got, err, claims)
	}
	// Still valid just before the 180 days run out, refused after.
	if _, err := newService(t, now.Add(DefaultExamTokenTTL-time.Minute)).VerifyExamToken(tok); err != nil {
		t.Fatalf("valid token refused before expiry: %v", err)
	}
	if _, err := newService(t, now.Add(DefaultExamTokenTTL+time.Minute)).VerifyExamToken(tok); !errors.Is(err, exam.ErrInvalidToken) {
		t.Fatalf("expired token accepted: %v", err)
	}
	var parsed jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok, &parsed); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"iss", "exam_id", "patient_id", "exam_type", "iat", "exp", "jti"} {
		if _, ok := parsed[k]; !ok {
			t.Errorf("exam token lacks claim %q", k)
		}
	}
}

func TestResultTokenRoundTrip(t *testing.T) {
	tok, err := MintResultToken(resultKey, claims.ExamID, now, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	got, err := newService(t, now).VerifyResultToken(tok)
	if err != nil || got.ExamID != claims.ExamID {
		t.Fatalf("VerifyResultToken = %+v, %v", got, err)
	}
}

func TestRefusedTokens(t *testing.T) {
	s := newService(t, now)
	exp := now.Add(time.Hour).Unix()
	examTok, _ := s.IssueExamToken(claims)
	resultTok, _ := MintResultToken(resultKey, claims.ExamID, now, time.Hour)
	header := func(alg string) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"` + alg + `","typ":"JWT"}`))
	}
	body := strings.Split(sign(t, jwt.SigningMethodHS256, examKey, examMap(ExamIssuer, exp)), ".")[1]

	tests := []struct {
		name   string
		token  string
		verify func(string) error
	}{
		{"alg none", header("none") + "." + body + ".", s.exam},
		{"alg none signed with none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, examMap(ExamIssuer, exp)), s.exam},
		{"HS512 with the right key", sign(t, jwt.SigningMethodHS512, examKey, examMap(ExamIssuer, exp)), s.exam},
		{"HS384 header on an HS256 signature", header("HS384") + "." + body + "." + strings.Split(sign(t, jwt.SigningMethodHS256, examKey, examMap(ExamIssuer, exp)), ".")[2], s.exam},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte("another-key-that-is-long-enough-0123456"), examMap(ExamIssuer, exp)), s.exam},
		{"expired", sign(t, jwt.SigningMethodHS256, examKey, examMap(ExamIssuer, now.Add(-time.Hour).Unix())), s.exam},
		{"no exp", sign(t, jwt.SigningMethodHS256, examKey, examMap(ExamIssuer, 0)), s.exam},
		{"wrong iss", sign(t, jwt.SigningMethodHS256, examKey, examMap("someone-else", exp)), s.exam},
		{"no iss", sign(t, jwt.SigningMethodHS256, examKey, examMap("", exp)), s.exam},
		{"exam token offered as a result token", examTok, s.result},
		{"result token offered as an exam token", resultTok, s.exam},
		{"result token signed with the exam key", sign(t, jwt.SigningMethodHS256, examKey, jwt.MapClaims{"iss": ResultIssuer, "exam_id": "x", "exp": exp}), s.result},
		{"exam claims signed with the result key", sign(t, jwt.SigningMethodHS256, resultKey, examMap(ExamIssuer, exp)), s.exam},
		{"exam token without exam_id", sign(t, jwt.SigningMethodHS256, examKey, jwt.MapClaims{"iss": ExamIssuer, "exp": exp}), s.exam},
		{"result token without exam_id", sign(t, jwt.SigningMethodHS256, resultKey, jwt.MapClaims{"iss": ResultIssuer, "exp": exp}), s.result},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, resultKey, jwt.MapClaims{"iss": ResultIssuer, "exam_id": "x", "exp": exp, "iat": now.Add(time.Hour).Unix()}), s.result},
		{"garbage", "not.a.jwt", s.exam},
		{"empty", "", s.result},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.verify(tt.token)
			if !errors.Is(err, exam.ErrInvalidToken) {
				t.Fatalf("err = %v, want ErrInvalidToken", err)
			}
			// Only a genuine token past its exp is expired (the result processing files it as token_expired).
			if expired := tt.name == "expired"; errors.Is(err, exam.ErrTokenExpired) != expired {
				t.Fatalf("err = %v: ErrTokenExpired is %v, want %v", err, !expired, expired)
			}
		})
	}
}

func (s service) exam(tok string) error   { _, err := s.VerifyExamToken(tok); return err }
func (s service) result(tok string) error { _, err := s.VerifyResultToken(tok); return err }

func TestKeys(t *testing.T) {
	short := []byte("0123456789abcdef0123456789abcde") // 31 bytes
	tests := []struct {
		name             string
		examK, resultK   []byte
		wantShort, wantE bool
	}{
		{"short exam key", short, resultKey, true, true},
		{"short result key", examKey, short, true, true},
		{"same key for both", examKey, examKey, false, true},
		{"good keys", examKey, resultKey, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewVerifier(tt.examK, tt.resultK, time.Now)
			if (err != nil) != tt.wantE || errors.Is(err, ErrShortKey) != tt.wantShort {
				t.Fatalf("New = %v", err)
			}
		})
	}
	if _, err := NewIssuer(short, time.Hour, time.Now); !errors.Is(err, ErrShortKey) {
		t.Fatalf("NewIssuer with a short key = %v", err)
	}
	for _, ttl := range []time.Duration{0, time.Hour - time.Second, 60 * 365 * 24 * time.Hour} {
		if _, err := NewIssuer(examKey, ttl, time.Now); err == nil {
			t.Fatalf("NewIssuer accepted a lifetime of %s: under an hour, or past what a label code can name", ttl)
		}
	}
	if _, err := MintResultToken(short, "x", now, time.Hour); !errors.Is(err, ErrShortKey) {
		t.Fatalf("MintResultToken with a short key = %v", err)
	}
}
