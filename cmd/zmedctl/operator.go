package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/resultfiling"
)

// Operator runs the operator's commands against one stage's resources.
type Operator struct {
	S3    *s3.Client
	Exams interface {
		Get(context.Context, string) (exam.Exam, error)
	}
	SQS      *sqs.Client
	Lambda   *lambda.Client
	Bucket   string
	Folders  resultfiling.Folders
	Queue    string // the on-failure queue's name or URL
	Function string // process-result (its alias in AWS)
	Out      io.Writer
	Progress io.Writer // progress of long listings (standard error)
	Now      func() time.Time
	// Resend sends a failed notification again (set for notify only: it needs
	// the patient manager and the e-mail sender).
	Resend interface {
		Run(ctx context.Context, examID string) (exam.Exam, error)
	}
	// BackfillWorklist keys the exams stored before the worklist index
	// (dynamostore.BackfillWorklist on the stage's table).
	BackfillWorklist func(ctx context.Context) (int, error)
}

// Filed is one filed result, with the metadata docs/results.md puts on it.
type Filed struct {
	Key, ExamID, Outcome, Reason string
	Time                         time.Time
}

// progressEvery is how many objects a listing reads between progress lines.
const progressEvery = 100

// List writes the filed results under each of outcomes (all when empty), for
// month (YYYY_MM, all when empty), with reason (any when empty): one line
// each, key, exam id, reason and time, tab-separated. It reads each object's
// metadata (one HEAD per object) and reports progress while it does.
func (o Operator) List(ctx context.Context, outcomes []string, month, reason string) (int, error) {
	if len(outcomes) == 0 {
		outcomes = []string{o.Folders.Processed, o.Folders.Stuck, o.Folders.Denied, o.Folders.Deleted}
	}
	if month != "" && !validMonth(month) {
		return 0, fmt.Errorf("month must be YYYY_MM, got %q", month)
	}
	found, read := 0, 0
	for _, folder := range outcomes {
		prefix := strings.TrimSuffix(folder, "/") + "/"
		if month != "" {
			prefix += month + "/"
		}
		pages := s3.NewListObjectsV2Paginator(o.S3, &s3.ListObjectsV2Input{Bucket: &o.Bucket, Prefix: &prefix})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				return found, fmt.Errorf("list %s: %w", prefix, err)
			}
			for _, obj := range page.Contents {
				key := aws.ToString(obj.Key)
				if strings.HasSuffix(key, "/") {
					continue
				}
				head, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &o.Bucket, Key: &key})
				if err != nil {
					return found, fmt.Errorf("read %s: %w", key, err)
				}
				read++
				if read%progressEvery == 0 {
					fmt.Fprintf(o.Progress, "… %d results read, %d listed\n", read, found)
				}
				f := Filed{Key: key, ExamID: head.Metadata["zmed-exam-id"], Outcome: head.Metadata["zmed-outcome"],
					Reason: head.Metadata["zmed-reason"], Time: aws.ToTime(obj.LastModified)}
				if reason != "" && f.Reason != reason {
					continue
				}
				found++
				fmt.Fprintf(o.Out, "%s\t%s\t%s\t%s\n", f.Key, dash(f.ExamID), dash(f.Reason), f.Time.UTC().Format(time.RFC3339))
			}
		}
	}
	if read >= progressEvery {
		fmt.Fprintf(o.Progress, "%d results read, %d listed\n", read, found)
	}
	return found, nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func validMonth(m string) bool {
	_, err := time.Parse("2006_01", m)
	return err == nil && len(m) == 7
}

// ErrNotStuck refuses to retry anything but a result under stuck/.
var ErrNotStuck = errors.New("only a result under stuck/ can be retried")

// Retry moves a stuck result back to completed/ (same month and file name),
// once its cause is fixed: the copy is a new upload, processed by its own S3
// event. The copy never overwrites an object already there, and only the
// version copied is deleted.
func (o Operator) Retry(ctx context.Context, key string) (string, error) {
	stuck := strings.TrimSuffix(o.Folders.Stuck, "/") + "/"
	rest, ok := strings.CutPrefix(key, stuck)
	if !ok || rest == "" || strings.HasSuffix(key, "/") {
		return "", ErrNotStuck
	}
	dst := strings.TrimSuffix(o.Folders.Completed, "/") + "/" + rest
	if path.Dir(rest) == "." {
		dst = strings.TrimSuffix(o.Folders.Completed, "/") + "/" + o.Now().UTC().Format("2006_01") + "/" + rest
	}
	head, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &o.Bucket, Key: &key})
	if err != nil {
		return "", fmt.Errorf("read %s: %w", key, err)
	}
	if _, err := o.S3.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &o.Bucket, Key: &dst}); err == nil {
		return "", fmt.Errorf("%s already exists: it is waiting to be processed", dst)
	} else if !isNotFound(err) {
		return "", fmt.Errorf("read %s: %w", dst, err)
	}
	source := o.Bucket + "/" + escapeKey(key)
	if v := aws.ToString(head.VersionId); v != "" && v != "null" {
		source += "?versionId=" + v
	}
	if _, err := o.S3.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket: &o.Bucket, Key: &dst, CopySource: &source, IfNoneMatch: aws.String("*"),
		MetadataDirective: s3types.MetadataDirectiveCopy,
	}); err != nil {
		return "", fmt.Errorf("copy to %s: %w", dst, err)
	}
	del := &s3.DeleteObjectInput{Bucket: &o.Bucket, Key: &key}
	if v := aws.ToString(head.VersionId); v != "" && v != "null" {
		del.VersionId = &v
	}
	if _, err := o.S3.DeleteObject(ctx, del); err != nil {
		return dst, fmt.Errorf("copied to %s but could not delete %s: %w", dst, key, err)
	}
	return dst, nil
}

// escapeKey encodes a key for CopySource, keeping its slashes.
func escapeKey(key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(url.PathEscape(p), "+", "%2B")
	}
	return strings.Join(parts, "/")
}

func isNotFound(err error) bool {
	return hasCode(err, "NotFound") || hasCode(err, "NoSuchKey") || hasCode(err, "NoSuchVersion") || hasCode(err, "404")
}

func hasCode(err error, code string) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && apiErr.ErrorCode() == code
}

// ReplayReport is what a replay did.
type ReplayReport struct {
	Messages, Reprocessed, NothingLeft, Failed int
}

// failureRecord is the part of Lambda's on-failure record a replay reads.
type failureRecord struct {
	RequestPayload events.S3Event `json:"requestPayload"`
}

// Replay reads the on-failure queue to its end. An event whose objects are
// all gone from completed/ (filed since, by the reconciler or a retry) has
// nothing left to do; otherwise process-result is invoked again with it. Each
// message handled is deleted; a message that fails again stays in the queue.
func (o Operator) Replay(ctx context.Context) (ReplayReport, error) {
	var rep ReplayReport
	queueURL := o.Queue
	if !strings.Contains(queueURL, "://") {
		out, err := o.SQS.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &o.Queue})
		if err != nil {
			return rep, fmt.Errorf("find queue %s: %w", o.Queue, err)
		}
		queueURL = aws.ToString(out.QueueUrl)
	}
	// A message that fails again stays hidden until the queue is read to its
	// end (so that this run does not receive it twice), then shows again at
	// once for the next replay.
	var failed []*string
	defer func() {
		for _, receipt := range failed {
			_, _ = o.SQS.ChangeMessageVisibility(context.WithoutCancel(ctx), &sqs.ChangeMessageVisibilityInput{
				QueueUrl: &queueURL, ReceiptHandle: receipt, VisibilityTimeout: 0})
		}
	}()
	for {
		out, err := o.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, VisibilityTimeout: 300})
		if err != nil {
			return rep, fmt.Errorf("receive: %w", err)
		}
		if len(out.Messages) == 0 {
			return rep, nil
		}
		for _, m := range out.Messages {
			rep.Messages++
			outcome, err := o.replayOne(ctx, aws.ToString(m.Body))
			switch {
			case err != nil:
				rep.Failed++
				failed = append(failed, m.ReceiptHandle)
				fmt.Fprintf(o.Progress, "message %s: %v (left in the queue)\n", aws.ToString(m.MessageId), err)
				continue
			case outcome:
				rep.Reprocessed++
			default:
				rep.NothingLeft++
			}
			if _, err := o.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &queueURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
				return rep, fmt.Errorf("delete message: %w", err)
			}
		}
		if rep.Messages/progressEvery > (rep.Messages-len(out.Messages))/progressEvery {
			fmt.Fprintf(o.Progress, "… %d messages replayed\n", rep.Messages)
		}
	}
}

// replayOne reports whether the event was processed again (false: nothing left to do).
func (o Operator) replayOne(ctx context.Context, body string) (bool, error) {
	var rec failureRecord
	if err := json.Unmarshal([]byte(body), &rec); err != nil || len(rec.RequestPayload.Records) == 0 {
		return false, errors.New("not an S3 event's failure record")
	}
	pending := false
	for _, r := range rec.RequestPayload.Records {
		in := &s3.HeadObjectInput{Bucket: aws.String(r.S3.Bucket.Name), Key: aws.String(r.S3.Object.URLDecodedKey)}
		if v := r.S3.Object.VersionID; v != "" && v != "null" {
			in.VersionId = &v
		}
		_, err := o.S3.HeadObject(ctx, in)
		switch {
		case err == nil:
			pending = true
		case !isNotFound(err):
			return false, fmt.Errorf("read the event's object: %w", err)
		}
	}
	if !pending {
		return false, nil
	}
	payload, _ := json.Marshal(rec.RequestPayload)
	out, err := o.Lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: &o.Function, InvocationType: lambdatypes.InvocationTypeRequestResponse, Payload: payload})
	if err != nil {
		return false, fmt.Errorf("invoke %s: %w", o.Function, err)
	}
	if out.FunctionError != nil {
		return false, fmt.Errorf("%s failed again (%s)", o.Function, aws.ToString(out.FunctionError))
	}
	return true, nil
}

// Show writes the exam as stored, without the patient's document and name,
// as JSON: status, times, notification and history.
func (o Operator) Show(ctx context.Context, examID string) error {
	e, err := o.Exams.Get(ctx, examID)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	var view map[string]any
	if err := json.Unmarshal(raw, &view); err != nil {
		return err
	}
	// A CPF and a name: the operator needs the exam, not the person.
	delete(view, "PatientDocument")
	delete(view, "PatientName")
	enc := json.NewEncoder(o.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(view)
}

// Notify sends again the failed notification of the exam examID, once the
// patient's contact is fixed, and says how it went. Anything but a sent
// message is an error, so that a script sees it.
func (o Operator) Notify(ctx context.Context, examID string) error {
	// The deadline bounds every call, and the claim lasts until it.
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	e, err := o.Resend.Run(ctx, examID)
	if err != nil {
		if errors.Is(err, exam.ErrNotificationNotFailed) {
			return fmt.Errorf("%w (it is %s)", err, dash(string(e.Notification.Status)))
		}
		return err
	}
	n := e.Notification
	switch n.Status {
	case exam.NotificationSent:
		fmt.Fprintf(o.Out, "%s: notification sent by %s\n", e.ID, n.Channel)
		return nil
	case exam.NotificationFailed:
		return fmt.Errorf("refused again by %s (%s): fix the patient's contact, then notify again", n.Channel, n.Code)
	case exam.NotificationSkipped:
		return errors.New("the patient has no verified contact now: nothing was sent")
	}
	return fmt.Errorf("the notification is %s: it may have been sent, check with the patient", n.Status)
}
