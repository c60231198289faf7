package stack

import (
	"encoding/json"
	"net/http"

	"github.com/zmed/exam-manager/shared/exam"
)

// notificationsEndpoint answers SNS Publish (SMS) and SES v2 SendEmail as
// those services do, and hands each message to the outbox, so that the
// production SNS and SES adapters can run against the local stack.
func notificationsEndpoint(outbox *Outbox) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /{$}", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("Action") != "Publish" || r.PostForm.Get("PhoneNumber") == "" {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>only SMS Publish is served here</Message></Error></ErrorResponse>`))
			return
		}
		m := exam.Message{Channel: exam.ChannelSMS, To: r.PostForm.Get("PhoneNumber"), Text: r.PostForm.Get("Message")}
		if err := outbox.Notify(r.Context(), m); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>local</MessageId></PublishResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></PublishResponse>`))
	})
	mux.HandleFunc("POST /v2/email/outbound-emails", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Destination struct{ ToAddresses []string }
			Content     struct {
				Simple struct {
					Subject struct{ Data string }
					Body    struct{ Text struct{ Data string } }
				}
			}
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || len(in.Destination.ToAddresses) != 1 {
			w.Header().Set("X-Amzn-Errortype", "BadRequestException")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"message":"one recipient and a simple message expected"}`))
			return
		}
		m := exam.Message{Channel: exam.ChannelEmail, To: in.Destination.ToAddresses[0], Subject: in.Content.Simple.Subject.Data, Text: in.Content.Simple.Body.Text.Data}
		if err := outbox.Notify(r.Context(), m); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"MessageId":"local"}`))
	})
	return mux
}
