package exam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ResultClaims is what a result token asserts.
type ResultClaims struct {
	ExamID string
}

// TokenVerifier verifies both kinds of token; an exam token is a JWT or a
// label code, whose claims come with a Seal. Errors wrap ErrInvalidToken.
type TokenVerifier interface {
	VerifyExamToken(token string) (ExamClaims, error)
	VerifyResultToken(token string) (ResultClaims, error)
}

// FinishStore is what finishing needs of the exam store.
type FinishStore interface {
	Getter
	Transitioner
	NotificationUpdater
}

// ErrExamRevoked: a result arrived for a revoked exam.
var ErrExamRevoked = fmt.Errorf("%w: exam is revoked", ErrInvalidTransition)

// DefaultClaimLease is how long a notification claim lasts when the context has
// no deadline. With a deadline (every Lambda invocation) the claim lasts until it.
const DefaultClaimLease = 2 * time.Minute

// Finish is the one finish-and-notify operation, shared by the communicate
// endpoint and the S3 result processing. Given an exam token and a result token
// it moves the exam to Finished and tells the patient, exactly once however often
// the same result is delivered:
//
//   - the finish and the claim to notify are one conditional write;
//   - the claim holder sends, then records the outcome;
//   - a failed send releases the claim, so a retry sends again, unless the
//     provider refused it for good: then it is recorded failed, and only the
//     operator sends it again (Resend) once the contact is fixed;
//   - a claim left by a sender that stopped after claiming is never re-sent (it
//     may have gone out) but marked unconfirmed.
type Finish struct {
	Tokens   TokenVerifier
	Exams    FinishStore
	Patients PatientFinder
	Notifier Notifier
	Now      func() time.Time
	NewID    func() string
	Observer Observer // the logs and metrics of each finish; nil tells nobody
}

// ResultRef is the identity of a result: a digest of its result token.
func ResultRef(resultToken string) string {
	sum := sha256.Sum256([]byte(resultToken))
	return hex.EncodeToString(sum[:16])
}

// Run finishes, as the actor, the exam named by the tokens and notifies its patient. It returns
// the exam as it now stands. ErrNotificationClaimed means another invocation is
// sending this very notification right now: the exam is Finished by this result.
func (f Finish) Run(ctx context.Context, by Actor, examToken, resultToken string) (Exam, error) {
	if err := requireActor(by); err != nil {
		return Exam{}, err
	}
	claims, result, err := f.verify(examToken, resultToken)
	if err != nil {
		return Exam{}, err
	}
	var e Exam
	if claims.Seal == nil {
		ctx = observerOr(f.Observer).ExamIdentified(ctx, claims.ExamID)
		e, err = f.Exams.Get(ctx, claims.ExamID)
	} else {
		ctx, e, claims, err = f.unseal(ctx, claims, result)
	}
	if err != nil {
		return Exam{}, err
	}
	ref := ResultRef(resultToken)
	if e.PatientID != claims.PatientID {
		return e, ErrPatientMismatch
	}
	if e.Type != claims.ExamType {
		return e, ErrExamTypeMismatch
	}
	var patient *Patient
	// Each pass either ends or follows a write that another invocation won; the
	// lifecycle only moves forward, so a few passes always settle it.
	for range 4 {
		if err := checkFinishable(e, ref); err != nil || e.Notification.Done() {
			return e, err
		}
		if patient == nil {
			p, err := f.patientOf(ctx, e)
			if err != nil {
				return e, err
			}
			patient = &p
		}
		owner, until := f.NewID(), f.claimUntil(ctx)
		claim := Notification{Status: NotificationPending, ClaimOwner: owner, ClaimUntil: until}
		var next Exam
		switch n := e.Notification; {
		case e.Status == StatusStarted:
			next, err = f.Exams.Transition(ctx, Transition{
				ExamID: e.ID, PatientID: e.PatientID, ExamType: e.Type,
				From: []Status{StatusStarted}, To: StatusFinished, At: f.Now().UTC(), By: by,
				ResultRef: ref, Notification: claim,
			})
		case n.ClaimOwner == "":
			next, err = f.Exams.UpdateNotification(ctx, e.ID, "", claim)
		case f.Now().Before(n.ClaimUntil):
			return e, ErrNotificationClaimed
		default:
			next, err = f.abandon(ctx, e)
			if err == nil {
				return next, nil
			}
		}
		var conflict *ConflictError
		switch {
		case errors.As(err, &conflict):
			e = conflict.Current
			continue
		case err != nil:
			return e, err
		}
		// The write succeeded, so this invocation holds the claim.
		if e.Status == StatusStarted {
			observerOr(f.Observer).ExamFinished(ctx, by)
		}
		return f.notify(ctx, next, *patient, owner, Notification{Status: NotificationPending})
	}
	// Every write lost: answer from the exam as the last refusal read it (the
	// store's ALL_OLD, at no extra call), never from a state older than that.
	if err := checkFinishable(e, ref); err != nil || e.Notification.Done() {
		return e, err
	}
	return e, ErrNotificationClaimed
}

// verify checks both tokens. A label code's claims come back sealed (unseal
// checks them), and the exam ids are compared once both tokens are verified.
func (f Finish) verify(examToken, resultToken string) (ExamClaims, ResultClaims, error) {
	claims, err := f.Tokens.VerifyExamToken(examToken)
	if err != nil {
		return ExamClaims{}, ResultClaims{}, &TokenError{Kind: ExamToken, Err: err}
	}
	result, err := f.Tokens.VerifyResultToken(resultToken)
	if err != nil {
		return ExamClaims{}, ResultClaims{}, &TokenError{Kind: ResultToken, Err: err}
	}
	if claims.Seal == nil && claims.ExamID != result.ExamID {
		return ExamClaims{}, ResultClaims{}, ErrTokenMismatch
	}
	return claims, result, nil
}

// unseal reads the exam a label code names (the read Finish makes anyway) and
// checks the code's seal against it, which gives the claims the code does not
// carry. Until the seal holds the code is anyone's text: an exam it names that
// does not exist makes it invalid, and its exam id is not told to the observer.
func (f Finish) unseal(ctx context.Context, claims ExamClaims, result ResultClaims) (context.Context, Exam, ExamClaims, error) {
	e, err := f.Exams.Get(ctx, claims.ExamID)
	switch {
	case errors.Is(err, ErrExamNotFound):
		return ctx, Exam{}, claims, &TokenError{Kind: ExamToken, Err: fmt.Errorf("%w: label code names no exam", ErrInvalidToken)}
	case err != nil:
		return ctx, Exam{}, claims, err
	}
	if err := claims.Seal.Check(e); err != nil {
		return ctx, Exam{}, claims, &TokenError{Kind: ExamToken, Err: err}
	}
	ctx = observerOr(f.Observer).ExamIdentified(ctx, e.ID)
	if e.ID != result.ExamID {
		return ctx, Exam{}, claims, ErrTokenMismatch
	}
	claims.PatientID, claims.ExamType = e.PatientID, e.Type
	return ctx, e, claims, nil
}

// checkFinishable refuses exams that this result cannot finish.
func checkFinishable(e Exam, ref string) error {
	switch {
	case e.Status == StatusRevoked:
		return ErrExamRevoked
	case e.Status == StatusRegistered:
		return ErrNotStarted
	case e.Status == StatusFinished && e.ResultRef != ref:
		return ErrFinishedByOtherResult
	}
	return nil
}

// patientOf looks up the exam's patient and checks that it is still the exam's
// patient and active.
func (f Finish) patientOf(ctx context.Context, e Exam) (Patient, error) {
	document := e.PatientDocument
	// Exams stored before documents were normalised may hold a punctuated one.
	if digits, err := normalizeDocument(document); err == nil {
		document = digits
	}
	p, err := lookUp(ctx, f.Patients, document)
	if err != nil {
		return Patient{}, err
	}
	if p.ID != e.PatientID {
		return Patient{}, ErrPatientMismatch
	}
	if p.Status != PatientActive {
		return Patient{}, ErrPatientNotActive
	}
	return p, nil
}

func (f Finish) claimUntil(ctx context.Context) time.Time {
	if deadline, ok := ctx.Deadline(); ok {
		return deadline.UTC()
	}
	return f.Now().Add(DefaultClaimLease).UTC()
}

// notify sends the message under the claim held by owner and records the
// outcome. A send not accepted writes release, giving the claim back so that a
// retry sends again; a send refused for good is recorded failed, never retried.
func (f Finish) notify(ctx context.Context, e Exam, p Patient, owner string, release Notification) (Exam, error) {
	outcome := Notification{Status: NotificationSkipped}
	m, err := composeMessage(p, e.ID)
	if err == nil {
		err = f.Notifier.Notify(ctx, m)
	}
	var refused *RefusedError
	switch {
	case errors.Is(err, errNoVerifiedContact):
	case errors.Is(err, ErrDeliveryUnknown):
		return f.unconfirmed(ctx, e, owner, m.Channel, err)
	case errors.As(err, &refused):
		outcome = Notification{Status: NotificationFailed, Channel: m.Channel, Code: refused.Code}
	case err != nil:
		// Not accepted: give the claim back so that a retry sends again.
		if released, rerr := f.Exams.UpdateNotification(ctx, e.ID, owner, release); rerr == nil {
			e = released
		}
		return e, fmt.Errorf("%w: notify by %s: %w", ErrDependency, m.Channel, err)
	default:
		outcome = Notification{Status: NotificationSent, Channel: m.Channel}
	}
	outcome.At = f.Now().UTC()
	recorded, err := f.Exams.UpdateNotification(ctx, e.ID, owner, outcome)
	if err != nil {
		return e, fmt.Errorf("record notification: %w", err)
	}
	switch outcome.Status {
	case NotificationFailed:
		observerOr(f.Observer).NotificationFailed(ctx, outcome.Channel, outcome.Code)
	case NotificationSent:
		observerOr(f.Observer).NotificationSent(ctx, outcome.Channel)
	default:
		observerOr(f.Observer).NotificationSkipped(ctx)
	}
	return recorded, nil
}

// unconfirmed records a send whose answer was lost: it may have gone out, so
// nobody sends again; the clinic checks with the patient.
func (f Finish) unconfirmed(ctx context.Context, e Exam, owner string, ch Channel, cause error) (Exam, error) {
	recorded, err := f.Exams.UpdateNotification(ctx, e.ID, owner,
		Notification{Status: NotificationUnconfirmed, Channel: ch, At: f.Now().UTC()})
	if err != nil {
		return e, fmt.Errorf("record notification: %w", err)
	}
	observerOr(f.Observer).NotificationUnconfirmed(ctx, ch, cause)
	return recorded, nil
}

// abandon marks as unconfirmed a notification whose claim expired unrecorded.
func (f Finish) abandon(ctx context.Context, e Exam) (Exam, error) {
	next, err := f.Exams.UpdateNotification(ctx, e.ID, e.Notification.ClaimOwner,
		Notification{Status: NotificationUnconfirmed, At: f.Now().UTC()})
	if err == nil {
		observerOr(f.Observer).NotificationAbandoned(ctx, e.Notification.ClaimUntil)
	}
	return next, err
}
