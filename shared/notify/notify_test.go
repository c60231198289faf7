package notify

import (
	"context"
	"testing"

	"github.com/zmed/exam-manager/shared/exam"
)

type recorder struct{ got []exam.Message }

func (r *recorder) Notify(_ context.Context, m exam.Message) error {
	r.got = append(r.got, m)
	return nil
}

func TestByChannel(t *testing.T) {
	sms, email := &recorder{}, &recorder{}
	n := ByChannel{exam.ChannelSMS: sms, exam.ChannelEmail: email}
	for _, c := range []exam.Channel{exam.ChannelSMS, exam.ChannelEmail, exam.ChannelSMS} {
		if err := n.Notify(context.Background(), exam.Message{Channel: c}); err != nil {
			t.Fatal(err)
		}
	}
	if len(sms.got) != 2 || len(email.got) != 1 {
		t.Fatalf("sms got %d, email got %d", len(sms.got), len(email.got))
	}
	if err := n.Notify(context.Background(), exam.Message{Channel: "fax"}); err == nil {
		t.Fatal("unknown channel accepted")
	}
}
