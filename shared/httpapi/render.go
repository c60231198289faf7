// Package httpapi holds the API's routes: the endpoint table (endpoints.go),
// one row per route with its handler, which decodes its request, runs its use
// case and renders the result; the Lambdas and the local stack serve the very
// same handlers.
package httpapi

import (
	"time"

	"github.com/zmed/exam-manager/shared/exam"
)

// examView is an exam as the API shows it: never the patient's document, name,
// phone or e-mail, nor the internals of the notification claim.
type examView struct {
	ExamID       string            `json:"exam_id"`
	PatientID    string            `json:"patient_id"`
	ExamType     int               `json:"exam_type"`
	ExamName     string            `json:"exam_name"`
	Status       exam.Status       `json:"status"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
	StartedAt    string            `json:"started_at,omitempty"`
	FinishedAt   string            `json:"finished_at,omitempty"`
	RevokedAt    string            `json:"revoked_at,omitempty"`
	Notification *notificationView `json:"notification,omitempty"`
	History      []historyView     `json:"history"`
}

// historyView is one transition: who (the actor's kind, id and name) and when.
type historyView struct {
	Status exam.Status `json:"status"`
	At     string      `json:"at"`
	By     actorView   `json:"by"`
}

type actorView struct {
	Kind exam.ActorKind `json:"kind"`
	ID   string         `json:"id"`
	Name string         `json:"name,omitempty"`
}

type notificationView struct {
	Channel exam.Channel            `json:"channel,omitempty"`
	Status  exam.NotificationStatus `json:"status"`
	// Code says why a failed notification failed: the provider's error code
	// or invalid_destination.
	Code string `json:"code,omitempty"`
	At   string `json:"at,omitempty"`
}

func render(e exam.Exam) examView {
	v := examView{
		ExamID: e.ID, PatientID: e.PatientID, ExamType: int(e.Type), ExamName: e.Type.Name(),
		Status: e.Status, CreatedAt: timestamp(e.CreatedAt), UpdatedAt: timestamp(e.UpdatedAt),
		StartedAt: timestamp(e.StartedAt), FinishedAt: timestamp(e.FinishedAt), RevokedAt: timestamp(e.RevokedAt),
	}
	if n := e.Notification; n.Status != "" {
		v.Notification = &notificationView{Channel: n.Channel, Status: n.Status, Code: n.Code, At: timestamp(n.At)}
	}
	// Always a list, empty for an exam stored before history was kept.
	v.History = make([]historyView, len(e.History))
	for i, h := range e.History {
		v.History[i] = historyView{Status: h.Status, At: timestamp(h.At), By: actorView{Kind: h.By.Kind, ID: h.By.ID, Name: h.By.Name}}
	}
	return v
}

func renderAll(exams []exam.Exam) []examView {
	views := make([]examView, len(exams))
	for i, e := range exams {
		views[i] = render(e)
	}
	return views
}

func timestamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// worklistItem is an exam in a worklist: the exam as everywhere, and the
// patient it is for, named as the patient manager named them at registration.
type worklistItem struct {
	examView
	Patient patientView `json:"patient"`
}

// patientView names a worklist item's patient. An exam registered before
// names were kept has none: the name is left out.
type patientView struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

func renderWorklist(exams []exam.Exam) []worklistItem {
	items := make([]worklistItem, len(exams))
	for i, e := range exams {
		items[i] = worklistItem{examView: render(e), Patient: patientView{ID: e.PatientID, Name: e.PatientName}}
	}
	return items
}
