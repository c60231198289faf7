package stack

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/token"
)

const (
	activeSMS  = "529.982.247-25" // verified cellphone
	activeNone = "111.444.777-35" // active, no verified contact
)

type e2e struct {
	t      testing.TB
	s      *Stack
	s3     *s3.Client
	outbox string
}

// startStack starts the whole stack on free loopback ports, its
// configuration changed by each of with.
func startStack(t testing.TB, with ...func(*Config)) *e2e {
	t.Helper()
	dir := t.TempDir()
	cfg, err := ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0", "ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENTS": "../patients.json", "ZMED_LOCAL_OUTBOX": filepath.Join(dir, "outbox.jsonl"),
		"ZMED_LOCAL_RETRY_BACKOFF": "50ms", "ZMED_LOCAL_OPS_ADDR": "127.0.0.1:0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	for _, change := range with {
		change(&cfg)
	}
	s, err := Start(context.Background(), cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return &e2e{t: t, s: s, s3: s.S3Client(), outbox: cfg.OutboxFile}
}

func (e *e2e) api(method, path string, body any) map[string]any {
	e.t.Helper()
	status, _, out := apitest.Call(e.t, e.s.APIURL, method, path, body, nil)
	if status >= 300 || out == nil {
		e.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// startedExam registers and starts an exam through the API.
func (e *e2e) startedExam(document string) (id, examToken string) {
	id, started := e.start(document)
	return id, started["exam_token"].(string)
}

// labelledExam starts an exam and returns it with its label code.
func (e *e2e) labelledExam(document string) (id, labelCode string) {
	id, started := e.start(document)
	return id, started["label_code"].(string)
}

func (e *e2e) start(document string) (id string, started map[string]any) {
	created := e.api("POST", "/exam/new", map[string]any{"document": document, "exam_type": 1})
	id = created["exam_id"].(string)
	return id, e.api("POST", "/exam/start", map[string]any{"document": document, "exam_id": id, "exam_type": 1})
}

func (e *e2e) resultToken(examID string) string {
	tok, err := token.MintResultToken([]byte(LocalResultKey), examID, time.Now(), time.Hour)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// status reads the exam through the listing API.
func (e *e2e) status(document, id string) string {
	page := e.api("GET", "/exams/info?document="+document+"&limit=100", nil)
	for _, x := range page["exams"].([]any) {
		if m := x.(map[string]any); m["exam_id"] == id {
			return m["status"].(string)
		}
	}
	e.t.Fatalf("exam %s not listed", id)
	return ""
}

func (e *e2e) keys() []string {
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(e.s.Config.Bucket)})
	if err != nil {
		e.t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func (e *e2e) outboxLines(examID string) int {
	f, err := os.Open(e.outbox)
	if os.IsNotExist(err) {
		return 0
	} else if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line outboxLine
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			e.t.Fatalf("outbox line is not JSON: %q", sc.Text())
		}
		if line.ExamID == examID {
			n++
		}
	}
	return n
}

// eventually waits for cond. The automatic path takes milliseconds; the
// bound only stops a hang, since elapsed time under load is no verdict (make
// bench reports the latency).
func (e *e2e) eventually(what string, cond func() bool) {
	e.t.Helper()
	began := time.Now()
	for !cond() {
		if time.Since(began) > 2*time.Minute {
			e.t.Fatalf("not within 2 minutes: %s (bucket holds %q)", what, e.keys())
		}
		time.Sleep(10 * time.Millisecond)
	}
	e.t.Logf("%s after %v", what, time.Since(began).Round(time.Millisecond))
}

func (e *e2e) filedAs(outcome, name string) func() bool {
	return func() bool {
		want := outcome + "/" + time.Now().UTC().Format("2006_01") + "/" + name
		keys := e.keys()
		return len(keys) == 1 && keys[0] == want
	}
}

func TestAutomaticPath(t *testing.T) {
	t.Run("PDF with tokens as metadata", func(t *testing.T) {
		e := startStack(t)
		id, examTok := e.startedExam(activeSMS)
		key := ResultKey("completed", id, ".pdf", time.Now())
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, key, "application/pdf", []byte("%PDF-1.4 result"), examTok, e.resultToken(id)); err != nil {
			t.Fatal(err)
		}
		e.eventually("exam finished, one outbox line, object processed", func() bool {
			return e.status(activeSMS, id) == string(exam.StatusFinished) && e.outboxLines(id) == 1 && e.filedAs("processed", id+".pdf")()
		})
	})
	t.Run("JSON body with the tokens", func(t *testing.T) {
		e := startStack(t)
		id, examTok := e.startedExam(activeSMS)
		body, _ := json.Marshal(map[string]string{"exam_token": examTok, "result_token": e.resultToken(id), "hemoglobin": "13.5"})
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, ResultKey("completed", id, ".json", time.Now()), "application/json", body, "", ""); err != nil {
			t.Fatal(err)
		}
		e.eventually("exam finished, one outbox line, object processed", func() bool {
			return e.status(activeSMS, id) == string(exam.StatusFinished) && e.outboxLines(id) == 1 && e.filedAs("processed", id+".json")()
		})
	})
	t.Run("no tokens: stuck", func(t *testing.T) {
		e := startStack(t)
		id, _ := e.startedExam(activeSMS)
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, ResultKey("completed", id, ".pdf", time.Now()), "application/pdf", []byte("%PDF"), "", ""); err != nil {
			t.Fatal(err)
		}
		e.eventually("object stuck", e.filedAs("stuck", id+".pdf"))
		if e.status(activeSMS, id) != string(exam.StatusStarted) || e.outboxLines(id) != 0 {
			t.Fatal("a stuck result changed the exam or notified")
		}
	})
	t.Run("token of another patient: denied", func(t *testing.T) {
		e := startStack(t)
		id, _ := e.startedExam(activeSMS)
		issuer, _ := token.NewIssuer([]byte(LocalExamKey), time.Hour, time.Now)
		other, _ := issuer.IssueExamToken(exam.ExamClaims{ExamID: id, PatientID: e.s.Patients[1].ID, ExamType: 1})
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, ResultKey("completed", id, ".pdf", time.Now()), "application/pdf", []byte("%PDF"), other, e.resultToken(id)); err != nil {
			t.Fatal(err)
		}
		e.eventually("object denied", e.filedAs("denied", id+".pdf"))
		if e.status(activeSMS, id) != string(exam.StatusStarted) {
			t.Fatal("a denied result changed the exam")
		}
	})
	t.Run("revoked exam: deleted", func(t *testing.T) {
		e := startStack(t)
		id, examTok := e.startedExam(activeNone)
		e.api("POST", "/exam/revoke", map[string]any{"document": activeNone, "exam_id": id, "reason": "patient left"})
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, ResultKey("completed", id, ".pdf", time.Now()), "application/pdf", []byte("%PDF"), examTok, e.resultToken(id)); err != nil {
			t.Fatal(err)
		}
		e.eventually("object deleted", e.filedAs("deleted", id+".pdf"))
	})
}

func TestHTTPAPIRoutesAndErrors(t *testing.T) {
	e := startStack(t)
	type apiCase struct {
		method, path, body string
		status             int
		code               string
	}
	cases := []apiCase{
		{"GET", "/nowhere", "", 404, "ROUTE_NOT_FOUND"},
		{"DELETE", "/exam/new", "", 405, "METHOD_NOT_ALLOWED"},
		{"GET", "/exams/info?document=123", "", 400, "INVALID_DOCUMENT"},
		{"POST", "/exam/new", `{"document": "` + strings.Repeat("1", 70<<10) + `"}`, 413, "PAYLOAD_TOO_LARGE"},
	}
	// Every route of the endpoint table is served: a request without its
	// fields reaches its handler; the catalog, which takes none, answers.
	for _, ep := range httpapi.Endpoints() {
		if ep.Route == httpapi.ExamTypes.Route {
			cases = append(cases, apiCase{ep.Route.Method, ep.Route.Path, "", 200, ""})
			continue
		}
		cases = append(cases, apiCase{ep.Route.Method, ep.Route.Path, "{}", 400, "INVALID_REQUEST"})
	}
	for _, tc := range cases {
		req, _ := http.NewRequest(tc.method, e.s.APIURL+tc.path, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Error struct{ Code string } }
		_ = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != tc.status || out.Error.Code != tc.code {
			t.Errorf("%s %s: %d %q, want %d %q", tc.method, tc.path, resp.StatusCode, out.Error.Code, tc.status, tc.code)
		}
	}
}
