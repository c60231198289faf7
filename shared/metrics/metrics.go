// Package metrics writes CloudWatch metrics as Embedded Metric Format (EMF)
// inside the JSON log lines the functions already write: CloudWatch Logs
// extracts them, so a metric costs no SDK, no client and no call. A metric is
// an attribute of a log line (Attr) or a line of its own (Emit). It imports no
// AWS package; the domain's facts reach it through shared/telemetry.
//
// Names and dimensions are those of docs/operations.md; Catalog lists them, and the tests, the
// alarms and the dashboard are held to it.
package metrics

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Namespace is the CloudWatch namespace of every metric here.
const Namespace = "ZMED/ExamManager"

// Name is a metric's name.
type Name string

// The metrics (docs/operations.md), and the reconciler's age of the oldest result waiting.
const (
	ResultsFiled             Name = "ResultsFiled"             // Outcome
	ResultsRetried           Name = "ResultsRetried"           // transient failures
	NotificationsSent        Name = "NotificationsSent"        // Channel
	NotificationsUnconfirmed Name = "NotificationsUnconfirmed" //
	NotificationsFailed      Name = "NotificationsFailed"      // Channel: refused for good, or no contact that may be sent to
	ExamsRegistered          Name = "ExamsRegistered"          //
	ExamsStarted             Name = "ExamsStarted"             //
	ExamsRevoked             Name = "ExamsRevoked"             //
	ExamsFinished            Name = "ExamsFinished"            // Path
	PatientManagerLatency    Name = "PatientManagerLatency"    // milliseconds
	OldestCompletedAge       Name = "OldestCompletedAge"       // seconds, by the reconciler
	// Beyond the operations list, each for an alarm of its own (docs/operations.md):
	ResultsUnfileable     Name = "ResultsUnfileable"     // S3 refused for good to file a result even to stuck/ (§7)
	ApiCallsWithoutClaims Name = "ApiCallsWithoutClaims" // an API call arrived without the authorizer's claims (§13)
)

// Unit is a CloudWatch unit.
type Unit string

// Units used here.
const (
	Count        Unit = "Count"
	Milliseconds Unit = "Milliseconds"
	Seconds      Unit = "Seconds"
)

// Definition is what a metric is published with: its unit and the names of
// its dimensions, with the values each may take.
type Definition struct {
	Unit       Unit
	Dimensions map[string][]string
}

// Dimension names. Every metric also carries DimStage, so that two stages
// deployed side by side in one account keep their metrics (and alarms) apart.
const (
	DimStage   = "Stage"
	DimOutcome = "Outcome"
	DimChannel = "Channel"
	DimPath    = "Path"
)

// Paths of ExamsFinished.
const (
	PathAutomatic = "automatic"
	PathManual    = "manual"
)

// Catalog is every metric this system publishes. The dimension values mirror
// the processor's outcomes and the domain's channels; tests hold them equal.
var Catalog = map[Name]Definition{
	ResultsFiled:             {Count, map[string][]string{DimOutcome: {"processed", "stuck", "denied", "deleted"}}},
	ResultsRetried:           {Count, nil},
	NotificationsSent:        {Count, map[string][]string{DimChannel: {"sms", "email"}}},
	NotificationsUnconfirmed: {Count, nil},
	NotificationsFailed:      {Count, map[string][]string{DimChannel: {"sms", "email"}}},
	ExamsRegistered:          {Count, nil},
	ExamsStarted:             {Count, nil},
	ExamsRevoked:             {Count, nil},
	ExamsFinished:            {Count, map[string][]string{DimPath: {PathAutomatic, PathManual}}},
	PatientManagerLatency:    {Milliseconds, nil},
	OldestCompletedAge:       {Seconds, nil},
	ResultsUnfileable:        {Count, nil},
	ApiCallsWithoutClaims:    {Count, nil},
}

// Dimension is one dimension's value.
type Dimension struct{ Name, Value string }

// Metric is one value of one metric.
type Metric struct {
	Name       Name
	Value      float64
	Dimensions []Dimension
}

// One counts one occurrence of name.
func One(name Name, dims ...Dimension) Metric {
	return Metric{Name: name, Value: 1, Dimensions: dims}
}

// Duration is d for a metric in Milliseconds or Seconds (by its Catalog unit).
func Duration(name Name, d time.Duration) Metric {
	v := float64(d) / float64(time.Millisecond)
	if Catalog[name].Unit == Seconds {
		v = d.Seconds()
	}
	return Metric{Name: name, Value: v}
}

// now is the EMF timestamp's clock.
var now = time.Now

// StageVar names the stage (template.yaml sets it from its Stage parameter).
const StageVar = "ZMED_STAGE"

// DefaultStage is the stage of metrics written outside AWS (the local stack, tests).
const DefaultStage = "local"

var stage atomic.Value // string

// SetStage sets the stage every metric carries, once per cold start; "" keeps DefaultStage.
func SetStage(s string) {
	if s != "" {
		stage.Store(s)
	}
}

func currentStage() string {
	if s, ok := stage.Load().(string); ok {
		return s
	}
	return DefaultStage
}

// Attr is m as EMF members inlined into a log line (an attribute with an empty
// key: slog's JSON handler writes its members at the top level). One line
// carries at most one metric: EMF has one _aws member per line.
func (m Metric) Attr() slog.Attr {
	// One dimension set: the stage and the metric's own dimensions, which
	// the alarms and the dashboard read so that two stages never mix. (A
	// second set without the stage would double the custom metrics billed
	// each month and mix the stages: docs/cost.md.)
	dims := make([]string, 0, 1+len(m.Dimensions))
	attrs := make([]any, 0, 3+len(m.Dimensions))
	for _, d := range append([]Dimension{{DimStage, currentStage()}}, m.Dimensions...) {
		dims = append(dims, d.Name)
		attrs = append(attrs, slog.String(d.Name, d.Value))
	}
	unit := Catalog[m.Name].Unit
	if unit == "" {
		unit = Count
	}
	directive := map[string]any{
		"Timestamp": now().UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace":  Namespace,
			"Dimensions": [][]string{dims},
			"Metrics":    []any{map[string]string{"Name": string(m.Name), "Unit": string(unit)}},
		}},
	}
	attrs = append(attrs, slog.Any("_aws", directive), slog.Float64(string(m.Name), m.Value))
	return slog.Group("", attrs...)
}

// Emit writes m on a line of its own, for a fact no other line reports.
func Emit(ctx context.Context, m Metric) {
	slog.InfoContext(ctx, "metric", m.Attr())
}
