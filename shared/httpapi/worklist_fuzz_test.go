package httpapi

import (
	"slices"
	"testing"
	"time"
)

// issuedWorklistCursors pages every worklist, from the default day and from
// an earlier one, one exam a page, and returns the cursors the service issued.
func (h *harness) issuedWorklistCursors() map[string]bool {
	issued := map[string]bool{}
	for _, status := range []string{"Registered", "Started"} {
		for _, since := range []string{"", "2026-05-20"} {
			q := map[string]string{"status": status, "since": since, "limit": "1"}
			for {
				r := h.call(h.worklist, getAt(ExamWorklist.Route, q))
				next, ok := r.body["next_cursor"].(string)
				if !ok {
					break
				}
				issued[next], q["cursor"] = true, next
			}
		}
	}
	return issued
}

// FuzzWorklist: any status, day, limit and cursor. A 200 only for one of the
// four statuses, a day written YYYY-MM-DD that is not after today in São
// Paulo (epoch's day), and a cursor the service issued; its items are all in
// that status. Names appear in items only, never in a log line.
func FuzzWorklist(f *testing.F) {
	h := fuzzHarness(f)
	for c := range h.issuedWorklistCursors() {
		f.Add("Registered", "", "1", c)
		f.Add("Started", "2026-05-20", "1", c+"\n")
	}
	f.Add("Registered", "2026-06-01", "20", "")
	f.Add("Started", "2026-06-02", "100", "")
	f.Add("Finished", "2026-6-1", "0", "")
	f.Add("registered", "01/06/2026", "ten", "eyJwIjoiUmVnaXN0ZXJlZCAyMDI2LTA1LTIwIn0.AAAA")
	f.Add("Maria da Silva", "529.982.247-25", "-1", "Maria da Silva")
	f.Fuzz(func(t *testing.T, status, since, limit, cursor string) {
		h := fuzzHarness(t)
		issued := h.issuedWorklistCursors()
		q := map[string]string{"status": status, "since": since, "limit": limit, "cursor": cursor}
		r := fuzzCall(t, h, h.worklist, getAt(ExamWorklist.Route, q))
		if r.status != 200 {
			return
		}
		day, err := time.Parse("2006-01-02", since)
		switch {
		case !slices.Contains([]string{"Registered", "Started", "Finished", "Revoked"}, status):
			t.Fatalf("status %q accepted", status)
		case since != "" && (err != nil || day.Format("2006-01-02") != since || since > "2026-06-01"):
			t.Fatalf("since %q accepted", since)
		case cursor != "" && !issued[cursor]:
			t.Fatalf("cursor %q accepted, but the service never issued it", cursor)
		}
		for _, item := range r.body["exams"].([]any) {
			if got := item.(map[string]any)["status"]; got != status {
				t.Fatalf("a %v exam in the %s worklist", got, status)
			}
		}
	})
}
