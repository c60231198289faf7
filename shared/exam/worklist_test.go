package exam_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func (d *domain) worklist() exam.Worklist {
	return exam.Worklist{Exams: d.store, Cursors: cursor.ForWorklist([]byte("domain-test-cursor-key-0123456789abcdef")), Now: d.clock.Now}
}

// TestWorklistKeepsItsDayAcrossMidnight: a queue paged without a day keeps the
// day its first page started from, so that midnight in São Paulo neither skips
// the exams of the day that left the default window nor ends the paging.
func TestWorklistKeepsItsDayAcrossMidnight(t *testing.T) {
	d := newDomain() // 2026-05-04 10:00 in São Paulo
	d.clock.Advance(-6 * 24 * time.Hour)
	first := d.registered(t, fakes.ActiveSMS) // 2026-04-28 10:00
	d.clock.Advance(2 * time.Hour)
	second := d.registered(t, fakes.ActiveEmail) // 2026-04-28 12:00
	d.clock.Advance(6*24*time.Hour + 11*time.Hour + 50*time.Minute)
	third := d.registered(t, fakes.ActiveNone) // 2026-05-04 23:50

	ctx := context.Background()
	page, err := d.worklist().Run(ctx, exam.WorklistQuery{Status: "Registered", Limit: 1})
	if err != nil || len(page.Exams) != 1 || page.Exams[0].ID != first.ID || page.NextCursor == "" {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	d.clock.Advance(20 * time.Minute) // 2026-05-05 00:10: the default day is now 2026-04-29
	var got []string
	for cur := page.NextCursor; cur != ""; cur = page.NextCursor {
		if page, err = d.worklist().Run(ctx, exam.WorklistQuery{Status: "Registered", Limit: 1, Cursor: cur}); err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Exams {
			got = append(got, e.ID)
		}
	}
	if len(got) != 2 || got[0] != second.ID || got[1] != third.ID {
		t.Fatalf("after midnight the queue went on with %v, want %s then %s", got, second.ID, third.ID)
	}
	// A new first page starts from the new default day.
	page, err = d.worklist().Run(ctx, exam.WorklistQuery{Status: "Registered", Limit: 10})
	if err != nil || len(page.Exams) != 1 || page.Exams[0].ID != third.ID {
		t.Fatalf("a new first page after midnight: %+v, %v; want only %s", page, err, third.ID)
	}
}

// TestWorklistRefusesBeforeCallingTheStore: a bad query costs no store call.
func TestWorklistRefusesBeforeCallingTheStore(t *testing.T) {
	d := newDomain()
	d.store.FailWith(errors.New("the store was called"))
	for _, q := range []exam.WorklistQuery{
		{Status: "", Limit: 20},
		{Status: "Registered", Limit: 0},
		{Status: "Registered", Limit: 20, Since: "2026-05-05"},
		{Status: "Registered", Limit: 20, Since: "2026-5-4"},
		{Status: "Registered", Limit: 20, Cursor: "x.y"},
	} {
		var invalid *exam.RequestError
		if _, err := d.worklist().Run(context.Background(), q); !errors.As(err, &invalid) {
			t.Errorf("%+v: %v, want a request error", q, err)
		}
	}
}
