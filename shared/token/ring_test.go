package token

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// swappableSource is a key source whose answer a test changes, counting readings.
type swappableSource struct {
	mu    sync.Mutex
	keys  []Key
	err   error
	reads int
}

func (s *swappableSource) read(context.Context) ([]Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	return s.keys, s.err
}

func (s *swappableSource) set(keys []Key, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys, s.err = keys, err
}

// TestReadingAgainKeepsTheKeysOnFailure: a reading that fails, or that would
// make an exam key a result key, leaves the keys as they were (what they
// signed still verifies) and refuses the token; the next reading waits a minute.
func TestReadingAgainKeepsTheKeysOnFailure(t *testing.T) {
	plain := func(secret []byte) Key { k, _ := PlainKey(secret); return k }
	newExam, err := NewKey(plain(examKey))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		keys []Key
		err  error
	}{
		{"the secret cannot be read", nil, errors.New("AccessDeniedException")},
		{"the exam key would be the result key", []Key{newExam, plain(resultKey)}, nil},
		{"no key", []Key{}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := fakes.NewClock(now)
			exams := &swappableSource{keys: []Key{plain(examKey)}}
			results := &swappableSource{keys: []Key{plain(resultKey)}}
			v, err := NewReloadingVerifier(context.Background(), exams.read, results.read, clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			issuer, _ := NewIssuer(examKey, DefaultExamTokenTTL, clock.Now)
			before, _ := issuer.IssueExamToken(claims)
			fresh, _ := NewKeyIssuer(newExam, DefaultExamTokenTTL, clock.Now)
			after, _ := fresh.IssueExamToken(claims)

			exams.set(tt.keys, tt.err)
			if _, err := v.VerifyExamToken(after); !errors.Is(err, exam.ErrInvalidToken) {
				t.Fatalf("a token of a key the reading could not give: %v", err)
			}
			if _, err := v.VerifyExamToken(before); err != nil {
				t.Fatalf("the keys held were lost: %v", err)
			}
			exams.set([]Key{newExam, plain(examKey)}, nil)
			if _, err := v.VerifyExamToken(after); !errors.Is(err, exam.ErrInvalidToken) || exams.reads != 2 {
				t.Fatalf("read again within the minute: %v, %d readings", err, exams.reads)
			}
			clock.Advance(ReloadInterval)
			if _, err := v.VerifyExamToken(after); err != nil || exams.reads != 3 {
				t.Fatalf("a minute later: %v, %d readings", err, exams.reads)
			}
			if results.reads != 1 {
				t.Errorf("the result keys were read %d times for exam tokens", results.reads)
			}
		})
	}
}

// TestTokensNameTheirKey: what an issuer signs names its key: a JWT in its
// kid header, a label code in its key id; a JWT without kid (signed before
// ids were written) still verifies with any key of the ring.
func TestTokensNameTheirKey(t *testing.T) {
	k, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := NewKeyIssuer(k, DefaultExamTokenTTL, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := issuer.IssueExamToken(claims)
	header, _, err := canonicalParts(tok)
	if err != nil || !strings.Contains(string(header), `"kid":"`+k.ID+`"`) {
		t.Errorf("exam token header %s, want kid %s", header, k.ID)
	}
	result, _ := k.MintResultToken(claims.ExamID, now, time.Hour)
	if header, _, _ := canonicalParts(result); !strings.Contains(string(header), `"kid":"`+k.ID+`"`) {
		t.Errorf("result token header %s, want kid %s", header, k.ID)
	}
	code, _ := issuer.IssueLabelCode(claims)
	if c, err := labelcode.Parse(code); err != nil || c.KeyID != k.Label {
		t.Errorf("label code key id %d (%v), want %d", c.KeyID, err, k.Label)
	}
	legacy := sign(t, jwt.SigningMethodHS256, examKey, examMap(ExamIssuer, now.Add(time.Hour).Unix()))
	if _, err := newReloadingService(t, now).VerifyExamToken(legacy); err != nil {
		t.Errorf("a token without kid: %v", err)
	}
}
