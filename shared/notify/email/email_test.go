package email

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
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

// TestSendEmailReachesMoto sends through moto's SES v2 from a verified
// identity and reads, through moto's own inspection interface, what it recorded.
func TestSendEmailReachesMoto(t *testing.T) {
	moto := mototest.Start(t)
	client := sesv2.NewFromConfig(emulators.Config(moto.URL))
	ctx := context.Background()
	// As in AWS, only a verified identity may send.
	if err := New(client, "resultados@zmed.example").Notify(ctx, exam.Message{To: "x@example.com", Subject: "s", Text: "t"}); err == nil {
		t.Fatal("a send from an unverified identity was accepted")
	}
	if _, err := client.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: aws.String("resultados@zmed.example")}); err != nil {
		t.Fatal(err)
	}
	m := exam.Message{ExamID: "e-1", Channel: exam.ChannelEmail, To: "joao.pereira@example.com", Subject: "ZMED: seu resultado está pronto", Text: "Olá, João!"}
	if err := New(client, "resultados@zmed.example").Notify(ctx, m); err != nil {
		t.Fatal(err)
	}
	got := moto.Models(t, "ses", "Message")
	if len(got) != 1 {
		t.Fatalf("moto recorded %d messages, want 1: %v", len(got), got)
	}
	to, _ := got[0]["destinations"].(map[string]any)["ToAddresses"].([]any)
	if got[0]["source"] != "resultados@zmed.example" || len(to) != 1 || to[0] != m.To || got[0]["subject"] != m.Subject || got[0]["body"] != m.Text {
		t.Fatalf("moto recorded %v", got[0])
	}
}
