package patient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// TestEachLookupReportsItsLatency: one PatientManagerLatency per request, in
// milliseconds, whatever the answer; none when no request was made.
func TestEachLookupReportsItsLatency(t *testing.T) {
	for _, status := range []int{200, 404, 500} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			_, _ = w.Write([]byte(patientJSON("active", "null", "null")))
		}))
		logs := logtest.Capture(t)
		_, _ = New(srv.URL, srv.Client(), 0).FindByDocument(context.Background(), "52998224725")
		srv.Close()
		points, err := emftest.Read(logs.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if len(points) != 1 || points[0].Name != "PatientManagerLatency" || points[0].Unit != "Milliseconds" ||
			points[0].Key() != "PatientManagerLatency{}" || points[0].Value < 0 {
			t.Errorf("status %d: points %+v, want one PatientManagerLatency in ms", status, points)
		}
	}
}
