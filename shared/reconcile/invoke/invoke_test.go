package invoke_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

const function = "arn:aws:lambda:sa-east-1:123456789012:function:zmed-dev-process-result:live"

// TestProcessInvokesProcessResultWithTheVersionsEvent serves Lambda's Invoke
// API on loopback: the request is a synchronous invocation of the alias with
// the S3 event of exactly that version; a function error is an error.
func TestProcessInvokesProcessResultWithTheVersionsEvent(t *testing.T) {
	for _, failing := range []bool{false, true} {
		var got events.S3Event
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.EscapedPath(), "/2015-03-31/functions/") ||
				!strings.HasSuffix(r.URL.Path, "/invocations") || !strings.Contains(r.URL.Path, "zmed-dev-process-result:live") {
				t.Errorf("unexpected request %s %s", r.Method, r.URL.EscapedPath())
			}
			if h := r.Header.Get("X-Amz-Invocation-Type"); h != "RequestResponse" {
				t.Errorf("invocation type %q, want RequestResponse", h)
			}
			body, _ := io.ReadAll(r.Body)
			if err := json.Unmarshal(body, &got); err != nil {
				t.Errorf("payload is not an S3 event: %v", err)
			}
			if failing {
				w.Header().Set("X-Amz-Function-Error", "Unhandled")
				_, _ = w.Write([]byte(`{"errorType":"errors.joinError","errorMessage":"dependency unavailable"}`))
				return
			}
			_, _ = w.Write([]byte(`null`))
		}))
		p := invoke.FromConfig(emulators.Config(srv.URL), function)
		v := reconcile.Entry{Key: "completed/2026_11/Exame de sangue.pdf", VersionID: "v-42", Size: 7, ETag: `"abc"`,
			LastModified: time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)}
		err := p.Process(context.Background(), "results", v)
		srv.Close()
		if failing != (err != nil) {
			t.Fatalf("failing %v: error %v", failing, err)
		}
		if failing && strings.Contains(err.Error(), "dependency unavailable") {
			t.Errorf("the error repeats process-result's message: %v", err)
		}
		if len(got.Records) != 1 {
			t.Fatalf("event %+v", got)
		}
		rec := got.Records[0]
		o := rec.S3.Object
		if rec.EventSource != "aws:s3" || rec.S3.Bucket.Name != "results" || o.Key != "completed/2026_11/Exame+de+sangue.pdf" ||
			o.URLDecodedKey != v.Key || o.VersionID != "v-42" || o.Size != 7 || !rec.EventTime.Equal(v.LastModified) {
			t.Errorf("event record %+v", rec)
		}
	}
}
