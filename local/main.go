// Command local runs the local stack (`make run`): the HTTP API, S3- and
// DynamoDB-compatible endpoints, the result processing and a patient manager,
// all on loopback, with only Go. Ctrl-C stops it.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/logging"
)

func main() {
	os.Exit(run())
}

func run() int {
	restoreTerminal := takeTerminal()
	defer restoreTerminal()
	slog.SetDefault(logging.New(os.Stderr, slog.LevelInfo))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// Start-up problems are for the person at the terminal: plain text.
	cfg, err := stack.ReadConfig(config.FromEnv())
	if err != nil {
		fmt.Fprintln(os.Stderr, "make run: invalid configuration:", err)
		return 1
	}
	s, err := stack.Start(ctx, cfg, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "make run: the local stack could not start:", err)
		return 1
	}
	s.PrintBanner(os.Stdout)
	<-ctx.Done()
	slog.Info("stopping")
	if err := s.Close(); err != nil {
		slog.Error("stop", "error", err.Error())
		return 1
	}
	slog.Info("stopped")
	return 0
}
