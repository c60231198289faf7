package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/apigw"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/cursor"
	"github.com/zmed/exam-manager/shared/dynamostore"
	"github.com/zmed/exam-manager/shared/emulators"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/notify"
	"github.com/zmed/exam-manager/shared/notify/email"
	"github.com/zmed/exam-manager/shared/notify/sms"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/processor"
	"github.com/zmed/exam-manager/shared/results"
	"github.com/zmed/exam-manager/shared/s3event"
	"github.com/zmed/exam-manager/shared/token"
)

// counter counts SDK operations (by service) through a middleware, and
// patient-manager requests through the HTTP client.
type counter struct {
	mu     sync.Mutex
	counts map[string]int
}

func (c *counter) add(what string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts[what]++
}

func (c *counter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	prev := c.counts
	c.counts = map[string]int{}
	return prev
}

// apiOption counts each SDK operation once, whatever its retries.
func (c *counter) apiOption(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("zmed-count", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
		c.add(middleware.GetServiceID(ctx))
		return next.HandleInitialize(ctx, in)
	}), middleware.Before)
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.add("patient manager")
	return http.DefaultTransport.RoundTrip(r)
}

func (c *counter) config(endpoint string) aws.Config {
	cfg := emulators.Config(endpoint)
	cfg.APIOptions = append(cfg.APIOptions, c.apiOption)
	return cfg
}

// callCounts runs each operation once with the production adapters, counted,
// against the local stack's endpoints.
func callCounts(ctx context.Context, work string) error {
	cfg, err := stack.ReadConfig(config.FromMap(map[string]string{
		"ZMED_LOCAL_API_ADDR": "127.0.0.1:0", "ZMED_LOCAL_S3_ADDR": "127.0.0.1:0", "ZMED_LOCAL_DYNAMODB_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_PATIENT_MANAGER_ADDR": "127.0.0.1:0", "ZMED_LOCAL_NOTIFICATIONS_ADDR": "127.0.0.1:0",
		"ZMED_LOCAL_OUTBOX": filepath.Join(work, "calls-outbox.jsonl"),
	}))
	if err != nil {
		return err
	}
	st, err := stack.Start(ctx, cfg, io.Discard)
	if err != nil {
		return err
	}
	defer st.Close()

	c := &counter{counts: map[string]int{}}
	store := dynamostore.New(dynamodb.NewFromConfig(c.config(st.DynamoDBURL)), cfg.Table, cursor.New(cfg.CursorKey))
	patients := patient.New(st.PatientsURL, &http.Client{Transport: c}, patient.DefaultTimeout)
	issuer, _ := token.NewIssuer(cfg.ExamKey, time.Hour, time.Now)
	verifier, _ := token.NewVerifier(cfg.ExamKey, cfg.ResultKey, time.Now)
	finish := exam.Finish{Tokens: verifier, Exams: store, Patients: patients, Now: time.Now, NewID: uuid.NewString,
		Notifier: notify.ByChannel{
			exam.ChannelSMS:   sms.New(sns.NewFromConfig(c.config(st.NotificationsURL))),
			exam.ChannelEmail: email.New(sesv2.NewFromConfig(c.config(st.NotificationsURL)), cfg.EmailSender),
		}}
	s3c := s3.NewFromConfig(c.config(st.S3URL), func(o *s3.Options) { o.UsePathStyle = true })
	// A bucket the stack does not watch, so that only the counted handler processes it.
	const bucket = "zmed-bench-calls"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		return err
	}
	proc := processor.Processor{Bucket: bucket, Objects: results.New(s3c), Finish: finish, Prefixes: processor.DefaultPrefixes(), Now: time.Now}

	const doc = "52998224725"
	handlers := map[string]apigw.Handler{
		"register":    httpapi.Register(exam.Register{Patients: patients, Exams: store, Now: time.Now, NewID: uuid.NewString}),
		"list":        httpapi.List(exam.List{Patients: patients, Exams: store}),
		"start":       httpapi.Start(exam.Start{Patients: patients, Exams: store, Tokens: issuer, Now: time.Now}),
		"revoke":      httpapi.Revoke(exam.Revoke{Patients: patients, Exams: store, Now: time.Now}),
		"communicate": httpapi.Communicate(finish),
	}
	routes := map[string]apigw.Route{"register": httpapi.RegisterRoute, "list": httpapi.ListRoute, "start": httpapi.StartRoute,
		"revoke": httpapi.RevokeRoute, "communicate": httpapi.CommunicateRoute}
	call := func(op, body string, query map[string]string) (string, error) {
		r := routes[op]
		resp, err := handlers[op](ctx, events.APIGatewayV2HTTPRequest{RouteKey: r.String(), RawPath: r.Path, Body: body, QueryStringParameters: query})
		if err != nil || resp.StatusCode >= 300 {
			return "", fmt.Errorf("%s: %d %v %s", op, resp.StatusCode, err, resp.Body)
		}
		return resp.Body, nil
	}
	field := func(body, name string) string {
		_, rest, _ := strings.Cut(body, `"`+name+`":"`)
		v, _, _ := strings.Cut(rest, `"`)
		return v
	}

	type row struct {
		op     string
		counts map[string]int
		budget string
	}
	var rows []row
	measure := func(op, budget string, f func() error) error {
		c.reset()
		if err := f(); err != nil {
			return err
		}
		rows = append(rows, row{op, c.reset(), budget})
		return nil
	}
	var examID, examTok string
	steps := []struct {
		op, budget string
		f          func() error
	}{
		{"register", "1 lookup + 1 DynamoDB write", func() error {
			body, err := call("register", `{"document":"`+doc+`","exam_type":1}`, nil)
			examID = field(body, "exam_id")
			return err
		}},
		{"start", "1 lookup + 1 conditional update", func() error {
			body, err := call("start", `{"document":"`+doc+`","exam_id":"`+examID+`","exam_type":1}`, nil)
			examTok = field(body, "exam_token")
			return err
		}},
		{"list (one page)", "1 lookup + 1 query per page", func() error {
			_, err := call("list", "", map[string]string{"document": doc})
			return err
		}},
		{"communicate", "≤ 1 lookup, ≤ 3 DynamoDB, 1 send", func() error {
			result, _ := token.MintResultToken(cfg.ResultKey, examID, time.Now(), time.Hour)
			_, err := call("communicate", `{"exam_token":"`+examTok+`","result_token":"`+result+`"}`, nil)
			return err
		}},
		{"revoke", "1 lookup + 1 conditional update", func() error {
			body, err := call("register", `{"document":"`+doc+`","exam_type":2}`, nil)
			if err != nil {
				return err
			}
			c.reset()
			_, err = call("revoke", `{"document":"`+doc+`","exam_id":"`+field(body, "exam_id")+`","reason":"duplicated"}`, nil)
			return err
		}},
	}
	for _, s := range steps {
		if err := measure(s.op, s.budget, s.f); err != nil {
			return err
		}
	}
	// process-result: a started exam, its PDF uploaded, then the S3 event handled.
	body, err := call("register", `{"document":"`+doc+`","exam_type":3}`, nil)
	if err != nil {
		return err
	}
	id := field(body, "exam_id")
	body, err = call("start", `{"document":"`+doc+`","exam_id":"`+id+`","exam_type":3}`, nil)
	if err != nil {
		return err
	}
	result, _ := token.MintResultToken(cfg.ResultKey, id, time.Now(), time.Hour)
	key := stack.ResultKey("completed", id, ".pdf", time.Now())
	if err := stack.Upload(ctx, s3c, bucket, key, "application/pdf", []byte("%PDF-1.4"), field(body, "exam_token"), result); err != nil {
		return err
	}
	ev := s3event.ObjectCreated(emulators.Region, bucket, key, 8, "", "01", time.Now())
	if err := measure("process-result", "≤ 1 lookup, ≤ 3 DynamoDB, 1 send, ≤ 3 S3", func() error { return proc.Handle(ctx, ev) }); err != nil {
		return err
	}

	fmt.Printf("Each operation once, production adapters, counted by SDK middleware and the patient client's transport.\n\n")
	fmt.Printf("| operation | patient manager | DynamoDB | S3 | SNS + SES | budget | |\n| --- | ---: | ---: | ---: | ---: | --- | --- |\n")
	for _, r := range rows {
		n := r.counts
		sends := n["SNS"] + n["SESv2"]
		ok := n["patient manager"] <= 1 && n["DynamoDB"] <= 3 && n["S3"] <= 3 && sends <= 1
		switch r.op {
		case "register", "start", "revoke", "list (one page)":
			ok = n["patient manager"] == 1 && n["DynamoDB"] == 1 && n["S3"] == 0 && sends == 0
		}
		fmt.Printf("| %s | %d | %d | %d | %d | %s | %s |\n", r.op, n["patient manager"], n["DynamoDB"], n["S3"], sends, r.budget, verdict(ok))
		delete(n, "patient manager")
		delete(n, "DynamoDB")
		delete(n, "S3")
		delete(n, "SNS")
		delete(n, "SESv2")
		if len(n) > 0 {
			var other []string
			for k, v := range n {
				other = append(other, fmt.Sprintf("%s %d", k, v))
			}
			sort.Strings(other)
			fmt.Printf("| (also: %s) | | | | | | |\n", strings.Join(other, ", "))
		}
	}
	return nil
}
