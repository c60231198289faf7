package telemetry_test

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/telemetry"
	"github.com/zmed/exam-manager/shared/testsupport/emftest"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

const examID = "0b5e6c1e-2f7a-4c1d-9a3e-5d6f7a8b9c0d"

// TestEachEventWritesItsLine: one line per event, at its level, with its
// fields and its metric, naming the exam the context carries.
func TestEachEventWritesItsLine(t *testing.T) {
	var o telemetry.Observer
	claimUntil := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		event  func(context.Context)
		level  string
		msg    string
		fields map[string]any
		metric map[string]float64
	}{
		{"registered", o.ExamRegistered, "INFO", "metric", nil, map[string]float64{"ExamsRegistered{}": 1}},
		{"started", o.ExamStarted, "INFO", "metric", nil, map[string]float64{"ExamsStarted{}": 1}},
		{"revoked", o.ExamRevoked, "INFO", "metric", nil, map[string]float64{"ExamsRevoked{}": 1}},
		{"finished by an attendant", func(ctx context.Context) { o.ExamFinished(ctx, exam.Actor{Kind: exam.ActorAttendant, ID: "ana"}) },
			"INFO", "metric", nil, map[string]float64{"ExamsFinished{Path=manual}": 1}},
		{"finished automatically", func(ctx context.Context) { o.ExamFinished(ctx, exam.ProcessResultActor) },
			"INFO", "metric", nil, map[string]float64{"ExamsFinished{Path=automatic}": 1}},
		{"sent", func(ctx context.Context) { o.NotificationSent(ctx, exam.ChannelEmail) }, "INFO", "patient notified",
			map[string]any{"notification_status": "sent", "channel": "email"}, map[string]float64{"NotificationsSent{Channel=email}": 1}},
		{"skipped", o.NotificationSkipped, "INFO", "patient notified",
			map[string]any{"notification_status": "skipped", "channel": ""}, map[string]float64{}},
		{"unconfirmed", func(ctx context.Context) { o.NotificationUnconfirmed(ctx, exam.ChannelSMS, errors.New("timeout")) }, "ERROR",
			"notification may have been sent, its answer was lost; not sending again, check with the patient",
			map[string]any{"channel": "sms", "error": "timeout"}, map[string]float64{"NotificationsUnconfirmed{}": 1}},
		{"abandoned", func(ctx context.Context) { o.NotificationAbandoned(ctx, claimUntil) }, "ERROR",
			"notification claim expired without a recorded outcome; not sending again, check with the patient",
			map[string]any{"claim_until": "2026-11-02T09:00:00Z"}, map[string]float64{"NotificationsUnconfirmed{}": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs := logtest.Capture(t)
			tt.event(o.ExamIdentified(context.Background(), examID))
			records := logtest.Records(t, logs.Bytes())
			if len(records) != 1 {
				t.Fatalf("%d lines, want 1:\n%s", len(records), logs)
			}
			r := records[0]
			if r["level"] != tt.level || r["msg"] != tt.msg || r["exam_id"] != examID {
				t.Errorf("line %v, want level %s, msg %q, exam_id %s", r, tt.level, tt.msg, examID)
			}
			for k, v := range tt.fields {
				if r[k] != v {
					t.Errorf("%s = %v, want %v", k, r[k], v)
				}
			}
			points, err := emftest.Read(logs.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if got := emftest.Sums(points); !maps.Equal(got, tt.metric) {
				t.Errorf("metrics %v, want %v", got, tt.metric)
			}
		})
	}
}

// TestExamIdentifiedNamesOnlyExamIDs: a value that is not an exam id never reaches a line.
func TestExamIdentifiedNamesOnlyExamIDs(t *testing.T) {
	if id := logctx.ExamID(telemetry.Observer{}.ExamIdentified(context.Background(), "529.982.247-25")); id != "" {
		t.Errorf("exam id %q named", id)
	}
}
