package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"

	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/samtemplate"
)

// rieBinary finds aws-lambda-rie: $ZMED_RIE, then .tools/bin (where make puts it), then PATH.
func rieBinary(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("ZMED_RIE"), filepath.Join(samtemplate.Root(), ".tools", "bin", "aws-lambda-rie")}
	if p, err := exec.LookPath("aws-lambda-rie"); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("aws-lambda-rie not found: make test installs it into .tools/bin")
	}
	t.Skip("aws-lambda-rie not found; `make test` installs it (or set ZMED_RIE)")
	return ""
}

type apiResponse struct {
	StatusCode int    `json:"statusCode"`
	Body       string `json:"body"`
}

// check returns what is wrong with a response, "" when it is as expected.
type check func(t *testing.T, s *Session, response []byte)

func httpResponse(status int, assert func(body map[string]any) string) check {
	return func(t *testing.T, _ *Session, response []byte) {
		var r apiResponse
		if err := json.Unmarshal(response, &r); err != nil {
			t.Fatalf("not an API Gateway response: %s", response)
		}
		var body map[string]any
		if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
			t.Fatalf("body is not JSON: %q", r.Body)
		}
		if r.StatusCode != status {
			t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.Body)
		}
		if msg := assert(body); msg != "" {
			t.Fatalf("%s: %s", msg, r.Body)
		}
	}
}

func field(m any, keys ...string) any {
	for _, k := range keys {
		mm, _ := m.(map[string]any)
		m = mm[k]
	}
	return m
}

// expected is what each sample event must produce against the seeded fixtures.
var expected = map[string]check{
	"register-exam/register.json": httpResponse(201, func(b map[string]any) string {
		if b["status"] != "Registered" || b["exam_type"] != float64(1) {
			return "not a registered exam"
		}
		return ""
	}),
	"list-exams/list.json": httpResponse(200, func(b map[string]any) string {
		if exams, _ := b["exams"].([]any); len(exams) != 5 {
			return "want the 5 fixture exams"
		}
		return ""
	}),
	"list-exams/list-posted.json": httpResponse(200, func(b map[string]any) string {
		if exams, _ := b["exams"].([]any); len(exams) != 5 {
			return "want the 5 fixture exams, as the GET"
		}
		return ""
	}),
	"find-patient/find.json": httpResponse(200, func(b map[string]any) string {
		p, _ := b["patient"].(map[string]any)
		if p["name"] != "Maria da Silva" || p["birth_date"] != "1987-03-09" || p["can_register"] != true ||
			field(p, "contact", "sms") != true || p["cellphone"] != nil || p["email"] != nil {
			return "not the fixture patient's card"
		}
		return ""
	}),
	"console/exam-types.json": httpResponse(200, func(b map[string]any) string {
		types, _ := b["exam_types"].([]any)
		if len(types) != 10 || field(types[0], "name_pt") != "Hemograma completo" {
			return "not the catalog"
		}
		return ""
	}),
	"exam-worklist/worklist.json": httpResponse(200, func(b map[string]any) string {
		exams, _ := b["exams"].([]any)
		if len(exams) != 2 || field(exams[0], "exam_id") != "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e01" || field(exams[1], "exam_id") != "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e02" {
			return "want the 2 Registered fixture exams, in queue order"
		}
		if name, _ := field(exams[0], "patient", "name").(string); name == "" || field(exams[0], "patient", "id") != field(exams[0], "patient_id") {
			return "want each exam's patient, named"
		}
		return ""
	}),
	"start-exam/start.json": httpResponse(200, func(b map[string]any) string {
		if field(b, "exam", "status") != "Started" || b["exam_token"] == "" || b["exam_token"] == nil {
			return "not started with a token"
		}
		return ""
	}),
	"revoke-exam/revoke.json": httpResponse(200, func(b map[string]any) string {
		if b["status"] != "Revoked" {
			return "not revoked"
		}
		return ""
	}),
	"communicate-result/communicate.json": func(t *testing.T, s *Session, response []byte) {
		httpResponse(200, func(b map[string]any) string {
			if field(b, "exam", "status") != "Finished" || field(b, "exam", "notification", "status") != "sent" ||
				field(b, "exam", "notification", "channel") != "sms" {
				return "not finished with an SMS sent"
			}
			return ""
		})(t, s, response)
		if n := outboxLines(t, s); n != 1 {
			t.Fatalf("%d messages reached the SNS endpoint, want 1", n)
		}
	},
	"result-upload/upload.json": func(t *testing.T, s *Session, response []byte) {
		httpResponse(200, func(b map[string]any) string {
			key, _ := field(b, "upload", "key").(string)
			if field(b, "upload", "url") != s.Stack.S3URL+"/"+s.Stack.Config.Bucket || field(b, "upload", "fields", "key") != key ||
				!strings.HasPrefix(key, "completed/") || !strings.Contains(key, "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e05-h") {
				return "not a form for the local bucket and a hand-in key of the exam"
			}
			return ""
		})(t, s, response)
	},
	// Nothing was uploaded at the sample's key.
	"result-outcome/outcome.json": httpResponse(200, func(b map[string]any) string {
		if b["state"] != "waiting" || b["reason"] != "not_received" {
			return "not waiting, not received"
		}
		return ""
	}),
	"console/page.json":  consoleFile("text/html", "<title>ZMED"),
	"console/asset.json": consoleFile("text/javascript", "import "),
	"reconcile-results/scheduled.json": func(t *testing.T, s *Session, response []byte) {
		if strings.TrimSpace(string(response)) != "null" {
			t.Fatalf("the run failed: %s", response)
		}
		// The fixture result was just put: younger than 5 minutes, its own event's.
		want := "completed/2026_11/resultado hemograma (final) 2+1.pdf"
		if keys := bucketKeys(t, s); len(keys) != 1 || keys[0] != want {
			t.Fatalf("bucket holds %q, want %q untouched", keys, want)
		}
	},
	"process-result/object-created.json": func(t *testing.T, s *Session, response []byte) {
		if strings.TrimSpace(string(response)) != "null" {
			t.Fatalf("the invocation failed: %s", response)
		}
		want := "processed/" + time.Now().UTC().Format("2006_01") + "/resultado hemograma (final) 2+1.pdf"
		if keys := bucketKeys(t, s); len(keys) != 1 || keys[0] != want {
			t.Fatalf("bucket holds %q, want %q", keys, want)
		}
		e, err := s.Stack.Store.Get(context.Background(), "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e04")
		if err != nil || e.Status != exam.StatusFinished || e.Notification.Status != exam.NotificationSent {
			t.Fatalf("exam %+v, %v", e, err)
		}
		if n := outboxLines(t, s); n != 1 {
			t.Fatalf("%d messages reached the SNS endpoint, want 1", n)
		}
	},
}

// consoleFile: the console function answers with one of its files, under its
// security headers (as a token-mode page: the sample environment names no client).
func consoleFile(contentType, contains string) check {
	return func(t *testing.T, _ *Session, response []byte) {
		var r struct {
			StatusCode int               `json:"statusCode"`
			Headers    map[string]string `json:"headers"`
			Body       string            `json:"body"`
		}
		if err := json.Unmarshal(response, &r); err != nil {
			t.Fatalf("not an API Gateway response: %s", response)
		}
		if r.StatusCode != 200 || !strings.HasPrefix(r.Headers["Content-Type"], contentType) || !strings.Contains(r.Body, contains) {
			t.Fatalf("status %d, type %q, want a %s file containing %q", r.StatusCode, r.Headers["Content-Type"], contentType, contains)
		}
		if csp := r.Headers["Content-Security-Policy"]; !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Fatalf("Content-Security-Policy %q", csp)
		}
	}
}

func outboxLines(t *testing.T, s *Session) int {
	raw, err := os.ReadFile(s.Stack.Config.OutboxFile)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Count(raw, []byte("\n"))
}

func bucketKeys(t *testing.T, s *Session) []string {
	list, err := s.Stack.S3Backend.ListBucket(s.Stack.Config.Bucket, nil, gofakes3ListPage())
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, c := range list.Contents {
		keys = append(keys, c.Key)
	}
	sort.Strings(keys)
	return keys
}

// TestSampleEvents invokes every file in events/ against its function's real
// binary under the runtime interface emulator.
func TestSampleEvents(t *testing.T) {
	rie := rieBinary(t)
	root := samtemplate.Root()
	files, err := filepath.Glob(filepath.Join(root, "events", "*", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	binDir := t.TempDir()

	// Build every function once, in parallel.
	var folders []string
	for _, f := range files {
		if folder := filepath.Base(filepath.Dir(f)); !slices.Contains(folders, folder) {
			folders = append(folders, folder)
		}
	}
	built := make([]string, len(folders))
	var wg sync.WaitGroup
	for i, folder := range folders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bin, err := Build(context.Background(), root, folder, binDir)
			if err != nil {
				t.Error(err)
			}
			built[i] = bin
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	bootstraps := map[string]string{}
	for i, folder := range folders {
		bootstraps[folder] = built[i]
	}

	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(root, "events"), f)
		t.Run(rel, func(t *testing.T) {
			check, ok := expected[filepath.ToSlash(rel)]
			if !ok {
				t.Fatalf("no expectation for events/%s: add one to this test", rel)
			}
			folder := filepath.Base(filepath.Dir(f))
			event, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			logs := &lockedBuffer{}
			s, err := Start(context.Background(), root, rie, t.TempDir(), logs)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			response, err := s.Invoke(ctx, folder, bootstraps[folder], event, logs)
			if err != nil {
				t.Fatalf("%v\n%s", err, logs.String())
			}
			check(t, s, response)
			if folder != console.Function { // its public files are no call on health data: no actor, no audit line
				checkActor(t, s, event, response, logs.String())
			}
			// The function is stopped before the emulator, so nothing after its
			// answer reads like a failure.
			if strings.Contains(logs.String(), "failed to get the next invoke") {
				t.Errorf("the function logged a failure after it answered")
			}
			if t.Failed() {
				t.Logf("function output:\n%s", logs.String())
			}
		})
	}
}

func gofakes3ListPage() gofakes3.ListBucketPage { return gofakes3.ListBucketPage{} }

// lockedBuffer collects the output of the function process and of the stack,
// written from several goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
