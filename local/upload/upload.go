package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
)

// waitForOutcome bounds the wait for the stack to file the object: it takes
// milliseconds, unless a dependency fails and the stack retries (1 s, then 2 s).
const waitForOutcome = 30 * time.Second

// upload is one result upload, from the make variables and the stack's own.
type upload struct {
	stack             stack.Config
	examID, examToken string
	asJSON            bool
	file              string
	newResultToken    func() (string, error)
}

func readUpload(env *config.Reader) (upload, error) {
	cfg, err := stack.ReadConfig(env)
	if err != nil {
		return upload{}, err
	}
	u := upload{
		stack:     cfg,
		examID:    env.String("EXAM_ID", ""),
		examToken: env.String("EXAM_TOKEN", ""),
		file:      env.String("FILE", ""),
	}
	switch format := env.String("FORMAT", "pdf"); format {
	case "pdf":
	case "json":
		u.asJSON = true
	default:
		return upload{}, fmt.Errorf("FORMAT must be pdf or json, got %q", format)
	}
	if u.examID == "" {
		return upload{}, errors.New("EXAM_ID is required: make upload EXAM_ID=<id> EXAM_TOKEN=<token> (make -s register and make -s start print them)")
	}
	u.newResultToken = func() (string, error) {
		return token.MintResultToken(cfg.ResultKey, u.examID, time.Now(), 24*time.Hour)
	}
	return u, nil
}

func (u upload) printResultToken(w io.Writer) error {
	t, err := u.newResultToken()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, t)
	return err
}

// run uploads the result, waits for the stack to file it and says where.
func (u upload) run(ctx context.Context, w io.Writer) error {
	if u.examToken == "" {
		return errors.New("EXAM_TOKEN is required: make upload EXAM_ID=<id> EXAM_TOKEN=<the token make -s start printed>")
	}
	resultToken, err := u.newResultToken()
	if err != nil {
		return err
	}
	body, contentType, ext := []byte("%PDF-1.4\n% ZMED sample result\n%%EOF\n"), "application/pdf", ".pdf"
	metaExam, metaResult := u.examToken, resultToken
	if u.file != "" {
		if body, err = os.ReadFile(u.file); err != nil {
			return fmt.Errorf("FILE: %w", err)
		}
		ext = filepath.Ext(u.file)
		if contentType = mime.TypeByExtension(ext); contentType == "" {
			contentType = "application/octet-stream"
		}
	}
	if u.asJSON {
		body, _ = json.Marshal(map[string]string{"exam_token": u.examToken, "result_token": resultToken, "note": "sample result"})
		contentType, ext, metaExam, metaResult = "application/json", ".json", "", ""
	}

	// One attempt: with the stack down, say so at once rather than after the SDK's retries.
	client := s3.NewFromConfig(emulators.Config("http://"+u.stack.S3Addr), func(o *s3.Options) {
		o.UsePathStyle, o.RetryMaxAttempts = true, 1
	})
	before, err := u.keys(ctx, client)
	if err != nil {
		return err
	}
	key := stack.ResultKey(u.stack.Folders.Completed, u.examID, ext, time.Now())
	if err := stack.Upload(ctx, client, u.stack.Bucket, key, contentType, body, metaExam, metaResult); err != nil {
		return stack.Unreachable(stack.S3AddrVar, u.stack.S3Addr, err)
	}
	fmt.Fprintf(w, "uploaded s3://%s/%s; waiting for the stack to file it…\n", u.stack.Bucket, key)

	filed, err := u.waitFiled(ctx, client, key, before)
	if err != nil {
		return err
	}
	folder, _, _ := strings.Cut(filed, "/")
	fmt.Fprintf(w, "filed as s3://%s/%s (%s)\n", u.stack.Bucket, filed, folder)
	if processed := u.stack.Folders.Processed; folder != processed {
		return fmt.Errorf("the result was filed under %s/, not %s/: the stack's log says why (docs/results.md)", folder, processed)
	}
	return nil
}

// waitFiled waits until key has left completed/ and returns the key it was
// filed under: the one that was not in the bucket before the upload.
func (u upload) waitFiled(ctx context.Context, client *s3.Client, key string, before map[string]bool) (string, error) {
	giveUp := time.Now().Add(waitForOutcome)
	for {
		now, err := u.keys(ctx, client)
		if err != nil {
			return "", err
		}
		if !now[key] {
			for k := range now {
				if !before[k] && !strings.HasPrefix(k, u.stack.Folders.Completed+"/") {
					return k, nil
				}
			}
		}
		if time.Now().After(giveUp) {
			return "", fmt.Errorf("still in %s/ after %v: processing failed and is being retried (the stack's log says why)", u.stack.Folders.Completed, waitForOutcome)
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// keys lists the bucket.
func (u upload) keys(ctx context.Context, client *s3.Client) (map[string]bool, error) {
	keys := map[string]bool{}
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: aws.String(u.stack.Bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, stack.Unreachable(stack.S3AddrVar, u.stack.S3Addr, err)
		}
		for _, o := range page.Contents {
			keys[aws.ToString(o.Key)] = true
		}
	}
	return keys, nil
}
