package awsenv

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

func TestFromEnv(t *testing.T) {
	lambdaEnv := map[string]string{"AWS_REGION": "sa-east-1", "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "tok"}
	with := func(extra map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if v, ok := extra[k]; ok {
				return v, true
			}
			v, ok := lambdaEnv[k]
			return v, ok
		}
	}
	cfg, err := fromEnv(with(nil))
	if err != nil || cfg.Region != "sa-east-1" || cfg.BaseEndpoint != nil ||
		cfg.RequestChecksumCalculation != 0 || cfg.ResponseChecksumValidation != 0 {
		t.Fatalf("Lambda environment: %+v, %v", cfg, err)
	}
	creds, err := cfg.Credentials.Retrieve(t.Context())
	if err != nil || creds.AccessKeyID != "AKIA" || creds.SecretAccessKey != "s" || creds.SessionToken != "tok" {
		t.Fatalf("credentials %+v, %v", creds, err)
	}

	cfg, err = fromEnv(with(map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
		"AWS_REQUEST_CHECKSUM_CALCULATION": "when_required", "AWS_RESPONSE_CHECKSUM_VALIDATION": "WHEN_REQUIRED"}))
	if err != nil || aws.ToString(cfg.BaseEndpoint) != "http://127.0.0.1:4566" ||
		cfg.RequestChecksumCalculation != aws.RequestChecksumCalculationWhenRequired ||
		cfg.ResponseChecksumValidation != aws.ResponseChecksumValidationWhenRequired {
		t.Fatalf("emulator environment: %+v, %v", cfg, err)
	}

	for name, extra := range map[string]map[string]string{
		"no region":      {"AWS_REGION": ""},
		"no credentials": {"AWS_ACCESS_KEY_ID": ""},
		"bad checksum":   {"AWS_REQUEST_CHECKSUM_CALCULATION": "sometimes"},
	} {
		if _, err := fromEnv(with(extra)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if cfg, _ := fromEnv(with(map[string]string{"AWS_REGION": "", "AWS_DEFAULT_REGION": "us-east-2"})); cfg.Region != "us-east-2" {
		t.Errorf("AWS_DEFAULT_REGION not used: %q", cfg.Region)
	}

	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:4567")
	base := aws.Config{BaseEndpoint: aws.String("http://127.0.0.1:4566")}
	if got := ForService(base, "DYNAMODB"); aws.ToString(got.BaseEndpoint) != "http://127.0.0.1:4567" {
		t.Fatalf("ForService(DYNAMODB) = %v", aws.ToString(got.BaseEndpoint))
	}
	if got := ForService(base, "S3"); aws.ToString(got.BaseEndpoint) != "http://127.0.0.1:4566" || !strings.HasPrefix(aws.ToString(base.BaseEndpoint), "http") {
		t.Fatalf("ForService(S3) = %v", aws.ToString(got.BaseEndpoint))
	}
}
