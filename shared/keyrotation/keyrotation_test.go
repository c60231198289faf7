package keyrotation

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/zmed/exam-manager/shared/base64url"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/logging"
	"github.com/zmed/exam-manager/shared/secrets"
	"github.com/zmed/exam-manager/shared/testsupport/logtest"
	"github.com/zmed/exam-manager/shared/token"
)

const (
	examARN   = "arn:aws:secretsmanager:sa-east-1:123456789012:secret:zmed/test/exam-token-key"
	resultARN = "arn:aws:secretsmanager:sa-east-1:123456789012:secret:zmed/test/result-token-key"
)

var (
	now    = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	claims = exam.ExamClaims{ExamID: "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11", PatientID: "patient-1", ExamType: 3}
	stored = exam.Exam{ID: claims.ExamID, PatientID: claims.PatientID, Type: claims.ExamType}
)

// signed is what a fresh start signs with a secret's current key.
type signed struct{ examToken, labelCode, resultToken string }

func signWith(t *testing.T, examSM, resultSM *fakeSecret) signed {
	t.Helper()
	ctx := context.Background()
	examKey, err := secrets.SigningKey(ctx, examSM, config.Key{Name: "exam", SecretARN: examARN})
	if err != nil {
		t.Fatal(err)
	}
	resultKey, err := secrets.SigningKey(ctx, resultSM, config.Key{Name: "result", SecretARN: resultARN})
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := token.NewKeyIssuer(examKey, token.DefaultExamTokenTTL, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	var s signed
	if s.examToken, err = issuer.IssueExamToken(claims); err != nil {
		t.Fatal(err)
	}
	if s.labelCode, err = issuer.IssueLabelCode(claims); err != nil {
		t.Fatal(err)
	}
	if s.resultToken, err = resultKey.MintResultToken(claims.ExamID, now, time.Hour); err != nil {
		t.Fatal(err)
	}
	return s
}

// start is a verifier that reads both secrets now, as a cold start does.
func start(t *testing.T, examSM, resultSM *fakeSecret) *token.Verifier {
	t.Helper()
	v, err := token.NewReloadingVerifier(context.Background(),
		secrets.Source(examSM, config.Key{Name: "exam", SecretARN: examARN}),
		secrets.Source(resultSM, config.Key{Name: "result", SecretARN: resultARN}),
		func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// verify checks s with a verifier that reads both secrets now (a fresh start).
func verify(t *testing.T, examSM, resultSM *fakeSecret, s signed) error {
	t.Helper()
	v := start(t, examSM, resultSM)
	if _, err := v.VerifyExamToken(s.examToken); err != nil {
		return err
	}
	c, err := v.VerifyExamToken(s.labelCode)
	if err == nil {
		err = c.Seal.Check(stored)
	}
	if err != nil {
		return err
	}
	_, err = v.VerifyResultToken(s.resultToken)
	return err
}

func rotate(t *testing.T, sm *fakeSecret, arn, version string) {
	t.Helper()
	sm.startRotation(version)
	r := Rotator{Rotated: []string{examARN, resultARN}, Secrets: sm, NewKey: token.NewKey}
	for _, step := range []string{"createSecret", "setSecret", "testSecret", "finishSecret"} {
		if err := r.Rotate(context.Background(), Event{Step: step, SecretID: arn, ClientRequestToken: version}); err != nil {
			t.Fatalf("%s of %s: %v", step, version, err)
		}
	}
}

// TestRotationThroughFourSteps: each rotation of a secret still in the form
// generated at deploy makes a new key current, in the JSON form, with new
// ids; the key it replaces is the previous one. Tokens and label codes signed
// before a rotation verify after it; after a second one they do not, and
// what the new key signs verifies.
func TestRotationThroughFourSteps(t *testing.T) {
	examSM := newFakeSecret(examARN, "GeneratedAtDeployExamKey0123456789abcdefghijklmnopqrstuvwxyz0123")
	resultSM := newFakeSecret(resultARN, "GeneratedAtDeployResultKey0123456789abcdefghijklmnopqrstuvwxyz01")
	beforeFirst := signWith(t, examSM, resultSM)
	if err := verify(t, examSM, resultSM, beforeFirst); err != nil {
		t.Fatalf("before any rotation: %v", err)
	}

	for _, sm := range []*fakeSecret{examSM, resultSM} {
		old, _ := token.ParseKey(*sm.versions["v0"].value)
		rotate(t, sm, sm.arn, "v1")
		if got := sm.stagesOf("v1"); !slices.Contains(got, Current) {
			t.Fatalf("v1 stages %v, want AWSCURRENT", got)
		}
		if got := sm.stagesOf("v0"); !slices.Equal(got, []string{Previous}) {
			t.Fatalf("v0 stages %v, want AWSPREVIOUS alone", got)
		}
		value := *sm.versions["v1"].value
		k, err := token.ParseKey(value)
		if err != nil || !strings.HasPrefix(value, `{"kid":`) || len(k.Secret) < token.MinKeyLen || k.ID == old.ID || k.Label == old.Label {
			t.Fatalf("new key %q: %+v, %v; old ids %q/%d", value, k, err, old.ID, old.Label)
		}
	}
	if err := verify(t, examSM, resultSM, beforeFirst); err != nil {
		t.Errorf("signed before the rotation, verified after it: %v", err)
	}
	afterFirst := signWith(t, examSM, resultSM)
	if afterFirst.examToken == beforeFirst.examToken || afterFirst.labelCode == beforeFirst.labelCode {
		t.Fatal("the new key signs as the old one did")
	}
	if err := verify(t, examSM, resultSM, afterFirst); err != nil {
		t.Errorf("signed with the new key: %v", err)
	}

	rotate(t, examSM, examARN, "v2")
	rotate(t, resultSM, resultARN, "v2")
	if got := examSM.stagesOf("v0"); len(got) != 0 {
		t.Errorf("after two rotations the first key is still %v", got)
	}
	if err := verify(t, examSM, resultSM, afterFirst); err != nil {
		t.Errorf("signed before the second rotation: %v", err)
	}
	if err := verify(t, examSM, resultSM, beforeFirst); !errors.Is(err, exam.ErrInvalidToken) {
		t.Errorf("signed two rotations ago: %v, want an invalid token", err)
	}
}

// TestStepsAreIdempotent: a step called again (Secrets Manager retries after
// a failure) changes nothing: createSecret keeps the key it made, and every
// step of a version already current succeeds without a call that writes.
func TestStepsAreIdempotent(t *testing.T) {
	sm := newFakeSecret(examARN, strings.Repeat("k", 64))
	sm.startRotation("v1")
	r := Rotator{Rotated: []string{examARN, resultARN}, Secrets: sm, NewKey: token.NewKey}
	create := Event{Step: "createSecret", SecretID: examARN, ClientRequestToken: "v1"}
	for range 2 {
		if err := r.Rotate(context.Background(), create); err != nil {
			t.Fatal(err)
		}
	}
	if sm.puts != 1 {
		t.Fatalf("createSecret twice put %d values, want 1", sm.puts)
	}
	made := *sm.versions["v1"].value
	for _, step := range []string{"testSecret", "finishSecret", "finishSecret", "createSecret", "testSecret"} {
		if err := r.Rotate(context.Background(), Event{Step: step, SecretID: examARN, ClientRequestToken: "v1"}); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	if *sm.versions["v1"].value != made || sm.puts != 1 || !slices.Contains(sm.stagesOf("v1"), Current) || !slices.Contains(sm.stagesOf("v0"), Previous) {
		t.Fatalf("retries changed the secret: puts %d, v1 %v, v0 %v", sm.puts, sm.stagesOf("v1"), sm.stagesOf("v0"))
	}
}

// TestNewKeyAvoidsTheKeysInUse: the second rotation's key has ids neither
// the current nor the previous key has, so a verifier holding those two tells
// the new key's tokens and label codes apart as unknown.
func TestNewKeyAvoidsTheKeysInUse(t *testing.T) {
	sm := newFakeSecret(examARN, strings.Repeat("k", 64))
	rotate(t, sm, examARN, "v1")
	var kept []token.Key
	r := Rotator{Rotated: []string{examARN, resultARN}, Secrets: sm, NewKey: func(keep ...token.Key) (token.Key, error) {
		kept = keep
		return token.NewKey(keep...)
	}}
	sm.startRotation("v2")
	if err := r.Rotate(context.Background(), Event{Step: "createSecret", SecretID: examARN, ClientRequestToken: "v2"}); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, v := range []string{"v1", "v0"} {
		k, _ := token.ParseKey(*sm.versions[v].value)
		want = append(want, k.ID)
	}
	var got []string
	for _, k := range kept {
		got = append(got, k.ID)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("the new key avoided %v, want the current and previous %v", got, want)
	}
	made, _ := token.ParseKey(*sm.versions["v2"].value)
	for _, k := range kept {
		if k.ID == made.ID || k.Label == made.Label {
			t.Errorf("new key %s/%d shares an id with %s/%d", made.ID, made.Label, k.ID, k.Label)
		}
	}
}

// TestConfigurationCheck: when a schedule is set without rotating, Secrets
// Manager runs testSecret on a pending copy of the current value; it passes,
// and nothing is written.
func TestConfigurationCheck(t *testing.T) {
	generated := strings.Repeat("k", 64)
	sm := newFakeSecret(examARN, generated)
	sm.startRotation("check")
	_, _ = sm.PutSecretValue(context.Background(), putPending("check", generated))
	r := Rotator{Rotated: []string{examARN}, Secrets: sm, NewKey: token.NewKey}
	if err := r.Rotate(context.Background(), Event{Step: "testSecret", SecretID: examARN, ClientRequestToken: "check"}); err != nil {
		t.Fatalf("testSecret of the configuration check: %v", err)
	}
	if sm.puts != 1 || !slices.Contains(sm.stagesOf("v0"), Current) {
		t.Fatalf("the check wrote: puts %d, v0 %v", sm.puts, sm.stagesOf("v0"))
	}
}

// TestRefusals: the checks every step makes before acting, and testSecret's
// checks of the pending key.
func TestRefusals(t *testing.T) {
	plainPending := func(sm *fakeSecret) {
		_, _ = sm.PutSecretValue(context.Background(), putPending("v1", strings.Repeat("p", 64)))
	}
	shortPending := func(sm *fakeSecret) {
		_, _ = sm.PutSecretValue(context.Background(), putPending("v1", `{"kid":"k1","key":"c2hvcnQ"}`))
	}
	samePending := func(sm *fakeSecret) {
		current, _ := token.PlainKey([]byte(strings.Repeat("k", 64)))
		_, _ = sm.PutSecretValue(context.Background(), putPending("v1", current.Value()))
	}
	for _, tt := range []struct {
		name    string
		setup   func(*fakeSecret)
		event   Event
		refused bool // ErrRefused, rather than another error
	}{
		{"rotation not enabled", func(sm *fakeSecret) { sm.rotationEnabled = false; sm.startRotation("v1") }, Event{"createSecret", examARN, "v1"}, true},
		{"a version the secret does not have", func(*fakeSecret) {}, Event{"createSecret", examARN, "v9"}, true},
		{"a version that is not pending", func(sm *fakeSecret) { sm.startRotation("v1"); sm.startRotation("v2") }, Event{"createSecret", examARN, "v1"}, true},
		{"an unknown step", func(sm *fakeSecret) { sm.startRotation("v1") }, Event{"dropSecret", examARN, "v1"}, true},
		{"a secret not in the fake", func(sm *fakeSecret) { sm.startRotation("v1") }, Event{"createSecret", resultARN, "v1"}, false},
		{"a secret other than the token keys", func(sm *fakeSecret) { sm.startRotation("v1") }, Event{"createSecret", "arn:aws:secretsmanager:sa-east-1:123456789012:secret:zmed/test/cursor-key", "v1"}, true},
		{"testSecret before createSecret", func(sm *fakeSecret) { sm.startRotation("v1") }, Event{"testSecret", examARN, "v1"}, false},
		{"testSecret of a plain key", func(sm *fakeSecret) { sm.startRotation("v1"); plainPending(sm) }, Event{"testSecret", examARN, "v1"}, false},
		{"testSecret of a short key", func(sm *fakeSecret) { sm.startRotation("v1"); shortPending(sm) }, Event{"testSecret", examARN, "v1"}, false},
		{"testSecret of the current key again", func(sm *fakeSecret) { sm.startRotation("v1"); samePending(sm) }, Event{"testSecret", examARN, "v1"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sm := newFakeSecret(examARN, strings.Repeat("k", 64))
			tt.setup(sm)
			err := Rotator{Rotated: []string{examARN, resultARN}, Secrets: sm, NewKey: token.NewKey}.Rotate(context.Background(), tt.event)
			if err == nil || errors.Is(err, ErrRefused) != tt.refused {
				t.Fatalf("err = %v, want refused %v", err, tt.refused)
			}
			if !slices.Contains(sm.stagesOf("v0"), Current) {
				t.Fatalf("the current key moved: %v", sm.stagesOf("v0"))
			}
		})
	}
}

// TestLogsCarryNoKey: the lines of a rotation, and of a verifier reading the
// rotated secret again, name steps, versions and counts, never a key.
func TestLogsCarryNoKey(t *testing.T) {
	var buf bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(logging.New(&buf, slog.LevelDebug))
	t.Cleanup(func() { slog.SetDefault(prev) })

	generated := "GeneratedAtDeployExamKey0123456789abcdefghijklmnopqrstuvwxyz0123"
	sm := newFakeSecret(examARN, generated)
	resultSM := newFakeSecret(resultARN, "GeneratedAtDeployResultKey0123456789abcdefghijklmnopqrstuvwxyz01")
	warm := start(t, sm, resultSM)
	rotate(t, sm, examARN, "v1")
	s := signWith(t, sm, resultSM)
	if _, err := warm.VerifyExamToken(s.examToken); err != nil {
		t.Fatal(err)
	}
	made, _ := token.ParseKey(*sm.versions["v1"].value)
	forbidden := []string{generated, base64url.Encode(made.Secret), string(made.Secret), s.examToken, s.labelCode}
	if n := logtest.CheckLines(t, &buf, forbidden); n < 5 {
		t.Fatalf("%d log lines, want the four steps' and the reading's", n)
	}
}

// TestFromConfigRotatesTheNamedSecretsOnly: a key given as its value (no
// secret) leaves nothing to rotate, and no event names the empty secret.
func TestFromConfigRotatesTheNamedSecretsOnly(t *testing.T) {
	r := FromConfig(aws.Config{Region: "sa-east-1"}, "", examARN)
	if !slices.Equal(r.Rotated, []string{examARN}) || r.Secrets == nil || r.NewKey == nil {
		t.Fatalf("FromConfig = %+v", r)
	}
	if err := r.Rotate(context.Background(), Event{Step: "createSecret", ClientRequestToken: "v1"}); !errors.Is(err, ErrRefused) {
		t.Fatalf("an event without a secret: %v, want refused before any call", err)
	}
}
