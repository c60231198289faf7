package secrets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/testsupport/emulators"
	"github.com/zmed/exam-manager/shared/testsupport/emulators/mototest"
	"github.com/zmed/exam-manager/shared/token"
)

type fakeSecrets map[string]string

func (f fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	v, ok := f[*in.SecretId]
	if !ok {
		return nil, errors.New("ResourceNotFoundException")
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(v)}, nil
}

func TestKey(t *testing.T) {
	long := "0123456789abcdef0123456789abcdef"
	sm := fakeSecrets{"arn:good": long, "arn:short": "tiny"}
	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr error
	}{
		{"plain value", map[string]string{"ZMED_JWT_KEY": long}, long, nil},
		{"short plain value refused", map[string]string{"ZMED_JWT_KEY": long[:31]}, "", token.ErrShortKey},
		{"from a secret", map[string]string{"ZMED_JWT_KEY_SECRET_ARN": "arn:good"}, long, nil},
		{"short secret refused", map[string]string{"ZMED_JWT_KEY_SECRET_ARN": "arn:short"}, "", token.ErrShortKey},
		{"missing secret", map[string]string{"ZMED_JWT_KEY_SECRET_ARN": "arn:missing"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := config.FromMap(tt.env)
			k := r.Key("ZMED_JWT_KEY")
			if err := r.Err(); err != nil {
				t.Fatal(err)
			}
			got, err := Key(context.Background(), sm, k)
			switch {
			case tt.want != "" && (err != nil || string(got) != tt.want):
				t.Fatalf("Key = %q, %v", got, err)
			case tt.want == "" && err == nil:
				t.Fatal("no error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// TestRingAcrossRotations: against moto's Secrets Manager, a secret never
// rotated gives its one key; after each rotation (a new value put), the new
// key comes first and the one before it second, in either form of value (the
// generated plain key, then the JSON a rotation writes).
func TestRingAcrossRotations(t *testing.T) {
	moto := mototest.Start(t)
	client := FromConfig(emulators.Config(moto.URL)).(*secretsmanager.Client)
	ctx := context.Background()
	rotated, err := token.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{strings.Repeat("a", 40), strings.Repeat("b", 40), rotated.Value()}
	secretOf := func(value string) string {
		k, err := token.ParseKey(value)
		if err != nil {
			t.Fatal(err)
		}
		return string(k.Secret)
	}
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("zmed/test/exam-token-key"), SecretString: aws.String(keys[0])})
	if err != nil {
		t.Fatal(err)
	}
	k := config.Key{Name: "ZMED_JWT_KEY", SecretARN: aws.ToString(created.ARN)}
	want := [][]string{{keys[0]}, {keys[1], keys[0]}, {secretOf(keys[2]), keys[1]}}
	for rotation, w := range want {
		if rotation > 0 {
			if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: created.ARN, SecretString: aws.String(keys[rotation])}); err != nil {
				t.Fatal(err)
			}
		}
		ring, err := Ring(ctx, client, k)
		if err != nil {
			t.Fatalf("after %d rotations: %v", rotation, err)
		}
		var got []string
		for _, key := range ring {
			got = append(got, string(key.Secret))
		}
		if !slices.Equal(got, w) {
			t.Fatalf("after %d rotations: ring %q, want %q", rotation, got, w)
		}
	}

	// A plain value has no previous one.
	ring, err := Ring(ctx, client, config.Key{Name: "ZMED_JWT_KEY", Value: keys[0]})
	if err != nil || len(ring) != 1 {
		t.Fatalf("plain value: %q, %v", ring, err)
	}
}
