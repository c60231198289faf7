package s3list_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/s3list"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestListsVersionsAndDeleteMarkersInS3sOrder on moto's versioned bucket.
func TestListsVersionsAndDeleteMarkersInS3sOrder(t *testing.T) {
	moto := mototest.Start(t)
	moto.Reset(t)
	ctx := context.Background()
	l := s3list.FromConfig(emulators.Config(moto.URL))
	bucket := "results"
	if _, err := l.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.S3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string) string {
		out, err := l.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	a1 := put("completed/2026_11/a.pdf", "first")
	a2 := put("completed/2026_11/a.pdf", "second")
	b1 := put("completed/2026_11/b pdf.pdf", "b")
	put("processed/2026_11/c.pdf", "elsewhere")
	if _, err := l.S3.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("completed/2026_11/b pdf.pdf")}); err != nil {
		t.Fatal(err)
	}
	var got []reconcile.Entry
	if err := l.ListVersions(ctx, bucket, "completed/", func(e reconcile.Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	type row struct {
		key, version string
		marker       bool
	}
	want := []row{{"completed/2026_11/a.pdf", a2, false}, {"completed/2026_11/a.pdf", a1, false},
		{"completed/2026_11/b pdf.pdf", "", true}, {"completed/2026_11/b pdf.pdf", b1, false}}
	if len(got) != len(want) {
		t.Fatalf("listed %+v, want %+v", got, want)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key || g.DeleteMarker != w.marker || (w.version != "" && g.VersionID != w.version) || g.LastModified.IsZero() {
			t.Errorf("entry %d: %+v, want %+v", i, g, w)
		}
	}
	if got[0].Size != int64(len("second")) {
		t.Errorf("size %d", got[0].Size)
	}
}
