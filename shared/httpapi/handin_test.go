package httpapi

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

const testBucket = "zmed-exams-result"

// fakePresigner records what it was asked to sign and answers a form that
// names it; fail makes it fail.
type fakePresigner struct {
	mu    sync.Mutex
	calls []presignCall
	fail  error
}

type presignCall struct {
	bucket, key string
	t           exam.DocumentType
	size        int64
	ttl         time.Duration
}

func (p *fakePresigner) PresignUpload(_ context.Context, bucket, key string, t exam.DocumentType, size int64, ttl time.Duration) (exam.UploadForm, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.fail != nil {
		return exam.UploadForm{}, p.fail
	}
	p.calls = append(p.calls, presignCall{bucket, key, t, size, ttl})
	return exam.UploadForm{URL: "https://" + bucket + ".s3.sa-east-1.amazonaws.com", Key: key, ExpiresAt: epoch.Add(ttl),
		Fields: map[string]string{"key": key, "Content-Type": string(t), "policy": "eyJ9", "x-amz-signature": "00"}}, nil
}

// fakeObjects is the results bucket: the heads of the keys it holds, and the
// calls made to it.
type fakeObjects struct {
	mu    sync.Mutex
	heads map[string]handin.Head
	fail  error
	calls []string
}

func (o *fakeObjects) Head(_ context.Context, bucket, key string) (handin.Head, bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, "HEAD "+key)
	if o.fail != nil || bucket != testBucket {
		return handin.Head{}, false, errors.Join(o.fail, errors.New("head "+bucket))
	}
	h, ok := o.heads[key]
	return h, ok, nil
}

func (o *fakeObjects) List(_ context.Context, bucket, prefix string) ([]string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, "LIST "+prefix)
	if o.fail != nil {
		return nil, o.fail
	}
	var keys []string
	for k := range o.heads {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// filed puts at key the copy of the upload at source, filed for reason.
func (o *fakeObjects) filed(key, source, reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.heads[key] = handin.Head{Reason: reason, SourceKey: resultfiling.SourceKeyDigest(testBucket, source)}
}

// handInKey is a hand-in key of examID, as result-upload makes them.
func (h *harness) handInKey(examID string) string {
	return handin.Key(resultfiling.DefaultFolders.Completed, examID, exam.DocumentPDF, h.clock.Now())
}

func handInRequest(document, examID, contentType string, size any) events.APIGatewayV2HTTPRequest {
	return post(ResultUpload.Route, js(map[string]any{"document": document, "exam_id": examID, "content_type": contentType, "size": size}))
}

func outcomeRequest(document, examID, key string) events.APIGatewayV2HTTPRequest {
	return post(ResultOutcome.Route, js(map[string]any{"document": document, "exam_id": examID, "key": key}))
}

// TestResultUploadAnswersAFormForTheExactUpload: the form is signed for the
// results bucket, a new key under completed/ naming the exam, the declared
// type and size, for five minutes; the answer says when it expires.
func TestResultUploadAnswersAFormForTheExactUpload(t *testing.T) {
	for _, tc := range []struct {
		contentType string
		want        exam.DocumentType
		ext         string
		size        int64
	}{
		{"application/pdf", exam.DocumentPDF, ".pdf", 183412},
		{"image/jpeg", exam.DocumentJPEG, ".jpg", 1},
		{"IMAGE/PNG", exam.DocumentPNG, ".png", exam.MaxHandInSize},
	} {
		t.Run(tc.contentType, func(t *testing.T) {
			h := newHarness(t)
			id, _ := h.started(fakes.ActiveSMS, 1)
			r := h.call(h.handlers[ResultUpload.Route], handInRequest("529.982.247-25", id, tc.contentType, tc.size))
			r.expect(t, 200, "")
			up, _ := r.body["upload"].(map[string]any)
			key, _ := up["key"].(string)
			if !regexp.MustCompile(`^completed/2026_06/` + id + `-h[0-9a-f]{32}\` + tc.ext + `$`).MatchString(key) {
				t.Fatalf("key %q", key)
			}
			if up["url"] != "https://"+testBucket+".s3.sa-east-1.amazonaws.com" || up["expires_at"] != "2026-06-01T09:05:00Z" {
				t.Fatalf("upload %v", up)
			}
			fields, _ := up["fields"].(map[string]any)
			if fields["key"] != key || fields["Content-Type"] != string(tc.want) {
				t.Fatalf("fields %v", fields)
			}
			want := presignCall{testBucket, key, tc.want, tc.size, 5 * time.Minute}
			if len(h.presigner.calls) != 1 || h.presigner.calls[0] != want {
				t.Fatalf("presigned %+v, want %+v", h.presigner.calls, want)
			}
		})
	}
}

// TestResultUploadKeysAreNeverTheSame: two forms for one exam name two keys.
func TestResultUploadKeysAreNeverTheSame(t *testing.T) {
	h := newHarness(t)
	id, _ := h.started(fakes.ActiveSMS, 1)
	for range 2 {
		h.call(h.handlers[ResultUpload.Route], handInRequest(fakes.ActiveSMS.Document, id, "application/pdf", 10)).expect(t, 200, "")
	}
	if len(h.presigner.calls) != 2 || h.presigner.calls[0].key == h.presigner.calls[1].key {
		t.Fatalf("presigned %+v", h.presigner.calls)
	}
}

// TestResultUploadRefusals: each refusal with its code, and no form signed.
func TestResultUploadRefusals(t *testing.T) {
	h := newHarness(t)
	started, _ := h.started(fakes.ActiveSMS, 1)
	registered := h.registered(fakes.ActiveSMS, 1)
	othersExam, _ := h.started(fakes.ActiveEmail, 1)
	revoked := h.registered(fakes.ActiveSMS, 1)
	h.call(h.revoke, post(RevokeExam.Route, js(map[string]any{"document": fakes.ActiveSMS.Document, "exam_id": revoked, "reason": "x"}))).expect(t, 200, "")
	finished, tok := h.started(fakes.ActiveSMS, 1)
	h.call(h.communicate, post(CommunicateResult.Route, js(map[string]string{"exam_token": tok, "result_token": h.resultToken(finished)}))).expect(t, 200, "")
	inactives := h.registered(fakes.ActiveNone, 1)

	doc := fakes.ActiveSMS.Document
	for _, tc := range []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
		code   string
	}{
		{"a GIF", handInRequest(doc, started, "image/gif", 10), 422, "UNSUPPORTED_DOCUMENT_TYPE"},
		{"a PDF with parameters", handInRequest(doc, started, "application/pdf; charset=binary", 10), 422, "UNSUPPORTED_DOCUMENT_TYPE"},
		{"an empty type", handInRequest(doc, started, "", 10), 422, "UNSUPPORTED_DOCUMENT_TYPE"},
		{"60 MB", handInRequest(doc, started, "application/pdf", 60_000_000), 413, "PAYLOAD_TOO_LARGE"},
		{"50 MiB and a byte", handInRequest(doc, started, "application/pdf", exam.MaxHandInSize+1), 413, "PAYLOAD_TOO_LARGE"},
		{"empty", handInRequest(doc, started, "application/pdf", 0), 400, "INVALID_REQUEST"},
		{"a negative size", handInRequest(doc, started, "application/pdf", -5), 400, "INVALID_REQUEST"},
		{"a fractional size", handInRequest(doc, started, "application/pdf", 1.5), 400, "INVALID_REQUEST"},
		{"a size as text", handInRequest(doc, started, "application/pdf", "10"), 400, "INVALID_REQUEST"},
		{"no size", post(ResultUpload.Route, js(map[string]any{"document": doc, "exam_id": started, "content_type": "image/png"})), 400, "INVALID_REQUEST"},
		{"no type", post(ResultUpload.Route, js(map[string]any{"document": doc, "exam_id": started, "size": 3})), 400, "INVALID_REQUEST"},
		{"an exam id that is no UUID", handInRequest(doc, "exam-1", "application/pdf", 10), 400, "INVALID_REQUEST"},
		{"a CPF that is not one", handInRequest("529.982.247-26", started, "application/pdf", 10), 400, "INVALID_DOCUMENT"},
		{"an unknown patient", handInRequest("00000000191", started, "application/pdf", 10), 404, "PATIENT_NOT_FOUND"},
		{"an inactive patient", handInRequest(fakes.Inactive.Document, started, "application/pdf", 10), 422, "PATIENT_NOT_ACTIVE"},
		{"another patient's exam", handInRequest(doc, othersExam, "application/pdf", 10), 404, "EXAM_NOT_FOUND"},
		{"another patient's exam, named by them", handInRequest(fakes.ActiveNone.Document, started, "application/pdf", 10), 404, "EXAM_NOT_FOUND"},
		{"an exam that does not exist", handInRequest(doc, "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5eff", "application/pdf", 10), 404, "EXAM_NOT_FOUND"},
		{"a registered exam", handInRequest(doc, registered, "application/pdf", 10), 409, "INVALID_TRANSITION"},
		{"a revoked exam", handInRequest(doc, revoked, "application/pdf", 10), 409, "INVALID_TRANSITION"},
		{"a finished exam", handInRequest(doc, finished, "application/pdf", 10), 409, "INVALID_TRANSITION"},
		{"a registered exam of a patient with no contact", handInRequest(fakes.ActiveNone.Document, inactives, "application/pdf", 10), 409, "INVALID_TRANSITION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.call(h.handlers[ResultUpload.Route], tc.req).expect(t, tc.status, tc.code)
			if len(h.presigner.calls) != 0 {
				t.Fatalf("a form was signed: %+v", h.presigner.calls)
			}
		})
	}
}

// TestResultUploadDependencies: the patient manager, the store or the
// signing down is a 503.
func TestResultUploadDependencies(t *testing.T) {
	h := newHarness(t)
	id, _ := h.started(fakes.ActiveSMS, 1)
	req := handInRequest(fakes.ActiveSMS.Document, id, "application/pdf", 10)

	h.patients.FailWith(fmt.Errorf("%w: patient manager timeout", exam.ErrDependency))
	h.call(h.handlers[ResultUpload.Route], req).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
	h.patients.FailWith(nil)

	h.store.FailWith(fmt.Errorf("%w: %w", exam.ErrDependency, errStoreDown))
	h.call(h.handlers[ResultUpload.Route], req).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
	h.store.FailWith(nil)

	h.presigner.fail = errors.New("failed to retrieve credentials: 10.0.0.7 refused")
	h.call(h.handlers[ResultUpload.Route], req).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
}

// TestResultOutcomeStates: where the upload is, and why, through every place
// processing can leave it.
func TestResultOutcomeStates(t *testing.T) {
	h := newHarness(t)
	id, _ := h.started(fakes.ActiveSMS, 1)
	key := h.handInKey(id) // completed/2026_06/<id>-h<hex>.pdf
	base := key[strings.LastIndex(key, "/")+1:]
	stem := strings.TrimSuffix(base, ".pdf")
	another := h.handInKey(id)
	for _, tc := range []struct {
		name    string
		objects map[string]string // filed key: reason; "@other:" before the reason for a copy of another upload
		now     time.Time
		state   string
		reason  string
		calls   int
	}{
		{"not uploaded", nil, epoch, "waiting", "not_received", 9},
		{"waiting to be processed", map[string]string{key: "@other:"}, epoch, "waiting", "", 1},
		{"processed", map[string]string{"processed/2026_06/" + base: "finished"}, epoch, "processed", "finished", 2},
		{"stuck", map[string]string{"stuck/2026_06/" + base: "missing_tokens"}, epoch, "stuck", "missing_tokens", 3},
		{"denied", map[string]string{"denied/2026_06/" + base: "patient_not_active"}, epoch, "denied", "patient_not_active", 4},
		{"deleted", map[string]string{"deleted/2026_06/" + base: "exam_revoked"}, epoch, "deleted", "exam_revoked", 5},
		{"processed the next month", map[string]string{"processed/2026_07/" + base: "finished"}, epoch.AddDate(0, 1, 0), "processed", "finished", 6},
		{"renamed on a taken name", map[string]string{
			"stuck/2026_06/" + stem + "-0a1b2c3d4e5f.pdf": "finished_by_other_result",
			"stuck/2026_06/" + stem + "-nothex000000.pdf": "finished",
		}, epoch, "stuck", "finished_by_other_result", 8},
		{"a reason that is not the filing's", map[string]string{"stuck/2026_06/" + base: "<script>"}, epoch, "stuck", "", 3},
		{"renamed because another object had its name", map[string]string{
			"processed/2026_06/" + base: "@other:finished", "processed/2026_06/" + stem + "-0a1b2c3d4e5f.pdf": "finished",
		}, epoch, "processed", "finished", 7},
		// Another exam's upload or an object of the same stem that is not a renamed copy is not this one.
		{"only look-alikes", map[string]string{
			"processed/2026_06/" + stem + ".pdf.bak": "finished", "processed/2026_06/" + stem + "-0a1b2c3d4e5f.png": "finished",
			"processed/2026_06/" + h.handInKey(id)[len("completed/2026_06/"):]: "finished",
		}, epoch, "waiting", "not_received", 9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.clock = fakes.NewClock(tc.now)
			h.handlers[ResultOutcome.Route] = ResultOutcome.Handler(Ports{Patients: h.patients, Exams: h.store, Audit: auditWriter,
				Outcomes: handin.Outcomes{Bucket: testBucket, Folders: resultfiling.DefaultFolders, Objects: h.objects, Now: h.clock.Now}})
			h.objects.heads, h.objects.calls = map[string]handin.Head{}, nil
			for k, v := range tc.objects {
				if reason, ok := strings.CutPrefix(v, "@other:"); ok {
					h.objects.filed(k, another, reason)
					continue
				}
				h.objects.filed(k, key, v)
			}
			r := h.call(h.handlers[ResultOutcome.Route], outcomeRequest(fakes.ActiveSMS.Document, id, key))
			r.expect(t, 200, "")
			if r.body["state"] != tc.state || r.body["reason"] != tc.reason {
				t.Fatalf("got %s, want %s %q", r.raw, tc.state, tc.reason)
			}
			if len(h.objects.calls) != tc.calls {
				t.Fatalf("%d calls to S3, want %d: %v", len(h.objects.calls), tc.calls, h.objects.calls)
			}
		})
	}
}

// TestResultOutcomeRefusals: another patient's exam, a key that is not one of
// this exam's hand-in keys, and S3 down.
func TestResultOutcomeRefusals(t *testing.T) {
	h := newHarness(t)
	id, _ := h.started(fakes.ActiveSMS, 1)
	other, _ := h.started(fakes.ActiveSMS, 1)
	othersExam, _ := h.started(fakes.ActiveEmail, 1)
	key := h.handInKey(id)
	doc := fakes.ActiveSMS.Document
	for _, tc := range []struct {
		name   string
		req    events.APIGatewayV2HTTPRequest
		status int
		code   string
	}{
		{"another exam's key", outcomeRequest(doc, other, key), 400, "INVALID_REQUEST"},
		{"the execution team's key", outcomeRequest(doc, id, "completed/2026_06/"+id+".pdf"), 400, "INVALID_REQUEST"},
		{"a filed key", outcomeRequest(doc, id, "processed/2026_06/"+key[len("completed/2026_06/"):]), 400, "INVALID_REQUEST"},
		{"a key in a subfolder", outcomeRequest(doc, id, "completed/x/2026_06/"+key[len("completed/2026_06/"):]), 400, "INVALID_REQUEST"},
		{"a month that is none", outcomeRequest(doc, id, strings.Replace(key, "2026_06", "2026_13", 1)), 400, "INVALID_REQUEST"},
		{"another extension", outcomeRequest(doc, id, strings.TrimSuffix(key, ".pdf")+".gif"), 400, "INVALID_REQUEST"},
		{"an empty key", outcomeRequest(doc, id, ""), 400, "INVALID_REQUEST"},
		{"no key", post(ResultOutcome.Route, js(map[string]any{"document": doc, "exam_id": id})), 400, "INVALID_REQUEST"},
		{"a CPF that is not one", outcomeRequest("529.982.247-26", id, key), 400, "INVALID_DOCUMENT"},
		{"an unknown patient", outcomeRequest("00000000191", id, key), 404, "PATIENT_NOT_FOUND"},
		{"another patient's exam", outcomeRequest(doc, othersExam, handin.Key("completed", othersExam, exam.DocumentPDF, epoch)), 404, "EXAM_NOT_FOUND"},
		{"this exam, named by another patient", outcomeRequest(fakes.ActiveEmail.Document, id, key), 404, "EXAM_NOT_FOUND"},
		{"an exam that does not exist", outcomeRequest(doc, "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5eff", key), 404, "EXAM_NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h.call(h.handlers[ResultOutcome.Route], tc.req).expect(t, tc.status, tc.code)
			if len(h.objects.calls) != 0 {
				t.Fatalf("S3 was called: %v", h.objects.calls)
			}
		})
	}
	t.Run("S3 down", func(t *testing.T) {
		h.objects.fail = errors.New("s3 head object: RequestTimeout")
		h.call(h.handlers[ResultOutcome.Route], outcomeRequest(doc, id, key)).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
	})
	t.Run("an inactive patient still sees the outcome", func(t *testing.T) {
		h.objects.fail = nil
		p := fakes.ActiveSMS
		p.Status = exam.PatientInactive
		h.patients.Put(p)
		h.call(h.handlers[ResultOutcome.Route], outcomeRequest(doc, id, key)).expect(t, 200, "")
	})
}

// TestHandInAuditAndLogs: both routes write their audit line (the exam and
// the patient when found), and no log line carries the CPF, the patient's
// name, phone or e-mail, the key or its random part, whatever a client sends.
func TestHandInAuditAndLogs(t *testing.T) {
	buf := logtest.Capture(t)
	h := newHarness(t)
	p := fakes.ActiveSMS
	id, examTok := h.started(p, 1)
	r := h.call(h.handlers[ResultUpload.Route], handInRequest("529.982.247-25", id, "application/pdf", 1000))
	r.expect(t, 200, "")
	key := r.body["upload"].(map[string]any)["key"].(string)
	h.objects.filed("processed/2026_06/"+key[len("completed/2026_06/"):], key, "finished")
	h.call(h.handlers[ResultOutcome.Route], outcomeRequest("529.982.247-25", id, key)).expect(t, 200, "")
	h.call(h.handlers[ResultUpload.Route], handInRequest(p.Document, id, "text/html", 1000)).expect(t, 422, "UNSUPPORTED_DOCUMENT_TYPE")
	poison := apitest.Poison(examTok)
	for _, v := range poison.Values {
		for _, req := range []events.APIGatewayV2HTTPRequest{
			handInRequest(v, id, "application/pdf", 10),
			handInRequest(p.Document, v, "application/pdf", 10),
			handInRequest(p.Document, id, v, 10),
			handInRequest(p.Document, id, "application/pdf", v),
			outcomeRequest(v, id, key),
			outcomeRequest(p.Document, v, key),
			outcomeRequest(p.Document, id, v),
			outcomeRequest(p.Document, id, "completed/2026_06/"+v),
		} {
			if r := h.call(h.handlers[routeOf(req)], req); r.status >= 500 {
				t.Fatalf("%s with %q: %d %s", req.RouteKey, v, r.status, r.raw)
			}
		}
	}
	text := buf.String()
	var audits []logtest.AuditLine
	for _, a := range logtest.AuditLines(t, text) {
		if strings.HasPrefix(a.Action, "result.") {
			audits = append(audits, a)
		}
	}
	if len(audits) < 3 {
		t.Fatalf("%d audit lines", len(audits))
	}
	want := []logtest.AuditLine{
		{Action: "result.handin", ExamID: id, PatientID: p.ID, Outcome: audit.OK},
		{Action: "result.outcome", ExamID: id, PatientID: p.ID, Outcome: audit.OK},
		{Action: "result.handin", Outcome: "UNSUPPORTED_DOCUMENT_TYPE"},
	}
	for i, w := range want {
		got := audits[i]
		if got.Action != w.Action || got.ExamID != w.ExamID || got.PatientID != w.PatientID || got.Outcome != w.Outcome {
			t.Errorf("audit line %d: %s, want %+v", i, got.Raw, w)
		}
	}
	nonce := key[strings.LastIndex(key, "-h")+2 : len(key)-len(".pdf")]
	forbidden := append(poison.Forbidden, p.Document, "529.982.247-25", p.Name, p.Cellphone, p.Email, key, nonce,
		key[len("completed/2026_06/"):])
	buf.Reset()
	buf.WriteString(text)
	if n := logtest.CheckLines(t, buf, forbidden); n == 0 {
		t.Fatal("no log lines")
	}
}
