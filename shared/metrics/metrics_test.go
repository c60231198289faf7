package metrics_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

func TestMetricsAreEMFInTheLogLine(t *testing.T) {
	tests := []struct {
		name   string
		write  func(ctx context.Context)
		want   emftest.Point
		others map[string]any // other members the line keeps
	}{
		{
			name:  "a counter on a line of its own",
			write: func(ctx context.Context) { metrics.Emit(ctx, metrics.One(metrics.ExamsRegistered)) },
			want:  emftest.Point{Namespace: metrics.Namespace, Name: "ExamsRegistered", Unit: "Count", Dimensions: map[string]string{}, Value: 1},
		},
		{
			name: "a counter with a dimension inside an existing line",
			write: func(ctx context.Context) {
				slog.InfoContext(ctx, "result filed", "outcome", "stuck",
					metrics.One(metrics.ResultsFiled, metrics.Dimension{Name: metrics.DimOutcome, Value: "stuck"}).Attr())
			},
			want:   emftest.Point{Namespace: metrics.Namespace, Name: "ResultsFiled", Unit: "Count", Dimensions: map[string]string{"Outcome": "stuck"}, Value: 1},
			others: map[string]any{"msg": "result filed", "outcome": "stuck"},
		},
		{
			name: "a latency in milliseconds",
			write: func(ctx context.Context) {
				metrics.Emit(ctx, metrics.Duration(metrics.PatientManagerLatency, 1500*time.Microsecond))
			},
			want: emftest.Point{Namespace: metrics.Namespace, Name: "PatientManagerLatency", Unit: "Milliseconds", Dimensions: map[string]string{}, Value: 1.5},
		},
		{
			name: "an age in seconds",
			write: func(ctx context.Context) {
				metrics.Emit(ctx, metrics.Duration(metrics.OldestCompletedAge, 90*time.Second))
			},
			want: emftest.Point{Namespace: metrics.Namespace, Name: "OldestCompletedAge", Unit: "Seconds", Dimensions: map[string]string{}, Value: 90},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := logtest.Capture(t)
			ctx := logctx.WithRequestID(context.Background(), "req-1")
			tt.write(ctx)
			raw := logs.Bytes()
			points, err := emftest.Read(raw)
			if err != nil {
				t.Fatal(err)
			}
			if len(points) != 1 {
				t.Fatalf("%d points, want 1: %s", len(points), raw)
			}
			got := points[0]
			if got.Key() != tt.want.Key() || got.Unit != tt.want.Unit || got.Value != tt.want.Value || got.Namespace != tt.want.Namespace ||
				got.Dimensions["Stage"] != metrics.DefaultStage {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			rec := logtest.Records(t, raw)[0]
			if rec["request_id"] != "req-1" {
				t.Errorf("the line lost its request id: %s", raw)
			}
			for k, v := range tt.others {
				if rec[k] != v {
					t.Errorf("%s = %v, want %v: %s", k, rec[k], v, raw)
				}
			}
		})
	}
}

// TestCatalogIsTheDocumentedOne: every metric of docs/operations.md with its dimension.
func TestCatalogIsTheDocumentedOne(t *testing.T) {
	want := map[metrics.Name][]string{
		"ResultsFiled": {"Outcome"}, "ResultsRetried": nil, "NotificationsSent": {"Channel"},
		"NotificationsUnconfirmed": nil, "ExamsRegistered": nil, "ExamsStarted": nil, "ExamsRevoked": nil,
		"ExamsFinished": {"Path"}, "PatientManagerLatency": nil, "OldestCompletedAge": nil,
		// The alarms for a result S3 will not file and for a call without claims.
		"ResultsUnfileable": nil, "ApiCallsWithoutClaims": nil,
		// A notification refused for good, or with no contact that may be sent to.
		"NotificationsFailed": {"Channel"},
	}
	if len(metrics.Catalog) != len(want) {
		t.Errorf("%d metrics in the catalog, want %d", len(metrics.Catalog), len(want))
	}
	for name, dims := range want {
		def, ok := metrics.Catalog[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		var got []string
		for d := range def.Dimensions {
			got = append(got, d)
		}
		if !slices.Equal(got, dims) {
			t.Errorf("%s has dimensions %v, want %v", name, got, dims)
		}
	}
	if metrics.Catalog[metrics.PatientManagerLatency].Unit != metrics.Milliseconds {
		t.Error("PatientManagerLatency is not in milliseconds")
	}
}

// TestDimensionValuesAreTheCodes: the values a dimension may take are the
// processor's outcomes and the domain's channels, no more, no fewer.
func TestDimensionValuesAreTheCodes(t *testing.T) {
	var outcomes, channels []string
	for _, o := range []resultfiling.Outcome{resultfiling.Processed, resultfiling.Stuck, resultfiling.Denied, resultfiling.Deleted} {
		outcomes = append(outcomes, string(o))
	}
	for _, c := range exam.Channels {
		channels = append(channels, string(c))
	}
	for name, want := range map[metrics.Name][]string{metrics.ResultsFiled: outcomes, metrics.NotificationsSent: channels, metrics.NotificationsFailed: channels} {
		for dim, got := range metrics.Catalog[name].Dimensions {
			if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(want))) {
				t.Errorf("%s{%s} takes %v, the code has %v", name, dim, got, want)
			}
		}
	}
}

// TestEveryMetricCarriesItsStage: the stage set at cold start is a dimension
// of every metric, so two stages in one account never mix.
func TestEveryMetricCarriesItsStage(t *testing.T) {
	logs := logtest.Capture(t)
	metrics.SetStage("prod")
	t.Cleanup(func() { metrics.SetStage(metrics.DefaultStage) })
	metrics.Emit(context.Background(), metrics.One(metrics.ResultsFiled, metrics.Dimension{Name: metrics.DimOutcome, Value: "stuck"}))
	points, err := emftest.Read(logs.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(points) != 1 || points[0].Dimensions["Stage"] != "prod" || points[0].Dimensions["Outcome"] != "stuck" {
		t.Fatalf("points %+v, want ResultsFiled{Stage=prod, Outcome=stuck}", points)
	}
	// Published under that one set only (emftest.Read checks it on every
	// line); here, as written.
	var line struct {
		AWS struct {
			CloudWatchMetrics []struct{ Dimensions [][]string }
		} `json:"_aws"`
	}
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatal(err)
	}
	if got := line.AWS.CloudWatchMetrics[0].Dimensions; !reflect.DeepEqual(got, [][]string{{"Stage", "Outcome"}}) {
		t.Fatalf("dimension sets %v, want [[Stage Outcome]]", got)
	}
}
