package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
)

// MinKeyLen is the shortest actor key accepted, in bytes (HMAC-SHA256's output size).
const MinKeyLen = 32

// ErrShortKey is returned for an actor key under MinKeyLen bytes.
var ErrShortKey = errors.New("actor key must be at least 32 bytes")

// PseudonymPrefix starts every pseudonym: no id that is logged as it is (a
// UUID, or the system's own name) starts so.
const PseudonymPrefix = "hmac-"

// pseudonymDigits write a pseudonym's hexadecimal digits 0-f as the letters
// a-p, so that a pseudonym holds no digit: it never looks like a document or
// a phone, and a log check that searches for digits cannot find them in it by
// chance.
const pseudonymDigits = "abcdefghijklmnop"

// Pseudonym is how an actor id that is not a UUID is logged: the first 16
// bytes of HMAC-SHA256(key, id) in hexadecimal, each digit 0-f written as a
// letter a-p, after PseudonymPrefix. The same id under the same key is always
// the same pseudonym, so an actor's lines can be followed and told apart from
// another's, while only who holds the key can tell whose they are. An id
// provider may use a CPF or a phone as the sub; the id itself is never logged.
func Pseudonym(key []byte, id string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id))
	out := []byte(PseudonymPrefix)
	for _, b := range mac.Sum(nil)[:16] {
		out = append(out, pseudonymDigits[b>>4], pseudonymDigits[b&0x0f])
	}
	return string(out)
}

// Writer writes the audit lines of calls made by attendants: its key turns an
// attendant id that is not a UUID into its pseudonym. The exam's history keeps
// the real id; only the log line carries the pseudonym.
type Writer struct{ key []byte }

// NewWriter returns a Writer on key (at least MinKeyLen bytes).
func NewWriter(key []byte) (Writer, error) {
	if len(key) < MinKeyLen {
		return Writer{}, ErrShortKey
	}
	return Writer{key: key}, nil
}

// Write logs e as one line, the actor named by LoggedID.
func (w Writer) Write(ctx context.Context, e Entry) {
	e.Actor.ID = w.LoggedID(e.Actor)
	write(ctx, e)
}

// withheld names an attendant whose id is not a UUID when no key was given
// (a Writer's zero value): the id is never logged as it is.
const withheld = "withheld"

// LoggedID is the id under which a logs names: a UUID (Cognito's subs, a local
// attendant's) and the system's own names as they are, any other attendant id
// as its pseudonym.
func (w Writer) LoggedID(a exam.Actor) string {
	if a.Kind == exam.ActorAutomatic || a.ID == "" || isUUID(a.ID) {
		return a.ID
	}
	if len(w.key) == 0 {
		return withheld
	}
	return Pseudonym(w.key, a.ID)
}

// isUUID reports whether id is a UUID in its canonical 36-character form.
func isUUID(id string) bool {
	return len(id) == 36 && uuid.Validate(id) == nil
}
