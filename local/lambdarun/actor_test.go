package lambdarun

import (
	"bufio"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

// checkActor holds an invocation to the actor its event names (issue 13): an
// API event's authorizer claims (sub, and username or cognito:username) are
// the caller in the audit line and, for a change, in the exam's new history
// entry; an S3 event is the automatic path, which names itself.
func checkActor(t *testing.T, s *Session, event, response []byte, logs string) {
	t.Helper()
	var ev struct {
		RequestContext struct {
			Authorizer *struct {
				JWT struct{ Claims map[string]string } `json:"jwt"`
			} `json:"authorizer"`
		} `json:"requestContext"`
		Source  string `json:"source"`
		Records []struct {
			S3 struct {
				Object struct{ Key string } `json:"object"`
			} `json:"s3"`
		} `json:"Records"`
	}
	if err := json.Unmarshal(event, &ev); err != nil {
		t.Fatal(err)
	}
	want := exam.ProcessResultActor
	if a := ev.RequestContext.Authorizer; a != nil {
		c := a.JWT.Claims
		want = exam.Actor{Kind: exam.ActorAttendant, ID: c["sub"], Name: c["username"]}
		if want.Name == "" {
			want.Name = c["cognito:username"]
		}
		if want.ID == "" || want.Name == "" {
			t.Fatalf("the sample event's claims name no attendant: %v", c)
		}
	} else if ev.Source == "aws.events" {
		// The reconciler's schedule: the reconciler is nobody's actor; what it
		// hands process-result is audited there, as the automatic path.
		checkOnlyAutomaticAudits(t, logs)
		return
	} else if len(ev.Records) == 0 {
		t.Fatal("neither an API event with claims, an S3 event nor a schedule")
	}

	// Exactly one audit line, naming the actor.
	audits := auditLines(logs)
	if len(audits) != 1 {
		t.Fatalf("%d audit lines, want 1", len(audits))
	}
	if actor, _ := audits[0]["actor"].(map[string]any); actor["kind"] != string(want.Kind) || actor["id"] != want.ID || audits[0]["outcome"] != "ok" {
		t.Fatalf("audit line %v, want actor %s %s and outcome ok", audits[0], want.Kind, want.ID)
	}

	// The change's history entry names the actor.
	var examID string
	if len(ev.Records) > 0 {
		examID = "0b6f3c4e-5d1a-4c2b-9e8f-1a2b3c4d5e04" // the fixture the sample object's tokens name
	} else {
		var r apiResponse
		var body map[string]any
		if err := json.Unmarshal(response, &r); err != nil || json.Unmarshal([]byte(r.Body), &body) != nil {
			t.Fatalf("not an API response: %s", response)
		}
		if inner, ok := body["exam"].(map[string]any); ok {
			body = inner
		}
		examID, _ = body["exam_id"].(string)
		if examID == "" {
			return // a listing changes nothing
		}
	}
	e, err := s.Stack.Store.Get(context.Background(), examID)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.History) == 0 || e.History[len(e.History)-1].By != want {
		t.Fatalf("exam %s history %+v: want its last entry by %+v", examID, e.History, want)
	}
}

// auditLines are the audit lines among logs.
func auditLines(logs string) []map[string]any {
	var audits []map[string]any
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["audit"] == true {
			audits = append(audits, rec)
		}
	}
	return audits
}

// checkOnlyAutomaticAudits: any audit line is the automatic path's.
func checkOnlyAutomaticAudits(t *testing.T, logs string) {
	t.Helper()
	for _, a := range auditLines(logs) {
		if actor, _ := a["actor"].(map[string]any); a["action"] != "result.process" || actor["id"] != exam.ProcessResultActor.ID {
			t.Errorf("a scheduled run wrote the audit line %v", a)
		}
	}
}
