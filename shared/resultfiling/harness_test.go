package resultfiling_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/token"
)

const bucket = "zmed-exams-result"

var (
	examKey   = []byte("test-exam-token-key-0123456789abcdef")
	resultKey = []byte("test-result-token-key-0123456789abcdef")
	epoch     = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
)

// harness runs the real processor and S3 adapter against an S3 endpoint over
// HTTP (gofakes3 in process, unless newHarnessOn names another), in a
// versioned bucket as in AWS, with the in-memory exam store, fake patients and
// a recording notifier.
type harness struct {
	t         *testing.T
	s3        *s3.Client
	bodyBytes *atomic.Int64 // response body bytes the S3 client has read
	store     *fakes.FaultyStore
	patients  *fakes.Patients
	notifier  *fakes.Notifier
	clock     *fakes.Clock
	issuer    *token.Issuer
	objects   *flakyObjects
	refusals  *refusals // S3 answers forced on the gofakes3 endpoint
	proc      resultfiling.Processor
	handle    func(context.Context, events.S3Event) error // proc behind the Lambda's S3 event handler
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	handler, _ := emulators.S3()
	ref := &refusals{}
	srv, err := emulators.Serve("127.0.0.1:0", ref.wrap(handler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	h := newHarnessOn(t, srv.URL)
	h.refusals = ref
	return h
}

// newHarnessOn is a harness on the S3 endpoint at url.
func newHarnessOn(t *testing.T, url string) *harness {
	t.Helper()
	h := &harness{
		t: t, bodyBytes: &atomic.Int64{},
		store:    fakes.NewFaultyStore(memstore.New()),
		patients: fakes.AllPatients(),
		notifier: &fakes.Notifier{},
		clock:    fakes.NewClock(epoch),
	}
	cfg := emulators.Config(url)
	cfg.HTTPClient = &http.Client{Transport: emulators.CountingTransport{Next: http.DefaultTransport, Bytes: h.bodyBytes}}
	h.s3 = s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	ctx := context.Background()
	if _, err := h.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	h.issuer, _ = token.NewIssuer(examKey, token.DefaultExamTokenTTL, h.clock.Now)
	verifier, err := token.NewVerifier(examKey, resultKey, h.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	finder := document.Finder{Info: pdfinfo.Reader{}, Codes: codesDouble{}, Tokens: verifier, Limits: document.DefaultLimits}
	h.objects = &flakyObjects{Objects: s3results.New(h.s3).ReadingDocuments(finder)}
	h.proc = resultfiling.Processor{
		Objects: h.objects,
		Finish: exam.Finish{Tokens: verifier, Exams: h.store, Patients: h.patients, Notifier: h.notifier,
			Now: h.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}},
		Bucket:  bucket,
		Folders: resultfiling.DefaultFolders,
		Now:     h.clock.Now,
	}
	h.handle = s3event.Handler(h.proc.Process)
	return h
}

// flakyObjects makes the next Move fail, once.
type flakyObjects struct {
	resultfiling.Objects
	failMove atomic.Bool
}

func (f *flakyObjects) Move(ctx context.Context, obj resultfiling.Object, dst resultfiling.Filing) (string, error) {
	if f.failMove.CompareAndSwap(true, false) {
		return "", errors.New("s3 copy object: connection reset")
	}
	return f.Objects.Move(ctx, obj, dst)
}

// refusals answers S3 requests with a permanent refusal, as S3 does for a
// request it will never accept (an IAM policy that denies it, say).
type refusals struct {
	mu    sync.Mutex
	rules []refusal
}

type refusal struct {
	method, prefix string // a request of method on a key under prefix; copies are PUTs with a copy source
	copy           bool
	status         int
	code           string
}

// refuse makes every later copy (or read, unless copy) of a key under prefix fail with status and code.
func (r *refusals) refuse(copy bool, prefix string, status int, code string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	method := http.MethodGet
	if copy {
		method = http.MethodPut
	}
	r.rules = append(r.rules, refusal{method: method, prefix: prefix, copy: copy, status: status, code: code})
}

func (r *refusals) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		rules := r.rules
		r.mu.Unlock()
		key := strings.TrimPrefix(req.URL.Path, "/"+bucket+"/")
		for _, rule := range rules {
			if req.Method == rule.method && strings.HasPrefix(key, rule.prefix) && rule.copy == (req.Header.Get("X-Amz-Copy-Source") != "") {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(rule.status)
				_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + rule.code + `</Code><Message>refused</Message></Error>`))
				return
			}
		}
		next.ServeHTTP(w, req)
	})
}

// registeredExam registers an exam of type 6 for p.
func (h *harness) registeredExam(p exam.Patient) exam.Exam {
	h.t.Helper()
	r, err := exam.Register{Patients: h.patients, Exams: h.store, Now: h.clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}.Run(context.Background(), fakes.Attendant, exam.RegisterRequest{Document: p.Document, Type: 6})
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Exam
}

// startedExam registers and starts an exam of p and returns it with its exam token.
func (h *harness) startedExam(p exam.Patient) (exam.Exam, string) {
	h.t.Helper()
	e, issued := h.start(p)
	return e, issued.ExamToken
}

// labelledExam starts an exam and returns it with its label code.
func (h *harness) labelledExam(p exam.Patient) (exam.Exam, string) {
	h.t.Helper()
	e, issued := h.start(p)
	return e, issued.LabelCode
}

func (h *harness) start(p exam.Patient) (exam.Exam, exam.Issued) {
	h.t.Helper()
	ctx := context.Background()
	e := h.registeredExam(p)
	e, issued, err := exam.Start{Patients: h.patients, Exams: h.store, Tokens: h.issuer, Now: h.clock.Now, Observer: telemetry.Observer{}}.Run(ctx, fakes.Attendant, p.Document, e.ID, 6)
	if err != nil {
		h.t.Fatal(err)
	}
	return e, issued
}

func (h *harness) resultToken(examID string) string {
	tok, err := token.MintResultToken(resultKey, examID, h.clock.Now(), time.Hour)
	if err != nil {
		h.t.Fatal(err)
	}
	return tok
}

// put uploads an object and returns the event S3 would send for it, naming
// the version it made.
func (h *harness) put(key, contentType string, body []byte, metadata map[string]string) events.S3Event {
	h.t.Helper()
	out, err := h.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
		ContentType: aws.String(contentType), Metadata: metadata,
	})
	if err != nil {
		h.t.Fatalf("put %s: %v", key, err)
	}
	return s3event.ObjectCreated(emulators.Region, bucket, key, aws.ToString(out.VersionId), int64(len(body)), aws.ToString(out.ETag), "0055AED6DCD90281E5", h.clock.Now())
}

// putPDF uploads a PDF carrying its tokens as metadata.
func (h *harness) putPDF(key, examToken, resultToken string) events.S3Event {
	meta := map[string]string{}
	if examToken != "" {
		meta["exam-token"] = examToken
	}
	if resultToken != "" {
		meta["result-token"] = resultToken
	}
	return h.put(key, "application/pdf", pdfs.Write(1), meta)
}

// keys lists the bucket.
func (h *harness) keys() []string {
	h.t.Helper()
	out, err := h.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		h.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	sort.Strings(keys)
	return keys
}

func (h *harness) expectKeys(want ...string) {
	h.t.Helper()
	sort.Strings(want)
	got := h.keys()
	if len(got) != len(want) {
		h.t.Fatalf("bucket holds %q, want %q", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			h.t.Fatalf("bucket holds %q, want %q", got, want)
		}
	}
}

func (h *harness) exam(id string) exam.Exam {
	h.t.Helper()
	e, err := h.store.Store.Get(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return e
}

// concurrently runs f n times at once and waits.
func concurrently(n int, f func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
}

func (h *harness) get(key string) string {
	h.t.Helper()
	out, err := h.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		h.t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}

// filedMetadata is the user metadata of the object at key.
func (h *harness) filedMetadata(key string) map[string]string {
	h.t.Helper()
	out, err := h.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		h.t.Fatalf("head %s: %v", key, err)
	}
	return out.Metadata
}

// versions lists every version and delete marker under prefix.
func (h *harness) versions(prefix string) []string {
	h.t.Helper()
	vs, err := emulators.Versions(context.Background(), h.s3, bucket, prefix)
	if err != nil {
		h.t.Fatal(err)
	}
	return vs
}
