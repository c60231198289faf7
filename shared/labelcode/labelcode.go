// Package labelcode is the label code: a compact exam token that fits a small
// QR code on the exam's label and can be typed from it. It names its exam in
// the clear, so anyone can read which exam it is (ExamID), and it carries a
// MAC made with the exam-token key over the exam, its patient and its type, so
// only that key makes one. The patient and the type are not in the code: a
// verifier checks the code against the exam as stored. docs/results.md has the
// format.
package labelcode

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// The format, version 1: Prefix, then Len-len(Prefix) characters of Alphabet,
// five bits each, 230 bits in all, most significant first:
//
//	key id (3) | expiry hour (19) | exam id (128) | MAC (80)
const (
	Prefix   = "Z1"
	Len      = len(Prefix) + bodyChars
	Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ" // Crockford's base32: no I, L, O, U

	keyIDBits  = KeyIDBits
	hourBits   = 19
	examIDBits = 128
	macBits    = 80
	bodyBits   = keyIDBits + hourBits + examIDBits + macBits
	bodyChars  = bodyBits / 5
)

// KeyIDBits is the size of a code's key id: eight keys can be told apart, and
// a rotation gives each new key an id that the keys still in use do not have.
const KeyIDBits = 3

// Epoch is hour 0 of a code's expiry, counted in whole hours; the last hour a
// code can name begins in 2085.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// domain separates the label code's MACs from any other use of the key.
const domain = "zmed-exam-manager label code v1\x00"

// Errors of Parse and Verify.
var (
	// ErrMalformed: not a label code of this version (length, prefix, alphabet).
	ErrMalformed = errors.New("not a label code")
	// ErrInvalid: a well-formed code that no key of the ring made for this exam,
	// patient and type.
	ErrInvalid = errors.New("label code does not verify")
	// ErrExpired: a genuine code past its expiry.
	ErrExpired = errors.New("label code expired")
)

// Exam is what a code is made for and verified against: the exam as stored.
type Exam struct {
	ID        string // a UUID in its 36-character form
	PatientID string
	Type      int
}

// Code is a parsed, unverified label code.
type Code struct {
	KeyID   uint8
	Expires time.Time // the start of the hour from which the code is refused
	ExamID  string
	text    string
}

// ExamID returns the exam a label code names, without any key: the code is
// not verified, so the answer says which exam the code claims, nothing more.
func ExamID(code string) (string, error) {
	c, err := Parse(code)
	if err != nil {
		return "", err
	}
	return c.ExamID, nil
}

// Parse reads a label code's fields without verifying it. Only the exact
// spelling is taken (uppercase, no separators), so one code has one spelling.
func Parse(code string) (Code, error) {
	if len(code) != Len || code[:len(Prefix)] != Prefix {
		return Code{}, ErrMalformed
	}
	var body bitString
	for i := len(Prefix); i < Len; i++ {
		v := alphabetIndex[code[i]]
		if v == 0 {
			return Code{}, fmt.Errorf("%w: character %d is not in its alphabet", ErrMalformed, i)
		}
		body.put(uint64(v-1), 5)
	}
	id, _ := uuid.FromBytes(body.bytes(keyIDBits+hourBits, examIDBits)) // 16 bytes: never an error
	return Code{
		KeyID:   uint8(body.get(0, keyIDBits)),
		Expires: Epoch.Add(time.Duration(body.get(keyIDBits, hourBits)) * time.Hour),
		ExamID:  id.String(),
		text:    code,
	}, nil
}

// alphabetIndex maps a character to its value plus one; 0 for any other byte.
var alphabetIndex = func() (t [256]uint8) {
	for i := range len(Alphabet) {
		t[Alphabet[i]] = uint8(i + 1)
	}
	return t
}()

// Sign makes the label code of e with key, refused from the start of the hour
// in which expiresBy falls (so never later than expiresBy).
func Sign(key []byte, e Exam, expiresBy time.Time) (string, error) {
	id, err := examUUID(e.ID)
	if err != nil {
		return "", err
	}
	hour := expiresBy.Sub(Epoch) / time.Hour
	if expiresBy.Before(Epoch) || hour >= 1<<hourBits {
		return "", fmt.Errorf("label code: expiry %s out of range", expiresBy.UTC().Format(time.DateOnly))
	}
	return sign(key, KeyID(key), uint64(hour), id, e), nil
}

// examUUID reads an exam id, a UUID in its 36-character form (exam ids have
// no other); the code holds its 16 bytes and names it in lowercase.
func examUUID(id string) (uuid.UUID, error) {
	u, err := uuid.Parse(id)
	if err != nil || len(id) != 36 {
		return uuid.UUID{}, errors.New("label code: the exam id is not a UUID in its 36-character form")
	}
	return u, nil
}

func sign(key []byte, keyID uint8, hour uint64, id uuid.UUID, e Exam) string {
	var body bitString
	body.put(uint64(keyID), keyIDBits)
	body.put(hour, hourBits)
	body.putBytes(id[:], examIDBits)
	body.putBytes(mac(key, keyID, hour, id, e), macBits)
	text := make([]byte, 0, Len)
	text = append(text, Prefix...)
	for i := range bodyChars {
		text = append(text, Alphabet[body.get(5*i, 5)])
	}
	return string(text)
}

// mac is HMAC-SHA256 over the domain string and every field, the exam's
// patient and type included though the code does not carry them.
func mac(key []byte, keyID uint8, hour uint64, id uuid.UUID, e Exam) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(domain))
	m.Write([]byte{keyID})
	m.Write(binary.BigEndian.AppendUint32(nil, uint32(hour)))
	m.Write(id[:])
	m.Write(binary.BigEndian.AppendUint64(nil, uint64(int64(e.Type))))
	m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(e.PatientID))))
	m.Write([]byte(e.PatientID))
	return m.Sum(nil)
}

// KeyID is the key's three-bit fingerprint written in each code, so that a
// verifier holding the current and the previous key picks the one that made
// the code, and knows when it meets a code of a key it does not hold yet. A
// rotation picks a new key whose fingerprint the keys in use do not have; two
// keys given by hand may share one (one in eight): both are then tried.
func KeyID(key []byte) uint8 {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("zmed-exam-manager label code key id"))
	return m.Sum(nil)[0] >> (8 - keyIDBits)
}

// Verify checks that c was made by one of keys for the exam e as stored, and
// that it has not expired at now. The MAC is checked first, so ErrExpired
// means a genuine code.
func (c Code) Verify(keys [][]byte, e Exam, now time.Time) error {
	id, err := examUUID(e.ID)
	if err != nil || id.String() != c.ExamID || c.text == "" {
		return ErrInvalid
	}
	hour := uint64(c.Expires.Sub(Epoch) / time.Hour)
	genuine := false
	for _, key := range keys {
		if KeyID(key) == c.KeyID && subtle.ConstantTimeCompare([]byte(sign(key, c.KeyID, hour, id, e)), []byte(c.text)) == 1 {
			genuine = true
		}
	}
	switch {
	case !genuine:
		return ErrInvalid
	case !now.Before(c.Expires):
		return ErrExpired
	}
	return nil
}

// Verify parses code and verifies it as Code.Verify does.
func Verify(keys [][]byte, code string, e Exam, now time.Time) error {
	c, err := Parse(code)
	if err != nil {
		return err
	}
	return c.Verify(keys, e, now)
}
