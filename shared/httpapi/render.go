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
	ExamNamePT   string            `json:"exam_name_pt"`
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
		ExamID: e.ID, PatientID: e.PatientID, ExamType: int(e.Type), ExamName: e.Type.Name(), ExamNamePT: e.Type.NamePT(),
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

// patientView is a patient as the front desk sees it: whether a result notice
// can reach them, never the number or the address.
type patientView struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Status      exam.PatientStatus `json:"status"`
	BirthDate   string             `json:"birth_date,omitempty"`
	CanRegister bool               `json:"can_register"`
	Contact     contactView        `json:"contact"`
}

type contactView struct {
	SMS   bool `json:"sms"`
	Email bool `json:"email"`
}

func renderPatient(c exam.PatientCard) patientView {
	return patientView{ID: c.ID, Name: c.Name, Status: c.Status, BirthDate: c.BirthDate, CanRegister: c.CanRegister,
		Contact: contactView{SMS: c.SMS, Email: c.Email}}
}

// examTypeView is one exam type of the catalog, with its names.
type examTypeView struct {
	Code   int    `json:"code"`
	Name   string `json:"name"`
	NamePT string `json:"name_pt"`
}

// renderCatalog is the body of GET /exam-types.
func renderCatalog() any {
	types := []examTypeView{}
	for _, t := range exam.Catalog() {
		types = append(types, examTypeView{Code: int(t), Name: t.Name(), NamePT: t.NamePT()})
	}
	return struct {
		ExamTypes []examTypeView `json:"exam_types"`
	}{types}
}

// worklistItem is an exam in a worklist: the exam as everywhere, and the
// patient it is for, named as the patient manager named them at registration.
type worklistItem struct {
	examView
	Patient worklistPatient `json:"patient"`
}

// worklistPatient names a worklist item's patient. An exam registered before
// names were kept has none: the name is left out.
type worklistPatient struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

func renderWorklist(exams []exam.Exam) []worklistItem {
	items := make([]worklistItem, len(exams))
	for i, e := range exams {
		items[i] = worklistItem{examView: render(e), Patient: worklistPatient{ID: e.PatientID, Name: e.PatientName}}
	}
	return items
}
