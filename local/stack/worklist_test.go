package stack

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/cpf"
	"github.com/zmed/exam-manager/shared/exam"
)

// worklist reads the worklist of status over HTTP: the exams' ids and the
// patients' names, in order.
func (e *e2e) worklist(status string) (ids, names []string) {
	e.t.Helper()
	page := e.api("GET", "/exams/worklist?status="+status+"&limit=100", nil)
	for _, x := range page["exams"].([]any) {
		item := x.(map[string]any)
		ids = append(ids, item["exam_id"].(string))
		name, _ := item["patient"].(map[string]any)["name"].(string)
		names = append(names, name)
	}
	return ids, names
}

// TestWorklistFollowsTheExam: on the local stack, over HTTP, an exam is in the
// worklist of the status it is in, named after its patient, from its
// registration to its result filed by the automatic path.
func TestWorklistFollowsTheExam(t *testing.T) {
	e := startStack(t)
	nameOf := map[string]string{}
	for _, p := range e.s.Patients {
		for _, document := range []string{activeSMS, activeNone} {
			if digits, _ := cpf.Normalize(document); digits == p.Document {
				nameOf[document] = p.Name
			}
		}
	}
	first := e.api("POST", "/exam/new", map[string]any{"document": activeSMS, "exam_type": 1})["exam_id"].(string)
	second := e.api("POST", "/exam/new", map[string]any{"document": activeNone, "exam_type": 2})["exam_id"].(string)
	if ids, names := e.worklist("Registered"); !slices.Equal(ids, []string{first, second}) ||
		!slices.Equal(names, []string{nameOf[activeSMS], nameOf[activeNone]}) || names[0] == "" {
		t.Fatalf("Registered worklist: %v %v, want %s then %s, named", ids, names, first, second)
	}
	started := e.api("POST", "/exam/start", map[string]any{"document": activeSMS, "exam_id": first, "exam_type": 1})
	if ids, _ := e.worklist("Registered"); !slices.Equal(ids, []string{second}) {
		t.Fatalf("Registered worklist after the start: %v, want only %s", ids, second)
	}
	if ids, _ := e.worklist("Started"); !slices.Equal(ids, []string{first}) {
		t.Fatalf("Started worklist: %v, want %s", ids, first)
	}
	key := ResultKey("completed", first, ".pdf", time.Now())
	if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, key, "application/pdf", []byte("%PDF-1.4 result"),
		started["exam_token"].(string), e.resultToken(first)); err != nil {
		t.Fatal(err)
	}
	e.eventually("the exam in the Finished worklist", func() bool {
		ids, _ := e.worklist(string(exam.StatusFinished))
		return slices.Equal(ids, []string{first})
	})
	if ids, _ := e.worklist("Started"); len(ids) != 0 {
		t.Fatalf("Started worklist after the result: %v, want none", ids)
	}
}
