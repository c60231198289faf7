package main

import (
	"context"
	"io"
	"path/filepath"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
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
