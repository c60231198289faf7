package keyrotation

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
)

// fakeSecret is one secret of Secrets Manager as a rotation sees it: versions
// with their staging labels, a version the service made for a rotation that
// has no value yet, a label on one version at a time, and AWSPREVIOUS moved
// to the version that loses AWSCURRENT.
type fakeSecret struct {
	mu              sync.Mutex
	arn             string
	rotationEnabled bool
	versions        map[string]*fakeVersion
	puts, reads     int
}

type fakeVersion struct {
	value  *string
	stages []string
}

func newFakeSecret(arn, value string) *fakeSecret {
	return &fakeSecret{arn: arn, rotationEnabled: true, versions: map[string]*fakeVersion{
		"v0": {value: &value, stages: []string{Current}},
	}}
}

// startRotation is the service's part: a version for the rotation, pending, without a value.
func (f *fakeSecret) startRotation(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.versions[id] = &fakeVersion{}
	f.label(Pending, id)
}

// label puts stage on version id alone.
func (f *fakeSecret) label(stage, id string) {
	for _, v := range f.versions {
		v.stages = slices.DeleteFunc(v.stages, func(s string) bool { return s == stage })
	}
	f.versions[id].stages = append(f.versions[id].stages, stage)
}

func (f *fakeSecret) stagesOf(id string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.versions[id].stages)
}

func (f *fakeSecret) check(id *string) error {
	if aws.ToString(id) != f.arn {
		return &types.ResourceNotFoundException{Message: aws.String("no such secret")}
	}
	return nil
}

func (f *fakeSecret) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(in.SecretId); err != nil {
		return nil, err
	}
	out := &secretsmanager.DescribeSecretOutput{ARN: &f.arn, RotationEnabled: aws.Bool(f.rotationEnabled), VersionIdsToStages: map[string][]string{}}
	for id, v := range f.versions {
		out.VersionIdsToStages[id] = slices.Clone(v.stages)
	}
	return out, nil
}

func (f *fakeSecret) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if err := f.check(in.SecretId); err != nil {
		return nil, err
	}
	stage := aws.ToString(in.VersionStage)
	if stage == "" && in.VersionId == nil {
		stage = Current
	}
	for id, v := range f.versions {
		if (in.VersionId == nil || *in.VersionId == id) && (stage == "" || slices.Contains(v.stages, stage)) && v.value != nil {
			return &secretsmanager.GetSecretValueOutput{ARN: &f.arn, VersionId: aws.String(id), SecretString: v.value, VersionStages: slices.Clone(v.stages)}, nil
		}
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("no such version")}
}

func (f *fakeSecret) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(in.SecretId); err != nil {
		return nil, err
	}
	id := aws.ToString(in.ClientRequestToken)
	v, exists := f.versions[id]
	switch {
	case exists && v.value != nil && *v.value != aws.ToString(in.SecretString):
		return nil, &types.ResourceExistsException{Message: aws.String("version exists with another value")}
	case !exists:
		v = &fakeVersion{}
		f.versions[id] = v
	}
	f.puts++
	v.value = in.SecretString
	for _, stage := range in.VersionStages {
		f.label(stage, id)
	}
	return &secretsmanager.PutSecretValueOutput{ARN: &f.arn, VersionId: &id}, nil
}

func (f *fakeSecret) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.check(in.SecretId); err != nil {
		return nil, err
	}
	stage, from, to := aws.ToString(in.VersionStage), aws.ToString(in.RemoveFromVersionId), aws.ToString(in.MoveToVersionId)
	holder := ""
	for id, v := range f.versions {
		if slices.Contains(v.stages, stage) {
			holder = id
		}
	}
	if holder != "" && holder != from {
		return nil, &types.InvalidParameterException{Message: aws.String(fmt.Sprintf("%s is attached to %s, not to RemoveFromVersionId", stage, holder))}
	}
	if _, ok := f.versions[to]; !ok {
		return nil, &types.InvalidParameterException{Message: aws.String("no such version")}
	}
	f.label(stage, to)
	if stage == Current && from != "" && from != to {
		f.label(Previous, from)
	}
	return &secretsmanager.UpdateSecretVersionStageOutput{ARN: &f.arn}, nil
}

func putPending(version, value string) *secretsmanager.PutSecretValueInput {
	return &secretsmanager.PutSecretValueInput{SecretId: aws.String(examARN), ClientRequestToken: aws.String(version),
		SecretString: aws.String(value), VersionStages: []string{Pending}}
}
