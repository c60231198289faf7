package dynamostore

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/zmed/exam-manager/shared/exam"
)

// Attribute names of an exam item. Flat attributes keep condition expressions simple.
const (
	attrExamID          = "exam_id"
	attrPatientID       = "patient_id"
	attrPatientDocument = "patient_document"
	attrPatientName     = "patient_name"
	attrExamType        = "exam_type"
	attrStatus          = "status"
	attrCreatedAt       = "created_at"
	attrUpdatedAt       = "updated_at"
	attrStartedAt       = "started_at"
	attrFinishedAt      = "finished_at"
	attrRevokedAt       = "revoked_at"
	attrRevokeReason    = "revoke_reason"
	attrResultRef       = "result_ref"
	// attrStatusAt is the worklist index's sort key: when the exam entered
	// its status, then its id (unique, so that a page ends at one item).
	// Every write of the status writes it too.
	attrStatusAt = "status_at"
	// attrWriteID names the write that last changed the item. A write whose
	// condition is refused but which finds its own id there had succeeded:
	// its response was lost and the SDK sent it again.
	attrWriteID = "write_id"
	// attrNotification is a map, always written whole: a claim is taken,
	// released and recorded by one SET, with no REMOVE needed.
	attrNotification = "notification"
	attrNotifStatus  = "status"
	attrNotifChannel = "channel"
	attrNotifCode    = "code"
	attrNotifAt      = "at"
	attrClaimOwner   = "claim_owner"
	attrClaimUntil   = "claim_until"
	// attrHistory is a list of maps, one per transition, appended by the
	// transition's own UpdateItem (list_append).
	attrHistory   = "history"
	attrEntStatus = "status"
	attrEntAt     = "at"
	attrEntBy     = "by"
	attrActorKind = "kind"
	attrActorID   = "id"
	attrActorName = "name"
)

type item = map[string]types.AttributeValue

func str(s string) types.AttributeValue { return &types.AttributeValueMemberS{Value: s} }

func num(n int) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.Itoa(n)}
}

// putString sets a string attribute, leaving empty values out (DynamoDB keys
// and indexes refuse empty strings, and absence is the natural "unset").
func putString(it item, name, v string) {
	if v != "" {
		it[name] = str(v)
	}
}

func toItem(e exam.Exam) item {
	it := item{
		attrExamID:    str(e.ID),
		attrPatientID: str(e.PatientID),
		attrExamType:  num(int(e.Type)),
		attrStatus:    str(string(e.Status)),
	}
	putString(it, attrPatientDocument, e.PatientDocument)
	putString(it, attrPatientName, e.PatientName)
	putString(it, attrStatusAt, statusAt(exam.QueuePositionOf(e)))
	putString(it, attrCreatedAt, exam.FormatSortable(e.CreatedAt))
	putString(it, attrUpdatedAt, exam.FormatSortable(e.UpdatedAt))
	putString(it, attrStartedAt, exam.FormatSortable(e.StartedAt))
	putString(it, attrFinishedAt, exam.FormatSortable(e.FinishedAt))
	putString(it, attrRevokedAt, exam.FormatSortable(e.RevokedAt))
	putString(it, attrRevokeReason, e.RevokeReason)
	putString(it, attrResultRef, e.ResultRef)
	if e.Notification != (exam.Notification{}) {
		it[attrNotification] = notificationValue(e.Notification)
	}
	if len(e.History) > 0 {
		entries := make([]types.AttributeValue, len(e.History))
		for i, h := range e.History {
			entries[i] = historyEntryValue(h)
		}
		it[attrHistory] = &types.AttributeValueMemberL{Value: entries}
	}
	return it
}

// statusAt is the worklist index's sort key of the exam at p.
func statusAt(p exam.QueuePosition) string {
	if p.EnteredAt == "" {
		return ""
	}
	return p.EnteredAt + "#" + p.ExamID
}

func historyEntryValue(h exam.HistoryEntry) types.AttributeValue {
	by := item{}
	putString(by, attrActorKind, string(h.By.Kind))
	putString(by, attrActorID, h.By.ID)
	putString(by, attrActorName, h.By.Name)
	return &types.AttributeValueMemberM{Value: item{
		attrEntStatus: str(string(h.Status)),
		attrEntAt:     str(exam.FormatSortable(h.At)),
		attrEntBy:     &types.AttributeValueMemberM{Value: by},
	}}
}

func notificationValue(n exam.Notification) types.AttributeValue {
	m := item{}
	putString(m, attrNotifStatus, string(n.Status))
	putString(m, attrNotifChannel, string(n.Channel))
	putString(m, attrNotifCode, n.Code)
	putString(m, attrNotifAt, exam.FormatSortable(n.At))
	putString(m, attrClaimOwner, n.ClaimOwner)
	putString(m, attrClaimUntil, exam.FormatSortable(n.ClaimUntil))
	return &types.AttributeValueMemberM{Value: m}
}

// fromItem decodes an item; a malformed item is an error, never a half-filled exam.
func fromItem(it item) (exam.Exam, error) {
	d := decoder{it: it}
	nd := decoder{it: item{}}
	if v, ok := it[attrNotification]; ok {
		m, ok := v.(*types.AttributeValueMemberM)
		if !ok {
			return exam.Exam{}, fmt.Errorf("exam item: malformed attribute %q", attrNotification)
		}
		nd.it = m.Value
	}
	e := exam.Exam{
		ID:              d.str(attrExamID),
		PatientID:       d.str(attrPatientID),
		PatientDocument: d.str(attrPatientDocument),
		PatientName:     d.str(attrPatientName),
		Type:            exam.Type(d.num(attrExamType)),
		Status:          exam.Status(d.str(attrStatus)),
		CreatedAt:       d.time(attrCreatedAt),
		UpdatedAt:       d.time(attrUpdatedAt),
		StartedAt:       d.time(attrStartedAt),
		FinishedAt:      d.time(attrFinishedAt),
		RevokedAt:       d.time(attrRevokedAt),
		RevokeReason:    d.str(attrRevokeReason),
		ResultRef:       d.str(attrResultRef),
		Notification: exam.Notification{
			Status:     exam.NotificationStatus(nd.str(attrNotifStatus)),
			Channel:    exam.Channel(nd.str(attrNotifChannel)),
			Code:       nd.str(attrNotifCode),
			At:         nd.time(attrNotifAt),
			ClaimOwner: nd.str(attrClaimOwner),
			ClaimUntil: nd.time(attrClaimUntil),
		},
	}
	history, err := historyOf(it)
	if err := errors.Join(d.err, nd.err, err); err != nil {
		return exam.Exam{}, err
	}
	e.History = history
	return e, nil
}

// historyOf decodes the history list; an item written before history existed has none.
func historyOf(it item) ([]exam.HistoryEntry, error) {
	v, ok := it[attrHistory]
	if !ok {
		return nil, nil
	}
	malformed := fmt.Errorf("exam item: malformed attribute %q", attrHistory)
	list, ok := v.(*types.AttributeValueMemberL)
	if !ok {
		return nil, malformed
	}
	history := make([]exam.HistoryEntry, len(list.Value))
	for i, ev := range list.Value {
		m, ok := ev.(*types.AttributeValueMemberM)
		if !ok {
			return nil, malformed
		}
		d := decoder{it: m.Value}
		by, ok := m.Value[attrEntBy].(*types.AttributeValueMemberM)
		if !ok {
			return nil, malformed
		}
		bd := decoder{it: by.Value}
		history[i] = exam.HistoryEntry{
			Status: exam.Status(d.str(attrEntStatus)),
			At:     d.time(attrEntAt),
			By:     exam.Actor{Kind: exam.ActorKind(bd.str(attrActorKind)), ID: bd.str(attrActorID), Name: bd.str(attrActorName)},
		}
		if d.err != nil || bd.err != nil {
			return nil, malformed
		}
	}
	return history, nil
}

// decoder reads attributes and keeps the first error.
type decoder struct {
	it  item
	err error
}

func (d *decoder) str(name string) string {
	v, ok := d.it[name]
	if !ok {
		return ""
	}
	s, ok := v.(*types.AttributeValueMemberS)
	if !ok {
		d.fail(name)
		return ""
	}
	return s.Value
}

func (d *decoder) num(name string) int {
	v, ok := d.it[name].(*types.AttributeValueMemberN)
	if !ok {
		d.fail(name)
		return 0
	}
	n, err := strconv.Atoi(v.Value)
	if err != nil {
		d.fail(name)
	}
	return n
}

func (d *decoder) time(name string) time.Time {
	t, err := exam.ParseSortable(d.str(name))
	if err != nil {
		d.fail(name)
	}
	return t
}

func (d *decoder) fail(name string) {
	if d.err == nil {
		d.err = fmt.Errorf("exam item: malformed attribute %q", name)
	}
}
