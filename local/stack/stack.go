// Package stack is the local stack: the whole system on loopback with only Go.
// The HTTP API runs the Lambdas' own handlers through API Gateway v2 events;
// the real DynamoDB and S3 adapters talk to embedded DynamoDB- and
// S3-protocol endpoints; an upload under completed/ invokes process-result
// asynchronously with a real S3 event; a patient manager serves a fixture file;
// notifications go to an outbox file and the console.
package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"
	"github.com/johannesboyne/gofakes3"

	"github.com/zmed/exam-manager/local/authorizer"
	"github.com/zmed/exam-manager/local/s3post"
	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/handin"
	"github.com/zmed/exam-manager/shared/handin/s3handin"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/reconcile"
	"github.com/zmed/exam-manager/shared/reconcile/invoke"
	"github.com/zmed/exam-manager/shared/reconcile/s3list"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
	"github.com/zmed/exam-manager/shared/wiring"
	"github.com/zmed/exam-manager/shared/wiring/processresult"
	"github.com/zmed/exam-manager/shared/wiring/reconcileresults"
)

// Stack is a running local stack.
type Stack struct {
	APIURL, S3URL, DynamoDBURL, PatientsURL string
	NotificationsURL                        string // "" unless Config.NotificationsAddr is set
	// OpsURL serves the on-failure queue (SQS), process-result (Lambda Invoke),
	// and SNS Publish and SES SendEmail into the outbox (the operator's notify).
	OpsURL    string
	Store     *dynamostore.Store
	S3Backend gofakes3.Backend
	Patients  []PatientRecord
	Config    Config

	api     *emulators.Server
	servers []*emulators.Server // the endpoints
	invoker *asyncInvoker

	failures    *queue
	origin      atomic.Pointer[string] // the console's origin, once the API listens
	patientsOut atomic.Bool            // the patient manager answers 503 (an outage)
	reconciler  reconcile.Reconciler
	reconcileMu sync.Mutex
	schedule    *scheduler
}

// Start starts every part; on error, whatever had started is stopped.
func Start(ctx context.Context, c Config, console io.Writer) (_ *Stack, err error) {
	s := &Stack{Config: c}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	records, err := LoadPatients(c.PatientsFile)
	if err != nil {
		return nil, err
	}
	s.Patients = records

	// DynamoDB endpoint and the exam table.
	if s.DynamoDBURL, err = s.serve(c.DynamoDBAddr, emulators.DynamoDB()); err != nil {
		return nil, listenError("dynamodb endpoint", DynamoDBAddrVar, c.DynamoDBAddr, err)
	}
	db := dynamodb.NewFromConfig(emulators.Config(s.DynamoDBURL))
	if err := dynamostore.CreateTable(ctx, db, c.Table); err != nil {
		return nil, err
	}

	// Patient manager.
	if s.PatientsURL, err = s.serve(c.PatientsAddr, outage{&s.patientsOut, PatientManager(records)}); err != nil {
		return nil, listenError("patient manager", PatientsAddrVar, c.PatientsAddr, err)
	}

	// The production use cases and adapters.
	outbox, err := NewOutbox(c.OutboxFile, console)
	if err != nil {
		return nil, err
	}
	if c.NotificationsAddr != "" {
		if s.NotificationsURL, err = s.serve(c.NotificationsAddr, notificationsEndpoint(outbox)); err != nil {
			return nil, fmt.Errorf("notifications endpoint: %w", err)
		}
	}
	issuer, err := token.NewIssuer(c.ExamKey, token.DefaultExamTokenTTL, time.Now)
	if err != nil {
		return nil, err
	}
	verifier, err := token.NewVerifier(c.ExamKey, c.ResultKey, time.Now)
	if err != nil {
		return nil, err
	}
	patients := patient.New(s.PatientsURL, &http.Client{}, patient.DefaultTimeout)
	store := dynamostore.New(db, c.Table)
	s.Store = store
	var notifier exam.Notifier = outbox
	if c.Notifier == "aws" {
		cfg, err := awsenv.FromEnv()
		if err != nil {
			return nil, fmt.Errorf("aws notifier: %w", err)
		}
		notifier = wiring.Notifier(cfg, c.EmailSender)
	}
	finish := wiring.Finish(wiring.FinishPorts{Tokens: verifier, Exams: store, Patients: patients, Notifier: notifier})

	// S3 endpoint, the results bucket and its event notification to process-result.
	s3Handler, backend := emulators.S3()
	s.S3Backend = backend
	if err := backend.CreateBucket(c.Bucket); err != nil {
		return nil, fmt.Errorf("results bucket: %w", err)
	}
	// Versioned, as template.yaml's bucket: processing files exactly the version its event names.
	if err := backend.SetVersioningConfiguration(c.Bucket, gofakes3.VersioningConfiguration{Status: gofakes3.VersioningEnabled}); err != nil {
		return nil, fmt.Errorf("results bucket: %w", err)
	}
	notifications := &s3Notifications{next: s3Handler, backend: backend, bucket: c.Bucket, prefix: c.Folders.Completed + "/"}
	// Browser uploads (hand-ins) with their POST policy checked, as S3 does and the fake does not; the
	// bucket's CORS rule lets the console's origin (the API's, known once it listens) post.
	forms := s3post.Handler{Next: notifications, Now: time.Now, Origin: s.consoleOrigin,
		Credentials: s3post.Credentials{AccessKeyID: emulators.AccessKeyID, SecretAccessKey: emulators.SecretAccessKey, Region: emulators.Region}}
	if s.S3URL, err = s.serve(c.S3Addr, forms); err != nil {
		return nil, listenError("s3 endpoint", S3AddrVar, c.S3Addr, err)
	}
	s3Client := s3.NewFromConfig(emulators.Config(s.S3URL), func(o *s3.Options) { o.UsePathStyle = true })
	s.invoker = &asyncInvoker{
		handler: s3event.Handler(processresult.New(processresult.Ports{
			Bucket: c.Bucket, Folders: c.Folders, Finish: finish,
			Objects: s3results.New(s3Client).ReadingDocuments(processresult.Finder(verifier, c.Codes)),
		}).Process),
		timeout: c.InvokeTimeout, backoff: c.RetryBackoff, retries: 2, stop: make(chan struct{}),
	}
	notifications.deliver = s.invoker.submit
	s.failures = &queue{}
	s.invoker.onFailure = s.failures.failed
	if s.OpsURL, err = s.serve(c.OpsAddr, opsEndpoint{queue: s.failures, process: s.invoker.handler, timeout: c.InvokeTimeout,
		notifications: notificationsEndpoint(outbox)}); err != nil {
		return nil, listenError("operations endpoint (SQS, Lambda)", OpsAddrVar, c.OpsAddr, err)
	}

	// The reconciler, on its schedule, with the production adapters: every version waiting in completed/
	// (ListObjectVersions on the local S3 endpoint) goes to process-result (Invoke on the operations endpoint).
	s.reconciler = reconcileresults.New(reconcileresults.Ports{
		Bucket: c.Bucket, Completed: c.Folders.Completed, MinAge: c.ReconcileMinAge,
		List:    s3list.Lister{S3: s3Client},
		Process: invoke.Processor{Lambda: lambda.NewFromConfig(emulators.Config(s.OpsURL)), Function: resultfiling.Function, Region: emulators.Region},
	})
	s.schedule = &scheduler{period: c.ReconcileEvery, stop: make(chan struct{}), run: func(ctx context.Context) { _, _ = s.Reconcile(ctx) }}
	s.schedule.start()

	// The HTTP API.
	auditLog, err := audit.NewWriter(c.ActorKey)
	if err != nil {
		return nil, err
	}
	routes := httpapi.Handlers(httpapi.Ports{Patients: patients, Exams: store, Cursors: cursor.ForListing(cursor.New(c.CursorKey)), WorklistCursors: cursor.ForWorklist(c.CursorKey), Tokens: issuer, Finish: finish, Now: time.Now, NewID: uuid.NewString,
		Uploads: handin.Forms{Bucket: c.Bucket, Completed: c.Folders.Completed, Now: time.Now,
			Presign: s3handin.Presigner{S3: s3.NewPresignClient(s3Client)}},
		Outcomes: handin.Outcomes{Bucket: c.Bucket, Folders: c.Folders, Now: time.Now, Objects: s3handin.Objects{S3: s3Client}},
		Audit:    auditLog})
	consoleSettings := c.Console
	consoleSettings.ResultsOrigin = s.S3URL
	public, err := mountConsole(routes, consoleSettings)
	if err != nil {
		return nil, err
	}
	auth, err := authorizer.New(c.AttendantKey, time.Now)
	if err != nil {
		return nil, err
	}
	if s.api, err = emulators.Serve(c.APIAddr, apiGateway{routes: routes, public: public, auth: auth, timeout: c.InvokeTimeout}); err != nil {
		return nil, listenError("http api", APIAddrVar, c.APIAddr, err)
	}
	s.APIURL = s.api.URL
	s.origin.Store(&s.APIURL)
	return s, nil
}

func (s *Stack) serve(addr string, h http.Handler) (string, error) {
	srv, err := emulators.Serve(addr, h)
	if err != nil {
		return "", err
	}
	s.servers = append(s.servers, srv)
	return srv.URL, nil
}

// Close stops taking requests on the API, lets running invocations end (they
// still need the endpoints), then stops the endpoints, newest first.
func (s *Stack) Close() error {
	var errs []error
	if s.api != nil {
		errs = append(errs, s.api.Close())
	}
	if s.schedule != nil {
		s.schedule.close()
	}
	if s.invoker != nil {
		s.invoker.close()
	}
	for i := len(s.servers) - 1; i >= 0; i-- {
		errs = append(errs, s.servers[i].Close())
	}
	return errors.Join(errs...)
}

// S3Client returns an S3 client on the local endpoint (for tools and tests).
func (s *Stack) S3Client() *s3.Client {
	return s3.NewFromConfig(emulators.Config(s.S3URL), func(o *s3.Options) { o.UsePathStyle = true })
}

// consoleOrigin is the console's origin (the local API's), "" until it listens.
func (s *Stack) consoleOrigin() string {
	if o := s.origin.Load(); o != nil {
		return *o
	}
	return ""
}

// SetPatientManagerDown makes the patient manager answer 503 to every lookup
// (down is true) or serve again: an outage, for tests and demonstrations.
func (s *Stack) SetPatientManagerDown(down bool) { s.patientsOut.Store(down) }

// FailedEvents is the number of messages in the on-failure queue.
func (s *Stack) FailedEvents() int { return s.failures.Len() }

// outage answers 503 while down is set, else serves next.
type outage struct {
	down *atomic.Bool
	next http.Handler
}

func (o outage) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if o.down.Load() {
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
		return
	}
	o.next.ServeHTTP(w, r)
}
