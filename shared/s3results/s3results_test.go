package s3results

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
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/zmed/exam-manager/shared/labelcode"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestStore runs the result-storage suite against two independent S3
// implementations: the local endpoint and moto (behind
// emulators.ConditionalCopy: moto ignores If-None-Match on CopyObject).
func TestStore(t *testing.T) {
	mototest.EachS3(t, runSuite)
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
		{"two uploads to one key: each version filed, neither lost", testVersionExact},
		{"an event without a version moves the version read", testEventWithoutVersion},
		{"identical bytes under two keys are two results", testIdenticalBytes},
		{"a filed object keeps its system metadata and says why it is there", testFiledMetadata},
		{"the user's metadata gives way to the filing's near S3's limit", testMetadataLimit},
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
			// Versioned, as template.yaml's bucket.
			if _, err := client.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
				Bucket: &f.bucket, VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
			}); err != nil {
				t.Fatal(err)
			}
			tt.run(f)
		})
	}
}

// put uploads an object and returns the version it made.
func (f *fixture) put(key, contentType string, body []byte, meta map[string]string) string {
	f.t.Helper()
	out, err := f.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &f.bucket, Key: &key, ContentType: &contentType, Body: bytes.NewReader(body), Metadata: meta,
	})
	if err != nil {
		f.t.Fatalf("put %s: %v", key, err)
	}
	if aws.ToString(out.VersionId) == "" {
		f.t.Fatalf("put %s: no version in a versioned bucket", key)
	}
	return aws.ToString(out.VersionId)
}

// readObject reads the current version of key.
func (f *fixture) readObject(key string) Object {
	f.t.Helper()
	return f.readVersion(key, "")
}

func (f *fixture) readVersion(key, version string) Object {
	f.t.Helper()
	obj, err := f.store.Read(context.Background(), f.bucket, key, version)
	if err != nil {
		f.t.Fatalf("read %s: %v", key, err)
	}
	return obj
}

// move files obj at dst for reason.
func (f *fixture) move(obj Object, dst string) (string, error) {
	return f.store.Move(context.Background(), obj, resultfiling.Filing{Key: dst, Reason: resultfiling.Finished, ExamID: "exam-1"})
}

// versions lists every version left under prefix.
func (f *fixture) versions(prefix string) []string {
	f.t.Helper()
	vs, err := emulators.Versions(context.Background(), f.s3, f.bucket, prefix)
	if err != nil {
		f.t.Fatal(err)
	}
	return vs
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

// aLabelCode is a label code, the exam token's compact form, read like the JWT.
var aLabelCode = func() string {
	code, err := labelcode.Sign([]byte("s3results-test-exam-key-0123456789ab"),
		labelcode.Exam{ID: "7d0f3c0e-2b1a-4d5e-9f60-1a2b3c4d5e6f", PatientID: "patient-1", Type: 1}, time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	return code
}()

func testMetadata(f *fixture) {
	f.put("completed/2026_11/r.pdf", "application/pdf", []byte("%PDF-1.4"), tokens)
	obj := f.readObject("completed/2026_11/r.pdf")
	if obj.ExamToken != "exam.jwt.token" || obj.ResultToken != "result.jwt.token" || obj.TokenProblem != nil || obj.ETag == "" {
		f.t.Fatalf("read %+v", obj)
	}
	f.put("completed/2026_11/l.pdf", "application/pdf", []byte("%PDF-1.4"), map[string]string{ExamTokenMeta: aLabelCode, ResultTokenMeta: "result.jwt.token"})
	if obj := f.readObject("completed/2026_11/l.pdf"); obj.ExamToken != aLabelCode || obj.TokenProblem != nil {
		f.t.Fatalf("read a label code as %+v", obj)
	}
}

func testJSONBody(f *fixture) {
	f.put("completed/2026_11/r.json", "application/json", []byte(`{"values": [1, 2], "exam_token": "e.t.x", "result_token": "r.t.x"}`), nil)
	f.put("completed/2026_11/r2.json", "binary/octet-stream", []byte(`{"exam_token": "e.t.y", "result_token": "r.t.y"}`), nil)
	f.put("completed/2026_11/l.json", "application/json", []byte(`{"exam_token": "`+aLabelCode+`", "result_token": "r.t.z"}`), nil)
	for key, want := range map[string]string{"completed/2026_11/r.json": "e.t.x", "completed/2026_11/r2.json": "e.t.y", "completed/2026_11/l.json": aLabelCode} {
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
	if _, err := f.store.Read(context.Background(), f.bucket, "completed/none.pdf", ""); !errors.Is(err, ErrGone) {
		f.t.Fatalf("err = %v, want ErrGone", err)
	}
	version := f.put("completed/x.pdf", "application/pdf", []byte("%PDF"), tokens)
	obj := f.readVersion("completed/x.pdf", version)
	if _, err := f.move(obj, "processed/x.pdf"); err != nil {
		f.t.Fatal(err)
	}
	// The version is gone for good: its event delivered again finds nothing to read.
	if _, err := f.store.Read(context.Background(), f.bucket, "completed/x.pdf", version); !errors.Is(err, ErrGone) {
		f.t.Fatalf("reading a filed version: %v, want ErrGone", err)
	}
	// Moving again finds the source gone, or its own copy in place: either way nothing changes.
	if got, err := f.move(obj, "processed/x.pdf"); err != nil && !errors.Is(err, ErrGone) || err == nil && got != "processed/x.pdf" {
		f.t.Fatalf("second move: %q, %v; want ErrGone or the same place", got, err)
	}
	f.expectKeys("processed/x.pdf")
	if vs := f.versions("completed/"); len(vs) != 0 {
		f.t.Fatalf("versions left in completed/: %q", vs)
	}
}

func testMove(f *fixture) {
	names := []string{"plain.pdf", "with space.pdf", "a+b.pdf", "100% pronto.pdf", "coração ção.pdf", "日本 ß.pdf", "a%2Bb.pdf"}
	var want []string
	for _, name := range names {
		f.put("completed/2026_11/"+name, "application/pdf", []byte("body of "+name), tokens)
		obj := f.readObject("completed/2026_11/" + name)
		got, err := f.move(obj, "processed/2026_11/"+name)
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
	filing := resultfiling.Filing{Key: "processed/r.pdf", Reason: resultfiling.Finished}
	if _, err := f.store.copyOnce(context.Background(), obj, "processed/r.pdf", filedMetadata(obj, filing, SourceDigest(obj.Bucket, obj.Key, obj.VersionID))); err != nil {
		f.t.Fatal(err)
	}
	got, err := f.store.Move(context.Background(), obj, filing)
	if err != nil || got != "processed/r.pdf" {
		f.t.Fatalf("retried move: %q, %v", got, err)
	}
	f.expectKeys("processed/r.pdf")
}

func testNoOverwrite(f *fixture) {
	f.put("processed/r.pdf", "application/pdf", []byte("someone else's"), nil)
	f.put("completed/r.pdf", "application/pdf", []byte("%PDF mine"), tokens)
	obj := f.readObject("completed/r.pdf")
	got, err := f.move(obj, "processed/r.pdf")
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

func testVersionExact(f *fixture) {
	const key = "completed/2026_11/r.pdf"
	a := f.put(key, "application/pdf", []byte("%PDF A"), map[string]string{ExamTokenMeta: "a.a.a", ResultTokenMeta: "a.r.r"})
	b := f.put(key, "application/pdf", []byte("%PDF B, corrected"), map[string]string{ExamTokenMeta: "b.b.b", ResultTokenMeta: "b.r.r"})
	objA := f.readVersion(key, a)
	if objA.ExamToken != "a.a.a" || objA.VersionID != a {
		f.t.Fatalf("version A read as %+v", objA)
	}
	// A's processing files A and deletes only A: B stays, current, under its key.
	gotA, err := f.move(objA, "processed/2026_11/r.pdf")
	if err != nil {
		f.t.Fatal(err)
	}
	if body := f.body(key); body != "%PDF B, corrected" {
		f.t.Fatalf("after filing A the key holds %q", body)
	}
	objB := f.readVersion(key, b)
	gotB, err := f.move(objB, "processed/2026_11/r.pdf")
	if err != nil || gotB == gotA {
		f.t.Fatalf("filing B: %q, %v (A at %q)", gotB, err, gotA)
	}
	if f.body(gotA) != "%PDF A" || f.body(gotB) != "%PDF B, corrected" {
		f.t.Fatalf("filed %q and %q hold %q and %q", gotA, gotB, f.body(gotA), f.body(gotB))
	}
	f.expectKeys(gotA, gotB)
	if vs := f.versions("completed/"); len(vs) != 0 {
		f.t.Fatalf("versions left in completed/: %q", vs)
	}
}

// testEventWithoutVersion: an event that names no version (a bucket whose
// versioning was off when the object was written) still moves exactly the
// version read: the one S3 said it returned.
func testEventWithoutVersion(f *fixture) {
	const key = "completed/2026_11/r.pdf"
	a := f.put(key, "application/pdf", []byte("%PDF A"), tokens)
	obj := f.readObject(key)
	if obj.VersionID != a {
		f.t.Fatalf("read version %q, S3 made %q", obj.VersionID, a)
	}
	b := f.put(key, "application/pdf", []byte("%PDF B"), tokens)
	if _, err := f.move(obj, "processed/2026_11/r.pdf"); err != nil {
		f.t.Fatal(err)
	}
	if vs := f.versions("completed/"); len(vs) != 1 || vs[0] != key+"?versionId="+b {
		f.t.Fatalf("completed/ holds %q, want only B's version %s", vs, b)
	}
}

func testIdenticalBytes(f *fixture) {
	same := []byte("%PDF the very same bytes")
	var filed []string
	for _, lab := range []string{"lab-a", "lab-b"} {
		key := "completed/2026_11/" + lab + "/rX.pdf"
		obj := f.readVersion(key, f.put(key, "application/pdf", same, tokens))
		got, err := f.move(obj, "processed/2026_11/rX.pdf")
		if err != nil {
			f.t.Fatalf("filing %s: %v", key, err)
		}
		// Moving it again (a retry) finds its own copy, not the other lab's.
		if again, err := f.move(obj, "processed/2026_11/rX.pdf"); err != nil && !errors.Is(err, ErrGone) || err == nil && again != got {
			f.t.Fatalf("filing %s again: %q, %v; want %q", key, again, err, got)
		}
		filed = append(filed, got)
	}
	if filed[0] == filed[1] {
		f.t.Fatalf("both results filed as %q", filed[0])
	}
	f.expectKeys(filed...)
}

func testFiledMetadata(f *fixture) {
	const key = "completed/2026_11/r.pdf"
	version := f.put(key, "application/pdf", []byte("%PDF"), nil) // replaced below with every header set
	_, err := f.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: &f.bucket, Key: aws.String(key), Body: bytes.NewReader([]byte("%PDF headers")),
		ContentType: aws.String("application/pdf"), ContentDisposition: aws.String(`attachment; filename="resultado.pdf"`),
		ContentEncoding: aws.String("identity"), ContentLanguage: aws.String("pt-BR"), CacheControl: aws.String("no-store"),
		Metadata: map[string]string{ExamTokenMeta: "e.e.e", ResultTokenMeta: "r.r.r", "lab": "ZMED", OutcomeMeta: "processed", ReasonMeta: "finished"},
	})
	if err != nil {
		f.t.Fatal(err)
	}
	obj := f.readObject(key)
	if obj.VersionID == version {
		f.t.Fatal("read the older version")
	}
	got, err := f.store.Move(context.Background(), obj, resultfiling.Filing{Key: "stuck/2026_11/r.pdf", Reason: resultfiling.NotStarted, ExamID: "exam-1"})
	if err != nil {
		f.t.Fatal(err)
	}
	head, err := f.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &f.bucket, Key: &got})
	if err != nil {
		f.t.Fatal(err)
	}
	for name, pair := range map[string][2]string{
		"Content-Type":        {aws.ToString(head.ContentType), "application/pdf"},
		"Content-Disposition": {aws.ToString(head.ContentDisposition), `attachment; filename="resultado.pdf"`},
		"Content-Encoding":    {aws.ToString(head.ContentEncoding), "identity"},
		"Content-Language":    {aws.ToString(head.ContentLanguage), "pt-BR"},
		"Cache-Control":       {aws.ToString(head.CacheControl), "no-store"},
		OutcomeMeta:           {head.Metadata[OutcomeMeta], "stuck"},
		ReasonMeta:            {head.Metadata[ReasonMeta], "not_started"},
		ExamIDMeta:            {head.Metadata[ExamIDMeta], "exam-1"},
		SourceMeta:            {head.Metadata[SourceMeta], SourceDigest(f.bucket, key, obj.VersionID)},
		SourceKeyMeta:         {head.Metadata[SourceKeyMeta], resultfiling.SourceKeyDigest(f.bucket, key)},
		ExamTokenMeta:         {head.Metadata[ExamTokenMeta], "e.e.e"},
		"lab":                 {head.Metadata["lab"], "ZMED"},
	} {
		if pair[0] != pair[1] {
			f.t.Errorf("filed object's %s is %q, want %q", name, pair[0], pair[1])
		}
	}
}

func testMetadataLimit(f *fixture) {
	const key = "completed/2026_11/big-meta.pdf"
	// Within S3's 2 KB as uploaded; over it with the filing's entries added.
	meta := map[string]string{ExamTokenMeta: strings.Repeat("e", 500), ResultTokenMeta: strings.Repeat("r", 300), "notes": strings.Repeat("n", 1150)}
	obj := f.readVersion(key, f.put(key, "application/pdf", []byte("%PDF"), meta))
	got, err := f.move(obj, "processed/2026_11/big-meta.pdf")
	if err != nil {
		f.t.Fatalf("filing an object near the metadata limit: %v", err)
	}
	head, err := f.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &f.bucket, Key: &got})
	if err != nil {
		f.t.Fatal(err)
	}
	if head.Metadata[ReasonMeta] != "finished" || head.Metadata[ExamTokenMeta] != meta[ExamTokenMeta] || head.Metadata[ResultTokenMeta] != meta[ResultTokenMeta] {
		f.t.Fatalf("filed metadata %v: the filing's entries and the tokens must stay", head.Metadata)
	}
	if _, kept := head.Metadata["notes"]; kept {
		f.t.Fatal("the user's other metadata kept beyond S3's limit")
	}
}
