package httpapi

import (
	"regexp"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/cpf"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin"
)

// FuzzResultUpload: any body to POST /exam/result-upload answers as every
// route does (fuzzCall); a 200 only for the started exam of the active
// patient who names it, a PDF, JPEG or PNG of 1 byte to 50 MiB, with one form
// signed for exactly a new hand-in key of that exam, that type and size; a
// refusal signs nothing.
func FuzzResultUpload(f *testing.F) {
	f.Add("529.982.247-25", startedID, "application/pdf", int64(183412))
	f.Add("52998224725", startedID, "IMAGE/JPEG", int64(exam.MaxHandInSize))
	f.Add("529.982.247-25", startedID, "image/png", int64(exam.MaxHandInSize+1))
	f.Add("529.982.247-25", registeredID, "image/png", int64(10))
	f.Add("248.438.034-80", startedID, "application/pdf", int64(10))
	f.Add("529.982.247-25", startedID, "text/html; Maria da Silva", int64(0))
	f.Fuzz(func(t *testing.T, document, examID, contentType string, size int64) {
		h := fuzzHarness(t)
		body := js(map[string]any{"document": document, "exam_id": examID, "content_type": contentType, "size": size})
		r := fuzzCall(t, h, h.handlers[ResultUpload.Route], post(ResultUpload.Route, body))
		if r.status != 200 {
			if len(h.presigner.calls) != 0 {
				t.Fatalf("%d, and a form was signed: %+v", r.status, h.presigner.calls)
			}
			return
		}
		digits, err := cpf.Normalize(document)
		p, _ := h.patients.FindByDocument(t.Context(), digits)
		typ, terr := exam.ParseDocumentType(contentType)
		e := h.stored(examID)
		if err != nil || p.Status != exam.PatientActive || e.PatientID != p.ID || e.Status != exam.StatusStarted || terr != nil ||
			size < 1 || size > exam.MaxHandInSize || len(h.presigner.calls) != 1 {
			t.Fatalf("200 for %s: %s", body, r.raw)
		}
		c := h.presigner.calls[0]
		key := regexp.MustCompile(`^completed/2026_06/` + e.ID + `-h[0-9a-f]{32}\` + typ.Ext() + `$`)
		if c.bucket != testBucket || !key.MatchString(c.key) || c.t != typ || c.size != size || !strings.Contains(r.raw, c.key) {
			t.Fatalf("signed %+v for %s", c, body)
		}
	})
}

// FuzzResultOutcome: any body to POST /exam/result-outcome answers as every
// route does; S3 is asked only about a hand-in key of an exam of the patient
// who names it, and a 200 says where that upload is (here, never uploaded).
func FuzzResultOutcome(f *testing.F) {
	key := handin.Key("completed", startedID, exam.DocumentPDF, epoch)
	f.Add("529.982.247-25", startedID, key)
	f.Add("52998224725", registeredID, strings.Replace(key, startedID, registeredID, 1))
	f.Add("248.438.034-80", startedID, key)
	f.Add("529.982.247-25", startedID, "completed/2026_06/"+startedID+".pdf")
	f.Add("529.982.247-25", startedID, strings.Replace(key, "completed/", "processed/", 1))
	f.Add("529.982.247-25", otherID, "Maria da Silva +5511987654321")
	f.Fuzz(func(t *testing.T, document, examID, key string) {
		h := fuzzHarness(t)
		body := js(map[string]any{"document": document, "exam_id": examID, "key": key})
		r := fuzzCall(t, h, h.handlers[ResultOutcome.Route], post(ResultOutcome.Route, body))
		if len(h.objects.calls) == 0 && r.status != 200 {
			return
		}
		digits, err := cpf.Normalize(document)
		p, _ := h.patients.FindByDocument(t.Context(), digits)
		e := h.stored(examID)
		hk := regexp.MustCompile(`^completed/[0-9]{4}_(0[1-9]|1[0-2])/` + e.ID + `-h[0-9a-f]{32}\.(pdf|jpg|png)$`)
		if err != nil || e.PatientID != p.ID || !hk.MatchString(key) {
			t.Fatalf("S3 asked (%v) or %d for %s: %s", h.objects.calls, r.status, body, r.raw)
		}
		if r.status == 200 && (r.body["state"] != "waiting" || r.body["reason"] != exam.NotReceived) {
			t.Fatalf("200 for %s: %s", body, r.raw)
		}
	})
}
