// Package awsenv builds the AWS SDK configuration of a Lambda function from its
// environment, and each service's from it: every adapter package's FromConfig
// goes through ForService, so a Lambda links only the clients it builds.
package awsenv

import (
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// FromEnv returns the SDK configuration of a Lambda function from the variables
// Lambda sets (AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) and the SDK's standard endpoint and checksum variables
// (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE> through ForService,
// AWS_REQUEST_CHECKSUM_CALCULATION, AWS_RESPONSE_CHECKSUM_VALIDATION).
//
// It stands in for config.LoadDefaultConfig, whose shared-file, SSO, STS and
// IMDS providers a Lambda never uses and which would add 1.6 MiB to every
// binary and work to every cold start (docs/testing.md, Performance).
func FromEnv() (aws.Config, error) { return fromEnv(os.LookupEnv) }

func fromEnv(lookup func(string) (string, bool)) (aws.Config, error) {
	get := func(name string) string { v, _ := lookup(name); return strings.TrimSpace(v) }
	region := get("AWS_REGION")
	if region == "" {
		region = get("AWS_DEFAULT_REGION")
	}
	if region == "" {
		return aws.Config{}, fmt.Errorf("AWS_REGION is not set")
	}
	key, secret := get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")
	if key == "" || secret == "" {
		return aws.Config{}, fmt.Errorf("no credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
	}
	cfg := aws.Config{
		Region:      region,
		Credentials: aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(key, secret, get("AWS_SESSION_TOKEN"))),
	}
	if v := get("AWS_ENDPOINT_URL"); v != "" {
		cfg.BaseEndpoint = aws.String(v)
	}
	switch strings.ToLower(get("AWS_REQUEST_CHECKSUM_CALCULATION")) {
	case "", "when_supported":
	case "when_required":
		cfg.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	default:
		return aws.Config{}, fmt.Errorf("AWS_REQUEST_CHECKSUM_CALCULATION must be when_supported or when_required")
	}
	switch strings.ToLower(get("AWS_RESPONSE_CHECKSUM_VALIDATION")) {
	case "", "when_supported":
	case "when_required":
		cfg.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	default:
		return aws.Config{}, fmt.Errorf("AWS_RESPONSE_CHECKSUM_VALIDATION must be when_supported or when_required")
	}
	return cfg, nil
}

// ForService returns cfg for one service: with its AWS_ENDPOINT_URL_<SERVICE>
// endpoint when set (service as the SDK spells it: DYNAMODB, S3, SNS, SESV2,
// SECRETS_MANAGER).
func ForService(cfg aws.Config, service string) aws.Config {
	if v := strings.TrimSpace(os.Getenv("AWS_ENDPOINT_URL_" + service)); v != "" {
		cfg.BaseEndpoint = aws.String(v)
	}
	return cfg
}
