package exam

import (
	"errors"
	"time"
)

// ActorKind says whether a person or the system itself acted.
type ActorKind string

// Kinds of actor.
const (
	// ActorAttendant is a person calling the API; the actor's ID is the
	// authorizer's sub and its Name the username.
	ActorAttendant ActorKind = "attendant"
	// ActorAutomatic is the system itself, such as the S3 result processing.
	ActorAutomatic ActorKind = "automatic"
)

// Actor is who made a change: every transition records one (docs/security.md).
type Actor struct {
	Kind ActorKind
	ID   string
	Name string
}

// ProcessResultActor is the automatic result path, the actor of the exams it finishes.
var ProcessResultActor = Actor{Kind: ActorAutomatic, ID: "process-result"}

// ErrNoActor: a use case was asked to write without knowing who asks. The API
// adapter refuses such calls first; this guards the domain against a caller
// that forgot, so that no write is ever anonymous.
var ErrNoActor = errors.New("no actor for a change")

// Known reports whether a names who acts.
func (a Actor) Known() bool {
	return (a.Kind == ActorAttendant || a.Kind == ActorAutomatic) && a.ID != ""
}

func requireActor(a Actor) error {
	if !a.Known() {
		return ErrNoActor
	}
	return nil
}

// HistoryEntry is one transition of an exam: the status it reached, when, and by whom.
type HistoryEntry struct {
	Status Status
	At     time.Time
	By     Actor
}
