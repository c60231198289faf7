package sms

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
)

// TestPublishOnTheWire decodes the request the real SNS client sends.
func TestPublishOnTheWire(t *testing.T) {
	var got url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			t.Errorf("parse form: %v", err)
		}
		got = r.PostForm
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>`))
	}))
	defer srv.Close()

	client := sns.NewFromConfig(emulators.Config(srv.URL))
	m := exam.Message{ExamID: "e-1", Channel: exam.ChannelSMS, To: "+5511999990000", Text: "Olá, Maria! O resultado está pronto."}
	if err := New(client).Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Action":                         "Publish",
		"PhoneNumber":                    "+5511999990000",
		"Message":                        m.Text,
		"MessageAttributes.entry.1.Name": "AWS.SNS.SMS.SMSType",
		"MessageAttributes.entry.1.Value.DataType":    "String",
		"MessageAttributes.entry.1.Value.StringValue": "Transactional",
	}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	for _, k := range []string{"TopicArn", "TargetArn", "Subject"} {
		if got.Has(k) {
			t.Errorf("unexpected %s in an SMS publish", k)
		}
	}
}

func TestPublishFailureIsReported(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>bad number</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
	}))
	defer srv.Close()
	err := New(sns.NewFromConfig(emulators.Config(srv.URL))).Notify(context.Background(), exam.Message{To: "+5511999990000", Text: "x"})
	if err == nil {
		t.Fatal("a refused publish was reported as sent")
	}
}

func TestFailureDoesNotQuoteTheNumber(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: PhoneNumber Reason: +5511999990000 is not valid</Message></Error><RequestId>r</RequestId></ErrorResponse>`))
	}))
	defer srv.Close()
	err := New(sns.NewFromConfig(emulators.Config(srv.URL))).Notify(context.Background(), exam.Message{To: "+5511999990000", Text: "x"})
	if err == nil || strings.Contains(err.Error(), "99999") || !strings.Contains(err.Error(), "InvalidParameter") {
		t.Fatalf("err = %v; want the code without the number", err)
	}
}

// TestPublishReachesMoto sends through moto's SNS and reads, through moto's own
// inspection interface, what it recorded.
func TestPublishReachesMoto(t *testing.T) {
	moto := mototest.Start(t)
	m := exam.Message{ExamID: "e-1", Channel: exam.ChannelSMS, To: "+5511987654321", Text: "Olá, Maria! O resultado do seu exame na ZMED está pronto."}
	if err := New(sns.NewFromConfig(emulators.Config(moto.URL))).Notify(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := moto.Models(t, "sns", "SMS")
	if len(got) != 1 || got[0]["phone_number"] != m.To || got[0]["message"] != m.Text {
		t.Fatalf("moto recorded %v, want exactly one SMS to %s", got, m.To)
	}
}
