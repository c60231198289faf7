// Command zmedresult is the exam execution team's command (docs/results.md):
// it uploads a result document to the results bucket with its exam's label
// code (read from the scanned label, or typed) and a result token it signs,
// and prints a result token as text or as a QR code for the laboratory's
// report template. It holds the result token key, never the exam token key.
// It uses the standard SDK configuration (profile, region, credentials,
// AWS_ENDPOINT_URL_*); against the local stack, `make team` sets them.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/document/qrscan"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/secrets"
)

const usage = `zmedresult: the ZMED exam execution team's command

  zmedresult upload [-code LABEL_CODE] FILE
      upload a result (PDF, PNG or JPEG, its type read from its bytes) to
      completed/YYYY_MM/<exam id>.<ext>, never over an existing one; the label
      code is read from the QR codes on the document unless typed (an exam
      token is taken too); a PDF gets both tokens in its information
      dictionary (an incremental update: a signature stays valid), an image
      in the object's metadata
  zmedresult token -code LABEL_CODE
      print a result token for the exam
  zmedresult qr -code LABEL_CODE [-o FILE.png] [-size PIXELS]
      write a result token for the exam as a QR code (PNG) for the report template

Flags common to all: -ttl (the result token's lifetime, default 720h).
Names (flags or variables): -bucket ZMED_S3_BUCKET; ZMED_S3_COMPLETED_KEY (completed).
The result token key: ZMED_RESULT_JWT_KEY (locally) or ZMED_RESULT_JWT_KEY_SECRET_ARN
(the stage's secret, which the execution team's principal may read).
AWS access: the SDK's standard configuration (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_<SERVICE>, ...).
`

// defaultTTL: the report template is printed before the exam is done.
const defaultTTL = 30 * 24 * time.Hour

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command; it returns the exit status: 0 done, 1 failed, 2 misused.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd := args[0]
	env := config.FromEnv()
	flags := flag.NewFlagSet("zmedresult "+cmd, flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() { fmt.Fprint(stderr, usage) }
	bucket := flags.String("bucket", env.String(config.BucketVar, config.DefaultBucket), "results bucket")
	code := flags.String("code", "", "the label code (or exam token)")
	ttl := flags.Duration("ttl", defaultTTL, "the result token's lifetime")
	out := flags.String("o", "-", "the QR code's PNG file (- for stdout)")
	size := flags.Int("size", 300, "the QR code's side in pixels")
	if err := flags.Parse(args[1:]); err != nil {
		return 2
	}
	files := map[string]int{"upload": 1, "token": 0, "qr": 0}
	n, known := files[cmd]
	if !known || flags.NArg() != n || (cmd != "upload" && *code == "") || *ttl <= 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if err := dispatch(ctx, cmd, env, *bucket, *code, *ttl, *out, *size, flags.Args(), stdout); err != nil {
		fmt.Fprintf(stderr, "zmedresult %s: %v\n", cmd, err)
		return 1
	}
	return 0
}

func dispatch(ctx context.Context, cmd string, env *config.Reader, bucket, code string, ttl time.Duration, out string, size int, files []string, stdout io.Writer) error {
	keySource := env.Key(config.ResultKeyVar)
	_, folders := resultfiling.ReadBucket(env)
	if err := env.Err(); err != nil {
		return err
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("AWS configuration: %w", err)
	}
	key, err := secrets.SigningKey(ctx, secrets.FromConfig(cfg), keySource)
	if err != nil {
		return err
	}
	_, local := os.LookupEnv("AWS_ENDPOINT_URL_S3")
	team := Team{
		S3:     s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = local }),
		Bucket: bucket, Completed: folders.Completed, ResultKey: key, TokenTTL: ttl,
		Scanner: qrscan.Scanner{}, Now: time.Now,
	}
	switch cmd {
	case "upload":
		body, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		objectKey, err := team.Upload(ctx, body, code)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "uploaded s3://%s/%s\n", bucket, objectKey)
		return err
	case "token":
		t, err := team.ResultToken(code)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, t)
		return err
	case "qr":
		t, err := team.ResultToken(code)
		if err != nil {
			return err
		}
		if out == "-" {
			return writeQR(stdout, t, size)
		}
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		if err := writeQR(f, t, size); err != nil {
			_ = f.Close()
			return err
		}
		return f.Close()
	}
	return errors.New("unknown command")
}
