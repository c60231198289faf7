package stack

import (
	"fmt"
	"time"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/console"
	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// Local keys, documented in docs/local.md; each can be overridden by its variable.
const (
	LocalExamKey   = "local-exam-token-key-0123456789abcdef"
	LocalResultKey = "local-result-token-key-0123456789abcdef"
	LocalCursorKey = "local-cursor-key-0123456789abcdef0123"
	LocalActorKey  = "local-actor-pseudonym-key-0123456789abcdef"
)

// The variables that move the stack's endpoints (host:port each). The local
// tools (make register, start, upload) read them too, so that they follow a
// stack that was moved.
const (
	APIAddrVar      = "ZMED_LOCAL_API_ADDR"
	S3AddrVar       = "ZMED_LOCAL_S3_ADDR"
	DynamoDBAddrVar = "ZMED_LOCAL_DYNAMODB_ADDR"
	PatientsAddrVar = "ZMED_LOCAL_PATIENT_MANAGER_ADDR"
	OpsAddrVar      = "ZMED_LOCAL_OPS_ADDR"
)

// Config is the local stack's configuration.
type Config struct {
	APIAddr, S3Addr, DynamoDBAddr, PatientsAddr string
	// OpsAddr serves the on-failure queue (SQS protocol) and Lambda Invoke of process-result.
	OpsAddr string
	// NotificationsAddr, when set, serves an SNS/SES-compatible endpoint that
	// writes to the outbox, for the production adapters (make invoke).
	NotificationsAddr             string
	PatientsFile, OutboxFile      string
	ExamKey, ResultKey, CursorKey []byte
	// ActorKey keys the pseudonyms of attendants whose id is not a UUID in audit lines.
	ActorKey []byte
	// AttendantKey signs the local attendants' bearer tokens (docs/local.md).
	AttendantKey  []byte
	Table, Bucket string
	Folders       resultfiling.Folders
	// InvokeTimeout is each invocation's deadline, as a function timeout.
	InvokeTimeout time.Duration
	// Notifier is "outbox" (the default: a file and the console) or "aws": the
	// production SNS and SES adapters, on the endpoints the SDK's own settings
	// name (AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_SESV2, …), moto included.
	Notifier    string
	EmailSender string
	// RetryBackoff is the wait before the first retry of a failed S3 event (doubled for the second).
	RetryBackoff time.Duration
	// Console is how the console signs in: the local identity unless a test sets it.
	Console console.Settings
	// ReconcileEvery is the reconciler's period; it processes what waits in
	// completed/ for longer than ReconcileMinAge.
	ReconcileEvery, ReconcileMinAge time.Duration
	// Codes finds the QR codes on result documents: process-result's own
	// scanner unless a test sets another; nil reads only PDF information dictionaries.
	Codes document.CodeScanner
}

// ReadConfig reads the local stack's variables; every one has a default.
func ReadConfig(r *config.Reader) (Config, error) {
	c := Config{
		Codes:             qrscan.Scanner{},
		APIAddr:           r.String(APIAddrVar, "127.0.0.1:3000"),
		S3Addr:            r.String(S3AddrVar, "127.0.0.1:4566"),
		DynamoDBAddr:      r.String(DynamoDBAddrVar, "127.0.0.1:4567"),
		PatientsAddr:      r.String(PatientsAddrVar, "127.0.0.1:3001"),
		OpsAddr:           r.String(OpsAddrVar, "127.0.0.1:4569"),
		NotificationsAddr: r.String("ZMED_LOCAL_NOTIFICATIONS_ADDR", ""),
		PatientsFile:      r.String("ZMED_LOCAL_PATIENTS", "local/patients.json"),
		OutboxFile:        r.String("ZMED_LOCAL_OUTBOX", ".local/outbox.jsonl"),
		ExamKey:           []byte(r.String(config.ExamKeyVar, LocalExamKey)),
		ResultKey:         []byte(r.String(config.ResultKeyVar, LocalResultKey)),
		CursorKey:         []byte(r.String(config.CursorKeyVar, LocalCursorKey)),
		ActorKey:          []byte(r.String(config.ActorKeyVar, LocalActorKey)),
		AttendantKey:      []byte(r.String(authorizer.KeyVar, authorizer.DefaultKey)),
		Table:             r.String(config.TableVar, config.DefaultTable),
		InvokeTimeout:     r.Duration("ZMED_LOCAL_INVOKE_TIMEOUT", 60*time.Second),
		RetryBackoff:      r.Duration("ZMED_LOCAL_RETRY_BACKOFF", time.Second),
		ReconcileEvery:    r.Duration("ZMED_LOCAL_RECONCILE_EVERY", time.Minute),
		ReconcileMinAge:   r.Duration("ZMED_LOCAL_RECONCILE_MIN_AGE", 30*time.Second),
		Notifier:          r.String("ZMED_LOCAL_NOTIFIER", "outbox"),
		EmailSender:       r.String(config.EmailSenderVar, "resultados@zmed.example"),
	}
	c.Console = console.Settings{Mode: console.ModeLocal}
	c.Bucket, c.Folders = resultfiling.ReadBucket(r)
	if err := r.Err(); err != nil {
		return Config{}, err
	}
	if c.Notifier != "outbox" && c.Notifier != "aws" {
		return Config{}, fmt.Errorf("ZMED_LOCAL_NOTIFIER must be outbox or aws, got %q", c.Notifier)
	}
	if len(c.AttendantKey) < authorizer.MinKeyBytes {
		return Config{}, fmt.Errorf("%s must be at least %d bytes", authorizer.KeyVar, authorizer.MinKeyBytes)
	}
	if len(c.ActorKey) < audit.MinKeyLen {
		return Config{}, fmt.Errorf("%s must be at least %d bytes", config.ActorKeyVar, audit.MinKeyLen)
	}
	if len(c.CursorKey) < 32 {
		return Config{}, fmt.Errorf("%s must be at least 32 bytes", config.CursorKeyVar)
	}
	return c, nil
}
