package secrets

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/zmed/exam-manager/shared/config"
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
