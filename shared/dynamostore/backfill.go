package dynamostore

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/zmed/exam-manager/shared/exam"
)

// BackfillAPI is the part of the DynamoDB client BackfillWorklist needs.
type BackfillAPI interface {
	Scan(ctx context.Context, in *dynamodb.ScanInput, opts ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
}

// BackfillWorklist gives each exam stored before the worklist index existed
// its worklist key, from the time it entered its status, so that it shows in
// that status's worklist: a Scan for items without the key, then one
// conditional UpdateItem each, which applies only while the item still has no
// key and the same status (a transition meanwhile writes its own key). It
// returns how many exams it keyed. Run once after deploying the index; a
// second run finds nothing to do.
func BackfillWorklist(ctx context.Context, db BackfillAPI, table string) (int, error) {
	names := map[string]string{"#k": attrStatusAt, "#id": attrExamID, "#s": attrStatus, "#c": attrCreatedAt,
		"#u": attrUpdatedAt, "#st": attrStartedAt, "#f": attrFinishedAt, "#r": attrRevokedAt}
	in := &dynamodb.ScanInput{
		TableName:                &table,
		FilterExpression:         aws.String("attribute_not_exists(#k)"),
		ProjectionExpression:     aws.String("#id, #s, #c, #u, #st, #f, #r"),
		ExpressionAttributeNames: names,
	}
	keyed := 0
	for {
		out, err := db.Scan(ctx, in)
		if err != nil {
			return keyed, unavailable("scan for the worklist backfill", err)
		}
		for _, it := range out.Items {
			ok, err := backfillOne(ctx, db, table, it)
			if err != nil {
				return keyed, err
			}
			if ok {
				keyed++
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return keyed, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// backfillOne writes the worklist key of one scanned item, unless a
// transition has written one since the scan read it.
func backfillOne(ctx context.Context, db BackfillAPI, table string, it item) (bool, error) {
	d := decoder{it: it}
	e := exam.Exam{ID: d.str(attrExamID), Status: exam.Status(d.str(attrStatus)), CreatedAt: d.time(attrCreatedAt),
		UpdatedAt: d.time(attrUpdatedAt), StartedAt: d.time(attrStartedAt), FinishedAt: d.time(attrFinishedAt), RevokedAt: d.time(attrRevokedAt)}
	key := statusAt(exam.QueuePositionOf(e))
	if d.err != nil || e.ID == "" || e.Status == "" || key == "" {
		return false, errors.Join(d.err, errors.New("exam item: no id, status or time to key it by"))
	}
	_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &table,
		Key:                       item{attrExamID: str(e.ID)},
		UpdateExpression:          aws.String("SET #k = :k"),
		ConditionExpression:       aws.String("attribute_exists(#id) AND attribute_not_exists(#k) AND #s = :s"),
		ExpressionAttributeNames:  map[string]string{"#k": attrStatusAt, "#id": attrExamID, "#s": attrStatus},
		ExpressionAttributeValues: item{":k": str(key), ":s": str(string(e.Status))},
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		return false, nil
	case err != nil:
		return false, unavailable("backfill the worklist key", err)
	}
	return true, nil
}
