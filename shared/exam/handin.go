package exam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DocumentType is a type a result brought on paper can be handed in as: the
// types process-result reads tokens from.
type DocumentType string

// The document types a hand-in accepts.
const (
	DocumentPDF  DocumentType = "application/pdf"
	DocumentJPEG DocumentType = "image/jpeg"
	DocumentPNG  DocumentType = "image/png"
)

// Ext is the file extension of an upload of type t.
func (t DocumentType) Ext() string {
	switch t {
	case DocumentPDF:
		return ".pdf"
	case DocumentJPEG:
		return ".jpg"
	}
	return ".png"
}

// ParseDocumentType is the document type a content type names (its case
// ignored, no parameters), or ErrUnsupportedDocumentType.
func ParseDocumentType(contentType string) (DocumentType, error) {
	switch t := DocumentType(strings.ToLower(contentType)); t {
	case DocumentPDF, DocumentJPEG, DocumentPNG:
		return t, nil
	}
	return "", ErrUnsupportedDocumentType
}

// MaxHandInSize is the largest document a hand-in takes: the largest that
// process-result reads.
const MaxHandInSize int64 = 50 << 20

// Errors of a hand-in.
var (
	// ErrUnsupportedDocumentType: a document that is neither a PDF, a JPEG nor a PNG.
	ErrUnsupportedDocumentType = errors.New("document type is not PDF, JPEG or PNG")
	// ErrTooLarge: a payload over its limit.
	ErrTooLarge = errors.New("payload too large")
	// ErrDocumentTooLarge: a hand-in declared larger than MaxHandInSize.
	ErrDocumentTooLarge error = &RequestError{Kind: ErrTooLarge, Message: fmt.Sprintf("size must be at most %d bytes (50 MiB)", MaxHandInSize)}
)

// UploadForm is an upload the browser makes straight to the results bucket:
// a form POST to URL with Fields (the file last), valid until ExpiresAt, that
// writes exactly Key with the declared type and size.
type UploadForm struct {
	URL       string
	Fields    map[string]string
	Key       string
	ExpiresAt time.Time
}

// UploadState is where a handed-in upload is: waiting in the completed
// folder (or not received yet), or the folder processing filed it under.
type UploadState string

// Upload states.
const (
	UploadWaiting   UploadState = "waiting"
	UploadProcessed UploadState = "processed"
	UploadStuck     UploadState = "stuck"
	UploadDenied    UploadState = "denied"
	UploadDeleted   UploadState = "deleted"
)

// NotReceived is the reason of a waiting upload that the bucket does not hold yet.
const NotReceived = "not_received"

// UploadOutcome is where a hand-in's upload is and why (the filing's reason;
// NotReceived or "" while waiting).
type UploadOutcome struct {
	State  UploadState
	Reason string
}

// UploadForms makes the forms of hand-ins (shared/handin in production).
type UploadForms interface {
	// NewUpload returns a form that uploads one document of type t and
	// exactly size bytes to a new key naming examID.
	NewUpload(ctx context.Context, examID string, t DocumentType, size int64) (UploadForm, error)
}

// UploadOutcomes finds where hand-ins were filed (shared/handin in production).
type UploadOutcomes interface {
	// Outcome says where the upload at key is. A key that is not one of
	// examID's hand-in keys is a *RequestError, refused before any call.
	Outcome(ctx context.Context, examID, key string) (UploadOutcome, error)
}

// HandIn hands in a result brought on paper: for a Started exam of the
// patient, it returns a form with which the attendant's browser uploads the
// scanned or photographed document to the results bucket, where processing
// takes it as any other upload.
type HandIn struct {
	Patients PatientFinder
	Exams    Getter
	Forms    UploadForms
}

// Run checks the request, then that examID is a Started exam of the active
// patient with document, and returns the exam and an upload form for it.
func (h HandIn) Run(ctx context.Context, by Actor, document, examID, contentType string, size int64) (Exam, UploadForm, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, UploadForm{}, err
	}
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, UploadForm{}, err
	}
	if err := validateExamID(examID); err != nil {
		return Exam{}, UploadForm{}, err
	}
	t, err := ParseDocumentType(contentType)
	if err != nil {
		return Exam{}, UploadForm{}, err
	}
	switch {
	case size < 1:
		return Exam{}, UploadForm{}, InvalidRequest("size must be a whole number of bytes, at least 1")
	case size > MaxHandInSize:
		return Exam{}, UploadForm{}, ErrDocumentTooLarge
	}
	p, err := findActivePatient(ctx, h.Patients, document)
	if err != nil {
		return Exam{}, UploadForm{}, err
	}
	e, err := patientsExam(ctx, h.Exams, p.ID, examID)
	if err != nil {
		return Exam{}, UploadForm{}, err
	}
	if e.Status != StatusStarted {
		return e, UploadForm{}, fmt.Errorf("%w: a result is handed in for a started exam only", ErrInvalidTransition)
	}
	form, err := h.Forms.NewUpload(ctx, e.ID, t, size)
	if err != nil {
		return e, UploadForm{}, err
	}
	return e, form, nil
}

// HandInOutcome says where a hand-in's upload was filed and why.
type HandInOutcome struct {
	Patients PatientFinder
	Exams    Getter
	Outcomes UploadOutcomes
}

// Run checks that examID is an exam of the patient with document (in any
// status: the upload may have finished it) and looks key up among its hand-ins.
func (h HandInOutcome) Run(ctx context.Context, by Actor, document, examID, key string) (Exam, UploadOutcome, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, UploadOutcome{}, err
	}
	if _, err := normalizeDocument(document); err != nil {
		return Exam{}, UploadOutcome{}, err
	}
	if err := validateExamID(examID); err != nil {
		return Exam{}, UploadOutcome{}, err
	}
	if key == "" {
		return Exam{}, UploadOutcome{}, InvalidRequest("key must be the key result-upload answered")
	}
	p, err := findPatient(ctx, h.Patients, document)
	if err != nil {
		return Exam{}, UploadOutcome{}, err
	}
	e, err := patientsExam(ctx, h.Exams, p.ID, examID)
	if err != nil {
		return Exam{}, UploadOutcome{}, err
	}
	out, err := h.Outcomes.Outcome(ctx, e.ID, key)
	if err != nil {
		return e, UploadOutcome{}, err
	}
	return e, out, nil
}

// patientsExam reads the exam examID of the patient patientID; another
// patient's exam is ErrExamNotFound, as a missing one: its existence is not
// told.
func patientsExam(ctx context.Context, exams Getter, patientID, examID string) (Exam, error) {
	e, err := exams.Get(ctx, examID)
	if err != nil {
		return Exam{}, err
	}
	if e.PatientID != patientID {
		return Exam{}, ErrExamNotFound
	}
	return e, nil
}
