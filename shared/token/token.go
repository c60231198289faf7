// Package token issues and verifies the two JWTs of the exam manager, both HS256:
// the exam token (issued at start with the exam key) and the result token
// (issued by the exam execution team with its own key). Verification pins the
// algorithm, requires exp, checks iss, and so refuses a token of the other kind.
// The exam token has a second form, the label code (shared/labelcode), made
// with the same key and lifetime and accepted wherever the JWT is. Every
// token names the key that made it (keys.go), so that a verifier holding the
// current and the previous key of a rotating secret picks the right one, and
// reads the secret again when the named key is newer than its start (ring.go).
package token

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/base64url"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/strictjson"
)

// Issuers of the two kinds of token.
const (
	ExamIssuer   = "zmed-exam-manager"
	ResultIssuer = "zmed-exam-execution"
)

// MinKeyLen is the shortest key accepted, in bytes (the HS256 output size).
const MinKeyLen = 32

// DefaultExamTokenTTL is how long an exam token is valid by default.
const DefaultExamTokenTTL = 180 * 24 * time.Hour

// ErrShortKey is returned for a key under MinKeyLen bytes.
var ErrShortKey = fmt.Errorf("token key must be at least %d bytes", MinKeyLen)

// CheckKey refuses keys too short for HS256.
func CheckKey(key []byte) error {
	if len(key) < MinKeyLen {
		return ErrShortKey
	}
	return nil
}

type examClaims struct {
	ExamID    string `json:"exam_id"`
	PatientID string `json:"patient_id"`
	ExamType  int    `json:"exam_type"`
	jwt.RegisteredClaims
}

type resultClaims struct {
	ExamID string `json:"exam_id"`
	jwt.RegisteredClaims
}

// Issuer signs exam tokens. Only start exam holds one.
type Issuer struct {
	key Key
	ttl time.Duration
	now func() time.Time
}

// NewIssuer returns an Issuer of a key given as its bytes (see NewKeyIssuer).
func NewIssuer(examKey []byte, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	k, err := PlainKey(examKey)
	if err != nil {
		return nil, fmt.Errorf("exam token key: %w", err)
	}
	return NewKeyIssuer(k, ttl, now)
}

// NewKeyIssuer returns an Issuer signing with k, whose ids its tokens and
// label codes carry. The lifetime is at least an hour, since a label code
// expires on the hour (never after its exam token), and short enough for a
// label code to name its expiry.
func NewKeyIssuer(k Key, ttl time.Duration, now func() time.Time) (*Issuer, error) {
	if err := CheckKey(k.Secret); err != nil {
		return nil, fmt.Errorf("exam token key: %w", err)
	}
	if ttl < time.Hour {
		return nil, errors.New("exam token lifetime must be at least an hour")
	}
	probe := labelcode.Exam{ID: "00000000-0000-0000-0000-000000000000"}
	if _, err := labelcode.Sign(k.Secret, probe, now().Add(ttl)); err != nil {
		return nil, fmt.Errorf("exam token lifetime: %w", err)
	}
	return &Issuer{key: k, ttl: ttl, now: now}, nil
}

// Verifier verifies exam and result tokens. It holds each kind's ring of keys
// (the current one, then the one before the last rotation); a verifier made
// with a KeySource re-reads a ring when it meets a key id the ring lacks.
type Verifier struct {
	examKeys, resultKeys *ring
	now                  func() time.Time
}

// NewVerifier returns a Verifier; both keys must be at least MinKeyLen bytes and differ.
func NewVerifier(examKey, resultKey []byte, now func() time.Time) (*Verifier, error) {
	return NewRotatingVerifier([][]byte{examKey}, [][]byte{resultKey}, now)
}

// NewRotatingVerifier returns a Verifier that accepts a token signed with any
// of its keys, given as their bytes: the current one first, then the one
// before the last rotation, so that a rotation breaks no outstanding token.
// Every key must be at least MinKeyLen bytes, and no exam key may be a result key.
func NewRotatingVerifier(examKeys, resultKeys [][]byte, now func() time.Time) (*Verifier, error) {
	plain := func(name string, secrets [][]byte) ([]Key, error) {
		keys := make([]Key, 0, len(secrets))
		for _, s := range secrets {
			k, err := PlainKey(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			keys = append(keys, k)
		}
		return keys, nil
	}
	exam, err := plain("exam token key", examKeys)
	if err != nil {
		return nil, err
	}
	result, err := plain("result token key", resultKeys)
	if err != nil {
		return nil, err
	}
	return newVerifier(exam, result, nil, nil, now)
}

// NewReloadingVerifier reads both rings from their sources (once per cold
// start) and returns a Verifier that reads a ring again when a token names a
// key id it lacks (a key a rotation made after this start), at most once per
// ReloadInterval of now's clock. ctx bounds the first reading only.
func NewReloadingVerifier(ctx context.Context, examSource, resultSource KeySource, now func() time.Time) (*Verifier, error) {
	exam, err := examSource(ctx)
	if err != nil {
		return nil, err
	}
	result, err := resultSource(ctx)
	if err != nil {
		return nil, err
	}
	return newVerifier(exam, result, examSource, resultSource, now)
}

func newVerifier(exam, result []Key, examSource, resultSource KeySource, now func() time.Time) (*Verifier, error) {
	v := &Verifier{now: now,
		examKeys:   &ring{name: "exam token key", source: examSource, now: now},
		resultKeys: &ring{name: "result token key", source: resultSource, now: now},
	}
	v.examKeys.other, v.resultKeys.other = v.resultKeys, v.examKeys
	if err := v.examKeys.valid(exam); err != nil {
		return nil, err
	}
	v.examKeys.keys = exam
	if err := v.resultKeys.valid(result); err != nil {
		return nil, err
	}
	v.resultKeys.keys = result
	return v, nil
}

// IssueExamToken signs an exam token for c.
func (s *Issuer) IssueExamToken(c exam.ExamClaims) (string, error) {
	now := s.now()
	claims := examClaims{
		ExamID: c.ExamID, PatientID: c.PatientID, ExamType: int(c.ExamType),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    ExamIssuer,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(s.ttl)),
			ID:        uuid.NewString(),
		},
	}
	return s.key.sign(claims)
}

// IssueLabelCode makes the label code of c, refused from the start of the UTC
// day in which the exam token issued now expires.
func (s *Issuer) IssueLabelCode(c exam.ExamClaims) (string, error) {
	return labelcode.Sign(s.key.Secret, labelcode.Exam{ID: c.ExamID, PatientID: c.PatientID, Type: int(c.ExamType)}, s.now().Add(s.ttl))
}

// VerifyExamToken checks an exam token and returns its claims. A label code is
// only read here: its claims name the exam and carry the seal that Finish
// checks against the exam as stored.
func (s *Verifier) VerifyExamToken(token string) (exam.ExamClaims, error) {
	if code, err := labelcode.Parse(token); err == nil {
		return exam.ExamClaims{ExamID: code.ExamID, Seal: labelSeal{code, s}}, nil
	}
	var c struct {
		ExamID    string `json:"exam_id"`
		PatientID string `json:"patient_id"`
		ExamType  int    `json:"exam_type"`
		ID        string `json:"jti"` // read only to refuse a jti that is not a string
	}
	if err := s.parse(token, &c, s.examKeys, ExamIssuer); err != nil {
		return exam.ExamClaims{}, err
	}
	if c.ExamID == "" || c.PatientID == "" || c.ExamType == 0 {
		return exam.ExamClaims{}, fmt.Errorf("%w: exam token lacks exam_id, patient_id or exam_type", exam.ErrInvalidToken)
	}
	return exam.ExamClaims{ExamID: c.ExamID, PatientID: c.PatientID, ExamType: exam.Type(c.ExamType)}, nil
}

// labelSeal checks a label code with the verifier's exam keys and clock.
type labelSeal struct {
	code labelcode.Code
	v    *Verifier
}

func (l labelSeal) Check(e exam.Exam) error {
	keys := l.v.examKeys.find(func(k Key) bool { return k.Label == l.code.KeyID })
	secrets := make([][]byte, len(keys))
	for i, k := range keys {
		secrets[i] = k.Secret
	}
	err := l.code.Verify(secrets, labelcode.Exam{ID: e.ID, PatientID: e.PatientID, Type: int(e.Type)}, l.v.now())
	switch {
	case errors.Is(err, labelcode.ErrExpired):
		return fmt.Errorf("%w: %w", exam.ErrTokenExpired, err)
	case err != nil:
		return fmt.Errorf("%w: %w", exam.ErrInvalidToken, err)
	}
	return nil
}

// VerifyResultToken checks a result token and returns its claims.
func (s *Verifier) VerifyResultToken(token string) (exam.ResultClaims, error) {
	var c struct {
		ExamID string `json:"exam_id"`
	}
	if err := s.parse(token, &c, s.resultKeys, ResultIssuer); err != nil {
		return exam.ResultClaims{}, err
	}
	if c.ExamID == "" {
		return exam.ResultClaims{}, fmt.Errorf("%w: result token lacks exam_id", exam.ErrInvalidToken)
	}
	return exam.ResultClaims{ExamID: c.ExamID}, nil
}

// parse verifies token and reads its private claims into claims (a pointer to
// a struct of json-tagged fields). A token is taken only as issued: each part
// in canonical base64url, header and claims each one JSON object without a
// member twice, claim names exact. The registered claims are read as a map,
// so by exact name too, and jwt refuses a non-numeric exp, iat or nbf and a
// non-string iss.
func (s *Verifier) parse(token string, claims any, keys *ring, issuer string) error {
	header, payload, err := canonicalParts(token)
	if err == nil {
		_, err = jwt.ParseWithClaims(token, jwt.MapClaims{}, keys.jwtKey,
			jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
			jwt.WithExpirationRequired(),
			jwt.WithIssuer(issuer),
			jwt.WithIssuedAt(),
			jwt.WithTimeFunc(s.now),
			jwt.WithLeeway(30*time.Second),
		)
	}
	if err == nil {
		err = strictjson.Check(header)
	}
	if err == nil {
		err = strictjson.Unmarshal(payload, claims)
	}
	if err != nil {
		// The reason (expired, bad signature, ...) is kept for logs, never for
		// clients. Expiry has its own error: jwt checks exp only once the
		// signature holds, so an expired token is a genuine one.
		if errors.Is(err, jwt.ErrTokenExpired) {
			return fmt.Errorf("%w: %w", exam.ErrTokenExpired, err)
		}
		return fmt.Errorf("%w: %w", exam.ErrInvalidToken, err)
	}
	return nil
}

// canonicalParts returns the decoded header and claims of a compact JWT whose
// three parts are each in canonical base64url, so that one token has one spelling.
func canonicalParts(token string) (header, claims []byte, err error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, errors.New("token is not three parts")
	}
	var decoded [3][]byte
	for i, part := range parts {
		if decoded[i], err = base64url.Decode(part); err != nil {
			return nil, nil, err
		}
	}
	return decoded[0], decoded[1], nil
}

// MintResultToken signs a result token as the exam execution team does, with
// a key given as its bytes. The service never calls it; it serves tests, the
// local stack and the team's tooling.
func MintResultToken(key []byte, examID string, now time.Time, ttl time.Duration) (string, error) {
	k, err := PlainKey(key)
	if err != nil {
		return "", err
	}
	return k.MintResultToken(examID, now, ttl)
}

// MintResultToken signs a result token with k, naming it in the kid header.
func (k Key) MintResultToken(examID string, now time.Time, ttl time.Duration) (string, error) {
	if err := CheckKey(k.Secret); err != nil {
		return "", err
	}
	return k.sign(resultClaims{ExamID: examID, RegisteredClaims: jwt.RegisteredClaims{
		Issuer:    ResultIssuer,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
	}})
}

// sign makes an HS256 JWT of claims whose header names k by its id.
func (k Key) sign(claims jwt.Claims) (string, error) {
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	t.Header["kid"] = k.ID
	return t.SignedString(k.Secret)
}
