package httpapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// Patients of the front-desk tests besides the fixtures: a birth date, a
// verified landline (no SMS can reach it), a name with markup and accents.
var (
	withBirthDate = exam.Patient{ID: "patient-born", Document: "74682489070", Name: "Maria da Conceição Gonçalves", Status: exam.PatientActive,
		Cellphone: "+5511987650000", CellphoneVerified: true, Email: "conceicao@example.com", BirthDate: "1987-03-09"}
	verifiedLandline = exam.Patient{ID: "patient-landline", Document: "71428793860", Name: "José Alves", Status: exam.PatientActive,
		Cellphone: "+551133334444", CellphoneVerified: true, Email: "jose.alves@example.com", EmailVerified: true}
	markupName = exam.Patient{ID: "patient-markup", Document: "87748248800", Name: `<b>Ana</b> & "Bia" <script>x</script>`, Status: exam.PatientInactive}
)

func frontDeskHarness(t *testing.T) *harness {
	h := newHarness(t)
	for _, p := range []exam.Patient{withBirthDate, verifiedLandline, markupName} {
		h.patients.Put(p)
	}
	return h
}

// TestFindPatient: the card of each kind of patient, exactly: status and
// whether registration would accept them, the birth date only when known,
// which notices could reach them (an SMS only to a verified Brazilian mobile,
// the notifier's rule), never the number nor the address.
func TestFindPatient(t *testing.T) {
	h := frontDeskHarness(t)
	card := func(p exam.Patient, canRegister, sms, email bool) map[string]any {
		c := map[string]any{"id": p.ID, "name": p.Name, "status": string(p.Status), "can_register": canRegister,
			"contact": map[string]any{"sms": sms, "email": email}}
		if p.BirthDate != "" {
			c["birth_date"] = p.BirthDate
		}
		return map[string]any{"patient": c}
	}
	tests := []struct {
		name     string
		document string
		want     map[string]any
	}{
		{"active, verified mobile and e-mail", "529.982.247-25", card(fakes.ActiveSMS, true, true, true)},
		{"active, e-mail only", fakes.ActiveEmail.Document, card(fakes.ActiveEmail, true, false, true)},
		{"active, nothing verified", fakes.ActiveNone.Document, card(fakes.ActiveNone, true, false, false)},
		{"pending", fakes.Pending.Document, card(fakes.Pending, false, false, false)},
		{"inactive, verified mobile", fakes.Inactive.Document, card(fakes.Inactive, false, true, false)},
		{"with a birth date", withBirthDate.Document, card(withBirthDate, true, true, false)},
		{"verified landline: no SMS", verifiedLandline.Document, card(verifiedLandline, true, false, true)},
		{"markup in the name, as text", markupName.Document, card(markupName, false, false, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, js(map[string]string{"document": tt.document})))
			r.expect(t, 200, "")
			if !reflect.DeepEqual(r.body, tt.want) {
				t.Fatalf("got %s, want %s", r.raw, js(tt.want))
			}
		})
	}
	// JSON escapes markup: the name is never HTML in the body.
	r := h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, js(map[string]string{"document": markupName.Document})))
	if strings.Contains(r.raw, "<") {
		t.Fatalf("body carries raw markup: %s", r.raw)
	}
}

func TestFindPatientRefusals(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		setup  func(h *harness)
		status int
		code   string
	}{
		{"missing document", `{}`, nil, 400, "INVALID_REQUEST"},
		{"document of another type", `{"document": 52998224725}`, nil, 400, "INVALID_REQUEST"},
		{"not one JSON object", `["529.982.247-25"]`, nil, 400, "INVALID_REQUEST"},
		{"invalid CPF", `{"document": "529.982.247-26"}`, nil, 400, "INVALID_DOCUMENT"},
		{"valid CPF, unknown", `{"document": "123.456.789-09"}`, nil, 404, "PATIENT_NOT_FOUND"},
		{"patient manager down", `{"document": "529.982.247-25"}`,
			func(h *harness) { h.patients.FailWith(fmt.Errorf("%w: 502", exam.ErrDependency)) }, 503, "DEPENDENCY_UNAVAILABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if tt.setup != nil {
				tt.setup(h)
			}
			h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, tt.body)).expect(t, tt.status, tt.code)
		})
	}
}

// TestFindPatientAudit: one audit line per call, patient.find, naming the
// patient (by the patient manager's id) when one was found.
func TestFindPatientAudit(t *testing.T) {
	tests := []struct {
		body, patientID, outcome string
	}{
		{`{"document": "529.982.247-25"}`, fakes.ActiveSMS.ID, "ok"},
		{`{"document": "86288366757"}`, fakes.Inactive.ID, "ok"},
		{`{"document": "123.456.789-09"}`, "", "PATIENT_NOT_FOUND"},
		{`{"document": "529.982.247-26"}`, "", "INVALID_DOCUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			h := newHarness(t)
			buf := logtest.Capture(t)
			h.call(h.handlers[FindPatient.Route], post(FindPatient.Route, tt.body))
			audits := logtest.AuditLines(t, buf.String())
			if len(audits) != 1 {
				t.Fatalf("%d audit lines, want 1: %s", len(audits), buf)
			}
			a := audits[0]
			if a.Action != "patient.find" || a.PatientID != tt.patientID || a.Outcome != tt.outcome || a.Actor["id"] != fakes.Attendant.ID {
				t.Fatalf("audit line %s, want patient.find of %q ending %s", a.Raw, tt.patientID, tt.outcome)
			}
		})
	}
}

// TestFindPatientLogsNoPersonalData: a patient whose record holds a name, a
// CPF, a phone, an e-mail and a birth date is found, refused and looked up
// while the patient manager is down: no log line carries any of them, and the
// answer carries neither the phone nor the e-mail nor the CPF.
func TestFindPatientLogsNoPersonalData(t *testing.T) {
	h := frontDeskHarness(t)
	buf := logtest.Capture(t)
	p := withBirthDate
	find := h.handlers[FindPatient.Route]
	r := h.call(find, post(FindPatient.Route, js(map[string]string{"document": "746.824.890-70"})))
	r.expect(t, 200, "")
	contact := []string{p.Document, "746.824.890-70", p.Cellphone, strings.TrimPrefix(p.Cellphone, "+55"), p.Email}
	apitest.CheckNoneIn(t, "response", r.raw, append(contact, apitest.ContactData()...))
	for _, v := range apitest.Poison("").Values {
		h.call(find, post(FindPatient.Route, js(map[string]string{"document": v})))
	}
	h.patients.FailWith(fmt.Errorf("%w: patient manager timeout", exam.ErrDependency))
	h.call(find, post(FindPatient.Route, js(map[string]string{"document": p.Document}))).expect(t, 503, "DEPENDENCY_UNAVAILABLE")

	forbidden := append(contact, "Conceição", "Gonçalves", p.BirthDate, "19870309")
	forbidden = append(forbidden, apitest.Poison("").Forbidden...)
	forbidden = append(forbidden, apitest.PersonalData()...)
	if n := logtest.CheckLines(t, buf, forbidden); n < 3 {
		t.Fatalf("%d log lines: too few to prove anything", n)
	}
}

// TestListExamsPosted: POST /exams/info answers exactly as GET /exams/info,
// page by page, with the same cursors; its audit line is the GET's.
func TestListExamsPosted(t *testing.T) {
	h := newHarness(t)
	for i := range 5 {
		h.registered(fakes.ActiveSMS, 1+i)
	}
	posted := h.handlers[ListExamsPosted.Route]
	q := map[string]string{"document": "529.982.247-25", "limit": "2"}
	in := map[string]any{"document": "529.982.247-25", "limit": 2}
	for page := 0; ; page++ {
		byGet := h.call(h.list, get(q))
		buf := logtest.Capture(t)
		byPost := h.call(posted, post(ListExamsPosted.Route, js(in)))
		byPost.expect(t, 200, "")
		if byPost.raw != byGet.raw {
			t.Fatalf("page %d: POST answered %s, GET %s", page, byPost.raw, byGet.raw)
		}
		audits := logtest.AuditLines(t, buf.String())
		if len(audits) != 1 || audits[0].Action != "exam.list" || audits[0].PatientID != fakes.ActiveSMS.ID || audits[0].Outcome != "ok" {
			t.Fatalf("audit lines %+v, want one exam.list of %s", audits, fakes.ActiveSMS.ID)
		}
		next, ok := byPost.body["next_cursor"].(string)
		if !ok {
			if page != 2 {
				t.Fatalf("%d pages of 2 for 5 exams", page+1)
			}
			break
		}
		q["cursor"], in["cursor"] = next, next
	}
	// Without limit nor cursor: the first page of 20.
	r := h.call(posted, post(ListExamsPosted.Route, `{"document": "52998224725"}`))
	r.expect(t, 200, "")
	if n := len(r.body["exams"].([]any)); n != 5 {
		t.Fatalf("%d exams, want 5", n)
	}
}

func TestListExamsPostedRefusals(t *testing.T) {
	h, cursor := listedHarness(t)
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"limit as a string", `{"document": "52998224725", "limit": "2"}`, 400, "INVALID_REQUEST"},
		{"limit with a fraction", `{"document": "52998224725", "limit": 2.5}`, 400, "INVALID_REQUEST"},
		{"limit 0", `{"document": "52998224725", "limit": 0}`, 400, "INVALID_REQUEST"},
		{"limit 101", `{"document": "52998224725", "limit": 101}`, 400, "INVALID_REQUEST"},
		{"limit past int64", `{"document": "52998224725", "limit": 1e30}`, 400, "INVALID_REQUEST"},
		{"cursor as a number", `{"document": "52998224725", "cursor": 7}`, 400, "INVALID_REQUEST"},
		{"tampered cursor", js(map[string]any{"document": "52998224725", "cursor": cursor[:len(cursor)-2] + "AA"}), 400, "INVALID_REQUEST"},
		{"another patient's cursor", js(map[string]any{"document": fakes.ActiveEmail.Document, "cursor": cursor}), 400, "INVALID_REQUEST"},
		{"missing document", `{"limit": 1}`, 400, "INVALID_REQUEST"},
		{"document of another type", `{"document": 52998224725}`, 400, "INVALID_REQUEST"},
		{"invalid CPF", `{"document": "529.982.247-26"}`, 400, "INVALID_DOCUMENT"},
		{"unknown patient", `{"document": "123.456.789-09"}`, 404, "PATIENT_NOT_FOUND"},
		{"limit null is absent", `{"document": "52998224725", "limit": null}`, 200, ""},
		{"the GET's cursor", js(map[string]any{"document": "52998224725", "limit": 1, "cursor": cursor}), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.call(h.handlers[ListExamsPosted.Route], post(ListExamsPosted.Route, tt.body)).expect(t, tt.status, tt.code)
		})
	}
	h.patients.FailWith(fmt.Errorf("%w: 502", exam.ErrDependency))
	h.call(h.handlers[ListExamsPosted.Route], post(ListExamsPosted.Route, `{"document": "52998224725"}`)).expect(t, 503, "DEPENDENCY_UNAVAILABLE")
}

// TestExamTypes: the catalog by ascending code with both names, built on no
// port at all, and no audit line (it reaches no patient data).
func TestExamTypes(t *testing.T) {
	h := newHarness(t)
	buf := logtest.Capture(t)
	r := h.call(ExamTypes.Handler(Ports{}), getRoute(ExamTypes.Route))
	r.expect(t, 200, "")
	var body struct {
		ExamTypes []struct {
			Code   int    `json:"code"`
			Name   string `json:"name"`
			NamePT string `json:"name_pt"`
		} `json:"exam_types"`
	}
	if err := json.Unmarshal([]byte(r.raw), &body); err != nil {
		t.Fatal(err)
	}
	catalog := exam.Catalog()
	if len(body.ExamTypes) != len(catalog) {
		t.Fatalf("%d exam types, want %d", len(body.ExamTypes), len(catalog))
	}
	for i, ty := range catalog {
		if got := body.ExamTypes[i]; got.Code != int(ty) || got.Name != ty.Name() || got.NamePT != ty.NamePT() || got.NamePT == "" {
			t.Errorf("exam type %d: %+v", ty, got)
		}
	}
	if !strings.Contains(r.raw, `"name_pt":"Perfil lipídico"`) {
		t.Errorf("accents are not kept as they are: %s", r.raw)
	}
	if audits := logtest.AuditLines(t, buf.String()); len(audits) != 0 {
		t.Fatalf("the catalog wrote audit lines: %+v", audits)
	}
	// Still the API: a call without the authorizer's claims is refused.
	noClaims := getRoute(ExamTypes.Route)
	noClaims.RequestContext.Authorizer = nil
	h.call(ExamTypes.Handler(Ports{}), noClaims).expect(t, 500, "INTERNAL")
}

// TestRenderedExamsCarryThePortugueseName: every exam the API renders has
// exam_name_pt beside exam_name.
func TestRenderedExamsCarryThePortugueseName(t *testing.T) {
	h := newHarness(t)
	for _, ty := range exam.Catalog() {
		h.registered(fakes.ActiveSMS, int(ty))
	}
	r := h.call(h.list, get(map[string]string{"document": fakes.ActiveSMS.Document}))
	r.expect(t, 200, "")
	for _, e := range r.body["exams"].([]any) {
		e := e.(map[string]any)
		ty := exam.Type(e["exam_type"].(float64))
		if e["exam_name"] != ty.Name() || e["exam_name_pt"] != ty.NamePT() {
			t.Fatalf("exam of type %d named %q / %q", ty, e["exam_name"], e["exam_name_pt"])
		}
	}
}

// TestServeDispatchesByRoute: one Lambda serving two rows hands each request
// to its route's row; another method of their path is the first row's 405,
// audited under its action, and another path its 404.
func TestServeDispatchesByRoute(t *testing.T) {
	h := newHarness(t)
	h.registered(fakes.ActiveSMS, 1)
	both := Serve(Ports{Patients: h.patients, Exams: h.store, Cursors: cursor.ForListing(cursor.New(examKey)), Audit: auditWriter}, ListExams, ListExamsPosted)
	byGet := h.call(both, get(map[string]string{"document": fakes.ActiveSMS.Document}))
	byGet.expect(t, 200, "")
	byPost := h.call(both, post(ListExamsPosted.Route, `{"document": "52998224725"}`))
	byPost.expect(t, 200, "")
	if byGet.raw != byPost.raw {
		t.Fatalf("GET %s, POST %s", byGet.raw, byPost.raw)
	}
	put := post(ListExamsPosted.Route, `{"document": "52998224725"}`)
	put.RouteKey = "PUT /exams/info"
	buf := logtest.Capture(t)
	h.call(both, put).expect(t, 405, "METHOD_NOT_ALLOWED")
	// Answered before the caller is read: the line names no actor.
	audited := 0
	for _, rec := range records(t, buf.String()) {
		if rec["audit"] == true {
			audited++
			if rec["action"] != "exam.list" || rec["outcome"] != "METHOD_NOT_ALLOWED" {
				t.Fatalf("audit line %v", rec)
			}
		}
	}
	if audited != 1 {
		t.Fatalf("%d audit lines, want 1: %s", audited, buf)
	}
	other := post(FindPatient.Route, `{"document": "52998224725"}`)
	h.call(both, other).expect(t, 404, "ROUTE_NOT_FOUND")
}
