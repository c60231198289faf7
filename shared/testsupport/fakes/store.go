package fakes

import (
	"context"
	"sync"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// FaultyStore is an exam store whose every call fails while a failure is set.
type FaultyStore struct {
	exam.Store
	mu   sync.Mutex
	fail error
}

// NewFaultyStore wraps s.
func NewFaultyStore(s exam.Store) *FaultyStore { return &FaultyStore{Store: s} }

// FailWith makes every call fail with err (nil to stop failing).
func (s *FaultyStore) FailWith(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

func (s *FaultyStore) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fail
}

// Create stores e unless failing.
func (s *FaultyStore) Create(ctx context.Context, e exam.Exam) error {
	if err := s.err(); err != nil {
		return err
	}
	return s.Store.Create(ctx, e)
}

// Get reads an exam unless failing.
func (s *FaultyStore) Get(ctx context.Context, id string) (exam.Exam, error) {
	if err := s.err(); err != nil {
		return exam.Exam{}, err
	}
	return s.Store.Get(ctx, id)
}

// ListByPatient lists unless failing.
func (s *FaultyStore) ListByPatient(ctx context.Context, p string, limit int, after *exam.Position) (exam.Page, error) {
	if err := s.err(); err != nil {
		return exam.Page{}, err
	}
	return s.Store.ListByPatient(ctx, p, limit, after)
}

// ListByStatus lists a worklist unless failing.
func (s *FaultyStore) ListByStatus(ctx context.Context, st exam.Status, since time.Time, limit int, after *exam.QueuePosition) (exam.QueuePage, error) {
	if err := s.err(); err != nil {
		return exam.QueuePage{}, err
	}
	return s.Store.ListByStatus(ctx, st, since, limit, after)
}

// Transition applies tr unless failing.
func (s *FaultyStore) Transition(ctx context.Context, tr exam.Transition) (exam.Exam, error) {
	if err := s.err(); err != nil {
		return exam.Exam{}, err
	}
	return s.Store.Transition(ctx, tr)
}

// UpdateNotification updates unless failing.
func (s *FaultyStore) UpdateNotification(ctx context.Context, id, owner string, n exam.Notification) (exam.Exam, error) {
	if err := s.err(); err != nil {
		return exam.Exam{}, err
	}
	return s.Store.UpdateNotification(ctx, id, owner, n)
}

// ClaimFailedNotification claims unless failing.
func (s *FaultyStore) ClaimFailedNotification(ctx context.Context, id string, failedAt time.Time, claim exam.Notification) (exam.Exam, error) {
	if err := s.err(); err != nil {
		return exam.Exam{}, err
	}
	return s.Store.ClaimFailedNotification(ctx, id, failedAt, claim)
}
