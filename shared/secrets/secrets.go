// Package secrets resolves signing keys: from the environment locally, from
// Secrets Manager in AWS, once per cold start.
package secrets

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/config"
	"github.com/zmed/exam-manager/shared/token"
)

// Getter is the part of the Secrets Manager client used.
type Getter interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// FromConfig returns a Secrets Manager client of cfg.
func FromConfig(cfg aws.Config) Getter {
	return secretsmanager.NewFromConfig(awsenv.ForService(cfg, "SECRETS_MANAGER"))
}

// Key returns the key k names, refusing one shorter than token.MinKeyLen bytes.
// client is only used when k names a secret.
func Key(ctx context.Context, client Getter, k config.Key) ([]byte, error) {
	value := k.Value
	if k.SecretARN != "" {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &k.SecretARN})
		if err != nil {
			return nil, fmt.Errorf("%s: read secret: %w", k.Name, err)
		}
		if out.SecretString == nil {
			return nil, fmt.Errorf("%s: secret has no string value", k.Name)
		}
		value = *out.SecretString
	}
	if err := token.CheckKey([]byte(value)); err != nil {
		return nil, fmt.Errorf("%s: %w", k.Name, err)
	}
	return []byte(value), nil
}

// Ring returns k's current value and, when k names a secret that has been
// rotated, its previous value too (Secrets Manager's AWSPREVIOUS stage),
// current first: tokens signed before the last rotation still verify.
func Ring(ctx context.Context, client Getter, k config.Key) ([][]byte, error) {
	current, err := Key(ctx, client, k)
	if err != nil {
		return nil, err
	}
	ring := [][]byte{current}
	if k.SecretARN == "" {
		return ring, nil
	}
	out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &k.SecretARN, VersionStage: aws.String("AWSPREVIOUS")})
	var never *types.ResourceNotFoundException
	switch {
	case errors.As(err, &never):
		return ring, nil // never rotated
	case err != nil:
		return nil, fmt.Errorf("%s: read the previous secret: %w", k.Name, err)
	case out.SecretString == nil:
		return nil, fmt.Errorf("%s: the previous secret has no string value", k.Name)
	}
	previous := []byte(*out.SecretString)
	if err := token.CheckKey(previous); err != nil {
		return nil, fmt.Errorf("%s (previous): %w", k.Name, err)
	}
	return append(ring, previous), nil
}
