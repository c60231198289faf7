package dynamostore

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// loseResponse delivers each request of the chosen DynamoDB operation once,
// then drops DynamoDB's answer, as a connection that breaks after the write:
// the SDK sends the write again.
type loseResponse struct {
	next      http.RoundTripper
	operation string // e.g. "PutItem"
	mu        sync.Mutex
	lost      int
}

func (l *loseResponse) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(r)
	if err != nil || !strings.HasSuffix(r.Header.Get("X-Amz-Target"), "."+l.operation) {
		return resp, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lost > 0 {
		return resp, nil
	}
	l.lost++
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return nil, io.ErrUnexpectedEOF
}

// TestRetriedWriteRecognisesItself: a write that succeeded but whose answer
// was lost is sent again by the SDK, finds its condition refused by its own
// first attempt, and must succeed rather than report a conflict. Another
// writer's conflict is still one.
func TestRetriedWriteRecognisesItself(t *testing.T) {
	for name, endpoint := range emulatorURLs {
		t.Run("backend="+name, func(t *testing.T) {
			url := endpoint(t)
			store := func(operation string) (*Store, *loseResponse, string) {
				lose := &loseResponse{next: http.DefaultTransport, operation: operation}
				cfg := emulators.Config(url)
				cfg.HTTPClient = &http.Client{Transport: lose}
				db := dynamodb.NewFromConfig(cfg)
				table := "exams-" + uuid.NewString()[:8]
				if err := CreateTable(context.Background(), db, table); err != nil {
					t.Fatal(err)
				}
				return New(db, table), lose, table
			}
			at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
			e := exam.Exam{ID: uuid.NewString(), PatientID: "p-1", PatientDocument: "52998224725", Type: 1,
				Status: exam.StatusRegistered, CreatedAt: at, UpdatedAt: at}

			t.Run("create", func(t *testing.T) {
				s, lose, _ := store("PutItem")
				if err := s.Create(context.Background(), e); err != nil {
					t.Fatalf("Create after a lost answer: %v", err)
				}
				if lose.lost != 1 {
					t.Fatalf("%d answers lost, want 1", lose.lost)
				}
				if err := s.Create(context.Background(), e); !errors.Is(err, exam.ErrExamAlreadyExists) {
					t.Fatalf("a second Create: %v, want ErrExamAlreadyExists", err)
				}
			})
			t.Run("transition", func(t *testing.T) {
				s, lose, _ := store("UpdateItem")
				if err := s.Create(context.Background(), e); err != nil {
					t.Fatal(err)
				}
				start := exam.Transition{ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
					From: []exam.Status{exam.StatusRegistered}, To: exam.StatusStarted, At: at.Add(time.Minute), By: exam.ProcessResultActor}
				got, err := s.Transition(context.Background(), start)
				if err != nil || got.Status != exam.StatusStarted || !got.StartedAt.Equal(start.At) {
					t.Fatalf("Transition after a lost answer: %+v, %v", got, err)
				}
				if lose.lost != 1 {
					t.Fatalf("%d answers lost, want 1", lose.lost)
				}
				var conflict *exam.ConflictError
				if _, err := s.Transition(context.Background(), start); !errors.As(err, &conflict) {
					t.Fatalf("another start: %v, want a conflict", err)
				}
			})
		})
	}
}
