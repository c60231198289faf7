package secrets

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/golang-jwt/jwt/v5"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/exam"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
	"github.com/zmed/exam-manager/shared/testsupport/fakes"
	"github.com/zmed/exam-manager/shared/token"
)

// countingGetter counts the reads of a Secrets Manager client.
type countingGetter struct {
	Getter
	reads atomic.Int32
}

func (c *countingGetter) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	c.reads.Add(1)
	return c.Getter.GetSecretValue(ctx, in, opts...)
}

// TestWarmVerifierLearnsARotatedKey, against moto's Secrets Manager: a
// verifier started before a rotation (a warm container) verifies what a
// container started after it signs (an exam token, its label code, a result
// token), reading the secret again once; a second unknown key id within the
// minute reads nothing and is refused, as is one after a minute that the
// secret does not hold either (read again: once).
func TestWarmVerifierLearnsARotatedKey(t *testing.T) {
	moto := mototest.Start(t)
	client := FromConfig(emulators.Config(moto.URL)).(*secretsmanager.Client)
	ctx := context.Background()
	secret := func(name, value string) config.Key {
		out, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(name), SecretString: aws.String(value)})
		if err != nil {
			t.Fatal(err)
		}
		return config.Key{Name: name, SecretARN: aws.ToString(out.ARN)}
	}
	examKey := secret("zmed/test/exam-token-key", "GeneratedAtDeployExamKey0123456789abcdefghijklmnop")
	resultKey := secret("zmed/test/result-token-key", "GeneratedAtDeployResultKey0123456789abcdefghijklmn")
	rotate := func(k config.Key) {
		old, err := SigningKey(ctx, client, k)
		if err != nil {
			t.Fatal(err)
		}
		next, err := token.NewKey(old)
		if err != nil {
			t.Fatal(err)
		}
		// What finishSecret leaves: the new key current, the old one previous.
		if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &k.SecretARN, SecretString: aws.String(next.Value())}); err != nil {
			t.Fatal(err)
		}
	}
	clock := fakes.NewClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))
	claims := exam.ExamClaims{ExamID: "4f1c2a1e-8a57-4c8e-9d35-5b1f6f0b8f11", PatientID: "patient-1", ExamType: 3}
	stored := exam.Exam{ID: claims.ExamID, PatientID: claims.PatientID, Type: claims.ExamType}

	warmStart := func() (*token.Verifier, *countingGetter) {
		counted := &countingGetter{Getter: client}
		v, err := token.NewReloadingVerifier(ctx, Source(counted, examKey), Source(counted, resultKey), clock.Now)
		if err != nil {
			t.Fatal(err)
		}
		counted.reads.Store(0)
		return v, counted
	}
	type form struct {
		name   string
		verify func(v *token.Verifier, s signedAfter) error
	}
	forms := []form{
		{"exam token", func(v *token.Verifier, s signedAfter) error { _, err := v.VerifyExamToken(s.examToken); return err }},
		{"label code", func(v *token.Verifier, s signedAfter) error {
			c, err := v.VerifyExamToken(s.labelCode)
			if err == nil {
				err = c.Seal.Check(stored)
			}
			return err
		}},
		{"result token", func(v *token.Verifier, s signedAfter) error { _, err := v.VerifyResultToken(s.resultToken); return err }},
	}
	warm := make([]*token.Verifier, len(forms))
	counters := make([]*countingGetter, len(forms))
	for i := range forms {
		warm[i], counters[i] = warmStart()
	}
	rotate(examKey)
	rotate(resultKey)

	// A container started after the rotation signs.
	freshExam, err := SigningKey(ctx, client, examKey)
	if err != nil {
		t.Fatal(err)
	}
	freshResult, err := SigningKey(ctx, client, resultKey)
	if err != nil {
		t.Fatal(err)
	}
	issuer, err := token.NewKeyIssuer(freshExam, token.DefaultExamTokenTTL, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	var s signedAfter
	s.examToken, _ = issuer.IssueExamToken(claims)
	s.labelCode, _ = issuer.IssueLabelCode(claims)
	s.resultToken, _ = freshResult.MintResultToken(claims.ExamID, clock.Now(), time.Hour)

	for i, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			// Callers at once: one reading between them.
			var wg sync.WaitGroup
			errs := make([]error, 4)
			for j := range errs {
				wg.Add(1)
				go func() { defer wg.Done(); errs[j] = f.verify(warm[i], s) }()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("the warm verifier refused what a fresh start signed: %v", err)
			}
			if got := counters[i].reads.Load(); got != 2 { // the current and the previous stage of one secret
				t.Fatalf("%d reads, want one reading of the secret (2)", got)
			}
		})
	}

	// An unknown key id: refused; read again at most once a minute.
	v, counted := warm[0], counters[0]
	unknown := func(kid string) error {
		tok := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"iss": token.ExamIssuer, "exam_id": claims.ExamID,
			"patient_id": claims.PatientID, "exam_type": 3, "iat": clock.Now().Unix(), "exp": clock.Now().Add(time.Hour).Unix()})
		tok.Header["kid"] = kid
		signed, _ := tok.SignedString(freshExam.Secret)
		_, err := v.VerifyExamToken(signed)
		return err
	}
	before := counted.reads.Load()
	clock.Advance(30 * time.Second)
	if err := unknown("k-stranger-1"); !errors.Is(err, exam.ErrInvalidToken) {
		t.Fatalf("unknown kid: %v, want an invalid token", err)
	}
	if got := counted.reads.Load() - before; got != 0 {
		t.Errorf("an unknown kid within the minute read the secret %d times", got)
	}
	clock.Advance(time.Minute)
	if err := unknown("k-stranger-2"); !errors.Is(err, exam.ErrInvalidToken) {
		t.Fatalf("unknown kid after reading again: %v, want an invalid token", err)
	}
	if got := counted.reads.Load() - before; got != 2 {
		t.Errorf("an unknown kid a minute later: %d reads, want one reading (2)", got)
	}
	if err := unknown("k-stranger-3"); !errors.Is(err, exam.ErrInvalidToken) || counted.reads.Load()-before != 2 {
		t.Errorf("a third unknown kid at once: %v, reads %d", err, counted.reads.Load()-before)
	}
}

// signedAfter is what a container started after a rotation signs.
type signedAfter struct{ examToken, labelCode, resultToken string }
