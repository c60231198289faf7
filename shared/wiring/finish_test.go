package wiring

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/telemetry"
)

// TestNotifierServesEveryChannel: a channel the domain may choose has a
// production adapter, and the notifier routes no channel the domain never chooses.
func TestNotifierServesEveryChannel(t *testing.T) {
	n := Notifier(aws.Config{Region: "sa-east-1"}, "resultados@zmed.example")
	for _, ch := range exam.Channels {
		if n[ch] == nil {
			t.Errorf("no production notifier for channel %q", ch)
		}
	}
	if len(n) != len(exam.Channels) {
		t.Errorf("%d notifiers for %d channels", len(n), len(exam.Channels))
	}
}

// TestFinishRunsAsInProduction: whichever host assembles the finish, it runs
// with the real clock, fresh claim ids and the production observer.
func TestFinishRunsAsInProduction(t *testing.T) {
	f := Finish(FinishPorts{})
	if f.Now == nil || f.NewID == nil {
		t.Fatal("the finish has no clock or no id source")
	}
	if _, ok := f.Observer.(telemetry.Observer); !ok {
		t.Errorf("observer %T, want telemetry.Observer", f.Observer)
	}
}
