package stack

import (
	"bytes"
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
	"github.com/zmed/exam-manager/shared/s3results"
	"github.com/zmed/exam-manager/shared/testsupport/pdfs"
)

// TestDocumentsCarryTheirTokens uploads real PDFs, without metadata, through
// the stack's S3 endpoint, and a 51 MiB one with and without its tokens as
// metadata: each is filed with its outcome and reason.
func TestDocumentsCarryTheirTokens(t *testing.T) {
	e := startStack(t)
	entries := func(examTok, resultTok string) []string {
		return []string{"/ZMEDExamToken (" + examTok + ")", "/ZMEDResultToken (" + resultTok + ")"}
	}
	var uploads []upload
	finishing := func(name string, build func(examTok, resultTok string) []byte) {
		id, examTok := e.startedExam(activeSMS)
		uploads = append(uploads, upload{name: name + "-" + id + ".pdf", body: build(examTok, e.resultToken(id)), reason: resultfiling.Finished, examID: id})
	}
	finishing("born-digital", func(et, rt string) []byte { return pdfs.Write(1, entries(et, rt)...) })
	finishing("qpdf-update-hex", func(et, rt string) []byte {
		updated := pdfs.AppendUpdate(pdfs.Write(2), 6, "/ZMEDExamToken "+pdfs.HexString(et), "/ZMEDResultToken "+pdfs.HexString(rt))
		return pdfs.Qpdf(t, updated, "--object-streams=generate")
	})
	finishing("owner-password", func(et, rt string) []byte {
		return pdfs.Qpdf(t, pdfs.Write(1, entries(et, rt)...), "--encrypt", "", "owner", "256", "--")
	})
	finishing("cyclic-prev", func(et, rt string) []byte {
		born := pdfs.Write(1)
		updated := pdfs.AppendUpdate(born, 5, entries(et, rt)...)
		return bytes.Replace(updated, []byte("/Prev "+strconv.Itoa(pdfs.StartXref(born))), []byte("/Prev "+strconv.Itoa(pdfs.StartXref(updated))), 1)
	})
	full := pdfs.Write(1, entries("x", "y")...)
	huge := append(pdfs.Write(1), bytes.Repeat([]byte("%"), 51<<20)...)
	id, examTok := e.startedExam(activeSMS)
	uploads = append(uploads,
		upload{name: "truncated.pdf", body: full[:40], reason: resultfiling.UnreadableBody},
		upload{name: "no-token.pdf", body: pdfs.Write(1), reason: resultfiling.MissingTokens},
		upload{name: "unknown-type.pdf", body: []byte("GIF89a not a result"), reason: resultfiling.MissingTokens},
		upload{name: "51MiB-metadata-" + id + ".pdf", body: huge, reason: resultfiling.Finished, examID: id, examTok: examTok, resultTok: e.resultToken(id)},
		upload{name: "51MiB.pdf", body: huge, reason: resultfiling.DocumentTooLarge},
	)
	e.uploadAll(uploads)
}

// upload is a result document put in completed/ (with its tokens as
// metadata, if set) and the reason it must be filed with.
type upload struct {
	name   string
	body   []byte
	reason resultfiling.Reason
	examID string // finished by it, for Finished
	// tokens as metadata, if any
	examTok, resultTok string
}

// uploadAll puts every upload through the stack's S3 endpoint, then waits
// for each to be filed with its reason (and its exam Finished, if it names one).
func (e *e2e) uploadAll(uploads []upload) {
	e.t.Helper()
	for _, u := range uploads {
		if err := Upload(context.Background(), e.s3, e.s.Config.Bucket, "completed/"+u.name, "application/octet-stream", u.body, u.examTok, u.resultTok); err != nil {
			e.t.Fatal(err)
		}
	}
	month := time.Now().UTC().Format("2006_01")
	for _, u := range uploads {
		key := string(u.reason.Outcome()) + "/" + month + "/" + u.name
		var reason string
		e.eventually(u.name+" filed", func() bool {
			head, err := e.s3.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(e.s.Config.Bucket), Key: aws.String(key)})
			if err == nil {
				reason = head.Metadata[s3results.ReasonMeta]
			}
			return err == nil
		})
		if reason != string(u.reason) {
			e.t.Errorf("%s filed as %q, want %s", u.name, reason, u.reason)
		}
		if u.examID != "" && e.status(activeSMS, u.examID) != string(exam.StatusFinished) {
			e.t.Errorf("%s did not finish its exam", u.name)
		}
	}
}
