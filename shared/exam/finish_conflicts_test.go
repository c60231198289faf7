package exam_test

import (
	"context"
	"errors"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

// contendedStore refuses every write, as if other writers always got there
// first, and reports the exam as the next of states after each refusal.
type contendedStore struct {
	exam.FinishStore
	states []exam.Exam
	writes int
}

func (s *contendedStore) refuse() error {
	cur := s.states[min(s.writes, len(s.states)-1)]
	s.writes++
	return &exam.ConflictError{Current: cur}
}

func (s *contendedStore) Transition(context.Context, exam.Transition) (exam.Exam, error) {
	return exam.Exam{}, s.refuse()
}

func (s *contendedStore) UpdateNotification(context.Context, string, string, exam.Notification) (exam.Exam, error) {
	return exam.Exam{}, s.refuse()
}

// After losing every write, finishing answers from the exam as the last
// refusal showed it, never "another invocation is sending" for an exam that
// was revoked or finished by another result meanwhile.
func TestFinishAnswersTheLastStateAfterConflicts(t *testing.T) {
	for _, tc := range []struct {
		name string
		last func(e exam.Exam) exam.Exam
		want error
	}{
		{"revoked meanwhile", func(e exam.Exam) exam.Exam {
			e.Status = exam.StatusRevoked
			return e
		}, exam.ErrExamRevoked},
		{"finished by another result meanwhile", func(e exam.Exam) exam.Exam {
			e.Status, e.ResultRef = exam.StatusFinished, "another-result"
			e.Notification = exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS}
			return e
		}, exam.ErrInvalidTransition},
		{"finished by this result, notified by another invocation", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFinishFixture(t)
			started, err := f.store.Get(context.Background(), f.examID)
			if err != nil {
				t.Fatal(err)
			}
			last := started
			if tc.last != nil {
				last = tc.last(started)
			} else {
				last.Status, last.ResultRef = exam.StatusFinished, exam.ResultRef(f.result)
				last.Notification = exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS}
			}
			// Three refusals that leave the exam Started (another writer's
			// claim came and went), then the state the test is about.
			store := &contendedStore{FinishStore: f.store, states: []exam.Exam{started, started, started, last}}
			f.finish.Exams = store
			got, err := f.finish.Run(context.Background(), attendant, f.examTok, f.result)
			if !errors.Is(err, tc.want) || (tc.want != nil && err == nil) {
				t.Fatalf("after %d refused writes: %v, want %v", store.writes, err, tc.want)
			}
			if got.Status != last.Status || got.ResultRef != last.ResultRef {
				t.Fatalf("answered %+v, the exam stands %+v", got, last)
			}
			if len(f.notifier.Sent()) != 0 {
				t.Fatalf("sent %d notifications without holding a claim", len(f.notifier.Sent()))
			}
		})
	}
}
