// Package cursor makes the opaque, integrity-protected pagination cursors of the
// exam listing. A cursor names a position in one patient's listing and carries
// an HMAC, so a client can neither forge one nor reuse one for another patient.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"strings"

	"github.com/zmed/exam-manager/shared/base64url"
	"github.com/zmed/exam-manager/shared/exam"
)

// Position is the last exam of a page: the listing goes on after it.
type Position struct {
	CreatedAt string `json:"c"`
	ExamID    string `json:"e"`
}

type payload struct {
	PatientID string `json:"p"`
	Position
}

// Codec signs and checks cursors with one key.
type Codec struct{ key []byte }

// New returns a Codec whose key is derived from secret under a purpose label,
// so the same configured secret can serve other uses without key reuse.
func New(secret []byte) Codec {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("zmed exam listing cursor v1"))
	return Codec{key: mac.Sum(nil)}
}

// Encode returns the cursor for pos in patientID's listing. A Codec without a
// key is a wiring mistake (only the list function holds the cursor key).
func (c Codec) Encode(patientID string, pos Position) string {
	if c.key == nil {
		panic("cursor: codec has no key")
	}
	body, _ := json.Marshal(payload{PatientID: patientID, Position: pos}) // plain strings cannot fail
	b := base64url.Encode(body)
	return b + "." + base64url.Encode(c.sign(b))
}

// Decode checks a cursor and returns its position; any cursor not issued by
// this codec for patientID, in exactly the form Encode gave it, is
// exam.ErrInvalidCursor.
func (c Codec) Decode(patientID, s string) (Position, error) {
	b, sig, ok := strings.Cut(s, ".")
	if !ok || c.key == nil {
		return Position{}, exam.ErrInvalidCursor
	}
	got, err := base64url.Decode(sig)
	if err != nil || !hmac.Equal(got, c.sign(b)) {
		return Position{}, exam.ErrInvalidCursor
	}
	body, err := base64url.Decode(b)
	if err != nil {
		return Position{}, exam.ErrInvalidCursor
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil || p.PatientID != patientID || p.ExamID == "" || p.CreatedAt == "" ||
		c.Encode(p.PatientID, p.Position) != s {
		return Position{}, exam.ErrInvalidCursor
	}
	return p.Position, nil
}

func (c Codec) sign(b string) []byte {
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte(b))
	return mac.Sum(nil)
}
