package s3list_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/reconcile/s3list"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// counting counts the requests it carries.
type counting struct {
	next http.RoundTripper
	n    atomic.Int32
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// TestARunWithAnEmptyFolderCostsOneListing is docs/operations.md's cost figure: a run
// over an empty completed/ (other folders full) makes one S3 request and
// invokes nothing.
func TestARunWithAnEmptyFolderCostsOneListing(t *testing.T) {
	moto := mototest.Start(t)
	moto.Reset(t)
	ctx := context.Background()
	bucket := "results"
	setup := s3list.FromConfig(emulators.Config(moto.URL))
	if _, err := setup.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := setup.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"processed/2026_11/a.pdf", "stuck/2026_11/b.pdf"} {
		if _, err := setup.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: http.NoBody}); err != nil {
			t.Fatal(err)
		}
	}
	s3Calls := &counting{next: http.DefaultTransport}
	cfg := emulators.Config(moto.URL)
	cfg.HTTPClient = &http.Client{Transport: s3Calls}
	invocations := atomic.Int32{}
	lambda := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		invocations.Add(1)
		_, _ = w.Write([]byte("null"))
	}))
	defer lambda.Close()
	r := reconcile.Reconciler{Bucket: bucket, Prefix: "completed", MinAge: reconcile.DefaultMinAge,
		List: s3list.FromConfig(cfg), Process: invoke.FromConfig(emulators.Config(lambda.URL), "process-result:live"), Now: time.Now}
	rep, err := r.Run(ctx)
	if err != nil || rep.Seen != 0 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if n := s3Calls.n.Load(); n != 1 || invocations.Load() != 0 {
		t.Errorf("%d S3 requests and %d invocations, want 1 and 0", n, invocations.Load())
	}
}
