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

// Key returns the key k names as its bytes (a key that is never rotated: the
// cursor's, the pseudonyms'), refusing one shorter than token.MinKeyLen bytes.
// client is only used when k names a secret.
func Key(ctx context.Context, client Getter, k config.Key) ([]byte, error) {
	value, err := read(ctx, client, k, "")
	if err != nil {
		return nil, err
	}
	if err := token.CheckKey([]byte(value)); err != nil {
		return nil, fmt.Errorf("%s: %w", k.Name, err)
	}
	return []byte(value), nil
}

// SigningKey returns the current token key k names, in either form a secret
// holds (token.ParseKey): the key start exam and the execution team sign with.
func SigningKey(ctx context.Context, client Getter, k config.Key) (token.Key, error) {
	value, err := read(ctx, client, k, "")
	if err != nil {
		return token.Key{}, err
	}
	key, err := token.ParseKey(value)
	if err != nil {
		return token.Key{}, fmt.Errorf("%s: %w", k.Name, err)
	}
	return key, nil
}

// Ring returns the token key k names and, when k names a secret that has been
// rotated, its previous key too (Secrets Manager's AWSPREVIOUS stage),
// current first: tokens signed before the last rotation still verify.
func Ring(ctx context.Context, client Getter, k config.Key) ([]token.Key, error) {
	current, err := SigningKey(ctx, client, k)
	if err != nil {
		return nil, err
	}
	ring := []token.Key{current}
	if k.SecretARN == "" {
		return ring, nil
	}
	value, err := read(ctx, client, k, "AWSPREVIOUS")
	var never *types.ResourceNotFoundException
	switch {
	case errors.As(err, &never):
		return ring, nil // never rotated
	case err != nil:
		return nil, err
	}
	previous, err := token.ParseKey(value)
	if err != nil {
		return nil, fmt.Errorf("%s (previous): %w", k.Name, err)
	}
	return append(ring, previous), nil
}

// Source is Ring as a token.KeySource: the verifier reads k's keys with it at
// start and again when a token names a key it lacks.
func Source(client Getter, k config.Key) token.KeySource {
	return func(ctx context.Context) ([]token.Key, error) { return Ring(ctx, client, k) }
}

// read returns the value k names: k's own value, or its secret's at stage
// ("" for the current one).
func read(ctx context.Context, client Getter, k config.Key, stage string) (string, error) {
	if k.SecretARN == "" {
		return k.Value, nil
	}
	in := &secretsmanager.GetSecretValueInput{SecretId: &k.SecretARN}
	if stage != "" {
		in.VersionStage = &stage
	}
	out, err := client.GetSecretValue(ctx, in)
	switch {
	case err != nil:
		return "", fmt.Errorf("%s: read secret %s: %w", k.Name, stageName(stage), err)
	case out.SecretString == nil:
		return "", fmt.Errorf("%s: secret %s has no string value", k.Name, stageName(stage))
	}
	return *out.SecretString, nil
}

func stageName(stage string) string {
	if stage == "" {
		return "AWSCURRENT"
	}
	return stage
}
