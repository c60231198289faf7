package stack

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
	"github.com/zmed/exam-manager/shared/testsupport/scantest"
)

// handIn asks result-upload for a form for a document of contentType and size bytes.
func (e *e2e) handIn(document, examID, contentType string, size int) (url string, fields map[string]string, key string) {
	e.t.Helper()
	out := e.api("POST", "/exam/result-upload", map[string]any{"document": document, "exam_id": examID, "content_type": contentType, "size": size})
	up := out["upload"].(map[string]any)
	fields = map[string]string{}
	for k, v := range up["fields"].(map[string]any) {
		fields[k] = v.(string)
	}
	return up["url"].(string), fields, up["key"].(string)
}

// postForm posts fields and then file to url as a browser does
// (multipart/form-data, the file last), from the console's origin, and
// returns the status, S3's error code if any, and the CORS header.
func (e *e2e) postForm(url string, fields map[string]string, file []byte) (int, string, string) {
	e.t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		_ = w.WriteField(k, fields[k])
	}
	fw, _ := w.CreateFormFile("file", "laudo")
	_, _ = fw.Write(file)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", e.s.APIURL)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	code := ""
	if _, rest, ok := strings.Cut(string(body), "<Code>"); ok {
		code, _, _ = strings.Cut(rest, "</Code>")
	}
	return resp.StatusCode, code, resp.Header.Get("Access-Control-Allow-Origin")
}

// outcome polls result-outcome until the upload at key is no longer waiting.
func (e *e2e) outcome(document, examID, key string) (state, reason string) {
	e.t.Helper()
	e.eventually("hand-in filed", func() bool {
		out := e.api("POST", "/exam/result-outcome", map[string]any{"document": document, "exam_id": examID, "key": key})
		state, reason = out["state"].(string), out["reason"].(string)
		return state != string(exam.UploadWaiting)
	})
	return state, reason
}

// TestHandInEndsFinished: results handed in at the desk, as the console
// does it: a form from result-upload, the document posted to the local S3
// with it, result-outcome polled until it is filed, the exam Finished. A PDF
// carrying the label code and the result token in its dictionary, and a scan
// carrying them as QR codes whose filed name was taken already (its copy is
// renamed, and still found).
func TestHandInEndsFinished(t *testing.T) {
	e := startStack(t, func(c *Config) { c.Codes = scantest.Unhurried(c.Codes) })

	id, label := e.labelledExam(activeSMS)
	pdf := pdfs.Write(1, "/ZMEDExamToken ("+label+")", "/ZMEDResultToken ("+e.resultToken(id)+")")
	url, fields, key := e.handIn(activeSMS, id, "application/pdf", len(pdf))
	if !strings.HasPrefix(url, e.s.S3URL+"/") {
		t.Fatalf("form url %q is not the local S3's %q", url, e.s.S3URL)
	}
	if status, code, cors := e.postForm(url, fields, pdf); status != http.StatusNoContent || cors != e.s.APIURL {
		t.Fatalf("posting the PDF: %d %s, Access-Control-Allow-Origin %q", status, code, cors)
	}
	if state, reason := e.outcome(activeSMS, id, key); state != "processed" || reason != "finished" {
		t.Fatalf("the PDF: %s %s", state, reason)
	}
	if got := e.status(activeSMS, id); got != string(exam.StatusFinished) {
		t.Fatalf("exam %s", got)
	}

	id, label = e.labelledExam(activeSMS)
	scan := scantest.PNG(scantest.Scanned(scantest.Foot(scantest.RenderPage(200, scantest.Codes(label, e.resultToken(id))), 200), 1.5, 41))
	url, fields, key = e.handIn(activeSMS, id, "image/png", len(scan))
	taken := "processed/" + time.Now().UTC().Format("2006_01") + key[strings.LastIndex(key, "/"):]
	if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, taken, "image/png", []byte("another object"), "", ""); err != nil {
		t.Fatal(err)
	}
	if status, code, _ := e.postForm(url, fields, scan); status != http.StatusNoContent {
		t.Fatalf("posting the scan: %d %s", status, code)
	}
	if state, reason := e.outcome(activeSMS, id, key); state != "processed" || reason != "finished" {
		t.Fatalf("the scan: %s %s", state, reason)
	}
	if got := e.status(activeSMS, id); got != string(exam.StatusFinished) {
		t.Fatalf("exam %s", got)
	}
}

// TestHandInFormRefusals: the local S3 refuses a form used for another key,
// type or size, and stores nothing; result-outcome refuses another exam's key.
func TestHandInFormRefusals(t *testing.T) {
	e := startStack(t)
	id, _ := e.startedExam(activeSMS)
	other, _ := e.startedExam(activeSMS)
	pdf := pdfs.Write(1)
	url, fields, key := e.handIn(activeSMS, id, "application/pdf", len(pdf))
	with := func(name, value string) map[string]string {
		f := map[string]string{}
		for k, v := range fields {
			f[k] = v
		}
		f[name] = value
		return f
	}
	for _, tc := range []struct {
		name   string
		fields map[string]string
		file   []byte
		status int
		code   string
	}{
		{"another key", with("key", strings.Replace(key, id, other, 1)), pdf, 403, "AccessDenied"},
		{"another type", with("Content-Type", "text/html"), pdf, 403, "AccessDenied"},
		{"a larger file", fields, append(pdf, ' '), 400, "EntityTooLarge"},
		{"a tampered policy", with("policy", fields["policy"][:len(fields["policy"])-8]+"AAAAAA=="), pdf, 403, "SignatureDoesNotMatch"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, code, _ := e.postForm(url, tc.fields, tc.file); status != tc.status || code != tc.code {
				t.Fatalf("%d %s, want %d %s", status, code, tc.status, tc.code)
			}
		})
	}
	if keys := e.keys(); len(keys) != 0 {
		t.Fatalf("the bucket holds %q", keys)
	}
	status, _, out := apitest.Call(t, e.s.APIURL, "POST", "/exam/result-outcome", map[string]any{"document": activeSMS, "exam_id": other, "key": key}, nil)
	if status != http.StatusBadRequest || out["error"].(map[string]any)["code"] != "INVALID_REQUEST" {
		t.Fatalf("another exam's key: %d %v", status, out)
	}
	if got := e.api("POST", "/exam/result-outcome", map[string]any{"document": activeSMS, "exam_id": id, "key": key}); got["state"] != "waiting" || got["reason"] != "not_received" {
		t.Fatalf("nothing uploaded: %v", got)
	}
}
