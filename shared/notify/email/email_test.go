package email

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/zmed/exam-manager/shared/emulators"
	"github.com/zmed/exam-manager/shared/exam"
)

// TestSendEmailOnTheWire decodes the SES v2 request the real client sends.
func TestSendEmailOnTheWire(t *testing.T) {
	type content struct{ Data, Charset string }
	var got struct {
		FromEmailAddress string
		Destination      struct{ ToAddresses, CcAddresses, BccAddresses []string }
		Content          struct {
			Simple struct {
				Subject content
				Body    struct{ Text, Html *content }
			}
		}
	}
	var method, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		method, path = r.Method, r.URL.Path
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Errorf("decode: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"m-1"}`))
	}))
	defer srv.Close()

	m := exam.Message{ExamID: "e-1", Channel: exam.ChannelEmail, To: "maria@example.com", Subject: "Pronto", Text: "Olá, Maria!"}
	if err := New(sesv2.NewFromConfig(emulators.Config(srv.URL)), "resultados@zmed.example").Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	s := got.Content.Simple
	switch {
	case method != http.MethodPost || path != "/v2/email/outbound-emails":
		t.Errorf("request %s %s, want POST /v2/email/outbound-emails", method, path)
	case got.FromEmailAddress != "resultados@zmed.example":
		t.Errorf("from %q", got.FromEmailAddress)
	case len(got.Destination.ToAddresses) != 1 || got.Destination.ToAddresses[0] != "maria@example.com" ||
		len(got.Destination.CcAddresses)+len(got.Destination.BccAddresses) != 0:
		t.Errorf("destination %+v", got.Destination)
	case s.Subject != content{"Pronto", "UTF-8"} || s.Body.Text == nil || *s.Body.Text != content{"Olá, Maria!", "UTF-8"} || s.Body.Html != nil:
		t.Errorf("content %+v", s)
	}
}

func TestSendFailureIsReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-Errortype", "MessageRejected")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"message":"Email address is not verified."}`))
	}))
	defer srv.Close()
	err := New(sesv2.NewFromConfig(emulators.Config(srv.URL)), "a@b.c").Notify(context.Background(), exam.Message{To: "x@y.z"})
	if err == nil {
		t.Fatal("a refused e-mail was reported as sent")
	}
}
