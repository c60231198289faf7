package stack

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/testsupport/apitest"
)

// methods are those a client of the API sends (HEAD has no body to check).
var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// FuzzAPI sends any method, path, query and body to the local API over HTTP
// (one stack per fuzzing process, on 127.0.0.1): every answer but the
// console's page and files is JSON; an error is a code of the API's error table (shared/apigw)
// with its status and a fixed message; no answer is a 5xx (every dependency is
// up) or carries personal data (but the patient's name in the patient card and
// in a worklist item).
func FuzzAPI(f *testing.F) {
	e := startStack(f)
	id, examTok := e.startedExam(activeSMS)
	f.Add(uint8(1), "/exam/new", "", `{"document": "529.982.247-25", "exam_type": 1}`)
	f.Add(uint8(1), "/exam/new/", "", `{"doCument": "529.982.247-25", "exam_type": 1}`)
	f.Add(uint8(0), "/exams/info", "document=52998224725&limit=1", "")
	f.Add(uint8(0), "/exams/info", "document=Maria+da+Silva&cursor=eyJ9.x%0A", "")
	f.Add(uint8(0), "/exams/worklist", "status=Registered&limit=1", "")
	f.Add(uint8(0), "/exams/worklist", "status=Started&since=2026-6-1&cursor=eyJ9.x%0A", "")
	f.Add(uint8(1), "/exam/start", "", `{"document": "529.982.247-25", "exam_id": "`+id+`", "exam_type": 1}`)
	f.Add(uint8(1), "/exam/revoke", "", `{"document": "529.982.247-25", "exam_id": "Maria da Silva", "reason": "x"}`)
	f.Add(uint8(1), "/exams/communicate", "", `{"exam_token": "`+examTok+`", "result_token": "`+examTok+`"}`)
	f.Add(uint8(4), "/exams/info", "", "")
	f.Add(uint8(1), "/exams/info", "", `{"document": "529.982.247-25", "limit": "1"}`)
	f.Add(uint8(1), "/patient/find", "", `{"document": "529.982.247-25"}`)
	f.Add(uint8(1), "/patient/find", "", `{"document": "Maria da Silva +5511987654321"}`)
	f.Add(uint8(0), "/exam-types", "", "")
	f.Add(uint8(0), "/nowhere", "a=%zz", "{")
	f.Add(uint8(0), "/", "", "")
	f.Add(uint8(0), "/console/app.js", "", "")
	f.Add(uint8(0), "/console/../../etc/passwd", "", "")
	f.Fuzz(func(t *testing.T, m uint8, path, query, body string) {
		method := methods[int(m)%len(methods)]
		if strings.ContainsFunc(query, func(r rune) bool { return r <= ' ' || r >= 0x7f || r == '#' }) {
			return // a client escapes these; sent raw, net/http refuses the request line before the API sees it
		}
		u := e.s.APIURL + (&url.URL{Path: path}).EscapedPath()
		if query != "" {
			u += "?" + query
		}
		req, err := http.NewRequest(method, u, strings.NewReader(body))
		if err != nil || !strings.HasPrefix(path, "/") {
			return // not a request a client can send
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return // refused by the client or the server's HTTP layer, before the API
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if csp := resp.Header.Get("Content-Security-Policy"); method == "GET" && resp.StatusCode == 200 && csp != "" {
			// The console's page or one of its files (shared/console tests them).
			if !strings.Contains(csp, "frame-ancestors 'none'") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s %s: a console file without its security headers", method, path)
			}
			return
		}
		if resp.Header.Get("Content-Type") != "application/json" || resp.StatusCode >= 500 {
			t.Fatalf("%s %s?%s: %d %s %q", method, path, query, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
		}
		if resp.StatusCode >= 400 {
			apitest.CheckError(t, resp.StatusCode, string(raw))
		}
		forbidden := apitest.PersonalData()
		if method == "POST" && strings.TrimSuffix(path, "/") == "/patient/find" && resp.StatusCode == 200 {
			forbidden = apitest.ContactData() // the one answer that names the patient
		}
		// A worklist item names its patient; nothing else may.
		apitest.CheckNoneIn(t, "response", apitest.WithoutWorklistNames(apitest.WithoutToken(string(raw))), forbidden)
	})
}
