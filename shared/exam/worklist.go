package exam

import (
	"context"
	"sync"
	"time"
)

// The worklist: the exams currently in one status, across patients, oldest
// transition first (a queue), only those that entered the status on or after
// a day in the clinic's time zone.

// ClinicZone names the time zone whose calendar days the worklist counts in.
const ClinicZone = "America/Sao_Paulo"

// DefaultWorklistDays is how many days before today a worklist reaches back
// when no day is asked for.
const DefaultWorklistDays = 6

// dayLayout is a worklist's since: a calendar day.
const dayLayout = "2006-01-02"

// QueuePosition is where a page of a worklist ends: the next page starts
// after it. EnteredAt is in FormatSortable form, as the stores order by it.
type QueuePosition struct {
	EnteredAt string
	ExamID    string
}

// QueuePositionOf is the position of e in its status's worklist.
func QueuePositionOf(e Exam) QueuePosition {
	return QueuePosition{EnteredAt: FormatSortable(EnteredAt(e)), ExamID: e.ID}
}

// EnteredAt is when e entered its current status: the time of its last
// transition, or its creation for a Registered exam.
func EnteredAt(e Exam) time.Time {
	var t time.Time
	switch e.Status {
	case StatusRegistered:
		t = e.CreatedAt
	case StatusStarted:
		t = e.StartedAt
	case StatusFinished:
		t = e.FinishedAt
	case StatusRevoked:
		t = e.RevokedAt
	}
	if t.IsZero() {
		return e.UpdatedAt
	}
	return t
}

// QueuePage is one page of a worklist, oldest transition first, as a store
// returns it. Its exams are what the store's worklist index holds: all an exam
// renders and the patient's name, never the patient's document, the revoke
// reason nor the result reference. Next is nil on the last page.
type QueuePage struct {
	Exams []Exam
	Next  *QueuePosition
}

// StatusLister lists the exams in status that entered it at or after since,
// oldest first, limit at a time, after a position (nil for the first page).
type StatusLister interface {
	ListByStatus(ctx context.Context, status Status, since time.Time, limit int, after *QueuePosition) (QueuePage, error)
}

// WorklistCursors turn a position in a worklist into the opaque cursor a
// client holds, and back. A cursor is bound to its status and to the day its
// worklist starts on: Decode returns the day with the position, and
// ErrInvalidCursor for a cursor not issued for that status.
type WorklistCursors interface {
	Encode(status Status, since string, p QueuePosition) string
	Decode(status Status, cursor string) (since string, p QueuePosition, err error)
}

// WorklistQuery is what a worklist page asks for: the status as the client
// spelled it, the day (YYYY-MM-DD, "" for the default), the page size and the
// cursor of the page before ("" for the first).
type WorklistQuery struct {
	Status string
	Since  string
	Limit  int
	Cursor string
}

// WorklistPage is one page of a worklist. NextCursor is empty on the last page.
type WorklistPage struct {
	Exams      []Exam
	NextCursor string
}

// Worklist lists the exams waiting in one status, one store query per page.
type Worklist struct {
	Exams   StatusLister
	Cursors WorklistCursors
	Now     func() time.Time
}

// Run returns one page of the worklist q asks for. A next page asked without
// a day keeps the day its cursor was issued for, so that a queue read across
// midnight goes on where it was rather than jump.
func (w Worklist) Run(ctx context.Context, q WorklistQuery) (WorklistPage, error) {
	status, ok := worklistStatus(q.Status)
	if !ok {
		return WorklistPage{}, InvalidRequest("query parameter \"status\" must be Registered, Started, Finished or Revoked")
	}
	if q.Limit < 1 || q.Limit > MaxPageSize {
		return WorklistPage{}, InvalidRequest("limit must be between 1 and 100")
	}
	zone, err := clinicZone()
	if err != nil {
		return WorklistPage{}, err
	}
	today := w.Now().In(zone)
	day := q.Since
	if day != "" {
		if err := checkDay(day, today); err != nil {
			return WorklistPage{}, err
		}
	}
	var after *QueuePosition
	if q.Cursor != "" {
		issuedFor, pos, err := w.Cursors.Decode(status, q.Cursor)
		if err != nil || (day != "" && day != issuedFor) {
			return WorklistPage{}, ErrInvalidCursor
		}
		day, after = issuedFor, &pos
	}
	if day == "" {
		day = today.AddDate(0, 0, -DefaultWorklistDays).Format(dayLayout)
	}
	since, err := time.ParseInLocation(dayLayout, day, zone)
	if err != nil {
		// Only a cursor's own day gets here unchecked, and the codec signed it.
		return WorklistPage{}, ErrInvalidCursor
	}
	page, err := w.Exams.ListByStatus(ctx, status, since, q.Limit, after)
	if err != nil {
		return WorklistPage{}, err
	}
	out := WorklistPage{Exams: page.Exams}
	if page.Next != nil {
		out.NextCursor = w.Cursors.Encode(status, day, *page.Next)
	}
	return out, nil
}

func worklistStatus(s string) (Status, bool) {
	switch st := Status(s); st {
	case StatusRegistered, StatusStarted, StatusFinished, StatusRevoked:
		return st, true
	}
	return "", false
}

// checkDay refuses a day that is not written YYYY-MM-DD or that is after today.
func checkDay(day string, today time.Time) error {
	d, err := time.Parse(dayLayout, day)
	if err != nil || d.Format(dayLayout) != day {
		return InvalidRequest("since must be a day written YYYY-MM-DD")
	}
	if day > today.Format(dayLayout) {
		return InvalidRequest("since must not be after today in " + ClinicZone)
	}
	return nil
}

// clinicZone is loaded once. The Lambda that serves the worklist embeds the
// zone database (time/tzdata), as provided.al2023 ships none; a missing zone
// is a deployment fault, never a reason to count days in UTC.
var clinicZone = sync.OnceValues(func() (*time.Location, error) {
	return time.LoadLocation(ClinicZone)
})
