package notify_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
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

// A send goes out once whatever happens to it (SPEC §9), and the error says
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
