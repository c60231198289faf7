// Command upload plays the exam execution team against the local stack: it
// signs a result token with the local result key and uploads a result under
// completed/, with both tokens as metadata (a PDF) or in a JSON body.
//
//	go run ./local/upload -exam-id ID -exam-token TOKEN [-json] [-file result.pdf]
//	go run ./local/upload -exam-id ID -print-result-token
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/local/stack"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/token"
)

func main() {
	examID := flag.String("exam-id", "", "the exam the result is for (required)")
	examToken := flag.String("exam-token", "", "the exam token returned by POST /exam/start")
	asJSON := flag.Bool("json", false, "upload a JSON body carrying the tokens instead of a PDF with metadata")
	file := flag.String("file", "", "the file to upload (default: a small generated PDF)")
	printOnly := flag.Bool("print-result-token", false, "only print a result token for the exam")
	endpoint := flag.String("endpoint", "http://127.0.0.1:4566", "the local S3 endpoint")
	flag.Parse()

	cfg, err := stack.ReadConfig(config.FromEnv())
	if err != nil {
		fail(err)
	}
	if *examID == "" {
		fail(fmt.Errorf("-exam-id is required"))
	}
	resultToken, err := token.MintResultToken(cfg.ResultKey, *examID, time.Now(), 24*time.Hour)
	if err != nil {
		fail(err)
	}
	if *printOnly {
		fmt.Println(resultToken)
		return
	}
	if *examToken == "" {
		fail(fmt.Errorf("-exam-token is required"))
	}

	body, contentType, ext := []byte("%PDF-1.4\n% ZMED sample result\n%%EOF\n"), "application/pdf", ".pdf"
	metaExam, metaResult := *examToken, resultToken
	if *file != "" {
		if body, err = os.ReadFile(*file); err != nil {
			fail(err)
		}
		ext = filepath.Ext(*file)
		if contentType = mime.TypeByExtension(ext); contentType == "" {
			contentType = "application/octet-stream"
		}
	}
	if *asJSON {
		body, _ = json.Marshal(map[string]string{"exam_token": *examToken, "result_token": resultToken, "note": "sample result"})
		contentType, ext, metaExam, metaResult = "application/json", ".json", "", ""
	}
	key := stack.ResultKey(cfg.Folders.Completed, *examID, ext, time.Now())
	client := s3.NewFromConfig(emulators.Config(*endpoint), func(o *s3.Options) { o.UsePathStyle = true })
	if err := stack.Upload(context.Background(), client, cfg.Bucket, key, contentType, body, metaExam, metaResult); err != nil {
		fail(err)
	}
	fmt.Printf("uploaded s3://%s/%s\n", cfg.Bucket, key)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "upload:", err)
	os.Exit(1)
}
