package reconcile_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type listing []reconcile.Entry

func (l listing) ListVersions(_ context.Context, bucket, prefix string, each func(reconcile.Entry) error) error {
	if bucket != "results" || prefix != "completed/" {
		return errors.New("wrong bucket or prefix")
	}
	for _, e := range l {
		if err := each(e); err != nil {
			return err
		}
	}
	return nil
}

type failingList struct{}

func (failingList) ListVersions(context.Context, string, string, func(reconcile.Entry) error) error {
	return errors.New("s3 unavailable")
}

// recorder processes versions, failing those named in fail.
type recorder struct {
	got  []string
	fail map[string]bool
}

func (r *recorder) Process(_ context.Context, bucket string, v reconcile.Entry) error {
	r.got = append(r.got, v.Key+"@"+v.VersionID)
	if r.fail[v.VersionID] {
		return errors.New("patient manager unavailable")
	}
	return nil
}

func entry(key, version string, age time.Duration) reconcile.Entry {
	return reconcile.Entry{Key: key, VersionID: version, LastModified: now.Add(-age)}
}

func marker(key string, age time.Duration) reconcile.Entry {
	e := entry(key, "m", age)
	e.DeleteMarker = true
	return e
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		list      listing
		fail      map[string]bool
		processed []string
		report    reconcile.Report
	}{
		{name: "an empty folder", report: reconcile.Report{}},
		{
			name: "old versions processed, each version of a key its own result, young ones left to their event",
			list: listing{
				entry("completed/2026_11/a.pdf", "a2", 10*time.Minute),
				entry("completed/2026_11/a.pdf", "a1", 40*time.Minute),
				entry("completed/2026_11/b.pdf", "b1", 2*time.Minute),
			},
			processed: []string{"completed/2026_11/a.pdf@a2", "completed/2026_11/a.pdf@a1"},
			report:    reconcile.Report{Seen: 3, Processed: 2, Young: 1, Oldest: 40 * time.Minute},
		},
		{
			name: "folder markers and versions behind a delete marker are not results",
			list: listing{
				entry("completed/", "f", time.Hour),
				entry("completed/2026_11/", "g", time.Hour),
				entry("completed/2026_11/c.pdf", "c3", 6*time.Minute),
				marker("completed/2026_11/c.pdf", 7*time.Minute),
				entry("completed/2026_11/c.pdf", "c1", 8*time.Minute),
				marker("completed/2026_11/d.pdf", 7*time.Minute),
				entry("completed/2026_11/d.pdf", "d1", 9*time.Hour),
			},
			processed: []string{"completed/2026_11/c.pdf@c3"},
			report:    reconcile.Report{Seen: 1, Processed: 1, Oldest: 6 * time.Minute},
		},
		{
			name: "a failure does not stop the run",
			list: listing{
				entry("completed/2026_11/e.pdf", "e1", 31*time.Minute),
				entry("completed/2026_11/f.pdf", "f1", 6*time.Minute),
			},
			fail:      map[string]bool{"e1": true},
			processed: []string{"completed/2026_11/e.pdf@e1", "completed/2026_11/f.pdf@f1"},
			report:    reconcile.Report{Seen: 2, Processed: 1, Failed: 1, Oldest: 31 * time.Minute},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := logtest.Capture(t)
			rec := &recorder{fail: tt.fail}
			r := reconcile.Reconciler{Bucket: "results", Prefix: "completed", MinAge: reconcile.DefaultMinAge,
				List: tt.list, Process: rec, Now: func() time.Time { return now }}
			rep, err := r.Run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if rep != tt.report {
				t.Errorf("report %+v, want %+v", rep, tt.report)
			}
			if !slices.Equal(rec.got, tt.processed) {
				t.Errorf("processed %v, want %v", rec.got, tt.processed)
			}
			points, err := emftest.Read(logs.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if len(points) != 1 || points[0].Name != "OldestCompletedAge" || points[0].Unit != "Seconds" ||
				points[0].Value != tt.report.Oldest.Seconds() {
				t.Errorf("metrics %+v, want OldestCompletedAge = %v s", points, tt.report.Oldest.Seconds())
			}
		})
	}
}

func TestNothingIsStartedNearTheDeadline(t *testing.T) {
	rec := &recorder{}
	r := reconcile.Reconciler{Bucket: "results", Prefix: "completed/", MinAge: time.Minute,
		List: listing{entry("completed/x.pdf", "x", time.Hour)}, Process: rec, Now: func() time.Time { return now }}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rep, err := r.Run(ctx)
	if err != nil || len(rec.got) != 0 || rep.Skipped != 1 {
		t.Fatalf("report %+v, processed %v, %v; want it skipped", rep, rec.got, err)
	}
}

func TestAFailedListingFailsTheRun(t *testing.T) {
	r := reconcile.Reconciler{Bucket: "results", Prefix: "completed", List: failingList{}, Process: &recorder{}, Now: time.Now}
	if _, err := r.Run(context.Background()); err == nil {
		t.Fatal("no error")
	}
}
