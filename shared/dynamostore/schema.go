package dynamostore

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TableCreator is the part of the DynamoDB client CreateTable needs.
type TableCreator interface {
	CreateTable(ctx context.Context, in *dynamodb.CreateTableInput, opts ...func(*dynamodb.Options)) (*dynamodb.CreateTableOutput, error)
}

// WorklistProjection is what the worklist index holds besides its keys and
// the table's: what a worklist item renders. Not the patient's document, the
// revoke reason, the result reference nor the write id: fewer copies of them,
// and fewer bytes written on every transition.
var WorklistProjection = []string{
	attrPatientID, attrPatientName, attrExamType, attrCreatedAt, attrUpdatedAt,
	attrStartedAt, attrFinishedAt, attrRevokedAt, attrNotification, attrHistory,
}

// CreateTable creates the exam table with its listing and worklist indexes, on demand. It is
// the schema template.yaml declares, for emulators (tests and the local stack).
func CreateTable(ctx context.Context, db TableCreator, table string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   &table,
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrExamID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPatientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrCreatedAt), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrStatus), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrStatusAt), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(attrExamID), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(PatientIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrPatientID), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrCreatedAt), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}, {
			IndexName: aws.String(StatusIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrStatus), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrStatusAt), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: WorklistProjection},
		}},
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	return nil
}
