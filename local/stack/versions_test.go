package stack

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/s3results"
)

// TestEachUploadIsFiledByItsVersion: the local S3 endpoint is versioned and
// its events name the version each upload made, so uploads to one key a few
// milliseconds apart are each processed and filed, by their own version;
// a folder marker is left alone.
func TestEachUploadIsFiledByItsVersion(t *testing.T) {
	e := startStack(t)
	ctx := context.Background()
	bucket := e.s.Config.Bucket
	if _, err := e.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("completed/2026_11/"), Body: strings.NewReader("")}); err != nil {
		t.Fatal(err)
	}
	var want []string // the sources of the filed objects
	for i := range 10 {
		id, examTok := e.startedExam(activeSMS)
		key := ResultKey("completed", id, ".pdf", time.Now())
		for _, body := range []string{"%PDF A", "%PDF B, corrected"} {
			version, err := UploadVersion(ctx, e.s3, bucket, key, "application/pdf", []byte(body), examTok, e.resultToken(id))
			if err != nil {
				t.Fatal(err)
			}
			if version == "" {
				t.Fatal("no version: the local bucket is not versioned")
			}
			want = append(want, s3results.SourceDigest(bucket, key, version))
			time.Sleep(time.Duration(i) * 2 * time.Millisecond) // a gap of 0 to 18 ms, an input only
		}
	}
	sort.Strings(want)
	// Filed means out of completed/: a key still there (an upload not yet
	// processed) would make up the count with one filed version of it.
	e.eventually("every upload filed, the folder marker left alone", func() bool {
		keys := e.keys()
		waiting := 0
		for _, k := range keys {
			if strings.HasPrefix(k, "completed/") {
				waiting++
			}
		}
		return len(keys) == len(want)+1 && keys[0] == "completed/2026_11/" && waiting == 1
	})
	var got []string
	for _, key := range e.keys()[1:] {
		head, err := e.s3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, head.Metadata[s3results.SourceMeta])
	}
	sort.Strings(got)
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("filed objects come from %q, want one from each upload %q", got, want)
	}
}
