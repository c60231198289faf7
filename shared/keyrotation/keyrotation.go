// Package keyrotation is the Secrets Manager rotation of the token keys: each
// rotation makes a new random key with a new id (token.NewKey) and makes it
// current, and the key it replaces stays as the previous one, which verifiers
// still accept. Secrets Manager calls the function once per step; every step
// can be called again after a failure and does the same thing.
package keyrotation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/health"
	"github.com/zmed/exam-manager/shared/token"
)

// Function is the folder of the rotation function.
const Function = "rotate-token-keys"

// The staging labels of Secrets Manager's rotation.
const (
	Current  = "AWSCURRENT"
	Pending  = "AWSPENDING"
	Previous = "AWSPREVIOUS"
)

// Event is what Secrets Manager sends each step.
type Event struct {
	Step               string `json:"Step"`
	SecretID           string `json:"SecretId"`
	ClientRequestToken string `json:"ClientRequestToken"`
}

// SecretsManager is the part of the Secrets Manager client a rotation uses.
type SecretsManager interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	PutSecretValue(ctx context.Context, in *secretsmanager.PutSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// FromConfig returns the Rotator of the secrets named by rotated (ARNs; an
// empty one is skipped) on a Secrets Manager client of cfg.
func FromConfig(cfg aws.Config, rotated ...string) Rotator {
	return Rotator{
		Rotated: slices.DeleteFunc(slices.Clone(rotated), func(arn string) bool { return arn == "" }),
		Secrets: secretsmanager.NewFromConfig(awsenv.ForService(cfg, "SECRETS_MANAGER")),
		NewKey:  token.NewKey,
	}
}

// ErrRefused: the event does not describe a rotation this function may do
// (rotation off, a version the secret does not have, or not pending).
var ErrRefused = errors.New("rotation refused")

// Rotator rotates a token key secret.
type Rotator struct {
	// Rotated are the ARNs of the secrets it may rotate: the token keys and no
	// other secret, whatever its role's policy allows.
	Rotated []string
	Secrets SecretsManager
	// NewKey makes the new key, none of whose ids is one of keep's (token.NewKey).
	NewKey func(keep ...token.Key) (token.Key, error)
}

// Handler is r's Lambda handler: the health event answered (no secret read),
// any other event a rotation step.
func Handler(r Rotator) func(context.Context, Event) (*health.Answer, error) {
	return func(ctx context.Context, e Event) (*health.Answer, error) {
		if e.Step == health.RotationStep {
			a := health.Answered(ctx, health.Rotation)
			return &a, nil
		}
		return nil, r.Rotate(ctx, e)
	}
}

// Rotate runs one step of a rotation.
func (r Rotator) Rotate(ctx context.Context, e Event) error {
	if e.SecretID == "" || !slices.Contains(r.Rotated, e.SecretID) {
		return fmt.Errorf("%w: not a token key secret", ErrRefused)
	}
	log := slog.With("step", e.Step, "version", e.ClientRequestToken)
	secret, err := r.Secrets.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: &e.SecretID})
	if err != nil {
		return fmt.Errorf("describe the secret: %w", err)
	}
	if !aws.ToBool(secret.RotationEnabled) {
		return fmt.Errorf("%w: rotation is not enabled on the secret", ErrRefused)
	}
	stages, known := secret.VersionIdsToStages[e.ClientRequestToken]
	switch {
	case !known:
		return fmt.Errorf("%w: the version is not one of the secret's", ErrRefused)
	case slices.Contains(stages, Current):
		log.Info("token key rotation: the version is already current") // a retry after finishSecret
		return nil
	case !slices.Contains(stages, Pending):
		return fmt.Errorf("%w: the version is not pending", ErrRefused)
	}
	switch e.Step {
	case "createSecret":
		err = r.create(ctx, e, secret.VersionIdsToStages)
	case "setSecret":
		// Nothing holds the key but the secret: verifiers read it from there.
	case "testSecret":
		err = r.test(ctx, e)
	case "finishSecret":
		err = r.finish(ctx, e, secret.VersionIdsToStages)
	default:
		return fmt.Errorf("%w: unknown step %q", ErrRefused, e.Step)
	}
	if err != nil {
		return err
	}
	log.Info("token key rotation: step done")
	return nil
}

// create puts a new key as the pending version, unless a retry finds it there.
func (r Rotator) create(ctx context.Context, e Event, versions map[string][]string) error {
	current, err := r.key(ctx, e.SecretID, &secretsmanager.GetSecretValueInput{VersionStage: aws.String(Current)})
	if err != nil {
		return err
	}
	_, err = r.value(ctx, e.SecretID, &secretsmanager.GetSecretValueInput{VersionId: &e.ClientRequestToken, VersionStage: aws.String(Pending)})
	var absent *types.ResourceNotFoundException
	switch {
	case err == nil:
		return nil // made by an earlier try of this step
	case !errors.As(err, &absent):
		return err
	}
	keep := []token.Key{current}
	if previousVersion(versions) != "" {
		previous, err := r.key(ctx, e.SecretID, &secretsmanager.GetSecretValueInput{VersionStage: aws.String(Previous)})
		if err != nil {
			return err
		}
		keep = append(keep, previous)
	}
	key, err := r.NewKey(keep...)
	if err != nil {
		return err
	}
	_, err = r.Secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: &e.SecretID, ClientRequestToken: &e.ClientRequestToken,
		SecretString: aws.String(key.Value()), VersionStages: []string{Pending},
	})
	if err != nil {
		return fmt.Errorf("put the new key: %w", err)
	}
	return nil
}

// test checks the pending key: a key verifiers read, long enough, in the
// form a rotation writes, with ids the current key does not have. A pending
// copy of the current value is Secrets Manager's own check of the rotation's
// configuration, made when a schedule is set without rotating: the value
// must read as a key, nothing more.
func (r Rotator) test(ctx context.Context, e Event) error {
	value, err := r.value(ctx, e.SecretID, &secretsmanager.GetSecretValueInput{VersionId: &e.ClientRequestToken, VersionStage: aws.String(Pending)})
	if err != nil {
		return err
	}
	pending, err := token.ParseKey(value)
	if err != nil {
		return fmt.Errorf("the pending key: %w", err)
	}
	currentValue, err := r.value(ctx, e.SecretID, &secretsmanager.GetSecretValueInput{VersionStage: aws.String(Current)})
	if err != nil || currentValue == value {
		return err
	}
	if pending.Value() != value {
		return errors.New("the pending key is not in the form a rotation writes")
	}
	current, err := token.ParseKey(currentValue)
	if err != nil {
		return fmt.Errorf("the current key: %w", err)
	}
	if current.ID == pending.ID || current.Label == pending.Label {
		return errors.New("the pending key has an id of the current key")
	}
	return nil
}

// finish makes the pending version current; Secrets Manager then labels the
// version it replaces AWSPREVIOUS, which verifiers still accept.
func (r Rotator) finish(ctx context.Context, e Event, versions map[string][]string) error {
	var current string
	for id, stages := range versions {
		if slices.Contains(stages, Current) {
			current = id
		}
	}
	_, err := r.Secrets.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: &e.SecretID, VersionStage: aws.String(Current),
		MoveToVersionId: &e.ClientRequestToken, RemoveFromVersionId: &current,
	})
	if err != nil {
		return fmt.Errorf("make the new key current: %w", err)
	}
	return nil
}

func previousVersion(versions map[string][]string) string {
	for id, stages := range versions {
		if slices.Contains(stages, Previous) {
			return id
		}
	}
	return ""
}

// key reads a version of the secret as a token key.
func (r Rotator) key(ctx context.Context, secretID string, in *secretsmanager.GetSecretValueInput) (token.Key, error) {
	value, err := r.value(ctx, secretID, in)
	if err != nil {
		return token.Key{}, err
	}
	k, err := token.ParseKey(value)
	if err != nil {
		return token.Key{}, fmt.Errorf("the %s key: %w", aws.ToString(in.VersionStage), err)
	}
	return k, nil
}

func (r Rotator) value(ctx context.Context, secretID string, in *secretsmanager.GetSecretValueInput) (string, error) {
	in.SecretId = &secretID
	out, err := r.Secrets.GetSecretValue(ctx, in)
	if err != nil {
		return "", fmt.Errorf("read the %s key: %w", aws.ToString(in.VersionStage), err)
	}
	if out.SecretString == nil {
		return "", fmt.Errorf("the %s key has no string value", aws.ToString(in.VersionStage))
	}
	return *out.SecretString, nil
}
