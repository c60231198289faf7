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

// CreateTable creates the exam table with its listing index, on demand. It is
// the schema template.yaml declares, for emulators (tests and the local stack).
func CreateTable(ctx context.Context, db TableCreator, table string) error {
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:   &table,
		BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String(attrExamID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrPatientID), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String(attrCreatedAt), AttributeType: types.ScalarAttributeTypeS},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String(attrExamID), KeyType: types.KeyTypeHash}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName: aws.String(PatientIndex),
			KeySchema: []types.KeySchemaElement{
				{AttributeName: aws.String(attrPatientID), KeyType: types.KeyTypeHash},
				{AttributeName: aws.String(attrCreatedAt), KeyType: types.KeyTypeRange},
			},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		return fmt.Errorf("create table %s: %w", table, err)
	}
	return nil
}
