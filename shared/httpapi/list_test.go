package httpapi

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

func TestListPages(t *testing.T) {
	h := newHarness(t)
	var ids []string
	for i := range 45 {
		ids = append(ids, h.registered(fakes.ActiveSMS, 1+i%10))
	}
	h.registered(fakes.ActiveEmail, 1) // another patient's exam is never listed

	var got []string
	cur, pages := "", 0
	for {
		q := map[string]string{"document": "529.982.247-25"}
		if cur != "" {
			q["cursor"] = cur
		}
		r := h.call(h.list, get(q))
		r.expect(t, 200, "")
		pages++
		for _, e := range r.body["exams"].([]any) {
			got = append(got, e.(map[string]any)["exam_id"].(string))
		}
		next, ok := r.body["next_cursor"].(string)
		if !ok {
			break
		}
		cur = next
	}
	if pages != 3 || len(got) != 45 {
		t.Fatalf("%d exams in %d pages, want 45 in 3 (default limit 20)", len(got), pages)
	}
	for i, id := range got {
		if want := ids[len(ids)-1-i]; id != want {
			t.Fatalf("position %d: %s, want %s (newest first)", i, id, want)
		}
	}

	r := h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document, "limit": "100"}))
	r.expect(t, 200, "")
	if n := len(r.body["exams"].([]any)); n != 45 || r.body["next_cursor"] != nil {
		t.Fatalf("limit 100: %d exams, next_cursor %v", n, r.body["next_cursor"])
	}
}

func TestList(t *testing.T) {
	h, cursor := listedHarness(t)

	tests := []struct {
		name   string
		query  map[string]string
		setup  func(h *harness)
		status int
		code   string
		count  int
	}{
		{"limit 2", map[string]string{"document": fakes.ActiveSMS.Document, "limit": "2"}, nil, 200, "", 2},
		{"next page", map[string]string{"document": fakes.ActiveSMS.Document, "limit": "1", "cursor": cursor}, nil, 200, "", 1},
		{"patient without exams", map[string]string{"document": fakes.ActiveEmail.Document}, nil, 200, "", 0},
		{"inactive patient can be listed", map[string]string{"document": fakes.Inactive.Document}, nil, 200, "", 0},
		{"pending patient can be listed", map[string]string{"document": fakes.Pending.Document}, nil, 200, "", 0},
		{"limit 0", map[string]string{"document": fakes.ActiveSMS.Document, "limit": "0"}, nil, 400, "INVALID_REQUEST", 0},
		{"limit 101", map[string]string{"document": fakes.ActiveSMS.Document, "limit": "101"}, nil, 400, "INVALID_REQUEST", 0},
		{"limit not a number", map[string]string{"document": fakes.ActiveSMS.Document, "limit": "ten"}, nil, 400, "INVALID_REQUEST", 0},
		{"tampered cursor", map[string]string{"document": fakes.ActiveSMS.Document, "cursor": cursor[:len(cursor)-2] + "AA"}, nil, 400, "INVALID_REQUEST", 0},
		{"cursor with a line break", map[string]string{"document": fakes.ActiveSMS.Document, "cursor": cursor[:len(cursor)-9] + "\n" + cursor[len(cursor)-9:]}, nil, 400, "INVALID_REQUEST", 0},
		{"cursor's last character re-spelled", map[string]string{"document": fakes.ActiveSMS.Document, "cursor": cursor[:len(cursor)-1] + respell(cursor[len(cursor)-1])}, nil, 400, "INVALID_REQUEST", 0},
		{"another patient's cursor", map[string]string{"document": fakes.ActiveEmail.Document, "cursor": cursor}, nil, 400, "INVALID_REQUEST", 0},
		{"missing document", map[string]string{}, nil, 400, "INVALID_REQUEST", 0},
		{"invalid document", map[string]string{"document": "00000000000"}, nil, 400, "INVALID_DOCUMENT", 0},
		{"unknown patient", map[string]string{"document": "12345678909"}, nil, 404, "PATIENT_NOT_FOUND", 0},
		{"patient manager down", map[string]string{"document": fakes.ActiveSMS.Document},
			func(h *harness) { h.patients.FailWith(fmt.Errorf("%w: 502", exam.ErrDependency)) }, 503, "DEPENDENCY_UNAVAILABLE", 0},
		{"store down", map[string]string{"document": fakes.ActiveSMS.Document},
			func(h *harness) { h.store.FailWith(fmt.Errorf("%w: throttled", exam.ErrDependency)) }, 503, "DEPENDENCY_UNAVAILABLE", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.setup != nil {
				tt.setup(h)
				defer func() { h.patients.FailWith(nil); h.store.FailWith(nil) }()
			}
			r := h.call(h.list, get(tt.query))
			r.expect(t, tt.status, tt.code)
			if tt.status == 200 {
				if n := len(r.body["exams"].([]any)); n != tt.count {
					t.Fatalf("%d exams, want %d: %s", n, tt.count, r.raw)
				}
			}
		})
	}
}

// listedHarness is a harness where the SMS patient has three exams, and the
// cursor of the first page of one.
func listedHarness(t *testing.T) (*harness, string) {
	h := newHarness(t)
	for range 3 {
		h.registered(fakes.ActiveSMS, 1)
	}
	first := h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document, "limit": "1"}))
	return h, first.body["next_cursor"].(string)
}

// respell returns the base64url character that differs from c in its lowest
// bit only: as the last character of a 32-byte HMAC, that bit is unused.
func respell(c byte) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return string(alphabet[strings.IndexByte(alphabet, c)^1])
}
