// Package memstore is an in-memory exam store with the same semantics as the
// DynamoDB store: conditional transitions and newest-first listing by position.
// It serves unit tests and benchmarks.
package memstore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// Store keeps exams in a map guarded by a mutex.
type Store struct {
	mu    sync.Mutex
	exams map[string]exam.Exam
}

var _ exam.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{exams: map[string]exam.Exam{}}
}

// Create stores e unless an exam with its id exists.
func (s *Store) Create(_ context.Context, e exam.Exam) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if current, ok := s.exams[e.ID]; ok {
		return &exam.ExistsError{Current: current}
	}
	s.exams[e.ID] = e
	return nil
}

// Get returns the exam with id.
func (s *Store) Get(_ context.Context, id string) (exam.Exam, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exams[id]
	if !ok {
		return exam.Exam{}, exam.ErrExamNotFound
	}
	return e, nil
}

// ListByPatient returns up to limit exams of patientID after a position, newest first.
func (s *Store) ListByPatient(_ context.Context, patientID string, limit int, from *exam.Position) (exam.Page, error) {
	s.mu.Lock()
	var all []exam.Exam
	for _, e := range s.exams {
		if e.PatientID == patientID && (from == nil || comparePosition(exam.PositionOf(e), *from) < 0) {
			all = append(all, e)
		}
	}
	s.mu.Unlock()
	exams, next := pageOf(all, limit, exam.PositionOf, func(a, b exam.Position) int { return comparePosition(b, a) })
	return exam.Page{Exams: exams, Next: next}, nil
}

// pageOf sorts exams by their positions (pos, in cmp's order) and returns the
// first limit of them, and the last one's position when more follow.
func pageOf[P any](exams []exam.Exam, limit int, pos func(exam.Exam) P, cmp func(a, b P) int) ([]exam.Exam, *P) {
	type placed struct {
		at P
		e  exam.Exam
	}
	all := make([]placed, len(exams))
	for i, e := range exams {
		all[i] = placed{pos(e), e} // once each: a position formats times
	}
	slices.SortFunc(all, func(a, b placed) int { return cmp(a.at, b.at) })
	page := make([]exam.Exam, min(limit, len(all)))
	for i := range page {
		page[i] = all[i].e
	}
	if len(all) <= limit {
		return page, nil
	}
	return page, &all[limit-1].at
}

// comparePosition orders by creation time, then id, as the DynamoDB index does.
func comparePosition(a, b exam.Position) int {
	if c := strings.Compare(a.CreatedAt, b.CreatedAt); c != 0 {
		return c
	}
	return strings.Compare(a.ExamID, b.ExamID)
}

// ListByStatus returns up to limit exams in status that entered it at or
// after since, after a position, oldest first, as the worklist index holds
// them (without the document, revoke reason and result reference).
func (s *Store) ListByStatus(_ context.Context, status exam.Status, since time.Time, limit int, from *exam.QueuePosition) (exam.QueuePage, error) {
	bound := exam.FormatSortable(since)
	s.mu.Lock()
	var all []exam.Exam
	for _, e := range s.exams {
		p := exam.QueuePositionOf(e)
		if e.Status == status && p.EnteredAt >= bound && (from == nil || compareQueue(p, *from) > 0) {
			e.PatientDocument, e.RevokeReason, e.ResultRef = "", "", ""
			all = append(all, e)
		}
	}
	s.mu.Unlock()
	exams, next := pageOf(all, limit, exam.QueuePositionOf, compareQueue)
	return exam.QueuePage{Exams: exams, Next: next}, nil
}

// compareQueue orders by the time the exam entered its status, then id, as
// the DynamoDB worklist index does.
func compareQueue(a, b exam.QueuePosition) int {
	if c := strings.Compare(a.EnteredAt, b.EnteredAt); c != 0 {
		return c
	}
	return strings.Compare(a.ExamID, b.ExamID)
}

// Transition applies t if its condition holds.
func (s *Store) Transition(_ context.Context, t exam.Transition) (exam.Exam, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exams[t.ExamID]
	if !ok {
		return exam.Exam{}, exam.ErrExamNotFound
	}
	if !t.Allows(e) {
		return exam.Exam{}, &exam.ConflictError{Current: e}
	}
	e = t.Apply(e)
	s.exams[e.ID] = e
	return e, nil
}

// UpdateNotification replaces the notification if expectOwner holds the claim.
func (s *Store) UpdateNotification(_ context.Context, id, expectOwner string, n exam.Notification) (exam.Exam, error) {
	return s.replaceNotification(id, n, func(e exam.Exam) bool { return exam.NotificationUpdatable(e, expectOwner) })
}

// ClaimFailedNotification replaces the notification if it failed at failedAt.
func (s *Store) ClaimFailedNotification(_ context.Context, id string, failedAt time.Time, claim exam.Notification) (exam.Exam, error) {
	return s.replaceNotification(id, claim, func(e exam.Exam) bool { return exam.FailedNotificationClaimable(e, failedAt) })
}

// replaceNotification replaces the notification of the exam id if allowed holds for it.
func (s *Store) replaceNotification(id string, n exam.Notification, allowed func(exam.Exam) bool) (exam.Exam, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.exams[id]
	if !ok {
		return exam.Exam{}, exam.ErrExamNotFound
	}
	if !allowed(e) {
		return exam.Exam{}, &exam.ConflictError{Current: e}
	}
	e.Notification = n
	s.exams[id] = e
	return e, nil
}
