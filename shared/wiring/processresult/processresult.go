// Package processresult is process-result's composition root: the automatic
// result path assembled once, for the Lambda, the local stack and the bench.
package processresult

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/document"
	"github.com/zmed/exam-manager/shared/document/pdfinfo"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/wiring"
)

// Settings is process-result's configuration: the finish's, and the results
// bucket with its folders.
type Settings struct {
	wiring.Settings
	Bucket  string
	Folders resultfiling.Folders
}

// ReadSettings reads Settings.
func ReadSettings(r *config.Reader) Settings {
	s := Settings{Settings: wiring.ReadSettings(r)}
	s.Bucket, s.Folders = resultfiling.ReadBucket(r)
	return s
}

// Ports are what the automatic result path runs on: the bucket
// it watches, with its folders, the objects in it and the finish use case.
type Ports struct {
	Bucket  string
	Folders resultfiling.Folders
	Objects resultfiling.Objects
	Finish  exam.Finish
}

// New is the automatic result path on p: the one place it is assembled.
func New(p Ports) resultfiling.Processor {
	return resultfiling.Processor{Bucket: p.Bucket, Folders: p.Folders, Objects: p.Objects, Finish: p.Finish, Now: time.Now}
}

// Finder is how process-result finds the tokens inside a result document:
// the PDF information dictionary, then the QR codes codes finds (nil: the
// dictionary only), each tried by tokens as both kinds of token, within
// document.DefaultLimits.
func Finder(tokens exam.TokenVerifier, codes document.CodeScanner) document.Finder {
	return document.Finder{Info: pdfinfo.Reader{}, Codes: codes, Tokens: tokens, Limits: document.DefaultLimits}
}

// FromConfig is the automatic result path on S3, finishing with
// wiring.FinishFromConfig and reading documents with codes (see Finder). It
// stops the function on a configuration error.
func FromConfig(ctx context.Context, cfg aws.Config, s Settings, codes document.CodeScanner) resultfiling.Processor {
	finish := wiring.FinishFromConfig(ctx, cfg, s.Settings)
	return New(Ports{
		Bucket:  s.Bucket,
		Folders: s.Folders,
		Objects: s3results.FromConfig(cfg).ReadingDocuments(Finder(finish.Tokens, codes)),
		Finish:  finish,
	})
}
