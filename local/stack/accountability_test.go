package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

// reply is an API answer.
type reply struct {
	status int
	body   map[string]any
}

func (r reply) code() string {
	e, _ := r.body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// caller calls the local API with a bearer token ("" for none) and counts the
// calls that reached a handler, each of which must write one audit line.
type caller struct {
	e       *e2e
	audited int
}

func (c *caller) call(bearer, method, path string, body any) reply {
	c.e.t.Helper()
	header := http.Header{}
	if bearer != "" {
		header.Set("Authorization", bearer)
	}
	return c.send(header, method, path, body)
}

// send is call with the request's headers as they are given.
func (c *caller) send(header http.Header, method, path string, body any) reply {
	c.e.t.Helper()
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	default:
		raw, _ := json.Marshal(b)
		reader = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, c.e.s.APIURL+path, reader)
	req.Header = header
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&r.body); err != nil {
		c.e.t.Fatalf("%s %s: body is not JSON: %v", method, path, err)
	}
	if r.status != http.StatusUnauthorized {
		c.audited++
	}
	return r
}

func (c *caller) must(bearer, method, path string, body any) map[string]any {
	c.e.t.Helper()
	r := c.call(bearer, method, path, body)
	if r.status >= 300 {
		c.e.t.Fatalf("%s %s: %d %v", method, path, r.status, r.body)
	}
	return r.body
}

type attendant struct{ name, sub, bearer string }

func newAttendant(t *testing.T, name string) attendant {
	return attendantWithSub(t, name, authorizer.SubOf(name))
}

// attendantWithSub is an attendant whose identity provider gives sub, which
// need not be a UUID (gov.br style providers use a CPF or a phone).
func attendantWithSub(t *testing.T, name, sub string) attendant {
	tok, err := authorizer.Mint([]byte(authorizer.DefaultKey), sub, name, time.Now(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return attendant{name: name, sub: sub, bearer: "Bearer " + tok}
}

// historyOf lists the exam and returns its history as (status, actor id, actor name) triples.
func (c *caller) historyOf(document, id string) [][3]string {
	c.e.t.Helper()
	page := c.must("", "GET", "/exams/info?document="+url.QueryEscape(document)+"&limit=100", nil)
	for _, x := range page["exams"].([]any) {
		if m := x.(map[string]any); m["exam_id"] == id {
			var out [][3]string
			for _, h := range m["history"].([]any) {
				entry := h.(map[string]any)
				by := entry["by"].(map[string]any)
				name, _ := by["name"].(string)
				out = append(out, [3]string{entry["status"].(string), by["kind"].(string) + ":" + by["id"].(string), name})
			}
			return out
		}
	}
	c.e.t.Fatalf("exam %s not listed", id)
	return nil
}

// TestAccountability (issue 13): through the local API with two attendants'
// tokens, each step's history names who made it and the automatic path names
// itself; bad tokens are 401; and every log line of the whole run, invalid
// inputs carrying personal data included, is free of personal data and
// tokens, with exactly one audit line per API call and automatic outcome.
func TestAccountability(t *testing.T) {
	logs := logtest.CaptureConcurrent(t)
	e := startStack(t)
	c := &caller{e: e}
	carla, diego := newAttendant(t, "atendente.carla"), newAttendant(t, "atendente.diego")
	local := [3]string{"", "attendant:" + authorizer.LocalAttendant, authorizer.LocalAttendant}
	var digitSubs []string
	by := func(a attendant) string { return "attendant:" + a.sub }
	check := func(what string, got [][3]string, want ...[3]string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: history %v, want %v", what, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("%s: history %v, want %v", what, got, want)
			}
		}
	}
	register := func(a attendant, document string) string {
		return c.must(a.bearer, "POST", "/exam/new", map[string]any{"document": document, "exam_type": 1})["exam_id"].(string)
	}
	start := func(a attendant, document, id string) string {
		return c.must(a.bearer, "POST", "/exam/start", map[string]any{"document": document, "exam_id": id, "exam_type": 1})["exam_token"].(string)
	}

	// Register by carla, start by diego, communicate by carla.
	manual := register(carla, activeSMS)
	manualTok := start(diego, activeSMS, manual)
	c.must(carla.bearer, "POST", "/exams/communicate", map[string]any{"exam_token": manualTok, "result_token": e.resultToken(manual)})
	check("manual path", c.historyOf(activeSMS, manual),
		[3]string{"Registered", by(carla), carla.name}, [3]string{"Started", by(diego), diego.name}, [3]string{"Finished", by(carla), carla.name})

	// Register by diego, revoke by carla.
	revoked := register(diego, activeNone)
	c.must(carla.bearer, "POST", "/exam/revoke", map[string]any{"document": activeNone, "exam_id": revoked, "reason": "pedido da paciente"})
	check("revocation", c.historyOf(activeNone, revoked), [3]string{"Registered", by(diego), diego.name}, [3]string{"Revoked", by(carla), carla.name})

	// An identity provider whose sub is a CPF or a phone: the history keeps it,
	// no log line carries it (below).
	for _, a := range []attendant{attendantWithSub(t, "govbr.cpf", "52998224725"), attendantWithSub(t, "govbr.phone", "5511987654321")} {
		id := register(a, activeNone)
		start(a, activeNone, id)
		check("a digit sub", c.historyOf(activeNone, id), [3]string{"Registered", by(a), a.name}, [3]string{"Started", by(a), a.name})
		digitSubs = append(digitSubs, a.sub)
	}

	// No token: the local attendant; the automatic path names itself.
	auto := register(attendant{}, activeSMS)
	autoTok := start(carla, activeSMS, auto)
	if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, ResultKey("completed", auto, ".pdf", time.Now()), "application/pdf", []byte("%PDF-1.4"), autoTok, e.resultToken(auto)); err != nil {
		t.Fatal(err)
	}
	automatic := 1
	e.eventually("automatic path finished the exam", func() bool {
		h := c.historyOf(activeSMS, auto)
		return h[len(h)-1][0] == string(exam.StatusFinished)
	})
	check("automatic path", c.historyOf(activeSMS, auto),
		[3]string{"Registered", local[1], local[2]}, [3]string{"Started", by(carla), carla.name}, [3]string{"Finished", "automatic:process-result", ""})

	// Bad bearer tokens are 401 UNAUTHENTICATED and reach no handler.
	key := []byte(authorizer.DefaultKey)
	expired, _ := authorizer.Mint(key, carla.sub, carla.name, time.Now().Add(-2*time.Hour), time.Hour)
	otherKey, _ := authorizer.Mint([]byte(LocalExamKey), carla.sub, carla.name, time.Now(), time.Hour)
	noExp, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": carla.sub, "username": carla.name}).SignedString(key)
	noSub, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"username": carla.name, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(key)
	unsigned, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"sub": carla.sub, "username": carla.name, "exp": time.Now().Add(time.Hour).Unix()}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	tampered := carla.bearer[:len(carla.bearer)-2] + "xx"
	issuedLater, _ := authorizer.Mint(key, carla.sub, carla.name, time.Now().Add(time.Hour), time.Hour)
	// An empty header is not the local attendant (that is a request without one).
	badBearers := []string{"Bearer " + expired, "Bearer " + otherKey, "Bearer " + noExp, "Bearer " + noSub, "Bearer " + unsigned,
		tampered, "Bearer", "Bearer ", "Basic Y2FybGE6c2VuaGE=", strings.TrimPrefix(carla.bearer, "Bearer "), "Bearer " + issuedLater, ""}
	for _, bearer := range badBearers {
		r := c.send(http.Header{"Authorization": {bearer}}, "POST", "/exam/new", map[string]any{"document": activeSMS, "exam_type": 1})
		if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" {
			t.Fatalf("bearer %q: %d %v, want 401 UNAUTHENTICATED", bearer, r.status, r.body)
		}
	}

	// Invalid input carrying personal data on every route: refused, never logged.
	p := apitest.Poison(manualTok)
	for _, v := range p.Values {
		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{"POST", "/exam/new", map[string]any{"document": v, "exam_type": 1}},
			{"POST", "/exam/new", map[string]any{"document": activeSMS, "exam_type": v}},
			{"GET", "/exams/info?document=" + url.QueryEscape(v), nil},
			{"GET", "/exams/info?document=" + url.QueryEscape(activeSMS) + "&limit=" + url.QueryEscape(v), nil},
			{"GET", "/exams/info?document=" + url.QueryEscape(activeSMS) + "&cursor=" + url.QueryEscape(v), nil},
			{"POST", "/exam/start", map[string]any{"document": activeSMS, "exam_id": v, "exam_type": 1}},
			{"POST", "/exam/start", map[string]any{"document": v, "exam_id": manual, "exam_type": 1}},
			{"POST", "/exam/revoke", map[string]any{"document": activeSMS, "exam_id": v, "reason": v}},
			{"POST", "/exam/revoke", map[string]any{"document": v, "exam_id": manual, "reason": v}},
			{"POST", "/exam/revoke", map[string]any{"document": activeSMS, "exam_id": manual, "reason": v + strings.Repeat("x", 500)}},
			{"POST", "/exams/communicate", map[string]any{"exam_token": v, "result_token": v}},
			{"POST", "/exams/communicate", map[string]any{"exam_token": manualTok, "result_token": v}},
			{"POST", "/exam/new", `{"document": "` + v},
		} {
			// Valid CPFs among the values register; everything else is refused.
			if r := c.call(carla.bearer, tc.method, tc.path, tc.body); r.status >= 500 {
				t.Fatalf("%s %s with %q: %d %v", tc.method, tc.path, v, r.status, r.body)
			}
		}
	}
	// … and in S3 keys, metadata and bodies.
	month := time.Now().UTC().Format("2006_01")
	uploads := map[string]*s3.PutObjectInput{}
	cut := func(s string, n int) string { return s[:min(len(s), n)] } // S3's limits on keys and metadata
	for i, v := range p.Values {
		name := "completed/" + month + "/" + cut(strings.NewReplacer("/", "_").Replace(v), 200) + ".pdf"
		uploads[name] = &s3.PutObjectInput{Body: bytes.NewReader([]byte("%PDF")), ContentType: aws.String("application/pdf"),
			Metadata: map[string]string{s3results.ExamTokenMeta: cut(url.QueryEscape(v), 800), s3results.ResultTokenMeta: cut(p.Values[(i+1)%len(p.Values)], 800)}}
		body, _ := json.Marshal(map[string]string{"exam_token": v, "result_token": manualTok, "patient": v})
		uploads["completed/"+month+"/"+uuid.NewString()+".json"] = &s3.PutObjectInput{Body: bytes.NewReader(body), ContentType: aws.String("application/json")}
	}
	for key, in := range uploads {
		in.Bucket, in.Key = aws.String(e.s.Config.Bucket), aws.String(key)
		if _, err := e.s3.PutObject(context.Background(), in); err != nil {
			t.Fatalf("upload %q: %v", key, err)
		}
		automatic++
	}
	e.eventually("every poisoned result filed as stuck", func() bool {
		stuck := 0
		for _, k := range e.keys() {
			if strings.HasPrefix(k, "stuck/") {
				stuck++
			}
		}
		return stuck == len(uploads)
	})

	// Every log line of the run, once every object's processing has ended
	// (its last line says where it was filed).
	e.eventually("every result's processing ended", func() bool {
		return strings.Count(logs.String(), `"msg":"result filed"`) == automatic
	})
	text := logs.String()
	logtest.CheckLines(t, bytes.NewBufferString(text), append(append(p.Forbidden, "atendente.carla", "atendente.diego", "govbr", "pedido da paciente"), digitSubs...))
	apitest.CheckNoCPF(t, text)
	apiAudits, autoAudits := 0, 0
	for _, a := range logtest.AuditLines(t, text) {
		if a.Action == "result.process" {
			autoAudits++
			if a.Actor["kind"] != "automatic" || a.Actor["id"] != "process-result" {
				t.Fatalf("automatic outcome audited with another actor: %s", a.Raw)
			}
			continue
		}
		apiAudits++
		// A UUID sub is logged as it is, any other as its pseudonym.
		key := []byte(LocalActorKey)
		known := map[string]bool{carla.sub: true, diego.sub: true, audit.Pseudonym(key, authorizer.LocalAttendant): true}
		for _, sub := range digitSubs {
			known[audit.Pseudonym(key, sub)] = true
		}
		if !known[a.Actor["id"]] {
			t.Fatalf("API call audited with an unknown actor: %s", a.Raw)
		}
	}
	if apiAudits != c.audited || autoAudits != automatic {
		t.Fatalf("%d audit lines of API calls for %d calls, %d of automatic outcomes for %d results", apiAudits, c.audited, autoAudits, automatic)
	}
}
