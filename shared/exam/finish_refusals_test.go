package exam_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/token"
)

// TestFinishRefusalsAreTyped: the result processing files a refused result by
// why it was refused, so each refusal is told apart by errors.Is / errors.As,
// while still wrapping the error the API maps.
func TestFinishRefusalsAreTyped(t *testing.T) {
	tests := []struct {
		name      string
		arrange   func(f *finishFixture) (examTok, resultTok string)
		want      error // errors.Is
		wrapped   error // errors.Is too: what the API maps
		tokenKind exam.TokenKind
	}{
		{"bad exam token", func(f *finishFixture) (string, string) { return "not-a-jwt", f.result },
			exam.ErrInvalidToken, exam.ErrInvalidToken, exam.ExamToken},
		{"bad result token", func(f *finishFixture) (string, string) { return f.examTok, "not-a-jwt" },
			exam.ErrInvalidToken, exam.ErrInvalidToken, exam.ResultToken},
		{"expired result token", func(f *finishFixture) (string, string) {
			old, _ := token.MintResultToken(resultKey, f.examID, f.clock.Now().Add(-3*time.Hour), time.Hour)
			return f.examTok, old
		}, exam.ErrTokenExpired, exam.ErrInvalidToken, exam.ResultToken},
		{"finished by another result", func(f *finishFixture) (string, string) {
			if _, err := f.finish.Run(context.Background(), attendant, f.examTok, f.result); err != nil {
				panic(err)
			}
			f.clock.Advance(time.Second)
			other, _ := token.MintResultToken(resultKey, f.examID, f.clock.Now(), time.Hour)
			return f.examTok, other
		}, exam.ErrFinishedByOtherResult, exam.ErrInvalidTransition, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFinishFixture(t)
			examTok, resultTok := tt.arrange(f)
			_, err := f.finish.Run(context.Background(), attendant, examTok, resultTok)
			if !errors.Is(err, tt.want) || !errors.Is(err, tt.wrapped) {
				t.Fatalf("err = %v, want %v wrapping %v", err, tt.want, tt.wrapped)
			}
			var tokenErr *exam.TokenError
			if got := errors.As(err, &tokenErr); got != (tt.tokenKind != "") || got && tokenErr.Kind != tt.tokenKind {
				t.Fatalf("err = %#v, want a TokenError of kind %q", err, tt.tokenKind)
			}
		})
	}
}
