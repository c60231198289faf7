package stack

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"

	"github.com/zmed/exam-manager/shared/logctx"
)

// FailureQueueName is the local on-failure queue of process-result.
const FailureQueueName = "zmed-process-result-failures-local"

// failureRecord is what Lambda sends to an on-failure destination after an
// asynchronous invocation's retries (its "invocation record").
type failureRecord struct {
	Version        string          `json:"version"`
	Timestamp      time.Time       `json:"timestamp"`
	RequestContext failureContext  `json:"requestContext"`
	RequestPayload events.S3Event  `json:"requestPayload"`
	Response       responseContext `json:"responseContext"`
}

type failureContext struct {
	RequestID              string `json:"requestId"`
	FunctionArn            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError"`
}

// queue is an SQS queue in memory: messages are invisible for the visibility
// timeout after a receive, deleted by their receipt handle.
type queue struct {
	mu       sync.Mutex
	messages []*message
}

type message struct {
	id, body, receipt string
	visibleAt         time.Time
}

func (q *queue) send(body string) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	m := &message{id: uuid.NewString(), body: body}
	q.messages = append(q.messages, m)
	return m.id
}

func (q *queue) receive(max int, visibility time.Duration) []*message {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []*message
	now := time.Now()
	for _, m := range q.messages {
		if len(out) == max {
			break
		}
		if now.Before(m.visibleAt) {
			continue
		}
		m.visibleAt, m.receipt = now.Add(visibility), uuid.NewString()
		copied := *m
		out = append(out, &copied)
	}
	return out
}

// show makes the message received with receipt visible after d.
func (q *queue) show(receipt string, d time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range q.messages {
		if m.receipt == receipt {
			m.visibleAt = time.Now().Add(d)
		}
	}
}

func (q *queue) delete(receipt string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, m := range q.messages {
		if m.receipt == receipt {
			q.messages = append(q.messages[:i], q.messages[i+1:]...)
			return
		}
	}
}

// Len is the number of messages in the queue, visible or not.
func (q *queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.messages)
}

// failed sends an event whose retries are exhausted to the queue, as Lambda's
// on-failure destination does.
func (q *queue) failed(ev events.S3Event, attempts int, requestID string) {
	body, _ := json.Marshal(failureRecord{
		Version: "1.0", Timestamp: time.Now().UTC(),
		RequestContext: failureContext{RequestID: requestID, FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:process-result:$LATEST",
			Condition: "RetriesExhausted", ApproximateInvokeCount: attempts},
		RequestPayload: ev,
		Response:       responseContext{StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled"},
	})
	q.send(string(body))
}

// opsEndpoint serves, on one address, the two AWS APIs an operator uses
// besides S3 and DynamoDB: SQS's JSON protocol for the on-failure queue
// (GetQueueUrl, GetQueueAttributes, SendMessage, ReceiveMessage,
// DeleteMessage, ChangeMessageVisibility) and Lambda's Invoke for
// process-result, synchronous.
type opsEndpoint struct {
	queue   *queue
	process func(context.Context, events.S3Event) error
	timeout time.Duration
	// notifications serves SNS Publish and SES SendEmail into the outbox, for
	// the operator's command that sends a failed notification again.
	notifications http.Handler
}

func (o opsEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/2015-03-31/functions/") && strings.HasSuffix(r.URL.Path, "/invocations") {
		o.invoke(w, r)
		return
	}
	// SQS speaks JSON with a target header; SNS (a form on /) and SES v2 do not.
	if r.Header.Get("X-Amz-Target") == "" && (r.URL.Path == "/" || strings.HasPrefix(r.URL.Path, "/v2/email/")) {
		o.notifications.ServeHTTP(w, r)
		return
	}
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonSQS.")
	if !ok || r.Method != http.MethodPost {
		http.Error(w, "not an SQS or Lambda Invoke request", http.StatusBadRequest)
		return
	}
	var in struct {
		QueueName, QueueURL, MessageBody, ReceiptHandle string
		MaxNumberOfMessages, VisibilityTimeout          int
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		sqsError(w, "InvalidParameterValue", err.Error())
		return
	}
	queueURL := "http://" + r.Host + "/000000000000/" + FailureQueueName
	if op != "GetQueueUrl" && in.QueueURL != queueURL && !strings.HasSuffix(in.QueueURL, "/"+FailureQueueName) {
		sqsError(w, "QueueDoesNotExist", "no such queue")
		return
	}
	var out any
	switch op {
	case "GetQueueUrl":
		if in.QueueName != FailureQueueName {
			sqsError(w, "QueueDoesNotExist", "no such queue")
			return
		}
		out = map[string]string{"QueueUrl": queueURL}
	case "GetQueueAttributes":
		out = map[string]any{"Attributes": map[string]string{"ApproximateNumberOfMessages": strconv.Itoa(o.queue.Len())}}
	case "SendMessage":
		out = map[string]string{"MessageId": o.queue.send(in.MessageBody), "MD5OfMessageBody": md5Hex(in.MessageBody)}
	case "ReceiveMessage":
		max, visibility := min(max(in.MaxNumberOfMessages, 1), 10), time.Duration(in.VisibilityTimeout)*time.Second
		if in.VisibilityTimeout == 0 {
			visibility = 30 * time.Second
		}
		var msgs []map[string]string
		for _, m := range o.queue.receive(max, visibility) {
			msgs = append(msgs, map[string]string{"MessageId": m.id, "ReceiptHandle": m.receipt, "Body": m.body, "MD5OfBody": md5Hex(m.body)})
		}
		out = map[string]any{"Messages": msgs}
	case "DeleteMessage":
		o.queue.delete(in.ReceiptHandle)
		out = map[string]any{}
	case "ChangeMessageVisibility":
		o.queue.show(in.ReceiptHandle, time.Duration(in.VisibilityTimeout)*time.Second)
		out = map[string]any{}
	default:
		sqsError(w, "UnsupportedOperation", op+" is not served locally")
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// invoke runs process-result's handler on the request's S3 event, as a
// synchronous invocation: a handler error is a function error.
func (o opsEndpoint) invoke(w http.ResponseWriter, r *http.Request) {
	var ev events.S3Event
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 6<<20)).Decode(&ev); err != nil {
		http.Error(w, `{"message":"invalid payload"}`, http.StatusBadRequest)
		return
	}
	ctx, cancel := context.WithTimeout(logctx.WithRequestID(context.Background(), uuid.NewString()), o.timeout)
	defer cancel()
	w.Header().Set("Content-Type", "application/json")
	if err := o.process(ctx, ev); err != nil {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		_ = json.NewEncoder(w).Encode(map[string]string{"errorType": "processingError", "errorMessage": "process-result failed"})
		return
	}
	_, _ = w.Write([]byte("null"))
}

func sqsError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}

func md5Hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}
