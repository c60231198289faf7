package results

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestStore runs the result-storage suite against two independent S3 implementations.
func TestStore(t *testing.T) {
	t.Run("backend=gofakes3", func(t *testing.T) {
		h, _ := emulators.S3()
		srv, err := emulators.Serve("127.0.0.1:0", h)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		t.Logf("backend: gofakes3 (in process) at %s", srv.URL)
		runSuite(t, srv.URL)
	})
	t.Run("backend=moto", func(t *testing.T) {
		moto := mototest.Start(t)
		t.Log("moto's S3 behind emulators.ConditionalCopy (moto ignores If-None-Match on CopyObject)")
		runSuite(t, moto.S3URL(t))
	})
}

// fixture is a fresh bucket on an S3 endpoint, with a count of the response
// body bytes the client has read.
type fixture struct {
	t      *testing.T
	s3     *s3.Client
	read   *atomic.Int64
	store  *Store
	bucket string
}

func runSuite(t *testing.T, endpoint string) {
	tests := []struct {
		name string
		run  func(f *fixture)
	}{
		{"tokens from metadata", testMetadata},
		{"tokens from a JSON body", testJSONBody},
		{"unusable tokens", testUnusable},
		{"a body over 10 MiB is not read", testTooLarge},
		{"a missing object is gone", testGone},
		{"moves, with encoded keys", testMove},
		{"a retried move finds its own copy", testRetriedMove},
		{"a move never overwrites another object", testNoOverwrite},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read := &atomic.Int64{}
			cfg := emulators.Config(endpoint)
			cfg.HTTPClient = &http.Client{Transport: emulators.CountingTransport{Next: http.DefaultTransport, Bytes: read}}
			client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
			f := &fixture{t: t, s3: client, read: read, store: New(client), bucket: "zmed-exams-result-" + string(rune('a'+i))}
			if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &f.bucket}); err != nil {
				t.Fatal(err)
			}
			tt.run(f)
		})
	}
}

func (f *fixture) put(key, contentType string, body []byte, meta map[string]string) {
	f.t.Helper()
	_, err := f.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &f.bucket, Key: &key, ContentType: &contentType, Body: bytes.NewReader(body), Metadata: meta,
	})
	if err != nil {
		f.t.Fatalf("put %s: %v", key, err)
	}
}

func (f *fixture) readObject(key string) Object {
	f.t.Helper()
	obj, err := f.store.Read(context.Background(), f.bucket, key)
	if err != nil {
		f.t.Fatalf("read %s: %v", key, err)
	}
	return obj
}

func (f *fixture) keys() []string {
	f.t.Helper()
	out, err := f.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: &f.bucket})
	if err != nil {
		f.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	sort.Strings(keys)
	return keys
}

func (f *fixture) expectKeys(want ...string) {
	f.t.Helper()
	sort.Strings(want)
	if got := f.keys(); strings.Join(got, "|") != strings.Join(want, "|") {
		f.t.Fatalf("bucket holds %q, want %q", got, want)
	}
}

func (f *fixture) body(key string) string {
	f.t.Helper()
	out, err := f.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &f.bucket, Key: &key})
	if err != nil {
		f.t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

var tokens = map[string]string{ExamTokenMeta: "exam.jwt.token", ResultTokenMeta: "result.jwt.token"}

func testMetadata(f *fixture) {
	f.put("completed/2026_11/r.pdf", "application/pdf", []byte("%PDF-1.4"), tokens)
	obj := f.readObject("completed/2026_11/r.pdf")
	if obj.ExamToken != "exam.jwt.token" || obj.ResultToken != "result.jwt.token" || obj.TokenProblem != nil || obj.ETag == "" {
		f.t.Fatalf("read %+v", obj)
	}
}

func testJSONBody(f *fixture) {
	f.put("completed/2026_11/r.json", "application/json", []byte(`{"values": [1, 2], "exam_token": "e.t.x", "result_token": "r.t.x"}`), nil)
	f.put("completed/2026_11/r2.json", "binary/octet-stream", []byte(`{"exam_token": "e.t.y", "result_token": "r.t.y"}`), nil)
	for key, want := range map[string]string{"completed/2026_11/r.json": "e.t.x", "completed/2026_11/r2.json": "e.t.y"} {
		if obj := f.readObject(key); obj.ExamToken != want || obj.ResultToken == "" || obj.TokenProblem != nil {
			f.t.Fatalf("read %s: %+v", key, obj)
		}
	}
}

func testUnusable(f *fixture) {
	f.put("completed/a.pdf", "application/pdf", []byte("%PDF"), nil)
	f.put("completed/b.pdf", "application/pdf", []byte("%PDF"), map[string]string{ExamTokenMeta: "only.one.token"})
	f.put("completed/c.json", "application/json", []byte(`{"exam_token": `), nil)
	f.put("completed/d.json", "application/json", []byte(`{"exam_token": "x"}`), nil)
	f.put("completed/e.json", "application/json", []byte(`{"exam_token": 1, "result_token": 2}`), nil)
	for key, want := range map[string]error{
		"completed/a.pdf": ErrNoTokens, "completed/b.pdf": ErrNoTokens,
		"completed/c.json": ErrMalformed, "completed/d.json": ErrNoTokens, "completed/e.json": ErrMalformed,
	} {
		if obj := f.readObject(key); !errors.Is(obj.TokenProblem, want) {
			f.t.Errorf("%s: problem %v, want %v", key, obj.TokenProblem, want)
		}
	}
}

func testTooLarge(f *fixture) {
	big := append([]byte(`{"exam_token": "e", "result_token": "r", "pad": "`), bytes.Repeat([]byte("x"), MaxJSONBody)...)
	big = append(big, `"}`...)
	f.put("completed/big.json", "application/json", big, nil)
	f.read.Store(0)
	if obj := f.readObject("completed/big.json"); !errors.Is(obj.TokenProblem, ErrTooLarge) {
		f.t.Fatalf("problem %v, want ErrTooLarge", obj.TokenProblem)
	}
	if n := f.read.Load(); n > 64<<10 {
		f.t.Fatalf("read %d bytes of a %d-byte body", n, len(big))
	}
}

func testGone(f *fixture) {
	if _, err := f.store.Read(context.Background(), f.bucket, "completed/none.pdf"); !errors.Is(err, ErrGone) {
		f.t.Fatalf("err = %v, want ErrGone", err)
	}
	f.put("completed/x.pdf", "application/pdf", []byte("%PDF"), tokens)
	obj := f.readObject("completed/x.pdf")
	if _, err := f.store.Move(context.Background(), obj, "processed/x.pdf"); err != nil {
		f.t.Fatal(err)
	}
	// Moving again finds the source gone, or its own copy in place: either way nothing changes.
	if got, err := f.store.Move(context.Background(), obj, "processed/x.pdf"); err != nil && !errors.Is(err, ErrGone) || err == nil && got != "processed/x.pdf" {
		f.t.Fatalf("second move: %q, %v; want ErrGone or the same place", got, err)
	}
	f.expectKeys("processed/x.pdf")
}

func testMove(f *fixture) {
	names := []string{"plain.pdf", "with space.pdf", "a+b.pdf", "100% pronto.pdf", "coração ção.pdf", "日本 ß.pdf", "a%2Bb.pdf"}
	var want []string
	for _, name := range names {
		f.put("completed/2026_11/"+name, "application/pdf", []byte("body of "+name), tokens)
		obj := f.readObject("completed/2026_11/" + name)
		got, err := f.store.Move(context.Background(), obj, "processed/2026_11/"+name)
		if err != nil || got != "processed/2026_11/"+name {
			f.t.Fatalf("move %q: %q, %v", name, got, err)
		}
		if b := f.body(got); b != "body of "+name {
			f.t.Fatalf("moved %q holds %q", name, b)
		}
		moved := f.readObject(got)
		if moved.ExamToken != "exam.jwt.token" || !strings.HasPrefix(moved.ContentType, "application/pdf") {
			f.t.Fatalf("moved %q lost its metadata or type: %+v", name, moved)
		}
		want = append(want, got)
	}
	f.expectKeys(want...)
}

func testRetriedMove(f *fixture) {
	f.put("completed/r.pdf", "application/pdf", []byte("%PDF r"), tokens)
	obj := f.readObject("completed/r.pdf")
	// An earlier attempt copied, then failed before deleting the source.
	if _, err := f.store.copyOnce(context.Background(), obj, "processed/r.pdf"); err != nil {
		f.t.Fatal(err)
	}
	got, err := f.store.Move(context.Background(), obj, "processed/r.pdf")
	if err != nil || got != "processed/r.pdf" {
		f.t.Fatalf("retried move: %q, %v", got, err)
	}
	f.expectKeys("processed/r.pdf")
}

func testNoOverwrite(f *fixture) {
	f.put("processed/r.pdf", "application/pdf", []byte("someone else's"), nil)
	f.put("completed/r.pdf", "application/pdf", []byte("%PDF mine"), tokens)
	obj := f.readObject("completed/r.pdf")
	got, err := f.store.Move(context.Background(), obj, "processed/r.pdf")
	if err != nil || got == "processed/r.pdf" || !strings.HasPrefix(got, "processed/r-") || !strings.HasSuffix(got, ".pdf") {
		f.t.Fatalf("move onto a taken name: %q, %v", got, err)
	}
	if b := f.body("processed/r.pdf"); b != "someone else's" {
		f.t.Fatalf("the other object was overwritten: %q", b)
	}
	if b := f.body(got); b != "%PDF mine" {
		f.t.Fatalf("moved object holds %q", b)
	}
	f.expectKeys("processed/r.pdf", got)
}
