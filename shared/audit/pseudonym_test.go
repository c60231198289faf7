package audit_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/zmed/exam-manager/shared/audit"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logctx"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
)

var actorKey = []byte("test-actor-pseudonym-key-0123456789abcdef")

// An identity provider may use a CPF or a phone as the sub: such an actor id
// is logged as its keyed pseudonym, the same for the same actor and another
// for another, while a UUID and the system's own name are logged as they are.
func TestWriterLogsANonUUIDActorAsItsPseudonym(t *testing.T) {
	w, err := audit.NewWriter(actorKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx := logctx.WithRequestID(context.Background(), "req-1")
	const uuidSub = "3f6c2a9e-7b1d-4c5e-9a8f-2b3c4d5e6f70"
	for _, tc := range []struct {
		name   string
		actor  exam.Actor
		logged string
	}{
		{"a CPF-shaped sub", exam.Actor{Kind: exam.ActorAttendant, ID: "52998224725"}, audit.Pseudonym(actorKey, "52998224725")},
		{"a phone-shaped sub", exam.Actor{Kind: exam.ActorAttendant, ID: "5511987654321"}, audit.Pseudonym(actorKey, "5511987654321")},
		{"a CPF written with its punctuation", exam.Actor{Kind: exam.ActorAttendant, ID: "529.982.247-25"}, audit.Pseudonym(actorKey, "529.982.247-25")},
		{"a name-like sub", exam.Actor{Kind: exam.ActorAttendant, ID: "local-attendant"}, audit.Pseudonym(actorKey, "local-attendant")},
		{"a UUID sub", exam.Actor{Kind: exam.ActorAttendant, ID: uuidSub}, uuidSub},
		{"the system itself", exam.ProcessResultActor, "process-result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf := logtest.Capture(t)
			w.Write(ctx, audit.Entry{Action: audit.Action("exam.start"), Actor: tc.actor, Outcome: audit.OK})
			lines := logtest.AuditLines(t, buf.String())
			if len(lines) != 1 || lines[0].Actor["id"] != tc.logged {
				t.Fatalf("lines %v, want one naming %s", lines, tc.logged)
			}
			if tc.logged != tc.actor.ID {
				logtest.CheckLines(t, bytes.NewBufferString(buf.String()), []string{tc.actor.ID, "52998224725", "5511987654321", "98765"})
			}
		})
	}
}

func TestPseudonym(t *testing.T) {
	p := audit.Pseudonym(actorKey, "52998224725")
	// HMAC-SHA256, first 16 bytes, hexadecimal digits 0-f written a-p.
	mac := hmac.New(sha256.New, actorKey)
	mac.Write([]byte("52998224725"))
	letters := strings.NewReplacer("0", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6", "g", "7", "h",
		"8", "i", "9", "j", "a", "k", "b", "l", "c", "m", "d", "n", "e", "o", "f", "p")
	if want := "hmac-" + letters.Replace(hex.EncodeToString(mac.Sum(nil)[:16])); p != want {
		t.Fatalf("pseudonym %s, want %s", p, want)
	}
	if strings.ContainsAny(p[len("hmac-"):], "0123456789") || len(p) != len("hmac-")+32 {
		t.Fatalf("pseudonym %s: want 32 letters after the prefix", p)
	}
	if p == audit.Pseudonym(actorKey, "52998224726") || p == audit.Pseudonym([]byte("another-actor-key-0123456789abcdefghij"), "52998224725") {
		t.Fatal("another actor or another key gives the same pseudonym")
	}
	if _, err := audit.NewWriter([]byte("short")); err == nil {
		t.Fatal("a short key was accepted")
	}
}

// Without a key (the automatic path's Write), an attendant id that is not a
// UUID is withheld, never logged as it is.
func TestWriteWithoutKeyWithholdsANonUUIDActor(t *testing.T) {
	buf := logtest.Capture(t)
	audit.Write(context.Background(), audit.Entry{Action: audit.Action("exam.list"), Actor: exam.Actor{Kind: exam.ActorAttendant, ID: "52998224725"}, Outcome: audit.OK})
	if lines := logtest.AuditLines(t, buf.String()); len(lines) != 1 || lines[0].Actor["id"] != "withheld" {
		t.Fatalf("lines %v, want the id withheld", lines)
	}
}
