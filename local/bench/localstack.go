package main

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/google/uuid"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/httpapi"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/token"
)

// startStack starts the local stack with every endpoint on a free loopback
// port (never the defaults, which a `make run` may hold) and its outbox in
// work/<name>-outbox.jsonl; extra sets more of its variables.
func startStack(ctx context.Context, work, name string, extra map[string]string) (*stack.Stack, stack.Config, error) {
	vars := map[string]string{
		stack.APIAddrVar: "127.0.0.1:0", stack.S3AddrVar: "127.0.0.1:0", stack.DynamoDBAddrVar: "127.0.0.1:0",
		stack.PatientsAddrVar: "127.0.0.1:0", stack.OpsAddrVar: "127.0.0.1:0",
		"ZMED_LOCAL_OUTBOX": filepath.Join(work, name+"-outbox.jsonl"),
	}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := stack.ReadConfig(config.FromMap(vars))
	if err != nil {
		return nil, cfg, err
	}
	st, err := stack.Start(ctx, cfg, io.Discard)
	return st, cfg, err
}

// stackCaller is the API's handlers on the stack's store and patient
// manager, called in-process: exams are registered and started through them
// (not timed).
func stackCaller(ctx context.Context, st *stack.Stack, cfg stack.Config) func(fn, body string, query map[string]string) (string, error) {
	patients := patient.New(st.PatientsURL, &http.Client{}, patient.DefaultTimeout)
	issuer, _ := token.NewIssuer(cfg.ExamKey, time.Hour, time.Now)
	return caller(ctx, httpapi.Handlers(httpapi.Ports{Patients: patients, Exams: st.Store, Tokens: issuer, Now: time.Now, NewID: uuid.NewString}))
}
