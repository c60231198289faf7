package notify_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/notify/email"
	"github.com/zmed/exam-manager/shared/notify/sms"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
)

// senders are the production notifiers, built as the Lambdas build them.
var senders = map[exam.Channel]func(cfg aws.Config) exam.Notifier{
	exam.ChannelSMS:   func(cfg aws.Config) exam.Notifier { return sms.FromConfig(cfg) },
	exam.ChannelEmail: func(cfg aws.Config) exam.Notifier { return email.FromConfig(cfg, "resultados@zmed.example") },
}

var messages = map[exam.Channel]exam.Message{
	exam.ChannelSMS:   {ExamID: "e-1", Channel: exam.ChannelSMS, To: "+5511987654321", Text: "Olá, Maria! O resultado está pronto."},
	exam.ChannelEmail: {ExamID: "e-1", Channel: exam.ChannelEmail, To: "maria@example.com", Subject: "Pronto", Text: "Olá, Maria!"},
}

// answering is an endpoint that answers every request with status and body,
// counting the requests.
func answering(t *testing.T, status int, body string, n *atomic.Int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("X-Amzn-Errortype", "InternalFailure")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A send goes out once whatever happens to it (docs/results.md), and the error says
// whether the message may have been accepted, so that finishing never sends it again.
func TestEverySendIsMadeOnce(t *testing.T) {
	for channel, sender := range senders {
		for _, tc := range []struct {
			name        string
			endpoint    func(t *testing.T) (url string, received func() int)
			wantUnknown bool
		}{
			{"answer lost after the request arrived", func(t *testing.T) (string, func() int) {
				l := emulators.NewLostAnswer()
				t.Cleanup(l.Close)
				return l.URL, l.Received
			}, true},
			{"a success whose body cannot be read", func(t *testing.T) (string, func() int) {
				var n atomic.Int32
				return answering(t, 200, "<PublishResponse", &n), func() int { return int(n.Load()) }
			}, true},
			{"a server error", func(t *testing.T) (string, func() int) {
				var n atomic.Int32
				return answering(t, 500, `{"message":"internal failure"}`, &n), func() int { return int(n.Load()) }
			}, false},
			{"throttled", func(t *testing.T) (string, func() int) {
				var n atomic.Int32
				return answering(t, 429, `{"message":"slow down"}`, &n), func() int { return int(n.Load()) }
			}, false},
			{"nobody listening", func(t *testing.T) (string, func() int) {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				addr := ln.Addr().String()
				_ = ln.Close()
				return "http://" + addr, func() int { return 1 }
			}, false},
		} {
			t.Run(string(channel)+"/"+tc.name, func(t *testing.T) {
				url, received := tc.endpoint(t)
				err := sender(emulators.Config(url)).Notify(context.Background(), messages[channel])
				if err == nil {
					t.Fatal("a failed send was reported as accepted")
				}
				if got := errors.Is(err, exam.ErrDeliveryUnknown); got != tc.wantUnknown {
					t.Fatalf("err = %v: delivery unknown %v, want %v", err, got, tc.wantUnknown)
				}
				if n := received(); n != 1 {
					t.Fatalf("the endpoint received %d requests, want exactly 1", n)
				}
			})
		}
	}
}

// answers is an endpoint that answers every request as SNS or SES answers an
// error: status, the error type header (SES's REST-JSON protocol) and body.
func answers(t *testing.T, status int, errorType, body string, n *atomic.Int32) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if errorType != "" {
			w.Header().Set("X-Amzn-Errortype", errorType)
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// snsError is SNS's error body (query protocol) for code, quoting the number as SNS does.
func snsError(code string) string {
	return `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>` + code +
		`</Code><Message>Invalid parameter: PhoneNumber Reason: +5511987654321 is not valid to publish to</Message></Error><RequestId>r-1</RequestId></ErrorResponse>`
}

// A 4xx other than throttling refuses the message for good and says the
// provider's code (never the contact); throttling, a 5xx and the function's
// own credentials pass, and the send is retried.
func TestPermanentRefusalsAreToldFromPassingOnes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		channel   exam.Channel
		status    int
		errorType string // SES only
		body      string
		wantCode  string // "" when the refusal passes
	}{
		{"sns invalid parameter", exam.ChannelSMS, 400, "", snsError("InvalidParameter"), "InvalidParameter"},
		{"sns opted out", exam.ChannelSMS, 400, "", snsError("InvalidParameterValue"), "InvalidParameterValue"},
		{"sns throttling", exam.ChannelSMS, 400, "", snsError("Throttling"), ""},
		{"sns throttled", exam.ChannelSMS, 429, "", snsError("Throttled"), ""},
		{"sns kms throttling", exam.ChannelSMS, 400, "", snsError("KMSThrottling"), ""},
		{"sns internal error", exam.ChannelSMS, 500, "", snsError("InternalError"), ""},
		{"sns authorization", exam.ChannelSMS, 403, "", snsError("AuthorizationError"), ""},
		{"ses message rejected", exam.ChannelEmail, 400, "MessageRejected", `{"message":"Email address is not verified: maria@example.com"}`, "MessageRejected"},
		{"ses bad request", exam.ChannelEmail, 400, "BadRequestException", `{"message":"Missing final '@domain'"}`, "BadRequestException"},
		{"ses too many requests", exam.ChannelEmail, 429, "TooManyRequestsException", `{"message":"Too many requests"}`, ""},
		{"ses throttling exception", exam.ChannelEmail, 400, "ThrottlingException", `{"message":"Rate exceeded"}`, ""},
		{"ses limit exceeded", exam.ChannelEmail, 400, "LimitExceededException", `{"message":"Maximum sending rate exceeded."}`, ""},
		{"ses service unavailable", exam.ChannelEmail, 503, "ServiceUnavailable", `{"message":"unavailable"}`, ""},
		{"ses expired credentials", exam.ChannelEmail, 403, "ExpiredTokenException", `{"message":"expired"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			url := answers(t, tc.status, tc.errorType, tc.body, &n)
			err := senders[tc.channel](emulators.Config(url)).Notify(context.Background(), messages[tc.channel])
			if err == nil || errors.Is(err, exam.ErrDeliveryUnknown) {
				t.Fatalf("err = %v, want a failure the service answered", err)
			}
			var refused *exam.RefusedError
			switch got := errors.As(err, &refused); {
			case tc.wantCode == "" && got:
				t.Fatalf("err = %v: refused for good, want a failure that passes", err)
			case tc.wantCode != "" && (!got || refused.Code != tc.wantCode || !errors.Is(err, exam.ErrDeliveryRefused)):
				t.Fatalf("err = %v, want refused for good with %s", err, tc.wantCode)
			}
			if text := err.Error(); strings.Contains(text, "98765") || strings.Contains(text, "maria@") {
				t.Fatalf("err = %v quotes the contact", err)
			}
			if got := n.Load(); got != 1 {
				t.Fatalf("the endpoint received %d requests, want 1", got)
			}
		})
	}
}
