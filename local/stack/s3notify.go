package stack

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/johannesboyne/gofakes3"

	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// s3Notifications sends an ObjectCreated event for every object written under
// prefix in bucket, as the bucket's event notification does in AWS, naming
// the version written.
type s3Notifications struct {
	next      http.Handler
	backend   gofakes3.VersionedBackend
	bucket    string
	prefix    string
	deliver   func(events.S3Event)
	sequencer atomic.Uint64
}

func (n *s3Notifications) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	n.next.ServeHTTP(rec, r)
	bucket, key, ok := createdObject(r)
	if !ok || rec.status != http.StatusOK || bucket != n.bucket || !strings.HasPrefix(key, n.prefix) {
		return
	}
	// The version this request made, as S3's event names it; not the current
	// one, which a later upload may already have replaced.
	version := rec.Header().Get("x-amz-version-id")
	obj, err := n.backend.HeadObjectVersion(bucket, key, gofakes3.VersionID(version))
	if err != nil {
		return
	}
	ev := s3event.ObjectCreated(emulators.Region, bucket, key, version, obj.Size, fmt.Sprintf("%x", obj.Hash),
		fmt.Sprintf("%018X", n.sequencer.Add(1)), time.Now())
	if r.Header.Get("X-Amz-Copy-Source") != "" {
		ev.Records[0].EventName = "ObjectCreated:Copy"
	} else if r.Method == http.MethodPost {
		ev.Records[0].EventName = "ObjectCreated:CompleteMultipartUpload"
	}
	n.deliver(ev)
}

// createdObject reports the bucket and key a request creates an object at:
// PutObject, CopyObject or CompleteMultipartUpload (path-style addressing).
func createdObject(r *http.Request) (bucket, key string, ok bool) {
	bucket, key, _ = strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if bucket == "" || key == "" {
		return "", "", false
	}
	q := r.URL.Query()
	switch {
	case r.Method == http.MethodPut && !q.Has("partNumber") && !q.Has("tagging") && !q.Has("acl"):
		return bucket, key, true
	case r.Method == http.MethodPost && q.Has("uploadId"):
		return bucket, key, true
	}
	return "", "", false
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}
