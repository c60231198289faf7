package labelcode

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// qrAlphanumeric is the QR code's alphanumeric mode's character set.
const qrAlphanumeric = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"

var (
	issued    = time.Date(2026, 12, 6, 15, 4, 5, 0, time.UTC)
	expiresBy = issued.Add(180 * 24 * time.Hour)
)

// randomCase is a random exam and key, drawn from a fixed seed.
type randomCase struct {
	key []byte
	e   Exam
}

func randomCases(n int) []randomCase {
	r := rand.New(rand.NewPCG(24, 17))
	cases := make([]randomCase, n)
	for i := range cases {
		key := make([]byte, 32+r.IntN(33))
		for j := range key {
			key[j] = byte(r.Uint32())
		}
		var id, patient uuid.UUID
		for j := range id {
			id[j], patient[j] = byte(r.Uint32()), byte(r.Uint32())
		}
		cases[i] = randomCase{key, Exam{ID: id.String(), PatientID: patient.String(), Type: 1 + r.IntN(12)}}
	}
	return cases
}

func mustSign(t testing.TB, key []byte, e Exam, expiresBy time.Time) string {
	t.Helper()
	code, err := Sign(key, e, expiresBy)
	if err != nil {
		t.Fatal(err)
	}
	return code
}

// TestEveryCodeVerifiesAndNoOneCharacterChangeDoes: for random exams and keys,
// the code is at most 48 characters of the QR alphanumeric set, names its exam
// without a key, verifies, and is refused after any one character is changed
// to any other character of the QR alphanumeric set, at any position.
func TestEveryCodeVerifiesAndNoOneCharacterChangeDoes(t *testing.T) {
	ring := func(key []byte) [][]byte { return [][]byte{key} }
	for _, c := range randomCases(12) {
		code := mustSign(t, c.key, c.e, expiresBy)
		if len(code) > 48 || strings.Trim(code, qrAlphanumeric) != "" {
			t.Fatalf("code %q: longer than 48 or outside the QR alphanumeric set", code)
		}
		if id, err := ExamID(code); err != nil || id != c.e.ID {
			t.Fatalf("ExamID(%q) = %q, %v; want %q", code, id, err, c.e.ID)
		}
		if err := Verify(ring(c.key), code, c.e, issued); err != nil {
			t.Fatalf("Verify(%q) = %v", code, err)
		}
		for i := range len(code) {
			for _, other := range []byte(qrAlphanumeric) {
				if other == code[i] {
					continue
				}
				changed := code[:i] + string(other) + code[i+1:]
				if err := Verify(ring(c.key), changed, c.e, issued); !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrMalformed) {
					t.Fatalf("%q (position %d changed to %q) verified: %v", changed, i, other, err)
				}
			}
		}
	}
}

// TestACodeBindsItsExamPatientTypeAndKey: a code is refused for any other
// exam, patient or type, and under any other key.
func TestACodeBindsItsExamPatientTypeAndKey(t *testing.T) {
	cases := randomCases(8)
	for i, c := range cases {
		code := mustSign(t, c.key, c.e, expiresBy)
		other := cases[(i+1)%len(cases)]
		for name, tt := range map[string]struct {
			key []byte
			e   Exam
		}{
			"other exam":    {c.key, Exam{ID: other.e.ID, PatientID: c.e.PatientID, Type: c.e.Type}},
			"other patient": {c.key, Exam{ID: c.e.ID, PatientID: other.e.PatientID, Type: c.e.Type}},
			"other type":    {c.key, Exam{ID: c.e.ID, PatientID: c.e.PatientID, Type: c.e.Type%12 + 1}},
			"other key":     {other.key, c.e},
		} {
			if err := Verify([][]byte{tt.key}, code, tt.e, issued); !errors.Is(err, ErrInvalid) {
				t.Errorf("%s: Verify = %v, want ErrInvalid", name, err)
			}
		}
	}
}

// TestACodeExpiresAtTheStartOfItsExpiryHour: never later than the exam token
// issued with it, and an expired code is told apart only when it is genuine.
func TestACodeExpiresAtTheStartOfItsExpiryHour(t *testing.T) {
	c := randomCases(1)[0]
	code := mustSign(t, c.key, c.e, expiresBy)
	hourStart := expiresBy.Truncate(time.Hour)
	for _, tt := range []struct {
		key  []byte
		now  time.Time
		want error
	}{
		{c.key, hourStart.Add(-time.Nanosecond), nil},
		{c.key, hourStart, ErrExpired},
		{c.key, expiresBy, ErrExpired},
		{bytes.Repeat([]byte("k"), 32), hourStart, ErrInvalid}, // a forged expired code is just invalid
	} {
		if err := Verify([][]byte{tt.key}, code, c.e, tt.now); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Verify at %s = %v, want %v", tt.now, err, tt.want)
		}
	}
	parsed, _ := Parse(code)
	if !parsed.Expires.Equal(hourStart) {
		t.Errorf("Expires = %s, want %s", parsed.Expires, hourStart)
	}
}

// TestCodesSurviveOneKeyRotation: a code made with the previous key verifies
// with the ring current+previous; one made two rotations ago does not.
func TestCodesSurviveOneKeyRotation(t *testing.T) {
	cases := randomCases(6)
	for i := 0; i+2 < len(cases); i++ {
		older, previous, current := cases[i].key, cases[i+1].key, cases[i+2].key
		e := cases[i].e
		ring := [][]byte{current, previous}
		for _, tt := range []struct {
			signer []byte
			want   error
		}{{current, nil}, {previous, nil}, {older, ErrInvalid}} {
			code := mustSign(t, tt.signer, e, expiresBy)
			if err := Verify(ring, code, e, issued); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		}
		if err := Verify([][]byte{current}, mustSign(t, previous, e, expiresBy), e, issued); !errors.Is(err, ErrInvalid) {
			t.Errorf("previous key's code with the current key alone: %v, want ErrInvalid", err)
		}
	}
}

// TestTwoKeysWithOneKeyIDBothVerify: the five-bit key id picks the key; when
// the current and the previous key share it, each is tried.
func TestTwoKeysWithOneKeyIDBothVerify(t *testing.T) {
	first := bytes.Repeat([]byte{1}, 32)
	var second []byte
	for b := byte(2); second == nil; b++ {
		if k := bytes.Repeat([]byte{b}, 32); KeyID(k) == KeyID(first) {
			second = k
		}
	}
	e := randomCases(1)[0].e
	for _, signer := range [][]byte{first, second} {
		if err := Verify([][]byte{first, second}, mustSign(t, signer, e, expiresBy), e, issued); err != nil {
			t.Errorf("Verify = %v", err)
		}
	}
}

// TestReprintingGivesACodeThatVerifies: a second start of the same exam signs
// again later (a later expiry); both codes verify.
func TestReprintingGivesACodeThatVerifies(t *testing.T) {
	c := randomCases(1)[0]
	first := mustSign(t, c.key, c.e, expiresBy)
	again := mustSign(t, c.key, c.e, expiresBy.Add(40*24*time.Hour))
	for _, code := range []string{first, again} {
		if err := Verify([][]byte{c.key}, code, c.e, issued.Add(30*24*time.Hour)); err != nil {
			t.Errorf("Verify(%q) = %v", code, err)
		}
	}
}

func TestSignRefuses(t *testing.T) {
	c := randomCases(1)[0]
	for name, tt := range map[string]struct {
		id      string
		expires time.Time
	}{
		"id not a uuid":      {"exam-1", expiresBy},
		"id without hyphens": {strings.ReplaceAll(c.e.ID, "-", ""), expiresBy},
		"expiry before 2026": {c.e.ID, Epoch.Add(-time.Hour)},
		"expiry past 2085":   {c.e.ID, Epoch.Add(1 << hourBits * time.Hour)},
	} {
		if code, err := Sign(c.key, Exam{ID: tt.id, PatientID: c.e.PatientID, Type: c.e.Type}, tt.expires); err == nil {
			t.Errorf("%s: Sign = %q, want an error", name, code)
		}
	}
}

// TestAnUppercaseExamIDIsNamedInLowercase: exam ids are made lowercase; one
// given in uppercase names the same exam.
func TestAnUppercaseExamIDIsNamedInLowercase(t *testing.T) {
	c := randomCases(1)[0]
	upper := Exam{ID: strings.ToUpper(c.e.ID), PatientID: c.e.PatientID, Type: c.e.Type}
	code := mustSign(t, c.key, upper, expiresBy)
	if id, err := ExamID(code); id != c.e.ID || err != nil {
		t.Errorf("ExamID = %q, %v; want %q", id, err, c.e.ID)
	}
	for _, e := range []Exam{c.e, upper} {
		if err := Verify([][]byte{c.key}, code, e, issued); err != nil {
			t.Errorf("Verify(%s) = %v", e.ID, err)
		}
	}
}

func TestParseRefusesOtherSpellings(t *testing.T) {
	c := randomCases(1)[0]
	code := mustSign(t, c.key, c.e, expiresBy)
	for _, s := range []string{"", code[:Len-1], code + "0", " " + code[1:], strings.ToLower(code), "Z2" + code[2:], code[:10] + "I" + code[11:], code[:10] + "O" + code[11:]} {
		if _, err := Parse(s); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %v, want ErrMalformed", s, err)
		}
	}
	if err := (Code{}).Verify([][]byte{c.key}, c.e, issued); !errors.Is(err, ErrInvalid) {
		t.Errorf("zero Code verified: %v", err)
	}
}
