package exam_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

// TestALabelCodeFinishesItsExam: the label code start answers finishes the
// exam as its exam token does, and the same result delivered again with the
// other form is the same result.
func TestALabelCodeFinishesItsExam(t *testing.T) {
	f := newFinishFixture(t)
	ctx := context.Background()
	e, err := f.finish.Run(ctx, attendant, f.labelCode, f.result)
	if err != nil || e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationSent {
		t.Fatalf("finish with the label code: %+v, %v", e, err)
	}
	if _, err := f.finish.Run(ctx, attendant, f.examTok, f.result); err != nil {
		t.Fatalf("the same result with the exam token: %v", err)
	}
	if n := len(f.notifier.Sent()); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
}

// TestALabelCodeIsRefusedWhereItsExamTokenIs: each refusal of the exam token
// refuses the label code too. A code bound to another patient or type cannot
// be told from a forged one, so it is an invalid exam token.
func TestALabelCodeIsRefusedWhereItsExamTokenIs(t *testing.T) {
	sign := func(f *finishFixture, key []byte, id, patientID string, t exam.Type) string {
		code, err := labelcode.Sign(key, labelcode.Exam{ID: id, PatientID: patientID, Type: int(t)}, f.clock.Now().Add(time.Hour))
		if err != nil {
			panic(err)
		}
		return code
	}
	otherID := uuid.NewString()
	tests := []struct {
		name      string
		arrange   func(f *finishFixture) (code, result string)
		want      error
		tokenKind exam.TokenKind
	}{
		{"revoked exam", func(f *finishFixture) (string, string) {
			revoke(t, f)
			return f.labelCode, f.result
		}, exam.ErrExamRevoked, ""},
		{"expired", func(f *finishFixture) (string, string) {
			f.clock.Advance(time.Hour)
			return f.labelCode, f.result
		}, exam.ErrTokenExpired, exam.ExamToken},
		{"another patient's", func(f *finishFixture) (string, string) {
			return sign(f, examKey, f.examID, fakes.ActiveEmail.ID, 1), f.result
		}, exam.ErrInvalidToken, exam.ExamToken},
		{"another type's", func(f *finishFixture) (string, string) {
			return sign(f, examKey, f.examID, fakes.ActiveSMS.ID, 2), f.result
		}, exam.ErrInvalidToken, exam.ExamToken},
		{"another key's", func(f *finishFixture) (string, string) {
			return sign(f, resultKey, f.examID, fakes.ActiveSMS.ID, 1), f.result
		}, exam.ErrInvalidToken, exam.ExamToken},
		{"naming no exam", func(f *finishFixture) (string, string) {
			result, _ := token.MintResultToken(resultKey, otherID, f.clock.Now(), time.Hour)
			return sign(f, examKey, otherID, fakes.ActiveSMS.ID, 1), result
		}, exam.ErrInvalidToken, exam.ExamToken},
		{"forged, naming another exam than the result", func(f *finishFixture) (string, string) {
			return sign(f, resultKey, otherID, fakes.ActiveSMS.ID, 1), f.result
		}, exam.ErrInvalidToken, exam.ExamToken},
		{"genuine, of another exam than the result", func(f *finishFixture) (string, string) {
			other, _ := token.MintResultToken(resultKey, otherID, f.clock.Now(), time.Hour)
			return f.labelCode, other
		}, exam.ErrTokenMismatch, ""},
		{"as the result token", func(f *finishFixture) (string, string) {
			return f.examTok, f.labelCode
		}, exam.ErrInvalidToken, exam.ResultToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFinishFixture(t)
			code, result := tt.arrange(f)
			_, err := f.finish.Run(context.Background(), attendant, code, result)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var tokenErr *exam.TokenError
			if got := errors.As(err, &tokenErr); got != (tt.tokenKind != "") || got && tokenErr.Kind != tt.tokenKind {
				t.Fatalf("err = %#v, want a TokenError of kind %q", err, tt.tokenKind)
			}
			if e, _ := f.store.Get(context.Background(), f.examID); e.Status == exam.StatusFinished || len(f.notifier.Sent()) != 0 {
				t.Fatalf("refused, yet the exam is %s with %d notifications", e.Status, len(f.notifier.Sent()))
			}
		})
	}
}

// TestLabelCodesOfRandomKeysFinishOrAreRefusedWhenRevoked: for exams started
// with random exam keys, each verified by the ring of the current and the
// previous key, the label code made with either key finishes its exam, and
// once the exam is revoked it is refused.
func TestLabelCodesOfRandomKeysFinishOrAreRefusedWhenRevoked(t *testing.T) {
	r := rand.New(rand.NewPCG(24, 1))
	randomKey := func() []byte {
		k := make([]byte, 32+r.IntN(16))
		for i := range k {
			k[i] = byte(r.Uint32())
		}
		return k
	}
	for range 8 {
		previous, current := randomKey(), randomKey()
		for _, signer := range [][]byte{current, previous} {
			for _, revoked := range []bool{false, true} {
				f := newSignedFinishFixture(t, signer, [][]byte{current, previous})
				want := error(nil)
				if revoked {
					revoke(t, f)
					want = exam.ErrExamRevoked
				}
				if _, err := f.finish.Run(context.Background(), attendant, f.labelCode, f.result); !errors.Is(err, want) || (want == nil) != (err == nil) {
					t.Fatalf("revoked %v: err = %v, want %v", revoked, err, want)
				}
			}
		}
	}
}

// revoke revokes the fixture's started exam.
func revoke(t *testing.T, f *finishFixture) {
	t.Helper()
	e, _ := f.store.Get(context.Background(), f.examID)
	if _, err := f.store.Transition(context.Background(), exam.Transition{
		ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
		From: []exam.Status{exam.StatusStarted}, To: exam.StatusRevoked, At: f.clock.Now(), By: attendant,
	}); err != nil {
		t.Fatal(err)
	}
}

// countedGets counts the exam reads of a store.
type countedGets struct {
	exam.FinishStore
	gets int
}

func (c *countedGets) Get(ctx context.Context, id string) (exam.Exam, error) {
	c.gets++
	return c.FinishStore.Get(ctx, id)
}

// TestALabelCodeCostsNoExtraRead: the seal is checked against the exam that
// finishing reads anyway, so a label code costs the reads an exam token does.
func TestALabelCodeCostsNoExtraRead(t *testing.T) {
	for _, form := range []string{"exam token", "label code"} {
		f := newFinishFixture(t)
		store := &countedGets{FinishStore: f.store}
		f.finish.Exams = store
		tok := map[string]string{"exam token": f.examTok, "label code": f.labelCode}[form]
		if _, err := f.finish.Run(context.Background(), attendant, tok, f.result); err != nil {
			t.Fatalf("%s: %v", form, err)
		}
		if store.gets != 1 {
			t.Errorf("%s: %d reads of the exam, want 1", form, store.gets)
		}
	}
}
