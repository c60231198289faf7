package patient

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// unavailableText is every error text of an answer the client cannot use:
// fixed words and at most a member's name, never a value the answer carried.
var unavailableText = regexp.MustCompile(`^dependency unavailable: patient manager [a-z ]+: [A-Za-z0-9_ -]+$`)

// FuzzFindByDocument serves any status and body from a patient manager on
// 127.0.0.1: a patient comes only from a 200 holding one JSON object with a
// known status and an id, its birth date a real day written YYYY-MM-DD or
// unknown (whatever birth_date held); a 404 is not found; anything else is unavailability
// whose text quotes nothing of the answer.
func FuzzFindByDocument(f *testing.F) {
	var mu sync.Mutex
	var status int
	var body string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	f.Cleanup(srv.Close)
	client := New(srv.URL, srv.Client(), time.Second)

	f.Add(200, patientJSON("active", verified, verified))
	f.Add(200, patientJSON("pending", "null", verified))
	f.Add(200, patientJSON("Maria 52998224725", "null", "null"))
	f.Add(200, patientJSON("active", `"Maria 52998224725"`, "null"))
	f.Add(200, patientJSON("active", "null", "null")+"00")
	f.Add(200, `{"id":"p-1","status":"active","STATUS":"inactive"}`)
	f.Add(200, `{"id":"p-1","status":"inactive","status":"active"}`)
	f.Add(200, withBirthDate(`"1987-03-09"`))
	f.Add(200, withBirthDate(`"1990-02-30"`))
	f.Add(200, withBirthDate(`19870309`))
	f.Add(200, withBirthDate(`"1987-03-09T00:00:00Z"`))
	f.Add(404, `{"error":"not found"}`)
	f.Add(500, `Maria 52998224725`)
	f.Fuzz(func(t *testing.T, st int, b string) {
		if st < 200 || st > 599 {
			return // net/http refuses to write other statuses
		}
		mu.Lock()
		status, body = st, b
		mu.Unlock()
		p, err := client.FindByDocument(context.Background(), "52998224725")
		switch {
		case err == nil:
			if st != 200 || p.ID == "" || (p.Status != exam.PatientActive && p.Status != exam.PatientPending && p.Status != exam.PatientInactive) {
				t.Fatalf("patient %+v from %d %q", p, st, b)
			}
			if day, err := time.Parse(time.DateOnly, p.BirthDate); p.BirthDate != "" && (err != nil || day.Format(time.DateOnly) != p.BirthDate) {
				t.Fatalf("birth date %q is not a day written YYYY-MM-DD, from %q", p.BirthDate, b)
			}
		case errors.Is(err, exam.ErrPatientNotFound):
			if st != 404 {
				t.Fatalf("not found from %d %q", st, b)
			}
		case !errors.Is(err, exam.ErrDependency) || !unavailableText.MatchString(err.Error()):
			t.Fatalf("error %q from %d %q", err, st, b)
		}
	})
}
