package resultfiling_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logging"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/testsupport/memstore"
	"github.com/zmed/exam-manager/shared/token"
)

// memObjects is an in-memory stand-in for the S3 result store.
type memObjects map[string]resultfiling.Object

func (m memObjects) Read(_ context.Context, bucket, key, versionID string) (resultfiling.Object, error) {
	obj, ok := m[key]
	if !ok {
		return resultfiling.Object{}, resultfiling.ErrGone
	}
	return obj, nil
}

func (m memObjects) Move(_ context.Context, obj resultfiling.Object, f resultfiling.Filing) (string, error) {
	delete(m, obj.Key)
	return f.Key, nil
}

// BenchmarkProcessResult is the handler with in-memory adapters: one S3 event
// for a started exam, processed to the end (finish, notify, file).
func BenchmarkProcessResult(b *testing.B) {
	prev := slog.Default()
	slog.SetDefault(logging.New(io.Discard, slog.LevelInfo))
	b.Cleanup(func() { slog.SetDefault(prev) })
	clock := fakes.NewClock(epoch)
	store := memstore.New()
	patients := fakes.AllPatients()
	issuer, _ := token.NewIssuer(examKey, time.Hour, clock.Now)
	verifier, _ := token.NewVerifier(examKey, resultKey, clock.Now)
	objects := memObjects{}
	p := resultfiling.Processor{
		Bucket: bucket, Objects: objects, Folders: resultfiling.DefaultFolders, Now: clock.Now,
		Finish: exam.Finish{Tokens: verifier, Exams: store, Patients: patients, Notifier: &fakes.Notifier{}, Now: clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}},
	}
	handle := s3event.Handler(p.Process)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		r, _ := exam.Register{Patients: patients, Exams: store, Now: clock.Now, NewID: fakes.NewID, Observer: telemetry.Observer{}}.Run(ctx, fakes.Attendant, exam.RegisterRequest{Document: fakes.ActiveSMS.Document, Type: 1})
		e := r.Exam
		_, issued, _ := exam.Start{Patients: patients, Exams: store, Tokens: issuer, Now: clock.Now, Observer: telemetry.Observer{}}.Run(ctx, fakes.Attendant, fakes.ActiveSMS.Document, e.ID, 1)
		result, _ := token.MintResultToken(resultKey, e.ID, clock.Now(), time.Hour)
		key := "completed/2026_11/" + e.ID + ".pdf"
		objects[key] = resultfiling.Object{Bucket: bucket, Key: key, ETag: `"etag"`, ExamToken: issued.ExamToken, ResultToken: result}
		ev := s3event.ObjectCreated("us-east-1", bucket, key, "v1", 100, "etag", "01", clock.Now())
		b.StartTimer()
		if err := handle(ctx, ev); err != nil {
			b.Fatal(err)
		}
	}
}
