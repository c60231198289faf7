package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/cpf"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/strictjson"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/testsupport/tokentest"
	"github.com/zmed/exam-manager/shared/token"
)

// The fuzz targets run each handler end to end on a harness whose exams have
// fixed ids, so that seeds can name them: of the SMS patient a registered exam
// of type 3 and a started one of type 2, of the e-mail patient a registered one.
var (
	registeredID = fuzzID(1)
	startedID    = fuzzID(2)
	otherID      = fuzzID(3)
)

func fuzzID(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

// fuzzHarness returns a harness holding those three exams. The clock and the
// ids are the same in every run, and so are the cursors.
func fuzzHarness(t testing.TB) *harness {
	h := newHarness(t)
	n := 0
	h.register = RegisterExam.Handler(Ports{Patients: h.patients, Exams: h.store, Now: h.clock.Now, NewID: func() string { n++; return fuzzID(n) }, Audit: auditWriter})
	h.registered(fakes.ActiveSMS, 3)
	h.started(fakes.ActiveSMS, 2)
	h.registered(fakes.ActiveEmail, 1)
	return h
}

// fuzzCall runs req and checks what every answer of the API promises: a JSON
// body; for an error, a code of the error table with its status and a fixed
// message; no personal data (nor any of secrets) in the body or in any log
// line. The fakes never fail, so a 5xx is a bug.
func fuzzCall(t *testing.T, h *harness, handler apigw.Handler, req events.APIGatewayV2HTTPRequest, secrets ...string) reply {
	buf := logtest.Capture(t)
	r := h.call(handler, req)
	if r.status >= 500 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if r.status >= 400 {
		apitest.CheckError(t, r.status, r.raw)
	}
	secrets = append(apitest.PersonalData(), secrets...)
	// A worklist item names its patient; nothing else may.
	apitest.CheckNoneIn(t, "response", apitest.WithoutWorklistNames(apitest.WithoutToken(r.raw)), secrets)
	logtest.CheckLines(t, buf, secrets)
	return r
}

// fuzzFind sends body to POST /patient/find: answered as fuzzCall promises,
// but for the card, the one answer that names the patient (never a CPF,
// phone or e-mail); a 200 is the card of the patient its valid CPF names.
func fuzzFind(t *testing.T, h *harness, body string) reply {
	buf := logtest.Capture(t)
	r := h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, body))
	if r.status >= 500 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if r.status >= 400 {
		apitest.CheckError(t, r.status, r.raw)
	}
	apitest.CheckNoneIn(t, "response", r.raw, apitest.ContactData())
	logtest.CheckLines(t, buf, apitest.PersonalData())
	if r.status == 200 {
		var in struct {
			Document string `json:"document"`
		}
		_ = strictjson.Unmarshal([]byte(body), &in) // as the handler reads it
		digits, err := cpf.Normalize(in.Document)
		p, _ := h.patients.FindByDocument(t.Context(), digits)
		card, _ := r.body["patient"].(map[string]any)
		if err != nil || card["id"] != p.ID || card["name"] != p.Name || card["can_register"] != p.Active() {
			t.Fatalf("200 %s for %q", r.raw, body)
		}
	}
	return r
}

// FuzzRegister sends each body to POST /exam/new and to POST /patient/find
// (whose can_register says what registration would do).
func FuzzRegister(f *testing.F) {
	for _, body := range []string{
		`{"document": "529.982.247-25", "exam_type": 1}`,
		`{"document": "24843803480", "exam_type": 10, "color": "blue"}`,
		`{"document": "390.533.447-05", "exam_type": 2}`,
		`{"document": "Maria da Silva", "exam_type": 2, "name": "Maria da Silva", "cellphone": "+5511987654321"}`,
		`{"doCument": "529.982.247-25", "exam_type": 1}`,
		`{"document": "529.982.247-25", "document": "111.444.777-35", "exam_type": 1}`,
		`{"document": "529.982.247-26", "exam_type": "1"}`,
		`{"document": "52998224725", "exam_type": 1}00`,
	} {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		h := fuzzHarness(t)
		r := fuzzCall(t, h, h.register, post(RegisterExam.Route, body))
		found := fuzzFind(t, h, body)
		card, _ := found.body["patient"].(map[string]any)
		canRegister, _ := card["can_register"].(bool)
		switch {
		case r.status == 201 && !(found.status == 200 && canRegister):
			t.Fatalf("registered, yet the patient card is %d %s for %q", found.status, found.raw, body)
		case r.code() == "PATIENT_NOT_ACTIVE" && !(found.status == 200 && !canRegister):
			t.Fatalf("refused as not active, yet the patient card is %d %s for %q", found.status, found.raw, body)
		}
		if r.status != 201 {
			return
		}
		// A 201 needs one JSON object with a valid CPF of an active patient and a known type.
		var in map[string]any
		if err := json.Unmarshal([]byte(body), &in); err != nil {
			t.Fatalf("201 for a body that is not one JSON object: %q", body)
		}
		document, _ := in["document"].(string)
		digits, err := cpf.Normalize(document)
		p, _ := h.patients.FindByDocument(t.Context(), digits)
		e := h.stored(r.body["exam_id"].(string))
		if err != nil || p.Status != exam.PatientActive || e.PatientID != p.ID || float64(e.Type) != in["exam_type"] || !e.Type.Known() {
			t.Fatalf("201 registered %+v for %q", e, body)
		}
	})
}

// issuedCursors lists every page of every patient with limits 1 and 2 and
// returns the cursors the service issued.
func (h *harness) issuedCursors() map[string]bool {
	issued := map[string]bool{}
	for _, p := range []exam.Patient{fakes.ActiveSMS, fakes.ActiveEmail} {
		for _, limit := range []string{"1", "2"} {
			q := map[string]string{"document": p.Document, "limit": limit}
			for {
				r := h.call(h.list, get(q))
				next, ok := r.body["next_cursor"].(string)
				if !ok {
					break
				}
				issued[next], q["cursor"] = true, next
			}
		}
	}
	return issued
}

// FuzzList sends each query to GET /exams/info and as a body to POST /exams/info.
func FuzzList(f *testing.F) {
	h := fuzzHarness(f)
	for c := range h.issuedCursors() {
		f.Add("529.982.247-25", "1", c, true)
		f.Add("248.438.034-80", "1", c+"\n", true)
	}
	f.Add("52998224725", "20", "", false)
	f.Add("862.883.667-57", "0", "", true)
	f.Add("Maria da Silva", "ten", "eyJwIjoicGF0aWVudC1zbXMifQ.AAAA", true)
	f.Fuzz(func(t *testing.T, document, limit, cursor string, withLimit bool) {
		h := fuzzHarness(t)
		issued := h.issuedCursors()
		q := map[string]string{"document": document, "cursor": cursor}
		if withLimit {
			q["limit"] = limit
		}
		r := fuzzCall(t, h, h.list, get(q))
		if r.status == 200 && cursor != "" && !issued[cursor] {
			t.Fatalf("cursor %q accepted, but the service never issued it", cursor)
		}
		// The same listing posted answers alike: the same page, or the
		// same refusal (a limit that is no whole number goes as a string).
		in := map[string]any{"document": document, "cursor": cursor}
		if withLimit {
			in["limit"] = limit
			if n, err := strconv.Atoi(limit); err == nil {
				in["limit"] = n
			}
		}
		posted := fuzzCall(t, h, h.handlers[ListExamsPosted.Route], post(ListExamsPosted.Route, js(in)))
		if posted.status != r.status || posted.code() != r.code() || r.status == 200 && posted.raw != r.raw {
			t.Fatalf("GET answered %d %s, POST %d %s", r.status, r.raw, posted.status, posted.raw)
		}
	})
}

// fuzzExamCall sends body to route (start or revoke) on a fresh harness and
// returns the reply with the patient the document names (err: not a CPF).
func fuzzExamCall(t *testing.T, route apigw.Route, body, document string) (*harness, reply, exam.Patient, error) {
	h := fuzzHarness(t)
	handler := map[apigw.Route]apigw.Handler{StartExam.Route: h.start, RevokeExam.Route: h.revoke}[route]
	r := fuzzCall(t, h, handler, post(route, body))
	digits, err := cpf.Normalize(document)
	p, _ := h.patients.FindByDocument(t.Context(), digits)
	return h, r, p, err
}

func FuzzStart(f *testing.F) {
	f.Add("529.982.247-25", registeredID, 3)
	f.Add("52998224725", startedID, 2)
	f.Add("248.438.034-80", otherID, 1)
	f.Add("529.982.247-25", otherID, 1)
	f.Add("529.982.247-25", "Maria da Silva 52998224725", 3)
	f.Add("111.444.777-35", registeredID, 0)
	f.Fuzz(func(t *testing.T, document, examID string, examType int) {
		body := js(map[string]any{"document": document, "exam_id": examID, "exam_type": examType})
		h, r, p, err := fuzzExamCall(t, StartExam.Route, body, document)
		if r.status != 200 {
			return
		}
		// Only a registered or started exam of an active patient, named with
		// its type, starts; one started already keeps its started_at.
		e := h.stored(examID)
		if examID == startedID && !e.UpdatedAt.Equal(e.StartedAt) {
			t.Fatalf("a repeated start changed the exam: %+v", e)
		}
		tok, _ := r.body["exam_token"].(string)
		claims, verr := h.verifier.VerifyExamToken(tok)
		code, _ := r.body["label_code"].(string)
		sealed, cerr := h.verifier.VerifyExamToken(code)
		if cerr == nil && (sealed.Seal == nil || sealed.ExamID != examID) {
			cerr = errors.New("not the exam's label code")
		} else if cerr == nil {
			cerr = sealed.Seal.Check(e)
		}
		if err != nil || p.Status != exam.PatientActive || e.PatientID != p.ID || int(e.Type) != examType ||
			e.Status != exam.StatusStarted || verr != nil || claims != (exam.ExamClaims{ExamID: examID, PatientID: p.ID, ExamType: e.Type}) || cerr != nil {
			t.Fatalf("200 for %s: %s", body, r.raw)
		}
	})
}

func FuzzRevoke(f *testing.F) {
	f.Add("529.982.247-25", registeredID, "pedido do paciente")
	f.Add("52998224725", startedID, "Maria da Silva pediu, +5511987654321")
	f.Add("248.438.034-80", otherID, "")
	f.Add("529.982.247-25", otherID, "x")
	f.Add("529.982.247-25", "maria.silva@example.com", "x")
	f.Fuzz(func(t *testing.T, document, examID, reason string) {
		body := js(map[string]any{"document": document, "exam_id": examID, "reason": reason})
		h, r, p, err := fuzzExamCall(t, RevokeExam.Route, body, document)
		if r.status != 200 {
			return
		}
		e := h.stored(examID)
		if err != nil || e.PatientID != p.ID || e.Status != exam.StatusRevoked || reason == "" {
			t.Fatalf("200 for %s: %+v", body, e)
		}
	})
}

func FuzzCommunicate(f *testing.F) {
	issuer, _ := token.NewIssuer(examKey, time.Hour, func() time.Time { return epoch })
	examTok, _ := issuer.IssueExamToken(exam.ExamClaims{ExamID: startedID, PatientID: fakes.ActiveSMS.ID, ExamType: 2})
	labelCode, _ := issuer.IssueLabelCode(exam.ExamClaims{ExamID: startedID, PatientID: fakes.ActiveSMS.ID, ExamType: 2})
	resultTok, _ := token.MintResultToken(resultKey, startedID, epoch, time.Hour)
	otherResult, _ := token.MintResultToken(resultKey, otherID, epoch, time.Hour)
	f.Add(examTok, resultTok)
	f.Add(examTok, resultTok+"\n")
	f.Add(examTok, otherResult)
	f.Add(resultTok, examTok)
	f.Add(examTok[:len(examTok)-1], resultTok)
	f.Add(labelCode, resultTok)
	f.Add(labelCode[:len(labelCode)-1]+"0", resultTok)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, examTok, resultTok string) {
		h := fuzzHarness(t)
		body := js(map[string]string{"exam_token": examTok, "result_token": resultTok})
		r := fuzzCall(t, h, h.communicate, post(CommunicateResult.Route, body), signature(examTok), signature(resultTok))
		if r.status != 200 {
			return
		}
		// Accepted tokens are exactly as their keys' holders signed them, and
		// the exam is finished by this result, once.
		e := h.stored(startedID)
		if !(tokentest.SignedAsIs(examKey, examTok) || examTok == labelCode) || !tokentest.SignedAsIs(resultKey, resultTok) ||
			e.Status != exam.StatusFinished || e.ResultRef != exam.ResultRef(resultTok) || len(h.notifier.Sent()) != 1 {
			t.Fatalf("200 for %s: %+v", body, e)
		}
	})
}

// signature is the last part of a token, when long enough to be told apart
// from the fixed text of a log line; "" otherwise.
func signature(tok string) string {
	sig := tok[strings.LastIndex(tok, ".")+1:]
	if len(sig) < 20 {
		return ""
	}
	return sig
}
