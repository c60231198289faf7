// Package dynamostore is the exam store on DynamoDB: a table keyed by exam_id
// with a global secondary index on patient_id + created_at for the listing,
// and one on status + status_at for the worklist. Every transition is one
// conditional UpdateItem, which moves the exam between worklists too.
package dynamostore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/zmed/exam-manager/shared/awsenv"
	"github.com/zmed/exam-manager/shared/exam"
)

// PatientIndex is the name of the listing index.
const PatientIndex = "patient_id-created_at-index"

// StatusIndex is the name of the worklist index.
const StatusIndex = "status-status_at-index"

// API is the part of the DynamoDB client the store uses.
type API interface {
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
}

// Store is the DynamoDB exam store.
type Store struct {
	db    API
	table string
}

var _ exam.Store = (*Store)(nil)

// FromConfig returns a store on table with a DynamoDB client of cfg.
func FromConfig(cfg aws.Config, table string) *Store {
	return New(dynamodb.NewFromConfig(awsenv.ForService(cfg, "DYNAMODB")), table)
}

// New returns a store on table.
func New(db API, table string) *Store {
	return &Store{db: db, table: table}
}

// Create puts e unless an item with its id exists; then it returns an
// *exam.ExistsError with the stored exam, at no extra call (ALL_OLD).
func (s *Store) Create(ctx context.Context, e exam.Exam) error {
	writeID := rand.Text()
	it := toItem(e)
	it[attrWriteID] = str(writeID)
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                it,
		ConditionExpression:                 aws.String("attribute_not_exists(" + attrExamID + ")"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		current, err := s.refused(ctx, e.ID, failed)
		if err != nil {
			return err
		}
		if ownWrite(current, writeID) {
			return nil
		}
		stored, err := fromItem(current)
		if err != nil {
			return err
		}
		return &exam.ExistsError{Current: stored}
	}
	return unavailable("create exam", err)
}

// Get reads one exam, strongly consistent: it decides transitions.
func (s *Store) Get(ctx context.Context, id string) (exam.Exam, error) {
	it, err := s.getItem(ctx, id)
	if err != nil {
		return exam.Exam{}, err
	}
	return fromItem(it)
}

func (s *Store) getItem(ctx context.Context, id string) (item, error) {
	out, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            item{attrExamID: str(id)},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return nil, unavailable("get exam", err)
	}
	if out.Item == nil {
		return nil, exam.ErrExamNotFound
	}
	return out.Item, nil
}

// refused is the item as it stood when a condition refused a write: the one
// DynamoDB returns (ALL_OLD), or, from an implementation that returns none,
// read again.
func (s *Store) refused(ctx context.Context, id string, failed *types.ConditionalCheckFailedException) (item, error) {
	if failed.Item != nil {
		return failed.Item, nil
	}
	return s.getItem(ctx, id)
}

// ownWrite tells whether the item was last written by the write writeID.
func ownWrite(it item, writeID string) bool {
	v, ok := it[attrWriteID].(*types.AttributeValueMemberS)
	return ok && v.Value == writeID
}

// ListByPatient queries the patient index newest first.
func (s *Store) ListByPatient(ctx context.Context, patientID string, limit int, after *exam.Position) (exam.Page, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(PatientIndex),
		KeyConditionExpression:    aws.String("#p = :p"),
		ExpressionAttributeNames:  map[string]string{"#p": attrPatientID},
		ExpressionAttributeValues: item{":p": str(patientID)},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != nil {
		in.ExclusiveStartKey = item{attrExamID: str(after.ExamID), attrPatientID: str(patientID), attrCreatedAt: str(after.CreatedAt)}
	}
	exams, more, err := s.query(ctx, in, "list exams")
	if err != nil {
		return exam.Page{}, err
	}
	page := exam.Page{Exams: exams}
	if more {
		next := exam.PositionOf(exams[len(exams)-1])
		page.Next = &next
	}
	return page, nil
}

// query runs one Query of at most *in.Limit items and decodes them. more
// says whether a next page is worth naming: DynamoDB may return a
// LastEvaluatedKey on a page that happens to be the last, so only when this
// one is full.
func (s *Store) query(ctx context.Context, in *dynamodb.QueryInput, op string) (exams []exam.Exam, more bool, err error) {
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, false, unavailable(op, err)
	}
	exams = make([]exam.Exam, 0, len(out.Items))
	for _, it := range out.Items {
		e, err := fromItem(it)
		if err != nil {
			return nil, false, err
		}
		exams = append(exams, e)
	}
	return exams, len(out.LastEvaluatedKey) > 0 && len(exams) == int(aws.ToInt32(in.Limit)), nil
}

// ListByStatus queries the worklist index oldest first, from since on: one
// Query, the bound in the key condition (no filter reads what it drops).
func (s *Store) ListByStatus(ctx context.Context, status exam.Status, since time.Time, limit int, after *exam.QueuePosition) (exam.QueuePage, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(StatusIndex),
		KeyConditionExpression:    aws.String("#s = :s AND #k >= :since"),
		ExpressionAttributeNames:  map[string]string{"#s": attrStatus, "#k": attrStatusAt},
		ExpressionAttributeValues: item{":s": str(string(status)), ":since": str(exam.FormatSortable(since))},
		ScanIndexForward:          aws.Bool(true),
		Limit:                     aws.Int32(int32(limit)),
	}
	if after != nil {
		in.ExclusiveStartKey = item{attrExamID: str(after.ExamID), attrStatus: str(string(status)), attrStatusAt: str(statusAt(*after))}
	}
	exams, more, err := s.query(ctx, in, "list worklist")
	if err != nil {
		return exam.QueuePage{}, err
	}
	page := exam.QueuePage{Exams: exams}
	if more {
		next := exam.QueuePositionOf(exams[len(exams)-1])
		page.Next = &next
	}
	return page, nil
}

// Transition writes t as one conditional UpdateItem.
func (s *Store) Transition(ctx context.Context, t exam.Transition) (exam.Exam, error) {
	u := newUpdate()
	at := exam.FormatSortable(t.At)
	u.set(attrStatus, str(string(t.To)))
	// The worklist index's key moves with the status, in the same write: the
	// exam leaves its old status's worklist as it enters the new one's.
	u.set(attrStatusAt, str(statusAt(exam.QueuePosition{EnteredAt: at, ExamID: t.ExamID})))
	u.set(attrUpdatedAt, str(at))
	// The history entry rides on the transition's own write: no extra call,
	// and no entry without its transition.
	u.appendTo(attrHistory, &types.AttributeValueMemberL{Value: []types.AttributeValue{historyEntryValue(t.Entry())}})
	switch t.To {
	case exam.StatusStarted:
		u.set(attrStartedAt, str(at))
	case exam.StatusFinished:
		u.set(attrFinishedAt, str(at))
		u.set(attrResultRef, str(t.ResultRef))
		u.set(attrNotification, notificationValue(t.Notification))
	case exam.StatusRevoked:
		u.set(attrRevokedAt, str(at))
		u.set(attrRevokeReason, str(t.Reason))
	}
	u.cond("attribute_exists(%s)", u.name(attrExamID))
	u.cond("%s = %s", u.name(attrPatientID), u.value(str(t.PatientID)))
	if t.ExamType != 0 {
		u.cond("%s = %s", u.name(attrExamType), u.value(num(int(t.ExamType))))
	}
	from := make([]string, len(t.From))
	for i, st := range t.From {
		from[i] = u.value(str(string(st)))
	}
	u.cond("%s IN (%s)", u.name(attrStatus), strings.Join(from, ", "))
	return s.update(ctx, t.ExamID, u)
}

// UpdateNotification replaces the notification if expectOwner holds the claim.
func (s *Store) UpdateNotification(ctx context.Context, id, expectOwner string, n exam.Notification) (exam.Exam, error) {
	u := newUpdate()
	u.set(attrNotification, notificationValue(n))
	u.cond("%s = %s", u.name(attrStatus), u.value(str(string(exam.StatusFinished))))
	u.cond("%s = %s", u.path(attrNotification, attrNotifStatus), u.value(str(string(exam.NotificationPending))))
	if expectOwner == "" {
		u.cond("attribute_not_exists(%s)", u.path(attrNotification, attrClaimOwner))
	} else {
		u.cond("%s = %s", u.path(attrNotification, attrClaimOwner), u.value(str(expectOwner)))
	}
	return s.update(ctx, id, u)
}

// ClaimFailedNotification replaces the notification if it failed at failedAt.
func (s *Store) ClaimFailedNotification(ctx context.Context, id string, failedAt time.Time, claim exam.Notification) (exam.Exam, error) {
	u := newUpdate()
	u.set(attrNotification, notificationValue(claim))
	u.cond("%s = %s", u.name(attrStatus), u.value(str(string(exam.StatusFinished))))
	u.cond("%s = %s", u.path(attrNotification, attrNotifStatus), u.value(str(string(exam.NotificationFailed))))
	u.cond("%s = %s", u.path(attrNotification, attrNotifAt), u.value(str(exam.FormatSortable(failedAt))))
	return s.update(ctx, id, u)
}

// update runs u on the item id. A refused condition becomes ErrExamNotFound or
// a *ConflictError with the item as it is.
func (s *Store) update(ctx context.Context, id string, u *update) (exam.Exam, error) {
	writeID := rand.Text()
	u.set(attrWriteID, str(writeID))
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                           &s.table,
		Key:                                 item{attrExamID: str(id)},
		UpdateExpression:                    aws.String(u.expression()),
		ConditionExpression:                 aws.String(strings.Join(u.conds, " AND ")),
		ExpressionAttributeNames:            u.names,
		ExpressionAttributeValues:           u.values,
		ReturnValues:                        types.ReturnValueAllNew,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var failed *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &failed):
		current, err := s.refused(ctx, id, failed)
		if err != nil {
			return exam.Exam{}, err
		}
		e, err := fromItem(current)
		if err != nil {
			return exam.Exam{}, err
		}
		if ownWrite(current, writeID) {
			return e, nil
		}
		return exam.Exam{}, &exam.ConflictError{Current: e}
	case err != nil:
		return exam.Exam{}, unavailable("update exam", err)
	}
	return fromItem(out.Attributes)
}

// unavailable wraps a backend error as a dependency failure.
func unavailable(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: dynamodb %s: %w", exam.ErrDependency, op, err)
}
