// Package boot holds what every function does once per cold start: JSON logs,
// the AWS SDK configuration, the patient-manager client, and a clear stop on a
// configuration error.
package boot

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/logging"
	"github.com/zmed/exam-manager/shared/metrics"
	"github.com/zmed/exam-manager/shared/patient"
	"github.com/zmed/exam-manager/shared/secrets"
)

// LogLevel reads ZMED_LOG_LEVEL (debug, info, warn, error; info when unset).
func LogLevel(r *config.Reader) slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(strings.ToUpper(r.String(config.LogLevelVar, "info")))); err != nil {
		r.Fail(fmt.Errorf("%s: %w", config.LogLevelVar, err))
	}
	return level
}

// Read reads everything a function's cold start reads: the log level and its settings.
func Read[S any](r *config.Reader, read func(*config.Reader) S) (S, slog.Level) {
	level := LogLevel(r)
	metrics.SetStage(r.String(metrics.StageVar, ""))
	return read(r), level
}

// Check stops the function with a clear message when r found problems.
func Check(r *config.Reader) {
	if err := r.Err(); err != nil {
		Exit("invalid configuration", err)
	}
}

// Exit logs why the function cannot start and stops it; Lambda reports an init error.
func Exit(msg string, err error) {
	slog.Error(msg, "error", err.Error())
	os.Exit(1)
}

// Patients returns the patient-manager client, with an HTTP client made once.
func Patients(c config.Common) *patient.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   2 * time.Second,
		ResponseHeaderTimeout: c.PatientTimeout,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return patient.New(c.PatientManager, &http.Client{Transport: transport}, c.PatientTimeout)
}

// Init does a function's cold start up to its own clients: JSON logs, its
// settings read by read (stopping on any problem), and the SDK configuration.
func Init[S any](read func(*config.Reader) S) (context.Context, S, aws.Config) {
	r := config.FromEnv()
	s, level := Read(r, read)
	slog.SetDefault(logging.New(os.Stdout, level))
	Check(r)
	return context.Background(), s, AWS()
}

// AWS returns the SDK configuration from the Lambda's environment (awsenv.FromEnv),
// or stops the function.
func AWS() aws.Config {
	cfg, err := awsenv.FromEnv()
	if err != nil {
		Exit("cannot configure the AWS SDK", err)
	}
	return cfg
}

// AuditWriter returns the writer of an API function's audit lines, its key
// read from k (the variable locally, the secret in AWS), or stops the function.
func AuditWriter(ctx context.Context, cfg aws.Config, k config.Key) audit.Writer {
	return Must(audit.NewWriter(Must(secrets.Key(ctx, secrets.FromConfig(cfg), k))))
}

// Must returns v, or stops the function when err says the configuration is unusable.
func Must[T any](v T, err error) T {
	if err != nil {
		Exit("invalid configuration", err)
	}
	return v
}
