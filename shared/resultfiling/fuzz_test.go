package resultfiling_test

import (
	"context"
	"encoding/json"
	"path"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/apitest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/testsupport/tokentest"
	"github.com/zmed/exam-manager/shared/token"
)

// fuzzExamID is the started exam of the SMS patient that FuzzHandle's seeds name.
const fuzzExamID = "00000000-0000-4000-8000-000000000001"

// filing records where objects move, and why.
type filing struct {
	memObjects
	moves   []string
	filings []resultfiling.Filing
}

func (f *filing) Move(ctx context.Context, obj resultfiling.Object, fl resultfiling.Filing) (string, error) {
	f.moves = append(f.moves, fl.Key)
	f.filings = append(f.filings, fl)
	return f.memObjects.Move(ctx, obj, fl)
}

// FuzzHandle processes an event for any key and any pair of tokens: it never
// fails (nothing here is transient); a key that decodes under completed/ is
// filed once, under an outcome folder by its own file name; a result is
// processed only with tokens exactly as signed; no log line carries personal
// data, a token's signature or any part of the key.
func FuzzHandle(f *testing.F) {
	clock := func() time.Time { return epoch }
	issuer, _ := token.NewIssuer(examKey, token.DefaultExamTokenTTL, clock)
	examTok, _ := issuer.IssueExamToken(exam.ExamClaims{ExamID: fuzzExamID, PatientID: fakes.ActiveSMS.ID, ExamType: 6})
	resultTok, _ := token.MintResultToken(resultKey, fuzzExamID, epoch, time.Hour)
	f.Add(s3event.EncodeKey("completed/2026_11/"+fuzzExamID+".pdf"), examTok, resultTok)
	f.Add(s3event.EncodeKey("completed/2026_11/Maria da Silva 52998224725.pdf"), examTok, resultTok+"\n")
	f.Add("completed/2026_11/Maria%Si+52998224725.pdf", examTok, resultTok)
	f.Add("processed/2026_11/a.pdf", examTok, resultTok)
	f.Add("completed/", "", resultTok)
	f.Add("completed/a%2Fb.json", resultTok, examTok)
	f.Fuzz(func(t *testing.T, encodedKey, examTok, resultTok string) {
		// The event as Lambda hands it over: aws-lambda-go decodes the key while
		// unmarshalling, and fails the invocation before any code of ours runs
		// for a key that does not decode.
		raw, _ := json.Marshal(map[string]any{"Records": []any{map[string]any{
			"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
			"s3": map[string]any{"bucket": map[string]any{"name": bucket}, "object": map[string]any{"key": encodedKey, "size": 1}},
		}}})
		var ev events.S3Event
		if json.Unmarshal(raw, &ev) != nil {
			return
		}
		key := ev.Records[0].S3.Object.URLDecodedKey
		buf := logtest.Capture(t)
		store := memstore.New()
		patients, notifier := fakes.AllPatients(), &fakes.Notifier{}
		ctx := logctx.WithRequestID(context.Background(), "req-1")
		if _, err := (exam.Register{Patients: patients, Exams: store, Now: clock, NewID: func() string { return fuzzExamID }, Observer: telemetry.Observer{}}).Run(ctx, fakes.Attendant, exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 6}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := (exam.Start{Patients: patients, Exams: store, Tokens: issuer, Now: clock, Observer: telemetry.Observer{}}).Run(ctx, fakes.Attendant, fakes.ActiveSMS.Document, fuzzExamID, 6); err != nil {
			t.Fatal(err)
		}
		verifier, _ := token.NewVerifier(examKey, resultKey, clock)
		objects := &filing{memObjects: memObjects{}}
		obj := resultfiling.Object{Bucket: bucket, Key: key, ExamToken: examTok, ResultToken: resultTok}
		if examTok == "" || resultTok == "" {
			obj.TokenProblem = s3results.ErrNoTokens // as s3results.Store reads it
		}
		objects.memObjects[key] = obj
		p := resultfiling.Processor{Bucket: bucket, Objects: objects, Folders: resultfiling.DefaultFolders, Now: clock,
			Finish: exam.Finish{Tokens: verifier, Exams: store, Patients: patients, Notifier: notifier, Now: clock, NewID: fakes.NewID, Observer: telemetry.Observer{}}}
		if err := s3event.Handler(p.Process)(ctx, ev); err != nil {
			t.Fatalf("Handle: %v", err)
		}
		if !strings.HasPrefix(key, "completed/") || strings.HasSuffix(key, "/") {
			if len(objects.moves) != 0 {
				t.Fatalf("key %q outside completed/ or a folder marker filed as %q", encodedKey, objects.moves)
			}
		} else {
			checkFiled(t, objects.moves, key, examTok, resultTok, store)
			if f := objects.filings[0]; !strings.HasPrefix(f.Key, string(f.Reason.Outcome())+"/") || !slices.Contains(resultfiling.Reasons, f.Reason) {
				t.Fatalf("key %q filed at %q for %q", key, f.Key, f.Reason)
			}
		}
		logtest.CheckLines(t, buf, append(apitest.PersonalData(), "%", signature(examTok), signature(resultTok)))
	})
}

// checkFiled holds the moves of one object with key against the outcome rules.
func checkFiled(t *testing.T, moves []string, key, examTok, resultTok string, store *memstore.Store) {
	t.Helper()
	if len(moves) != 1 {
		t.Fatalf("key %q moved %d times: %q", key, len(moves), moves)
	}
	outcome, rest, _ := strings.Cut(moves[0], "/")
	if rest != month+"/"+path.Base(key) || !slices.Contains([]resultfiling.Outcome{resultfiling.Processed, resultfiling.Stuck, resultfiling.Denied, resultfiling.Deleted}, resultfiling.Outcome(outcome)) {
		t.Fatalf("key %q filed as %q", key, moves[0])
	}
	e, _ := store.Get(context.Background(), fuzzExamID)
	processed := resultfiling.Outcome(outcome) == resultfiling.Processed
	asSigned := tokentest.SignedAsIs(examKey, examTok) && tokentest.SignedAsIs(resultKey, resultTok)
	if processed != (e.Status == exam.StatusFinished) || processed && (!asSigned || e.ResultRef != exam.ResultRef(resultTok)) {
		t.Fatalf("filed as %s with the exam %s: tokens %q, %q", outcome, e.Status, examTok, resultTok)
	}
}

// signature is the last part of a token when long enough to be told apart
// from a log line's fixed text; "" otherwise.
func signature(tok string) string {
	sig := tok[strings.LastIndex(tok, ".")+1:]
	if len(sig) < 20 {
		return ""
	}
	return sig
}
