// Package apitest holds the API's documented contract for tests and fuzz
// targets: the status of each error code (the API's error table), the fixed messages,
// and the personal data of the fixture patients that no response or log line
// may carry.
package apitest

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
)

// Statuses is the status of each code, from the API's error table.
var Statuses = func() map[string]int {
	m := map[string]int{}
	for _, r := range apigw.ErrorTable {
		m[r.Code] = r.Status
	}
	return m
}()

// requestMessages are the messages of exam.RequestError, which replace a
// code's message: fixed text, naming at most one of the API's own fields,
// never a value a client sent.
var requestMessages = []string{
	`Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, _ and -`,
	`cursor is not valid for this listing`, `token does not match the exam's patient`,
	`body is not valid base64`, `body is not one JSON object`, `body has a member twice`,
	`field "(document|exam_type|exam_id|reason|exam_token|result_token|limit|cursor|content_type|size|key)" (is required|has the wrong type)`,
	`query parameter "document" is required`, `limit must be a whole number between 1 and 100`,
	`limit must be between 1 and 100`, `exam_id must be a UUID`, `reason must have 1 to 500 characters`,
	`query parameter "status" must be Registered, Started, Finished or Revoked`,
	`since must be a day written YYYY-MM-DD`, `since must not be after today in America/Sao_Paulo`,
	// The desk's hand-in.
	`size must be a whole number of bytes, at least 1`, `size must be at most 52428800 bytes \(50 MiB\)`,
	`key is not a hand-in key of this exam`, `key must be the key result-upload answered`,
}

// fixedMessage matches every message an error body may have: the table's and
// the requests' own.
var fixedMessage = func() *regexp.Regexp {
	alternatives := slices.Clone(requestMessages)
	for _, r := range apigw.ErrorTable {
		alternatives = append(alternatives, regexp.QuoteMeta(r.Message))
	}
	return regexp.MustCompile(`^(` + strings.Join(alternatives, "|") + `)$`)
}()

// CheckError fails t unless body is the error body of a documented code, with
// the status the error table gives it and a fixed message; it returns the code.
func CheckError(t testing.TB, status int, body string) string {
	t.Helper()
	var e struct {
		Error *struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == nil {
		t.Fatalf("status %d with a body that is not an error body: %q", status, body)
	}
	if want, ok := Statuses[e.Error.Code]; !ok || want != status {
		t.Fatalf("status %d with code %q; the error table gives %d", status, e.Error.Code, want)
	}
	if !fixedMessage.MatchString(e.Error.Message) {
		t.Fatalf("message %q is not one of the fixed messages", e.Error.Message)
	}
	return e.Error.Code
}

// PersonalData is what the fixture patients' records hold that no response or
// log line may carry: CPFs in both forms, names, phones, e-mail addresses.
func PersonalData() []string {
	out := ContactData()
	for _, p := range fixturePatients {
		for _, part := range strings.Fields(p.Name) {
			if len(part) >= 3 { // "da" is in "updated_at"
				out = append(out, part)
			}
		}
	}
	return out
}

// ContactData is PersonalData without the names: what not even the answer
// that names a patient (POST /patient/find) may carry.
func ContactData() []string {
	var out []string
	for _, p := range fixturePatients {
		d := p.Document
		out = append(out, d, d[:3]+"."+d[3:6]+"."+d[6:9]+"-"+d[9:], p.Email)
		if p.Cellphone != "" {
			out = append(out, p.Cellphone, strings.TrimPrefix(p.Cellphone, "+55"))
		}
	}
	return out
}

var fixturePatients = []exam.Patient{fakes.ActiveSMS, fakes.ActiveEmail, fakes.ActiveNone, fakes.Pending, fakes.Inactive}

// WithoutToken returns a JSON object body without its exam_token member, for
// CheckNoneIn: base64 may spell a name by chance.
func WithoutToken(body string) string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &members); err != nil || members["exam_token"] == nil {
		return body
	}
	delete(members, "exam_token")
	out, _ := json.Marshal(members)
	return string(out)
}

// WithoutWorklistNames returns a JSON object body without the patients'
// names of its worklist items (exams[].patient.name), the one place the API
// shows a name, for CheckNoneIn; any other body is returned as it is.
func WithoutWorklistNames(body string) string {
	var members map[string]json.RawMessage
	var items []map[string]json.RawMessage
	if json.Unmarshal([]byte(body), &members) != nil || json.Unmarshal(members["exams"], &items) != nil {
		return body
	}
	for _, item := range items {
		var patient map[string]json.RawMessage
		if json.Unmarshal(item["patient"], &patient) == nil && patient != nil {
			delete(patient, "name")
			item["patient"], _ = json.Marshal(patient)
		}
	}
	members["exams"], _ = json.Marshal(items)
	out, _ := json.Marshal(members)
	return string(out)
}

// CheckNoneIn fails t if text holds any of forbidden.
func CheckNoneIn(t testing.TB, what, text string, forbidden []string) {
	t.Helper()
	for _, f := range forbidden {
		if f != "" && strings.Contains(text, f) {
			t.Fatalf("%s carries %q: %s", what, f, text)
		}
	}
}
