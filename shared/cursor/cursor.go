// Package cursor makes the opaque, integrity-protected pagination cursors of the
// exam listing and of the worklist. A cursor names a position in one scope (a
// patient's listing; a status's worklist from one day) and carries an HMAC, so
// a client can neither forge one nor reuse one for another scope. Each use has
// a key of its own, derived under its purpose, so that a listing cursor is
// never a worklist cursor.
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

// payload is what a cursor carries: its scope (for the listing, the patient
// id) and its position.
type payload struct {
	Scope string `json:"p"`
	Position
}

// Codec signs and checks cursors with one key.
type Codec struct{ key []byte }

// Purposes of the keys: one per kind of cursor.
const (
	listingPurpose  = "zmed exam listing cursor v1"
	worklistPurpose = "zmed exam worklist cursor v1"
)

// New returns the listing's Codec, whose key is derived from secret under a
// purpose label, so the same configured secret can serve other uses without
// key reuse.
func New(secret []byte) Codec { return derive(secret, listingPurpose) }

func derive(secret []byte, purpose string) Codec {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(purpose))
	return Codec{key: mac.Sum(nil)}
}

// Encode returns the cursor for pos in scope (the listing's patient id). A
// Codec without a key is a wiring mistake (only the functions that page hold
// the cursor key).
func (c Codec) Encode(scope string, pos Position) string {
	if c.key == nil {
		panic("cursor: codec has no key")
	}
	body, _ := json.Marshal(payload{Scope: scope, Position: pos}) // plain strings cannot fail
	b := base64url.Encode(body)
	return b + "." + base64url.Encode(c.sign(b))
}

// Decode checks a cursor and returns its position; any cursor not issued by
// this codec for scope, in exactly the form Encode gave it, is
// exam.ErrInvalidCursor.
func (c Codec) Decode(scope, s string) (Position, error) {
	got, pos, err := c.open(s)
	if err != nil || got != scope {
		return Position{}, exam.ErrInvalidCursor
	}
	return pos, nil
}

// open checks a cursor issued by this codec, in exactly the form Encode gave
// it, and returns its scope and position.
func (c Codec) open(s string) (string, Position, error) {
	b, sig, ok := strings.Cut(s, ".")
	if !ok || c.key == nil {
		return "", Position{}, exam.ErrInvalidCursor
	}
	got, err := base64url.Decode(sig)
	if err != nil || !hmac.Equal(got, c.sign(b)) {
		return "", Position{}, exam.ErrInvalidCursor
	}
	body, err := base64url.Decode(b)
	if err != nil {
		return "", Position{}, exam.ErrInvalidCursor
	}
	var p payload
	if err := json.Unmarshal(body, &p); err != nil || p.ExamID == "" || p.CreatedAt == "" ||
		c.Encode(p.Scope, p.Position) != s {
		return "", Position{}, exam.ErrInvalidCursor
	}
	return p.Scope, p.Position, nil
}

func (c Codec) sign(b string) []byte {
	mac := hmac.New(sha256.New, c.key)
	mac.Write([]byte(b))
	return mac.Sum(nil)
}
