package dynamostore

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/dynamosize"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// operations records the DynamoDB operations a client makes, once each
// whatever its retries.
type operations struct {
	mu    sync.Mutex
	names []string
}

func (o *operations) take() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	names := o.names
	o.names = nil
	return names
}

func (o *operations) option(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("record", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		o.mu.Lock()
		o.names = append(o.names, middleware.GetOperationName(ctx))
		o.mu.Unlock()
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

// emulatorURLs start each DynamoDB emulator for a test and give its endpoint.
var emulatorURLs = map[string]func(t *testing.T) string{
	"minidyn": func(t *testing.T) string {
		srv, err := emulators.Serve("127.0.0.1:0", emulators.DynamoDB())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = srv.Close() })
		return srv.URL
	},
	"moto": func(t *testing.T) string { return mototest.Start(t).URL },
}

// Backends of eachBackend.
var (
	bothBackends = []string{"minidyn", "moto"}
	// minidyn v0.8.2 loses another item's entry of a sparse index when an
	// UpdateItem gives an item the index key it lacked (its index.updateData
	// overwrites the entry the empty old key sorts to): the tests of items
	// stored before the worklist index run on moto (docs/testing.md, where
	// the emulators differ from AWS).
	motoOnly = []string{"moto"}
)

// eachBackend runs f against a fresh table on each of backends, with a
// client whose operations are recorded.
func eachBackend(t *testing.T, names []string, f func(t *testing.T, s *Store, db *dynamodb.Client, table string, ops *operations)) {
	for _, name := range names {
		t.Run("backend="+name, func(t *testing.T) {
			ops := &operations{}
			cfg := emulators.Config(emulatorURLs[name](t))
			cfg.APIOptions = append(cfg.APIOptions, ops.option)
			db := dynamodb.NewFromConfig(cfg)
			table := "exams-" + uuid.NewString()[:8]
			if err := CreateTable(context.Background(), db, table); err != nil {
				t.Fatal(err)
			}
			ops.take()
			f(t, New(db, table), db, table, ops)
		})
	}
}

// TestWorklistPageIsOneQuery: each page, the first, a full one and the last,
// is one Query on the worklist index, and nothing else.
func TestWorklistPageIsOneQuery(t *testing.T) {
	eachBackend(t, bothBackends, func(t *testing.T, s *Store, _ *dynamodb.Client, _ string, ops *operations) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
		for i := range 5 {
			e := exam.Exam{ID: uuid.NewString(), PatientID: "p-1", PatientDocument: "52998224725", PatientName: "Maria da Silva",
				Type: 1, Status: exam.StatusRegistered, CreatedAt: at.Add(time.Duration(i) * time.Minute), UpdatedAt: at}
			if err := s.Create(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		ops.take()
		var after *exam.QueuePosition
		total := 0
		for page := 1; page <= 5; page++ {
			p, err := s.ListByStatus(ctx, exam.StatusRegistered, at, 2, after)
			if err != nil {
				t.Fatal(err)
			}
			if got := ops.take(); !slices.Equal(got, []string{"Query"}) {
				t.Fatalf("page %d made %v, want one Query", page, got)
			}
			total += len(p.Exams)
			if p.Next == nil {
				break
			}
			after = p.Next
		}
		if total != 5 {
			t.Fatalf("%d exams listed, want 5", total)
		}
	})
}

// TestWorklistOfItemsStoredBeforeIt: an item stored before the worklist index
// existed (no status_at) is in no worklist, and enters one with its next
// transition, whose write adds the key.
func TestWorklistOfItemsStoredBeforeIt(t *testing.T) {
	eachBackend(t, motoOnly, func(t *testing.T, s *Store, db *dynamodb.Client, table string, _ *operations) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
		e := exam.Exam{ID: uuid.NewString(), PatientID: "p-1", PatientDocument: "52998224725", Type: 1,
			Status: exam.StatusRegistered, CreatedAt: at, UpdatedAt: at}
		old := toItem(e)
		delete(old, attrStatusAt)
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: old}); err != nil {
			t.Fatal(err)
		}
		if p, err := s.ListByStatus(ctx, exam.StatusRegistered, at, 10, nil); err != nil || len(p.Exams) != 0 {
			t.Fatalf("Registered worklist: %+v, %v; want none", p, err)
		}
		start := exam.Transition{ExamID: e.ID, PatientID: e.PatientID, From: []exam.Status{exam.StatusRegistered},
			To: exam.StatusStarted, At: at.Add(time.Minute), By: exam.ProcessResultActor}
		if _, err := s.Transition(ctx, start); err != nil {
			t.Fatal(err)
		}
		p, err := s.ListByStatus(ctx, exam.StatusStarted, at, 10, nil)
		if err != nil || len(p.Exams) != 1 || p.Exams[0].ID != e.ID || p.Exams[0].PatientName != "" {
			t.Fatalf("Started worklist: %+v, %v; want the exam, without a name", p, err)
		}
	})
}

// TestWorklistItemSize measures what the worklist index stores and a page
// reads: a finished exam with three history entries and a long name, as the
// table holds it and as the index projects it. The figures are in
// docs/architecture.md (the worklist index).
func TestWorklistItemSize(t *testing.T) {
	at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
	attendant := exam.Actor{Kind: exam.ActorAttendant, ID: "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70", Name: "ana.souza"}
	e := exam.Exam{ID: uuid.NewString(), PatientID: uuid.NewString(), PatientDocument: "52998224725",
		PatientName: strings.Repeat("Conceição ", 6), Type: 1, Status: exam.StatusFinished,
		CreatedAt: at, UpdatedAt: at, StartedAt: at, FinishedAt: at, ResultRef: strings.Repeat("r", 43),
		Notification: exam.Notification{Status: exam.NotificationSent, Channel: exam.ChannelSMS, At: at},
		History: []exam.HistoryEntry{{Status: exam.StatusRegistered, At: at, By: attendant},
			{Status: exam.StatusStarted, At: at, By: attendant}, {Status: exam.StatusFinished, At: at, By: exam.ProcessResultActor}}}
	full := toItem(e)
	full[attrWriteID] = str(strings.Repeat("w", 26))
	projected := map[string]types.AttributeValue{}
	for _, name := range append([]string{attrExamID, attrStatus, attrStatusAt}, WorklistProjection...) {
		if v, ok := full[name]; ok {
			projected[name] = v
		}
	}
	table, index := dynamosize.ItemSize(full), dynamosize.ItemSize(projected)
	t.Logf("a finished exam: %d bytes in the table, %d in the worklist index (+100 bytes of index overhead)", table, index)
	// Under 1 KB: a page of 100 reads at most 100 KB, 13 read units
	// (eventually consistent, 4 KB each, half a unit).
	if index >= 1000 || index >= table {
		t.Fatalf("the worklist index holds %d bytes of a %d-byte item", index, table)
	}
}

// TestBackfillWorklist: the exams stored before the index, in every status,
// enter their worklists at the time they entered their status; a second run
// keys nothing; an exam that moved since the scan keeps its transition's key.
func TestBackfillWorklist(t *testing.T) {
	eachBackend(t, motoOnly, func(t *testing.T, s *Store, db *dynamodb.Client, table string, _ *operations) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 13, 0, 0, 0, time.UTC)
		legacy := func(status exam.Status, entered time.Time) exam.Exam {
			e := exam.Exam{ID: uuid.NewString(), PatientID: "p-1", PatientDocument: "52998224725", Type: 1,
				Status: status, CreatedAt: at, UpdatedAt: entered}
			switch status {
			case exam.StatusStarted:
				e.StartedAt = entered
			case exam.StatusFinished:
				e.StartedAt, e.FinishedAt = at, entered
			case exam.StatusRevoked:
				e.RevokedAt = entered
			}
			it := toItem(e)
			delete(it, attrStatusAt)
			if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: it}); err != nil {
				t.Fatal(err)
			}
			return e
		}
		registered := legacy(exam.StatusRegistered, at)
		startedLate := legacy(exam.StatusStarted, at.Add(2*time.Hour))
		startedEarly := legacy(exam.StatusStarted, at.Add(time.Hour))
		finished := legacy(exam.StatusFinished, at.Add(3*time.Hour))
		revoked := legacy(exam.StatusRevoked, at.Add(4*time.Hour))
		current := exam.Exam{ID: uuid.NewString(), PatientID: "p-2", Type: 1, Status: exam.StatusStarted,
			CreatedAt: at, UpdatedAt: at.Add(90 * time.Minute), StartedAt: at.Add(90 * time.Minute)}
		if err := s.Create(ctx, current); err != nil {
			t.Fatal(err)
		}
		n, err := BackfillWorklist(ctx, db, table)
		if err != nil || n != 5 {
			t.Fatalf("backfill keyed %d, %v; want the 5 items without a key", n, err)
		}
		for status, want := range map[exam.Status][]string{
			exam.StatusRegistered: {registered.ID},
			exam.StatusStarted:    {startedEarly.ID, current.ID, startedLate.ID},
			exam.StatusFinished:   {finished.ID},
			exam.StatusRevoked:    {revoked.ID},
		} {
			p, err := s.ListByStatus(ctx, status, at, 10, nil)
			var got []string
			for _, e := range p.Exams {
				got = append(got, e.ID)
			}
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("%s worklist after the backfill: %v, %v; want %v", status, got, err, want)
			}
		}
		if n, err := BackfillWorklist(ctx, db, table); err != nil || n != 0 {
			t.Fatalf("a second backfill keyed %d, %v; want none", n, err)
		}
		// The scan read it without a key, a transition keyed it since: the
		// backfill's condition leaves the transition's key.
		moved := legacy(exam.StatusRegistered, at)
		scanned := toItem(moved)
		if _, err := s.Transition(ctx, exam.Transition{ExamID: moved.ID, PatientID: moved.PatientID, From: []exam.Status{exam.StatusRegistered},
			To: exam.StatusStarted, At: at.Add(5 * time.Hour), By: exam.ProcessResultActor}); err != nil {
			t.Fatal(err)
		}
		if ok, err := backfillOne(ctx, db, table, scanned); ok || err != nil {
			t.Fatalf("backfill of an exam moved since the scan: %v, %v; want left alone", ok, err)
		}
		p, _ := s.ListByStatus(ctx, exam.StatusStarted, at.Add(5*time.Hour), 10, nil)
		if len(p.Exams) != 1 || p.Exams[0].ID != moved.ID {
			t.Fatalf("the moved exam is not queued at its start: %+v", p.Exams)
		}
	})
}
