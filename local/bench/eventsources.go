package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
	"github.com/zmed/exam-manager/shared/token"
)

// eventSources makes each function's events on a local stack: exams are
// registered and started in-process (not timed), scans are uploaded to a
// bucket of the bench's own, which the stack does not watch, so that only
// the measured function processes them.
type eventSources struct {
	ctx    context.Context
	st     *stack.Stack
	call   func(fn, body string, query map[string]string) (string, error)
	s3c    *s3.Client
	bucket string
	// scanBytes is the size of the last scan made; scanned, the exams whose
	// scans were made (each must end Finished).
	scanBytes int
	scanned   []string
}

const benchPatient = "52998224725"

func newEventSources(ctx context.Context, st *stack.Stack, bucket string) (*eventSources, error) {
	s := &eventSources{ctx: ctx, st: st, call: stackCaller(ctx, st, st.Config), s3c: st.S3Client(), bucket: bucket}
	if _, err := s.s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return nil, err
	}
	_, err := s.s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}})
	return s, err
}

// forFunction is functions/<fn>'s event source: its first sample event,
// given a fresh exam where the function changes one.
func (s *eventSources) forFunction(fn string) (eventSource, error) {
	files, _ := filepath.Glob(filepath.Join("events", fn, "*.json"))
	if len(files) == 0 {
		return nil, fmt.Errorf("no sample event in events/%s", fn)
	}
	sort.Strings(files)
	sample, err := os.ReadFile(files[0])
	if err != nil {
		return nil, err
	}
	switch fn {
	case "start-exam", "revoke-exam":
		return func(int) ([]byte, error) {
			id, _, err := s.exam(false)
			if err != nil {
				return nil, err
			}
			return withBody(sample, map[string]any{"exam_id": id, "exam_type": 1})
		}, nil
	case "communicate-result":
		return func(int) ([]byte, error) {
			_, tokens, err := s.exam(true)
			if err != nil {
				return nil, err
			}
			return withBody(sample, map[string]any{"exam_token": tokens[0], "result_token": tokens[1]})
		}, nil
	case "process-result":
		return s.scans, nil
	case "pre-traffic-hook":
		return nil, fmt.Errorf("CodeDeploy invokes it with a deployment to check, which the local stack has not (local/lambdarun tests it against doubles)")
	case "rotate-token-keys":
		// A rotation step needs a secret in rotation, which the local stack has
		// not: its health event (the cold start reads its secrets, builds its
		// client and answers) is what is measured.
		return func(int) ([]byte, error) { return health.Event(health.Rotation) }, nil
	}
	return func(int) ([]byte, error) { return sample, nil }, nil
}

// exam registers an exam of type 1 for the bench's patient, started if
// asked, and returns its id and, when started, its exam and result tokens.
func (s *eventSources) exam(started bool) (string, [2]string, error) {
	body, err := s.call("register-exam", `{"document":"`+benchPatient+`","exam_type":1}`, nil)
	if err != nil || !started {
		return field(body, "exam_id"), [2]string{}, err
	}
	id := field(body, "exam_id")
	if body, err = s.call("start-exam", `{"document":"`+benchPatient+`","exam_id":"`+id+`","exam_type":1}`, nil); err != nil {
		return "", [2]string{}, err
	}
	result, err := token.MintResultToken(s.st.Config.ResultKey, id, time.Now(), time.Hour)
	return id, [2]string{field(body, "exam_token"), result}, err
}

// scans makes a started exam and a 300 dpi A4 JPEG scan of its result with
// both tokens as QR codes (grey, upside down and 1.5° off, speckled, as
// the scan section's), uploads it without metadata, and gives the S3 event.
func (s *eventSources) scans(int) ([]byte, error) {
	id, tokens, err := s.exam(true)
	if err != nil {
		return nil, err
	}
	scan := scantest.JPEG(scantest.Scanned(scantest.RenderPage(300, scantest.Codes(tokens[0], tokens[1])), 181.5, 1), 75)
	s.scanBytes = len(scan)
	s.scanned = append(s.scanned, id)
	key := stack.ResultKey(s.st.Config.Folders.Completed, id, ".jpg", time.Now())
	version, err := stack.UploadVersion(s.ctx, s.s3c, s.bucket, key, "image/jpeg", scan, "", "")
	if err != nil {
		return nil, err
	}
	return json.Marshal(s3event.ObjectCreated(emulators.Region, s.bucket, key, version, int64(len(scan)), "", "01", time.Now()))
}

// withBody is the API event sample with these members of its JSON body set.
func withBody(sample []byte, set map[string]any) ([]byte, error) {
	var ev map[string]any
	if err := json.Unmarshal(sample, &ev); err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(fmt.Sprint(ev["body"])), &body); err != nil {
		return nil, fmt.Errorf("sample body: %w", err)
	}
	for k, v := range set {
		body[k] = v
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	ev["body"] = string(b)
	if h, ok := ev["headers"].(map[string]any); ok {
		h["content-length"] = fmt.Sprint(len(b))
	}
	return json.Marshal(ev)
}

// checkScansFinished fails unless every exam whose scan was processed is
// Finished: a measurement of scans filed to denied/ or stuck/ would time the
// wrong work. The last one made may not have been invoked (a failed run).
func (s *eventSources) checkScansFinished() error {
	for _, id := range s.scanned {
		e, err := s.st.Store.Get(s.ctx, id)
		if err != nil {
			return err
		}
		if e.Status != exam.StatusFinished {
			return fmt.Errorf("exam %s is %s after its scan was processed, not Finished", id, e.Status)
		}
	}
	return nil
}
